"""Sentence splitting on the ORIGINAL text, returning spans.

Rules (why): news text puts headlines and sub-headings on their own lines, so a line break always
ends a sentence; inside a line, . ! ? ؟ end a sentence when followed by space or the line end, except
- inside a quotation (“...” «...» "...") whose quotes are balanced on that line: reported speech with
  several sentences stays with its reporting verb ("وقال بلينكن: "...". ..."), which attribution needs;
- in decimals (3.5, ٣٫٥) and after abbreviations (lexicons/abbreviations.tsv, single letters "د.");
- in runs of dots ("..", "..."), which Arabic news uses as a pause inside a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kzlib.normalize import normalize_word
from kzlib.lexicon_files import lexicon_rows

_PAIRS = {"“": "”", "«": "»", "„": "“"}
_LINE_RE = re.compile(r"[^\r\n]+")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    rows = lexicon_rows("abbreviations")
    return frozenset(normalize_word(r["abbreviation"]) for r in rows)


_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_INITIALISM_RE = re.compile(r"(?:[^\W\d_]\.){2,}")  # "u.s.", "ج.م.ع.": letters each closed by a dot
_QUOTE_RE = re.compile('[“”«»„"]')
_TERMINATOR_RE = re.compile(r"[.!?؟]")
_CLOSERS = "”»\"')"          # closing quotes and brackets a sentence end may carry


def _quoted_ranges(line: str) -> list[tuple[int, int]]:
    """Ranges [open, close] of balanced quotations in one line; empty when the quotes do not balance."""
    ranges, stack, straight_open = [], [], None
    for m in _QUOTE_RE.finditer(line):
        i, ch = m.start(), m.group()
        if ch != '"':
            if not _curly_quote(ch, i, stack, ranges):
                return []
        elif straight_open is None:
            straight_open = i
        else:
            ranges.append((straight_open, i))
            straight_open = None
    if stack or straight_open is not None:
        return []
    return ranges


def _curly_quote(ch: str, i: int, stack: list, ranges: list) -> bool:
    """Opens or closes a paired quotation (“...” «...» „...“); False for a closing quote that nothing opened.
    A quote that closes the open one is read as closing first: “ opens “...” but closes „...“."""
    if stack and ch == _PAIRS[stack[-1][0]]:
        _, j = stack.pop()
        if not stack:
            ranges.append((j, i))
        return True
    if ch in _PAIRS:
        stack.append((ch, i))
        return True
    return False      # ” or » with nothing open: an unbalanced line


def _is_boundary(line: str, i: int, quoted: list[tuple[int, int]]) -> bool:
    ch = line[i]
    nxt = line[i + 1] if i + 1 < len(line) else ""
    if _runs_on(line, i, nxt):
        return False
    if ch == "." and (nxt == "." or (i > 0 and line[i - 1] == ".")):
        return False  # a run of dots is a pause inside the sentence
    if any(a < i < b for a, b in quoted):
        return False
    return ch != "." or not _dot_inside_sentence(line, i)


def _runs_on(line: str, i: int, nxt: str) -> bool:
    """3.5, a.b, "..": the terminator at line[i] is followed by neither a space nor a closing quote nor the line
    end -- unless it is glued between two Arabic words; abbreviations are checked apart."""
    return bool(nxt) and not nxt.isspace() and nxt not in _CLOSERS and not _glued_between_arabic_words(line, i)


def _glued_between_arabic_words(line: str, i: int) -> bool:
    """"مستقر.وأضاف", "قتلى!وأصيب": a terminator glued between two Arabic words, a common typing slip."""
    return bool(_ARABIC_LETTER_RE.match(line[i + 1])) and i > 0 and bool(_ARABIC_LETTER_RE.match(line[i - 1]))


def _dot_inside_sentence(line: str, i: int) -> bool:
    """The dot at line[i] closes an abbreviation ("د.", "u.s.") or a list number ("3. 4"), not a sentence."""
    k = _word_start(line, i)  # the word the dot closes
    word = normalize_word(line[k:i + 1])
    letters = word.rstrip(".")
    if word in _abbreviations() or (len(letters) == 1 and letters.isalpha()):
        return True
    if "." in letters and _INITIALISM_RE.fullmatch(word):   # an initialism keeps a dot among its letters
        return True
    # "الفقرة 3. 4" style lists are rare; a digit after ". " keeps the number together
    return letters.isdigit() and i + 2 < len(line) and line[i + 2].isdigit()


def _word_start(line: str, i: int) -> int:
    """Start of the run of non-space characters that ends at line[i] (back to the previous white space)."""
    k = line.rfind(" ", 0, i) + 1      # usually that space is an ASCII one: one C-level search
    if not _SPACE_RE.search(line, k, i):
        return k
    k = i  # another white space (NBSP, tab ...) in between: walk back (a regex over line[:i] is quadratic)
    while k > 0 and not line[k - 1].isspace():
        k -= 1
    return k


_SPACE_RE = re.compile(r"\s")
_ALNUM_RE = re.compile(r"[^\W_]")     # str.isalnum, for any character


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) into `text`, without surrounding white space; empty lines give none."""
    spans: list[tuple[int, int]] = []
    for line_match in _LINE_RE.finditer(text):
        line, base = line_match.group(0), line_match.start()
        quoted = _quoted_ranges(line) if _QUOTE_RE.search(line) else []
        start = 0
        for m in _TERMINATOR_RE.finditer(line):
            i = m.start()
            if i >= start and _is_boundary(line, i, quoted):
                end = i + 1
                while end < len(line) and line[end] in _CLOSERS:
                    end += 1
                _add(spans, line, base, start, end)
                start = end
        if start < len(line):       # else the line ends with that sentence
            _add(spans, line, base, start, len(line))
    return spans


def _add(spans: list, line: str, base: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if not _ALNUM_RE.search(stripped):
        return      # empty, or punctuation only
    lead = len(piece) - len(piece.lstrip())
    spans.append((base + start + lead, base + start + lead + len(stripped)))

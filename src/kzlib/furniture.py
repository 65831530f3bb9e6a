"""Page furniture: lines of a scraped news page that are not article text.

Furniture is found line by line (foreign-language text sentence by sentence), never inside a sentence, so the article text is left untouched and every
span points into it (``text[span.start:span.end] == span.text``). Two kinds of rules:

* phrase rules from ``lexicons/furniture.tsv`` (analysts edit it; columns documented in data/README.md and
  below): masthead, comment_prompt, share, social, source_footer, related_link, tag, navigation, copyright,
  byline, timestamp, caption;
* two layout rules that need no word list: a sentence written mostly in Latin script inside an Arabic article
  (``foreign_language``: image alt text, English titles, an English statement quoted in an Arabic paragraph),
  judged per sentence so that one English passage does not take the Arabic sentences of its line with it
  (JSONL and CSV texts are often one line), and a short line repeated on the next non-empty line
  (``caption``: sites print the picture's alt text and its caption one after the other); when that line is the
  first text line it is the headline printed twice (page title + heading): the second copy is ``duplicate_line``.

Headlines and sub-headings are article text and are never furniture.

furniture.tsv columns: kind (span kind); match (``line``: the whole line, trailing ``:`` ignored; ``prefix``:
the line starts with the phrase as whole words; ``regex``: Python regex searched in the line); pattern (written
in plain Arabic: line and pattern are both folded by ``kzlib.normalize.normalize_word`` before matching --
alef forms, alif maqsura, ta marbuta, Persian letters, digits, quotes and Latin case; harakat and tatweel
removed; ؤ ئ kept as written; a regex's escapes are left as written); where (``any`` line, ``top`` / ``bottom``: among the first / last EDGE_LINES non-empty lines,
``edge``: either); max_words (longer lines never match: keeps body sentences that happen to start with the
phrase out); next_line (``yes``: a label alone on its line also takes the next short line, e.g. the editor's
name under "رئيس التحرير"); note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from kzlib.normalize import normalize_word
from kzlib.lexicon_files import lexicon_path, lexicon_rows

FURNITURE_LEXICON = lexicon_path("furniture")
EDGE_LINES = 5              # "top" / "bottom" = within this many non-empty lines of the start / end
NEXT_LINE_MAX_WORDS = 4     # a name under a masthead label is short
CAPTION_MAX_WORDS = 14      # a repeated line longer than this is more likely a quoted sentence than a caption
LATIN_MIN_LETTERS = 8       # "Talap" or "CSTO" inside an Arabic sentence is not a foreign-language line

_REGEX_ESCAPE = re.compile(r"(\\.)")   # a backslash and the character it escapes
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")
_NOT_ASCII_LETTER = bytes(b for b in range(128) if not chr(b).isalpha())   # deleted: all but A-Z a-z
_FINAL_PUNCTUATION = (".", "!", "?", "؟", "…", ":", "؛", "،", ",", ";")
_CLOSING_QUOTES = "\"'”’»)]"
_LINE = re.compile(r"[^\r\n]+")

@dataclass(frozen=True)
class Span:
    """A stretch of the original text: furniture of the given kind."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Rule:
    kind: str
    match: str
    pattern: str
    where: str
    max_words: int
    next_line: bool
    compiled: re.Pattern


@dataclass(frozen=True)
class Line:
    index: int      # among non-empty lines
    start: int      # first non-space character
    end: int        # after the last non-space character
    text: str


def lines_of(text: str) -> list[Line]:
    """Non-empty lines with offsets of their content (surrounding spaces, NBSP and \\r excluded)."""
    return list(iter_lines(text))


def iter_lines(text: str) -> Iterator[Line]:
    """`lines_of`, one at a time (a caller that needs the first few lines reads no further)."""
    index = 0
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        yield Line(index, start, start + len(stripped), stripped)
        index += 1


def load_rules(path: str | Path = FURNITURE_LEXICON) -> tuple[Rule, ...]:
    return _load_rules(str(path))


@lru_cache(maxsize=8)
def _load_rules(path: str) -> tuple[Rule, ...]:
    rules = []
    for row in lexicon_rows("furniture", path):
        try:
            rules.append(_rule(row))
        except (KeyError, ValueError, re.error) as error:
            raise ValueError(f"{path}: line {row.line}: bad furniture rule {dict(row)}: {error}") from error
    return tuple(rules)


def _rule(row: dict) -> Rule:
    match, where = row["match"].strip(), row["where"].strip()
    if match not in ("line", "prefix", "regex"):
        raise ValueError(f"match must be line, prefix or regex, not {match!r}")
    if where not in ("any", "top", "bottom", "edge"):
        raise ValueError(f"where must be any, top, bottom or edge, not {where!r}")
    pattern = row["pattern"]
    # the line is folded by kzlib.normalize before matching: so is the pattern (a regex's escapes as written:
    # folding Latin letters to lower case must not turn \S into \s)
    pattern = _fold_regex(pattern) if match == "regex" else normalize_word(pattern)
    if match == "line":
        compiled = re.compile(rf"^{re.escape(pattern)}\s*[:：]?$")
    elif match == "prefix":
        compiled = re.compile(rf"^{re.escape(pattern)}(?![\w])")
    else:
        compiled = re.compile(pattern)
    return Rule(row["kind"].strip(), match, pattern, where, int(row["max_words"]),
                row["next_line"].strip().lower() in ("yes", "true", "1"), compiled)


def _fold_regex(pattern: str) -> str:
    return "".join(p if p.startswith("\\") else normalize_word(p) for p in _REGEX_ESCAPE.split(pattern))


def _latin_letters(text: str) -> int:
    # Latin letters are ASCII: count them in the text's ASCII bytes (C-level, no match objects)
    return len(text.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER))


def is_foreign_language(line: str) -> bool:
    """Mostly Latin-script line or sentence (image alt text, English title) in an Arabic article."""
    latin = _latin_letters(line)
    return latin >= LATIN_MIN_LETTERS and latin > len(_ARABIC_LETTER.findall(line))


def ends_like_a_sentence(line: str) -> bool:
    return line.rstrip(_CLOSING_QUOTES + " ").endswith(_FINAL_PUNCTUATION) or line.rstrip().endswith(_FINAL_PUNCTUATION)


def find_furniture(text: str, rules: tuple[Rule, ...] | None = None) -> tuple[Span, ...]:
    """Furniture spans of `text`, in text order, one per line (a masthead label and its name: one span)."""
    rules = load_rules() if rules is None else rules
    lines = lines_of(text)
    kinds, joined, foreign_parts = _classify_lines(lines, rules)
    _mark_repeated_captions(lines, kinds)
    spans = _line_spans(text, lines, kinds, joined)
    spans.extend(Span("foreign_language", a, b, text[a:b]) for a, b in foreign_parts)
    return tuple(sorted(spans, key=lambda span: span.start)) if foreign_parts else tuple(spans)


def _classify_lines(lines: list[Line], rules) -> tuple[dict[int, str], dict[int, int], list[tuple[int, int]]]:
    """The furniture kind of each line by the rules and by language (line index -> kind); the label lines
    that take the next line (their name) with them (label index -> name index); and the foreign-language
    sentences of lines that hold several sentences (offsets into the text)."""
    kinds: dict[int, str] = {}
    joined: dict[int, int] = {}
    foreign_parts: list[tuple[int, int]] = []
    for line in lines:
        if line.index in kinds:
            continue
        kind = _phrase_kind(line, len(lines), rules, lines, joined)
        if kind is None and _latin_letters(line.text) >= LATIN_MIN_LETTERS:
            parts = _foreign_sentences(line)
            if parts is not None:
                foreign_parts.extend(parts)      # only its foreign sentences, the Arabic ones stay text
                continue
            # the line is one sentence: judged whole
            kind = "foreign_language" if is_foreign_language(line.text) else None
        if kind is not None:
            kinds[line.index] = kind
            if line.index in joined:
                kinds[joined[line.index]] = kind
    return kinds, joined, foreign_parts


def _line_spans(text: str, lines: list[Line], kinds: dict[int, str], joined: dict[int, int]) -> list[Span]:
    """One span per furniture line, a label and its name line together (in line order)."""
    name_lines = set(joined.values())
    spans = []
    for index in sorted(kinds):
        if index in name_lines:
            continue
        line = lines[index]
        end = lines[joined[index]].end if index in joined else line.end
        spans.append(Span(kinds[index], line.start, end, text[line.start:end]))
    return spans


def _foreign_sentences(line: Line) -> list[tuple[int, int]] | None:
    """The mostly-Latin sentences of a line of several sentences (consecutive ones merged), as offsets into
    the text; None when the line is a single sentence (then the line is judged whole, as before)."""
    from kzlib.segment import split_sentences      # here: segment is not needed by most of this module

    sentences = split_sentences(line.text)
    if len(sentences) <= 1:
        return None
    parts: list[tuple[int, int]] = []
    for start, end in sentences:
        if is_foreign_language(line.text[start:end]):
            if parts and not line.text[parts[-1][1] - line.start:start].strip():
                parts[-1] = (parts[-1][0], line.start + end)       # the next sentence, right after
            else:
                parts.append((line.start + start, line.start + end))
    return parts


_BY_LENGTH: dict[int, tuple] = {}
_PLACES = ((False, False), (True, False), (False, True), (True, True))   # (among the top, among the bottom)


def _rules_by_length(rules: tuple[Rule, ...]) -> tuple[tuple[tuple[Rule, ...], ...], ...]:
    """`table[w][p]`: the rules a line of w words at place p (_PLACES) may match, in file order; longer
    lines match none. Built once per rule set (keyed by identity: load_rules returns one cached tuple)."""
    hit = _BY_LENGTH.get(id(rules))
    if hit is None or hit[0] is not rules:
        longest = max((rule.max_words for rule in rules), default=-1)
        table = tuple(
            tuple(tuple(r for r in rules if r.max_words >= w and _fits(r.where, top, bottom)) for top, bottom in _PLACES)
            for w in range(longest + 1)
        )
        if len(_BY_LENGTH) > 16:
            _BY_LENGTH.clear()
        hit = _BY_LENGTH[id(rules)] = (rules, table)
    return hit[1]


def _fits(where: str, top: bool, bottom: bool) -> bool:
    return where == "any" or (top if where == "top" else bottom if where == "bottom" else top or bottom)   # "edge"


def _phrase_kind(line: Line, total: int, rules, lines: list[Line], joined: dict[int, int]) -> str | None:
    table = _rules_by_length(rules)
    words = len(line.text.split(maxsplit=len(table)))
    if words >= len(table):
        return None     # longer than any rule allows: most body lines
    place = (line.index < EDGE_LINES) + 2 * (line.index >= total - EDGE_LINES)
    folded = None       # folded only when a rule fits the line's length and place
    for rule in table[words][place]:
        if folded is None:
            folded = normalize_word(line.text)
        if _rule_matches(rule, folded):
            _join_name_line(line, rule, words, lines, joined)
            return rule.kind
    return None


def _rule_matches(rule: Rule, folded: str) -> bool:
    # a line or prefix rule matches only a line that starts with its phrase
    if rule.match != "regex" and not folded.startswith(rule.pattern):
        return False
    return bool(rule.compiled.search(folded))


def _join_name_line(line: Line, rule: Rule, words: int, lines: list[Line], joined: dict[int, int]) -> None:
    """A label alone on its line (perhaps with one more word: "رئيس مجلس الإدارة والتحرير") leaves the name
    to the next line, when that line is short and not a sentence: record the pair in `joined`."""
    label_alone = words <= len(rule.pattern.split()) + 1
    if not (rule.next_line and label_alone and line.index + 1 < len(lines)):
        return
    following = lines[line.index + 1]
    if len(following.text.split()) <= NEXT_LINE_MAX_WORDS and not ends_like_a_sentence(following.text):
        joined[line.index] = following.index


def _mark_repeated_captions(lines: list[Line], kinds: dict[int, str]) -> None:
    for first, second in zip(lines, lines[1:]):
        if first.index in kinds or second.index in kinds or first.text != second.text:
            continue
        if len(first.text.split()) > CAPTION_MAX_WORDS or ends_like_a_sentence(first.text):
            continue
        if all(line.index in kinds for line in lines[:first.index]):
            # the first text line printed twice is the headline (page title + h1): keep one copy as text
            kinds[second.index] = "duplicate_line"
        else:
            kinds[first.index] = kinds[second.index] = "caption"

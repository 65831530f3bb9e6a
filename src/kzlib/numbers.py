"""Quantities in Arabic text: digits, number words, vague counts, qualifiers — and what is not a count.

`find_quantities(text)` returns every number it finds with its span in `text`, its value and bounds,
how it was qualified, and its kind: `count`, or a non-count (date, year, time, duration, model,
ordinal, percent, money, law_article) that must never become a claim.

Word lists are data (lexicons/): number_words.tsv, quantity_qualifiers.tsv, non_count_units.tsv,
ordinal_words.tsv. Matching runs on the folded text (kzlib.normalize) and maps spans back.

Bounds by qualifier (documented in lexicons/README.md):
- exact:    value = low = high = the figure
- at_least: value = low = the figure, high open (None)   "أكثر من 1300"
- approx:   value = the figure, low and high open          "نحو 6 آلاف"
- at_most:  value = high = the figure, low open            "أقل من 10"
- range:    low and high as stated, value None             "بين 10 و15"
- vague:    value = low = documented floor, high = next order of magnitude - 1
            (عشرات 10-99, مئات 100-999, آلاف 1000-9999, عشرات الآلاف 10,000-99,999, عدة مئات 200-999)
approx keeps its bounds open rather than inventing a margin (±10% would be our number, not the source's);
tables decide how to reconcile it.

Digit grouping (the rule, as code below: _TOKEN_RE, _digits_value):
- "1,300" and "1.300" = 1300 (comma or dot before groups of three; "2,5" is a decimal comma, "1.250 مليون" a
  decimal before a scale word);
- "1 300" = 1300 when written with a space, NBSP (U+00A0), narrow NBSP (U+202F), figure space (U+2007) or
  thin space (U+2009) between groups (GROUP_SPACES), and only in the shape of grouped thousands: a first group
  of one to three digits not starting with 0, then groups of exactly three digits, no further digit. Two
  separate counts are not written side by side in Arabic news without a word between them ("1 و300",
  "1 قتيل و300 جريح"), while "1 300" is how French-style and typeset texts group thousands, so the space
  joins. A four-digit group never joins ("2022 300" stays a year and a count);
- "1e9" (scientific notation) = 1,000,000,000: one number, not 1 and 9.

Plausible range: a count above MAX_PLAUSIBLE_COUNT (10^10, more than everyone alive) is not a figure a
source can mean (400 nines, a scraping accident): it is kept as text — the quote — with qualifier
`out_of_range` and value / low / high left empty, never turned into a float (or Infinity).

Not emitted: dual nouns that count without a numeral ("مقتل شخصين") except the time units listed as
`dual` in non_count_units.tsv ("ساعتين" = a 2-hour duration); "أحد"/"إحدى"/"نصف" alone ("one of", "half").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress
from operator import itemgetter, or_
from typing import NamedTuple

from kzlib.normalize import normalize, normalize_word
from kzlib.lexicon_files import lexicon_rows


class Quantity(NamedTuple):   # a NamedTuple: one per number of the corpus, cheaper to build than a dataclass
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    kind: str


_first_char = itemgetter(0)    # a string's first character


@dataclass(frozen=True)
class _Word:
    value: float
    kind: str          # unit, teen_one, ten, hundred, scale, scale_dual, scale_plural, vague, several, digits
    prefix: str        # clitic before the number word ("و", "ال", "وال", ...)


# A token is a number with separators, a word (letters), or a single symbol.
# (words first: most tokens are words, and the three alternatives start with different characters)
GROUP_SPACES = " \u00a0\u202f\u2007\u2009"      # spaces that group thousands ("1 300"); see the docstring
MAX_PLAUSIBLE_COUNT = 10 ** 10                    # above it a count is kept as text (out_of_range)
_TOKEN_RE = re.compile(
    r"[^\W\d_]+"
    r"|\d+(?:\.\d+)?[eE][+-]?\d+(?![^\W_])"                     # 1e9
    rf"|(?<![\d.,])[1-9]\d{{0,2}}(?:[{GROUP_SPACES}]\d{{3}})+(?![\d]|[.,{GROUP_SPACES}]\d)"   # 1 300
    r"|\d+(?:[.,]\d+)*|[%$\-\u2013\u2014/:]")
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")     # one group: re.split keeps the tokens (_tokens)
_SPACE_GROUPED_RE = re.compile(rf"[1-9]\d{{0,2}}(?:[{GROUP_SPACES}]\d{{3}})+")
_SCIENTIFIC_RE = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")
# "إل-76", "سو -35": a hyphen with at most one space; "موسكو - 2500 جندي" (a dateline dash) is not a model
_MODEL_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,6}(?:-|- | -)\d+(?![\d])")
_DATE_RE = re.compile(r"(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/\-]\d{1,2}[/\-]\d{1,2})(?!\d)")
_TIME_RE = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
# every date, time and model match holds a digit next to one of these: most sentences skip the three searches
# (written to start at the separator: a pattern that opens with a character set is scanned fast)
# (kept: without it quantities_of takes 1.32 s instead of 0.83 s CPU on the 10,312 sentences of 500 synthetic
# articles, about 12% of their extraction time; tests/test_numbers.py checks it against the plain pattern)
_NON_COUNT_HINT_RE = re.compile(r"[/.\-:](?<=\d[/.\-:])|[/.\-](?=\d)|-(?= \d)")
_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_CONNECT_RANGE = {"الي", "حتي", "-", "\u2013", "\u2014", "او"}  # hyphen, en dash, em dash
_BETWEEN = {"بين", "وبين", "فبين", "لبين"}  # "بين 100 و200" with a clitic on بين
_FROM = {"من", "ومن", "فمن"}
_TWO_WORD_MONTHS = {"كانون", "تشرين"}  # Levantine months: كانون الثاني = January, تشرين الأول = October
_WEEKDAY_NUMBERS = {"الاثنين", "الاحد"}  # definite "two"/"one" that are weekdays in news text


_SCALE_KINDS = frozenset(("scale", "scale_dual", "scale_plural"))
_BIG_KINDS = _SCALE_KINDS | {"hundred"}                 # after them "و" adds a smaller part: مئة وخمسة، ألف و200
_UNIT_KINDS = frozenset(("unit", "teen_one"))
_SMALL_KINDS = frozenset(("unit", "ten", "teen_one"))
_FIRST_KINDS = frozenset(("unit", "ten", "hundred", "teen_one"))
_TIMES_SCALE = frozenset(("unit", "ten", "hundred", "digits"))   # what a scale multiplies: عشرون ألف، 20 ألف
_TIMES_PLURAL_SCALE = frozenset(("unit", "digits", "ten"))       # ... and a plural scale: ثلاثة آلاف، 6 آلاف
_TEN_WORDS = frozenset(("عشر", "عشره"))                           # the "-teen" of 11-19: ثلاثة عشر
_CLITIC_AND_ARTICLE = frozenset(("وال", "بال", "فال", "كال"))   # the quote keeps the article, not the clitic
_KINDS_AFTER = frozenset(("date", "duration", "percent", "money", "year"))   # a unit after the number decides
_YEAR_OPENERS = frozenset(("في", "حتي", "مطلع", "نهايه", "بدايه", "خلال"))  # "في 2022": a year
_MONTH_NOUNS = frozenset(("الشهر", "شهر"))
_PERCENT_NOUNS = frozenset(("المئه", "المائه"))
_DATE_CONNECTORS = frozenset(("علي", "و", "-", "\u2013", "\u2014", "الي", "او"))
_NON_COUNT_PATTERNS = ((_DATE_RE, "date"), (_TIME_RE, "time"), (_MODEL_RE, "model"))   # by priority
_DUAL_NUMBER = (2.0, 2.0, 2.0)


# ---- lexicons (data files in lexicons/) --------------------------------------------------------------------

@lru_cache(maxsize=1)
def _lexicon():
    before_re, before_kind, after_q_by_first = _qualifiers()
    units_after, units_before, duals = _non_count_units()
    return {
        "words": {normalize_word(r["word"]): (float(r["value"]), r["kind"]) for r in lexicon_rows("number_words")},
        "before_re": before_re, "before_kind": before_kind, "after_q_by_first": after_q_by_first,
        "units_after": units_after, "units_before": units_before, "duals": duals,
        "ordinals": {normalize_word(r["word"]): float(r["value"]) for r in lexicon_rows("ordinal_words")},
    }


def _qualifiers():
    """quantity_qualifiers.tsv: a regex of the phrases before a number (longest first) with their qualifier, and
    the phrases after it grouped by their first word."""
    before_q, after_q = [], []
    for r in lexicon_rows("quantity_qualifiers"):
        (before_q if r["position"] == "before" else after_q).append((normalize_word(r["phrase"]), r["qualifier"]))
    before_q.sort(key=lambda p: -len(p[0]))
    before_re = re.compile(
        r"(?:^|(?<=[\s(،,\"']))[وبلف]?(" + "|".join(re.escape(p) for p, _ in before_q) + r")\s*$"
    )
    return before_re, dict(before_q), _by_first_word([(tuple(p.split()), q) for p, q in after_q])


def _non_count_units():
    """non_count_units.tsv: the units after a number, the words before it, and the dual nouns, each word → kind."""
    by_position = {"after": {}, "before": {}, "dual": {}}
    for r in lexicon_rows("non_count_units"):
        by_position[r["position"] if r["position"] in ("after", "before") else "dual"][normalize_word(r["word"])] = r["kind"]
    return by_position["after"], by_position["before"], by_position["dual"]
def _by_first_word(phrases: list[tuple[tuple[str, ...], str]]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Phrases grouped by their first word, each group in lexicon order."""
    out: dict[str, list] = {}
    for phrase, q in phrases:
        out.setdefault(phrase[0], []).append((phrase, q))
    return out


@lru_cache(maxsize=1)
def _forms() -> dict[str, _Word]:
    """Every number word with every clitic it may carry, built once: a lookup is one dict access."""
    words = _lexicon()["words"]
    forms: dict[str, _Word] = {}
    for clitic in reversed(_CLITICS):  # longer clitics last, so "وال" + word wins over "و" + "ال..."
        for rest, (value, kind) in words.items():
            if len(rest) > 3 or clitic in ("و", "ال", "وال"):  # "لست" is not ل + ست
                forms[clitic + rest] = _Word(value, kind, clitic)
    for rest, (value, kind) in words.items():
        forms[rest] = _Word(value, kind, "")
    return forms


def _lookup(token: str) -> _Word | None:
    """A number word, possibly behind a clitic; short words (ست، خمس) only behind و / ال."""
    return _forms().get(token)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every word form that can start a quantity (number words with clitics, ordinals, dual time nouns)."""
    lex = _lexicon()
    duals = {c + d for d in lex["duals"] for c in ("", "و", "ب", "ل")}
    return frozenset(_forms()) | frozenset(lex["ordinals"]) | frozenset(duals)


def may_be_quantity_word(word: str) -> bool:
    """A folded word (a \\w run, e.g. a kzlib.gazetteer token) that may be part of a quantity: not all
    letters (a digit), or a word that can start one. A text none of whose words is one holds no quantity
    (find_quantities returns []), so callers skip it without tokenizing it again."""
    return not word.isalpha() or word in _vocabulary()


_COMMA_THOUSANDS_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")


# ---- digits ------------------------------------------------------------------------------------------------

def _digits_value(token: str, before_scale: bool = False) -> float | None:
    """Value of a digit token. "1,300" = 1300 and "2,5" = 2.5 (a decimal comma: not a group of three);
    "1.300" and "1.000.000" = thousands (European grouping: a count has no thousandths) except before a
    scale word, where "1.250 مليون" = 1.25 million. Anything else ("1.2.3") is not a number."""
    if token.isdecimal():       # most digit tokens: no separator
        return float(token)
    if not token[0].isdecimal():
        return None
    if _SPACE_GROUPED_RE.fullmatch(token):
        return float("".join(ch for ch in token if ch.isdecimal()))
    if _SCIENTIFIC_RE.fullmatch(token):
        return float(token)
    if "," in token:
        return _comma_value(token)
    return _dot_value(token, before_scale)


def _comma_value(token: str) -> float | None:
    """"1,300" (groups of three) = 1300, "2,5" = 2.5, "1,2,3" nothing."""
    if _COMMA_THOUSANDS_RE.fullmatch(token):
        return float(token.replace(",", ""))
    if token.count(",") == 1 and "." not in token:
        return float(token.replace(",", "."))
    return None


def _dot_value(token: str, before_scale: bool) -> float | None:
    """"1.300", "1.000.000" = thousands; "1.5" and, before a scale word, "1.250" = decimals; "1.2.3" nothing."""
    if _DOT_THOUSANDS_RE.fullmatch(token) and (not before_scale or token.count(".") > 1):
        return float(token.replace(".", ""))
    return float(token) if token.count(".") == 1 else None


# ---- numbers: the first word decides the rule ------------------------------------------------------------
# A parse is (value, floor, high, end_index, mode); mode is "exact" or "vague" (for vague, value = floor).

def _parse_number(toks: list[str], i: int):
    """Parse a number starting at toks[i]. Returns (value, floor, high, end_index, mode) or None."""
    first = toks[i]
    if first[0].isdecimal():
        return _digits_number(toks, i, first)
    w = _lookup(first)
    if w is None:
        return None
    rule = _FIRST_WORD_RULES.get(w.kind)
    return _read_compound(toks, i, i, 0.0, None) if rule is None else rule(toks, i, w)


def _digits_number(toks, i, first):
    """Digits, and the words that may follow them: "20 ألف", "4 آلاف و266", "1.5 مليون"."""
    digit = _digits_value(first, before_scale="." in first and _scale_follows(toks, i + 1))
    if digit is None:
        return None
    return _read_compound(toks, i, i + 1, digit, "digits")


def _scale_follows(toks, j) -> bool:
    w = _lookup(toks[j]) if j < len(toks) else None
    return w is not None and w.kind.startswith("scale")


def _teen_one_number(toks, i, w: _Word):
    """أحد / إحدى / اثنا count only inside 11, 12 ("أحد عشر") or, for one, 21 … 91 ("إحدى وعشرون");
    alone they mean "someone" / "one of"."""
    j = i + 1
    if j >= len(toks):
        return None
    if toks[j] in _TEN_WORDS:
        return _read_compound(toks, i, i, 0.0, None)
    nxt = _lookup(toks[j])
    if w.value == 1 and nxt is not None and nxt.kind == "ten" and nxt.prefix == "و":
        return _read_compound(toks, i, i, 0.0, None)
    return None


def _fraction_number(toks, i, w: _Word):
    """"نصف مليون" = 500,000, "ربع مليون"; "نصف" alone ("نصف السكان") is not a count."""
    nxt = _lookup(toks[i + 1]) if i + 1 < len(toks) else None
    if nxt is None or nxt.prefix or nxt.kind not in ("scale", "scale_dual"):
        return None
    value = w.value * nxt.value
    return value, value, value, i + 2, "exact"


def _vague_number(toks, i, w: _Word):
    """"عشرات", "المئات", and a plural scale alone ("آلاف"): vague."""
    return _vague_result(toks, i + 1, w.value, 1)


def _several_number(toks, i, w: _Word):
    """several / a few: only before a plural of a hundred or more ("عدة مئات", "بضعة آلاف")."""
    if i + 1 < len(toks):
        nxt = _lookup(toks[i + 1])
        if nxt is not None and nxt.kind in ("vague", "scale_plural") and nxt.value >= 100:
            return _vague_result(toks, i + 2, nxt.value, w.value)
    return None


def _vague_result(toks, j, base: float, multiplier: float):
    """Vague count ending before toks[j]; an optional following plural scale multiplies it (عشرات الآلاف)."""
    if j < len(toks):
        w = _lookup(toks[j])
        if w is not None and w.kind == "scale_plural":
            base *= w.value
            j += 1
    floor = base * multiplier
    return floor, floor, base * 10 - 1, j, "vague"


_FIRST_WORD_RULES = {"teen_one": _teen_one_number, "fraction": _fraction_number, "vague": _vague_number,
                     "scale_plural": _vague_number, "several": _several_number}


# ---- compound numbers: word after word ("خمسة آلاف ومئة وخمسة وثلاثين") ----------------------------------
# The reader's state is a tuple (j, total, current, last, last_value, smallest_scale, checkpoint):
#   j            the next token;  total + current = the value read so far (current: below the last scale)
#   last         kind of the last word read (None before the first); last_value its value: Arabic puts units
#                before tens ("خمسة وعشرون"), so a ten may still add to a unit
#   smallest_scale  scales only fall inside one number: "10 آلاف و20 ألف" is two numbers (a range)
#   checkpoint   (j, total, current) before the last "و" part that followed a scale, to undo it
# Each rule returns (state, read_on): read_on False ends the number at the state's j.

def _read_compound(toks, i, j, current: float, last):
    state = (j, 0.0, current, last, current, None, None)
    n = len(toks)
    read_on = True
    while read_on and state[0] < n:
        state, read_on = _compound_step(toks, state)
    j, total, current = state[0], state[1], state[2]
    if j == i:
        return None
    value = total + current
    if value == 0:
        return None
    return value, value, value, j, "exact"


def _compound_step(toks, state):
    j, total, current, last, last_value, smallest, _ = state
    tok = toks[j]
    if last in _SCALE_KINDS and tok[0] == "و":
        state = (j, total, current, last, last_value, smallest, (j, total, current))
    if tok == "و" and last is not None and j + 1 < len(toks):
        return _detached_and(toks, state)
    return _word_step(state, None if tok[0].isdecimal() else _lookup(tok), tok, 1)


def _detached_and(toks, state):
    """The conjunction written apart from the next part ("ألف و خمسمائة"), or glued to digits ("4 آلاف و266")."""
    part = toks[state[0] + 1]
    if part[0].isdecimal():
        return _and_digits(state, part)
    tok = "و" + part
    return _word_step(state, _lookup(tok), tok, 2)


def _and_digits(state, part: str):
    """"4 آلاف و266", "مليون و200 ألف": digits after a hundred or a scale add to it when smaller than it."""
    j, total, current, last, last_value, smallest, checkpoint = state
    unit = 100.0 if last == "hundred" else last_value / 2 if last == "scale_dual" else last_value
    digits = _digits_value(part) if last in _BIG_KINDS else None
    if digits is None or not 0 < digits < unit:
        return state, False
    return (j + 2, total, current + digits, "digits", digits, smallest, checkpoint), True   # a scale may follow


def _word_step(state, w: _Word | None, tok: str, step: int):
    """The number word `w` (token `tok`, `step` tokens long) after what the state has read."""
    if w is None:
        return state, False
    if w.kind == "fraction":
        return _and_half(state, w, step), False
    if state[3] is None:
        return _first_word(state, w, step)
    if not w.prefix and tok[0] == "و":
        joined = _lookup(tok[1:])  # inside a compound "وأحد" is و + أحد, not واحد (one)
        if joined is not None:
            w = _Word(joined.value, joined.kind, "و" + joined.prefix)
    if w.prefix[:1] == "و":
        return _after_and(state, w, step)
    return _juxtaposed(state, w, tok, step)


def _and_half(state, w: _Word, step: int):
    """"مليون ونصف", "3 آلاف ونصف": half of the scale just read, and the end of the number."""
    j, total, current, last, last_value, smallest, checkpoint = state
    if w.prefix == "و" and last in _SCALE_KINDS:
        total += w.value * (last_value / 2 if last == "scale_dual" else last_value)
        j += step
    return j, total, current, last, last_value, smallest, checkpoint


def _first_word(state, w: _Word, step: int):
    """The first number word: a unit, ten, hundred or teen, or a scale ("ألف", "مليونين")."""
    j, total, current, _, _, smallest, checkpoint = state
    k = w.kind
    if k in _FIRST_KINDS:
        current = w.value
    elif k == "scale" or k == "scale_dual":
        total, current = w.value, 0.0
        smallest = w.value / 2 if k == "scale_dual" else w.value
    else:
        return state, False
    return (j + step, total, current, k, w.value, smallest, checkpoint), True


def _adds_after_and(k: str, last: str, last_value: float) -> bool:
    return ((k == "ten" and last in _UNIT_KINDS and 1 <= last_value <= 9)   # خمسة وعشرون، إحدى وعشرون
            or (k in _SMALL_KINDS and last in _BIG_KINDS)                    # مئة وخمسة، ألف وعشرون، خمسمئة وأحد عشر
            or (k == "hundred" and last in _SCALE_KINDS))                    # ألف ومئة


def _after_and(state, w: _Word, step: int):
    """A word behind "و": adds to the number when smaller than the word before it, else ends it."""
    j, total, current, last, last_value, smallest, checkpoint = state
    if not _adds_after_and(w.kind, last, last_value):
        return state, False
    return (j + step, total, current + w.value, w.kind, w.value, smallest, checkpoint), True


def _juxtaposed(state, w: _Word, tok: str, step: int):
    """A word right after the last one, without "و": a teen ("ثلاثة عشر"), hundreds ("ثلاث مئة"), or a scale."""
    if w.kind == "scale" or w.kind == "scale_plural":
        return _scale_step(state, w, step)
    j, total, current, last, last_value, smallest, checkpoint = state
    if tok in _TEN_WORDS and last in _UNIT_KINDS and last_value < 10:
        current += 10                           # ثلاثة عشر، أحد عشر
    elif _unit_times_hundred(w, last, last_value, current):
        current *= 100                          # ثلاث مئة
    else:
        return state, False
    return (j + step, total, current, w.kind, w.value, smallest, checkpoint), True


def _unit_times_hundred(w: _Word, last: str, last_value: float, current: float) -> bool:
    """"ثلاث مئة" written apart: a unit 3-9 alone, then مئة."""
    return w.kind == "hundred" and w.value == 100 and last == "unit" and 3 <= last_value <= 9 and current == last_value


def _scale_step(state, w: _Word, step: int):
    """A scale multiplies what was read ("عشرون ألف", "6 آلاف"); one no smaller than a scale already read
    starts the next number ("10 آلاف و20 ألف"): the number ends before the "و" of that part."""
    j, total, current, last, last_value, smallest, checkpoint = state
    if smallest is not None and w.value >= smallest:
        if checkpoint is not None:
            j, total, current = checkpoint
        return (j, total, current, last, last_value, smallest, checkpoint), False
    if w.kind == "scale" and last in _TIMES_SCALE:
        total += (current or 1) * w.value
    elif w.kind == "scale_plural" and last in _TIMES_PLURAL_SCALE and current > 0:
        total += current * w.value
    else:
        return state, False
    return (j + step, total, 0.0, w.kind, w.value, w.value, checkpoint), True


def _tokens(folded: str) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a folded text as three lists: the words ("toks" below), their starts and their ends.
    re.split with the token pattern as its group gives [gap, word, gap, word, ..., gap] as plain strings, and
    the running lengths of these parts are the spans: no Match object and no tuple per token (the matches
    are those of finditer: no token is empty)."""
    parts = _TOKEN_SPLIT_RE.split(folded)
    bounds = list(accumulate(map(len, parts)))      # bounds[2k] = start of token k, bounds[2k + 1] = its end
    return parts[1::2], bounds[0:-1:2], bounds[1::2]


# ---- non-count kinds: the words around a number ------------------------------------------------------------

def _after_kind(toks, j) -> str | None:
    """The kind a unit after the number gives it: "6 يناير" date, "24 ساعة" duration, "20 بالمئة" percent ..."""
    if j >= len(toks):
        return None
    units = _lexicon()["units_after"]
    t = toks[j]
    bare = t[1:] if t[:1] in ("و", "ب", "ل") and t[1:] in units else t
    if bare in units:
        return None if bare in _MONTH_NOUNS else units[bare]  # "شهر" alone is a duration noun; "من الشهر" below
    return _after_phrase_kind(toks, j, t, units)


def _after_phrase_kind(toks, j, t: str, units) -> str | None:
    """Two words after the number: "من الشهر" (a date: "الخامس من الشهر"), "في المئة" (a percent)."""
    if j + 1 >= len(toks):
        return None
    nxt = toks[j + 1]
    if t == "من" and (nxt in _MONTH_NOUNS or units.get(nxt) == "date"):
        return "date"
    if t in ("في", "ب") and nxt in _PERCENT_NOUNS:
        return "percent"
    return None


def _date_ahead(toks, j) -> bool:
    """"5 على 6 يناير", "5 و6 يناير": a connector and another number, then a month."""
    if j + 2 < len(toks) and toks[j] in _DATE_CONNECTORS and toks[j + 1][0].isdecimal():
        return _after_kind(toks, j + 2) == "date"
    return False


def _before_kind(toks, starts, ends, i, value: float, is_digits: bool) -> str | None:
    """The kind a word before the number gives it: "عام 2022" year, "المادة 5" law article, "ميغ 29" model ..."""
    i = _behind_glued_clitic(toks, starts, ends, i)
    if i == 0:
        return None
    prev = toks[i - 1]
    lex = _lexicon()
    kind = lex["units_before"].get(prev)
    if kind == "year":
        return "year" if is_digits and 1000 <= value <= 2200 else None
    if kind and (kind != "model" or ends[i - 1] != starts[i]):
        return kind  # model prefixes ("ميغ 29", "إل 76") stand apart from the number; "الـ24" folds to ال24
    return "year" if is_digits and _year_by_context(toks, i, prev, value, lex) else None


def _behind_glued_clitic(toks, starts, ends, i) -> int:
    """"الساعات الـ24", "بـ6": the clitic glued to the number stands between it and the word before."""
    if i > 0 and toks[i - 1] in _CLITICS and ends[i - 1] == starts[i]:
        return i - 1
    return i


def _year_by_context(toks, i, prev: str, value: float, lex) -> bool:
    """A whole number 1900-2100 after a month ("يناير 2022", "كانون الثاني 2022") or "في", "حتى", "مطلع" ..."""
    if not (1900 <= value <= 2100 and value == int(value)):
        return False
    month_name_end = prev in lex["ordinals"] and i > 1 and toks[i - 2] in _TWO_WORD_MONTHS
    return lex["units_after"].get(prev) == "date" or month_name_end or prev in _YEAR_OPENERS


def _count_kind(toks, starts, ends, i, j, prev: str, qualifier: str, value, low) -> str:
    """"count", or the non-count kind the words after (first) or before the number toks[i:j] give it."""
    after = _after_kind(toks, j)
    if after in _KINDS_AFTER:
        return after
    first_index = i - 1 if qualifier == "range" and (prev in _BETWEEN or prev in _FROM) else i
    before = _before_kind(toks, starts, ends, first_index, low if value is None else value, toks[i][0].isdecimal())
    if before:
        return before
    return "date" if _date_ahead(toks, j) else "count"


# ---- non-count patterns: dates, times, models --------------------------------------------------------------

def _non_count_spans(folded: str) -> list[tuple[int, int, str]]:
    """Folded spans (start, end, kind) of dates, times and models, sorted; an earlier pattern wins an overlap."""
    blocked: list[tuple[int, int, str]] = []
    for regex, kind in _NON_COUNT_PATTERNS:
        for m in regex.finditer(folded):
            # spans never overlap: only the neighbours of the insertion point can overlap this one
            at = bisect.bisect_left(blocked, (m.start(),))
            if not any(s < m.end() and m.start() < e for s, e, _ in blocked[max(0, at - 1):at + 1]):
                blocked.insert(at, (m.start(), m.end(), kind))
    return blocked


def _blocked_at(blocked, starts, position: int):
    """The blocked span holding folded offset `position`, or None (bisection: spans are sorted)."""
    k = bisect.bisect_right(starts, position) - 1
    return blocked[k] if k >= 0 and position < blocked[k][1] else None


_NO_NON_COUNT_SPANS = ((), (), None)


def _non_count_layout(folded: str, token_starts: list[int]):
    """(spans, their starts, limits) of the non-count patterns of `folded`; limits is None when there is none."""
    if not _NON_COUNT_HINT_RE.search(folded):
        return _NO_NON_COUNT_SPANS
    blocked = _non_count_spans(folded)
    starts = [b[0] for b in blocked]
    return blocked, starts, _limits(token_starts, blocked, starts) if blocked else None


def _limits(token_starts: list[int], blocked, starts) -> list[int]:
    """For each token, the index of the next token inside a blocked span (or the number of tokens): a number
    never runs into a date / time / model span, so it is parsed on the tokens before it."""
    limit = len(token_starts)
    limits = [limit] * limit
    for k in range(limit - 1, -1, -1):
        if _blocked_at(blocked, starts, token_starts[k]) is not None:
            limit = k
        limits[k] = limit
    return limits


# ---- quantities ----------------------------------------------------------------------------------------------

def find_quantities(text: str, normalized=None) -> list[Quantity]:
    """Quantities of `text`; `normalized` may pass `normalize(text)` already computed (e.g. a
    `Normalized.slice` of the whole article), so a sentence is not folded twice."""
    return quantities_of(text, normalize(text) if normalized is None else normalized)


def quantities_of(text: str, norm) -> list[Quantity]:
    """Quantities of `text`, whose normalization is `norm`. Each rule below reads from a start token and
    returns the index of the token after what it read (i + 1 when it read nothing)."""
    toks, starts, ends = _tokens(norm.text)
    if not toks:
        return []
    blocked, blocked_starts, limits = _non_count_layout(norm.text, starts)
    ordinals = _lexicon()["ordinals"]
    out: list[Quantity] = []
    resume = 0      # the first token after the last quantity read
    for i in _start_candidates(toks, _vocabulary()):
        if i < resume:
            continue
        tok = toks[i]
        hit = _blocked_at(blocked, blocked_starts, starts[i]) if blocked else None
        if hit is not None:
            resume = _non_count_span(out, text, norm, toks, starts, i, hit)
        elif tok in ordinals:
            resume = _ordinal(out, text, norm, toks, starts, ends, i, ordinals[tok])
        elif tok not in _WEEKDAY_NUMBERS:
            resume = _count(out, text, norm, toks, starts, ends, i, len(toks) if limits is None else limits[i])
    return out


def _emit(out, text, norm, fs, fe, value, low, high, qualifier, kind) -> None:
    s, e = norm.to_original(fs, fe)
    if kind == "count" and any(x is not None and not x <= MAX_PLAUSIBLE_COUNT for x in (value, low, high)):
        value = low = high = None        # kept as text (the quote), flagged: never a float or Infinity
        qualifier = "out_of_range"
    out.append(Quantity(s, e, text[s:e], value, low, high, qualifier, kind))


def _non_count_span(out, text, norm, toks, starts, i, hit) -> int:
    """A date, time or model span (start, end, kind) that starts at toks[i]: one quantity of its kind (a model
    keeps the value of its last digits, "إل-76" = 76)."""
    if not toks[i][0].isdecimal():
        return i + 1
    end = i      # the tokens of the span: from this one on (spans start at a token)
    while end < len(toks) and starts[end] < hit[1]:
        end += 1
    value = None
    if hit[2] == "model":
        value = _digits_value([t for t in toks[i:end] if t[0].isdecimal()][-1])
    _emit(out, text, norm, hit[0], hit[1], value, value, value, "exact", hit[2])
    return end


def _ordinal(out, text, norm, toks, starts, ends, i, value: float) -> int:
    """An ordinal word: a date ("الخامس من الشهر"), a time ("الساعة العاشرة") or an ordinal ("الاجتماع الأول")."""
    if i > 0 and toks[i - 1] in _TWO_WORD_MONTHS:
        return i + 1  # "كانون الثاني" is a month name, not an ordinal
    value, j = _compound_ordinal(toks, i + 1, value)
    if _after_kind(toks, j) == "date":
        kind = "date"
    else:
        kind = "time" if _before_kind(toks, starts, ends, i, value, False) == "time" else "ordinal"
    _emit(out, text, norm, starts[i], ends[j - 1], value, value, value, "exact", kind)
    return j


def _compound_ordinal(toks, j, value: float) -> tuple[float, int]:
    """The ordinal's value and the token after it: الثاني عشر = 12th, الخامس والعشرين = 25th."""
    if j < len(toks) and toks[j] in _TEN_WORDS:
        return (value if value > 10 else value + 10), j + 1
    if j < len(toks) and value <= 11:  # الحادي والثلاثين = 31st
        ten = _lookup(toks[j])
        if ten is not None and ten.kind == "ten" and ten.prefix == "وال":
            return value % 10 + ten.value, j + 1
    return value, j


def _dual_kind(word: str) -> str | None:
    """The kind of a dual time noun ("ساعتين" = 2 hours, also behind و / ب / ل), else None."""
    duals = _lexicon()["duals"]
    return duals.get(word[1:] if word[:1] in "وبل" and word[1:] in duals else word)


def _count(out, text, norm, toks, starts, ends, i, limit: int) -> int:
    """A number from toks[i] (parsed on toks[:limit]): with its range, qualifier and kind."""
    view = toks if limit == len(toks) else toks[:limit]
    tok = toks[i]
    dual = _dual_kind(tok)
    parsed = _parse_count(view, i, dual)
    if parsed is None:
        return i + 1
    value, low, high, j, mode = parsed
    span_start, span_end = _quote_start(tok, starts[i]), ends[j - 1]
    prev = toks[i - 1] if i > 0 else ""
    upper = _range_upper_end(toks, view, j, prev) if mode == "exact" else None
    if _opens_range(value, upper):
        low, j, span_start = _range_low(toks, ends, i, value, upper, prev, span_start)
        value, high, qualifier, span_end = None, upper[0], "range", ends[j - 1]
    elif mode == "exact":
        qualifier, low, high, span_start = _qualify(norm.text, toks, j, span_start, value)
    else:
        qualifier = "vague"
    kind = dual or _count_kind(toks, starts, ends, i, j, prev, qualifier, value, low)
    _emit(out, text, norm, span_start, span_end, value, low, high, qualifier, kind)
    return _skip_percent_unit(toks, j) if kind == "percent" else j


def _parse_count(view, i, dual: str | None):
    """The parse of the number at view[i]; a dual time noun ("ساعتين") is two."""
    return (*_DUAL_NUMBER, i + 1, "exact") if dual else _parse_number(view, i)


def _quote_start(tok: str, start: int) -> int:
    """Where the quote of a number starting at the token `tok` (at folded offset `start`) starts: after a
    clitic ("و", "ب"), at an article ("الآلاف", "والعشرات" → "العشرات")."""
    first_word = None if tok[0].isdecimal() else _lookup(tok)
    if first_word is None or first_word.prefix == "ال":
        return start
    if first_word.prefix in _CLITIC_AND_ARTICLE:
        return start + 1
    return start + len(first_word.prefix)


# ---- ranges: "بين A وB", "من A إلى B", "A إلى B", "A - B", "A أو B" -----------------------------------------

def _opens_range(value: float, upper) -> bool:
    """A range needs an exact upper end above its lower end ("بين 10 و15"; "بين 15 و10" is two counts)."""
    return upper is not None and upper[4] == "exact" and upper[0] > value


def _range_upper_end(toks, view, j, prev: str):
    """The parse of the upper end of a range whose lower end ends before toks[j], or None."""
    if j >= len(view):
        return None
    sep = toks[j]
    if sep in _CONNECT_RANGE or (prev in _BETWEEN and sep == "و"):
        return _upper_number(view, j + 1)
    if prev in _BETWEEN and sep[0] == "و":
        w = _lookup(sep)
        if w is not None and w.prefix == "و":
            return _parse_number(view, j)
    return None


def _upper_number(view, k):
    """A number at view[k], or a dual time noun there ("ساعتين"), which is two."""
    if k >= len(view):
        return None
    parsed = _parse_number(view, k)
    if parsed is None and _lexicon()["duals"].get(view[k]):
        return (*_DUAL_NUMBER, k + 1, "exact")
    return parsed


def _range_low(toks, ends, i, value: float, upper, prev: str, span_start: int):
    """(low, end index, quote start) of a range from `value` to the parse `upper`: "10 إلى 15 ألف" and
    "بين 10 و20 ألف" share the scale of the upper end; the quote starts at بين / من, not its clitic."""
    j, low = upper[3], value
    scale = _lookup(toks[j - 1])
    if scale is not None and scale.kind in ("scale", "scale_plural") and value < scale.value \
            and value * scale.value <= upper[0]:
        low = value * scale.value
    if prev in _BETWEEN or prev in _FROM:
        span_start = ends[i - 1] - (3 if prev in _BETWEEN else 2)
    return low, j, span_start


# ---- qualifiers: "أكثر من 1300", "نحو 6 آلاف", "26 على الأقل" -----------------------------------------------

_BOUNDS_BEFORE = {"at_least": lambda v: (v, None), "approx": lambda v: (None, None), "at_most": lambda v: (None, v)}


def _qualify(folded: str, toks, j, span_start: int, value: float):
    """(qualifier, low, high, quote start) of an exact number ending before toks[j] whose quote starts at
    `span_start`: a phrase before it (which the quote takes in) or after it."""
    lex = _lexicon()
    m = lex["before_re"].search(folded, max(0, span_start - 40), span_start)
    if m:
        qualifier = lex["before_kind"][m.group(1)]
        bounds = _BOUNDS_BEFORE.get(qualifier)
        low, high = (value, value) if bounds is None else bounds(value)
        return qualifier, low, high, m.start(1)
    qualifier = _qualifier_after(toks, j, lex["after_q_by_first"])
    if qualifier is None:
        return "exact", value, value, span_start
    return qualifier, *((value, None) if qualifier == "at_least" else (None, None)), span_start


def _qualifier_after(toks, j, by_first) -> str | None:
    """The qualifier of the first phrase of the lexicon in the four tokens after the number ("على الأقل")."""
    for k in range(j, min(j + 4, len(toks))):
        for phrase, q in by_first.get(toks[k], ()):   # the phrases starting with this word
            if tuple(toks[k:k + len(phrase)]) == phrase:
                return q
    return None
def _start_candidates(toks: list[str], vocabulary):
    """Indexes of tokens that may start a quantity: digits and the vocabulary's words (few of a sentence's
    words), found by C-level map/compress."""
    digit_first = map(str.isdecimal, map(_first_char, toks))
    return compress(range(len(toks)), map(or_, digit_first, map(vocabulary.__contains__, toks)))


def _skip_percent_unit(toks, j) -> int:
    """Index after "%", "بالمئة" or "في المئة", so the المئة of the unit is not read as a hundred."""
    if j < len(toks) and toks[j] in ("في", "ب") and j + 1 < len(toks):
        return j + 2
    return j + 1 if j < len(toks) else j


def parse_number_words(words: str) -> int | None:
    """The integer written by `words` (e.g. "خمسة آلاف ومئة وخمسة وثلاثين" → 5135), or None."""
    toks = _tokens(normalize(words).text)[0]
    if not toks:
        return None
    parsed = _parse_number(toks, 0)
    if parsed is None or parsed[3] != len(toks) or parsed[4] != "exact":
        return None
    return int(parsed[0])

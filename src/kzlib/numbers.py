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
from itertools import compress, repeat
from operator import itemgetter, or_
from typing import NamedTuple

from kzlib.normalize import normalize, normalize_word
from kzlib.paths import LEXICONS
from kzlib.tsv import read_tsv


class Quantity(NamedTuple):   # a NamedTuple: one per number of the corpus, cheaper to build than a dataclass
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    kind: str


class _Tok(NamedTuple):
    text: str          # folded token
    start: int         # span in the folded text
    end: int


_tuple_new = tuple.__new__   # map(_tuple_new, repeat(_Tok), rows): C-level, no Python frame per token
_text_of = _first_char = itemgetter(0)    # _Tok.text; a string's first character


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


def _read(name: str) -> list[dict]:
    return read_tsv(LEXICONS / name)


@lru_cache(maxsize=1)
def _lexicon():
    words = {normalize_word(r["word"]): (float(r["value"]), r["kind"]) for r in _read("number_words.tsv")}
    before_q, after_q = [], []
    for r in _read("quantity_qualifiers.tsv"):
        (before_q if r["position"] == "before" else after_q).append((normalize_word(r["phrase"]), r["qualifier"]))
    before_q.sort(key=lambda p: -len(p[0]))
    before_re = re.compile(
        r"(?:^|(?<=[\s(،,\"']))[وبلف]?(" + "|".join(re.escape(p) for p, _ in before_q) + r")\s*$"
    )
    before_kind = {p: q for p, q in before_q}
    units_after, units_before, duals = {}, {}, {}
    for r in _read("non_count_units.tsv"):
        w = normalize_word(r["word"])
        if r["position"] == "after":
            units_after[w] = r["kind"]
        elif r["position"] == "before":
            units_before[w] = r["kind"]
        else:
            duals[w] = r["kind"]
    ordinals = {normalize_word(r["word"]): float(r["value"]) for r in _read("ordinal_words.tsv")}
    return {
        "words": words, "before_re": before_re, "before_kind": before_kind,
        "after_q_by_first": _by_first_word([(tuple(p.split()), q) for p, q in after_q]),
        "units_after": units_after, "units_before": units_before, "duals": duals, "ordinals": ordinals,
    }


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


def _digits_value(token: str, before_scale: bool = False) -> float | None:
    """Value of a digit token. "1,300" = 1300 and "2,5" = 2.5 (a decimal comma: not a group of three);
    "1.300" and "1.000.000" = thousands (European grouping: a count has no thousandths) except before a
    scale word, where "1.250 مليون" = 1.25 million. Anything else ("1.2.3") is not a number."""
    if not token[0].isdecimal():
        return None
    if _SPACE_GROUPED_RE.fullmatch(token):
        return float("".join(ch for ch in token if ch.isdecimal()))
    if _SCIENTIFIC_RE.fullmatch(token):
        return float(token)
    if "," in token:
        if _COMMA_THOUSANDS_RE.fullmatch(token):
            return float(token.replace(",", ""))
        if token.count(",") == 1 and "." not in token:
            return float(token.replace(",", "."))
        return None
    if token.count(".") > 1 or (not before_scale and _DOT_THOUSANDS_RE.fullmatch(token)):
        return float(token.replace(".", "")) if _DOT_THOUSANDS_RE.fullmatch(token) else None
    return float(token)


def _parse_number(toks: list[_Tok], i: int):
    """Parse a number starting at toks[i]. Returns (value, floor, high, end_index, kind) or None.

    kind is "exact" or "vague"; for vague, value = floor.
    """
    first = toks[i].text
    nxt = _lookup(toks[i + 1].text) if i + 1 < len(toks) else None
    if first[0].isdecimal():
        digit = _digits_value(first, before_scale=nxt is not None and nxt.kind.startswith("scale"))
        if digit is None:
            return None
        current, total, last, j = digit, 0.0, "digits", i + 1
    else:
        w = _lookup(first)
        if w is None:
            return None
        if w.kind == "teen_one" and not _teen_one_continues(w, toks, i + 1):
            return None
        if w.kind == "fraction":  # "نصف مليون" = 500,000; "نصف" alone is not a count
            if nxt is None or nxt.prefix or nxt.kind not in ("scale", "scale_dual"):
                return None
            value = w.value * nxt.value
            return value, value, value, i + 2, "exact"
        if w.kind in ("vague", "several"):
            return _parse_vague(toks, i, w)
        if w.kind == "scale_plural":  # "آلاف" alone: vague thousands
            return _vague_result(toks, i, i + 1, w.value, 1)
        current, total, last, j = 0.0, 0.0, None, i
    last_value = current  # value of the last word read: Arabic puts units before tens ("خمسة وعشرون")
    smallest_scale = None  # scales only fall inside one number: "10 آلاف و20 ألف" is two numbers (a range)
    checkpoint = None      # state before the last "و" part that followed a scale, to undo it
    while j < len(toks):
        tok = toks[j].text
        step = 1
        if last in ("scale", "scale_dual", "scale_plural") and tok.startswith("و"):
            checkpoint = (j, total, current, last, last_value)
        if tok == "و" and last is not None and j + 1 < len(toks):
            # the conjunction written apart from the next part, or glued to digits: "4 آلاف و266", "ألف و خمسمائة"
            part = toks[j + 1].text
            if part[0].isdecimal():
                unit = {"hundred": 100.0, "scale_dual": last_value / 2}.get(last, last_value)
                digits = _digits_value(part) if last in ("hundred", "scale", "scale_dual", "scale_plural") else None
                if digits is None or not 0 < digits < unit:
                    break
                current += digits                       # مليون و200 ألف: a scale may follow
                last, last_value, j = "digits", digits, j + 2
                continue
            tok, step = "و" + part, 2
        w = _lookup(tok) if not tok[0].isdecimal() else None
        if w is None:
            break
        if w.kind == "fraction":  # "مليون ونصف", "3 آلاف ونصف": half of the scale just read, and the end
            if w.prefix == "و" and last in ("scale", "scale_dual", "scale_plural"):
                total += w.value * (last_value / 2 if last == "scale_dual" else last_value)
                j += step
            break
        if last is not None and not w.prefix and tok.startswith("و"):
            joined = _lookup(tok[1:])  # inside a compound "وأحد" is و + أحد, not واحد (one)
            if joined is not None:
                w = _Word(joined.value, joined.kind, "و" + joined.prefix)
        conj = w.prefix.startswith("و")
        k = w.kind
        if last is None:  # first word
            if k in ("unit", "ten", "hundred", "teen_one"):
                current = w.value
            elif k in ("scale", "scale_dual"):
                total, current = w.value, 0.0
                smallest_scale = w.value / 2 if k == "scale_dual" else w.value
            else:
                break
        elif conj:
            after_big = last in ("hundred", "scale", "scale_dual", "scale_plural")
            if k == "ten" and last in ("unit", "teen_one") and 1 <= last_value <= 9:
                current += w.value                      # خمسة وعشرون، إحدى وعشرون
            elif k in ("unit", "ten", "teen_one") and after_big:
                current += w.value                      # مئة وخمسة، ألف وعشرون، خمسمئة وأحد عشر
            elif k == "hundred" and last in ("scale", "scale_dual", "scale_plural"):
                current += w.value                      # ألف ومئة
            else:
                break
        else:
            if tok in ("عشر", "عشره") and last in ("unit", "teen_one") and last_value < 10:
                current += 10                           # ثلاثة عشر، أحد عشر
            elif k == "hundred" and w.value == 100 and last == "unit" and 3 <= last_value <= 9 and current == last_value:
                current *= 100                          # ثلاث مئة
            elif k in ("scale", "scale_plural") and smallest_scale is not None and w.value >= smallest_scale:
                if checkpoint is not None:
                    j, total, current, last, last_value = checkpoint
                break
            elif k == "scale" and last in ("unit", "ten", "hundred", "digits"):
                total += (current or 1) * w.value       # عشرون ألف، 20 ألف
                current, smallest_scale = 0.0, w.value
            elif k == "scale_plural" and last in ("unit", "digits", "ten") and current > 0:
                total += current * w.value              # ثلاثة آلاف، 6 آلاف
                current, smallest_scale = 0.0, w.value
            else:
                break
        last, last_value = k, w.value
        j += step
    if j == i:
        return None
    value = total + current
    if value == 0:
        return None
    return value, value, value, j, "exact"


def _teen_one_continues(w: _Word, toks, j) -> bool:
    """أحد / إحدى / اثنا count only inside 11, 12 ("أحد عشر") or, for one, 21 … 91 ("إحدى وعشرون");
    alone they mean "someone" / "one of"."""
    if j >= len(toks):
        return False
    if toks[j].text in ("عشر", "عشره"):
        return True
    nxt = _lookup(toks[j].text)
    return w.value == 1 and nxt is not None and nxt.kind == "ten" and nxt.prefix == "و"


def _vague_result(toks, i, j, base: float, multiplier: float):
    """Vague count from toks[i:j]; an optional following plural scale multiplies it (عشرات الآلاف)."""
    if j < len(toks):
        w = _lookup(toks[j].text)
        if w is not None and w.kind == "scale_plural":
            base *= w.value
            j += 1
    floor = base * multiplier
    return floor, floor, base * 10 - 1, j, "vague"


def _parse_vague(toks, i, w: _Word):
    if w.kind == "vague":
        return _vague_result(toks, i, i + 1, w.value, 1)
    # several / a few: only before a plural ("عدة مئات", "بضعة آلاف")
    if i + 1 < len(toks):
        nxt = _lookup(toks[i + 1].text)
        if nxt is not None and nxt.kind in ("vague", "scale_plural") and nxt.value >= 100:
            return _vague_result(toks, i, i + 2, nxt.value, w.value)
    return None


def _tokens(folded: str) -> list[_Tok]:
    matches = list(_TOKEN_RE.finditer(folded))
    if not matches:
        return []
    starts, ends = zip(*map(re.Match.span, matches))
    return list(map(_tuple_new, repeat(_Tok), zip(map(re.Match.group, matches), starts, ends)))


def _after_kind(toks, j) -> str | None:
    lex = _lexicon()
    if j >= len(toks):
        return None
    t = toks[j].text
    bare = t[1:] if t[:1] in ("و", "ب", "ل") and t[1:] in lex["units_after"] else t
    if bare in lex["units_after"]:
        kind = lex["units_after"][bare]
        if bare in ("شهر", "الشهر"):
            return None  # "شهر" alone is a duration noun; "من الشهر" is checked below
        return kind
    if t == "من" and j + 1 < len(toks):
        nxt = toks[j + 1].text
        if nxt in ("الشهر", "شهر") or (nxt in lex["units_after"] and lex["units_after"][nxt] == "date"):
            return "date"
    if t in ("في", "ب") and j + 1 < len(toks) and toks[j + 1].text in ("المئه", "المائه"):
        return "percent"
    if t in lex["duals"]:
        return None
    return None


def _date_ahead(toks, j) -> bool:
    """"5 على 6 يناير", "5 و6 يناير": a connector and another number, then a month."""
    if j + 2 < len(toks) and toks[j].text in ("علي", "و", "-", "\u2013", "\u2014", "الي", "او") and toks[j + 1].text[0].isdecimal():
        return _after_kind(toks, j + 2) == "date"
    return False


def _before_kind(toks, i, value: float, is_digits: bool) -> str | None:
    if i > 0 and toks[i - 1].text in _CLITICS and toks[i - 1].end == toks[i].start:
        i -= 1  # "الساعات الـ24", "بـ6": the clitic glued to the number stands between it and the word before
    if i == 0:
        return None
    prev = toks[i - 1].text
    lex = _lexicon()
    kind = lex["units_before"].get(prev)
    if kind == "model" and toks[i - 1].end == toks[i].start:
        kind = None  # model prefixes ("ميغ 29", "إل 76") stand apart from the number; "الـ24" folds to ال24
    if kind == "year":
        return "year" if is_digits and 1000 <= value <= 2200 else None
    if kind:
        return kind
    if is_digits and 1900 <= value <= 2100 and value == int(value):
        month_name_end = prev in lex["ordinals"] and i > 1 and toks[i - 2].text in _TWO_WORD_MONTHS
        if lex["units_after"].get(prev) == "date" or month_name_end or prev in ("في", "حتي", "مطلع", "نهايه", "بدايه", "خلال"):
            return "year"
    return None


def find_quantities(text: str, normalized=None) -> list[Quantity]:
    """Quantities of `text`; `normalized` may pass `normalize(text)` already computed (e.g. a
    `Normalized.slice` of the whole article), so a sentence is not folded twice."""
    return quantities_of(text, normalize(text) if normalized is None else normalized)


def quantities_of(text: str, norm) -> list[Quantity]:
    """Quantities of `text`, whose normalization is `norm`."""
    lex = _lexicon()
    folded = norm.text
    toks = _tokens(folded)
    if not toks:
        return []
    blocked: list[tuple[int, int, str]] = []  # folded spans claimed by a non-count pattern, kept sorted
    if _NON_COUNT_HINT_RE.search(folded):
        for regex, kind in ((_DATE_RE, "date"), (_TIME_RE, "time"), (_MODEL_RE, "model")):  # by priority
            for m in regex.finditer(folded):
                # spans never overlap: only the neighbours of the insertion point can overlap this one
                at = bisect.bisect_left(blocked, (m.start(),))
                if not any(s < m.end() and m.start() < e for s, e, _ in blocked[max(0, at - 1):at + 1]):
                    blocked.insert(at, (m.start(), m.end(), kind))
    blocked_starts = [b[0] for b in blocked]

    def blocked_at(position: int):
        """The blocked span holding folded offset `position`, or None (bisection: spans are sorted)."""
        k = bisect.bisect_right(blocked_starts, position) - 1
        return blocked[k] if k >= 0 and position < blocked[k][1] else None
    out: list[Quantity] = []
    vocabulary = _vocabulary()

    def emit(fs, fe, value, low, high, qualifier, kind):
        s, e = norm.to_original(fs, fe)
        if kind == "count" and any(x is not None and not x <= MAX_PLAUSIBLE_COUNT for x in (value, low, high)):
            value = low = high = None        # kept as text (the quote), flagged: never a float or Infinity
            qualifier = "out_of_range"
        out.append(Quantity(s, e, text[s:e], value, low, high, qualifier, kind))

    # a number never runs into a date / time / model span: parse on the tokens before the next one
    limits, limit = [len(toks)] * len(toks), len(toks)
    if blocked:
        for k in range(len(toks) - 1, -1, -1):
            if blocked_at(toks[k].start) is not None:
                limit = k
            limits[k] = limit

    resume = 0      # the first token after the last quantity read
    for i in _start_candidates(toks, vocabulary):
        if i < resume:
            continue
        tok = toks[i]
        hit = blocked_at(tok.start) if blocked else None
        if hit is not None:
            if tok.text[0].isdecimal():
                inside, k = [], i        # the tokens of the span: from this one on (spans start at a token)
                while k < len(toks) and toks[k].start < hit[1]:
                    inside.append(toks[k])
                    k += 1
                digits = [t for t in inside if t.text[0].isdecimal()]
                value = _digits_value(digits[-1].text) if hit[2] == "model" else None
                emit(hit[0], hit[1], value, value, value, "exact", hit[2])
                resume = i
                while resume < len(toks) and toks[resume].start < hit[1]:
                    resume += 1
            continue
        if tok.text in lex["ordinals"]:
            if i > 0 and toks[i - 1].text in _TWO_WORD_MONTHS:
                continue  # "كانون الثاني" is a month name, not an ordinal
            v, j = lex["ordinals"][tok.text], i + 1
            if j < len(toks) and toks[j].text in ("عشر", "عشره"):  # الثاني عشر = 12th
                v, j = (v if v > 10 else v + 10), j + 1
            elif j < len(toks) and v <= 11:  # الخامس والعشرين = 25th, الحادي والثلاثين = 31st
                ten = _lookup(toks[j].text)
                if ten is not None and ten.kind == "ten" and ten.prefix == "وال":
                    v, j = v % 10 + ten.value, j + 1
            if _after_kind(toks, j) == "date":
                kind = "date"
            else:
                kind = "time" if _before_kind(toks, i, v, False) == "time" else "ordinal"  # الساعة العاشرة
            emit(tok.start, toks[j - 1].end, v, v, v, "exact", kind)
            resume = j
            continue
        if tok.text in _WEEKDAY_NUMBERS:
            continue
        view = toks if limits[i] == len(toks) else toks[:limits[i]]
        dual = lex["duals"].get(tok.text[1:] if tok.text[:1] in "وبل" and tok.text[1:] in lex["duals"] else tok.text)
        if dual:
            parsed = (2.0, 2.0, 2.0, i + 1, "exact")
        else:
            parsed = _parse_number(view, i)
        if parsed is None:
            continue
        value, low, high, j, mode = parsed
        first_word = _lookup(tok.text) if not tok.text[0].isdecimal() else None
        span_start = tok.start + (len(first_word.prefix) if first_word and first_word.prefix not in ("ال", "وال", "بال", "فال", "كال") else 0)
        if first_word and first_word.prefix in ("وال", "بال", "فال", "كال"):
            span_start = tok.start + 1
        span_end = toks[j - 1].end
        qualifier = "vague" if mode == "vague" else "exact"
        kind = dual or "count"

        # ranges: "بين A وB", "من A إلى B", "A إلى B", "A - B", "A أو B"
        prev = toks[i - 1].text if i > 0 else ""
        range_end = None
        if j < len(view) and mode == "exact":  # a vague count ("عشرات") does not open a range
            sep = toks[j].text
            if sep in _CONNECT_RANGE or (prev in _BETWEEN and sep == "و"):
                nxt = _parse_number(view, j + 1) if j + 1 < len(view) else None
                if nxt is None and j + 1 < len(view) and lex["duals"].get(toks[j + 1].text):
                    nxt = (2.0, 2.0, 2.0, j + 2, "exact")
                if nxt is not None:
                    range_end = nxt
            elif prev in _BETWEEN and sep.startswith("و"):
                w = _lookup(sep)
                if w is not None and w.prefix == "و":
                    range_end = _parse_number(view, j)
        if range_end is not None and range_end[4] == "exact" and range_end[0] > value:
            high_value, j = range_end[0], range_end[3]
            scale = _lookup(toks[j - 1].text)
            if scale is not None and scale.kind in ("scale", "scale_plural") and value < scale.value \
                    and value * scale.value <= high_value:
                low = value * scale.value  # "10 إلى 15 ألف", "بين 10 و20 ألف": the scale belongs to both ends
            span_end = toks[j - 1].end
            if prev in _BETWEEN or prev in _FROM:
                span_start = toks[i - 1].end - (3 if prev in _BETWEEN else 2)  # the quote starts at بين / من, not its clitic
            value, low, high, qualifier = None, low, high_value, "range"
        elif mode == "exact":
            m = lex["before_re"].search(folded, max(0, span_start - 40), span_start)
            if m:
                qualifier = lex["before_kind"][m.group(1)]
                span_start = m.start(1)
                if qualifier == "at_least":
                    low, high = value, None
                elif qualifier == "approx":
                    low, high = None, None
                elif qualifier == "at_most":
                    low, high = None, value
            else:
                by_first = lex["after_q_by_first"]
                for k in range(j, min(j + 4, len(toks))):
                    for phrase, q in by_first.get(toks[k].text, ()):   # the phrases starting with this word
                        if tuple(t.text for t in toks[k:k + len(phrase)]) == phrase:
                            qualifier = q
                            low, high = (value, None) if q == "at_least" else (None, None)
                            break
                    if qualifier != "exact":
                        break

        if kind == "count":
            after = _after_kind(toks, j)
            first_index = i - 1 if qualifier == "range" and (prev in _BETWEEN or prev in _FROM) else i
            before = _before_kind(toks, first_index, low if value is None else value, tok.text[0].isdecimal())
            if after in ("date", "duration", "percent", "money", "year"):
                kind = after
            elif before:
                kind = before
            elif _date_ahead(toks, j):
                kind = "date"
        emit(span_start, span_end, value, low, high, qualifier, kind)
        resume = _skip_percent_unit(toks, j) if kind == "percent" else j
    return out


def _start_candidates(toks, vocabulary):
    """Indexes of tokens that may start a quantity: digits and the vocabulary's words (few of a sentence's
    words), found by C-level map/compress."""
    texts = list(map(_text_of, toks))
    digit_first = map(str.isdecimal, map(_first_char, texts))
    return compress(range(len(texts)), map(or_, digit_first, map(vocabulary.__contains__, texts)))


def _skip_percent_unit(toks, j) -> int:
    """Index after "%", "بالمئة" or "في المئة", so the المئة of the unit is not read as a hundred."""
    if j < len(toks) and toks[j].text in ("في", "ب") and j + 1 < len(toks):
        return j + 2
    return j + 1 if j < len(toks) else j


def parse_number_words(words: str) -> int | None:
    """The integer written by `words` (e.g. "خمسة آلاف ومئة وخمسة وثلاثين" → 5135), or None."""
    toks = _tokens(normalize(words).text)
    if not toks:
        return None
    parsed = _parse_number(toks, 0)
    if parsed is None or parsed[3] != len(toks) or parsed[4] != "exact":
        return None
    return int(parsed[0])

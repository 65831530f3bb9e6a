"""Arabic quantities: properties (random texts, an independent writer of number words, every digit script) and
parse_number_words. The examples of each rule family are the corpora tests/corpora/numbers_*.tsv
(tests/test_number_corpora.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzlib.numbers import find_quantities, parse_number_words


def only(text):
    counts = [q for q in find_quantities(text) if q.kind == "count"]
    assert len(counts) == 1, counts
    return counts[0]


def test_cases_pyarabic_text2number_gets_wrong():
    # pyarabic's text2number returns 0 for these (and is wrong on "قرابة 10 آلاف"); kzlib does not use it.
    assert only("عشرات المصابين").low == 10
    assert only("مئات المعتقلين").low == 100
    assert parse_number_words("مائتين") == 200
    assert only("26 قتيلا").value == 26
    assert only("قرابة 10 آلاف").value == 10000


# ---- property tests: an independent writer of Arabic number words ---------------------------------------

UNITS_M = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
UNITS_F = ["", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع"]
TENS = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
TENS_ACC = ["", "عشرة", "عشرين", "ثلاثين", "أربعين", "خمسين", "ستين", "سبعين", "ثمانين", "تسعين"]
HUNDREDS = ["", "مئة", "مئتان", "ثلاثمئة", "أربعمئة", "خمسمئة", "ستمئة", "سبعمئة", "ثمانمئة", "تسعمئة"]
HUNDREDS_ALT = ["", "مائة", "مائتين", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة"]
TEENS_M = ["", "أحد عشر", "اثنا عشر"] + [f"{u} عشر" for u in UNITS_M[3:]]
TEENS_F = ["", "إحدى عشرة", "اثنتا عشرة"] + [f"{u} عشرة" for u in UNITS_F[3:]]


def below_thousand(n, feminine, accusative, alt):
    parts = []
    h, rest = divmod(n, 100)
    if h:
        hundreds = (HUNDREDS_ALT if alt else HUNDREDS)[h]
        # swap the dual case so that all four spellings (مئتان مئتين مائتان مائتين) are generated
        parts.append({"مئتان": "مئتين", "مائتين": "مائتان"}.get(hundreds, hundreds) if accusative else hundreds)
    if rest:
        units = UNITS_F if feminine else UNITS_M
        if rest < 10:
            parts.append(units[rest])
        elif rest == 10:
            parts.append("عشر" if feminine else "عشرة")
        elif rest < 20:
            parts.append((TEENS_F if feminine else TEENS_M)[rest - 10])
        else:
            t, u = divmod(rest, 10)
            ten = (TENS_ACC if accusative else TENS)[t]
            parts.append(f"{units[u]} و{ten}" if u else ten)
    return " و".join(parts)


def to_words(n, feminine=False, accusative=False, alt=False):
    thousands, rest = divmod(n, 1000)
    parts = []
    if thousands == 1:
        parts.append("ألف")
    elif thousands == 2:
        parts.append("ألفين" if accusative else "ألفان")
    elif 3 <= thousands <= 10:
        parts.append(f"{below_thousand(thousands, False, accusative, alt)} آلاف")
    elif 10 < thousands < 100 and accusative:  # tamyiz of 11-99 is accusative singular: "عشرين ألفا"
        parts.append(f"{below_thousand(thousands, False, accusative, alt)} ألفا")
    elif thousands > 10:
        parts.append(f"{below_thousand(thousands, False, accusative, alt)} ألف")
    if rest:
        parts.append(below_thousand(rest, feminine, accusative, alt))
    return " و".join(parts)


def test_the_writer_itself():
    assert to_words(5135, accusative=True) == "خمسة آلاف ومئة وخمسة وثلاثين"
    assert to_words(20000) == "عشرون ألف"
    assert to_words(20000, accusative=True) == "عشرين ألفا"
    assert to_words(2200, accusative=True) == "ألفين ومئتين"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 999_999), st.booleans(), st.booleans(), st.booleans())
def test_number_words_parse_back(n, feminine, accusative, alt):
    words = to_words(n, feminine, accusative, alt)
    assert parse_number_words(words) == n, words


NOISE = st.lists(st.sampled_from(
    ["قتل", "أكثر من", "نحو", "عشرات", "الآلاف", "مئة", "و", "26", "٢٦", "1,300", "-", "إلى", "بين", "يناير",
     "ساعتين", "إل-76", "%", "عدة", "الخامس", "من", "الشهر", " ", "،", ".", "\u00a0", "َ", "ـ", "“", "ألف", "ثلاث"]),
    max_size=30).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(NOISE, st.text(max_size=60)), st.one_of(NOISE, st.text(max_size=60)))
def test_a_count_between_random_lines_is_found_where_it_is(before, after):
    # random text on the lines around "قتل 1,300 شخص." neither hides the count nor moves it
    text = f"{before}\nقتل 1,300 شخص.\n{after}"
    at = len(before) + 1 + len("قتل ")
    found = find_quantities(text)
    assert [(q.value, q.kind, q.text) for q in found if q.start == at] == [(1300.0, "count", "1,300")]
    for q in found:
        assert 0 <= q.start < q.end <= len(text)
        assert q.kind in {"count", "date", "year", "time", "duration", "model", "ordinal", "percent", "money", "law_article"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(NOISE, st.text(max_size=60)))
def test_a_text_without_a_possible_number_word_holds_no_quantity(text):
    # claims skip a sentence none of whose words may_be_quantity_word accepts: that must never lose a number
    from kzlib.gazetteer import tokenize
    from kzlib.numbers import may_be_quantity_word

    if not any(may_be_quantity_word(t.norm) for t in tokenize(text)):
        assert find_quantities(text) == []


@pytest.mark.parametrize("word, expected", [
    ("26", True), ("٢٦", True), ("ال24", True), ("عشرات", True), ("وثلاثة", True), ("الخامس", True),
    ("ساعتين", True), ("قتل", False), ("المحتجين", False), ("كازاخستان", False),
])
def test_possible_number_words(word, expected):
    from kzlib.normalize import normalize_word
    from kzlib.numbers import may_be_quantity_word

    assert may_be_quantity_word(normalize_word(word)) is expected


@pytest.mark.parametrize("words, value", [
    ("ثلاثة", 3), ("ثلاث", 3), ("عشرون", 20), ("عشرين", 20), ("سبعون", 70), ("سبعين", 70),
    ("مئة", 100), ("مائة", 100), ("مئتان", 200), ("مائتين", 200), ("مئتا", 200),
    ("ألف", 1000), ("ألفان", 2000), ("ألفين", 2000), ("ثلاثة آلاف", 3000), ("أحد عشر ألفا", 11000),
    ("مليون", 1_000_000), ("مليونين", 2_000_000), ("ثلاثة ملايين", 3_000_000), ("ثمانمائة", 800),
])
def test_number_word_case_and_gender_forms(words, value):
    assert parse_number_words(words) == value


def arabic_indic(n, grouped):
    digits = f"{n:,}".replace(",", "٬") if grouped else str(n)
    return digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9_999_999), st.sampled_from(["ascii", "ascii_grouped", "indic", "indic_grouped"]))
def test_digit_counts_in_every_script_and_grouping_parse_back(n, style):
    written = {"ascii": str(n), "ascii_grouped": f"{n:,}"}.get(style) or arabic_indic(n, style == "indic_grouped")
    q = only(f"اعتقال {written} شخص")
    assert (q.value, q.text) == (n, written)


PIECES = ["قتل", "أكثر من", "نحو", "عشرات", "الآلاف", "مئة", "و", "26", "٢٦", "1,300", "1.300", "2,5", "-", "إلى",
          "بين", "وبين", "يناير", "كانون", "الثاني", "ساعتين", "إل-76", "ميغ", "%", "عدة", "الخامس", "والعشرين", "من",
          "الشهر", "،", ".", "ـ", "ألف", "آلاف", "ونصف", "نصف", "مليون", "الـ", "إحدى", "وعشرون", "في", "المئة",
          "بالمائة", "2022-01-07", "الساعة", "ما يصل إلى"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " "])), max_size=25))
def test_quantities_are_ordered_disjoint_and_ranges_ordered(pieces):
    text = "".join(piece + gap for piece, gap in pieces)
    previous_end = 0
    for q in find_quantities(text):
        assert previous_end <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text
        previous_end = q.end
        if q.qualifier == "range":
            assert q.value is None and q.low is not None and q.high is not None and q.low < q.high
        if q.qualifier == "vague":
            assert q.value == q.low < q.high


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("12 -/.:aب٣")), max_size=12))
def test_the_non_count_hint_finds_what_the_plain_pattern_finds(text):
    import re

    from kzlib.numbers import _NON_COUNT_HINT_RE

    assert bool(_NON_COUNT_HINT_RE.search(text)) == bool(re.search(r"\d[/.\-:]|[/.\-]\d|- \d", text))

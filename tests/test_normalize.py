"""Folding for matching, and the map back to the original text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kzlib.normalize import normalize, normalize_word


def test_letter_variants_diacritics_and_tatweel_fold():
    assert normalize_word("أإآٱ") == "اااا"
    assert normalize_word("مستشفى") == "مستشفي"
    assert normalize_word("طائرةَ") == "طائره"
    assert normalize_word("قُتل") == "قتل"
    assert normalize_word("يُشار") == "يشار"
    assert normalize_word("كـــازاخستان") == "كازاخستان"
    assert normalize_word("مئتانِ") == "مئتان"  # hamza on ya is kept: folding it merges distinct words


def test_digits_separators_spaces_and_quotes_fold():
    assert normalize_word("١٬٣٠٠") == "1,300"
    assert normalize_word("٣٫٥") == "3.5"
    assert normalize_word("۱۲۳") == "123"
    assert normalize_word("ألما\u00a0آتا\u200b") == "الما اتا"
    assert normalize_word("“مجرما” «قال»") == '"مجرما" "قال"'
    assert normalize_word("CSTO") == "csto"


def test_to_original_recovers_the_span_with_its_diacritics():
    text = "خصصت 70 طائرةَ شحن"
    folded = normalize(text)
    i = folded.text.index("طائره")
    start, end = folded.to_original(i, i + len("طائره"))
    assert text[start:end] == "طائرةَ"


def test_unchanged_length_uses_the_identity_map():
    folded = normalize("قتل 26 محتجا")
    assert folded.text == "قتل 26 محتجا" and list(folded.offsets) == list(range(len(folded.text)))


ARABIC = st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآىةؤئ") + list("ًٌٍَُِّْٰـ") + list("٠١٢٣٤٥٦٧٨٩0123456789")
                         + [" ", "\u00a0", "\u200b", "“", "”", "«", "»", "٬", "٫", ".", "،"])


@settings(max_examples=200, deadline=None)
@given(st.lists(ARABIC, max_size=60).map("".join), st.data())
def test_every_folded_span_maps_to_an_original_span_that_folds_back(text, data):
    folded = normalize(text)
    assert len(folded.offsets) == len(folded.text)
    if not folded.text:
        return
    start = data.draw(st.integers(0, len(folded.text) - 1))
    end = data.draw(st.integers(start + 1, len(folded.text)))
    o_start, o_end = folded.to_original(start, end)
    assert 0 <= o_start < o_end <= len(text)
    assert normalize_word(text[o_start:o_end]) == folded.text[start:end]


def test_thin_and_zero_width_spaces_and_single_curly_quotes_fold():
    assert normalize_word("قتل\u2009٢٦\u202fمحتجا") == "قتل 26 محتجا"
    assert normalize_word("ألما\u200cآتا\u200d\ufeff") == "المااتا"
    assert normalize_word("‘قال’") == "'قال'"


def test_to_original_on_text_with_deletions_returns_spans_that_fold_back():
    text = "قُتِلَ ٢٦ مُحتجـًّا فـي «ألماتي»"
    folded = normalize(text)
    for needle in ("قتل", "26", "محتجا", '"الماتي"'):
        i = folded.text.index(needle)
        start, end = folded.to_original(i, i + len(needle))
        assert normalize_word(text[start:end]) == needle


WIDE = st.sampled_from(list("ابةىأإآؤئءلمن") + list("ًٌٍَُِّْٰـ") + list("٠١۱۲0") + [" ", "\u2009", "\u200c", "\ufeff", "‘", "’", "„", "″", "٬", "٫"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WIDE, max_size=40).map("".join))
def test_every_span_of_the_folded_text_maps_back(text):
    folded = normalize(text)
    n = len(folded.text)
    for start in range(n):
        for end in range(start + 1, n + 1):
            o_start, o_end = folded.to_original(start, end)
            assert normalize_word(text[o_start:o_end]) == folded.text[start:end]


def test_persian_keyboard_letters_fold_to_arabic():
    assert normalize_word("کازاخستان") == normalize_word("كازاخستان")
    assert normalize_word("مستشفی") == normalize_word("مستشفى") == "مستشفي"


@given(st.lists(WIDE, max_size=40).map("".join), st.data())
def test_a_slice_of_the_article_normalization_equals_normalizing_the_slice(text, data):
    # claims fold each article once and hand sentences a slice: it must be the sentence's own normalization
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    own, cut = normalize(text[start:end]), normalize(text).slice(start, end)
    assert cut.text == own.text
    assert cut.source == own.source
    for a in range(len(own.text) + 1):
        for b in range(a, len(own.text) + 1):
            assert cut.to_original(a, b) == own.to_original(a, b)


SPECIAL = "".join(sorted(set(__import__("kzlib.normalize", fromlist=["_SUBSTITUTE"])._SUBSTITUTE)
                         | set(__import__("kzlib.normalize", fromlist=["_DELETE"])._DELETE)))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(SPECIAL + "ابت قال 12.،\n")), min_size=150, max_size=400))
def test_long_texts_fold_exactly_as_the_translation_table_does(text):
    # texts of article length are folded by replace chains, words by str.translate: both must agree,
    # and the offsets must point each folded character at the original one it came from
    from kzlib.normalize import _TABLE

    n = normalize(text)
    assert n.text == text.translate(_TABLE)
    assert len(n.offsets) == len(n.text)
    assert all(normalize_word(text[o]) == c for o, c in zip(n.offsets, n.text))

"""Sentence spans: lines, quotes, decimals, abbreviations."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kzlib.paths import RAW
from kzlib.segment import split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_headline_lines_are_sentences_and_quoted_speech_stays_whole():
    text = (RAW / "001_286c5a85d9cb9fcb.txt").read_text(encoding="utf-8")
    got = sentences(text)
    assert "تصريح صادم من واشنطن بشأن التدخل الروسي في كازاخستان" in got
    quote = next(s for s in got if s.startswith("وأضاف: \"يبدو لي"))
    assert quote.endswith("خارجي\".")  # two sentences inside the quotation stay with "وأضاف"


def test_decimals_abbreviations_and_dot_runs_do_not_split():
    assert sentences("قال د. أحمد إن 3.5 مليون نزحوا. وأضاف أن ٣٫٥ بالمئة غادروا.") == [
        "قال د. أحمد إن 3.5 مليون نزحوا.", "وأضاف أن ٣٫٥ بالمئة غادروا."]
    assert sentences("نعتبر الأحداث محاولة لتقويض الأمن بالقوة.. باستخدام تشكيلات مسلحة.") == [
        "نعتبر الأحداث محاولة لتقويض الأمن بالقوة.. باستخدام تشكيلات مسلحة."]


def test_question_marks_and_unbalanced_quotes_split():
    assert sentences("هل انتهت الأزمة؟ لا أحد يعرف.") == ["هل انتهت الأزمة؟", "لا أحد يعرف."]
    assert sentences("وقال “إن الوضع مستقر. والقوات منتشرة.") == ["وقال “إن الوضع مستقر.", "والقوات منتشرة."]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(list("قتل محتج.؟!\n\"“”«»0123٫") + ["د.", "  "]), max_size=80).map("".join),
                 st.text(max_size=120)))
def test_spans_are_ordered_disjoint_stripped_and_cover_every_word(text):
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end
    # no letter or digit is left outside the sentences (a line of punctuation only may be)
    outside = "".join(text[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)]))
    assert not re.search(r"[^\W_]", outside), outside


def test_every_seed_line_is_covered_and_headlines_stand_alone():
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = split_sentences(text)
        first_line = text.strip().splitlines()[0].strip()
        assert text[spans[0][0]:spans[0][1]] == first_line, path.name
        # no sentence crosses a line break
        assert all("\n" not in text[s:e] for s, e in spans), path.name


def test_guillemet_quotes_ellipsis_and_mixed_marks():
    assert sentences("وقال: «الوضع مستقر. القوات منتشرة». ثم غادر.") == [
        "وقال: «الوضع مستقر. القوات منتشرة».", "ثم غادر."]
    assert sentences("انتهى الأمر... وبدأ آخر.") == ["انتهى الأمر... وبدأ آخر."]
    assert sentences("سؤال؟! جواب.") == ["سؤال؟!", "جواب."]
    assert sentences("قتل 26 شخصا في 2022. وأصيب 30.") == ["قتل 26 شخصا في 2022.", "وأصيب 30."]
    assert sentences("وصلت القوات (نحو 2500 جندي). وبدأت المهمة.") == [
        "وصلت القوات (نحو 2500 جندي).", "وبدأت المهمة."]


def test_terminators_glued_between_arabic_words_split_but_initialisms_do_not():
    assert sentences("سقط 5 قتلى!وأصيب 3 آخرون") == ["سقط 5 قتلى!", "وأصيب 3 آخرون"]
    assert sentences("الوضع مستقر.وأضاف أن القوات منتشرة.") == ["الوضع مستقر.", "وأضاف أن القوات منتشرة."]
    assert sentences("هل انتهت؟لا أحد يعرف") == ["هل انتهت؟", "لا أحد يعرف"]
    assert sentences("زار أ.د.محمد ألماتي. ثم عاد.") == ["زار أ.د.محمد ألماتي.", "ثم عاد."]
    assert sentences("U.S. forces left. Then") == ["U.S. forces left.", "Then"]
    assert sentences("نقل موقع aljazeera.net الخبر.") == ["نقل موقع aljazeera.net الخبر."]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. \u00a0\t\u2003د.") + ["\n"]), max_size=40), st.data())
def test_word_start_is_the_previous_white_space(line, data):
    from kzlib.segment import _word_start

    if not line:
        return
    i = data.draw(st.integers(0, len(line) - 1))
    k = i
    while k > 0 and not line[k - 1].isspace():
        k -= 1
    assert _word_start(line, i) == k

"""Page furniture: the seeds' furniture, other Arabic sites' furniture (paraphrased snippets), and what is
NOT furniture (headlines, sub-headings, body sentences that mention the same words)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzlib.furniture import find_furniture, is_foreign_language, load_rules
from kzlib.normalize import normalize_word as fold


def kinds(text):
    return [(s.kind, s.text) for s in find_furniture(text)]


def assert_offsets(text):
    for span in find_furniture(text):
        assert text[span.start:span.end] == span.text, span


# --- the seeds (through the manifest, as the pipeline sees them) -----------------------------------

def by_prefix(corpus):
    return {a.id[:3]: a for a in corpus.articles}


def test_seed_000_english_line_caption_and_source_footer(seed_corpus):
    article = by_prefix(seed_corpus)["000"]
    assert [(s.kind, s.text) for s in article.furniture] == [
        ("foreign_language", "Russia sends peacekeeping forces to Kazakhstan"),
        ("caption", "قوة من التدخل الروسي في كازاخستان (الأناضول)"),
        ("source_footer", "المصدر : الجزيرة + الأناضول"),
    ]


def test_seed_001_masthead_duplicated_caption_and_trailing_site_link(seed_corpus):
    article = by_prefix(seed_corpus)["001"]
    assert [(s.kind, s.text) for s in article.furniture] == [
        ("masthead", "رئيس التحرير\nعصام كامل"),
        ("caption", "وزير الخارجية الأمريكي"),
        ("caption", "وزير الخارجية الأمريكي"),
        ("navigation", "الجريدة الرسمية"),
    ]
    # sub-headings stay article text
    body = "".join(article.text[s:e] for s, e in article.body_spans())
    for subheading in ("التدخل الروسي بكازاخستان", "الداخلية الكازاخستانية", "معاهدة الأمن الجماعي", "إطلاق النار"):
        assert subheading in body


def test_seed_002_comment_prompt_and_003_none(seed_corpus):
    seeds = by_prefix(seed_corpus)
    assert [(s.kind, s.text) for s in seeds["002"].furniture] == [("comment_prompt", "اترك تعليقاً")]
    assert seeds["003"].furniture == ()          # headline + sub-headings only: nothing to remove
    assert [(s.kind, s.text) for s in seeds["004"].furniture] == [("source_footer", "المصدر: سبوتنيك")]


def test_every_seed_span_is_whole_lines_of_the_original_text(seed_corpus):
    found = [(a.id[:3], s.kind, s.text) for a in seed_corpus.articles for s in a.furniture]
    assert found == [     # hand-checked against data/raw
        ("000", "foreign_language", "Russia sends peacekeeping forces to Kazakhstan"),
        ("000", "caption", "قوة من التدخل الروسي في كازاخستان (الأناضول)"),
        ("000", "source_footer", "المصدر : الجزيرة + الأناضول"),
        ("001", "masthead", "رئيس التحرير\nعصام كامل"),       # the label and the name on the next line
        ("001", "caption", "وزير الخارجية الأمريكي"),
        ("001", "caption", "وزير الخارجية الأمريكي"),        # a repeated caption, both times
        ("001", "navigation", "الجريدة الرسمية"),
        ("002", "comment_prompt", "اترك تعليقاً"),
        ("004", "source_footer", "المصدر: سبوتنيك"),
    ]
    for article in seed_corpus.articles:
        for span in article.furniture:
            # a span starts and ends a line (spaces around it aside)
            assert not article.text[:span.start].rpartition("\n")[2].strip(), span
            assert not article.text[span.end:].partition("\n")[0].strip(), span


def test_body_spans_are_the_complement_of_the_furniture(seed_corpus):
    for article in seed_corpus.articles:
        body = article.body_spans()
        assert body == sorted(body)
        for start, end in body:
            for span in article.furniture:
                assert end <= span.start or start >= span.end
        # every non-space character is either body or furniture, never both, never neither
        owners = [0] * len(article.text)
        for start, end in body + [(s.start, s.end) for s in article.furniture]:
            for i in range(start, end):
                owners[i] += 1
        assert all(owners[i] == 1 for i, ch in enumerate(article.text) if not ch.isspace())


# --- other site styles (paraphrased snippets) -------------------------------------------------------

SPUTNIK_STYLE = """موسكو تعلن وصول دفعة جديدة من القوات
وصلت طائرات النقل العسكرية إلى المطار صباح اليوم، بحسب بيان للوزارة.
اقرأ أيضاً: الكرملين يعلق على التطورات في آسيا الوسطى
وأضاف البيان أن العملية ستستمر حتى استقرار الوضع.
المصدر: سبوتنيك + وكالات"""

ANADOLU_STYLE = """الأمم المتحدة تدعو إلى ضبط النفس في السودان
متظاهرون في وسط الخرطوم (الأناضول)
دعت الأمم المتحدة، الإثنين، جميع الأطراف إلى الامتناع عن العنف.
الوسوم: السودان، الأمم المتحدة، احتجاجات
شارك"""

YOUM7_STYLE = """رئيس مجلس الإدارة والتحرير
خالد صلاح
كتب: أحمد علي
أعلنت وزارة الصحة تسجيل 12 إصابة جديدة في المحافظة.
صورة أرشيفية
أخبار ذات صلة
جميع الحقوق محفوظة © 2022"""

RT_STYLE = """مقتل 3 أشخاص في انفجار بمدينة حلب
مبنى متضرر في حلب (رويترز)
قالت مصادر محلية إن الانفجار وقع في حي سكني مساء الثلاثاء.
تابعونا على تلغرام
Follow the latest news on our Telegram channel
أضف تعليقاً"""


@pytest.mark.parametrize("text, expected", [
    (SPUTNIK_STYLE, [("related_link", "اقرأ أيضاً: الكرملين يعلق على التطورات في آسيا الوسطى"),
                     ("source_footer", "المصدر: سبوتنيك + وكالات")]),
    (ANADOLU_STYLE, [("caption", "متظاهرون في وسط الخرطوم (الأناضول)"),
                     ("tag", "الوسوم: السودان، الأمم المتحدة، احتجاجات"), ("share", "شارك")]),
    (YOUM7_STYLE, [("masthead", "رئيس مجلس الإدارة والتحرير\nخالد صلاح"), ("byline", "كتب: أحمد علي"),
                   ("caption", "صورة أرشيفية"), ("related_link", "أخبار ذات صلة"),
                   ("copyright", "جميع الحقوق محفوظة © 2022")]),
    (RT_STYLE, [("caption", "مبنى متضرر في حلب (رويترز)"), ("social", "تابعونا على تلغرام"),
                ("foreign_language", "Follow the latest news on our Telegram channel"),
                ("comment_prompt", "أضف تعليقاً")]),
], ids=["sputnik", "anadolu", "youm7", "rt"])
def test_other_site_styles(text, expected):
    assert kinds(text) == expected
    assert_offsets(text)


def test_crlf_and_nbsp_lines_keep_offsets():
    text = "عنوان الخبر\r\n\u00a0\r\nقال المتحدث إن 5 أشخاص أصيبوا.\r\nالمصدر : الأناضول\r\n"
    (span,) = find_furniture(text)
    assert (span.kind, span.text) == ("source_footer", "المصدر : الأناضول")
    assert text[span.start:span.end] == span.text and "\r" not in span.text


@pytest.mark.parametrize("text", [
    # body sentences that use furniture words are article text
    "قال رئيس التحرير في مقاله إن الصحيفة ستواصل تغطية الأحداث في البلاد رغم الضغوط.",
    "وأكد المصدر أن 20 شخصا اعتقلوا خلال الليل في المدينة.",
    "وشارك آلاف المتظاهرين في المسيرة التي جابت شوارع العاصمة.",
    # an Arabic sentence naming a Latin-script organisation is not a foreign-language line
    'وأكد مدير مركز البحوث التطبيقية "Talap"، في حديث مباشر وجود أجانب بين المصابين.',
    # a quoted sentence repeated in a follow-up paragraph is not a caption (it is a sentence)
    "قال الرئيس: لن نتراجع.\nقال الرئيس: لن نتراجع.",
])
def test_not_furniture(text):
    assert find_furniture(text) == ()


def test_headlines_and_subheadings_are_not_furniture():
    text = "مصرع 26 “مجرما مسلحا”\nأعلنت وزارة الداخلية مصرع 26 مسلحا.\nقلق دولي\nدعت الأمم المتحدة إلى الهدوء."
    assert find_furniture(text) == ()


def test_foreign_language_threshold():
    assert is_foreign_language("Russia sends peacekeeping forces to Kazakhstan")
    assert not is_foreign_language("قناة CNN")
    assert not is_foreign_language("وقالت وكالة رويترز Reuters إن القوات وصلت إلى المطار صباح اليوم")


def test_lexicon_is_well_formed_and_folded():
    rules = load_rules()
    assert {r.kind for r in rules} >= {"masthead", "comment_prompt", "source_footer", "caption", "related_link", "tag"}
    assert all(r.pattern == fold(r.pattern) for r in rules)
    assert fold("اترك تعليقاً") == fold("اترك تعليقا") == "اترك تعليقا"
    assert fold("اقرأ أيضاً") == fold("إقرأ ايضا")


def test_headline_printed_twice_keeps_one_copy_as_text():
    text = "الجيش يعلن السيطرة على المطار\nالجيش يعلن السيطرة على المطار\nقال المتحدث إن القوات سيطرت على المطار.\n"
    (span,) = find_furniture(text)
    assert (span.kind, span.start) == ("duplicate_line", text.index("\n") + 1)


@pytest.mark.parametrize("caption", [
    "جنود في شوارع ألماتي (الفرنسية)",
    "مبنى البلدية بعد الحريق (رويترز - أرشيف)",
    "صورة متداولة للاشتباكات (مواقع التواصل)",
])
def test_captions_with_other_credits(caption):
    text = f"عنوان الخبر\n{caption}\nقال شهود إن الاشتباكات استمرت حتى الفجر.\n"
    assert kinds(text) == [("caption", caption)]


def test_dateline_credit_at_the_start_of_a_sentence_is_text():
    assert find_furniture("موسكو (رويترز) - قالت وزارة الدفاع الروسية إن 70 طائرة نقلت القوات.") == ()


# --- property: spans always point into the text, in order, without overlap ------------------------

LINE_POOL = ["أعلنت الوزارة مقتل 5 أشخاص.", "عنوان قصير", "رئيس التحرير", "عصام كامل", "المصدر: الأناضول",
             "صورة للمتظاهرين (رويترز)", "Russia sends troops to Kazakhstan", "اترك تعليقاً", "اقرأ أيضا: خبر آخر",
             "شارك", "الجريدة الرسمية", "", "\u00a0", "  "]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LINE_POOL), st.sampled_from(["\n", "\r\n", "\n\n", " \n"])), max_size=12))
def test_spans_point_into_any_text(parts):
    text = "".join(line + end for line, end in parts)
    spans = find_furniture(text)
    previous_end = 0
    for span in spans:
        assert text[span.start:span.end] == span.text and span.text == span.text.strip() and span.text
        assert span.start >= previous_end
        previous_end = span.end


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ بت1 éﬁＡ")), max_size=40))
def test_latin_letters_are_counted_as_a_regex_would(line):
    import re

    from kzlib.furniture import _NOT_ASCII_LETTER

    assert len(line.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTER)) == len(re.findall("[A-Za-z]", line))


def test_rules_match_lines_folded_like_the_claims_text():
    # one fold for the whole library (kzlib.normalize): Persian yeh, Arabic-Indic digits, tatweel
    lines = "اقرأ أيضاً\nقُتل 5 أشخاص في الهجوم على المدينة.\nاقرأ أیضـا"
    kinds = [s.kind for s in find_furniture(lines)]
    assert kinds == ["related_link", "related_link"]


def test_regex_rule_keeps_its_escapes_when_folded(tmp_path):
    lex = tmp_path / "furniture.tsv"
    lex.write_text("kind\tmatch\tpattern\twhere\tmax_words\tnext_line\tnote\n"
                   "# a comment line, then a blank one\n\n"
                   "caption\tregex\t^AFP\\S*$\tany\t4\tno\t\n", encoding="utf-8")
    (rule,) = load_rules(lex)
    assert rule.pattern == "^afp\\S*$"
    assert rule.compiled.search(fold("AFP/Getty")) and not rule.compiled.search(fold("AFP Getty"))

"""Open-vocabulary sources: the speaker's noun phrase as written, its type and id, whatever the gazetteer knows.

The sentences are written for these tests (no article of the development set): each checks one
construction of Arabic news attribution."""

import pytest

from kzlib.claims import extract_text


def sources(text):
    return [(c.value, c.source_text, c.source_type) for c in extract_text(text)]


@pytest.mark.parametrize("text, source_text, source_type", [
    ("قالت وزارة الصحة في مدينة تعز إن 14 شخصاً قتلوا.", "وزارة الصحة في مدينة تعز", "health_authority"),
    ("أفادت مصادر طبية بمقتل 9 أشخاص في القصف.", "مصادر طبية", "medical_source"),
    ("قتل 12 مدنياً، بحسب المرصد الليبي لحقوق الإنسان.", "المرصد الليبي لحقوق الإنسان", "ngo"),
    ("قتل 12 مدنياً، وفقاً للمنظمة الدولية للهجرة.", "للمنظمة الدولية للهجرة", "un_agency"),   # لل kept whole
    ("قتل 12 مدنياً، وفقاً لمنظمة أطباء بلا حدود.", "منظمة أطباء بلا حدود", "ngo"),
    ("وقال المتحدث باسم الدفاع المدني في حلب، سامر الأحمد، إن 30 شخصاً أصيبوا.",
     "المتحدث باسم الدفاع المدني في حلب، سامر الأحمد", "civil_defence"),
    ("وذكرت وكالة الأنباء الإثيوبية (إينا) أن 40 شخصاً لقوا حتفهم.", "وكالة الأنباء الإثيوبية (إينا)", "media"),
    ("وقال شهود عيان إن 5 أشخاص أصيبوا.", "شهود عيان", "witnesses"),
    ("وقال مصدر أمني طلب عدم الكشف عن اسمه إن 20 شخصاً اعتقلوا.", "مصدر أمني طلب عدم الكشف عن اسمه", "unnamed_source"),
    ("أعلنت النيابة العامة توقيف 15 شخصاً.", "النيابة العامة", "prosecutor"),
    ("وقال محافظ إقليم الجنوب إن 8 أشخاص قتلوا.", "محافظ إقليم الجنوب", "local_official"),
])
def test_speaker_phrase_as_written_with_its_type(text, source_text, source_type):
    claims = extract_text(text)
    assert len(claims) == 1
    c = claims[0]
    assert (c.source_text, c.source_type) == (source_text, source_type)
    assert text[c.source_start:c.source_end] == source_text
    assert c.attributed_to and c.attributed_to.startswith("src:")


def test_subject_before_the_verb_unknown_to_the_gazetteer():
    text = "وكانت نقابة الصيادلة في الإقليم قد أعلنت أن 6 صيادلة أصيبوا."
    assert sources(text) == [(6.0, "نقابة الصيادلة في الإقليم", "ngo")]


def test_continuation_and_quote_keep_the_earlier_mention():
    text = ("قال مدير مستشفى النور إن 11 جريحاً وصلوا.\n"
            "وأضاف: «بين الجرحى 4 أطفال في حالة خطيرة.»")
    claims = extract_text(text)
    assert [c.source_text for c in claims] == ["مدير مستشفى النور", "مدير مستشفى النور"]
    assert len({c.attributed_to for c in claims}) == 1 and claims[0].source_type == "medical_source"


def test_anaphor_resolves_to_the_fuller_mention_and_its_id():
    text = ("قالت وزارة الداخلية العراقية إن 7 أشخاص اعتقلوا.\n"
            "وأوضحت الوزارة أن 3 من عناصر الأمن أصيبوا.")
    first, second = extract_text(text)
    assert second.attributed_to == first.attributed_to
    assert (second.source_text, second.source_start) == ("وزارة الداخلية العراقية", first.source_start)


def test_relay_gives_the_relayed_speaker():
    text = "ونقلت وكالة رويترز عن مصادر في الشرطة أن 25 شخصاً قتلوا."
    assert sources(text) == [(25.0, "مصادر في الشرطة", "unnamed_source")]


def test_outlets_own_reporter_is_never_a_source():
    text = "وقال مراسلنا إن 3 أشخاص قتلوا في الانفجار."
    assert sources(text) == [(3.0, None, None)]


def test_headline_with_a_source_before_a_colon():
    assert sources("الصحة: 30 قتيلاً في القصف") == [(30.0, "الصحة", "health_authority")]


def test_same_open_source_gets_one_id_across_articles():
    a = extract_text("قالت مصادر طبية إن 4 أشخاص قتلوا.", "a")
    b = extract_text("قتل 9 أشخاص، حسب مصادر طبية.", "b")
    assert a[0].attributed_to == b[0].attributed_to
    c = extract_text("قالت المنظمة الدولية للهجرة إن 4 مهاجرين قتلوا.", "c")
    d = extract_text("قتل 9 مهاجرين، وفقاً للمنظمة الدولية للهجرة.", "d")
    assert c[0].attributed_to == d[0].attributed_to


def test_no_source_stays_empty():
    assert sources("وقتل 4 أشخاص في انفجار سيارة مفخخة وسط المدينة.") == [(4.0, None, None)]


def test_narration_with_a_known_head_but_no_statement_is_not_a_source():
    # "أعلنت الحكومة الحداد" states no figure; the count after it in another sentence has no source
    text = "أعلنت الحكومة الحداد ثلاثة أيام.\nوكان 40 شخصاً قد قتلوا في الهجوم."
    assert sources(text) == [(40.0, None, None)]

"""Attribution: who stated each figure (verb-subject order, "حسب X", subject-less continuation by gender)."""


from kzlib.claims import extract_text


def speakers(text):
    return [(c.category, c.value, c.attributed_to) for c in extract_text(text)]


def test_verb_then_actor():
    assert speakers("قالت وزارة الداخلية الكازاخستانية إن 5 أشخاص قتلوا في ألماتي.") == [
        ("killed", 5.0, "kz_interior_ministry")]


def test_according_to_after_the_figure():
    text = "وأعلنت الحكومة استقالتها، في حين قُتل 26 محتجا، حسب الداخلية في كازاخستان."
    assert speakers(text) == [("killed", 26.0, "kz_interior_ministry")]


def test_subjectless_verb_continues_the_speaker_of_the_same_gender():
    text = ("ونقلت وسائل إعلام محلية عن نائب عمدة مدينة ألماتي قوله إن الوضع مستقر.\n"
            "وذكرت أن عدد قتلى الاضطرابات بلغ 164 شخصاً.\n"
            "وأضاف أن 12 شخصا أصيبوا.")
    # feminine ذكرت -> the media (وسائل إعلام), masculine أضاف -> the deputy mayor
    assert speakers(text) == [("killed", 164.0, "local_media"), ("injured", 12.0, "almaty_deputy_mayor")]


def test_unknown_explicit_subject_is_kept_as_written_and_continued():
    text = ("قالت وزارة الدفاع الروسية إن الوضع هادئ.\n"
            "وقال مسؤول محلي إن 4 أشخاص قتلوا.\n"
            "وأضاف أن 9 آخرين أصيبوا.")
    claims = extract_text(text)
    assert [(c.category, c.value) for c in claims] == [("killed", 4.0), ("injured", 9.0)]
    for c in claims:        # the continuation keeps the mention of the sentence that named him
        assert (c.source_text, c.source_type) == ("مسؤول محلي", "local_official")
        assert text[c.source_start:c.source_end] == "مسؤول محلي"
    assert claims[0].attributed_to == claims[1].attributed_to and claims[0].attributed_to.startswith("src:")


def test_subject_before_the_verb():
    text = "وكانت وزارة الداخلية في كازاخستان قد كشفت، أمس الجمعة، عن مقتل 7 من أفرادها."
    claims = extract_text(text)
    assert [(c.attributed_to, c.subject) for c in claims] == [("kz_interior_ministry", "security_forces")]


def test_person_named_after_an_institution_is_the_most_specific_speaker():
    text = "وقال المتحدث باسم وزارة الدفاع الروسية، اللواء إيجور كوناشينكوف، إن 3 طائرات هبطت."
    assert speakers(text) == [("aircraft", 3.0, "konashenkov")]


def test_two_speakers_in_one_sentence():
    text = ("وكانت وزارة الداخلية في كازاخستان قد كشفت عن مقتل 7 من أفرادها، فيما نقلت وسائل إعلام "
            "محلية أن أكثر من 100 شخص اعتقلوا في مدينة ألما آتا.")
    assert speakers(text) == [("killed", 7.0, "kz_interior_ministry"), ("arrested", 100.0, "local_media")]


def test_narrative_sentence_is_unattributed():
    text = "قال وزير الخارجية التركي مولود جاويش أوغلو إنه يأمل أن يحل السلام.\nوتطورت المظاهرات إلى أعمال شغب أدت لاعتقال 300 شخص."
    assert speakers(text) == [("arrested", 300.0, None)]


def test_outlet_is_never_the_attribution():
    from kzlib import corpus
    from kzlib.claims import extract_claims

    text = "قالت وكالة فرانس برس إن 3 أشخاص قتلوا في ألماتي."
    article = corpus.Article(id="x", text=text, source="test", outlet="afp")
    assert [c.attributed_to for c in extract_claims(article)] == [None]
    article = corpus.Article(id="y", text=text, source="test", outlet="aljazeera")
    assert [c.attributed_to for c in extract_claims(article)] == ["afp"]


def test_quotation_after_a_colon_keeps_its_speaker():
    text = 'وقال توكاييف في كلمة موجهة للشعب:\n"تعرضت ألما آتا وحدها للهجوم من قبل 20 ألف مسلح".'
    assert speakers(text) == [("attackers", 20000.0, "tokayev")]

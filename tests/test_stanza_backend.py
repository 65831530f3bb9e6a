"""The stanza adapter, tested on stanza Documents built here: no model is available (or faked) in CI."""

import sys

import pytest

stanza = pytest.importorskip("stanza", reason="stanza is the optional extra: pip install 'kzlib[stanza]'")
from stanza.models.common.doc import Document  # noqa: E402

from kzlib.nlp.stanza_backend import (  # noqa: E402
    ModelsMissingError, StanzaBackend, check_models, from_stanza_document, resolve_model_dir,
)

pytestmark = pytest.mark.stanza

TEXT = "وأكد الرئيس الكازاخستانيُّ، قاسم جومارت توكاييف، أن ألما آتا تعرضت للهجوم. وقال مراد بيكوف إن الوضع مستقر."


def _word(i, text, ner="O", lemma=None, upos=None):
    return {"id": i, "text": text, "ner": ner, "lemma": lemma or text, "upos": upos or "X"}


def _document():
    first = [
        {"id": (1, 2), "text": "وأكد", "ner": "O"},
        {"id": 1, "text": "و", "lemma": "و", "upos": "CCONJ"},
        {"id": 2, "text": "أكد", "lemma": "أَكَّد", "upos": "VERB"},
        _word(3, "الرئيس"),
        _word(4, "الكازاخستاني"),  # stanza drops the diacritics that the original carries
        _word(5, "،"),
        _word(6, "قاسم", "B-PER", upos="PROPN"), _word(7, "جومارت", "I-PER", upos="PROPN"),
        _word(8, "توكاييف", "E-PER", upos="PROPN"),
        _word(9, "،"), _word(10, "أن"),
        _word(11, "ألما", "B-LOC"), _word(12, "آتا", "E-LOC"),
        _word(13, "تعرضت"), _word(14, "للهجوم"), _word(15, "."),
    ]
    second = [
        {"id": (1, 2), "text": "وقال", "ner": "O"},
        {"id": 1, "text": "و", "lemma": "و", "upos": "CCONJ"},
        {"id": 2, "text": "قال", "lemma": "قال", "upos": "VERB"},
        _word(3, "مراد", "B-PER"), _word(4, "بيكوف", "E-PER"),
        _word(5, "إن"), _word(6, "الوضع"), _word(7, "مستقر"), _word(8, "."),
    ]
    return Document([first, second], text=TEXT)


def test_tokens_are_aligned_to_the_original_text_despite_dropped_diacritics():
    analysis = from_stanza_document(_document(), TEXT)
    assert analysis.unaligned == []
    assert [TEXT[t.start:t.end] == t.text for t in analysis.tokens] == [True] * len(analysis.tokens)
    adjective = next(t for t in analysis.tokens if t.text.startswith("الكازاخستاني"))
    assert adjective.text == "الكازاخستانيُّ"  # the original span keeps its diacritics


def test_multi_word_tokens_keep_their_words():
    first = from_stanza_document(_document(), TEXT).tokens[0]
    assert (first.start, first.end, first.text) == (0, 4, "وأكد")
    assert [(w.text, w.upos) for w in first.words] == [("و", "CCONJ"), ("أكد", "VERB")]
    assert first.words[1].lemma == "أَكَّد"


def test_entities_map_to_gazetteer_ids_and_unknown_people_stay_candidates():
    analysis = from_stanza_document(_document(), TEXT)
    found = {(m.surface, m.type, m.canonical_id) for m in analysis.entities}
    assert ("قاسم جومارت توكاييف", "PER", "tokayev") in found
    assert ("ألما آتا", "LOC", "almaty") in found
    assert [(m.surface, m.type) for m in analysis.candidates] == [("مراد بيكوف", "PER")]
    assert all(TEXT[m.start:m.end] == m.surface for m in analysis.entities)


def test_a_token_that_is_not_in_the_text_is_reported_not_invented():
    doc = Document([[_word(1, "وأكد"), _word(2, "بوتين", "S-PER")]], text="وأكد")
    analysis = from_stanza_document(doc, "وأكد الرئيس")
    assert analysis.unaligned == ["بوتين", "بوتين"]  # the token, then the entity resting on it
    assert [t.text for t in analysis.tokens] == ["وأكد"]


def test_missing_model_folder_names_the_folder_and_the_command(tmp_path):
    with pytest.raises(ModelsMissingError) as err:
        check_models(tmp_path / "nowhere")
    message = str(err.value)
    assert str(tmp_path / "nowhere") in message and "kz models download --dir" in message


def test_folder_without_resources_json_is_rejected(tmp_path):
    (tmp_path / "ar").mkdir()
    with pytest.raises(ModelsMissingError, match="resources.json"):
        check_models(tmp_path)


def test_environment_variable_selects_the_model_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    assert resolve_model_dir() == tmp_path
    assert resolve_model_dir(tmp_path / "x") == tmp_path / "x"


def test_real_pipeline_construction_fails_clearly_when_model_files_are_absent(tmp_path):
    # A folder that passes the first check but holds no model: stanza's own loader must fail, and we
    # must turn that into the same clear error (no mocking of stanza).
    (tmp_path / "ar").mkdir()
    (tmp_path / "resources.json").write_text('{"ar": {"default_processors": {"tokenize": "padt"}}}', encoding="utf-8")
    with pytest.raises(ModelsMissingError, match="kz models download"):
        StanzaBackend(model_dir=tmp_path)


def test_rule_claims_do_not_change_without_stanza(monkeypatch):
    from kzlib.claims import extract_text

    sentence = "وأعلنت وزارة الداخلية الكازاخستانية مصرع 26 مجرما مسلحا وإصابة 18 آخرين بجروح."
    before = extract_text(sentence)
    monkeypatch.setitem(sys.modules, "stanza", None)  # import stanza now raises ImportError
    with pytest.raises(ImportError):
        StanzaBackend()
    assert extract_text(sentence) == before
    assert {(c.category, c.value) for c in before} == {("killed", 26.0), ("injured", 18.0)}

"""The stanza adapter, tested on stanza Documents built here: no stanza model is available in CI, and none is faked
as having run — documents are written by hand, the way stanza's tokenizer / MWT / NER would annotate them."""

import sys

import pytest

stanza = pytest.importorskip("stanza", reason="stanza is the optional extra: pip install 'kzlib[stanza]'")
from stanza.models.common.doc import Document  # noqa: E402
from stanza.utils.conll import CoNLL  # noqa: E402

from kzlib.gazetteer import load_gazetteer  # noqa: E402
from kzlib.nlp import get_backend  # noqa: E402
from kzlib.nlp.stanza_backend import (  # noqa: E402
    SENTENCE_SEPARATOR, ModelsMissingError, StanzaBackend, StanzaMissingError, check_models, download_models,
    expected_model_files, from_stanza_document, join_sentences, pipeline_options, resolve_model_dir,
)
from kzlib.segment import split_sentences  # noqa: E402

pytestmark = pytest.mark.stanza

# Seed sentence (001) with a diacritic added (الكازاخستانيُّ), then a person the gazetteer does not list, a
# tatweel (الهـدوء) and a place written with an attached preposition (لألماتي = ل + ألماتي).
TEXT = ("وأكد الرئيس الكازاخستانيُّ، قاسم جومارت توكاييف، اليوم الجمعة، أن ألما آتا تعرضت وحدها للهجوم. "
        "وقال مراد بيكوف إن الهـدوء عاد لألماتي.")

# (token, NER tag, words as (text, lemma, upos); None = a single word, same text)
SENTENCE_1 = [
    ("وأكد", "O", [("و", "و", "CCONJ"), ("أكد", "أَكَّد", "VERB")]),
    ("الرئيس", "O", None), ("الكازاخستانيُّ", "O", None), ("،", "O", None),
    ("قاسم", "B-PER", None), ("جومارت", "I-PER", None), ("توكاييف", "E-PER", None), ("،", "O", None),
    ("اليوم", "O", None), ("الجمعة", "O", None), ("،", "O", None), ("أن", "O", None),
    ("ألما", "B-LOC", None), ("آتا", "E-LOC", None), ("تعرضت", "O", None), ("وحدها", "O", None),
    ("للهجوم", "O", [("ل", "لِ", "ADP"), ("الهجوم", "هُجُوم", "NOUN")]), (".", "O", None),
]
SENTENCE_2 = [
    ("وقال", "O", [("و", "و", "CCONJ"), ("قال", "قَال", "VERB")]),
    ("مراد", "B-PER", None), ("بيكوف", "E-PER", None), ("إن", "O", None), ("الهـدوء", "O", None),
    ("عاد", "O", None), ("لألماتي", "S-LOC", [("ل", "لِ", "ADP"), ("ألماتي", "ألماتي", "PROPN")]), (".", "O", None),
]


def _document(doc_text, sentences, *, char_offsets=True, strip=None):
    """A stanza Document as stanza annotates `doc_text`: tokens with their character offsets (found in order,
    as stanza's tokenizer reports where it read them), MWT words under multi-word tokens, BIOES NER tags.
    `strip` rewrites each token text (a tokenizer that drops diacritics or tatweel)."""
    built, cursor = [], 0
    for sentence in sentences:
        rows, i = [], 1
        for text, ner, words in sentence:
            shown = strip(text) if strip else text
            start = doc_text.index(shown, cursor)
            cursor = start + len(shown)
            offsets = {"start_char": start, "end_char": cursor} if char_offsets else {}
            if words:
                rows.append({"id": (i, i + len(words) - 1), "text": shown, "ner": ner, **offsets})
                for w_text, lemma, upos in words:
                    rows.append({"id": i, "text": w_text, "lemma": lemma, "upos": upos})
                    i += 1
            else:
                rows.append({"id": i, "text": shown, "lemma": shown, "upos": "X", "ner": ner, **offsets})
                i += 1
        built.append(rows)
    return Document(built, text=doc_text)


def _presplit_document():
    """What StanzaBackend.analyze hands stanza (one pre-split sentence per paragraph), annotated."""
    return _document(join_sentences(TEXT, split_sentences(TEXT)), [SENTENCE_1, SENTENCE_2])


def _without_marks(text):
    return text.replace("\u064f", "").replace("\u0651", "").replace("\u0640", "")


# --- conversion ---------------------------------------------------------------------------------


def test_presplit_offsets_map_exactly_to_the_original_text():
    spans = split_sentences(TEXT)
    assert len(spans) == 2
    analysis = from_stanza_document(_presplit_document(), TEXT, sentence_spans=spans)
    assert analysis.unaligned == []
    assert analysis.sentences == spans
    expected = [t for t, _, _ in SENTENCE_1 + SENTENCE_2]
    assert [t.text for t in analysis.tokens] == expected
    assert all(TEXT[t.start:t.end] == t.text for t in analysis.tokens)
    # the second sentence starts after the separator stanza saw, not at its offset in the joined string
    second = analysis.tokens[len(SENTENCE_1)]
    assert second.start == spans[1][0] and second.text == "وقال"


def test_tokens_without_offsets_are_found_despite_dropped_diacritics_and_tatweel():
    doc = _document(_without_marks(TEXT), [SENTENCE_1, SENTENCE_2], char_offsets=False, strip=_without_marks)
    analysis = from_stanza_document(doc, TEXT)
    assert analysis.unaligned == []
    assert all(TEXT[t.start:t.end] == t.text for t in analysis.tokens)
    texts = [t.text for t in analysis.tokens]
    assert "الكازاخستانيُّ" in texts and "الهـدوء" in texts  # original spans keep their marks
    assert len(texts) == len(SENTENCE_1) + len(SENTENCE_2)


def test_stanza_offsets_win_over_searching_when_the_letters_agree():
    text = "وصل الوفد إلى ألماتي ثم غادر ألماتي"
    second = text.rindex("ألماتي")
    doc = Document([[{"id": 1, "text": "ألماتي", "ner": "S-LOC", "start_char": second, "end_char": second + 6}]],
                   text=text)
    analysis = from_stanza_document(doc, text)
    assert [(t.start, t.end) for t in analysis.tokens] == [(second, second + 6)]  # a search would find the first
    assert [(m.start, m.canonical_id) for m in analysis.entities] == [(second, "almaty")]
    # the same through the pre-split string: an offset in stanza's second paragraph lands in the second sentence
    text = "ألماتي هادئة. ألماتي آمنة."
    spans = split_sentences(text)
    joined = join_sentences(text, spans)
    at = joined.rindex("ألماتي")
    doc = Document([[{"id": 1, "text": "ألماتي", "start_char": at, "end_char": at + 6}]], text=joined)
    assert [t.start for t in from_stanza_document(doc, text, sentence_spans=spans).tokens] == [text.rindex("ألماتي")]


def test_offsets_into_another_text_are_not_trusted():
    # stanza's offsets point into a string with an extra leading word; the converter must search instead
    shifted = "عاجل: " + TEXT
    doc = _document(shifted, [SENTENCE_1, SENTENCE_2])
    analysis = from_stanza_document(doc, TEXT)
    assert analysis.unaligned == []
    assert all(TEXT[t.start:t.end] == t.text for t in analysis.tokens)
    assert analysis.tokens[0].start == 0


def test_multi_word_tokens_keep_both_levels():
    analysis = from_stanza_document(_presplit_document(), TEXT, sentence_spans=split_sentences(TEXT))
    first = analysis.tokens[0]
    assert (first.start, first.end, first.text, first.is_multiword) == (0, 4, "وأكد", True)
    assert [(w.text, w.upos, w.start, w.end) for w in first.words] == [("و", "CCONJ", 0, 1), ("أكد", "VERB", 1, 4)]
    assert (first.lemma, first.upos) == ("أَكَّد", "VERB")  # the token's head is the verb, not the conjunction
    attack = next(t for t in analysis.tokens if t.text == "للهجوم")
    preposition, noun = attack.words
    assert (preposition.start, preposition.end) == (attack.start, attack.start + 1)
    assert (noun.start, noun.end) == (None, None)  # ل + الهجوم: the article's alef is not written, no guessed span
    assert attack.lemma == "هُجُوم"
    split = sum(len(words) - 1 for _, _, words in SENTENCE_1 + SENTENCE_2 if words)
    assert split == 4 and len(analysis.words) == len(analysis.tokens) + split
    assert sum(t.is_multiword for t in analysis.tokens) == 4


def test_entities_map_to_gazetteer_ids_and_unknown_people_stay_candidates():
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("مراد بيكوف") is None  # precondition: an invented official, not listed
    analysis = from_stanza_document(_presplit_document(), TEXT, sentence_spans=split_sentences(TEXT))
    found = [(m.surface, m.type, m.label, m.canonical_id) for m in analysis.entities]
    assert found == [
        ("قاسم جومارت توكاييف", "person", "PER", "tokayev"),
        ("ألما آتا", "place", "LOC", "almaty"),
        ("مراد بيكوف", "person", "PER", None),
        ("ألماتي", "place", "LOC", "almaty"),  # the attached preposition ل is trimmed off the name
    ]
    assert [(m.surface, m.type) for m in analysis.candidates] == [("مراد بيكوف", "person")]
    assert all(TEXT[m.start:m.end] == m.surface and m.source == "stanza" for m in analysis.entities)


def test_conll_u_document_builds_its_entities_from_the_tags():
    text = "وصرح توكاييف في ألماتي."
    conll = "\n".join([
        "# text = " + text,
        "1-2\tوصرح\t_\t_\t_\t_\t_\t_\t_\tner=O",
        "1\tو\tو\tCCONJ\t_\t_\t2\tcc\t_\t_",
        "2\tصرح\tصَرَّح\tVERB\t_\t_\t0\troot\t_\t_",
        "3\tتوكاييف\tتوكاييف\tPROPN\t_\t_\t2\tnsubj\t_\tner=S-PER",
        "4\tفي\tفِي\tADP\t_\t_\t5\tcase\t_\tner=O",
        "5\tألماتي\tألماتي\tPROPN\t_\t_\t2\tobl\t_\tner=S-LOC|SpaceAfter=No",
        "6\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\tner=O",
        "", ""])
    analysis = from_stanza_document(CoNLL.conll2doc(input_str=conll), text)
    assert [(m.surface, m.canonical_id) for m in analysis.entities] == [("توكاييف", "tokayev"), ("ألماتي", "almaty")]
    assert analysis.tokens[0].words[1].lemma == "صَرَّح"


def test_a_token_that_is_not_in_the_text_is_reported_not_invented():
    doc = Document([[{"id": 1, "text": "وأكد"}, {"id": 2, "text": "بوتين", "ner": "S-PER"}]], text="وأكد")
    analysis = from_stanza_document(doc, "وأكد الرئيس")
    assert analysis.unaligned == ["بوتين", "بوتين"]  # the token, then the entity resting on it
    assert [t.text for t in analysis.tokens] == ["وأكد"]
    assert analysis.entities == []


def test_analyze_hands_stanza_one_presplit_sentence_per_paragraph():
    # The pipeline is replaced by a recorder that annotates what it receives by hand: this checks
    # kzlib's pre-splitting and offset mapping, not any model.
    received = []

    def annotate(doc_text):
        received.append(doc_text)
        return _document(doc_text, [SENTENCE_1, SENTENCE_2])

    backend = StanzaBackend.__new__(StanzaBackend)
    backend.pipeline, backend.gazetteer = annotate, None
    analysis = backend.analyze(TEXT)
    assert received == [SENTENCE_SEPARATOR.join(TEXT[s:e] for s, e in split_sentences(TEXT))]
    assert analysis.unaligned == [] and all(TEXT[t.start:t.end] == t.text for t in analysis.tokens)
    assert backend.analyze("   ").tokens == [] and len(received) == 1  # nothing to send


def test_line_breaks_inside_a_sentence_cannot_become_stanza_sentence_breaks():
    text = "قال المتحدث\n\nإن 26 شخصا قتلوا"
    joined = join_sentences(text, [(0, len(text))])
    assert SENTENCE_SEPARATOR not in joined and len(joined) == len(text)


# --- model folder -------------------------------------------------------------------------------


def _write_resources(folder):
    """A resources.json shaped like stanza's for Arabic (default package, charlm and pretrain dependencies)."""
    import json

    charlm = [{"model": "forward_charlm", "package": "ccwiki"}, {"model": "backward_charlm", "package": "ccwiki"}]
    default = {"tokenize": "padt", "mwt": "padt", "pos": "padt_charlm", "lemma": "padt_nocharlm", "ner": "aqmar_charlm"}
    ar = {
        "lang_name": "Arabic",
        "tokenize": {"padt": {"md5": "0"}}, "mwt": {"padt": {"md5": "0"}},
        "pos": {"padt_charlm": {"md5": "0", "dependencies": [{"model": "pretrain", "package": "conll17"}, *charlm]}},
        "lemma": {"padt_nocharlm": {"md5": "0"}},
        "ner": {"aqmar_charlm": {"md5": "0", "dependencies": [{"model": "pretrain", "package": "fasttextwiki"}, *charlm]}},
        "pretrain": {"conll17": {"md5": "0"}, "fasttextwiki": {"md5": "0"}},
        "forward_charlm": {"ccwiki": {"md5": "0"}}, "backward_charlm": {"ccwiki": {"md5": "0"}},
        "default_processors": default, "packages": {"default": default},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "resources.json").write_text(json.dumps({"ar": ar}, ensure_ascii=False), encoding="utf-8")


def _message(model_dir):
    with pytest.raises(ModelsMissingError) as err:
        check_models(model_dir)
    return str(err.value)


def test_missing_folder_names_the_folder_and_the_command(tmp_path):
    message = _message(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in message
    assert "the folder does not exist" in message and f"kz models download --dir {tmp_path / 'nowhere'}" in message


def test_empty_folder_lacks_resources_json(tmp_path):
    message = _message(tmp_path)
    assert f"not found in {tmp_path} (missing: resources.json)" in message and "kz models download" in message


def test_folder_without_resources_json_is_rejected_even_with_model_folders(tmp_path):
    (tmp_path / "ar" / "tokenize").mkdir(parents=True)
    assert "missing: resources.json" in _message(tmp_path)


def test_unreadable_or_non_arabic_resources_json(tmp_path):
    (tmp_path / "resources.json").write_text("{not json", encoding="utf-8")
    assert "a readable resources.json" in _message(tmp_path)
    (tmp_path / "resources.json").write_text('{"en": {}}', encoding="utf-8")
    assert "Arabic ('ar')" in _message(tmp_path)


def test_every_model_file_resources_json_asks_for_is_listed_when_absent(tmp_path):
    _write_resources(tmp_path)
    files = expected_model_files(tmp_path)
    names = {str(f.relative_to(tmp_path)) for f in files}
    assert {"ar/tokenize/padt.pt", "ar/mwt/padt.pt", "ar/ner/aqmar_charlm.pt", "ar/pretrain/fasttextwiki.pt",
            "ar/forward_charlm/ccwiki.pt"} <= names
    message = _message(tmp_path)
    assert all(name in message for name in names)
    for f in files[1:]:  # all but one present: only that one is reported
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x")
    message = _message(tmp_path)
    assert str(files[0].relative_to(tmp_path)) in message and str(files[1].relative_to(tmp_path)) not in message
    files[0].parent.mkdir(parents=True, exist_ok=True)
    files[0].write_bytes(b"")
    assert "(empty file)" in _message(tmp_path)


def test_environment_variable_selects_the_model_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    assert resolve_model_dir() == tmp_path
    assert resolve_model_dir(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("STANZA_RESOURCES_DIR")
    assert resolve_model_dir().name == "stanza_resources"


def test_backend_without_models_raises_the_same_clear_error(tmp_path):
    with pytest.raises(ModelsMissingError, match=f"not found in {tmp_path}"):
        get_backend("stanza", model_dir=tmp_path)


# --- the real stanza Pipeline, up to where the models are missing (no mocking of stanza) -------


def test_stanza_itself_misses_a_file_that_check_models_reports(tmp_path):
    _write_resources(tmp_path)
    reported = {str(f) for f in expected_model_files(tmp_path)}
    with pytest.raises(FileNotFoundError) as err:
        stanza.Pipeline(**pipeline_options(tmp_path))
    assert any(path in str(err.value) for path in reported)


def test_real_pipeline_on_unloadable_model_files_fails_clearly(tmp_path):
    # Every file resources.json lists exists but holds no model (a broken copy): check_models passes,
    # stanza.Pipeline really runs and torch fails to read the first model; that becomes our error.
    _write_resources(tmp_path)
    for f in expected_model_files(tmp_path):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"not a torch model")
    assert check_models(tmp_path) == tmp_path
    with pytest.raises(ModelsMissingError) as err:
        StanzaBackend(model_dir=tmp_path)
    message = str(err.value)
    assert f"could not load the Arabic models from {tmp_path}" in message
    assert f"kz models download --dir {tmp_path}" in message
    assert err.value.__cause__ is not None  # stanza's own error is kept for debugging


def test_download_without_internet_is_a_clear_error(tmp_path, monkeypatch):
    # An unreachable proxy makes every request fail at once, whatever network this machine has.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    target = tmp_path / "models"
    with pytest.raises(ModelsMissingError) as err:
        download_models(target)
    message = str(err.value)
    assert f"could not download stanza's Arabic models into {target}" in message and "internet" in message


# --- stanza absent ------------------------------------------------------------------------------


def test_rule_claims_and_entities_do_not_change_without_stanza(monkeypatch):
    from kzlib.claims import extract_text

    sentence = "وأعلنت وزارة الداخلية الكازاخستانية مصرع 26 مجرما مسلحا وإصابة 18 آخرين بجروح في ألماتي."
    before = extract_text(sentence)
    entities_before = get_backend("rules").analyze(sentence).entities
    monkeypatch.setitem(sys.modules, "stanza", None)  # import stanza now raises ImportError
    with pytest.raises(StanzaMissingError, match=r'pip install "kzlib\[stanza\]"'):
        get_backend("stanza")
    assert extract_text(sentence) == before
    assert get_backend("rules").analyze(sentence).entities == entities_before
    assert {(c.category, c.value) for c in before} == {("killed", 26.0), ("injured", 18.0)}

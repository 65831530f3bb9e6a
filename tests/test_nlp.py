"""The backend interface and the default rule backend (no model needed)."""

import pandas as pd
import pytest

from kzlib.nlp import Token, Word, get_backend
from kzlib.nlp.entities import compare_entities, entities_frame

SENTENCE = "وأكد الرئيس الكازاخستاني، قاسم جومارت توكاييف، اليوم الجمعة، أن ألما آتا تعرضت وحدها للهجوم من قبل 20 ألف مسلح."


def test_rule_backend_offsets_point_into_the_original_text():
    analysis = get_backend("rules").analyze(SENTENCE)
    assert analysis.backend == "rules"
    assert analysis.tokens and all(SENTENCE[t.start:t.end] == t.text for t in analysis.tokens)
    assert all(SENTENCE[m.start:m.end] == m.surface for m in analysis.entities)
    ids = {m.canonical_id for m in analysis.entities}
    assert {"tokayev", "almaty"} <= ids
    assert analysis.candidates == []  # the gazetteer only returns what it knows


def test_rule_tokens_keep_diacritics_and_tatweel_of_the_original():
    text = "وصل توكايـيف إلى ألماتيَ، وقال: الوضعُ مستقر."
    analysis = get_backend("rules").analyze(text)
    assert [t.text for t in analysis.tokens] == ["وصل", "توكايـيف", "إلى", "ألماتيَ", "وقال", "الوضعُ", "مستقر"]
    assert all((w.start, w.end) == (t.start, t.end) for t in analysis.tokens for w in t.words)
    assert [(m.surface, m.canonical_id) for m in analysis.entities] == [("توكايـيف", "tokayev"), ("ألماتيَ", "almaty")]
    assert [text[s:e] for s, e in analysis.sentences] == [text.strip()]


def test_empty_text_gives_an_empty_analysis():
    analysis = get_backend("rules").analyze("")
    assert (analysis.tokens, analysis.sentences, analysis.entities) == ([], [], [])


def test_token_head_is_the_last_word_that_is_not_a_clitic():
    # و + ب + المدينة + ها (a pronoun suffix, PRON): the noun carries the lemma
    token = Token(0, 9, "وبمدينتها", (Word("و", "و", "CCONJ"), Word("ب", "بِ", "ADP"),
                                       Word("مدينة", "مَدِينَة", "NOUN"), Word("ها", "هُوَ", "PRON")))
    assert token.is_multiword and (token.lemma, token.upos) == ("مَدِينَة", "NOUN")
    clitics_only = Token(0, 2, "وب", (Word("و", "و", "CCONJ"), Word("ب", "بِ", "ADP")))
    assert clitics_only.upos == "ADP"
    assert Token(0, 0, "", ()).lemma is None


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown NLP backend 'spacy'"):
        get_backend("spacy")


def test_entities_frame_on_the_seeds(seed_corpus):
    frame = entities_frame(seed_corpus)
    assert set(frame.article_id) == {a.id for a in seed_corpus.articles}
    texts = {a.id: a.text for a in seed_corpus.articles}
    assert all(texts[r.article_id][r.start:r.end] == r.surface for r in frame.itertuples())
    per_article = frame.groupby("article_id").canonical_id.apply(set)
    assert "csto_secretary_general" in per_article["004_6000a56a302bf043"]
    assert "kz_interior_ministry" in per_article["003_8810d80a09cc04a1"]


def test_compare_entities_labels_both_and_only():
    gaz = pd.DataFrame([
        {"article_id": "a", "start": 0, "end": 5, "surface": "ألماتي", "type": "place", "canonical_id": "almaty", "source": "gazetteer"},
        {"article_id": "a", "start": 10, "end": 15, "surface": "الكرملين", "type": "institution", "canonical_id": "kremlin", "source": "gazetteer"},
    ])
    stz = pd.DataFrame([
        {"article_id": "a", "start": 0, "end": 5, "surface": "ألماتي", "type": "LOC", "canonical_id": "almaty", "source": "stanza"},
        {"article_id": "a", "start": 20, "end": 30, "surface": "رحيم أوشاكباييف", "type": "PER", "canonical_id": None, "source": "stanza"},
        {"article_id": "b", "start": 10, "end": 15, "surface": "الكرملين", "type": "ORG", "canonical_id": "kremlin", "source": "stanza"},
    ])
    out = compare_entities(gaz, stz)
    assert list(out.found_by) == ["both", "only_gazetteer", "only_stanza", "only_stanza"]
    assert out.iloc[0].stanza_type == "LOC"


def test_the_rule_backend_never_imports_stanza():
    # stanza pulls in torch (seconds, hundreds of MB): the default path must not pay for the optional extra
    import subprocess
    import sys

    code = ("import sys, kzlib.nlp as nlp; nlp.get_backend('rules').analyze('وصل توكاييف إلى ألماتي.'); "
            "print('stanza' in sys.modules, 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_rules_backend_gives_the_same_entities_without_tokens_and_sentences():
    from kzlib.corpus import load_corpus
    from kzlib.nlp.rules import RuleBackend

    backend = RuleBackend()
    for article in load_corpus("data/corpus.csv").articles:
        assert backend.entities(article.text) == backend.analyze(article.text).entities

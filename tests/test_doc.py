"""The annotated document: each step adds one layer that a test can check alone."""

import pytest

from kzlib.attribution import find_cues
from kzlib.claims import (PIPELINE, assign_categories, assign_groups, claims_of, find_category_words, find_clauses,
                          find_entities, find_group_words, find_numbers, index_words, read_sentences)
from kzlib.doc import Doc, Span, run

TEXT = "قالت وزارة الداخلية الكازاخستانية إن 5 أشخاص قتلوا في ألماتي.\nوأضافت أن 12 آخرين أصيبوا."


def test_doc_holds_text_folded_text_and_tokens_with_original_offsets():
    doc = Doc("قُتـل ٥ أشخاص")
    assert doc.norm.text == "قتل 5 اشخاص"
    assert [doc.text[t.start:t.end] for t in doc.tokens] == ["قُتـل", "٥", "أشخاص"]
    assert doc.token_starts == [t.start for t in doc.tokens]


def test_sentences_and_numbers_layer():
    doc = run(Doc(TEXT), [read_sentences, index_words, find_entities, find_numbers])
    assert [TEXT[s.start:s.end] for s in doc.sentences] == TEXT.split("\n")
    numbers = doc.layer("numbers")
    assert [(n.text(doc), n.label, n.attrs["sentence"]) for n in numbers] == [("5", "exact", 0), ("12", "exact", 1)]
    assert all(doc.tokens[n.first].start == n.start for n in numbers)


def test_entities_layer_spans_are_as_written():
    doc = run(Doc(TEXT), [read_sentences, index_words, find_entities])
    found = [(e.label, e.attrs["type"], e.text(doc)) for e in doc.layer("entities")]
    assert ("kz_interior_ministry", "institution", "وزارة الداخلية الكازاخستانية") in found
    assert ("almaty", "place", "ألماتي") in found


def test_cues_layer_resolves_the_speaker_and_its_continuation():
    doc = run(Doc(TEXT), [read_sentences, index_words, find_entities, find_cues])
    cues = doc.layer("cues")
    assert [(c.text(doc), c.label, c.attrs["speaker"]) for c in cues] == [
        ("قالت", "verb", "kz_interior_ministry"), ("وأضافت", "verb", "kz_interior_ministry")]


def test_groups_and_categories_layers_describe_counts():
    text = "قتل 5 أشخاص وأصيب 12 آخرين في ألماتي."
    doc = run(Doc(text), [read_sentences, index_words, find_entities, find_numbers, find_category_words,
                          find_group_words, find_clauses, assign_groups, assign_categories])
    groups = {i: (g.label, g.text(doc)) for i, g in doc.by_count("groups").items()}
    assert groups == {0: ("people", "أشخاص"), 1: ("people", "آخرين")}   # آخرين inherits the count before
    assert {i: c.label for i, c in doc.by_count("categories").items()} == {0: "killed", 1: "injured"}


def test_pipeline_claims_equal_claims_of_the_steps():
    from kzlib.claims import extract_text

    doc = run(Doc(TEXT), PIPELINE)
    assert claims_of(doc) == extract_text(TEXT)
    assert {"numbers", "entities", "cues", "categories", "groups", "sources", "places"} <= set(doc.spans)


def test_a_layer_is_added_once_and_a_missing_layer_names_its_step():
    doc = Doc(TEXT)
    doc.add("numbers", [])
    with pytest.raises(ValueError, match="already"):
        doc.add("numbers", [])
    with pytest.raises(KeyError, match="run its step first"):
        doc.layer("groups")


def test_in_sentence_slices_a_layer_by_sentence():
    doc = run(Doc(TEXT), [read_sentences, index_words, find_entities, find_numbers])
    first, second = doc.sentences
    assert [n.text(doc) for n in doc.in_sentence("numbers", second)] == ["12"]
    assert isinstance(doc.in_sentence("numbers", first)[0], Span)


def test_empty_text_gives_an_empty_document():
    doc = run(Doc(""), PIPELINE)
    assert doc.sentences == [] and claims_of(doc) == []


def test_claim_cues_are_the_cues_of_the_sentences_up_to_the_last_claim():
    # find_claim_cues reads the sentences up to the last one holding a claim: the cues it finds must be
    # those of the whole layer there (a cue depends on the sentences before it, never on those after it)
    from kzlib.claims import find_claim_cues

    text = (TEXT + "\nوقال المتحدث باسم الشرطة إن التحقيق مستمر.\nوأضاف أن 3 أشخاص اعتقلوا."
            "\nوذكرت وكالة الأنباء أن الهدوء عاد إلى المدينة.")
    whole = run(Doc(text), [read_sentences, index_words, find_entities, find_cues]).layer("cues")
    doc = run(Doc(text), PIPELINE)
    last = max(doc.layer("numbers")[c.attrs["count"]].attrs["sentence"] for c in doc.layer("categories"))
    assert last < len(doc.sentences) - 1          # a sentence after the last claim, with a cue of its own
    cut = doc.sentences[last].end
    assert doc.layer("cues") == [c for c in whole if c.start < cut] and len(whole) > len(doc.layer("cues"))
    empty = run(Doc("قال المتحدث إن الهدوء عاد."), [read_sentences, index_words, find_entities, find_numbers,
                                                    find_category_words, find_group_words, find_clauses,
                                                    assign_groups, assign_categories, find_claim_cues])
    assert empty.layer("cues") == []              # no claim: no cue is read


def test_extraction_leaves_no_reference_cycles(seed_corpus):
    # An article's document (tokens, spans, layers) must be freed by reference counting when its claims are
    # returned: a cycle (a nested function calling itself kept the whole Doc alive) holds every article until
    # the cyclic collector runs, which then costs about 5% of extraction time on the synthetic corpus.
    import gc

    from kzlib.claims import extract_claims

    articles = seed_corpus.articles
    extract_claims(articles[0])                     # lexicons loaded before the count
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        found = sum(len(extract_claims(a)) for a in articles)
        unreachable = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert found > 0
    assert unreachable == 0

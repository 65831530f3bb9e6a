"""The groups and places layers of the document, and their word lists (groups.tsv, place_words.tsv)."""

from kzlib.claims import PIPELINE, assign_groups, assign_places
from kzlib.doc import Doc, run
from kzlib.evaluate import load_vocabulary
from kzlib.tsv import read_tsv
from kzlib.paths import LEXICONS
from kzlib.places import dateline, place_words


def _until(step):
    return PIPELINE[:PIPELINE.index(step) + 1]


def test_groups_layer_keeps_the_group_as_written_and_the_counted_phrase():
    text = "قُتل 21 فرداً من قوات الأمن وأصيب 40 آخرون."
    doc = run(Doc(text), _until(assign_groups))
    groups = {g.attrs["count"]: g for g in doc.layer("groups")}
    first, second = groups[0], groups[1]
    assert (first.label, first.attrs["detail"]) == ("security_forces", "security_personnel")
    s, e = first.attrs["text"]
    assert text[s:e] == "قوات الأمن"
    assert doc.tokens[first.attrs["head_last"]].norm == doc.tokens[doc.layer("numbers")[0].last + 1].norm   # فرداً
    # "آخرون" resolves to the group of the count before, kept with its offsets
    assert second.label == "security_forces" and text[slice(*second.attrs["text"])] == "قوات الأمن"


def test_places_layer_known_and_unknown():
    text = "قتل 3 في مخيم كلمة وأصيب 8 في نيالا."
    doc = run(Doc(text), _until(assign_places))
    places = {p.attrs["count"]: p for p in doc.layer("places")}
    assert places[0].label is None and text[places[0].start:places[0].end] == "مخيم كلمة"
    assert places[1].label == "nyala"


def test_dateline_is_the_place_of_sentences_that_name_none_unless_it_is_a_desk_abroad():
    claims_text = "نيالا - قال مسؤول إن 12 شخصاً قتلوا أمس."
    assert dateline(claims_text, 0, len(claims_text))[0] == "nyala"
    desk = "جنيف - قالت المنظمة إن 40 شخصاً قتلوا في السودان."
    assert dateline(desk, 0, len(desk), named={"geneva", "sudan"}) is None
    # a headline "الأمم المتحدة: ..." names a speaker, not a place
    assert dateline("الأمم المتحدة: فرار 5 آلاف", 0, 26) is None


def test_every_group_row_maps_a_fine_id_onto_its_coarse_subject():
    vocabulary = load_vocabulary()
    for row in read_tsv(LEXICONS / "groups.tsv"):
        assert row["subject"] in vocabulary.subjects, row
        if row["detail"]:
            assert vocabulary.subject_details[row["detail"]] == row["subject"], row


def test_place_words_are_of_known_kinds_and_types_have_a_rank():
    words = place_words()
    assert {"preposition", "toward", "place_type", "name_head", "stop"} <= set(words)
    for row in read_tsv(LEXICONS / "place_words.tsv"):
        if row["kind"] in ("place_type", "place_type_prep", "anaphor"):
            assert float(row["rank"]) >= 0, row     # facilities rank 3.5, between a city and a province

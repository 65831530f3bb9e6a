"""The held-out test set (data/annotations/test): valid, about events the development set does not cover,
and its two independent readings agree on almost every claim (no extractor involved)."""

import json

import pytest

from kzlib.corpus import load_corpus
from kzlib.evaluate import OPEN_GOLD_FIELDS, gold_sets, load_gold, match
from kzlib.paths import ANNOTATIONS

TEST, DEV = ANNOTATIONS / "test", ANNOTATIONS / "dev"


@pytest.fixture(scope="module")
def texts():
    corpus = load_corpus(TEST / "articles")
    assert not corpus.skipped, corpus.skipped
    return {a.id: a.text for a in corpus.articles}


def _read(path, texts):
    import shutil
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / path.name)
        return load_gold(folder, texts=texts)


def test_every_article_is_annotated_with_the_open_fields(texts):
    gold = load_gold(TEST / "gold", texts=texts)
    assert len(texts) >= 24 and {g["article_id"] for g in gold} == set(texts)
    for path in sorted((TEST / "gold").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert list(json.loads(line)) == list(OPEN_GOLD_FIELDS) + ["note"], f"{path.name}:{n}"


def test_no_place_or_source_of_the_development_set_is_reused(texts):
    test_gold = load_gold(TEST / "gold", texts=texts)
    dev_texts = {a.id: a.text for a in load_corpus(DEV / "articles").articles}
    dev_gold = load_gold(DEV / "gold", texts=dev_texts)
    test_places = {g["location"] for g in test_gold if g["location"]}
    dev_places = {g["location"] for g in dev_gold if g["location"]}
    assert len(test_places) >= 10 and not test_places & dev_places
    # international bodies report on every event; every other source is new
    shared = {g["attributed_to"] for g in test_gold if g["attributed_to"]} & {g["attributed_to"] for g in dev_gold}
    assert {g["source_type"] for g in test_gold if g["attributed_to"] in shared} <= {"un_agency", "international_body", "ngo"}


def test_two_readings_agree_on_almost_every_claim(texts):
    for path in sorted((TEST / "gold").glob("*.jsonl")):
        a = _read(TEST / "readings" / f"{path.stem}.a.jsonl", texts)
        b = _read(TEST / "readings" / f"{path.stem}.b.jsonl", texts)
        assert len(match(a, b).pairs) >= 0.9 * max(len(a), len(b)), path.stem


def test_kz_evaluate_scores_it_apart_and_does_not_gate_on_it():
    sets = {s.name: s for s in gold_sets()}
    assert sets["test"].gold_dir == TEST / "gold" and not sets["test"].gating
    assert sets["seeds"].gating

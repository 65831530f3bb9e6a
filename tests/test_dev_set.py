"""The development set across events (data/annotations/dev): valid, as large and as varied as promised,
and its two readings agree on the claims (no extractor involved)."""

import json
from collections import Counter

import pytest

from kzlib.corpus import load_corpus
from kzlib.evaluate import OPEN_GOLD_FIELDS, load_gold, match
from kzlib.paths import ANNOTATIONS

DEV = ANNOTATIONS / "dev"


@pytest.fixture(scope="module")
def texts():
    corpus = load_corpus(DEV / "articles")
    assert not corpus.skipped, corpus.skipped
    return {a.id: a.text for a in corpus.articles}


@pytest.fixture(scope="module")
def gold(texts):
    return load_gold(DEV / "gold", texts=texts)


def test_sixty_openings_on_eight_kinds_of_event_every_one_annotated(texts, gold):
    assert len(texts) >= 60
    events = {article_id.split("_")[0] for article_id in texts}
    assert len(events) >= 8, events
    assert {g["article_id"] for g in gold} == set(texts)


def test_rows_have_the_open_fields_in_order(gold):
    for path in sorted((DEV / "gold").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert list(json.loads(line)) == list(OPEN_GOLD_FIELDS) + ["note"], f"{path.name}:{n}"


def test_the_constructions_the_issues_name_are_covered(gold):
    categories = Counter(g["category"] for g in gold)
    assert categories["missing"] + categories["displaced"] >= 30
    sourced = [g for g in gold if g["source_text"]]
    assert len({g["source_type"] for g in sourced}) >= 12
    assert len({g["attributed_to"] for g in sourced}) >= 100     # open sources, most unknown to any lexicon
    assert sum(g["attributed_to"] is None for g in gold) >= 10   # claims with no source
    assert len({g["location"] for g in gold if g["location"]}) >= 60
    assert len({g["subject_detail"] for g in gold if g["subject_detail"]}) >= 15
    # Arabic-Indic digits, number words and vague counts all occur
    quotes = " ".join(g["quote"] for g in gold)
    assert any("٠" <= ch <= "٩" for ch in quotes)
    assert Counter(g["qualifier"] for g in gold).keys() >= {"exact", "at_least", "approx", "at_most", "range", "vague"}


def test_two_readings_exist_for_every_file_and_agree_on_almost_every_claim(texts):
    for path in sorted((DEV / "gold").glob("*.jsonl")):
        stem = path.stem
        a = load_gold_file(DEV / "readings" / f"{stem}.a.jsonl", texts)
        b = load_gold_file(DEV / "readings" / f"{stem}.b.jsonl", texts)
        result = match(a, b)
        assert len(result.pairs) >= 0.85 * max(len(a), len(b)), stem


def load_gold_file(path, texts):
    import shutil
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / path.name)
        return load_gold(folder, texts=texts)


def test_compare_readings_lists_what_only_one_reading_has(tmp_path, texts, capsys):
    import runpy

    path = next(iter(sorted((DEV / "readings").glob("*.a.jsonl"))))
    rows = path.read_text(encoding="utf-8").splitlines()
    (tmp_path / "a.jsonl").write_text("\n".join(rows), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(rows[1:]), encoding="utf-8")
    tool = runpy.run_path(str(ANNOTATIONS.parents[1] / "tools" / "compare_readings.py"))
    assert tool["main"]([str(DEV / "articles"), str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]) == 0
    out = capsys.readouterr().out
    first = json.loads(rows[0])
    assert "## only in A: 1" in out and f"«{first['quote']}»" in out and "## only in B: 0" in out

"""kzlib.notebook: the prelude the report notebooks share (paths under the project root, texts, claims)."""

from __future__ import annotations

import pytest

from kzlib import notebook
from kzlib.paths import RAW, ROOT


def test_project_path_keeps_absolute_paths_and_roots_relative_ones(tmp_path):
    assert notebook.project_path(tmp_path) == tmp_path
    assert notebook.project_path("data/corpus.csv") == ROOT / "data" / "corpus.csv"


def test_a_parquet_corpus_is_a_ledger_without_texts(tmp_path):
    ledger = tmp_path / "claims.parquet"
    assert notebook.is_ledger(ledger) and not notebook.is_ledger("data/corpus.csv")
    loaded = notebook.load_texts(ledger)
    assert loaded.articles == [] and loaded.skipped == []


def test_missing_corpus_is_an_error_unless_missing_ok(tmp_path):
    with pytest.raises((OSError, ValueError)):
        notebook.load_texts(tmp_path / "nothing_here")
    assert notebook.load_texts(tmp_path / "nothing_here", missing_ok=True).articles == []


def test_load_claims_reads_the_ledger_when_given_else_extracts(tmp_path):
    from kzlib.corpus import load_corpus
    from kzlib.ledger import write_ledger

    extracted = notebook.load_claims(RAW)
    assert len(extracted) > 0
    ledger = write_ledger(load_corpus(RAW), tmp_path / "claims.parquet")
    read = notebook.load_claims("ignored-when-a-ledger-is-given.csv", ledger)
    key = ["article_id", "start", "end", "category", "value"]
    assert list(read.columns) == list(extracted.columns)
    assert sorted(map(tuple, read[key].astype(str).values)) == sorted(map(tuple, extracted[key].astype(str).values))


def test_a_folder_with_claims_is_a_ledger_but_a_folder_of_articles_is_not(tmp_path):
    (tmp_path / "dask_out" / "claims").mkdir(parents=True)
    (tmp_path / "articles").mkdir()
    assert notebook.is_ledger(tmp_path / "dask_out")
    assert not notebook.is_ledger(tmp_path / "articles") and not notebook.is_ledger(RAW)


def test_save_tables_writes_csv_and_parquet_under_tables(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"id": ["a", "b"], "value": [1.0, None], "quote": ["مقتل 26", "نحو 6 آلاف"]})
    assert notebook.save_tables(frame, tmp_path, "03_example") is None   # nothing shown at a cell's end
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["03_example.csv", "03_example.parquet"]
    assert pd.read_parquet(tmp_path / "tables" / "03_example.parquet").equals(frame)
    assert pd.read_csv(tmp_path / "tables" / "03_example.csv")["quote"].tolist() == ["مقتل 26", "نحو 6 آلاف"]


def test_computed_once_shares_a_result_per_corpus_and_recomputes_when_the_corpus_changes(tmp_path):
    import pandas as pd

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"n": [len(calls)]})

    first = notebook.computed_once(tmp_path / "out", "timeline", corpus, compute)
    again = notebook.computed_once(tmp_path / "out", "timeline", corpus, compute)
    assert len(calls) == 1 and again.equals(first)
    corpus.write_text('{"id": "a", "text": "xy"}\n', encoding="utf-8")
    changed = notebook.computed_once(tmp_path / "out", "timeline", corpus, compute)
    assert len(calls) == 2 and changed["n"].tolist() == [2]

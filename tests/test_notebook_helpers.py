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

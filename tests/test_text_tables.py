"""The notebooks' text tables (kzlib.text_tables): the same rows whether `kz extract --out` stored them or a
notebook works them out from the texts, never read when stale, never left half-written."""

import json
import os

import pandas as pd
import pytest

from kzlib import sources, text_tables, timeline
from kzlib.cli import main
from kzlib.corpus import Corpus, Skip
from kzlib.gazetteer import load_gazetteer
from kzlib.nlp.entities import entities_frame
from kzlib.notebook import text_table
from kzlib.paths import MANIFEST


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The seeds extracted once with `kz extract --out`: (ledger path, its text tables folder)."""
    ledger = tmp_path_factory.mktemp("extracted") / "seeds.parquet"
    assert main(["extract", str(MANIFEST), "--out", str(ledger)]) == 0
    return ledger, text_tables.text_tables_dir(ledger)


def _notebook_functions(corpus):
    """Each table as the notebooks' functions built it before there were stored tables."""
    articles = corpus.articles
    return {"articles": corpus.articles_frame().drop(columns=["text"]),
            "skipped": pd.DataFrame([{"source": s.source, "reason": s.reason} for s in corpus.skipped],
                                    columns=["source", "reason"]),
            "source_mentions": sources.source_mentions(articles, load_gazetteer()),
            "framing_hits": sources.framing_hits(articles),
            "date_mentions": timeline.timeline_frame(articles),
            "entities": entities_frame(articles, backend="rules")}


def test_computed_tables_are_the_notebook_functions_tables(seed_corpus):
    computed = text_tables.compute(seed_corpus)
    for name, expected in _notebook_functions(seed_corpus).items():
        pd.testing.assert_frame_equal(computed[name], expected, obj=name)
    assert len(computed["source_mentions"]) and len(computed["framing_hits"]) and len(computed["entities"])


def test_kz_extract_stores_the_same_tables_beside_the_ledger(stored, seed_corpus):
    ledger, folder = stored
    assert folder == ledger.with_name("seeds.text_tables") and folder.is_dir()
    assert text_tables.stored_tables_problem(ledger) is None
    computed = text_tables.compute(seed_corpus)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"] == 5
    for name in text_tables.TABLES:
        frame = text_tables.read_stored(ledger, name)
        assert manifest["rows"][name] == len(frame)
        pd.testing.assert_frame_equal(frame, computed[name], check_dtype=False, obj=name)
    assert not [p for p in ledger.parent.iterdir() if p.name.startswith(".")]   # no temporary left


def test_rows_go_out_in_chunks_with_the_same_result(tmp_path, monkeypatch, seed_corpus):
    monkeypatch.setattr(text_tables, "_CHUNK_ARTICLES", 2)     # 5 articles: three row groups per table
    ledger = tmp_path / "chunked.parquet"
    assert main(["extract", str(MANIFEST), "--out", str(ledger)]) == 0
    import pyarrow.parquet as pq

    assert pq.ParquetFile(text_tables.text_tables_dir(ledger) / "source_mentions.parquet").num_row_groups == 3
    computed = text_tables.compute(seed_corpus)
    for name in ("source_mentions", "date_mentions"):
        pd.testing.assert_frame_equal(text_tables.read_stored(ledger, name), computed[name], check_dtype=False)


def test_a_notebook_reads_stored_tables_and_says_so(stored, tmp_path, capsys):
    ledger, _ = stored
    frame = text_table("framing_hits", MANIFEST, ledger, tmp_path / "report")
    assert "framing_hits: 100 rows stored beside the ledger" in capsys.readouterr().out
    assert len(frame) == 100
    assert not (tmp_path / "report" / "cache").exists()      # nothing worked out from the texts


def test_a_changed_ledger_or_word_list_means_the_texts_are_read_again(stored, tmp_path, monkeypatch, capsys):
    ledger, _ = stored
    copy = tmp_path / "seeds.parquet"
    copy.write_bytes(ledger.read_bytes())
    assert "no seeds.text_tables/ beside the ledger" in text_tables.stored_tables_problem(copy)

    digest = text_tables.lexicons_digest()
    monkeypatch.setattr(text_tables, "lexicons_digest", lambda: {**digest, "framing.tsv": "0" * 64})
    assert "word lists changed since the extraction (framing.tsv)" in text_tables.stored_tables_problem(ledger)
    frame = text_table("framing_hits", MANIFEST, ledger, tmp_path / "report")
    out = capsys.readouterr().out
    assert "framing_hits: worked out from the article texts" in out and "framing.tsv" in out
    assert len(frame) == 100
    monkeypatch.undo()

    stat = ledger.stat()
    os.utime(ledger, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert "it changed since" in text_tables.stored_tables_problem(ledger)
    finally:
        os.utime(ledger, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert text_tables.stored_tables_problem(ledger) is None


def test_an_unreadable_manifest_is_named_not_raised(tmp_path):
    ledger = tmp_path / "l.parquet"
    assert main(["extract", str(MANIFEST), "--out", str(ledger)]) == 0
    (text_tables.text_tables_dir(ledger) / "manifest.json").write_text("{not json", encoding="utf-8")
    assert "manifest.json cannot be read" in text_tables.stored_tables_problem(ledger)
    assert "no text_tables/ in the ledger" in text_tables.stored_tables_problem(tmp_path)
    assert "no such ledger" in text_tables.stored_tables_problem(tmp_path / "missing.parquet")


def test_nothing_loaded_leaves_no_tables(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.bin").write_bytes(b"\x00\x01")
    ledger = tmp_path / "out" / "l.parquet"
    assert main(["extract", str(empty), "--out", str(ledger)]) == 1
    assert not ledger.exists() and not text_tables.text_tables_dir(ledger).exists()
    assert not list((tmp_path / "out").iterdir())


def test_skips_are_kept_with_their_reason():
    frames = text_tables.compute(Corpus([], [Skip("a.txt", "empty file")], "x"))
    assert frames["skipped"].to_dict("records") == [{"source": "a.txt", "reason": "empty file"}]
    assert frames["articles"].empty and list(frames["articles"].columns)[:2] == ["id", "outlet"]


def test_an_unknown_table_is_refused():
    with pytest.raises(ValueError, match="unknown text tables"):
        text_tables.TextTableRows(["quotes"])


def test_a_dask_ledger_folder_holds_the_same_tables(tmp_path, seed_corpus, capsys):
    pytest.importorskip("dask")
    out = tmp_path / "ledger_dask"
    assert main(["extract", str(MANIFEST), "--out", str(out), "--dask", "sync"]) == 0
    assert text_tables.text_tables_dir(out) == out / "text_tables"
    assert text_tables.stored_tables_problem(out) is None
    computed = text_tables.compute(seed_corpus)
    for name in text_tables.TABLES:
        pd.testing.assert_frame_equal(text_tables.read_stored(out, name), computed[name], check_dtype=False, obj=name)
    capsys.readouterr()
    text_table("date_mentions", MANIFEST, out, tmp_path / "report")
    assert "date_mentions: 26 rows stored beside the ledger" in capsys.readouterr().out


def test_a_killed_extractions_half_built_tables_are_removed(tmp_path):
    running = tmp_path / f".l.text_tables.{os.getppid()}.tmp"     # a live process's build is left alone
    running.mkdir()
    dead = next(pid for pid in range(4_000_000, 4_100_000) if not text_tables._running(pid))
    leftover = tmp_path / f".l.text_tables.{dead}.tmp"
    leftover.mkdir()
    (leftover / "entities.parquet").write_bytes(b"half")
    assert main(["extract", str(MANIFEST), "--out", str(tmp_path / "l.parquet")]) == 0
    assert not leftover.exists() and running.is_dir()
    assert text_tables.stored_tables_problem(tmp_path / "l.parquet") is None

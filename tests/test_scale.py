"""kzlib.scale: the Dask path gives exactly the single-process claims, records skips, writes a fixed schema."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from collections import Counter

import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from kzlib.claims import CLAIM_FIELDS  # noqa: E402
from kzlib.corpus import Article, Skip, iter_articles  # noqa: E402
from kzlib.ledger import iter_claims  # noqa: E402
from kzlib.paths import RAW, ROOT  # noqa: E402
from kzlib.ledger import read_ledger as read_claims  # noqa: E402  (a ledger folder: partitions in number order)
from kzlib.scale import claims_schema, extract_with_dask, list_corpus_files, read_skipped  # noqa: E402

_spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("synth", synth)
_spec.loader.exec_module(synth)


def _cell(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None         # pd.NA: a null of the nullable offset columns (subject_start ...)
    if isinstance(value, float) and value.is_integer():
        return float(value)
    return value


def rows_of_claims(claims) -> Counter:
    return Counter(tuple(_cell(getattr(c, f)) for f in CLAIM_FIELDS) for c in claims)


def rows_of_frame(frame: pd.DataFrame) -> Counter:
    return Counter(tuple(_cell(v) for v in row) for row in frame[list(CLAIM_FIELDS)].itertuples(index=False))


@pytest.fixture(scope="module")
def client():
    # Two worker processes, as on a real (small) cluster; the workers import kzlib themselves.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def synthetic_jsonl(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth_jsonl")
    synth.write_corpus(out, 60, seed=11, shard_size=20)
    return out


@pytest.fixture(scope="module")
def synthetic_on_cluster(client, synthetic_jsonl, tmp_path_factory):
    """The synthetic shards extracted on the cluster with npartitions=3 (so Dask groups the four entries, the
    shards and synth's hidden .synth.json, two to a task), once for the tests that compare it with the
    single-process claims, the other schedulers and the same articles as Parquet."""
    return extract_with_dask(synthetic_jsonl, tmp_path_factory.mktemp("synth_cluster") / "out", scheduler=client,
                             npartitions=3)


def test_cluster_gives_exactly_the_single_process_claims_on_the_seeds(client, tmp_path):
    expected = rows_of_claims(iter_claims(RAW))
    assert sum(expected.values()) > 10  # the seeds do hold claims: the comparison is not vacuous
    result = extract_with_dask(RAW, tmp_path / "out", scheduler=client)
    claims = read_claims(result.out_dir)
    assert rows_of_frame(claims) == expected
    assert result.files == 5 and result.articles == 5 and result.claims == sum(expected.values())
    articles = {a.id: a for a in iter_articles(RAW) if isinstance(a, Article)}
    for row in claims.itertuples(index=False):
        assert row.outlet == articles[row.article_id].outlet
        assert _cell(row.date) == articles[row.article_id].date
        assert articles[row.article_id].text[row.start:row.end] == row.quote


def test_cluster_gives_exactly_the_single_process_claims_on_synthetic_shards(synthetic_on_cluster, synthetic_jsonl):
    shards = list_corpus_files(synthetic_jsonl)
    assert [p.name for p in shards] == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    expected = rows_of_claims(iter_claims([str(p) for p in shards]))
    assert sum(expected.values()) > 60
    result = synthetic_on_cluster
    assert rows_of_frame(read_claims(result.out_dir)) == expected
    # the walk lists every entry: synth's hidden .synth.json is the one skip, as in the single-process path
    assert result.articles == 60 and result.skipped == 1
    assert read_skipped(result.out_dir)["source"].str.endswith(".synth.json").all()
    # Arabic-Indic figures reach the ledger too (synth writes about a quarter of the articles that way).
    assert read_claims(result.out_dir)["quote"].str.contains("[٠-٩]").any()


def test_threaded_default_and_sync_schedulers_agree_with_the_cluster(synthetic_on_cluster, synthetic_jsonl, tmp_path):
    on_cluster = rows_of_frame(read_claims(synthetic_on_cluster.out_dir))
    threaded = rows_of_frame(read_claims(extract_with_dask(synthetic_jsonl, tmp_path / "b").out_dir))
    synchronous = rows_of_frame(read_claims(extract_with_dask(synthetic_jsonl, tmp_path / "c", scheduler="sync", npartitions=1).out_dir))
    assert on_cluster == threaded == synchronous


def test_parquet_shards_give_the_same_claims_as_jsonl_shards(client, synthetic_on_cluster, tmp_path):
    parquet_dir = tmp_path / "pq"
    synth.write_corpus(parquet_dir, 60, seed=11, shard_size=20, fmt="parquet")
    from_parquet = extract_with_dask(parquet_dir, tmp_path / "out_pq", scheduler=client)
    from_jsonl = synthetic_on_cluster
    assert from_parquet.articles == from_jsonl.articles == 60
    assert rows_of_frame(read_claims(from_parquet.out_dir)) == rows_of_frame(read_claims(from_jsonl.out_dir))


def _bad_shard(path):
    good = synth.synthetic_article(synth.load_seed_pool(), 0, seed=5)
    lines = [
        json.dumps(good, ensure_ascii=False),
        '{"id": "broken", "text": "مقتل 5 أشخاص',                        # truncated JSON
        json.dumps({"id": "empty", "text": "   "}, ensure_ascii=False),  # no text
        json.dumps({"id": "notext", "outlet": "x"}, ensure_ascii=False),  # no text field at all
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_recorded_as_the_same_skips_as_single_process(client, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    bad = _bad_shard(corpus / "bad.jsonl")
    expected_skips = sorted((s.source, s.reason) for s in iter_articles(bad) if isinstance(s, Skip))
    assert len(expected_skips) == 3
    result = extract_with_dask(corpus, tmp_path / "out", scheduler=client)
    skipped = read_skipped(result.out_dir)
    assert sorted(zip(skipped["source"], skipped["reason"])) == expected_skips
    assert result.skipped == 3 and result.articles == 1
    assert rows_of_frame(read_claims(result.out_dir)) == rows_of_claims(iter_claims(str(bad)))


def test_every_partition_has_the_fixed_claims_schema(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("قال مسؤول إن 12 شخصا قتلوا في ألماتي أمس.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("   \n", encoding="utf-8")  # no article, so no claims in this partition
    result = extract_with_dask(corpus, tmp_path / "out", scheduler="sync", npartitions=2)
    parts = sorted((result.out_dir / "claims").glob("*.parquet"))
    assert len(parts) == 2
    for part in parts:
        assert pq.read_schema(part).remove_metadata() == claims_schema()
    assert result.skipped == 1


def test_on_error_skip_records_a_failing_article_raise_names_it(tmp_path, monkeypatch, synthetic_jsonl):
    import kzlib.claims

    real = kzlib.claims.extract_claims

    def flaky(article):
        if article.id.endswith("0000007"):
            raise ValueError("boom")
        return real(article)

    monkeypatch.setattr(kzlib.claims, "extract_claims", flaky)
    result = extract_with_dask(synthetic_jsonl, tmp_path / "out", scheduler="sync", on_error="skip")
    skipped = read_skipped(result.out_dir)
    assert list(skipped["reason"]) == ["hidden file (name starts with '.'): not read",     # synth's .synth.json
                                       "claim extraction failed: ValueError: boom"]
    assert result.articles == 59
    with pytest.raises(RuntimeError, match=r"part-00000\.jsonl.*0000007.*boom"):
        extract_with_dask(synthetic_jsonl, tmp_path / "out2", scheduler="sync")
    assert not (tmp_path / "out2").exists()  # a failed run leaves nothing half-written


def test_output_folder_is_replaced_but_never_a_foreign_one(tmp_path):
    # the five seed articles: the folder rules do not depend on the corpus, and they extract in milliseconds
    out = tmp_path / "out"
    first = extract_with_dask(RAW, out, scheduler="sync")
    again = extract_with_dask(RAW, out, scheduler="sync")
    assert first.claims > 0
    assert again.claims == first.claims == len(read_claims(out))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("ملاحظات", encoding="utf-8")
    with pytest.raises(FileExistsError, match="foreign"):
        extract_with_dask(RAW, foreign, scheduler="sync")
    assert (foreign / "notes.txt").exists()


def test_bad_inputs_give_clear_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="empty: no corpus files"):
        extract_with_dask(empty, tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="missing"):
        extract_with_dask(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(ValueError, match="scheduler"):
        extract_with_dask(RAW, tmp_path / "out", scheduler="nonsense")
    with pytest.raises(ValueError, match="on_error"):
        extract_with_dask(RAW, tmp_path / "out", on_error="ignore")


def test_an_id_repeated_across_files_is_an_error_as_in_a_folder(tmp_path):
    from kzlib.corpus import CorpusError

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"id": "same", "text": "أعلنت الشرطة اعتقال 40 شخصا في ألماتي."}
    for name, killed in (("a.jsonl", "40"), ("b.jsonl", "41")):   # different bytes: not a copy of the other
        record = dict(record, text=record["text"].replace("40", killed))
        (corpus / name).write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.jsonl:line 1: duplicate id 'same'"):
        list(iter_articles(corpus))  # the single-process rule ...
    with pytest.raises(CorpusError, match=r"b\.jsonl:line 1: duplicate id 'same' \(first used by .*a\.jsonl:line 1\)"):
        extract_with_dask(corpus, tmp_path / "out", scheduler="sync")  # ... holds across partitions too
    assert not (tmp_path / "out").exists()


def test_the_notebooks_read_the_dask_output_folder_as_a_ledger(tmp_path):
    # "extract once, analyse many times": read_ledger (what every notebook calls for `ledger`) takes the
    # output folder of extract_with_dask, in corpus order, with the same columns as write_ledger's file
    from kzlib.ledger import LEDGER_COLUMNS, claims_frame, read_ledger

    result = extract_with_dask(RAW, tmp_path / "out", scheduler="sync")
    frame = read_ledger(result.out_dir)
    expected = claims_frame(RAW)
    assert list(frame.columns) == list(LEDGER_COLUMNS)
    assert rows_of_frame(frame) == rows_of_frame(expected)
    assert list(frame["article_id"]) == list(expected["article_id"])

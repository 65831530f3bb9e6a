"""Ledger: streaming claims over a corpus, Parquet round trip, and the `kz extract` writer."""

import csv
import io
import json

import pytest

from kzlib.claims import CLAIM_FIELDS
from kzlib.ledger import claims_frame, iter_claims, read_ledger, write_claims, write_ledger
from kzlib.paths import RAW


def run_extract(paths, fmt="jsonl"):
    out, err = io.StringIO(), io.StringIO()
    code = write_claims(paths, fmt=fmt, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_jsonl_has_exactly_the_claim_fields_and_real_arabic():
    code, out, err = run_extract([str(RAW)])
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) >= 14
    rows = [json.loads(line) for line in lines]
    assert all(list(r) == list(CLAIM_FIELDS) for r in rows)
    assert "أكثر من 1300 عنصر أمن أصيبوا" in out      # ensure_ascii=False: a seed claim's quote as written
    assert "\\u06" not in out
    assert {r["category"] for r in rows} >= {"killed", "injured", "arrested", "troops", "aircraft", "attackers", "checkpoints"}


def test_csv_has_a_header_and_the_same_claims_as_jsonl():
    _, out_json, _ = run_extract([str(RAW)])
    code, out_csv, err = run_extract([str(RAW)], fmt="csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    assert list(rows[0]) == list(CLAIM_FIELDS)
    assert len(rows) == len(out_json.splitlines())


def test_single_file_and_skips_reported_on_stderr(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("قالت وزارة الداخلية الكازاخستانية إن 5 أشخاص قتلوا في ألماتي.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00\xd8 not utf-8 \x81")
    code, out, err = run_extract([str(tmp_path)])
    assert code == 0
    assert [json.loads(line)["value"] for line in out.splitlines()] == [5.0]
    assert "bad.txt" in err and "skipped" in err


def test_missing_path_and_unknown_format_are_clear_errors(tmp_path):
    code, out, err = run_extract([str(tmp_path / "nope.txt")])
    assert code == 2 and "nope.txt" in err and out == ""
    code, out, err = run_extract([str(RAW)], fmt="xml")
    assert code == 2 and "xml" in err and out == ""


def test_claims_frame_joins_outlet_and_date():
    frame = claims_frame(RAW)
    assert list(frame.columns)[: len(CLAIM_FIELDS)] == list(CLAIM_FIELDS)
    assert {"outlet", "date"} <= set(frame.columns)
    assert len(frame) == len(list(iter_claims(RAW)))
    assert frame["value"].dtype == "float64" and frame["start"].dtype == "int64"


def test_parquet_round_trip_in_chunks(tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "ledger" / "claims.parquet"
    write_ledger(RAW, target, chunk_size=3)
    assert pq.ParquetFile(target).num_row_groups >= 3
    back = read_ledger(target)
    expected = claims_frame(RAW)
    assert back[list(CLAIM_FIELDS)].equals(expected[list(CLAIM_FIELDS)])
    assert [p.name for p in target.parent.iterdir()] == ["claims.parquet"]   # no temp file left


def test_empty_corpus_gives_a_readable_empty_ledger(tmp_path):
    target = tmp_path / "empty.parquet"
    write_ledger([], target)
    assert len(read_ledger(target)) == 0


def test_read_ledger_rejects_other_tables(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="other.csv: not a claims ledger"):
        read_ledger(other)


def test_a_folder_of_parquet_parts_reads_back_in_partition_order(tmp_path):
    # kzlib.scale writes claims/part.N.parquet; part.10 must come after part.2, as Dask numbered them
    expected = claims_frame(RAW)
    folder = tmp_path / "ledger_dask" / "claims"
    folder.mkdir(parents=True)
    pieces = [expected.iloc[i:i + 2] for i in range(0, len(expected), 2)]
    assert len(pieces) > 10
    for number, piece in enumerate(pieces):
        piece.to_parquet(folder / f"part.{number}.parquet", index=False)
    for given in (folder, folder.parent):          # the claims/ folder itself or the output folder above it
        back = read_ledger(given)
        assert back[list(CLAIM_FIELDS)].equals(expected[list(CLAIM_FIELDS)])


def test_a_folder_without_parquet_files_is_no_ledger(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="needs .parquet files"):
        read_ledger(tmp_path)


def test_ledger_rows_counts_the_claims_of_every_ledger_form(tmp_path):
    from kzlib.ledger import ledger_rows

    expected = len(claims_frame(RAW))
    assert expected > 10
    parquet, csv_file = write_ledger(RAW, tmp_path / "l.parquet"), write_ledger(RAW, tmp_path / "l.csv")
    folder = tmp_path / "dask" / "claims"
    folder.mkdir(parents=True)
    claims_frame(RAW).iloc[:5].to_parquet(folder / "part.0.parquet", index=False)
    claims_frame(RAW).iloc[5:].to_parquet(folder / "part.1.parquet", index=False)
    assert [ledger_rows(p) for p in (parquet, csv_file, folder.parent)] == [expected] * 3


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_read_ledger_columns_reads_those_only(tmp_path, suffix):
    import pandas as pd

    path = write_ledger(RAW, tmp_path / f"ledger{suffix}", skipped=None)
    full = read_ledger(path)
    part = read_ledger(path, columns=["article_id", "quote", "location_text", "not_a_column"])
    assert list(part.columns) == ["article_id", "quote", "location_text"]
    pd.testing.assert_frame_equal(part, full[["article_id", "quote", "location_text"]])


def test_read_ledger_columns_fills_a_later_field_an_old_ledger_lacks(tmp_path):
    path = write_ledger(RAW, tmp_path / "ledger.parquet", skipped=None)
    old = read_ledger(path).drop(columns=["location_text", "source_start"])
    old.to_parquet(tmp_path / "old.parquet", index=False)
    part = read_ledger(tmp_path / "old.parquet", columns=["quote", "location_text", "source_start"])
    assert part["location_text"].isna().all() and str(part["source_start"].dtype) == "Int64"
    old.drop(columns=["start"]).to_parquet(tmp_path / "nostart.parquet", index=False)
    with pytest.raises(ValueError, match="missing columns \\['start'\\]"):
        read_ledger(tmp_path / "nostart.parquet", columns=["start", "quote"])

"""The `kz` command line: `kz extract --out` writes the ledger a report can take (file or Dask folder)."""

import pytest

from kzlib.cli import main
from kzlib.ledger import claims_frame, read_ledger
from kzlib.claims import CLAIM_FIELDS
from kzlib.paths import RAW


def test_extract_out_writes_the_same_ledger_as_write_ledger(tmp_path, capsys):
    target = tmp_path / "ledger.parquet"
    assert main(["extract", str(RAW), "--out", str(target)]) == 0
    expected = claims_frame(RAW)
    assert read_ledger(target)[list(CLAIM_FIELDS)].equals(expected[list(CLAIM_FIELDS)])
    assert f"{len(expected)} claims" in capsys.readouterr().err


def test_extract_out_with_dask_writes_a_folder_the_notebooks_read(tmp_path, capsys):
    pytest.importorskip("dask")
    out = tmp_path / "ledger_dask"
    assert main(["extract", str(RAW), "--out", str(out), "--dask", "sync"]) == 0
    assert sorted(read_ledger(out)["quote"]) == sorted(claims_frame(RAW)["quote"])
    assert "5 articles" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["extract", "{raw}", "--dask", "local"], "give the output folder with --out"),
    (["extract", "{tmp}/missing", "--out", "{tmp}/x.parquet"], "missing: no such file or folder"),
    (["extract", "{raw}", "--out", "{tmp}/x.txt"], "give a .parquet or .csv file"),
])
def test_extract_out_refuses_what_it_cannot_write(tmp_path, capsys, argv, message):
    argv = [a.format(raw=RAW, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists() and not (tmp_path / "x.txt").exists()


def test_prepare_batch_freezes_the_lexicons_and_spaces_collections_out():
    # run in a child: the test process keeps Python's own collector settings
    import subprocess
    import sys

    code = ("import gc; from kzlib.cli import prepare_batch, BATCH_GC_THRESHOLD; before = gc.get_freeze_count(); "
            "prepare_batch(); t = gc.get_threshold(); "
            "print(t[0] == BATCH_GC_THRESHOLD, t[1:] == (10, 10), gc.get_freeze_count() > before + 10000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]

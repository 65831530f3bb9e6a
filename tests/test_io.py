"""Atomic writes: the target appears whole or not at all, with the permissions a plain open() gives."""

import os
import stat

import pytest

from kzlib.io import atomic_path, default_mode, write_text


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_files_get_the_umask_permissions_not_the_temporary_files_owner_only_mode(tmp_path):
    target = write_text(tmp_path / "out" / "report.html", "<p>نص</p>")
    assert target.read_text(encoding="utf-8") == "<p>نص</p>"
    umask = os.umask(0)
    os.umask(umask)
    assert _mode(target) == default_mode() == 0o666 & ~umask
    assert default_mode(directory=True) == 0o777 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = write_text(tmp_path / "t.csv", "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]

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


def test_the_stale_temporaries_of_a_whole_folder_go_in_one_listing(tmp_path):
    import os
    import time

    from kzlib.io import STALE_SECONDS, remove_stale_temporaries_in

    dead = tmp_path / ".a.html.999999999-abc.tmp"        # a pid no process has
    live = tmp_path / f".b.html.{os.getpid()}-abc.tmp"  # ours: in use
    old = tmp_path / ".c.html.abcdefgh.tmp"
    page = tmp_path / "d.html"
    for path in (dead, live, old, page):
        path.write_text("x")
    os.utime(old, (time.time() - STALE_SECONDS - 10,) * 2)
    assert sorted(p.name for p in remove_stale_temporaries_in(tmp_path)) == sorted([dead.name, old.name])
    assert live.exists() and page.exists()

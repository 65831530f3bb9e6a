"""Atomic writes for generated outputs: a reader never sees a half-written file.

Each writer writes to a temporary file in the target folder, then renames it over the target
(os.replace is atomic on one filesystem). The file gets the permissions a plain open() would give
(0o666 minus the umask), not the owner-only mode of a temporary file: reports are published, and a web
server or a colleague must be able to read them.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _read_umask() -> int:
    mask = os.umask(0)      # the only portable way to read it is to set it; restored at once
    os.umask(mask)
    return mask


_UMASK = _read_umask()      # read once, at import (before any thread of ours runs)


def default_mode(directory: bool = False) -> int:
    """Permissions of a new file (0o666) or folder (0o777) minus the process umask, as open()/mkdir give."""
    return (0o777 if directory else 0o666) & ~_UMASK


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on error it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, default_mode())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_table(frame, target: str | os.PathLike) -> Path:
    """Write a pandas DataFrame as CSV (UTF-8 with BOM-less header) or Parquet, by the target's suffix."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if target.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif target.suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8")
        else:
            raise ValueError(f"{target}: unsupported table format {target.suffix!r} (use .csv or .parquet)")
    return target


def write_figure(fig, stem: str | os.PathLike, formats: tuple[str, ...] = ("png", "svg"), **savefig_kwargs) -> list[Path]:
    """Save a matplotlib figure as `stem.png` and `stem.svg` (atomically); returns the paths written."""
    stem = Path(stem)
    written = []
    for fmt in formats:
        target = stem.with_suffix(f".{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, bbox_inches="tight", **savefig_kwargs)
        written.append(target)
    return written

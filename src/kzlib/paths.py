"""Project folders, anchored at the project root (the folder holding pyproject.toml and data/).

The root is, in order: $KZLIB_ROOT; the nearest parent of the working directory that holds
`data/raw` and `pyproject.toml`; the checkout this package was installed from (editable install).
Generated outputs live under gitignored folders: data/interim, data/processed and reports/.
"""

from __future__ import annotations

import os
from pathlib import Path


def _looks_like_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "data" / "raw").is_dir()


def find_root() -> Path:
    env = os.environ.get("KZLIB_ROOT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _looks_like_root(candidate):
            return candidate
    installed_from = Path(__file__).resolve().parents[2]
    if _looks_like_root(installed_from):
        return installed_from
    return cwd


ROOT = find_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
ANNOTATIONS = DATA / "annotations"
MANIFEST = DATA / "corpus.csv"
NOTEBOOKS = ROOT / "notebooks"
LEXICONS = Path(__file__).resolve().parent / "lexicons"

"""The prelude the report notebooks share: their path parameters resolved, their inputs loaded.

Every notebook takes `corpus`, `output_dir` and `ledger` (plain defaults in its parameters cell, set by
papermill); relative paths are relative to the project root, absolute ones are kept. A Parquet `corpus` is
a claims ledger: it has claims but no article texts. A non-empty `ledger` wins over extracting the claims
from `corpus` again.
"""

from __future__ import annotations

import os
from pathlib import Path

from kzlib.paths import ROOT


def project_path(path: str | os.PathLike) -> Path:
    """`path` as given when absolute, else under the project root."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


def is_ledger(corpus: str | os.PathLike) -> bool:
    """A Parquet corpus file, or a folder holding `claims/` (kzlib.scale's output), is a claims ledger: no
    article texts in it. (A folder of Parquet article shards with a `text` column is a corpus.)"""
    path = project_path(corpus)
    return path.suffix == ".parquet" or (path / "claims").is_dir()


def save_tables(frame, output_dir: str | os.PathLike, stem: str, formats: tuple[str, ...] = ("csv", "parquet")) -> None:
    """Write `frame` as `output_dir`/tables/`stem`.csv and .parquet, each atomically.

    Returns None on purpose: as the last line of a cell it shows nothing in the report."""
    from kzlib.io import write_table

    folder = project_path(output_dir) / "tables"
    for suffix in formats:
        write_table(frame, folder / f"{stem}.{suffix}")


def load_texts(corpus: str | os.PathLike, missing_ok: bool = False):
    """The articles of `corpus` (kzlib.corpus.Corpus); an empty Corpus for a ledger — or, with
    `missing_ok`, for a corpus that does not exist."""
    from kzlib.corpus import Corpus, load_corpus

    path = project_path(corpus)
    if is_ledger(path) or (missing_ok and not path.exists()):
        return Corpus([], [], str(path))
    return load_corpus(path)


def load_claims(corpus: str | os.PathLike, ledger: str | os.PathLike = ""):
    """The claims ledger as a DataFrame: read from `ledger` when given, else extracted from `corpus`."""
    from kzlib.ledger import claims_frame, read_ledger

    return read_ledger(project_path(ledger)) if ledger else claims_frame(project_path(corpus))


def has_texts(corpus: str | os.PathLike) -> bool:
    """`corpus` exists and holds article texts (it is not a claims ledger)."""
    path = project_path(corpus)
    return path.exists() and not is_ledger(path)


def text_table(name: str, corpus: str | os.PathLike, ledger: str | os.PathLike = "",
               output_dir: str | os.PathLike = "reports", columns: list[str] | None = None):
    """The text table `name` (kzlib.text_tables: articles, skipped, source_mentions, framing_hits,
    date_mentions, entities): the one stored beside `ledger` (by `kz extract --out`, or by `kz report` with the
    ledger it extracts) when it still matches, else worked out from the texts of `corpus` once per report
    (`computed_once`). With a ledger, says which. `columns`: only these (a stored table reads no other)."""
    from kzlib import text_tables

    if ledger:
        problem = text_tables.stored_tables_problem(project_path(ledger))
        if problem is None:
            frame = text_tables.read_stored(project_path(ledger), name, columns)
            print(f"{name}: {len(frame):,} rows stored beside the ledger")
            return frame
        print(f"{name}: worked out from the article texts of {corpus}: {problem}")

    def compute():
        return text_tables.compute(_texts(str(project_path(corpus))), [name])[name]

    frame = computed_once(output_dir, name, corpus, compute)
    return frame if columns is None else frame.loc[:, list(columns)]


_loaded: dict[str, object] = {}


def _texts(corpus: str):
    """The corpus a notebook reads its texts from, loaded once per kernel (several tables may need it)."""
    if corpus not in _loaded:
        _loaded.clear()
        _loaded[corpus] = load_texts(corpus, missing_ok=True)
    return _loaded[corpus]


#: Results several notebooks need from the article texts (kzlib.text_tables), computed once per
#: corpus and output folder: `output_dir`/cache/<name>-<corpus key>.pkl.
CACHE = "cache"


def computed_once(output_dir: str | os.PathLike, name: str, corpus: str | os.PathLike, compute):
    """`compute()`, or the result an earlier call with the same `name`, `output_dir` and `corpus` saved.

    Notebooks of one report run at the same time: the first to ask computes while the others wait for it
    (a file lock), so each article's text is worked through once. The key is the corpus path with the size
    and modification time of its files, so a changed corpus is worked through again."""
    import fcntl

    import pandas as pd

    folder = project_path(output_dir) / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{corpus_key(corpus)}.pkl"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return pd.read_pickle(path)
        result = compute()
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pd.to_pickle(result, partial)
        os.replace(partial, path)
        return result


def corpus_key(corpus: str | os.PathLike) -> str:
    """A short hash of the corpus path and of the name, size and modification time of each of its files."""
    import hashlib

    path = project_path(corpus).resolve()
    files = [path] if not path.is_dir() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha1(str(path).encode("utf-8"))
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        digest.update(f"\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}".encode("utf-8"))
    return digest.hexdigest()[:16]

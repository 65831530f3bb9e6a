"""The claims ledger over a corpus: streaming claims, a DataFrame, a chunked Parquet file, the `kz extract` writer.

Articles that cannot be read are never dropped silently: they are reported (stderr for the CLI,
a `skipped` callback otherwise) with the reason kzlib.corpus gives.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from kzlib.claims import CLAIM_FIELDS, Claim, extract_claims
from kzlib.io import atomic_path, write_table
from kzlib.scale import FLOAT_FIELDS, INT_FIELDS, NULLABLE_INT_FIELDS, claim_columns, claims_schema, parquet_rows

LEDGER_COLUMNS = claim_columns()     # CLAIM_FIELDS + outlet + date: the same table as kzlib.scale writes


def _iter_sources(source) -> Iterator:
    """Articles and Skips from a path, several paths, a Corpus, one Article or an iterable of Articles."""
    from kzlib.corpus import Article, Corpus, Skip, iter_articles

    if isinstance(source, Corpus):
        yield from source.articles
        yield from source.skipped
    elif isinstance(source, (Article, Skip)):
        yield source
    elif isinstance(source, (str, os.PathLike)):
        yield from iter_articles(source)
    elif isinstance(source, Iterable):
        for item in source:
            yield from _iter_sources(item)
    else:
        raise TypeError(f"cannot read claims from {type(source).__name__}: give a path, a Corpus or Articles")


def _report_skip(skip) -> None:
    print(f"skipped {skip.source}: {skip.reason}", file=sys.stderr)


def iter_articles_with_claims(source, skipped: Callable | None = _report_skip) -> Iterator[tuple[object, list[Claim]]]:
    """(article, its claims) pairs; each Skip goes to `skipped` (default: printed on stderr)."""
    from kzlib.corpus import Skip

    for item in _iter_sources(source):
        if isinstance(item, Skip):
            if skipped is not None:
                skipped(item)
            continue
        yield item, extract_claims(item)


def iter_claims(source, skipped: Callable | None = _report_skip) -> Iterator[Claim]:
    """Every claim of every readable article of `source`, in corpus order."""
    for _article, claims in iter_articles_with_claims(source, skipped):
        yield from claims


def _rows(source, skipped) -> Iterator[dict]:
    for article, claims in iter_articles_with_claims(source, skipped):
        for claim in claims:
            yield claim.as_dict() | {"outlet": getattr(article, "outlet", None), "date": getattr(article, "date", None)}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
    for f in FLOAT_FIELDS:
        frame[f] = frame[f].astype("float64")
    for f in INT_FIELDS:
        frame[f] = frame[f].astype("int64")
    return _nullable_ints(frame)


def _nullable_ints(frame: pd.DataFrame) -> pd.DataFrame:
    """Offsets that may be null (the source mention's) as pandas' nullable Int64, whatever the file gave."""
    for f in NULLABLE_INT_FIELDS:
        if f in frame.columns:
            frame[f] = frame[f].astype("Int64")
    return frame


def claims_frame(source, skipped: Callable | None = _report_skip) -> pd.DataFrame:
    """CLAIM_FIELDS columns plus the article's outlet and date."""
    return _frame(list(_rows(source, skipped)))


def write_ledger(source, path, chunk_size: int = 10_000, skipped: Callable | None = _report_skip) -> Path:
    """Write the ledger to `path` (.parquet streamed in row groups of `chunk_size`, or .csv), atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix != ".parquet":
        return write_table(claims_frame(source, skipped), path)
    schema = claims_schema()
    with atomic_path(path) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            chunk: list[dict] = []
            for row in _rows(source, skipped):
                chunk.append(row)
                if len(chunk) >= chunk_size:  # rows straight to Arrow: no DataFrame per chunk
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                    chunk = []
            # the last (possibly empty) chunk: an empty corpus still gives a readable ledger
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
    return path


def ledger_parts(path) -> list[Path]:
    """The Parquet files of a ledger folder in partition order: `kzlib.scale.extract_with_dask`'s output
    folder (its `claims/` subfolder) or any folder of `part.N.parquet` files; numbers sort as numbers
    (part.2 before part.10), so the claims keep corpus order."""
    path = Path(path)
    folder = path / "claims" if (path / "claims").is_dir() else path
    parts = sorted(folder.glob("*.parquet"), key=_natural_key)
    if not parts:
        raise ValueError(f"{path}: a ledger folder needs .parquet files (a kzlib.scale output folder or its claims/)")
    return parts


def ledger_rows(path) -> int:
    """Claims in a ledger file (.parquet from its metadata, .csv by reading it) or a ledger folder."""
    path = Path(path)
    if path.is_dir():
        return parquet_rows(ledger_parts(path))
    if path.suffix == ".parquet":
        return parquet_rows([path])
    return len(read_ledger(path))


def missing_path(paths) -> str | None:
    """The first of `paths` that does not exist (what `kz extract` refuses before reading anything)."""
    return next((str(p) for p in paths if not Path(p).exists()), None)


def _natural_key(path: Path) -> list:
    return [int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", path.name)]


def read_ledger(path) -> pd.DataFrame:
    """A ledger written by write_ledger (Parquet or CSV) or a folder of Parquet parts (kzlib.scale), with the
    ledger's columns and dtypes."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such ledger")
    if path.is_dir():
        frames = [pd.read_parquet(part) for part in ledger_parts(path)]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    elif path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    else:
        raise ValueError(f"{path}: unsupported ledger format {path.suffix!r} (use .parquet or .csv)")
    missing = [c for c in CLAIM_FIELDS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not a claims ledger, missing columns {missing}")
    return _nullable_ints(frame)


def write_claims(paths, fmt: str = "jsonl", out=sys.stdout, err=None) -> int:
    """`kz extract`: one claim per line (JSON lines or CSV) with exactly the CLAIM_FIELDS names.

    Returns the exit code: 0, or 2 when an input cannot be read at all or the options are wrong."""
    err = err or sys.stderr
    if fmt not in ("jsonl", "csv"):
        print(f"kz extract: unknown format {fmt!r} (jsonl or csv)", file=err)
        return 2
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    missing = missing_path(paths)
    if missing is not None:
        print(f"kz extract: {missing}: no such file or folder", file=err)
        return 2

    def skipped(skip) -> None:
        print(f"skipped {skip.source}: {skip.reason}", file=err)

    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(CLAIM_FIELDS), lineterminator="\n")
        writer.writeheader()
    try:
        for claim in iter_claims(list(paths), skipped=skipped):
            row = claim.as_dict()
            if writer is not None:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except ValueError as exc:   # kzlib.corpus.CorpusError names the file and place
        print(f"kz extract: {exc}", file=err)
        return 2
    return 0

"""The claims ledger over a corpus: streaming claims, a DataFrame, a chunked Parquet file, the `kz extract` writer.

Articles that cannot be read are never dropped silently: they are reported (stderr for the CLI,
a `skipped` callback otherwise) with the reason kzlib.corpus gives.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from kzlib.claims import CLAIM_FIELDS, Claim, extract_claims
from kzlib.io import atomic_path, parquet_parts, read_parquet_frame, write_table
from kzlib.scale import FLOAT_FIELDS, INT_FIELDS, NULLABLE_INT_FIELDS, claim_columns, claims_schema, parquet_rows

LEDGER_COLUMNS = claim_columns()     # CLAIM_FIELDS + outlet + date: the same table as kzlib.scale writes


def _iter_sources(source, recursive: bool = False) -> Iterator:
    """Articles and Skips from a path, several paths, a Corpus, one Article or an iterable of Articles.

    Several paths are read as one walk (kzlib.corpus.iter_articles): a file given twice is read once. A
    Corpus gives its articles only: its skips were reported when it was loaded (load_corpus logs them)."""
    from kzlib.corpus import Article, Corpus, Skip, iter_articles

    if isinstance(source, Corpus):
        yield from source.articles
    elif isinstance(source, (Article, Skip)):
        yield source
    elif isinstance(source, (str, os.PathLike)):
        yield from iter_articles(source, recursive=recursive)
    elif isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, os.PathLike)) for s in source):
        yield from iter_articles(list(source), recursive=recursive)
    elif isinstance(source, Iterable):
        for item in source:
            yield from _iter_sources(item, recursive)
    else:
        raise TypeError(f"cannot read claims from {type(source).__name__}: give a path, a Corpus or Articles")


def report_skip(skip) -> None:
    print(f"skipped {skip.source}: {skip.reason}", file=sys.stderr)


class Tally:
    """What a run read: articles loaded, skips (each also passed on to `skipped`), and whether a folder was
    among the inputs (the summary then says whether subfolders were read)."""

    def __init__(self, skipped: Callable | None = report_skip):
        self.articles = 0
        self.skipped = 0
        self.subfolders_skipped = 0
        self._report = skipped

    def skip(self, item) -> None:
        from kzlib.corpus import SUBFOLDER_SKIP

        self.skipped += 1
        self.subfolders_skipped += getattr(item, "reason", None) == SUBFOLDER_SKIP
        if self._report is not None:
            self._report(item)

    def summary(self) -> str:
        return f"{self.articles} articles loaded, {self.skipped} skipped"


def iter_articles_with_claims(source, skipped: Callable | None = report_skip, *, recursive: bool = False,
                              tally: Tally | None = None) -> Iterator[tuple[object, list[Claim]]]:
    """(article, its claims) pairs; each Skip goes to `skipped` (default: printed on stderr); `tally`, when
    given, counts both (and passes the skips on to its own callback instead)."""
    from kzlib.corpus import Skip

    for item in _iter_sources(source, recursive):
        if isinstance(item, Skip):
            if tally is not None:
                tally.skip(item)
            elif skipped is not None:
                skipped(item)
            continue
        if tally is not None:
            tally.articles += 1
        yield item, extract_claims(item)


def iter_claims(source, skipped: Callable | None = report_skip, *, recursive: bool = False,
                tally: Tally | None = None) -> Iterator[Claim]:
    """Every claim of every readable article of `source`, in corpus order."""
    for _article, claims in iter_articles_with_claims(source, skipped, recursive=recursive, tally=tally):
        yield from claims


def _rows(source, skipped, recursive: bool = False, tally: Tally | None = None,
          each_article: Callable | None = None) -> Iterator[dict]:
    for article, claims in iter_articles_with_claims(source, skipped, recursive=recursive, tally=tally):
        if each_article is not None:
            each_article(article)
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


def claims_frame(source, skipped: Callable | None = report_skip, *, recursive: bool = False,
                 tally: Tally | None = None) -> pd.DataFrame:
    """CLAIM_FIELDS columns plus the article's outlet and date."""
    return _frame(list(_rows(source, skipped, recursive, tally)))


class NothingLoaded(ValueError):
    """write_ledger(..., tally=...) read no article at all: nothing was written."""


def write_ledger(source, path, chunk_size: int = 10_000, skipped: Callable | None = report_skip, *,
                 recursive: bool = False, tally: Tally | None = None, each_article: Callable | None = None) -> Path:
    """Write the ledger to `path` (.parquet streamed in row groups of `chunk_size`, or .csv), atomically.

    With a `tally`, a run that loads no article at all raises NothingLoaded and leaves `path` as it was
    (an empty ledger would replace a good one); without, an empty corpus still gives a readable ledger.
    `each_article(article)` is called for every article read (kz extract's text tables)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix != ".parquet":
        frame = _frame(list(_rows(source, skipped, recursive, tally, each_article)))
        if tally is not None and not tally.articles:
            raise NothingLoaded(f"{path}: not written")
        return write_table(frame, path)
    schema = claims_schema()
    with atomic_path(path) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            chunk: list[dict] = []
            for row in _rows(source, skipped, recursive, tally, each_article):
                chunk.append(row)
                if len(chunk) >= chunk_size:  # rows straight to Arrow: no DataFrame per chunk
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                    chunk = []
            # the last (possibly empty) chunk: an empty corpus still gives a readable ledger
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
        if tally is not None and not tally.articles:
            raise NothingLoaded(f"{path}: not written")     # atomic_path removes the temporary file
    return path


def ledger_parts(path) -> list[Path]:
    """The Parquet files of a ledger folder in partition order: `kzlib.scale.extract_with_dask`'s output
    folder (its `claims/` subfolder) or any folder of `part.N.parquet` files; numbers sort as numbers
    (part.2 before part.10), so the claims keep corpus order."""
    path = Path(path)
    folder = path / "claims" if (path / "claims").is_dir() else path
    parts = parquet_parts(folder)
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


def read_ledger(path, columns: list[str] | None = None) -> pd.DataFrame:
    """A ledger written by write_ledger (Parquet or CSV) or a folder of Parquet parts (kzlib.scale), with the
    ledger's columns and dtypes; `columns`: these only (a Parquet ledger reads no other)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such ledger")
    frame = _read_ledger_frame(path, columns)
    wanted = CLAIM_FIELDS if columns is None else [c for c in columns if c in CLAIM_FIELDS]
    missing = [c for c in wanted if c not in frame.columns and c not in _LATER_FIELDS]
    if missing:
        raise ValueError(f"{path}: not a claims ledger, missing columns {missing}")
    return _nullable_ints(_with_later_fields(frame, _LATER_FIELDS if columns is None else columns))


def _with_later_fields(frame: pd.DataFrame, wanted) -> pd.DataFrame:
    """A ledger written before a field existed: the `wanted` later fields as unknown offsets / empty texts."""
    for name in wanted:
        if name in _LATER_FIELDS and name not in frame.columns:
            frame[name] = pd.array([pd.NA] * len(frame), dtype="Int64") if name in _LATER_OFFSETS else None
    return frame


def _read_ledger_frame(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The table of a ledger file or folder of Parquet parts, as stored (`columns`: those of them it has)."""
    if path.is_dir():
        frames = [_read_part(part, columns) for part in ledger_parts(path)]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if path.suffix == ".parquet":
        return _read_part(path, columns)
    if path.suffix == ".csv":
        frame = pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
        return frame if columns is None else frame.loc[:, [c for c in columns if c in frame.columns]]
    raise ValueError(f"{path}: unsupported ledger format {path.suffix!r} (use .parquet or .csv)")


def _read_part(path: Path, columns: list[str] | None) -> pd.DataFrame:
    if columns is None:
        return read_parquet_frame(path)
    import pyarrow.parquet as pq

    stored = set(pq.read_schema(path).names)
    return read_parquet_frame(path, [c for c in columns if c in stored])


# claim fields newer than some ledgers on disk: offsets read back as unknown, texts as empty
_LATER_OFFSETS = ("sentence_start", "sentence_end", "source_start", "source_end", "subject_start", "subject_end",
                  "location_start", "location_end")
_LATER_FIELDS = _LATER_OFFSETS + ("source_text", "source_type", "subject_detail", "subject_text", "location_text")


def out_conflict(paths, out) -> str | None:
    """Why `kz extract ... --out OUT` must not write OUT, or None: OUT is an input of the run, the project's
    manifest (data/corpus.csv), inside an input folder or a raw folder (data/raw, the folders an input
    manifest points into), or (a --dask output folder, replaced whole) holds an input."""
    target = _resolved_or_absolute(out)
    inputs = [Path(p).resolve() for p in paths]
    guarded_files, guarded_folders = _guarded_paths(paths, inputs)
    if target in guarded_files:
        return f"--out {out} is {guarded_files[target]}: refusing to overwrite it"
    folder = _guarding_folder(target, guarded_folders)
    if folder is not None:
        why = guarded_folders[folder]
        where = why if why.startswith("inside") else f"inside {why} ({folder})"
        return f"--out {out} is {where}: refusing to write there (outputs go outside the inputs)"
    for resolved in inputs:
        if resolved.is_relative_to(target):
            return f"--out {out} holds an input of this run ({resolved}): refusing to replace it"
    if target.is_file() and not _is_ledger_file(target):
        return f"--out {out} exists and is not a claims ledger (a corpus, a manifest?): refusing to overwrite it"
    return None


def _guarding_folder(target: Path, guarded_folders: dict[Path, str]) -> Path | None:
    """The first guarded folder that is `target` or holds it."""
    return next((f for f in guarded_folders if target == f or target.is_relative_to(f)), None)


def _resolved_or_absolute(out) -> Path:
    """`out` resolved (symbolic links followed), or merely absolute when it cannot be resolved."""
    target = Path(os.path.abspath(out))
    try:
        return target.resolve()
    except (OSError, RuntimeError):
        return target


def _guarded_paths(paths, inputs: list[Path]) -> tuple[dict[Path, str], dict[Path, str]]:
    """The files and the folders an output must not be written to (or into), each with the reason: the
    project's manifest, the raw data folder, every input, and the folders an input manifest points into."""
    from kzlib.paths import ROOT

    guarded_files = {(ROOT / "data" / "corpus.csv").resolve(): "the project's corpus manifest"}
    guarded_folders = {(ROOT / "data" / "raw").resolve(): "the raw data folder"}
    for given, resolved in zip(paths, inputs):
        if resolved.is_dir():
            guarded_folders.setdefault(resolved, f"inside the input folder {given}")
            continue
        guarded_files.setdefault(resolved, f"an input of this run ({given})")
        for folder in _manifest_folders(resolved):
            guarded_folders.setdefault(folder, f"inside {folder}, a folder the manifest {given} points into")
    return guarded_files, guarded_folders


def _is_ledger_file(path: Path) -> bool:
    """Whether an existing file holds a claims ledger (its header / schema has the CLAIM_FIELDS)."""
    try:
        if path.suffix == ".csv":
            with open(path, encoding="utf-8", newline="") as handle:
                names = next(csv.reader(handle), [])
        elif path.suffix == ".parquet":
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
        else:
            return False
    except Exception:  # unreadable, not UTF-8, not Parquet: not a ledger
        return False
    return all(f in names for f in ("article_id", "category", "value", "start", "end", "quote"))   # any version


def _manifest_folders(path: Path) -> set[Path]:
    """The folders a manifest .csv points into (empty when `path` is not a readable manifest)."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return set()
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = csv.DictReader(handle)
            if "file" not in (rows.fieldnames or []) or "text" in (rows.fieldnames or []):
                return set()
            return {(path.parent / row["file"]).resolve().parent for row in rows if row.get("file")}
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()


def write_claims(paths, fmt: str = "jsonl", out=sys.stdout, err=None, *, recursive: bool = False,
                 tally: Tally | None = None) -> int:
    """`kz extract`: one claim per line (JSON lines or CSV) with exactly the CLAIM_FIELDS names.

    The lines are spooled (in memory, then a temporary file) and written to `out` only when the whole run
    holds: a corpus error found late (a duplicate id in the last file) leaves `out` untouched instead of
    half-written. Prints `N articles loaded, M skipped` on `err`. Returns the exit code: 0, 1 when no
    article could be loaded, 2 when an input cannot be read at all or the options are wrong."""
    import shutil
    import tempfile

    err = err or sys.stderr
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else paths
    problem = _extract_options_problem(paths, fmt)
    if problem is not None:
        print(f"kz extract: {problem}", file=err)
        return 2

    def skipped(skip) -> None:
        print(f"skipped {skip.source}: {skip.reason}", file=err)

    tally = tally or Tally(skipped)
    with tempfile.SpooledTemporaryFile(max_size=16 * 2**20, mode="w+", encoding="utf-8", newline="") as spool:
        try:
            _spool_claims(spool, paths, fmt, recursive, tally)
        except ValueError as exc:   # kzlib.corpus.CorpusError names the file and place
            print(f"kz extract: {exc}", file=err)
            return 2
        print(f"kz extract: {run_summary(paths, tally, recursive)}", file=err)
        if not tally.articles:
            print("kz extract: nothing usable: no article could be loaded", file=err)
            return 1
        spool.seek(0)
        shutil.copyfileobj(spool, out)
        out.flush()
    return 0


def _extract_options_problem(paths, fmt: str) -> str | None:
    """What makes `kz extract` refuse to start (an unknown format, a missing input), or None."""
    if fmt not in ("jsonl", "csv"):
        return f"unknown format {fmt!r} (jsonl or csv)"
    missing = missing_path(paths)
    if missing is not None:
        return f"{missing}: no such file or folder"
    return None


def _spool_claims(spool, paths, fmt: str, recursive: bool, tally: Tally) -> None:
    """Every claim of the run written to `spool` as a JSON line or a CSV row (after a header)."""
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(spool, fieldnames=list(CLAIM_FIELDS), lineterminator="\n")
        writer.writeheader()
    for claim in iter_claims(list(paths), recursive=recursive, tally=tally):
        row = claim.as_dict()
        if writer is not None:
            writer.writerow(row)
        else:
            spool.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")


def run_summary(paths, tally: Tally, recursive: bool) -> str:
    """`N articles loaded, M skipped`, and for a folder input whether its subfolders were read."""
    text = tally.summary()
    if recursive and any(Path(p).is_dir() for p in paths):
        text += "; subfolders read"
    elif tally.subfolders_skipped:
        n = tally.subfolders_skipped
        text += f"; {n} subfolder{'s' if n != 1 else ''} not read (--recursive reads them)"
    return text

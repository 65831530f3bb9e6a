"""Claims extraction over large corpora with Dask (optional extra: `pip install -e ".[dask]"`).

The input is a folder (or a list) of corpus files: UTF-8 `.txt` articles, JSONL / CSV shards or Parquet
shards (e.g. from `benchmarks/synth.py`). One file is one unit of work: every file is read with
`kzlib.corpus.iter_articles` — the same rules, ids and skip reasons as the single-process
`kzlib.ledger.iter_claims` — so the claims are exactly the same, only computed in parallel. Split a
very large single file into shards first (`split -l 5000 big.jsonl part-`): one file runs on one core.

Outputs, under `out_dir` (replaced as a whole only when every partition succeeded):

    out_dir/claims/part.N.parquet    CLAIM_FIELDS + outlet + date  (fixed schema, see CLAIM_SCHEMA)
    out_dir/skipped/part.N.parquet   source, reason                (unusable files / rows, never dropped)
    out_dir/articles/part.N.parquet  id, source, outlet, date, chars, claims
    out_dir/text_tables/<name>/part.N.parquet, manifest.json    the notebooks' text tables (kzlib.text_tables)

Read them back with `pandas.read_parquet(out_dir / "claims")` or `dask.dataframe.read_parquet`.

Schedulers (`scheduler=`):

- `None` (default): Dask's threaded scheduler in this process — no cluster; GIL-bound, so about one
  core of extraction. Also accepted: "sync" (one thread, for debugging), "threads", "processes".
- `"local"`: a `distributed.LocalCluster` on this machine, one single-threaded worker process per core.
- `"host:port"` (or `"tcp://host:port"`): an existing Dask cluster. On several machines:

      # on the scheduler machine
      dask scheduler --port 8786
      # on every worker machine (same Python, kzlib installed: pip install -e ".[dask]")
      dask worker tcp://SCHEDULER_HOST:8786 --nworkers auto --nthreads 1
      # anywhere
      kzlib.scale.extract_with_dask("/shared/corpus", "/shared/ledger", scheduler="SCHEDULER_HOST:8786")

  Workers open the input files and write the output partitions themselves, so `source` and `out_dir`
  must be paths every worker sees the same way (a shared filesystem such as NFS), and every worker needs
  kzlib and its lexicons at the same version as the client.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

CORPUS_SUFFIXES = (".txt", ".jsonl", ".csv", ".parquet")
OUTPUT_TABLES = ("claims", "skipped", "articles", "text_tables")


def _claim_fields() -> tuple[str, ...]:
    from kzlib.claims import CLAIM_FIELDS

    return tuple(CLAIM_FIELDS)


# Column types of the claims table (also kzlib.ledger's); every partition is written with this schema so
# that a partition whose claims all lack, say, an attribution still has a string column, not a null one.
FLOAT_FIELDS = ("value", "low", "high")
INT_FIELDS = ("start", "end", "sentence_start", "sentence_end")
# offsets that may be null (pandas' nullable Int64): the source mention's (null without a source), the counted
# group's and the place's as written (null when none is named)
NULLABLE_INT_FIELDS = ("source_start", "source_end", "subject_start", "subject_end", "location_start", "location_end")


def claim_columns() -> tuple[str, ...]:
    return (*_claim_fields(), "outlet", "date")


def _pandas_dtype(name: str) -> str:
    if name in FLOAT_FIELDS:
        return "float64"
    if name in INT_FIELDS:
        return "int64"
    if name in NULLABLE_INT_FIELDS:
        return "Int64"
    return "object"


def _arrow_type(name: str):
    import pyarrow as pa

    if name in FLOAT_FIELDS:
        return pa.float64()
    if name in INT_FIELDS or name in NULLABLE_INT_FIELDS:
        return pa.int64()
    return pa.string()


SKIP_COLUMNS = {"source": "string", "reason": "string"}
ARTICLE_COLUMNS = {"id": "string", "source": "string", "outlet": "string", "date": "string", "chars": "int64", "claims": "int64"}


def _meta(columns: dict[str, str]):
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype="object" if kind == "string" else kind) for name, kind in columns.items()})


def _schema(columns: dict[str, str]):
    import pyarrow as pa

    return pa.schema([(name, pa.string() if kind == "string" else pa.int64()) for name, kind in columns.items()])


def claims_meta():
    """Empty DataFrame with the claims table's columns and dtypes (the `meta` Dask needs)."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=_pandas_dtype(name)) for name in claim_columns()})


def claims_schema():
    """The Arrow schema of the claims table: CLAIM_FIELDS + outlet + date."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(name)) for name in claim_columns()])


@dataclass(frozen=True)
class DaskExtraction:
    """What `extract_with_dask` wrote, with row counts read back from the written tables."""

    out_dir: Path
    files: int
    articles: int
    claims: int
    skipped: int
    seconds: float


def list_corpus_files(source: str | os.PathLike | Sequence[str | os.PathLike], recursive: bool = False) -> list[Path]:
    """The files `source` stands for: a file, a folder or a list of either, walked as kzlib.corpus walks
    them (each file once; what the walk skips is left out here, see corpus_entries)."""
    return [item for item in corpus_entries(source, recursive) if isinstance(item, Path)]


def corpus_entries(source, recursive: bool = False) -> list:
    """kzlib.corpus.iter_corpus_files as a list: Paths to read and the walk's Skips, in corpus order."""
    from kzlib.corpus import CorpusError, iter_corpus_files

    try:
        return list(iter_corpus_files(source, recursive=recursive))
    except CorpusError as error:
        if "no such file or folder" in str(error):
            raise FileNotFoundError(str(error)) from None
        if "empty folder" in str(error):
            raise FileNotFoundError(f"{str(error).split(': ')[0]}: no corpus files ({', '.join(CORPUS_SUFFIXES)}) "
                                    "in this folder") from None
        raise


def _file_rows(path: Path, on_error: str) -> Iterator[tuple[str, dict]]:
    """("claim" | "skip" | "article" | "text:<table>", row) for every article and skip in one corpus file."""
    from kzlib.claims import extract_claims
    from kzlib.corpus import Skip, iter_articles

    for item in iter_articles(path):
        if isinstance(item, Skip):
            yield "skip", {"source": item.source, "reason": item.reason}
            continue
        try:
            claims = extract_claims(item)
            text_rows = _text_table_rows().article_rows(item)
        except Exception as error:  # one broken article must not sink a 100k-article run unless asked
            if on_error == "raise":
                raise RuntimeError(f"{item.source}: claim extraction failed for article {item.id!r}: {error}") from error
            yield "skip", {"source": item.source, "reason": f"claim extraction failed: {type(error).__name__}: {error}"}
            continue
        for claim in claims:
            yield "claim", {**claim.as_dict(), "outlet": item.outlet, "date": item.date}
        yield "article", {"id": item.id, "source": item.source, "outlet": item.outlet, "date": item.date,
                          "chars": len(item.text), "claims": len(claims)}
        for name, rows in text_rows.items():
            for row in rows:
                yield f"text:{name}", row


_text_rows = None


def _text_table_rows():
    """One kzlib.text_tables.TextTableRows per worker process (its lexicons loaded once), skips left out:
    a --dask ledger's skipped/ table is its skips."""
    global _text_rows
    if _text_rows is None:
        from kzlib.text_tables import ARTICLE_TABLES, TextTableRows

        _text_rows = TextTableRows(ARTICLE_TABLES)
    return _text_rows


def _partition_rows(entries: Iterable, on_error: str) -> list[tuple[str, dict]]:
    """Rows of the partition's entries: a file path (str) is read; a (source, reason) pair is the walk's Skip."""
    rows = []
    for entry in entries:
        if isinstance(entry, str):
            rows.extend(_file_rows(Path(entry), on_error))
        else:
            rows.append(("skip", {"source": entry[0], "reason": entry[1]}))
    return rows


@contextmanager
def _dask_scheduler(scheduler) -> Iterator[dict]:
    """Keyword arguments for dask.compute; starts (and stops) a LocalCluster or client when asked."""
    if scheduler is None or scheduler in ("threads", "sync", "synchronous", "processes"):
        yield {"scheduler": scheduler or "threads"}
        return
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield {"scheduler": scheduler}
        return
    if scheduler == "local":
        with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield {"scheduler": client}
        return
    if not isinstance(scheduler, str) or ":" not in scheduler:
        raise ValueError(f"scheduler must be None, 'local', 'sync', 'threads', 'processes', a distributed.Client "
                         f"or a 'host:port' cluster address; got {scheduler!r}")
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    with Client(address, timeout="30s") as client:
        yield {"scheduler": client}


def parquet_rows(files: Iterable[str | os.PathLike]) -> int:
    """Rows in these Parquet files, from their metadata (no data is read)."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in files)


def _count_rows(folder: Path) -> int:
    return parquet_rows(folder.glob("*.parquet"))


def _check_unique_ids(articles_dir: Path) -> None:
    """A folder read by kzlib.corpus rejects a repeated article id; so does the parallel path (across files)."""
    import pandas as pd

    from kzlib.corpus import CorpusError

    ids = pd.read_parquet(articles_dir, columns=["id", "source"])
    repeated = ids[ids["id"].duplicated(keep=False)].sort_values(["id", "source"])
    if len(repeated):
        first = repeated.iloc[0]
        other = repeated[repeated["id"] == first["id"]].iloc[1]
        raise CorpusError(f"{other['source']}: duplicate id {first['id']!r} (first used by {first['source']}); "
                         f"{repeated['id'].nunique()} ids repeated in all")


def _text_table_writes(table, building: Path) -> list:
    """The delayed writes of the notebooks' text tables (kzlib.text_tables) into `building`/text_tables/."""
    from kzlib import text_tables

    return [table(f"text:{name}", _meta(text_tables.table_columns(name))).to_parquet(
                building / text_tables.DASK_FOLDER / name, schema=_schema(text_tables.table_columns(name)),
                write_index=False, compute=False)
            for name in text_tables.ARTICLE_TABLES]


def _write_text_tables_manifest(building: Path, files: list[Path]) -> None:
    from kzlib import text_tables

    tables = building / text_tables.DASK_FOLDER
    counts = {name: _count_rows(tables / name) for name in text_tables.ARTICLE_TABLES}
    text_tables.write_manifest(tables, _count_rows(building / "articles"), counts, [str(f) for f in files])


def _replace_dir(built: Path, target: Path) -> None:
    if target.exists():
        unexpected = [p.name for p in target.iterdir() if p.name not in OUTPUT_TABLES]
        if unexpected:
            raise FileExistsError(f"{target}: exists and holds {unexpected[:3]} besides {OUTPUT_TABLES}; "
                                  "refusing to replace it — choose an empty or new output folder")
        shutil.rmtree(target)
    os.replace(built, target)


def extract_with_dask(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    scheduler=None,
    npartitions: int | None = None,
    on_error: str = "raise",
    recursive: bool = False,
) -> DaskExtraction:
    """Extract the claims of every article under `source` in parallel and write Parquet tables to `out_dir`.

    source: a corpus file, a folder of .txt / .jsonl / .csv / .parquet files, or a list of them.
    scheduler: None (threads, this process), "local" (LocalCluster, one process per core), "host:port" of an
        existing cluster, or a distributed.Client (see the module docstring).
    npartitions: number of Dask tasks (groups of files); default: one per file up to 100 (Dask's default).
    on_error: "raise" (default; same behaviour as iter_claims) or "skip" — record an article whose claim
        extraction raised as a skip with the error, and go on.
    recursive: read the subfolders of a folder too (else each is a recorded skip), as kzlib.corpus.
    """
    import dask
    import dask.bag as db

    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    started = time.perf_counter()
    entries = corpus_entries(source, recursive)
    files = [e for e in entries if isinstance(e, Path)]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    building = out_dir.parent / f".{out_dir.name}.building-{uuid.uuid4().hex[:8]}"

    partitions = npartitions or None
    rows = db.from_sequence([str(e) if isinstance(e, Path) else (e.source, e.reason) for e in entries],
                            npartitions=partitions).map_partitions(_partition_rows, on_error)

    def table(kind: str, meta):
        # optimize_graph=False keeps the shared extraction step one task per partition, instead of
        # fusing (and so repeating) it into each of the three tables.
        selected = rows.filter(lambda row, kind=kind: row[0] == kind).map(lambda row: row[1])
        return selected.to_dataframe(meta=meta, optimize_graph=False)

    writes = [
        table("claim", claims_meta()).to_parquet(building / "claims", schema=claims_schema(),
                                                 write_index=False, compute=False),
        *_text_table_writes(table, building),
        table("skip", _meta(SKIP_COLUMNS)).to_parquet(building / "skipped", schema=_schema(SKIP_COLUMNS),
                                                      write_index=False, compute=False),
        table("article", _meta(ARTICLE_COLUMNS)).to_parquet(building / "articles", schema=_schema(ARTICLE_COLUMNS),
                                                            write_index=False, compute=False),
    ]
    try:
        with _dask_scheduler(scheduler) as compute_kwargs:
            dask.compute(*writes, **compute_kwargs)
        _check_unique_ids(building / "articles")
        _write_text_tables_manifest(building, files)
        _replace_dir(building, out_dir)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return DaskExtraction(
        out_dir=out_dir,
        files=len(files),
        articles=_count_rows(out_dir / "articles"),
        claims=_count_rows(out_dir / "claims"),
        skipped=_count_rows(out_dir / "skipped"),
        seconds=time.perf_counter() - started,
    )


def read_skipped(out_dir: str | os.PathLike):
    import pandas as pd

    return pd.read_parquet(Path(out_dir) / "skipped")

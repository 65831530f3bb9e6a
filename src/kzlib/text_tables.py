"""The tables the notebooks need from the article texts rather than from the claims, worked out once.

Extraction reads every text; the notebooks then need the texts again for what the claims do not hold:

| table | rows | notebook |
|---|---|---|
| `articles` | one per article: outlet, date, headline, words, sentences, furniture (no text) | 01, 04, 06 |
| `skipped` | one per input that could not be read, with the reason | 01 |
| `source_mentions` | quoted and credited actors (`kzlib.sources.source_mentions`) | 04 |
| `framing_hits` | terms of `lexicons/framing.tsv` in article bodies (`kzlib.sources.framing_hits`) | 04 |
| `date_mentions` | date expressions, resolved (`kzlib.timeline.timeline_frame`) | 03, 05 |
| `entities` | gazetteer actors and places, furniture included (`kzlib.nlp.entities.entities_frame`) | 06 |

`kz extract CORPUS --out ledger.parquet` writes them beside the ledger, in `ledger.text_tables/` (one Parquet
file each and `manifest.json`), in the same pass as the claims; `kz extract --dask` writes them into the ledger
folder (`text_tables/<name>/part.N.parquet`), and `kz report` beside the ledger it extracts. A notebook given
`ledger=` reads them instead of reading 100,000 texts again. Each row is made by the same function the
notebooks' own path uses, so the tables are the same whichever way they come (tests/test_text_tables.py).

The manifest pairs the tables with their ledger (a ledger file's size and modification time; a folder is
replaced whole with its tables) and with the word lists they were made with (SHA-256 of every file in
`src/kzlib/lexicons/`). A notebook uses stored tables only when both still match, and says so; otherwise it
says why and works them out from the texts (an edited `framing.tsv` is read again, never shown stale).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterable

import pandas as pd

FORMAT = 1          # bumped when a table's columns or meaning change: older folders are then not read
FOLDER_SUFFIX = ".text_tables"
MANIFEST = "manifest.json"
_CHUNK_ARTICLES = 2_000   # rows buffered per table before a Parquet row group is written (memory stays flat)


def _columns() -> dict[str, dict[str, str]]:
    """Each table's columns and their Arrow type ("string" or "int64"), in the order the frames have."""
    from kzlib.corpus import INVENTORY_COLUMNS
    from kzlib.nlp.entities import ENTITY_COLUMNS
    from kzlib.sources import FRAMING_HIT_COLUMNS, SOURCE_MENTION_COLUMNS
    from kzlib.timeline import MENTION_COLUMNS

    ints = {"chars", "body_chars", "words", "sentences", "start", "end", "sentence_start", "sentence_end"}
    tables = {"articles": INVENTORY_COLUMNS, "skipped": ("source", "reason"),
              "source_mentions": SOURCE_MENTION_COLUMNS, "framing_hits": FRAMING_HIT_COLUMNS,
              "date_mentions": MENTION_COLUMNS, "entities": ENTITY_COLUMNS}
    return {name: {c: "int64" if c in ints else "string" for c in columns} for name, columns in tables.items()}


TABLES = ("articles", "skipped", "source_mentions", "framing_hits", "date_mentions", "entities")
ARTICLE_TABLES = tuple(name for name in TABLES if name != "skipped")   # rows made from each article's text


def text_tables_dir(ledger: str | os.PathLike) -> Path:
    """Where the text tables of a ledger live: `ledger.parquet` → `ledger.text_tables/`; a `--dask` ledger
    folder → its `text_tables/`."""
    ledger = Path(ledger)
    return ledger / DASK_FOLDER if ledger.is_dir() else ledger.with_name(ledger.stem + FOLDER_SUFFIX)


DASK_FOLDER = "text_tables"


def lexicons_digest() -> dict[str, str]:
    """SHA-256 of every word list in src/kzlib/lexicons/ (the tables depend on most of them)."""
    from kzlib.paths import LEXICONS

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(LEXICONS.glob("*.tsv"))}


# --------------------------------------------------------------------------- rows, one article at a time


class TextTableRows:
    """The rows of every text table, added one article (or skip) at a time, with the lexicons loaded once."""

    def __init__(self, names: Iterable[str] = TABLES):
        from kzlib.corpus import _sentence_splitter
        from kzlib.gazetteer import load_gazetteer
        from kzlib.nlp import get_backend
        from kzlib.sources import framing_terms

        self.names = tuple(names)
        unknown = set(self.names) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown text tables {sorted(unknown)}: the tables are {', '.join(TABLES)}")
        self.rows: dict[str, list[dict]] = {name: [] for name in self.names}
        self.articles = 0
        self._gazetteer = load_gazetteer()
        self._framing = framing_terms()
        self._splitter = _sentence_splitter()[0]
        self._rules = get_backend("rules")

    def add(self, article) -> None:
        for name, rows in self.article_rows(article).items():
            self.rows[name].extend(rows)
        self.articles += 1

    def article_rows(self, article) -> dict[str, list[dict]]:
        """One article's rows of each of its ARTICLE_TABLES."""
        from dataclasses import asdict

        from kzlib.corpus import inventory_row
        from kzlib.nlp.entities import article_entities
        from kzlib.sources import article_framing_hits, article_source_mentions
        from kzlib.timeline import article_mentions

        names, rows = self.names, {}
        if "articles" in names:
            rows["articles"] = [inventory_row(article, self._splitter)]
        if "source_mentions" in names:
            rows["source_mentions"] = article_source_mentions(article, self._gazetteer)
        if "framing_hits" in names:
            rows["framing_hits"] = article_framing_hits(article, self._framing)
        if "date_mentions" in names:
            rows["date_mentions"] = [asdict(m) for m in article_mentions(article)]
        if "entities" in names:
            rows["entities"] = article_entities(article, self._rules)
        return rows

    def skip(self, skip) -> None:
        if "skipped" in self.rows:
            self.rows["skipped"].append({"source": skip.source, "reason": skip.reason})

    def take(self) -> dict[str, pd.DataFrame]:
        """The rows so far as frames (and forget them): each table's columns, in order."""
        frames = {name: table_frame(name, rows) for name, rows in self.rows.items()}
        self.rows = {name: [] for name in self.names}
        return frames


def table_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A text table from its rows, as the notebooks' own functions build it."""
    return pd.DataFrame(rows, columns=list(table_columns(name)))


def table_columns(name: str) -> dict[str, str]:
    """The columns of table `name` and their types ("string" or "int64"), as kzlib.scale describes tables."""
    return _columns()[name]


def compute(articles, names: Iterable[str] = TABLES, skipped: Iterable = ()) -> dict[str, pd.DataFrame]:
    """The text tables of Articles (or a Corpus: its skips too), worked out from the texts."""
    collected = TextTableRows(names)
    for article in getattr(articles, "articles", articles):
        collected.add(article)
    for skip in [*getattr(articles, "skipped", ()), *skipped]:
        collected.skip(skip)
    return collected.take()


# --------------------------------------------------------------------------- written by kz extract


class TextTablesWriter:
    """Streams the text tables of an extraction into `folder` (built beside it, moved in place by `finish`).

    `add(article)` / `skip(skip)` as the extraction reads; every few thousand articles the rows go to one
    Parquet row group per table. `finish(ledger)` writes the manifest (pairing the tables with the ledger
    just written) and replaces `folder`; `discard()` (or leaving the `with` block on an error) removes them."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._rows = TextTableRows()
        self._writers: dict = {}
        self._counts = {name: 0 for name in TABLES}
        # made at the first write: an interrupt before (while the lexicons load) leaves nothing behind
        self._building = self.folder.with_name(f".{self.folder.name}.{os.getpid()}.tmp")

    def _start_building(self) -> None:
        if not self._building.is_dir():
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            _remove_dead_builds(self.folder)
            shutil.rmtree(self._building, ignore_errors=True)
            self._building.mkdir()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.discard()
        return False

    def add(self, article) -> None:
        self._rows.add(article)
        if self._rows.articles % _CHUNK_ARTICLES == 0:
            self._flush()

    def skip(self, skip) -> None:
        self._rows.skip(skip)

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._start_building()
        for name, frame in self._rows.take().items():
            schema = _schema(name)
            if name not in self._writers:
                self._writers[name] = pq.ParquetWriter(self._building / f"{name}.parquet", schema)
            self._writers[name].write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            self._counts[name] += len(frame)

    def finish(self, ledger: str | os.PathLike, corpus: Iterable[str] = ()) -> Path:
        from kzlib.io import default_mode

        self._flush()
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
        write_manifest(self._building, self._rows.articles, self._counts, corpus, ledger)
        os.chmod(self._building, default_mode(directory=True))
        if self.folder.exists():
            shutil.rmtree(self.folder)
        os.replace(self._building, self.folder)
        return self.folder

    def discard(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
        shutil.rmtree(self._building, ignore_errors=True)


def _remove_dead_builds(folder: Path) -> None:
    """Remove the half-built folders of `folder` whose extraction is no longer running (killed)."""
    for leftover in folder.parent.glob(f".{folder.name}.*.tmp"):
        pid = leftover.name[len(folder.name) + 2:-len(".tmp")]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # someone else's process
        return True
    return True


def write_manifest(folder: Path, articles: int, rows: dict[str, int], corpus: Iterable[str] = (),
                   ledger: str | os.PathLike | None = None) -> None:
    """`folder`/manifest.json: what the tables were made from. A ledger file's size and modification time
    pair the tables with it; a --dask ledger folder holds its tables (both are replaced as one)."""
    from kzlib import __version__
    from kzlib.corpus import _sentence_splitter
    from kzlib.io import write_text

    manifest = {"format": FORMAT, "kzlib": __version__, "corpus": [os.path.abspath(p) for p in corpus],
                "articles": articles, "rows": rows, "sentence_splitter": _sentence_splitter()[1],
                "lexicons": lexicons_digest()}
    if ledger is not None:
        stat = Path(ledger).stat()
        manifest |= {"ledger": Path(ledger).name, "ledger_size": stat.st_size, "ledger_mtime_ns": stat.st_mtime_ns}
    # ASCII escapes: a file name that is not UTF-8 (surrogates) still makes valid JSON
    write_text(folder / MANIFEST, json.dumps(manifest, indent=1))


def _schema(name: str):
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64()}
    return pa.schema([(column, types[kind]) for column, kind in table_columns(name).items()])


# --------------------------------------------------------------------------- read by the notebooks


def stored_tables_problem(ledger: str | os.PathLike) -> str | None:
    """Why the text tables beside `ledger` cannot be used (None: they can)."""
    ledger = Path(ledger)
    folder = text_tables_dir(ledger)
    if not ledger.exists():
        return f"{ledger}: no such ledger"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        where = "in" if ledger.is_dir() else "beside"
        return f"no {folder.name}/ {where} the ledger (extracted by an older kz extract?)"
    except (OSError, ValueError) as exc:
        return f"{folder / MANIFEST} cannot be read ({exc})"
    return _manifest_problem(manifest, ledger, folder)


def _manifest_problem(manifest: dict, ledger: Path, folder: Path) -> str | None:
    if manifest.get("format") != FORMAT:
        return f"{folder.name}/ has format {manifest.get('format')}, this kzlib reads {FORMAT}: extract again"
    stat = ledger.stat()
    paired = (manifest.get("ledger_size"), manifest.get("ledger_mtime_ns")) == (stat.st_size, stat.st_mtime_ns)
    if ledger.is_file() and not paired:
        return f"{folder.name}/ was written with another version of {ledger.name} (it changed since): extract again"
    stored = manifest.get("lexicons", {})
    changed = sorted(name for name, digest in lexicons_digest().items() if stored.get(name) != digest)
    if changed:
        return f"word lists changed since the extraction ({', '.join(changed)}): extract again to store them"
    return None


def read_stored(ledger: str | os.PathLike, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """The stored table `name` beside `ledger` (check `stored_tables_problem` first); `columns`: these only."""
    from kzlib.io import parquet_parts, read_parquet_frame

    if name not in TABLES:
        raise ValueError(f"unknown text table {name!r}: the tables are {', '.join(TABLES)}")
    ledger = Path(ledger)
    if ledger.is_dir():     # a --dask folder: parts in partition order (its skips are the ledger's own)
        folder = ledger / "skipped" if name == "skipped" else text_tables_dir(ledger) / name
        parts = [read_parquet_frame(part, columns) for part in parquet_parts(folder)]
        if not parts:
            raise FileNotFoundError(f"{folder}: no .parquet parts")
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    else:
        frame = read_parquet_frame(text_tables_dir(ledger) / f"{name}.parquet", columns)
    for column in frame.columns[frame.isna().all().to_numpy()]:
        frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)  # as built from rows
    return frame

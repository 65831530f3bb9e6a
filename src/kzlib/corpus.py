"""Load a corpus: raw article text, metadata and page furniture (see docs/ARCHITECTURE.md, data/README.md).

Accepted inputs (`load_corpus` / `iter_articles`):

* the manifest ``data/corpus.csv`` (a CSV with a ``file`` column; files relative to the manifest's folder),
  checked against the raw files: sha256 / chars mismatch, missing files and duplicate ids raise CorpusError,
  files beside the listed ones that the manifest does not list become Skips;
* a folder: every ``.txt`` (id = file stem, metadata unknown), ``.jsonl``, ``.csv`` and ``.parquet`` in it,
  sorted by name; anything else in it becomes a Skip;
* one ``.txt`` file;
* a JSONL / CSV / Parquet file with a ``text`` field plus optional ``id``, ``outlet``, ``date``, ``headline``
  (other fields go to ``Article.meta``).

The decoded text is kept as it is (CRLF, spaces, NBSP): every offset points into it. Only a leading byte
order mark is removed, and then ``meta["bom_removed"]`` says so. Problems with one article become
``Skip(source, reason)`` (``strict=True`` raises CorpusError instead); corpus-integrity problems raise.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from kzlib.furniture import Span, ends_like_a_sentence, find_furniture, iter_lines
from kzlib.paths import ROOT

__all__ = ["Article", "Corpus", "CorpusError", "Skip", "Span", "derive_headline", "iter_articles", "load_corpus",
           "count_words"]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
RECORD_SUFFIXES = (".jsonl", ".csv", ".parquet")
KNOWN_FIELDS = ("id", "outlet", "date", "headline", "language", "text")
HEADLINE_MAX_WORDS = 25
_HTML = re.compile(r"</?(?:html|head|body|div|p|br|span|a|img|script|style|h[1-6]|ul|ol|li|table|tr|td|figure|"
                   r"figcaption|article|section|meta|link|iframe|strong|em|b|i)\b[^>]*>|&(?:nbsp|amp|quot|lt|gt|#\d+);",
                   re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_WORD = re.compile(r"\w+(?:[-‐'’]\w+)*")


class CorpusError(ValueError):
    """A corpus that cannot be read as given; the message names the file and the place."""


@dataclass
class Article:
    id: str
    text: str                      # ORIGINAL decoded text, never altered: every offset points into it
    source: str                    # "data/raw/000_x.txt" or "corpus.jsonl:line 12"
    outlet: str = "unknown"
    headline: str | None = None
    date: str | None = None        # ISO yyyy-mm-dd
    language: str = "ar"
    sha256: str | None = None
    furniture: tuple[Span, ...] = ()
    meta: dict = field(default_factory=dict)

    def body_spans(self) -> list[tuple[int, int]]:
        """The text minus furniture, in order; stretches holding only whitespace are left out."""
        spans, position = [], 0
        for span in sorted(self.furniture, key=lambda s: s.start):
            if self.text[position:span.start].strip():
                spans.append((position, span.start))
            position = max(position, span.end)
        if self.text[position:].strip():
            spans.append((position, len(self.text)))
        return spans

    def body_text(self) -> str:
        return "\n".join(self.text[s:e] for s, e in self.body_spans())


@dataclass(frozen=True)
class Skip:
    source: str
    reason: str


@dataclass
class Corpus:
    articles: list[Article]
    skipped: list[Skip]
    path: str

    def summary(self) -> str:
        return f"loaded {len(self.articles)} articles, skipped {len(self.skipped)}"

    def articles_frame(self):
        """One row per article: id, outlet, date, headline, source, chars, body_chars, words, sentences,
        furniture (kinds in text order), furniture_text, text. Words and sentences count the body only."""
        import pandas as pd

        splitter, splitter_name = _sentence_splitter()
        rows = []
        for article in self.articles:
            body = [article.text[s:e] for s, e in article.body_spans()]
            rows.append(dict(
                id=article.id, outlet=article.outlet, date=article.date, headline=article.headline,
                source=article.source, chars=len(article.text), body_chars=sum(len(b) for b in body),
                words=sum(count_words(b) for b in body), sentences=sum(len(splitter(b)) for b in body),
                furniture=", ".join(s.kind for s in article.furniture),
                furniture_text=" | ".join(s.text.replace("\n", " ") for s in article.furniture),
                text=article.text))
        columns = ["id", "outlet", "date", "headline", "source", "chars", "body_chars", "words", "sentences",
                   "furniture", "furniture_text", "text"]
        frame = pd.DataFrame(rows, columns=columns)
        frame.attrs["sentence_splitter"] = splitter_name
        return frame


# ----------------------------------------------------------------------------------------------- counting

def count_words(text: str) -> int:
    """Words as readers count them: Arabic clitics stay in their word ("وبموازاة" = 1), "إل-76" = 1,
    punctuation and quote marks are not words."""
    return len(_WORD.findall(text))


def _fallback_sentences(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[^.!?؟\n]*[^.!?؟\n\s][^.!?؟\n]*(?:[.!?؟]+|$)", text, re.M)]


def _sentence_splitter():
    try:
        from kzlib.segment import split_sentences
    except ImportError:
        log.info("kzlib.segment not available: sentences counted with a simple split on . ! ? ؟ and line breaks")
        return _fallback_sentences, "fallback: split on . ! ? ؟ and line breaks (kzlib.segment not importable)"
    return split_sentences, "kzlib.segment.split_sentences"


# ----------------------------------------------------------------------------------------------- headline

def derive_headline(text: str, furniture: Iterable[Span] = ()) -> tuple[str | None, str]:
    """(headline, basis): the first non-furniture line when it is short and has no final punctuation."""
    covered = [(s.start, s.end) for s in furniture]
    for line in iter_lines(text):      # the first lines only: stops at the first body line
        if any(start <= line.start < end for start, end in covered):
            continue
        words = len(line.text.split())
        if ends_like_a_sentence(line.text):
            return None, f"derived: none (first body line ends like a sentence: ...{line.text[-12:]!r})"
        if words > HEADLINE_MAX_WORDS:
            return None, f"derived: none (first body line has {words} words, more than {HEADLINE_MAX_WORDS})"
        return line.text, "derived: first non-furniture line, short and without final punctuation"
    return None, "derived: none (no text outside the page furniture)"


# ----------------------------------------------------------------------------------------------- entry points

def load_corpus(path, *, strict: bool = False) -> Corpus:
    """Every article of `path` (see the module docstring); skips recorded, or raised when `strict`."""
    articles, skipped = [], []
    for item in iter_articles(path):
        if isinstance(item, Skip):
            if strict:
                raise CorpusError(f"{item.source}: {item.reason}")
            skipped.append(item)
        else:
            articles.append(item)
    corpus = Corpus(articles, skipped, str(path))
    log.info("%s: %s", _display(Path(path)), corpus.summary())
    for skip in skipped:
        log.warning("skipped %s: %s", skip.source, skip.reason)
    return corpus


def iter_articles(path) -> Iterator[Article | Skip]:
    """Articles and Skips of `path`, one at a time (same rules as load_corpus, never strict)."""
    path = Path(path)
    seen: dict[str, str] = {}
    for item in _iter_path(path):
        if isinstance(item, Article):
            if item.id in seen:
                raise CorpusError(f"{item.source}: duplicate id {item.id!r} (first used by {seen[item.id]})")
            seen[item.id] = item.source
        yield item


def _iter_path(path: Path) -> Iterator[Article | Skip]:
    if path.is_dir():
        yield from _iter_folder(path)
    elif not path.is_file():
        raise CorpusError(f"{path}: no such file or folder")
    elif path.suffix.lower() == ".csv" and _is_manifest(path):
        yield from _iter_manifest(path)
    else:
        yield from _iter_file(path)


def _iter_file(path: Path) -> Iterator[Article | Skip]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        yield _text_file(path, path.stem, {})
    elif suffix == ".jsonl":
        yield from _iter_jsonl(path)
    elif suffix == ".csv":
        yield from _iter_csv(path)
    elif suffix == ".parquet":
        yield from _iter_parquet(path)
    else:
        yield Skip(_display(path), f"unsupported file type {suffix or '(none)'!r}: give .txt, .jsonl, .csv, "
                                   ".parquet or a manifest .csv")


def _iter_folder(folder: Path) -> Iterator[Article | Skip]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise CorpusError(f"{folder}: empty folder, no .txt / .jsonl / .csv / .parquet files")
    manifests = [p for p in files if p.suffix.lower() == ".csv" and _is_manifest(p)]
    if manifests:       # the manifest decides what is loaded (and reports unlisted files itself)
        for manifest in manifests:
            yield from _iter_manifest(manifest)
        return
    for path in files:
        yield from _iter_file(path)


# ----------------------------------------------------------------------------------------------- raw text

def _display(path: Path) -> str:
    """Path relative to the project root when inside it (stable across machines), else as given."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), ROOT)).as_posix() if Path(path).resolve().is_relative_to(ROOT) else str(path)
    except (OSError, ValueError):
        return str(path)


def decode_text(data: bytes, source: str) -> tuple[str, dict]:
    """UTF-8 text of `data` and notes for meta; CorpusError (naming source and byte offset) when unreadable."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CorpusError(f"{source}: binary file, not text (NUL byte at byte offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CorpusError(f"{source}: not UTF-8: undecodable byte 0x{data[error.start]:02x} at byte offset "
                          f"{error.start} (line {line}; {error.reason})") from None
    notes = {}
    if text.startswith("\ufeff"):
        text = text[1:]
        notes["bom_removed"] = True     # offsets are into the text without it; sha256 is of the raw bytes
    return text, notes


def check_text(text: str, source: str) -> None:
    if not text or text.isspace():     # (isspace stops at the first letter; strip() would copy the text)
        raise CorpusError(f"{source}: empty article (no text)" if not text else f"{source}: empty article (whitespace only)")
    html = _HTML.search(text)
    if html:
        line = text.count("\n", 0, html.start()) + 1
        raise CorpusError(f"{source}: HTML markup {html.group()[:30]!r} at line {line}; convert the page to plain "
                          "text first (kzlib keeps offsets into the text it is given)")


def _text_file(path: Path, article_id: str, fields: dict, expected_sha: str | None = None) -> Article | Skip:
    source = _display(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha and digest != expected_sha.lower():
        raise CorpusError(f"{source}: sha256 {digest} does not match the manifest ({expected_sha}): the raw file "
                          "was edited or replaced; raw files are never modified — restore it or update the manifest row")
    try:
        text, notes = decode_text(data, source)
        check_text(text, source)
    except CorpusError as error:
        return Skip(source, str(error).removeprefix(f"{source}: "))
    return _article(article_id, text, source, {**fields, "sha256": digest}, notes)


def _article(article_id: str, text: str, source: str, fields: dict, meta: dict) -> Article:
    meta = dict(meta)
    date = _iso_date(fields.pop("date", None), meta, source)
    furniture = find_furniture(text)
    headline = fields.pop("headline", None) or None
    if headline is None and "headline_basis" not in fields:   # a manifest that says "none: ..." is trusted
        headline, meta["headline_basis"] = derive_headline(text, furniture)
    for key, value in fields.items():
        if key not in ("outlet", "language", "sha256"):
            meta[key] = value
    return Article(id=str(article_id), text=text, source=source, outlet=fields.get("outlet") or "unknown",
                   headline=headline, date=date, language=fields.get("language") or "ar",
                   sha256=fields.get("sha256"), furniture=furniture, meta=meta)


def _iso_date(value, meta: dict, source: str) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() in ("", "unknown"):
        return None
    value = str(value).strip()
    match = _ISO_DATE.match(value)
    if match:
        return match.group(1)
    meta["date_raw"] = value
    meta["date_problem"] = "not an ISO date (yyyy-mm-dd); date left unknown"
    log.warning("%s: date %r is not ISO yyyy-mm-dd; left unknown", source, value)
    return None


# ----------------------------------------------------------------------------------------------- manifest

MANIFEST_REQUIRED = ("id", "file")


def _is_manifest(path: Path) -> bool:
    header = _csv_header(path)
    return "file" in header and "text" not in header


def _csv_header(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle), [])]
    except UnicodeDecodeError as error:
        raise CorpusError(f"{_display(path)}: not UTF-8 (byte offset {error.start})") from None


def _iter_manifest(manifest: Path) -> Iterator[Article | Skip]:
    base = manifest.parent
    rows = list(_csv_rows(manifest))
    header = _csv_header(manifest)
    missing = [c for c in MANIFEST_REQUIRED if c not in header]
    if missing:
        raise CorpusError(f"{_display(manifest)}: manifest lacks column(s) {missing}")
    listed, ids = set(), {}
    for number, row in rows:                       # integrity first: nothing is yielded from a broken manifest
        where = f"{_display(manifest)}: line {number}"
        if not row.get("id"):
            raise CorpusError(f"{where}: empty id")
        if row["id"] in ids:
            raise CorpusError(f"{where}: duplicate id {row['id']!r} (also on line {ids[row['id']]})")
        ids[row["id"]] = number
        target = (base / row["file"]).resolve()
        if not target.is_file():
            raise CorpusError(f"{where}: file {row['file']!r} listed for {row['id']!r} is missing ({target})")
        listed.add(target)
    for number, row in rows:
        target = base / row["file"]
        fields = {k: v for k, v in row.items() if k not in ("id", "file", "chars") and v not in (None, "")}
        article = _text_file(target, row["id"], {**fields, "manifest": f"{_display(manifest)}:line {number}"},
                             expected_sha=row.get("sha256") or None)
        chars = (row.get("chars") or "").strip()
        if chars and not chars.isdigit():
            raise CorpusError(f"{_display(manifest)}: line {number}: chars {chars!r} is not a whole number")
        if isinstance(article, Article) and chars and int(chars) != len(article.text):
            raise CorpusError(f"{_display(manifest)}: line {number}: {article.source} has {len(article.text)} "
                              f"characters, the manifest says {chars}")
        yield article
    folders = sorted({p.parent for p in listed})   # only the folders the manifest points into
    listed.add(manifest.resolve())                  # a manifest beside its files is not an unlisted article
    for folder in folders:
        for extra in sorted(folder.iterdir()):
            if extra.is_file() and not extra.name.startswith(".") and extra.resolve() not in listed:
                yield Skip(_display(extra), f"not listed in the manifest {_display(manifest)}; add a row for it "
                                            "(with its sha256) to load it")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, {(k or "").strip(): v for k, v in row.items()}
    except UnicodeDecodeError as error:
        raise CorpusError(f"{_display(path)}: not UTF-8 (byte offset {error.start})") from None
    except csv.Error as error:
        raise CorpusError(f"{_display(path)}: malformed CSV: {error}") from None


# ----------------------------------------------------------------------------------------------- records

def _record_article(record, source: str, default_id: str) -> Article | Skip:
    if not isinstance(record, dict):
        return Skip(source, f"not a JSON object but {type(record).__name__}")
    if "text" not in record or record["text"] is None:
        return Skip(source, "no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        return Skip(source, f"'text' is {type(text).__name__}, not a string")
    notes = {}
    if text.startswith("\ufeff"):
        text, notes["bom_removed"] = text[1:], True
    try:
        check_text(text, source)
    except CorpusError as error:
        return Skip(source, str(error).removeprefix(f"{source}: "))
    fields = {k: v for k, v in record.items() if k not in ("id", "text") and v is not None and v != ""}
    article_id = record.get("id")
    article_id = default_id if article_id in (None, "") else str(article_id)
    return _article(article_id, text, source, fields, notes)


def _iter_jsonl(path: Path) -> Iterator[Article | Skip]:
    name = _display(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            source = f"{name}:line {number}"
            if not raw.strip():
                continue                      # blank line between records: not an article
            try:
                line, _ = decode_text(raw, source)
                record = json.loads(line)
            except CorpusError as error:
                yield Skip(source, str(error).removeprefix(f"{source}: "))
                continue
            except json.JSONDecodeError as error:
                yield Skip(source, f"not JSON: {error.msg} at column {error.colno}")
                continue
            yield _record_article(record, source, f"{path.stem}:{number}")


def _iter_csv(path: Path) -> Iterator[Article | Skip]:
    header = _csv_header(path)
    if "text" not in header:
        raise CorpusError(f"{_display(path)}: no 'text' column (columns: {header}); a corpus CSV needs one "
                          "(a manifest needs 'id' and 'file')")
    for number, row in _csv_rows(path):
        yield _record_article(row, f"{_display(path)}:line {number}", f"{path.stem}:{number}")


def _iter_parquet(path: Path) -> Iterator[Article | Skip]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise CorpusError(f"{_display(path)}: not a readable Parquet file: {error}") from None
    if "text" not in parquet.schema_arrow.names:
        raise CorpusError(f"{_display(path)}: no 'text' column (columns: {parquet.schema_arrow.names}); a Parquet "
                          "claims ledger is not a corpus")
    row = 0
    for batch in parquet.iter_batches(batch_size=1000):
        for record in batch.to_pylist():
            row += 1
            yield _record_article(record, f"{_display(path)}:row {row}", f"{path.stem}:{row}")

"""Load a corpus: raw article text, metadata and page furniture (see docs/ARCHITECTURE.md, data/README.md).

Accepted inputs (`load_corpus` / `iter_articles`):

* the manifest ``data/corpus.csv`` (a CSV with a ``file`` column; files relative to the manifest's folder),
  checked against the raw files: sha256 / chars mismatch, missing files and duplicate ids raise CorpusError,
  files beside the listed ones that the manifest does not list become Skips;
* a folder: every ``.txt`` (id = file stem, metadata unknown), ``.jsonl``, ``.csv`` and ``.parquet`` in it,
  sorted by name. One walk sees every entry: anything that is not read becomes a Skip with the reason (another
  file type, a hidden file, a subfolder, a broken or looping symbolic link, a file that cannot be read);
  subfolders are read only with ``recursive=True``;
* one ``.txt`` file;
* a JSONL / CSV / Parquet file with a ``text`` field plus optional ``id``, ``outlet``, ``date``, ``headline``
  (other fields go to ``Article.meta``).

Several inputs may be given at once (``iter_articles([a, b])``): a file reached twice (the same path, a
symbolic link to it, a folder and a file in it) is read once, and a file with the same bytes as one already
read is skipped as a copy (manifest rows excepted: the manifest decides). Manifest paths must stay inside the
manifest's folder. CSV records are parsed strictly: a record with more or fewer fields than the header (an
unquoted comma) or with a quote that never closes becomes a Skip naming the file and line.

The decoded text is kept as it is (CRLF, spaces, NBSP): every offset points into it. Only a leading byte
order mark is removed, and then ``meta["bom_removed"]`` says so. Problems with one article become
``Skip(source, reason)`` (``strict=True`` raises CorpusError instead); corpus-integrity problems raise.
"""

from __future__ import annotations

import csv
import errno
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
        rows = [inventory_row(article, splitter) | {"text": article.text} for article in self.articles]
        columns = [*INVENTORY_COLUMNS, "text"]
        frame = pd.DataFrame(rows, columns=columns)
        frame.attrs["sentence_splitter"] = splitter_name
        return frame


INVENTORY_COLUMNS = ("id", "outlet", "date", "headline", "source", "chars", "body_chars", "words", "sentences",
                     "furniture", "furniture_text")


def inventory_row(article, splitter=None) -> dict:
    """An article's row of ``Corpus.articles_frame`` without its text (``INVENTORY_COLUMNS``)."""
    splitter = splitter or _sentence_splitter()[0]
    body = [article.text[s:e] for s, e in article.body_spans()]
    return dict(id=article.id, outlet=article.outlet, date=article.date, headline=article.headline,
                source=article.source, chars=len(article.text), body_chars=sum(len(b) for b in body),
                words=sum(count_words(b) for b in body), sentences=sum(len(splitter(b)) for b in body),
                furniture=", ".join(s.kind for s in article.furniture),
                furniture_text=" | ".join(s.text.replace("\n", " ") for s in article.furniture))


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

def load_corpus(path, *, strict: bool = False, recursive: bool = False) -> Corpus:
    """Every article of `path` (see the module docstring); skips recorded, or raised when `strict`."""
    articles, skipped = [], []
    for item in iter_articles(path, recursive=recursive):
        if isinstance(item, Skip):
            if strict:
                raise CorpusError(f"{item.source}: {item.reason}")
            skipped.append(item)
        else:
            articles.append(item)
    corpus = Corpus(articles, skipped, str(path))
    log.info("%s: %s", _display(Path(path)) if isinstance(path, (str, os.PathLike)) else path, corpus.summary())
    for skip in skipped:
        log.warning("skipped %s: %s", skip.source, skip.reason)
    return corpus


def iter_articles(path, *, recursive: bool = False) -> Iterator[Article | Skip]:
    """Articles and Skips of `path` (one path or a list of paths), one at a time (load_corpus's rules, never
    strict). Subfolders of a folder are read when `recursive`, else each is a Skip saying so."""
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    walk = _Walk(recursive)
    seen: dict[str, str] = {}
    for one in paths:
        for item in walk.path(Path(one)):
            if isinstance(item, Article):
                if item.id in seen:
                    raise CorpusError(f"{item.source}: duplicate id {item.id!r} (first used by {seen[item.id]})")
                seen[item.id] = item.source
            yield item


def iter_corpus_files(path, *, recursive: bool = False) -> Iterator[Path | Skip]:
    """The files iter_articles would read (a manifest counts as one file), and the Skips of the walk, in
    order: the same walk, for callers that read each file elsewhere (kzlib.scale, one task per file)."""
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    walk = _Walk(recursive, list_only=True)
    for one in paths:
        yield from walk.path(Path(one))


SUBFOLDER_SKIP = "subfolder, not read (give --recursive to read subfolders)"


class _Walk:
    """One walk over the inputs of a run: every entry it meets is read once or becomes a Skip."""

    def __init__(self, recursive: bool, list_only: bool = False):
        self.recursive = recursive
        self.list_only = list_only             # yield the files to read (Paths) instead of their articles
        self.read: dict[Path, str] = {}        # resolved path -> how it was first shown
        self.digests: dict[str, str] = {}      # sha256 of a file read -> how it was first shown
        self.folders: set[Path] = set()        # resolved folders already walked (symbolic link loops)

    def path(self, path: Path) -> Iterator[Article | Skip]:
        problem = _stat_problem(path)
        if problem == "missing":
            raise CorpusError(f"{_display(path)}: no such file or folder")
        if problem:
            yield Skip(_display(path), problem)
        elif path.is_dir():
            yield from self.folder(path, top=True)
        elif not path.is_file():
            yield Skip(_display(path), "not a regular file (a pipe, socket or device): not read")
        else:
            yield from self.file(path)

    def file(self, path: Path, *, manifest_row: bool = False) -> Iterator[Article | Skip]:
        resolved = path.resolve()
        if resolved in self.read:
            yield Skip(_display(path), f"already read as {self.read[resolved]}: read once")
            return
        self.read[resolved] = _display(path)
        if not manifest_row:
            if path.suffix.lower() == ".csv" and _is_manifest_or_skip(path) is True:
                yield from [path] if self.list_only else self.manifest(path)
                return
            unread = self.unreadable_or_copy(path)
            if unread is not None:
                yield unread
                return
        yield from [path] if self.list_only else _iter_file(path)

    def unreadable_or_copy(self, path: Path) -> Skip | None:
        """A Skip when the file cannot be read or holds the same bytes as a file read before; otherwise None,
        and its digest is remembered."""
        try:
            digest = _file_digest(path)
        except OSError as error:
            return Skip(_display(path), f"cannot read: {error.strerror or error}")
        if digest in self.digests:
            return Skip(_display(path), f"same bytes as {self.digests[digest]} (a copy): read once")
        self.digests[digest] = _display(path)
        return None

    def folder(self, folder: Path, top: bool = False) -> Iterator[Article | Skip]:
        resolved = folder.resolve()
        if resolved in self.folders:
            yield Skip(_display(folder), "folder already read (given twice, or reached again through a symbolic "
                                         "link): read once")
            return
        self.folders.add(resolved)
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as error:
            yield Skip(_display(folder), f"cannot list the folder: {error.strerror or error}")
            return
        if top and not entries:
            raise CorpusError(f"{_display(folder)}: empty folder, no .txt / .jsonl / .csv / .parquet files")
        manifests = [p for p in entries if _is_folder_manifest(p)]
        if manifests:
            yield from self.manifest_folder(entries, manifests)
            return
        for entry in entries:
            yield from self.entry(entry)

    def manifest_folder(self, entries: list[Path], manifests: list[Path]) -> Iterator[Article | Skip]:
        """A folder that holds a manifest: the manifest decides what is loaded (and reports unlisted files
        itself); every other entry no manifest read is a Skip."""
        for manifest in manifests:
            yield from self.file(manifest)
        for entry in entries:
            if entry in manifests or entry.resolve() in self.folders or entry.resolve() in self.read:
                continue
            yield Skip(_display(entry), f"not read: the manifest {_display(manifests[0])} of this folder "
                                        "decides what is loaded")

    def entry(self, entry: Path) -> Iterator[Article | Skip]:
        """One entry met in a folder: read, recursed into, or a Skip with the reason."""
        problem = _stat_problem(entry)
        if problem:
            yield Skip(_display(entry), problem if problem != "missing" else "vanished while the folder was read")
        elif entry.name.startswith("."):
            kind = "folder" if entry.is_dir() else "file"
            yield Skip(_display(entry), f"hidden {kind} (name starts with '.'): not read")
        elif entry.is_dir():
            if self.recursive:
                yield from self.folder(entry)
            else:
                yield Skip(_display(entry), SUBFOLDER_SKIP)
        elif not entry.is_file():
            yield Skip(_display(entry), "not a regular file (a pipe, socket or device): not read")
        else:
            yield from self.file(entry)

    def manifest(self, manifest: Path) -> Iterator[Article | Skip]:
        yield from _iter_manifest(manifest, self)


def _is_folder_manifest(path: Path) -> bool:
    """A visible, regular .csv file of a folder that is a manifest."""
    return (not path.name.startswith(".") and path.suffix.lower() == ".csv" and not _stat_problem(path)
            and path.is_file() and _is_manifest_or_skip(path) is True)


def _stat_problem(path: Path) -> str | None:
    """Why `path` cannot be visited ("missing" when nothing is there at all), or None."""
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"broken symbolic link (to {_safe(os.readlink(path))!s}): not read"
        return "missing"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop: not read"
        return f"cannot read: {error.strerror or error}"
    return None


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _iter_file(path: Path) -> Iterator[Article | Skip]:
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            yield _text_file(path, _safe(path.stem), {})
        elif suffix == ".jsonl":
            yield from _iter_jsonl(path)
        elif suffix == ".csv":
            yield from _iter_csv(path)
        elif suffix == ".parquet":
            yield from _iter_parquet(path)
        else:
            yield Skip(_display(path), f"unsupported file type {suffix or '(none)'!r}: give .txt, .jsonl, .csv, "
                                       ".parquet or a manifest .csv")
    except _FileSkip as skip:       # the file as a whole is not a corpus: one Skip for it
        yield Skip(_display(path), str(skip))
    except OSError as error:
        yield Skip(_display(path), f"cannot read: {error.strerror or error}")


class _FileSkip(Exception):
    """A whole record file that is not a corpus (no text column, a repeated column, not UTF-8)."""


# ----------------------------------------------------------------------------------------------- raw text

def _display(path: Path) -> str:
    """Path relative to the project root when inside it (stable across machines), else as given; a file name
    that is not UTF-8 is shown with its bytes escaped (\\xff), so it can be printed and stored."""
    try:
        resolved = Path(path).resolve()
        shown = Path(os.path.relpath(resolved, ROOT)).as_posix() if resolved.is_relative_to(ROOT) else str(path)
    except (OSError, ValueError, RuntimeError):
        shown = str(path)
    return _safe(shown)


def _safe(name: str) -> str:
    """A file name as valid UTF-8 text: undecodable bytes (kept by Python as surrogates) written as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def decode_text(data: bytes, source: str) -> tuple[str, dict]:
    """UTF-8 text of `data` and notes for meta; CorpusError (naming source and byte offset) when unreadable."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorpusError(f"{source}: UTF-16 text (byte order mark {data[:2].hex(' ').upper()}), not UTF-8: save "
                          "it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0 and _looks_like_utf16(data):
        raise CorpusError(f"{source}: looks like UTF-16 text without a byte order mark (every other byte is NUL), "
                          "not UTF-8: save it as UTF-8")
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


def _looks_like_utf16(data: bytes) -> bool:
    """Whether bytes holding a NUL read as UTF-16 text (in Arabic UTF-16 only the ASCII characters carry a
    NUL byte: spaces, digits): the first 2000 bytes decode as UTF-16 to printable text."""
    head = data[:2000 - (min(len(data), 2000) % 2)]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            sample = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sample and sum(ch.isprintable() or ch.isspace() for ch in sample) >= 0.95 * len(sample):
            return True
    return False


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
    try:
        data = path.read_bytes()
    except OSError as error:
        return Skip(source, f"cannot read: {error.strerror or error}")
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha and digest != expected_sha.lower():
        raise CorpusError(_checksum_message(source, digest, expected_sha))
    try:
        text, notes = decode_text(data, source)
        del data            # the bytes are not needed once decoded (a big article would be held twice)
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


def _is_manifest_or_skip(path: Path) -> bool | None:
    """_is_manifest, or None when the header cannot be read (the file then becomes a Skip when read)."""
    try:
        return _is_manifest(path)
    except (CorpusError, _FileSkip, OSError):
        return None


def _open_text(path: Path):
    """`path` opened as UTF-8 text (a leading BOM dropped); UTF-16 is named as such, not as a decoding error."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        raise _FileSkip(f"UTF-16 text (byte order mark {head.hex(' ').upper()}), not UTF-8: save it as UTF-8")
    return open(path, encoding="utf-8-sig", newline="")


def _csv_header(path: Path) -> list[str]:
    """The header of a CSV file; a column named twice is an error (one of the two would be dropped)."""
    try:
        with _open_text(path) as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except UnicodeDecodeError as error:
        raise _FileSkip(f"not UTF-8 (byte offset {error.start})") from None
    except csv.Error as error:
        raise _FileSkip(f"malformed CSV header: {error}") from None
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        places = "; ".join(f"{h!r} in columns {', '.join(str(i + 1) for i, x in enumerate(header) if x == h)}"
                           for h in repeated)
        raise _FileSkip(f"header names a column twice ({places}): rename one (kzlib would keep only one of them)")
    return header


def _iter_manifest(manifest: Path, walk: "_Walk | None" = None) -> Iterator[Article | Skip]:
    rows = _read_manifest(manifest)
    listed = _check_manifest(manifest, rows)       # integrity first: nothing is yielded from a broken manifest
    yield from _manifest_articles(manifest, rows, walk)
    yield from _unlisted_entries(manifest, listed, walk)


def _read_manifest(manifest: Path) -> list[tuple[int, dict | Skip]]:
    """(line, record) of every record of a manifest whose header has the required columns."""
    try:
        header = _csv_header(manifest)
        rows = list(_csv_rows(manifest, header))
    except _FileSkip as error:
        raise CorpusError(f"{_display(manifest)}: {error}") from None
    missing = [c for c in MANIFEST_REQUIRED if c not in header]
    if missing:
        raise CorpusError(f"{_display(manifest)}: manifest lacks column(s) {missing}")
    return rows


def _check_manifest(manifest: Path, rows: list[tuple[int, dict | Skip]]) -> set[Path]:
    """The files (resolved) a manifest lists, once every row is checked: a CorpusError names the first
    broken row (a record that does not parse, an empty or repeated id, a file outside the manifest's
    folder or missing, a checksum that does not match)."""
    base = manifest.parent
    inside = base.resolve()
    listed, ids = set(), {}
    for number, row in rows:
        where = f"{_display(manifest)}: line {number}"
        _check_manifest_id(where, row, ids)
        ids[row["id"]] = number
        target = _manifest_target(where, row, base, inside)
        _check_manifest_checksum(target, row)
        listed.add(target)
    return listed


def _check_manifest_id(where: str, row: dict | Skip, ids: dict[str, int]) -> None:
    if isinstance(row, Skip):
        raise CorpusError(f"{where}: {row.reason}")
    if not row.get("id"):
        raise CorpusError(f"{where}: empty id")
    if row["id"] in ids:
        raise CorpusError(f"{where}: duplicate id {row['id']!r} (also on line {ids[row['id']]})")


def _manifest_target(where: str, row: dict, base: Path, inside: Path) -> Path:
    """The resolved file a manifest row lists, which must exist inside the manifest's folder."""
    target = (base / row["file"]).resolve()
    if not target.is_relative_to(inside):
        raise CorpusError(f"{where}: file {row['file']!r} listed for {row['id']!r} is outside the manifest's "
                          f"folder {_display(base)} ({_safe(str(target))}); manifest paths must stay inside it")
    if not target.is_file():
        raise CorpusError(f"{where}: file {row['file']!r} listed for {row['id']!r} is missing ({_safe(str(target))})")
    return target


def _check_manifest_checksum(target: Path, row: dict) -> None:
    # checksums before any article: a run never starts writing claims and then fails
    expected = (row.get("sha256") or "").strip().lower()
    if not expected:
        return
    try:
        digest = _file_digest(target)
    except OSError:
        return              # unreadable: a Skip later, when it is read
    if digest != expected:
        raise CorpusError(_checksum_message(_display(target), digest, expected))


def _manifest_articles(manifest: Path, rows: list[tuple[int, dict]], walk: "_Walk | None") -> Iterator[Article | Skip]:
    """The article of each manifest row, in row order (a file the walk read already: a Skip)."""
    base = manifest.parent
    for number, row in rows:
        target = base / row["file"]
        if walk is not None:
            resolved = target.resolve()
            if resolved in walk.read:
                yield Skip(_display(target), f"already read as {walk.read[resolved]}: read once")
                continue
            walk.read[resolved] = _display(target)
        yield _manifest_article(manifest, number, row, target)


def _manifest_article(manifest: Path, number: int, row: dict, target: Path) -> Article | Skip:
    fields = {k: v for k, v in row.items() if k not in ("id", "file", "chars") and v not in (None, "")}
    article = _text_file(target, row["id"], {**fields, "manifest": f"{_display(manifest)}:line {number}"},
                         expected_sha=row.get("sha256") or None)
    _check_manifest_chars(manifest, number, row, article)
    return article


def _check_manifest_chars(manifest: Path, number: int, row: dict, article: Article | Skip) -> None:
    """The row's optional `chars` must be a whole number, equal to the length of the article's text."""
    chars = (row.get("chars") or "").strip()
    if not chars:
        return
    if not chars.isdigit():
        raise CorpusError(f"{_display(manifest)}: line {number}: chars {chars!r} is not a whole number")
    if isinstance(article, Article) and int(chars) != len(article.text):
        raise CorpusError(f"{_display(manifest)}: line {number}: {article.source} has {len(article.text)} "
                          f"characters, the manifest says {chars}")


def _unlisted_entries(manifest: Path, listed: set[Path], walk: "_Walk | None") -> Iterator[Skip]:
    """A Skip for each entry of the folders the manifest points into that it does not list (and that the
    walk has not met)."""
    folders = sorted({p.parent for p in listed})   # only the folders the manifest points into
    known = listed | {manifest.resolve()}           # a manifest beside its files is not an unlisted article
    for folder in folders:
        if walk is not None:
            walk.folders.add(folder)
        for extra in sorted(folder.iterdir()):
            resolved = extra.resolve()
            if resolved in known or (walk is not None and (resolved in walk.read or resolved in walk.folders)):
                continue
            if walk is not None:
                walk.read[resolved] = _display(extra)      # reported once, here
            yield _unlisted_skip(extra, manifest)


def _unlisted_skip(extra: Path, manifest: Path) -> Skip:
    if extra.name.startswith("."):
        return Skip(_display(extra), f"hidden {'folder' if extra.is_dir() else 'file'} (name starts with '.'), "
                                     f"not listed in the manifest {_display(manifest)}: not read")
    if extra.is_dir():
        return Skip(_display(extra), f"subfolder, not listed in the manifest {_display(manifest)}: not read")
    return Skip(_display(extra), f"not listed in the manifest {_display(manifest)}; add a row for it "
                                 "(with its sha256) to load it")


def _checksum_message(source: str, digest: str, expected: str) -> str:
    return (f"{source}: sha256 {digest} does not match the manifest ({expected}): the raw file was edited or "
            "replaced; raw files are never modified — restore it or update the manifest row")


def _csv_rows(path: Path, header: list[str]) -> Iterator[tuple[int, dict | Skip]]:
    """(line, record) per CSV record, parsed strictly; a record that does not parse is a Skip naming its line.

    A record starts on the line after the previous one ends (a quoted field may hold line breaks); its
    line number is the line it starts on. Blank lines are not records."""
    csv.field_size_limit(sys.maxsize)     # one field may hold a whole article
    name = _display(path)
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle, strict=True)
            next(reader, None)            # the header (checked by _csv_header)
            while True:
                start = reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    if "unexpected end of data" in str(error):
                        yield start, Skip(f"{name}:line {start}", f"a quote opened in this record is never closed: "
                                                                  f"lines {start}-{reader.line_num} not read")
                        return
                    yield start, Skip(f"{name}:line {start}", f"malformed CSV record ({error}): quote the text "
                                                              "field and double the quotes inside it")
                    continue
                if not fields:
                    continue                # a blank line between records
                if len(fields) != len(header):
                    hint = "an unquoted comma in a field? quote the field" if len(fields) > len(header) else \
                        "fields missing"
                    yield start, Skip(f"{name}:line {start}", f"{len(fields)} fields where the header has "
                                                              f"{len(header)} ({hint}): not read")
                    continue
                yield start, dict(zip(header, fields))
    except UnicodeDecodeError as error:
        raise _FileSkip(f"not UTF-8 (byte offset {error.start})") from None


# ----------------------------------------------------------------------------------------------- records

def _record_article(record, source: str, default_id: str) -> Article | Skip:
    text = _record_text(record, source)
    if isinstance(text, Skip):
        return text
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


def _record_text(record, source: str) -> str | Skip:
    """The `text` string of a record (a JSON object or a CSV row), or a Skip saying why it has none."""
    if isinstance(record, Skip):
        return record
    if not isinstance(record, dict):
        return Skip(source, f"not a JSON object but {type(record).__name__}")
    if "text" not in record:
        return Skip(source, "no 'text' field")
    text = record["text"]
    if text is None:
        return Skip(source, "'text' is null (no article text)")
    if not isinstance(text, str):
        return Skip(source, f"'text' is {type(text).__name__}, not a string")
    return text


def _iter_jsonl(path: Path) -> Iterator[Article | Skip]:
    name = _display(path)
    with open(path, "rb") as handle:
        head = handle.read(2)
        if head in (b"\xff\xfe", b"\xfe\xff"):
            raise _FileSkip(f"UTF-16 text (byte order mark {head.hex(' ').upper()}), not UTF-8: save it as UTF-8")
        handle.seek(0)
        records = 0
        for number, raw in enumerate(handle, start=1):
            source = f"{name}:line {number}"
            if not raw.strip():
                continue                      # blank line between records: not an article
            records += 1
            try:
                line, _ = decode_text(raw, source)
                record = json.loads(line)
            except CorpusError as error:
                yield Skip(source, str(error).removeprefix(f"{source}: "))
                continue
            except json.JSONDecodeError as error:
                yield Skip(source, f"not JSON: {error.msg} at column {error.colno}")
                continue
            yield _record_article(record, source, f"{_safe(path.stem)}:{number}")
    if not records:
        yield Skip(name, "no records (the file is empty or holds only blank lines)")


def _iter_csv(path: Path) -> Iterator[Article | Skip]:
    header = _csv_header(path)
    if "text" not in header:
        raise _FileSkip(f"no 'text' column (columns: {header}); a corpus CSV needs one (a manifest needs 'id' and "
                        "'file')")
    records = 0
    for number, row in _csv_rows(path, header):
        records += 1
        yield _record_article(row, f"{_display(path)}:line {number}", f"{_safe(path.stem)}:{number}")
    if not records:
        yield Skip(_display(path), "no records (a header only)")


def _iter_parquet(path: Path) -> Iterator[Article | Skip]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except OSError:
        raise
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise _FileSkip(f"not a readable Parquet file: {error}") from None
    if "text" not in parquet.schema_arrow.names:
        raise _FileSkip(f"no 'text' column (columns: {parquet.schema_arrow.names}); a Parquet claims ledger is "
                        "not a corpus")
    row = 0
    for batch in parquet.iter_batches(batch_size=1000):
        for record in batch.to_pylist():
            row += 1
            yield _record_article(record, f"{_display(path)}:row {row}", f"{_safe(path.stem)}:{row}")
    if not row:
        yield Skip(_display(path), "no rows")

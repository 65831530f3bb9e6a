"""The registry of kzlib's word lists: every file of src/kzlib/lexicons/ that the code reads, by name, with
the columns its header must have and those no row may leave empty.

A module asks for `lexicon_rows("categories")` and builds its own index from the rows; an analyst's file of
the same format is read with `lexicon_rows("framing", path)`. Every file goes through the one TSV reader
(kzlib.tsv: comments, blank lines, a bad row named by file and line) and is read once per process.
`check_lexicons()` reads them all (tests/test_lexicon_files.py: every shipped file is registered and reads).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from kzlib.paths import LEXICONS
from kzlib.tsv import Row, read_tsv


class LexiconFile(NamedTuple):
    file: str                        # in src/kzlib/lexicons/
    required: tuple[str, ...]        # columns the header must have
    nonempty: tuple[str, ...] = ()   # columns no row may leave empty


LEXICON_FILES: dict[str, LexiconFile] = {
    # extraction: actors, places, cues, categories, groups, numbers, sentences
    "actors": LexiconFile("actors.tsv", ("id", "type", "variant")),
    "countries": LexiconFile("countries.tsv", ("id", "name_en", "variant", "kind", "country", "context")),
    "places": LexiconFile("places.tsv", ("id", "name_en", "variant", "kind", "country", "context")),
    "place_words": LexiconFile("place_words.tsv", ("term", "kind", "rank")),
    "attribution_verbs": LexiconFile("attribution_verbs.tsv", ("term", "kind")),
    "source_phrases": LexiconFile("source_phrases.tsv", ("term", "kind", "source_type", "gender", "defers")),
    "actor_source_types": LexiconFile("actor_source_types.tsv", ("actor_id", "source_type")),
    "categories": LexiconFile("categories.tsv", ("term", "category", "form")),
    "subjects": LexiconFile("subjects.tsv", ("term", "subject", "form")),
    "groups": LexiconFile("groups.tsv", ("term", "detail", "subject", "form")),
    "number_words": LexiconFile("number_words.tsv", ("word", "value", "kind")),
    "ordinal_words": LexiconFile("ordinal_words.tsv", ("word", "value")),
    "quantity_qualifiers": LexiconFile("quantity_qualifiers.tsv", ("phrase", "qualifier", "position")),
    "non_count_units": LexiconFile("non_count_units.tsv", ("word", "kind", "position")),
    "abbreviations": LexiconFile("abbreviations.tsv", (), ("abbreviation",)),
    "furniture": LexiconFile("furniture.tsv", ("kind", "match", "pattern", "where", "max_words", "next_line")),
    # analysis: tables, sources, timeline
    "official_sources": LexiconFile("official_sources.tsv", ("actor_id",)),
    "official_source_types": LexiconFile("official_source_types.tsv", ("source_type",)),
    "labels": LexiconFile("labels.tsv", ("id", "kind", "label_ar", "label_en")),
    "framing": LexiconFile("framing.tsv", (), ("group", "frame", "term", "gloss_en")),
    "relative_dates": LexiconFile("relative_dates.tsv", ("value",), ("kind", "term")),
}


def lexicon_path(name: str) -> Path:
    """The shipped file of a registered lexicon."""
    return LEXICONS / _spec(name).file


def lexicon_rows(name: str, path: str | Path | None = None) -> list[Row]:
    """The rows of the registered lexicon `name`, checked against its columns; `path`: an analyst's file of
    the same format instead of the shipped one. Fresh rows each call: a caller may add fields to its own."""
    path = Path(path or lexicon_path(name))
    try:
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)     # an edited file is read again
    except OSError:
        stamp = None                             # read_tsv names the missing file
    return [Row(row, row.line) for row in _read(name, str(path), stamp)]


@lru_cache(maxsize=64)
def _read(name: str, path: str, stamp: tuple[int, int] | None) -> tuple[Row, ...]:
    spec = _spec(name)
    return tuple(read_tsv(path, required=spec.required, nonempty=spec.nonempty))


def _spec(name: str) -> LexiconFile:
    try:
        return LEXICON_FILES[name]
    except KeyError:
        raise KeyError(f"no lexicon named {name!r} (known: {sorted(LEXICON_FILES)})") from None


def check_lexicons() -> dict[str, int]:
    """Read every registered lexicon (an error names the file and line); rows per lexicon."""
    return {name: len(lexicon_rows(name)) for name in LEXICON_FILES}

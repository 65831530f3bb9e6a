"""The one reader of the lexicon files (src/kzlib/lexicons/*.tsv): every module reads its lexicon through it,
by name, via the registry kzlib.lexicon_files.

Rules (documented for analysts in lexicons/README.md):
- the first non-comment, non-blank line is the header (column names, tab-separated);
- a line starting with ``#`` is a comment, a line of spaces only is blank: both are skipped;
- a tab is a tab: no quoting (``"`` is an ordinary character), so a value is exactly what the line holds;
- surrounding spaces of a value are dropped;
- every row has as many columns as the header (an empty trailing note still needs its tab): a row with
  fewer or more is an error, never silently shifted or padded;
- an error names the file and the physical line number an editor shows (comments and blank lines counted).
"""

from __future__ import annotations

from pathlib import Path


class Row(dict):
    """One row (column -> value); `line` is its physical line number in the file, for error messages."""

    __slots__ = ("line",)

    def __init__(self, values, line: int):
        super().__init__(values)
        self.line = line


def read_tsv(path: str | Path, required: tuple[str, ...] = (), nonempty: tuple[str, ...] = ()) -> list[Row]:
    """Rows of a lexicon TSV (module docstring). `required`: columns the header must have;
    `nonempty`: columns no row may leave empty."""
    numbered = _content_lines(path)
    if not numbered:
        raise ValueError(f"{path}: no header line")
    header_line, header = numbered[0][0], _cells(numbered[0][1])
    _check_header(path, header_line, header, (*required, *nonempty))
    return [_row(path, n, line, header, nonempty) for n, line in numbered[1:]]


def _content_lines(path: str | Path) -> list[tuple[int, str]]:
    """(physical line number, line) of every line that is neither a comment nor blank."""
    with open(path, encoding="utf-8", newline="") as f:
        return [(n, ln) for n, ln in enumerate(f, start=1) if ln.strip() and not ln.startswith("#")]


def _check_header(path, header_line: int, header: list[str], columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(f"{path}: line {header_line}: header lacks column(s) {missing} (has {header})")


def _row(path, n: int, line: str, header: list[str], nonempty: tuple[str, ...]) -> Row:
    cells = _cells(line)
    if len(cells) != len(header):
        raise ValueError(f"{path}: line {n}: {len(cells)} columns where the header has {len(header)}")
    row = Row(zip(header, cells), n)
    empty = [c for c in nonempty if not row[c]]
    if empty:
        raise ValueError(f"{path}: line {n}: empty value in column(s) {empty}")
    return row


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.rstrip("\r\n").split("\t")]

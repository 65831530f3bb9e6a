"""Tables a person can read, for the report notebooks: interactive (sort, search, page, show more columns)
with itables in its offline mode, so the exported HTML works without the internet.

`show_table(frame, columns=[...])` shows the short default column set and keeps every other column one click
away ("Columns" button). Every claim id (`article_id:start-end`, in any column named like `claim_id`,
`claim_ids`, `*_claim_ids` or `*_refs`) links to its highlighted quote on the article's evidence page
(kzlib.evidence), article ids link to the article page, the quote is highlighted inside its sentence, whole
numbers are shown as 1,300, and Arabic columns are laid out right-to-left. Every cell is HTML-escaped here
(itables is told the cells hold HTML because of the links and highlights).

itables' offline mode embeds its DataTables bundle (JavaScript + CSS, ~1 MB) once per notebook, in the
output of the first table shown (`init_notebook_mode(connected=False)`); the exported page must keep that
output, which `kz report` does. DataTables builds the rows of the visible page only (`deferRender`), but every
row shown is embedded in the page: a table of more than `MAX_ROWS` rows, or whose embedded rows would take more
than `MAX_TABLE_BYTES`, shows its first rows only and says so above the table, with a link to the whole table
the notebook saved (`saved="02_claims_ledger"` → tables/02_claims_ledger.csv and .parquet). A corpus of 100,000
articles has ledgers of 400,000 claims: embedded whole, one page would be hundreds of megabytes.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from kzlib.charts import arabic_share
from kzlib.evidence import article_href, claim_href

#: Arabic columns are right-to-left when this share of their letters is Arabic (as kzlib.report.mark_rtl).
RTL_THRESHOLD = 0.5
#: A sentence longer than this is cut to this many characters around its quote (the article page has it all).
SENTENCE_CONTEXT = 320
PAGE_LENGTH = 10
#: A table shows at most this many rows in the page (the saved CSV / Parquet table has them all).
MAX_ROWS = 500
#: ... and at most about this many bytes of embedded rows: a page holds up to ten tables and stays under 5 MB.
MAX_TABLE_BYTES = 300_000
#: Where the saved tables are from an exported notebook page (html/NN_name.html).
TABLES_FROM_NOTEBOOK = "../tables/"
#: A cell listing claim ids links the first this many and counts the rest (the saved CSV / Parquet table has
#: them all): near-duplicate lists of a large corpus run to hundreds of ids per cell, megabytes per table.
MAX_LINKED_IDS = 10
#: Where the article pages are from an exported notebook page (html/NN_name.html).
ARTICLES_FROM_NOTEBOOK = "../articles/"
_CLAIM_COLUMN = re.compile(r"(^|_)(claim_ids?|refs?)$")
_ARTICLE_COLUMN = re.compile(r"(^|_)article_id$")
#: Styles shipped with every table (so they hold in JupyterLab too, not only in the exported page).
TABLE_CSS = """
.dt-container { font-size: 0.9em; }
.dt-container table.dataTable td, .dt-container table.dataTable th { text-align: left; vertical-align: top; }
td.kz-rtl, th.kz-rtl { direction: rtl; text-align: right !important; unicode-bidi: plaintext;
  font-family: "IBM Plex Sans Arabic", "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, sans-serif; }
td.kz-wrap { white-space: normal !important; line-height: 1.7; }
td.kz-wrap div.kz-long { min-width: 26em; max-width: 46em; white-space: normal; }
.dt-container table.dataTable td.kz-num, .dt-container table.dataTable th.kz-num { text-align: right;
  font-variant-numeric: tabular-nums; }
mark.kz-q { background: #ffe08a; padding: 0 0.1em; }
td a.kz-claim { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 0.92em; }
"""

_initialised = False


def show_table(frame: pd.DataFrame, columns=None, *, caption: str | None = None, page_length: int = PAGE_LENGTH,
               articles_base: str = ARTICLES_FROM_NOTEBOOK, saved: str | None = None, max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_TABLE_BYTES, where=None) -> None:
    """Display `frame` as an interactive table: `columns` first and visible (default: all), the rest hidden
    behind the "Columns" button. Plain scripts (no notebook front-end) get itables' text table.

    Over `max_rows` rows or `max_bytes` of embedded rows, the first rows are shown under a note naming how many
    and where the whole table is: `saved` is the stem the notebook saves it under (`save_tables`).
    `where`: a boolean mask of `frame`'s rows, the table being those rows (only the first `max_rows` of them
    are copied: `frame[where]` of a million rows would copy them all)."""
    import itables

    global _initialised
    if not _initialised:
        itables.init_notebook_mode(all_interactive=False, connected=False)
        _initialised = True
    from IPython.display import HTML, display

    total = len(frame)
    if where is not None:
        import numpy as np

        chosen = np.flatnonzero(np.asarray(where, dtype=bool))
        frame, total = frame.iloc[chosen[:max_rows]], len(chosen)
    page, shown = table_html(frame, columns, caption=caption, page_length=page_length, articles_base=articles_base,
                             max_rows=max_rows, max_bytes=max_bytes)
    if shown < total:
        display(HTML(truncation_note(shown, total, saved)))
    display(HTML(page))


def table_html(frame: pd.DataFrame, columns=None, *, caption: str | None = None, page_length: int = PAGE_LENGTH,
               articles_base: str = ARTICLES_FROM_NOTEBOOK, max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_TABLE_BYTES) -> tuple[str, int]:
    """(the table's HTML, the number of rows of `frame` it holds): the first rows, as many as fit `max_rows`
    and (roughly) `max_bytes`."""
    import itables

    rows = min(len(frame), max_rows)
    while True:
        shown, options = table_options(frame.iloc[:rows], columns, page_length=page_length, articles_base=articles_base)
        page = compact_arabic_escapes(itables.to_html_datatable(shown, caption, connected=False, **options))
        size = len(page.encode("utf-8"))
        if size <= max_bytes or rows <= 1:
            return page, rows
        rows = max(1, min(rows - 1, int(rows * max_bytes / size * 0.9)))


def truncation_note(shown: int, total: int, saved: str | None, tables_base: str = TABLES_FROM_NOTEBOOK) -> str:
    """The line above a cut table: how many rows it shows, and the saved files that hold them all."""
    if saved:
        links = " and ".join(f'<a href="{html.escape(tables_base + saved, quote=True)}.{suffix}">'
                             f"tables/{html.escape(saved)}.{suffix}</a>" for suffix in ("csv", "parquet"))
        where = f"the whole table is in {links}"
    else:
        where = "the whole table is in the notebook's saved tables (tables/)"
    return (f'<p class="kz-cut"><b>The first {shown:,} of {total:,} rows</b> (search and sort work on these); '
            f"{where}.</p>")


#: itables writes the rows as JSON inside a JSON string, ASCII-only: an Arabic letter becomes `\\u0642`, seven
#: bytes instead of UTF-8's two, which made a 1,000-article report's pages ~3x larger. The letters are written
#: back as themselves, which both JSON decodings read the same. A match needs its run of backslashes to be 2
#: mod 4 long: 4 more are an escaped backslash of the text (a literal "\\u0642" written in an article stays).
_ARABIC_ESCAPE = re.compile(r"(?<!\\)((?:\\\\\\\\)*)\\\\u(06[0-9a-f]{2}|07[5-7][0-9a-f]|08[a-f][0-9a-f]|"
                            r"f[b-d][0-9a-f]{2}|fe[7-9a-f][0-9a-f])")


def compact_arabic_escapes(page: str) -> str:
    """`page` with itables' doubly escaped Arabic letters (`\\\\u0627`) written as the letters."""
    return _ARABIC_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), page)


def table_options(frame: pd.DataFrame, columns=None, *, page_length: int = PAGE_LENGTH,
                  articles_base: str = ARTICLES_FROM_NOTEBOOK) -> tuple[pd.DataFrame, dict]:
    """The escaped, linked, formatted frame and the itables options `show_table` passes (for tests)."""
    frame = frame.reset_index(drop=True)
    visible, order = _column_order(frame, columns)
    cells = pd.DataFrame({str(column): _cells(frame, column, articles_base) for column in order})
    rtl = [i for i, c in enumerate(order) if _is_arabic(frame[c])]
    wrap = [i for i, c in enumerate(order) if i in rtl and _mean_length(frame[c]) > 40]
    numeric = [i for i, c in enumerate(order) if _is_number_column(frame[c])]
    hidden = list(range(len(visible), len(order)))
    _wrap_long_cells(cells, wrap)
    return cells, _itables_options(_column_defs(rtl, wrap, numeric, hidden), hidden, page_length)


def _column_order(frame: pd.DataFrame, columns) -> tuple[list, list]:
    """The columns shown (`columns`, default all) and every column, the shown ones first; a column asked
    for that the frame lacks is a KeyError."""
    visible = [c for c in (columns or frame.columns) if c in frame.columns]
    missing = [c for c in (columns or []) if c not in frame.columns]
    if missing:
        raise KeyError(f"show_table: no column(s) {missing} in the table (it has {list(frame.columns)})")
    return visible, visible + [c for c in frame.columns if c not in visible]


def _is_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _wrap_long_cells(cells: pd.DataFrame, wrap: list[int]) -> None:
    # table cells ignore min-width; a block inside the cell gives the sentence room
    for i in wrap:
        column = cells.columns[i]
        cells[column] = [f'<div class="kz-long">{cell}</div>' if cell else "" for cell in cells[column]]


def _column_defs(rtl: list[int], wrap: list[int], numeric: list[int], hidden: list[int]) -> list[dict]:
    """itables columnDefs: right-to-left, wrapped long Arabic, numeric and hidden columns (those present)."""
    defs = []
    for targets, setting in ((rtl, {"className": "kz-rtl"}), (wrap, {"className": "kz-rtl kz-wrap"}),
                             (numeric, {"className": "kz-num"}), (hidden, {"visible": False})):
        if targets:
            defs.append({"targets": targets, **setting})
    return defs


def _itables_options(column_defs: list[dict], hidden: list[int], page_length: int) -> dict:
    options = dict(
        allow_html=True, maxBytes=0, showIndex=False, pageLength=page_length,
        lengthMenu=[10, 25, 100, 500], deferRender=True, classes="display compact",
        style="table-layout:auto;width:100%;margin:0;caption-side:top", order=[], css=TABLE_CSS, columnDefs=column_defs,
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info", "bottomEnd": "paging",
                **({"top2Start": "buttons"} if hidden else {})},
        display_logo_when_loading=False,
    )
    if hidden:
        options["buttons"] = [{"extend": "colvis", "text": f"Columns ({len(hidden)} more)"}]
    return options


# --- cells -----------------------------------------------------------------------------------

def _cells(frame: pd.DataFrame, column, articles_base: str) -> list[str]:
    values = frame[column]
    name = str(column)
    if _CLAIM_COLUMN.search(name):
        # `*_refs` are offsets of mentions (quoted statements, credits), not claims: no quote anchor to go to
        anchored = not re.search(r"refs?$", name)
        return [_claim_links(v, articles_base, anchored) for v in values]
    if _ARTICLE_COLUMN.search(name) or name == "id" and "headline" in frame.columns:
        return [_article_link(v, articles_base) for v in values]
    quotes = _quotes_of(frame, name)
    if quotes is not None:
        return [_highlighted(s, q) for s, q in zip(values, quotes)]
    return _plain_cells(values)


def _quotes_of(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """The quotes to mark in a sentence column (None when `name` is not one, or the table has no quotes)."""
    if name not in ("sentence", "evidence_sentence"):
        return None
    for quote in ("quote", "evidence_quote"):
        if quote in frame.columns:
            return frame[quote]
    return None


def _plain_cells(values: pd.Series) -> list[str]:
    """Booleans as yes / no, numbers formatted, anything else escaped text."""
    if pd.api.types.is_bool_dtype(values):
        return ["yes" if v else "no" for v in values]
    if pd.api.types.is_numeric_dtype(values):
        return [_number(v) for v in values]
    return [html.escape(_text(v), quote=False) for v in values]


def _claim_links(value, base: str, anchored: bool = True) -> str:
    """`a:1-2, b:3-4` → one link per claim id (to its quote, or with `anchored` False to its article);
    anything else escaped as it is."""
    text = _text(value)
    if not text:
        return ""
    items = re.split(r"\s*[,;]\s*", text)
    parts = []
    for item in items[:MAX_LINKED_IDS]:
        href = claim_href(item, base)
        if href and not anchored:
            href = href.split("#", 1)[0]
        parts.append(f'<a class="kz-claim" href="{html.escape(href, quote=True)}">{html.escape(item)}</a>'
                     if href else html.escape(item))
    more = len(items) - MAX_LINKED_IDS
    return ", ".join(parts) + (f' <span class="kz-more">(+{more:,} more in the saved table)</span>' if more > 0 else "")


def _article_link(value, base: str) -> str:
    text = _text(value)
    return f'<a href="{html.escape(article_href(text, base), quote=True)}">{html.escape(text)}</a>' if text else ""


def _highlighted(sentence, quote) -> str:
    """The sentence escaped, its quote marked; a long sentence cut around the quote."""
    sentence, quote = _text(sentence), _text(quote)
    at = sentence.find(quote) if quote else -1
    if at < 0:
        return html.escape(_cut(sentence, 0, 0), quote=False)
    left, right = _window(len(sentence), at, at + len(quote))
    before, after = sentence[left:at], sentence[at + len(quote):right]
    return (("…" if left > 0 else "") + html.escape(before, quote=False) + '<mark class="kz-q">'
            + html.escape(quote, quote=False) + "</mark>" + html.escape(after, quote=False)
            + ("…" if right < len(sentence) else ""))


def _window(length: int, start: int, end: int) -> tuple[int, int]:
    if length <= SENTENCE_CONTEXT:
        return 0, length
    spare = max(0, SENTENCE_CONTEXT - (end - start)) // 2
    left = max(0, start - spare)
    right = min(length, end + spare)
    return left, right


def _cut(text: str, start: int, end: int) -> str:
    left, right = _window(len(text), start, end)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def _number(value) -> str:
    if value is None or pd.isna(value):
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _text(value) -> str:
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    return str(value)


def _is_arabic(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values):
        return False
    sample = " ".join(_text(v) for v in values.dropna().head(50))
    return bool(sample.strip()) and arabic_share(sample) >= RTL_THRESHOLD


def _mean_length(values: pd.Series) -> float:
    lengths = values.dropna().astype(str).str.len()
    return float(lengths.mean()) if len(lengths) else 0.0


#: Ledger columns newer extractors add; shown (one click away) wherever a table has the claim they belong to.
LEDGER_DETAILS = ("source_text", "source_type", "subject_text", "subject_detail", "location_text",
                  "sentence_start", "sentence_end")


def with_ledger_details(frame: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """`frame` (one row per claim, with `claim_id`) plus the optional ledger columns `claims` holds and
    `frame` lacks, matched by claim id; `frame` unchanged when the ledger has none of them."""
    from kzlib.tables import with_claim_ids

    present = [c for c in LEDGER_DETAILS if c in claims.columns and c not in frame.columns]
    if not present or "claim_id" not in frame.columns or not len(claims):
        return frame
    details = with_claim_ids(claims)[["claim_id", *present]].drop_duplicates("claim_id")
    return frame.merge(details, on="claim_id", how="left", validate="many_to_one")

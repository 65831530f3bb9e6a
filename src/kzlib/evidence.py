"""The evidence viewer: one HTML page per article (`articles/<page>.html`) showing the original text
right-to-left with every claim's quote highlighted inside its sentence.

Each quote is a `<mark>` coloured by category, with category, group (subject), figure and source on hover
(its `title`) and an anchor `claim-<start>-<end>`, so a claim id `article_id:start-end` anywhere in the
report is one link away: `claim_href(claim_id)`. Page furniture (masthead, captions, source lines) is shown
dimmed. Every piece of article text is HTML-escaped.

Without the article texts (a report built from a ledger alone) a page shows the sentences the ledger holds,
each with its quote highlighted, and says so.

Optional ledger columns are used when present: `sentence_start`/`sentence_end` (the sentence's offsets; else
the sentence is found around the quote), `source_text`, `source_type`, `subject_text`, `subject_detail`,
`location_text` (shown on hover and in the claims table under the text).
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import quote as url_quote

import pandas as pd

#: Colours of the highlighted quotes, per category (others: OTHER_COLOUR). Light enough to read text on.
CATEGORY_COLOURS = {
    "killed": "#f4a6a6", "injured": "#f7c98b", "hospitalized": "#f3e08a", "arrested": "#a9c8f0",
    "missing": "#d5b3ec", "displaced": "#a8e0c8", "affected": "#e6c3b3", "troops": "#c9d6a3",
    "aircraft": "#c9d6a3", "attackers": "#e0b0c8", "checkpoints": "#c9d6a3",
}
OTHER_COLOUR = "#dddddd"
#: Optional ledger columns shown on hover and in the claims table, with their labels.
OPTIONAL_FIELDS = (("source_text", "source as written"), ("source_type", "source type"),
                   ("subject_text", "group as written"), ("subject_detail", "group detail"),
                   ("location_text", "place as written"))
_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_CLAIM_ID = re.compile(r"^(?P<article>.+):(?P<start>\d+)-(?P<end>\d+)$")


# --- links -----------------------------------------------------------------------------------

def page_name(article_id) -> str:
    """The file name of an article's page: its id when that is a plain file name, else a stable hash."""
    article_id = str(article_id)
    if _SAFE_ID.fullmatch(article_id):
        return f"{article_id}.html"
    return f"a-{hashlib.sha1(article_id.encode('utf-8')).hexdigest()[:16]}.html"


def claim_anchor(start, end) -> str:
    return f"claim-{int(start)}-{int(end)}"


def parse_claim_id(claim_id) -> tuple[str, int, int] | None:
    """(article id, start, end) of `article_id:start-end`, or None when it is not one."""
    match = _CLAIM_ID.match(str(claim_id).strip())
    if not match:
        return None
    return match["article"], int(match["start"]), int(match["end"])


def claim_href(claim_id, base: str = "articles/") -> str | None:
    """The link to a claim's highlighted quote, relative to the page holding the link (`base` is where the
    article pages are from there: "articles/" from index.html, "../articles/" from html/…)."""
    parts = parse_claim_id(claim_id)
    if parts is None:
        return None
    article_id, start, end = parts
    return f"{base}{url_quote(page_name(article_id))}#{claim_anchor(start, end)}"


def article_href(article_id, base: str = "articles/") -> str:
    return f"{base}{url_quote(page_name(article_id))}"


# --- pages -----------------------------------------------------------------------------------

def write_article_pages(folder, claims: pd.DataFrame, articles=None) -> list[Path]:
    """Write one page per article into `folder` (plus evidence.css); return the pages written.

    `articles` are kzlib.corpus Articles (any iterable: read once, one at a time); without them (or when it
    holds none), one page per article id of the ledger is made from the sentences it holds."""
    from kzlib.io import remove_stale_temporaries_in, write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries_in(folder)   # once: listing a folder of 100,000 pages for every page is quadratic
    write_text(folder / "evidence.css", (Path(__file__).parent / "templates" / "evidence.css").read_text(encoding="utf-8"))
    claims = _prepared(claims)
    names = _names(claims)
    written = []
    if articles is not None:
        # the ledger read into plain rows once, grouped by article: per-article DataFrames (a filter, a sort,
        # an itertuples per page) took most of the time at 2,000 articles
        # and the columns a page shows only (the ledger's others, as objects, took a GB at 100,000 articles)
        shown = [c for c in PAGE_LEDGER_COLUMNS if c in claims.columns]
        claims = claims.loc[:, shown]
        by_rows: dict[str, list] = {}
        for row in _rows(claims):
            by_rows.setdefault(row.article_id, []).append(row)
        columns = set(claims.columns)
        for article in articles:
            page = _article_page(article, by_rows.get(str(article.id), []), columns, names)
            written.append(write_text(folder / page_name(article.id), page, clean=False))
        if written:
            return written
    by_article = {key: group for key, group in claims.groupby("article_id", sort=False)} if len(claims) else {}
    for article_id, rows in by_article.items():
        written.append(write_text(folder / page_name(article_id), ledger_page(article_id, rows, names), clean=False))
    return written


def _rows(claims: pd.DataFrame) -> Iterator:
    """The claims as namedtuples of Python values (as `claims.astype(object).itertuples(index=False)` gives),
    each distinct string held once: the claims of one sentence share it, and wire copy repeats it."""
    from collections import namedtuple

    Row = namedtuple("Row", claims.columns, rename=True)
    columns = []
    for name in claims.columns:
        memo: dict = {}
        columns.append([memo.setdefault(v, v) if isinstance(v, str) else v
                        for v in claims[name].astype(object).tolist()])
    return map(Row._make, zip(*columns))


def article_page(article, claims: pd.DataFrame, names: dict | None = None) -> str:
    """The page of one article: header, text with highlighted quotes, then its claims as a table."""
    names = names if names is not None else _names(claims)
    claims = _prepared(claims)
    return _article_page(article, list(claims.itertuples(index=False)), set(claims.columns), names)


def _article_page(article, rows: list, columns: set, names: dict) -> str:
    """`article_page` from the article's claims as rows (namedtuples of the prepared ledger's `columns`)."""
    text = article.text
    quotes = []
    sentences = []
    for row in rows:
        start, end = int(row.start), int(row.end)
        if not (0 <= start < end <= len(text)):
            continue   # offsets outside this text: listed in the table, not highlighted
        quotes.append((start, end, row))
        span = _sentence_span(text, row, start, end)
        if span:
            sentences.append(span)
    furniture = [(s.start, s.end, s.kind) for s in getattr(article, "furniture", ())]
    body = _render(text, quotes, sentences, furniture, names)
    header = _header(article.outlet, article.date, article.headline, article.source, article.id)
    return _page(f"{article.headline or article.id}", header, f'<div class="kz-text" dir="rtl" lang="ar">{body}</div>',
                 _claims_rows_table(rows, columns, names))


def ledger_page(article_id, claims: pd.DataFrame, names: dict | None = None) -> str:
    """A page from the ledger alone: each sentence holding a claim, its quotes highlighted."""
    names = names if names is not None else _names(claims)
    claims = _prepared(claims)
    first = claims.iloc[0] if len(claims) else {}
    outlet, date = _cell(first.get("outlet")), _cell(first.get("date"))
    header = _header(outlet, date, None, "", article_id)
    blocks = []
    for sentence, rows in claims.groupby("sentence", sort=False):
        quotes = []
        for row in rows.itertuples(index=False):
            offset = _quote_in_sentence(row, str(sentence))
            if offset is not None:
                quotes.append((offset, offset + len(str(row.quote)), row))
        blocks.append(f'<p class="kz-text" dir="rtl" lang="ar">{_render(str(sentence), quotes, [(0, len(str(sentence)))], [], names)}</p>')
    note = ('<p class="kz-note">The article text is not part of this report (it was built from a claims ledger): '
            'below are the sentences the ledger holds, each quote highlighted.</p>')
    return _page(str(article_id), header, note + "".join(blocks), _claims_table(claims, names))


# --- rendering -------------------------------------------------------------------------------

def _render(text: str, quotes: list, sentences: list, furniture: list, names: dict) -> str:
    """`text` escaped, cut at every quote, sentence and furniture boundary; each piece wrapped by what
    covers it (quote > sentence > furniture). A quote's first piece carries its anchor."""
    points = _cut_points(text, quotes, sentences, furniture)
    anchored: set[str] = set()
    pieces = []
    for left, right in zip(points, points[1:]):
        piece = html.escape(text[left:right], quote=False)
        covering = [q for q in quotes if q[0] <= left and right <= q[1]]
        if covering:
            piece = _quote_html(piece, covering, names, anchored)
        elif _covered(sentences, left, right):
            piece = f'<span class="kz-sentence">{piece}</span>'
        elif any(s <= left and right <= e for s, e, _ in furniture):
            piece = _furniture_html(piece, furniture, left, right)
        pieces.append(piece)
    return "".join(pieces)


def _cut_points(text: str, quotes: list, sentences: list, furniture: list) -> list[int]:
    """Every quote, sentence and furniture boundary inside `text`, with its two ends, in order."""
    cuts = {0, len(text)}
    for start, end, *_ in quotes:
        cuts.update((start, end))
    for start, end in sentences:
        cuts.update((start, end))
    for start, end, _kind in furniture:
        cuts.update((max(0, start), min(len(text), end)))
    return sorted(c for c in cuts if 0 <= c <= len(text))


def _covered(spans: list, left: int, right: int) -> bool:
    return any(s <= left and right <= e for s, e in spans)


def _quote_html(piece: str, covering: list, names: dict, anchored: set[str]) -> str:
    """A piece inside one or more quotes: highlighted in the first quote's category colour, hover text of
    every quote, and the anchors of the quotes that start here (each anchor once per page)."""
    ids = [claim_anchor(s, e) for s, e, _ in covering if claim_anchor(s, e) not in anchored]
    anchored.update(ids)
    row = covering[0][2]
    anchor = f' id="{ids[0]}"' if ids else ""
    extra = "".join(f'<span class="kz-anchor" id="{i}"></span>' for i in ids[1:])
    title = html.escape(" | ".join(_hover(q[2], names) for q in covering), quote=True)
    category = _css_class(row.category)
    return f'<mark class="kz-quote kz-cat-{category}"{anchor} title="{title}">{extra}{piece}</mark>'


def _furniture_html(piece: str, furniture: list, left: int, right: int) -> str:
    kinds = ", ".join(sorted({k for s, e, k in furniture if s <= left and right <= e}))
    return f'<span class="kz-furniture" title="page furniture: {html.escape(kinds, quote=True)}">{piece}</span>'


def _hover(row, names: dict) -> str:
    parts = [f"category: {_label(names, row.category)}", f"group: {_label(names, row.subject)}",
             f"figure: {_figure(row)}", f"source: {_label(names, _cell(row.attributed_to)) or 'not named in the article'}"]
    for field, label in OPTIONAL_FIELDS:
        value = _cell(getattr(row, field, None))
        if value:
            parts.append(f"{label}: {value}")
    location = _cell(row.location)
    if location:
        parts.append(f"place: {_label(names, location)}")
    return "; ".join(parts)


def _figure(row) -> str:
    value = row.value
    if value is None or pd.isna(value):
        return "no figure"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    qualifier = _cell(row.qualifier)
    return f"{text} ({qualifier})" if qualifier and qualifier != "exact" else text


def _claims_table(claims: pd.DataFrame, names: dict) -> str:
    return _claims_rows_table(list(claims.sort_values("start").itertuples(index=False)), set(claims.columns), names)


def _claims_rows_table(claims: list, columns: set, names: dict) -> str:
    """The claims table of a page, from rows (namedtuples with the ledger's `columns`), by quote offset."""
    if not len(claims):
        return '<p class="kz-note">The extractor found no claim in this article.</p>'
    optional = [(f, label) for f, label in OPTIONAL_FIELDS
                if f in columns and any(_cell(getattr(row, f)) for row in claims)]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in
                   ["claim", "category", "group", "figure", "source", "place", *[label for _, label in optional], "quote"])
    rows = [_claim_row_html(row, optional, names) for row in sorted(claims, key=lambda row: row.start)]
    return (f'<h2>Claims in this article · الادعاءات في هذا المقال ({len(claims)})</h2>'
            f'<table class="kz-claims"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _claim_row_html(row, optional: list[tuple[str, str]], names: dict) -> str:
    """One claim's table row: a link to its quote, category (with its colour swatch), group, figure, source,
    place, the optional fields shown, the quote."""
    anchor = claim_anchor(row.start, row.end)
    swatch = f'<span class="kz-swatch kz-cat-{_css_class(row.category)}"></span>'
    cells = [f'<a href="#{anchor}">{html.escape(str(row.article_id))}:{int(row.start)}-{int(row.end)}</a>',
             swatch + html.escape(_label(names, row.category)), html.escape(_label(names, row.subject)),
             html.escape(_figure(row)), html.escape(_label(names, _cell(row.attributed_to)) or "—"),
             html.escape(_label(names, _cell(row.location)) or "—"),
             *[html.escape(_cell(getattr(row, f, None))) for f, _ in optional],
             f'<span dir="rtl">{html.escape(str(row.quote))}</span>']
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _header(outlet, date, headline, source, article_id) -> str:
    meta = " · ".join(html.escape(str(part)) for part in (outlet, date) if part)
    title = (f'<h1 dir="rtl" lang="ar">{html.escape(headline)}</h1>' if headline
             else f"<h1>{html.escape(str(article_id))}</h1>")
    source_line = f" · <code>{html.escape(str(source))}</code>" if source else ""
    return (f'<nav class="kz-nav"><a href="../index.html">← Briefing · الموجز</a></nav>{title}'
            f'<p class="kz-meta">{meta} · article <code>{html.escape(str(article_id))}</code>{source_line}</p>'
            '<p class="kz-legend">Highlighted: each claim\'s quote (colour = category; hover for category, group, '
            'figure and source) inside its sentence; dimmed: page furniture.</p>')


def _page(title: str, header: str, body: str, table: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="evidence.css"><style>{_category_css()}</style>'
            f'</head><body><main>{header}{body}{table}</main></body></html>\n')


def _category_css() -> str:
    rules = [f".kz-cat-{_css_class(c)} {{ background: {colour}; }}" for c, colour in CATEGORY_COLOURS.items()]
    return " ".join(rules)


# --- helpers ---------------------------------------------------------------------------------

#: The ledger columns an article page reads: these always (null when the ledger lacks one), the sentence's
#: offsets and OPTIONAL_FIELDS when present.
CLAIM_COLUMNS = ("article_id", "category", "subject", "value", "qualifier", "attributed_to", "location",
                 "start", "end", "quote", "sentence")
PAGE_COLUMNS = (*CLAIM_COLUMNS, "sentence_start", "sentence_end")
#: What the pages read of the ledger (outlet and date: the header of a page made from the ledger alone).
PAGE_LEDGER_COLUMNS = (*PAGE_COLUMNS, *(field for field, _ in OPTIONAL_FIELDS), "outlet", "date")


def _prepared(claims: pd.DataFrame) -> pd.DataFrame:
    claims = claims if claims is not None else pd.DataFrame()
    for column in CLAIM_COLUMNS:
        if column not in claims.columns:
            claims = claims.assign(**{column: None})
    claims = claims[claims["start"].notna() & claims["end"].notna()]
    return claims.assign(article_id=claims["article_id"].astype(str))


def _sentence_span(text: str, row, start: int, end: int) -> tuple[int, int] | None:
    """The sentence's offsets: the ledger's sentence_start/sentence_end when present, else the sentence
    string found around the quote."""
    stored = _stored_sentence_span(text, row, start, end)
    if stored is not None:
        return stored
    sentence = _cell(row.sentence)
    if not sentence:
        return None
    position = text.find(sentence, max(0, end - len(sentence)))
    if position != -1 and position <= start and end <= position + len(sentence):
        return position, position + len(sentence)
    return None


def _stored_sentence_span(text: str, row, start: int, end: int) -> tuple[int, int] | None:
    """The ledger's sentence_start/sentence_end when both are set and hold the quote inside the text."""
    s, e = getattr(row, "sentence_start", None), getattr(row, "sentence_end", None)
    if s is None or e is None or pd.isna(s) or pd.isna(e):
        return None
    if 0 <= int(s) <= start and end <= int(e) <= len(text):
        return int(s), int(e)
    return None


def _quote_in_sentence(row, sentence: str) -> int | None:
    s = getattr(row, "sentence_start", None)
    if s is not None and not pd.isna(s):
        offset = int(row.start) - int(s)
        if 0 <= offset and sentence[offset:offset + len(str(row.quote))] == str(row.quote):
            return offset
    offset = sentence.find(str(row.quote))
    return offset if offset >= 0 else None


def _names(claims: pd.DataFrame) -> dict[str, str]:
    """Readable labels: vocabulary ids (category, subject) and actor / place ids from the gazetteer."""
    from kzlib.sources import actor_names
    from kzlib.tables import vocabulary_labels

    names = {key: f"{en} · {ar}" if ar and ar != en else en
             for key, (ar, en) in vocabulary_labels(kinds=("category", "subject")).items()}
    ids = []
    for column in ("attributed_to", "location"):
        if column in claims.columns:
            ids.extend(claims[column].dropna().astype(str))
    try:
        for key, (ar, en) in actor_names(ids).items():
            names[key] = f"{en} · {ar}" if ar and ar != en else en
    except (OSError, ValueError):   # gazetteer unreadable: ids are shown as they are
        pass
    return names


def _label(names: dict, key) -> str:
    key = _cell(key)
    return names.get(key, key) if key else ""


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _css_class(category) -> str:
    return re.sub(r"[^a-z0-9_-]", "_", str(category).lower()) or "other"

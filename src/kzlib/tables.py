"""Casualty tables from the claims ledger: every report, reconciled figures, conflicts, ACLED-like export.

Input: a claims DataFrame as given by ``kzlib.ledger.claims_frame`` / ``read_ledger`` (CLAIM_FIELDS, plus
``outlet`` and ``date`` when known). Every output row carries ``claim_id`` (``article_id:start-end``) so any
number can be followed back to its quote: ``article.text[start:end] == quote``.

Exported ledger schema (``evidence_ledger``; notebook 02 writes it as CSV + Parquet)
-----------------------------------------------------------------------------------

``LEDGER_SCHEMA`` below, shown as a table by ``ledger_schema()``: claim_id, article_id, outlet, date, category,
category_en, subject, subject_en, subject_detail, subject_text, value, low, high, qualifier, attributed_to,
source_text, source_type, source_start, source_end, location, location_text, place, start, end, quote, sentence.

Report table schema (``reports_table``)
---------------------------------------

============== ======= ==================================================================================
column         type    meaning
============== ======= ==================================================================================
claim_id       str     ``article_id:start-end`` (or the ledger's own ``claim_id`` column when present)
category       str     killed / injured / arrested / hospitalized / affected / missing / displaced (VOCABULARY.md)
subject        str     whose casualties (protesters, security_forces, militants, people, ...)
subject_detail str     the fine group (children, police, migrants ...; groups.tsv); empty = none named / not listed
subject_text   str     the group as written in the article ("الأطفال", "قوات الأمن"); empty = none named
location       str     place id the count refers to; empty = the article does not say, or the gazetteer does not know it
location_text  str     the place as written, known to the gazetteer or not ("مخيم زمزم"); empty = none tied to the count
place          str     the place scope tables group by: ``location``, else ``location_text`` as written; empty = not stated
outlet         str     the publishing outlet; "unknown (<article id>)" when the corpus does not say
date           str     publication date, ISO yyyy-mm-dd (empty when unknown)
attributed_to  str     actor id who stated the figure (gazetteer id, or ``src:`` + the folded phrase of a
                       source the gazetteer does not know); empty = unattributed in the article
source_text    str     the source as written in the article (the mention attributed_to was resolved to)
source_type    str     ministry / police / health_authority / medical_source / media ... (VOCABULARY.md)
official       bool    attributed_to is listed in ``lexicons/official_sources.tsv``, or source_type in
                       ``lexicons/official_source_types.tsv`` (an open source of an official kind)
value          float   the stated figure
qualifier      str     exact / at_least / approx / at_most / range / vague / out_of_range
low, high      float   bounds of this one report: low = ledger low (else value); high = ledger high, else
                       value for exact figures, else empty (open: "more than 1300")
quote          str     the count phrase, verbatim
sentence       str     the sentence holding it, verbatim
article_id     str     corpus id
start, end     int     character offsets of ``quote`` in the original article text
============== ======= ==================================================================================

Reconciliation policies (``reconcile``)
---------------------------------------
For each (category, subject, fine group, place scope) group, ``low`` is the smallest lower bound any report gives and ``high`` the
largest figure any report gives (``high_open`` says that report was open-ended, e.g. "more than 1300").
The policy decides ``best``:

* ``conservative`` — the smallest figure among *reliable* reports: attributed to a named source and not a
  vague count ("hundreds"). With no reliable report, the smallest figure of all reports (noted).
* ``best`` — the median figure of reports attributed to an official source (``official_sources.tsv``);
  without any, the median of attributed reports; without any, the median of all reports (noted). The
  median keeps one outlier outlet from moving the estimate, and official / attributed reports are the most
  specific ones.
* ``latest_official`` — the figure of the report attributed to an official source with the latest
  publication date (tolls are revised upward as counts come in, so the latest official word supersedes
  earlier ones); ties on date take the largest figure. No official report → ``best`` is empty (noted).

Vague counts are kept in ``low``/``high`` but never chosen as ``best`` while a specific figure exists. With
vague counts only, ``best`` (policy ``best``) is the floor of the range every one of them allows (ACLED-style
floors: "المئات" 100-999, "عدة مئات" 200-999, "العشرات" 10-99, from number_words.tsv) — the largest floor, if it
is within every ceiling; ranges that do not overlap cannot count the same people ("عدة مئات إلى المستشفيات،
والعشرات إلى العناية المركزة": the tens are a part of the hundreds), and ``best`` is then empty with a note.
The median of two floors (105 there) is a figure no report allows.

Conflicts (``find_conflicts``)
------------------------------
Within one category, every pair of *distinct* figures (subject and fine group, place scope, value) is a conflict
row with a readable reason: ``different subject`` (26 protesters vs 26 militants, or 23 civilians vs 5 of them
children), ``different place scope`` (more than
100 arrested in Almaty vs about 6,000 country-wide) and/or ``different figure`` (164 vs 26), with the
publication dates when the later report may update the earlier. Categories with more than ``max_pairs``
pairs (large corpora) are summarised: consecutive figures per (subject, place) and the largest figure of each
(subject, place) against each other (``comparison`` column).

Missing and displaced persons are categories like the others (their own rows in every table, their own panels
in the charts); a displaced count of families ("1200 أسرة نازحة") is kept as stated, with subject_detail
``families``, never multiplied into persons.

ACLED-like export (``acled_export``)
------------------------------------
One row per report: ``ACLED_COLUMNS``. ``category`` holds every casualty category including ``missing`` and
``displaced`` (one row each, not columns: a report states one figure); ``actor`` is the coarse subject,
``actor_detail`` the fine group and ``actor_text`` the group as written; ``location`` the place id or, for a
place the gazetteer does not know, empty with ``location_text`` holding it as written.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from pathlib import Path

import pandas as pd

from kzlib.lexicon_files import lexicon_rows

CASUALTY_CATEGORIES = ("killed", "injured", "arrested", "hospitalized", "affected", "missing", "displaced")
# columns of newer ledgers (groups and places as written): absent in an older ledger, they read as empty
OPTIONAL_COLUMNS = ("subject_detail", "subject_text", "location_text")
POLICIES = ("conservative", "best", "latest_official")
REQUIRED_COLUMNS = ("article_id", "category", "subject", "value", "low", "high", "qualifier",
                    "attributed_to", "location", "start", "end", "quote", "sentence")
SOURCE_COLUMNS = ("source_text", "source_type", "source_start", "source_end")   # optional: older ledgers lack them
REPORT_COLUMNS = ("claim_id", "category", "subject", "subject_detail", "subject_text", "location", "location_text",
                  "place", "outlet", "date", "attributed_to", "source_text", "source_type", "official",
                  "value", "qualifier", "low", "high", "quote", "sentence", "article_id", "start", "end")
RECONCILED_COLUMNS = ("category", "subject", "subject_detail", "location", "policy", "low", "best", "high", "high_open", "n_reports",
                      "n_outlets", "locations", "basis", "basis_claim_ids", "claim_ids", "note")
CONFLICT_COLUMNS = ("category", "reason_code", "reason", "comparison", "a_subject", "a_detail", "a_location", "a_value",
                    "a_qualifier", "a_claim_ids", "a_outlets", "a_sources", "a_dates", "b_subject", "b_detail",
                    "b_location", "b_value", "b_qualifier", "b_claim_ids", "b_outlets", "b_sources", "b_dates")
ACLED_COLUMNS = ("event_date", "date_basis", "location", "location_text", "actor", "actor_detail", "actor_text",
                 "category", "low", "best", "high", "qualifier",
                 "source", "source_text", "source_type", "source_outlet", "publication_date", "notes", "evidence_quote", "evidence_sentence",
                 "claim_id", "article_id", "start", "end")


# --------------------------------------------------------------------------- input


def load_official_source_types(path: str | Path | None = None) -> frozenset[str]:
    """Source types counted as official (``official_source_types.tsv``): an open source of these kinds is
    official even though no actor id lists it."""
    return _load_column("official_source_types", path, "source_type")


def load_official_sources(path: str | Path | None = None) -> frozenset[str]:
    """Actor ids counted as official sources (first column of ``official_sources.tsv``)."""
    return _load_column("official_sources", path, "actor_id")


@lru_cache(maxsize=8)
def _load_column(name: str, path: str | Path | None, column: str) -> frozenset[str]:
    return frozenset(r[column] for r in lexicon_rows(name, path) if r[column])


def with_claim_ids(claims: pd.DataFrame) -> pd.DataFrame:
    """A copy of the ledger with ``claim_id``, ``outlet`` and ``date`` columns guaranteed present."""
    missing = [c for c in REQUIRED_COLUMNS if c not in claims.columns]
    if missing:
        raise ValueError(f"claims table lacks column(s) {missing}; expected the ledger schema {REQUIRED_COLUMNS}")
    frame = claims.copy()
    _check_offsets(frame)
    if "claim_id" not in frame.columns:
        frame["claim_id"] = [f"{a}:{int(s)}-{int(e)}" for a, s, e in zip(frame["article_id"], frame["start"], frame["end"])]
    # outlets, dates and sources repeat: each distinct value is converted once (a ledger has few of them)
    _add_outlets(frame)
    _add_dates(frame)
    for column in ("value", "low", "high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    _add_source_columns(frame)
    # the place scope: the gazetteer's id, else the place as written (an unknown village is still a place)
    frame["place"] = [loc or text for loc, text in zip(frame["location"], frame["location_text"])]
    return frame


def _check_offsets(frame: pd.DataFrame) -> None:
    no_offsets = frame[frame["start"].isna() | frame["end"].isna()]
    if len(no_offsets):
        raise ValueError(f"claims without offsets (start/end) in article(s) {sorted(set(no_offsets['article_id']))[:5]}: "
                         "every claim must point at its quote")


def _add_outlets(frame: pd.DataFrame) -> None:
    """``outlet`` as text; an article whose outlet is missing or "unknown" counts as its own (outlet_of)."""
    if "outlet" not in frame.columns:
        frame["outlet"] = None
    named = _per_distinct(frame["outlet"], _text_or_none)
    unknown = named.isna() | named.eq("unknown")
    frame["outlet"] = named.where(~unknown, "unknown (" + frame["article_id"].astype(str) + ")")


def _add_dates(frame: pd.DataFrame) -> None:
    """``date`` as an ISO date or None."""
    if "date" not in frame.columns:
        frame["date"] = None
    try:
        frame["date"] = _per_distinct(frame["date"], _iso_or_none)
    except ValueError as error:
        raise ValueError(f"claims table: {error}") from None


def _add_source_columns(frame: pd.DataFrame) -> None:
    """The source and optional columns present, as text or None."""
    for column in SOURCE_COLUMNS + OPTIONAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    for column in ("attributed_to", "location", "source_text", "source_type") + OPTIONAL_COLUMNS:
        frame[column] = _per_distinct(frame[column], _text_or_none)


def _per_distinct(column: pd.Series, convert) -> pd.Series:
    """``column.map(convert)`` computed once per distinct value (missing values included), as object dtype."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    converted = [convert(v) for v in uniques]
    return pd.Series([converted[c] for c in codes] if len(converted) else [], index=column.index, dtype=object)


def outlet_of(outlet, article_id) -> str:
    """The outlet an article counts under: its outlet id, or "unknown (<article id>)".

    Articles whose outlet the corpus cannot name are kept apart, one per article: pooling them as one
    "unknown" outlet would merge unrelated publishers in per-outlet counts.
    """
    outlet = _text_or_none(outlet)
    return outlet if outlet and outlet != "unknown" else f"unknown ({article_id})"


def _text_or_none(value) -> str | None:
    """Ledger text cells: missing, NaN and "" all mean "the article does not say"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    value = str(value).strip()
    return value or None


def _iso_or_none(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT or str(value) == "":
        return None
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except ValueError:
        raise ValueError(f"publication date {value!r} is not a date (expected yyyy-mm-dd)") from None


# --------------------------------------------------------------------------- evidence ledger

LEDGER_SCHEMA = (
    ("claim_id", "str", "article_id:start-end — a stable id that points at the quote"),
    ("article_id", "str", "corpus id of the article"),
    ("outlet", "str", "publishing outlet; \"unknown (<article id>)\" when the corpus does not say"),
    ("date", "str", "publication date yyyy-mm-dd (empty when unknown)"),
    ("category", "str", "what was counted (VOCABULARY.md id)"),
    ("category_en", "str", "English label of the category (lexicons/labels.tsv)"),
    ("subject", "str", "whose casualties / what was counted (VOCABULARY.md id)"),
    ("subject_en", "str", "English label of the subject"),
    ("subject_detail", "str", "fine group id (groups.tsv: children, police, migrants ...); empty = none named"),
    ("subject_text", "str", "the counted group as written in the article; empty = none named"),
    ("value", "float", "the stated figure (vague counts: documented floor)"),
    ("low", "float", "lower bound implied by the wording"),
    ("high", "float", "upper bound implied by the wording; empty = open"),
    ("qualifier", "str", "exact / at_least / approx / at_most / range / vague / out_of_range"),
    ("attributed_to", "str", "actor id who stated the figure (src:… = a source the gazetteer does not know); "
                             "empty = the article names no source"),
    ("source_text", "str", "the source as written, at the mention attributed_to was resolved to"),
    ("source_type", "str", "kind of source (VOCABULARY.md: ministry, police, medical_source, media ...)"),
    ("source_start", "int", "offset of source_text in the original article text (empty without a source)"),
    ("source_end", "int", "end offset: text[source_start:source_end] == source_text"),
    ("location", "str", "place id the count refers to; empty = not stated or not in the gazetteer"),
    ("location_text", "str", "the place as written (also one the gazetteer does not know); empty = not stated"),
    ("place", "str", "location, else location_text: the place scope the tables group by"),
    ("start", "int", "offset of the quote in the original article text"),
    ("end", "int", "end offset: text[start:end] == quote"),
    ("quote", "str", "the count phrase, verbatim"),
    ("sentence", "str", "the sentence holding the quote, verbatim"),
)


def ledger_schema() -> pd.DataFrame:
    """The exported ledger's columns, types and meanings (for the notebook's schema table)."""
    return pd.DataFrame(LEDGER_SCHEMA, columns=["column", "type", "meaning"])


def evidence_ledger(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims ledger in ``LEDGER_SCHEMA`` column order with English labels, ordered by article and place."""
    frame = with_claim_ids(claims)
    labels = vocabulary_labels(kinds=("category", "subject"))
    frame["category_en"] = frame["category"].map(lambda c: labels.get(c, (c, c))[1])
    frame["subject_en"] = frame["subject"].map(lambda c: labels.get(c, (c, c))[1])
    frame = frame.sort_values(["article_id", "start"], kind="stable")
    return frame.loc[:, [c for c, _, _ in LEDGER_SCHEMA]].reset_index(drop=True)


# --------------------------------------------------------------------------- every report


def reports_table(claims: pd.DataFrame, categories: tuple[str, ...] = CASUALTY_CATEGORIES,
                  official_sources: frozenset[str] | None = None) -> pd.DataFrame:
    """One row per casualty report (see the module docstring for the schema), sorted for reading."""
    # by default an open source of an official kind counts too; a caller's own list of ids is taken as it is
    official_types = load_official_source_types() if official_sources is None else frozenset()
    official_sources = load_official_sources() if official_sources is None else frozenset(official_sources)
    frame = with_claim_ids(claims)
    frame = frame[frame["category"].isin(categories)].copy()
    frame["official"] = frame["attributed_to"].isin(official_sources) | (
        frame["attributed_to"].notna() & frame["source_type"].isin(official_types))
    frame["low"] = frame["low"].fillna(frame["value"])
    exact = frame["qualifier"].eq("exact")
    frame["high"] = frame["high"].where(frame["high"].notna() | ~exact, frame["value"])
    order = {c: i for i, c in enumerate(categories)}
    frame["_order"] = frame["category"].map(order)
    frame = frame.sort_values(["_order", "subject", "date", "article_id", "start"], na_position="last", kind="stable")
    return frame.loc[:, list(REPORT_COLUMNS)].reset_index(drop=True)


def none_found_message(reports: pd.DataFrame, category: str | None = None) -> str | None:
    """"none found" text when a table (or one category of it) is empty, else None — notebooks print it."""
    rows = reports if category is None else reports[reports["category"] == category]
    if len(rows):
        return None
    what = f"{category!r} claims" if category else "casualty claims"
    return f"none found: the ledger holds no {what}"


# --------------------------------------------------------------------------- reconciliation


def reconcile(claims: pd.DataFrame, policy: str = "best", *, categories: tuple[str, ...] = CASUALTY_CATEGORIES,
              official_sources: frozenset[str] | None = None,
              group_by: tuple[str, ...] = ("category", "subject", "subject_detail", "location")) -> pd.DataFrame:
    """Reconciled low / best / high per group under ``policy`` (rules in the module docstring).

    Groups are category x subject x fine group x place scope by default: "more than 100 arrested in Almaty" is
    not reconciled with "about 6,000 arrested" country-wide (an empty place reads "unspecified"), nor "5
    children" with the "23 civilians" they are part of (an empty fine group reads "unspecified"). Pass
    ``group_by=("category", "subject")`` to pool place scopes and fine groups. ``location`` here is the place
    scope: the place id, else the place as written (``place`` of the reports table).
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose one of {POLICIES}")
    reports = reports_table(claims, categories, official_sources)
    reports["location"] = reports["place"]
    for column in ("location", "subject_detail"):
        reports[column] = reports[column].fillna("unspecified")
    rows = []
    for key, group in reports.groupby(list(group_by), sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append(_reconciled_row(dict(zip(group_by, key)), group, policy))
    columns = list(group_by) + [c for c in RECONCILED_COLUMNS if c not in group_by]
    return pd.DataFrame(rows, columns=columns)


def _reconciled_row(row: dict, group: pd.DataFrame, policy: str) -> dict:
    """`row` (the group's key columns) with the group's reconciled figures under `policy`."""
    best, basis, basis_rows, note = _choose_best(group, policy)
    top = _highest_report(group)
    row.update(
        policy=policy,
        low=group["low"].min(),
        best=best,
        high=None if top is None else (top["high"] if pd.notna(top["high"]) else top["value"]),
        high_open=bool(top is not None and pd.isna(top["high"])),
        n_reports=len(group),
        n_outlets=group["outlet"].nunique(),
        locations=", ".join(sorted({loc or "unspecified" for loc in group["location"]})),
        basis=basis,
        basis_claim_ids=", ".join(basis_rows["claim_id"]),
        claim_ids=", ".join(group["claim_id"]),
        note=note,
    )
    return row


def _highest_report(group: pd.DataFrame) -> pd.Series | None:
    """The report with the highest ceiling (its high, else its value); None when no report has a figure."""
    if not group["value"].notna().any():
        return None
    return group.loc[group["high"].fillna(group["value"]).idxmax()]


def _choose_best(group: pd.DataFrame, policy: str) -> tuple[float | None, str, pd.DataFrame, str]:
    """(best figure, rule in words, the reports it rests on, note)."""
    figures = group[group["value"].notna()]
    specific = figures[figures["qualifier"] != "vague"]
    pool = specific if len(specific) else figures         # vague counts only when no report is specific
    note = "" if len(specific) or not len(figures) else "only vague counts"
    if policy == "conservative":
        return _smallest_reliable(pool, note)
    if policy == "best":
        return _median_of_most_reliable(pool, bool(len(specific)), note)
    return _latest_official(pool, note)


def _smallest_reliable(pool: pd.DataFrame, note: str) -> tuple[float | None, str, pd.DataFrame, str]:
    """`conservative`: the smallest attributed figure (of all figures when none is attributed)."""
    reliable = pool[pool["attributed_to"].notna()]
    if not len(reliable):
        reliable, note = pool, _join(note, "no attributed report: smallest of all reports")
    if not len(reliable):
        return None, "no figure", reliable, _join(note, "no figure stated")
    chosen = reliable[reliable["value"] == reliable["value"].min()]
    return float(chosen["value"].iloc[0]), f"smallest of {len(reliable)} reliable report(s)", chosen, note


def _median_of_most_reliable(pool: pd.DataFrame, specific: bool,
                             note: str) -> tuple[float | None, str, pd.DataFrame, str]:
    """`best`: the median of the official reports, else of the attributed ones, else of all (vague counts
    only: _vague_best)."""
    for label, candidates in (("official", pool[pool["official"]]),
                              ("attributed", pool[pool["attributed_to"].notna()]),
                              ("all", pool)):
        if not len(candidates):
            continue
        if label != "official":
            note = _join(note, f"no official report: median of {label} reports")
        if not specific:
            return _vague_best(candidates, label, note)
        return float(candidates["value"].median()), f"median of {len(candidates)} {label} report(s)", candidates, note
    return None, "no figure", pool, _join(note, "no figure stated")


def _latest_official(pool: pd.DataFrame, note: str) -> tuple[float | None, str, pd.DataFrame, str]:
    """`latest_official`: the largest figure of the latest dated official report(s)."""
    official = pool[pool["official"] & pool["date"].notna()]
    if not len(official):
        return None, "no official report with a publication date", official, _join(note, "no official report")
    latest = official[official["date"] == official["date"].max()]
    chosen = latest[latest["value"] == latest["value"].max()].head(1)
    return (float(chosen["value"].iloc[0]),
            f"latest official report ({chosen['date'].iloc[0]}, {chosen['attributed_to'].iloc[0]})", chosen, note)


def _vague_best(vague: pd.DataFrame, label: str, note: str) -> tuple[float | None, str, pd.DataFrame, str]:
    """`best` of vague counts only: each is a range ("عدة مئات" 200-999, "العشرات" 10-99), not a figure, and
    the median of two ranges' floors (105) is a number no report allows. The floor of the range every report
    allows (the largest floor, when it is below the smallest ceiling); none when the ranges do not overlap:
    such reports cannot count the same people ("عدة مئات إلى المستشفيات، والعشرات إلى العناية المركزة":
    the tens are a part of the hundreds)."""
    floor, ceiling = vague["low"].max(), vague["high"].min()
    if pd.isna(ceiling) or floor <= ceiling:
        return float(floor), f"floor of the range {len(vague)} vague {label} report(s) allow", vague, note
    return None, "vague counts of different sizes", vague, _join(note, "vague ranges do not overlap: no best figure")


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# --------------------------------------------------------------------------- conflicts


def find_conflicts(claims: pd.DataFrame, categories: tuple[str, ...] = CASUALTY_CATEGORIES,
                   max_pairs: int = 5000) -> pd.DataFrame:
    """Pairs of distinct figures within a category, each with a readable reason (module docstring).

    A category with more than ``max_pairs`` pairs of distinct figures (large corpora) is summarised instead of
    listed in full: consecutive figures within each (subject, place) and the largest figure of each
    (subject, place) against each other; ``comparison`` says which was done.
    """
    reports = reports_table(claims, categories)
    reports = reports[reports["value"].notna()]
    rows = []
    for category, group in reports.groupby("category", sort=False):
        figures = _distinct_figures(group)
        if len(figures) * (len(figures) - 1) // 2 <= max_pairs:
            pairs, comparison = combinations(figures, 2), "all pairs"
        else:
            pairs, comparison = _summary_pairs(figures), f"summary ({len(figures)} distinct figures)"
        rows.extend(_conflict_row(category, a, b, comparison) for a, b in pairs)
    return pd.DataFrame(rows, columns=list(CONFLICT_COLUMNS))


def _distinct_figures(group: pd.DataFrame) -> list[dict]:
    """One entry per distinct (subject, fine group, place, figure) of a category's reports, sorted, with the
    claims, outlets, sources and dates that report it."""
    figures = []
    for (subject, detail, location, value), same in group.groupby(
            ["subject", group["subject_detail"].fillna(""), group["place"].fillna(""), "value"], sort=True):
        figures.append(dict(subject=subject, detail=detail or None, location=location or None, value=value,
                            qualifier=", ".join(sorted(set(same["qualifier"]))),
                            claim_ids=", ".join(same["claim_id"]),
                            outlets=", ".join(sorted(set(same["outlet"]))),
                            sources=", ".join(sorted({s or "unattributed" for s in same["attributed_to"]})),
                            dates=", ".join(sorted({d for d in same["date"] if d}))))
    return figures


def _conflict_row(category: str, a: dict, b: dict, comparison: str) -> dict:
    code, reason = _conflict_reason(a, b)
    row = {"category": category, "reason_code": code, "reason": reason, "comparison": comparison}
    row.update({f"a_{k}": v for k, v in a.items()})
    row.update({f"b_{k}": v for k, v in b.items()})
    return row


def _summary_pairs(figures: list[dict]):
    """Consecutive figures within each (subject, place), then the largest of each (subject, place) pairwise."""
    scopes: dict = {}
    for figure in figures:  # already sorted by subject, fine group, place, value
        scopes.setdefault((figure["subject"], figure["detail"], figure["location"]), []).append(figure)
    for members in scopes.values():
        yield from zip(members, members[1:])
    yield from combinations([members[-1] for members in scopes.values()], 2)


def _conflict_reason(a: dict, b: dict) -> tuple[str, str]:
    codes, parts = [], []
    if a["subject"] != b["subject"] or a["detail"] != b["detail"]:
        codes.append("subject")
        parts.append(f"different subject ({_who(a)} vs {_who(b)})")
    if a["location"] != b["location"]:
        codes.append("place")
        parts.append(f"different place scope ({a['location'] or 'unspecified'} vs {b['location'] or 'unspecified'})")
    if a["value"] != b["value"]:
        codes.append("figure")
        text = f"different figure ({_fmt(a['value'])} vs {_fmt(b['value'])})"
        if a["dates"] and b["dates"] and a["dates"] != b["dates"]:
            text += f", reported {a['dates']} vs {b['dates']}: the later report may update the earlier"
        parts.append(text)
    return "+".join(codes), "; ".join(parts)


def _who(figure: dict) -> str:
    return f"{figure['subject']}/{figure['detail']}" if figure["detail"] else figure["subject"]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


# --------------------------------------------------------------------------- figures over time + export


def figures_over_time(claims: pd.DataFrame, categories: tuple[str, ...] = CASUALTY_CATEGORIES) -> pd.DataFrame:
    """Reports with a publication date and a figure, by category then date: the data behind the chart.

    ``highest_to_date`` is the largest figure of the category reported on or before that date (any subject):
    the running toll a reader of all outlets would have seen; ``highest_in_place_to_date`` the same within
    the report's place scope (``place``; "unspecified" when the article names none).
    """
    reports = reports_table(claims, categories)
    reports = reports[reports["date"].notna() & reports["value"].notna()].copy()
    reports["source"] = reports["attributed_to"].fillna("unattributed")
    reports["date"] = pd.to_datetime(reports["date"])
    reports["_order"] = reports["category"].map({c: i for i, c in enumerate(categories)})
    reports = reports.sort_values(["_order", "date", "value"], kind="stable").drop(columns="_order")
    daily = reports.groupby(["category", "date"])["value"].max().groupby(level="category").cummax()
    reports["highest_to_date"] = [daily[(c, d)] for c, d in zip(reports["category"], reports["date"])]
    reports["place"] = reports["place"].fillna("unspecified")
    local = reports.groupby(["category", "place", "date"])["value"].max().groupby(level=["category", "place"]).cummax()
    reports["highest_in_place_to_date"] = [local[(c, p, d)] for c, p, d in
                                           zip(reports["category"], reports["place"], reports["date"])]
    return reports.reset_index(drop=True)


_OTHER = "other"     # the sources of a crowded panel outside the most frequent ones


def plot_figures_over_time(series: pd.DataFrame, labels=None, *, max_points: int = 60, top_sources: int = 9):
    """One panel per category: reported figure (log scale) against publication date, one colour per source.

    A dashed step line follows the highest figure reported to date. ``labels`` maps vocabulary / actor ids to
    (arabic, english); default ``vocabulary_labels()``. A panel of at most ``max_points`` reports shows each
    one, labelled with its figure; a larger one aggregates: the highest figure per day and source, the
    ``top_sources`` sources with most reports in colour and the rest as "other", no per-report labels.
    """
    import matplotlib.pyplot as plt

    from kzlib.charts import bilingual, use_style

    use_style()
    labels = vocabulary_labels(kinds=("category", "subject", "subject_detail", "source")) if labels is None else labels
    categories = list(dict.fromkeys(series["category"]))
    if not categories:
        raise ValueError("no dated figures to plot: the ledger holds no casualty claims with a publication date")
    fig, axes = plt.subplots(len(categories), 1, figsize=(10, 3.4 * len(categories)), squeeze=False, sharex=True)
    frequent = series["source"].value_counts().index[:top_sources]
    aggregated = series.groupby("category").size().gt(max_points)
    shown = series["source"].where(series["source"].isin(frequent) | ~series["category"].map(aggregated), _OTHER)
    colours = _source_colours(shown)
    for ax, category in zip(axes[:, 0], categories):
        rows = series[series["category"] == category].assign(source=shown)
        steps = rows.groupby("date")["highest_to_date"].max()
        ax.step(steps.index, steps.values, where="post", linestyle="--", color="grey", linewidth=1,
                label=bilingual("أعلى رقم حتى تاريخه", "highest reported to date"))
        if aggregated[category]:
            other_name = f"other sources ({series['source'].nunique() - len(frequent)})"
            _plot_daily_highest(ax, rows, colours, labels, other_name)
        else:
            _plot_each_report(ax, rows, colours, labels)
        _style_figures_panel(ax, labels.get(category, (category, category)))
    _date_axis(axes[-1, 0], series)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _source_colours(shown: pd.Series) -> dict:
    """A tab10 colour per source shown (sorted, "other" last and light grey)."""
    import matplotlib.pyplot as plt

    sources = sorted(set(shown) - {_OTHER}) + ([_OTHER] if _OTHER in set(shown) else [])
    colours = {s: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(sources)}
    colours[_OTHER] = "lightgrey"
    return colours


def _source_name(source: str, labels) -> str:
    from kzlib.charts import bilingual

    return bilingual(*labels[source]) if source in labels else source


def _plot_daily_highest(ax, rows: pd.DataFrame, colours: dict, labels, other_name: str) -> None:
    """A crowded panel: the highest figure per day and source, no per-report labels."""
    from kzlib.charts import bilingual, prepare_label

    daily = rows.groupby(["source", "date"])["value"].max().reset_index()
    present = set(daily["source"])
    for source in [s for s in colours if s in present]:
        points = daily[daily["source"] == source]
        name = bilingual("غيرها", other_name) if source == _OTHER else _source_name(source, labels)
        ax.scatter(points["date"], points["value"], color=colours[source], s=20, zorder=3, label=name)
    ax.text(0.01, 0.97, prepare_label(f"{len(rows):,} reports: highest figure per day and source"),
            transform=ax.transAxes, fontsize=8, va="top")


def _plot_each_report(ax, rows: pd.DataFrame, colours: dict, labels) -> None:
    """Each report a point, labelled with its figure and who it counts."""
    from kzlib.charts import prepare_label

    for source, points in rows.groupby("source"):
        ax.scatter(points["date"], points["value"], color=colours[source], s=45, zorder=3,
                   label=_source_name(source, labels))
    for _, r in rows.iterrows():
        who = r["subject_detail"] if isinstance(r.get("subject_detail"), str) and r["subject_detail"] else r["subject"]
        ar, _en = labels.get(who, (who, who))
        ax.annotate(prepare_label(f"{_fmt(r['value'])} {ar}"), (r["date"], r["value"]),
                    textcoords="offset points", xytext=(6, 3), fontsize=8)


def _style_figures_panel(ax, title: tuple[str, str]) -> None:
    from kzlib.charts import bilingual

    ax.set_yscale("log")
    ax.margins(x=0.15, y=0.25)
    ax.set_title(bilingual(*title))
    ax.set_ylabel(bilingual("العدد المعلن", "reported figure"))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, alpha=0.3)


def _date_axis(ax, series: pd.DataFrame) -> None:
    """Date ticks for the bottom panel: a tick per day up to two weeks (reads well), about 14 ticks beyond."""
    import matplotlib.dates as mdates

    from kzlib.charts import bilingual

    span = (series["date"].max() - series["date"].min()).days
    if span <= 14:
        ax.xaxis.set_major_locator(mdates.DayLocator())
    elif span <= 92:
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=-(-span // 14)))
    else:
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=14))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_xlabel(bilingual("تاريخ النشر", "publication date"))


def acled_export(claims: pd.DataFrame, event_dates: pd.DataFrame | None = None,
                 categories: tuple[str, ...] = CASUALTY_CATEGORIES) -> pd.DataFrame:
    """One row per report with ACLED/UCDP-like columns for merging with event datasets.

    ``event_date`` is the publication date (``date_basis`` = "publication") unless ``event_dates`` — a frame
    with ``claim_id``, ``event_date`` and ``date_basis`` (e.g. from ``kzlib.timeline.claim_event_dates``) —
    gives the date the sentence itself states. ``best`` is the stated figure; ``low``/``high`` its bounds.
    """
    reports = reports_table(claims, categories)
    out = pd.DataFrame({
        "event_date": reports["date"],
        "date_basis": ["publication" if d else "unknown" for d in reports["date"]],
        "location": reports["location"].fillna(""),
        "location_text": reports["location_text"].fillna(""),
        "actor": reports["subject"],
        "actor_detail": reports["subject_detail"].fillna(""),
        "actor_text": reports["subject_text"].fillna(""),
        "category": reports["category"],
        "low": reports["low"], "best": reports["value"], "high": reports["high"],
        "qualifier": reports["qualifier"],
        "source": reports["attributed_to"].fillna(""),
        "source_text": reports["source_text"].fillna(""),
        "source_type": reports["source_type"].fillna(""),
        "source_outlet": reports["outlet"],
        "publication_date": reports["date"],
        "notes": [_note(r) for r in reports.itertuples()],
        "evidence_quote": reports["quote"], "evidence_sentence": reports["sentence"],
        "claim_id": reports["claim_id"], "article_id": reports["article_id"],
        "start": reports["start"], "end": reports["end"],
    })
    if event_dates is not None and len(event_dates):
        stated = event_dates.drop_duplicates("claim_id").set_index("claim_id")
        hit = out["claim_id"].isin(stated.index)
        out.loc[hit, "event_date"] = out.loc[hit, "claim_id"].map(stated["event_date"])
        out.loc[hit, "date_basis"] = out.loc[hit, "claim_id"].map(stated["date_basis"])
    return out.loc[:, list(ACLED_COLUMNS)]


def _note(r) -> str:
    parts = [f"{r.qualifier} figure"]
    if pd.isna(r.high):
        parts.append("open upper bound")
    if not r.attributed_to:
        parts.append("no source named in the article")
    if not r.location and r.location_text:
        parts.append("place not in the gazetteer (location_text as written)")
    elif not r.location:
        parts.append("place scope not stated")
    return "; ".join(parts)


# --------------------------------------------------------------------------- labels


def vocabulary_labels(path: str | Path | None = None, kinds: tuple[str, ...] | None = None) -> dict[str, tuple[str, str]]:
    """Id -> (Arabic label, English label) from ``lexicons/labels.tsv``, optionally only rows of ``kinds``.

    Ids may repeat across kinds ("people" is a subject and a framing group): the later row wins unless
    ``kinds`` selects one.
    """
    rows = _load_labels(path)
    return {i: labels for i, kind, labels in rows if kinds is None or kind in kinds}


@lru_cache(maxsize=4)
def _load_labels(path: str | Path | None) -> tuple[tuple[str, str, tuple[str, str]], ...]:
    rows = lexicon_rows("labels", path)
    return tuple((r["id"], r["kind"], (r["label_ar"], r["label_en"])) for r in rows if r["id"])

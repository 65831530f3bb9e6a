"""The briefing: the report's front page (index.html), in English and Arabic.

Per casualty category: the range of reported figures, the latest official figure and who gave it, how many
reports, outlets and sources carry it, and each conflict in one plain sentence ("7 security forces
(Interior Ministry, 2022-01-08) vs 26 protesters (Interior Ministry, 2022-01-09): different groups"). Every
figure links to its evidence (kzlib.evidence). Then the notebooks with one line of what each found, the
corpus counts and the skipped inputs.

The figures come from kzlib.tables: `reconcile(…, "latest_official", group_by=("category",))` for the
range, counts and latest official report, `find_conflicts` for the conflicts; this module only words them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from kzlib.evidence import claim_href
from kzlib.tables import CASUALTY_CATEGORIES

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Categories the briefing may show, in this order (each only when the ledger holds it). `missing` and
#: `displaced` are counted by newer extractors; an older ledger simply has none.
BRIEFING_CATEGORIES = tuple(dict.fromkeys((*CASUALTY_CATEGORIES, "missing", "displaced")))
#: Conflicts worded per category on the briefing; the rest are in notebook 03's table.
CONFLICTS_SHOWN = 6
#: Sources named per side of a conflict; more are counted ("+4 more").
SOURCES_SHOWN = 3
#: Why two figures differ, in words (kzlib.tables.find_conflicts' reason codes).
REASONS = {"subject": ("different groups", "فئتان مختلفتان"),
           "place": ("different places", "مكانان مختلفان"),
           "figure": ("different figures", "رقمان مختلفان")}
LATER_MAY_UPDATE = ("the later report may update the earlier", "قد يحدّث التقرير اللاحق السابق")


def write_briefing(target, runs, summary, report_dir) -> Path:
    """Write index.html for the notebook `runs` (kzlib.report.NotebookRun) and the run `summary`."""
    import jinja2

    from kzlib.io import write_text

    report_dir = Path(report_dir)
    claims = _read_claims(report_dir, summary)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    page = env.get_template("index.html.j2").render(
        categories=category_briefs(claims),
        notebooks=notebook_entries(runs, report_dir),
        summary=summary,
        counts=counts_line(summary),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        css=(TEMPLATES / "rtl.css").read_text(encoding="utf-8"),
    )
    return write_text(target, page)


def category_briefs(claims: pd.DataFrame, base: str = "articles/") -> list[dict]:
    """One entry per category the ledger holds: labels, range, latest official figure, counts, conflicts;
    every figure as {"text", "href"} (href = its evidence)."""
    from kzlib.tables import find_conflicts, reconcile, reports_table

    categories = tuple(c for c in BRIEFING_CATEGORIES if len(claims) and (claims["category"] == c).any())
    if not categories:
        return []
    names = _names(claims)
    reports = reports_table(claims, categories)
    by_id = reports.drop_duplicates("claim_id").set_index("claim_id")
    ranges = reconcile(claims, "latest_official", categories=categories, group_by=("category",))
    conflicts = find_conflicts(claims, categories)
    return [_category_brief(row, reports, by_id, conflicts, names, base) for row in ranges.itertuples(index=False)]


def _category_brief(row, reports: pd.DataFrame, by_id: pd.DataFrame, conflicts: pd.DataFrame, names: dict,
                    base: str) -> dict:
    """The briefing entry of one category, from its reconciled range (`row`), its reports and conflicts."""
    rows = reports[reports["category"] == row.category]
    low_claim, high_claim = _range_claims(rows)
    sources = rows["attributed_to"].dropna().nunique()
    category_conflicts = conflicts[conflicts["category"] == row.category]
    return {
        "id": row.category,
        "label": names.get(row.category, (row.category, row.category)),
        "low": _linked(row.low, low_claim, base),
        "high": _linked(row.high, high_claim, base),
        "high_open": bool(row.high_open),
        "single": row.low == row.high and not row.high_open,
        "reports": int(row.n_reports), "outlets": int(row.n_outlets), "sources": int(sources),
        "unattributed": int(rows["attributed_to"].isna().sum()),
        "latest": _latest_official(row, by_id, names, base),
        "conflicts": [conflict_sentence(c, names, base) for c in _worth_showing(category_conflicts)],
        "more_conflicts": max(0, len(category_conflicts) - CONFLICTS_SHOWN),
    }


def _range_claims(rows: pd.DataFrame) -> tuple[str | None, str | None]:
    """The claims of the lowest floor and of the highest ceiling (its high, else its value) of the reports."""
    low_claim = rows.loc[rows["low"].idxmin(), "claim_id"] if rows["low"].notna().any() else None
    top = rows["high"].fillna(rows["value"])
    high_claim = rows.loc[top.idxmax(), "claim_id"] if top.notna().any() else None
    return low_claim, high_claim


def _latest_official(row, by_id: pd.DataFrame, names: dict, base: str) -> dict | None:
    """The latest official figure (linked to its claim), its group, source and date; None without one."""
    if row.best is None or pd.isna(row.best) or not row.basis_claim_ids:
        return None
    chosen = by_id.loc[row.basis_claim_ids.split(", ")[0]]
    return {"figure": _linked(row.best, chosen.name, base),
            "subject": names.get(chosen["subject"], (chosen["subject"],) * 2),
            "source": names.get(chosen["attributed_to"], (chosen["attributed_to"],) * 2),
            "date": _text(chosen["date"])}


def conflict_sentence(conflict, names: dict, base: str = "articles/") -> dict:
    """One find_conflicts row as {"a", "b", "reason_en", "reason_ar"}: each side with its figure linked to
    its first claim, its group, sources and dates in both languages."""
    codes = [c for c in str(conflict["reason_code"]).split("+") if c]
    reason_en = ", ".join(REASONS.get(c, (c, c))[0] for c in codes)
    reason_ar = "، ".join(REASONS.get(c, (c, c))[1] for c in codes)
    a_dates, b_dates = _text(conflict["a_dates"]), _text(conflict["b_dates"])
    if "figure" in codes and a_dates and b_dates and a_dates != b_dates:
        reason_en += f" ({LATER_MAY_UPDATE[0]})"
        reason_ar += f" ({LATER_MAY_UPDATE[1]})"
    return {"a": _side(conflict, "a", names, base), "b": _side(conflict, "b", names, base),
            "reason_en": reason_en, "reason_ar": reason_ar}


def _side(conflict, side: str, names: dict, base: str) -> dict:
    claim_ids = _text(conflict[f"{side}_claim_ids"]).split(", ")
    sources = [s for s in _text(conflict[f"{side}_sources"]).split(", ") if s]
    location = _text(conflict[f"{side}_location"])
    reports = len([c for c in claim_ids if c])
    return {"figure": _linked(conflict[f"{side}_value"], claim_ids[0], base),
            "subject": names.get(conflict[f"{side}_subject"], (conflict[f"{side}_subject"],) * 2),
            "place": names.get(location, (location, location)) if location else None,
            "sources_en": _sources_en(sources, reports, names),
            "sources_ar": _sources_ar(sources, reports, names),
            "dates": _date_span(_text(conflict[f"{side}_dates"]))}


def _sources_en(sources: list[str], reports: int, names: dict) -> str:
    """The first SOURCES_SHOWN sources by English name, "+N more", and the number of reports when several."""
    more = len(sources) - SOURCES_SHOWN
    return (", ".join(names.get(s, (s, s))[1] for s in sources[:SOURCES_SHOWN])
            + (f" +{more} more" if more > 0 else "") + (f"; {reports} reports" if reports > 1 else ""))


def _sources_ar(sources: list[str], reports: int, names: dict) -> str:
    """The same in Arabic."""
    more = len(sources) - SOURCES_SHOWN
    return ("، ".join(names.get(s, (s, s))[0] for s in sources[:SOURCES_SHOWN])
            + (f" و{more} غيرها" if more > 0 else "") + (f"؛ {reports} تقارير" if reports > 1 else ""))


def _date_span(dates: str) -> str:
    """"2022-01-07" as it is; several dates as first … last (n dates)."""
    listed = sorted(d for d in dates.split(", ") if d)
    if len(listed) <= 2:
        return ", ".join(listed)
    return f"{listed[0]} … {listed[-1]} ({len(listed)} dates)"


def _worth_showing(conflicts: pd.DataFrame) -> list:
    """Same-group disagreements first (a figure contradicted), then different groups, then places; within
    each, the figures most reports stand behind first (in a large corpus: not the two smallest figures)."""
    rank = {"figure": 0, "subject+figure": 1, "place+figure": 2, "subject+place+figure": 3}
    support = [len(_text(a).split(", ")) + len(_text(b).split(", "))
               for a, b in zip(conflicts["a_claim_ids"], conflicts["b_claim_ids"])]
    ordered = conflicts.assign(_rank=conflicts["reason_code"].map(lambda c: rank.get(c, 4)), _support=support)
    ordered = ordered.sort_values(["_rank", "_support"], ascending=[True, False], kind="stable")
    return [row for _, row in ordered.head(CONFLICTS_SHOWN).iterrows()]


def first_markdown(nb) -> tuple[str, str]:
    """Title and one-line description of a notebook, from its first markdown cell."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        title, description = "", ""
        for line in cell.source.splitlines():
            line = line.strip()
            if not line:
                if description:
                    break
                continue
            if line.startswith("#") and not title:
                title = line.lstrip("#").strip()
            elif not line.startswith("#") and not line.startswith("**Inputs"):
                description = f"{description} {line}".strip()
        return title, _first_sentence(description)
    return "", ""


def _first_sentence(text: str, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    match = re.search(r"(?<=[.!?؟])\s", text)
    if match:
        text = text[: match.start()]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notebook_entries(runs, report_dir: Path) -> list[dict]:
    """Title, one line of what the notebook does, what it found (findings/NN_name.json), link, run time."""
    import nbformat

    entries = []
    for run in runs:
        title, description = first_markdown(nbformat.read(run.executed, as_version=4))
        entries.append({"href": f"html/{run.name}.html", "name": run.name, "title": title or run.name,
                        "description": description, "found": read_finding(report_dir, run.name),
                        "seconds": f"{run.seconds:.1f}", "kept": run.kept})
    return entries


def record_finding(output_dir, notebook: str, text: str) -> Path:
    """Save what a notebook found, in one line, for the briefing (findings/<notebook>.json)."""
    from kzlib.io import write_text
    from kzlib.notebook import project_path

    return write_text(project_path(output_dir) / "findings" / f"{notebook}.json",
                      json.dumps({"notebook": notebook, "found": text}, ensure_ascii=False) + "\n")


def read_finding(report_dir, notebook: str) -> str:
    try:
        return json.loads((Path(report_dir) / "findings" / f"{notebook}.json").read_text(encoding="utf-8"))["found"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""


# --- helpers ---------------------------------------------------------------------------------

def _read_claims(report_dir: Path, summary) -> pd.DataFrame:
    from kzlib.ledger import read_ledger

    built = report_dir / "tables" / "claims.parquet"
    return read_ledger(built if built.exists() else summary.ledger)


def _names(claims: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """id → (Arabic, English) for categories, subjects, places and sources (labels.tsv, the gazetteer)."""
    from kzlib.sources import actor_names
    from kzlib.tables import vocabulary_labels

    names = dict(vocabulary_labels(kinds=("category", "subject")))
    ids = [*claims.get("attributed_to", pd.Series(dtype=object)).dropna(),
           *claims.get("location", pd.Series(dtype=object)).dropna()]
    try:
        names.update(actor_names(ids))
    except (OSError, ValueError):
        pass
    names["unattributed"] = ("دون مصدر مسمّى", "no source named")
    return names


def _text(value) -> str:
    """A table cell as text: missing and NaN are ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _linked(value, claim_id, base: str) -> dict | None:
    if value is None or pd.isna(value):
        return None
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return {"text": text, "href": claim_href(claim_id, base) if claim_id else None}


def counts_line(summary) -> str:
    """"N articles loaded, M skipped; K claims" of a run summary (kzlib.report.RunSummary)."""
    parts = []
    if summary.articles is not None:
        parts.append(f"{summary.articles} articles loaded, {summary.skipped} skipped")
    if summary.claims is not None:
        parts.append(f"{summary.claims} claims")
    return "; ".join(parts) or "counts unknown"


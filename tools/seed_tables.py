"""The analysis tables of the seed report, written to a folder or compared with one written before.

    python tools/seed_tables.py --write DIR      # e.g. on main, before a change
    python tools/seed_tables.py --compare DIR    # after: exit 1 and list every table that differs

Runs the analysis functions the notebooks call (kzlib.tables, kzlib.sources, kzlib.timeline) on the seed
corpus and compares the frames cell by cell (same columns, same row order, same values), so a speed-up
that changes a figure or a row of the report is caught; the notebooks' charts of the seeds are compared by
the SHA-256 of their PNG (same machine and matplotlib: fonts and versions change the bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

import pandas as pd

from kzlib import sources, tables, timeline
from kzlib.gazetteer import load_gazetteer
from kzlib.notebook import load_claims, load_texts


def seed_tables(corpus: str = "data/corpus.csv") -> dict[str, pd.DataFrame]:
    loaded = load_texts(corpus)
    articles = loaded.articles
    claims = load_claims(corpus)
    gazetteer = load_gazetteer()
    out = {"01_articles": loaded.articles_frame().drop(columns=["text"], errors="ignore"),
           "02_evidence": tables.evidence_ledger(claims),
           "03_reports": tables.reports_table(claims)}
    for policy in tables.POLICIES:
        out[f"03_reconciled_{policy}"] = tables.reconcile(claims, policy)
    out["03_conflicts"] = tables.find_conflicts(claims)
    out["03_conflicts_summary"] = tables.find_conflicts(claims, max_pairs=0)
    out["03_figures_over_time"] = tables.figures_over_time(claims)
    mentions_time = timeline.timeline_frame(articles)
    out["05_timeline"] = mentions_time
    event_dates = timeline.claim_event_dates(claims, mentions_time)
    out["03_event_dates"] = event_dates
    out["03_acled"] = tables.acled_export(claims, event_dates)
    mentions = sources.source_mentions(articles, gazetteer)
    out["04_quoted_actors"] = mentions
    out["04_cited_sources"] = sources.cited_source_matrix(claims, mentions)
    hits = sources.framing_hits(articles)
    words = sources.outlet_word_counts(articles)
    out["04_framing_hits"] = hits
    out["04_outlet_words"] = words
    out["04_framing_terms"] = sources.framing_rates(hits, words, level="term")
    out["04_framing_frames"] = sources.framing_rates(hits, words, level="frame")
    for threshold in (0.5, 0.3, 0.8):
        out[f"04_shared_claims_{threshold}"] = sources.shared_claims(claims, threshold)
    return out


def seed_figures(corpus: str = "data/corpus.csv") -> dict[str, str]:
    """SHA-256 of the PNG of every chart the notebooks draw for ``corpus``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kzlib import charts

    loaded = load_texts(corpus)
    articles, claims = loaded.articles, load_claims(corpus)
    series = tables.figures_over_time(claims)
    labels = {**tables.vocabulary_labels(kinds=("category", "subject", "source", "outlet")),
              **sources.actor_names(series["source"])}
    mentions = sources.source_mentions(articles)
    matrix = sources.cited_source_matrix(claims, mentions)
    rates = sources.framing_rates(sources.framing_hits(articles), sources.outlet_word_counts(articles), level="frame")
    frame = loaded.articles_frame()
    # notebook 01's chart of the seeds (few articles: one bar each)
    words_chart = lambda: charts.bar_chart(  # noqa: E731
        charts.article_labels(frame), frame["words"].tolist(),
        title=charts.bilingual("عدد الكلمات في كل مقال", "words per article"), xlabel=charts.bilingual("كلمات", "words"))
    figures = {"01_words_per_article": words_chart,
               "03_figures_over_time": lambda: tables.plot_figures_over_time(series, labels),
               "04_cited_sources_heatmap": lambda: sources.plot_source_heatmap(sources.matrix_pivot(matrix)),
               "05_timeline": lambda: timeline.plot_timeline(timeline.timeline_frame(articles))}
    for group in dict.fromkeys(rates["group"]):
        figures[f"04_framing_{group}"] = lambda group=group: sources.plot_framing(rates, group)
    hashes = {}
    for name, draw in figures.items():
        buffer = io.BytesIO()
        fig = draw()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        hashes[name] = hashlib.sha256(buffer.getvalue()).hexdigest()
    return hashes


def _differences(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Cell-wise "differs" mask of two frames of one shape (missing equals missing, 3 equals 3.0)."""
    a, b = before.reset_index(drop=True), after.reset_index(drop=True)
    both_missing = a.isna() & b.isna()
    return ~both_missing & (a.astype(object) != b.astype(object))


def _short(value, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="DIR")
    group.add_argument("--compare", metavar="DIR")
    parser.add_argument("--corpus", default="data/corpus.csv")
    args = parser.parse_args(argv)
    current = seed_tables(args.corpus)
    if args.write:
        folder = Path(args.write)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in current.items():
            frame.to_pickle(folder / f"{name}.pkl")
            print(f"{name}: {frame.shape[0]} rows x {frame.shape[1]} columns")
        (folder / "figures.json").write_text(json.dumps(seed_figures(args.corpus), indent=1), encoding="utf-8")
        print("figures.json: PNG hashes of the charts")
        return 0
    folder, failures = Path(args.compare), 0
    for name, frame in current.items():
        path = folder / f"{name}.pkl"
        if not path.exists():
            print(f"{name}: no saved table in {folder} (new)")
            continue
        before = pd.read_pickle(path)
        if list(before.columns) != list(frame.columns) or before.shape != frame.shape:
            failures += 1
            print(f"{name}: DIFFERS in shape/columns: {before.shape} {list(before.columns)} -> {frame.shape} {list(frame.columns)}")
            continue
        diff = _differences(before, frame)
        a, b = before.reset_index(drop=True), frame.reset_index(drop=True)
        if diff.values.any():
            failures += 1
            rows, cols = diff.any(axis=1), diff.any(axis=0)
            print(f"{name}: DIFFERS in {int(rows.sum())} row(s), column(s) {list(diff.columns[cols])}")
            first = rows.idxmax()
            for column in diff.columns[cols][:3]:
                print(f"    row {first} {column}: {_short(a.at[first, column])} -> {_short(b.at[first, column])}")
        else:
            print(f"{name}: identical ({frame.shape[0]} rows x {frame.shape[1]} columns)")
    saved = folder / "figures.json"
    if saved.exists():
        before = json.loads(saved.read_text(encoding="utf-8"))
        for name, digest in seed_figures(args.corpus).items():
            same = before.get(name) == digest
            failures += not same
            print(f"figure {name}: {'identical PNG' if same else 'DIFFERS (or new)'}")
    print("seed tables and figures:", "identical" if not failures else f"{failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: language_info
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   language_info:
#     name: python
# ---

# %% [markdown]
# # 03 · Casualty tables: every report, reconciled figures, conflicts
#
# One row per report (outlet, publication date, attributed source, stated figure and qualifier, low/high), a
# reconciled low / best / high per category, subject and place scope under `policy` (a count for Almaty is not
# reconciled with a country-wide count), and every pair of reports that disagree,
# with the reason (different subject / different place scope / different figure).
#
# Policies (rules documented in `kzlib.tables`):
# - `conservative` — the smallest figure among reports attributed to a named source (vague counts excluded);
# - `best` — the median figure of reports attributed to an official source (`lexicons/official_sources.tsv`),
#   else of attributed reports, else of all;
# - `latest_official` — the figure of the official report with the latest publication date.
#
# `low` is always the smallest lower bound any report gives, `high` the largest figure any report gives
# (`high_open` when that report said "more than").
#
# **Inputs**: `corpus` or `ledger` (with the date mentions `kz extract --out` stored beside it).
# **Outputs**: `{output_dir}/tables/03_casualty_reports.csv|parquet`,
# `03_casualties_reconciled_{policy}.csv|parquet`, `03_casualty_conflicts.csv|parquet`,
# `03_casualties_acled.csv|parquet`; `{output_dir}/figures/03_figures_over_time.png|svg`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger`, `policy` (conservative | best | latest_official).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""
policy = "best"

# %%
from IPython.display import Markdown, display

from kzlib import charts, sources, tables, timeline
from kzlib.notebook import has_texts, load_claims, project_path, save_tables, text_table
from kzlib.briefing import record_finding
from kzlib.display import show_table, with_ledger_details

out = project_path(output_dir)
claims = load_claims(corpus, ledger)
reports = with_ledger_details(tables.reports_table(claims), claims)  # optional ledger columns, when present
print(tables.none_found_message(reports) or f"{len(reports)} casualty reports")


# %% [markdown]
# ## Every report, per category (claim id = article id + offsets of the quote)

# %%
for category in tables.CASUALTY_CATEGORIES:
    message = tables.none_found_message(reports, category)
    display(Markdown(f"### {category}"))
    if message:
        print(message)
    else:
        show_table(reports[reports["category"] == category],
                   ["claim_id", "subject", "value", "qualifier", "attributed_to", "outlet", "date", "sentence"],
                   saved="03_casualty_reports")
save_tables(reports, out, "03_casualty_reports")

# %% [markdown]
# ## Reconciled low / best / high

# %%
reconciled = tables.reconcile(claims, policy)
if reconciled.empty:
    print("none found: nothing to reconcile")
else:
    show_table(reconciled, ["category", "subject", "locations", "low", "best", "high", "n_reports", "n_outlets",
                            "basis", "basis_claim_ids"], saved=f"03_casualties_reconciled_{policy}")
save_tables(reconciled, out, f"03_casualties_reconciled_{policy}")

# %% [markdown]
# ## Conflicts: reports of the same category that do not agree

# %%
conflicts = tables.find_conflicts(claims)
if conflicts.empty:
    print("none found: no two reports of one category disagree")
else:
    show_table(conflicts, ["category", "reason", "a_value", "a_subject", "a_sources", "a_claim_ids", "b_value",
                           "b_subject", "b_sources", "b_claim_ids"],
               saved="03_casualty_conflicts")
save_tables(conflicts, out, "03_casualty_conflicts")

# %% [markdown]
# ## Reported figures over publication date, per category and source

# %%
series = tables.figures_over_time(claims)
if series.empty:
    print("none found: no dated casualty figures to plot")
else:
    labels = {**tables.vocabulary_labels(kinds=("category", "subject", "source", "outlet")),
              **sources.actor_names(series["source"])}  # bilingual names of the sources, from the gazetteer
    fig = tables.plot_figures_over_time(series, labels)
    charts.publish_figure(fig, out / "figures" / "03_figures_over_time")

# %% [markdown]
# ## ACLED / UCDP-like export
# `event_date` is the date the claim's sentence states when `kzlib.timeline` resolves one (`date_basis` says
# which words), else the publication date.

# %%
if reports.empty:
    print("none found: nothing to export")
    event_dates = None
else:
    # dates stated in sentences: stored beside the ledger by kz extract, else worked out from the texts once
    # per report (notebook 05 needs them too); a ledger alone, without either, has no dates but publication's
    mentions = text_table("date_mentions", corpus, ledger, output_dir, columns=list(timeline.EVENT_DATE_COLUMNS))
    if mentions.empty and not has_texts(corpus):
        print(f"article texts not available ({corpus}): event_date = publication date throughout")
    event_dates = timeline.claim_event_dates(claims, mentions)
export = tables.acled_export(claims, event_dates)
show_table(export, ["event_date", "location", "actor", "category", "best", "qualifier", "source", "source_outlet",
                    "claim_id"], saved="03_casualties_acled")
save_tables(export, out, "03_casualties_acled")
record_finding(out, "03_casualties",
               f"{len(reports)} casualty reports in {reports['category'].nunique()} categories; "
               f"{len(conflicts)} pairs of figures disagree")

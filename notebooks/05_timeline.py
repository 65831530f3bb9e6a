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
# # 05 · Timeline: dates resolved against the publication date
#
# Every date expression (اليوم الأحد، أمس الجمعة، الخميس الماضي، الخامس من الشهر الجاري، ليلة 5 على 6 يناير،
# غداً، بعد غد …) with its evidence sentence, the rule used (`kzlib.timeline.RULES`) and a status:
# `resolved`, `ambiguous` (a documented convention chose), `conflict` (the text contradicts the publication
# date: flagged, not fixed) or `unresolved` (with the reason, e.g. no publication date).
#
# **Inputs**: `corpus`, or the date mentions `kz extract --out` stored beside `ledger`.
# **Outputs**: `{output_dir}/tables/05_timeline.csv|parquet`,
# `{output_dir}/figures/05_timeline.png|svg`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger` (its stored date mentions, when there are).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""

# %%
from kzlib import charts, timeline
from kzlib.notebook import project_path, save_tables, text_table
from kzlib.briefing import record_finding
from kzlib.display import show_table

out = project_path(output_dir)
# a Parquet corpus is a ledger: it holds claims but no article texts to read quotes, framing or dates from
articles = text_table("articles", corpus, ledger, output_dir)
if articles.empty:
    print(f"none found: no article texts in {corpus} (a ledger or an empty corpus)")
mentions = text_table("date_mentions", corpus, ledger, output_dir)  # worked out once: 03 uses them too
print(f"{len(mentions)} date expressions in {len(articles)} articles")

# %% [markdown]
# ## Status of every date expression

# %%
if mentions.empty:
    print("none found: no date expressions in the corpus")
else:
    show_table(mentions.groupby(["status", "rule"]).size().rename("mentions").reset_index())

# %% [markdown]
# ## Flagged: contradictions and unresolved dates, with the reason

# %%
flagged = mentions[mentions["status"].isin(["conflict", "unresolved", "ambiguous"])]
if flagged.empty:
    print("none found: every date resolved without contradiction")
else:
    show_table(flagged, ["article_id", "outlet", "publication_date", "expression", "resolved", "status", "reason",
                         "sentence"], saved="05_timeline")

# %% [markdown]
# ## Events in date order (evidence sentence; article id + offsets of the date expression)

# %%
events = mentions[mentions["resolved"].notna()].sort_values(["resolved", "article_id", "start"])
if events.empty:
    print("none found: no resolved dates")
else:
    show_table(events, ["resolved", "resolved_end", "expression", "status", "outlet", "article_id", "sentence"], saved="05_timeline")
    fig = timeline.plot_timeline(mentions)
    charts.publish_figure(fig, out / "figures" / "05_timeline")
save_tables(mentions, out, "05_timeline")
record_finding(out, "05_timeline", f"{len(mentions)} date expressions: {int((mentions['status'] == 'resolved').sum()) if len(mentions) else 0} "
               f"resolved, {len(flagged) if len(mentions) else 0} flagged (conflict, ambiguous or unresolved)")

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
# # 02 · Claims ledger with evidence
#
# Every count the extractor found — killed, injured, arrested, deployed … — with the Arabic sentence, the exact
# quote and its character offsets in the original article, plus English labels for category and subject.
#
# **Inputs**: `corpus` (manifest / folder / JSONL / CSV corpus) or `ledger` (a Parquet ledger; when set it wins).
#
# **Outputs**: `{output_dir}/tables/02_claims_ledger.csv` and `.parquet` (schema below, in `kzlib.tables.LEDGER_SCHEMA`).
#
# **Parameters**: `corpus`, `output_dir`, `ledger`.

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""

# %%
from kzlib import tables
from kzlib.briefing import record_finding
from kzlib.display import show_table, with_ledger_details
from kzlib.notebook import load_claims, project_path, save_tables

out = project_path(output_dir)
claims = load_claims(corpus, ledger)
evidence = with_ledger_details(tables.evidence_ledger(claims), claims)  # optional ledger columns, when present
print(f"{len(evidence)} claims in {evidence['article_id'].nunique()} articles")

# %% [markdown]
# ## Schema of the exported ledger

# %%
show_table(tables.ledger_schema(), page_length=25)

# %% [markdown]
# ## Claims per category (English labels)

# %%
if evidence.empty:
    print("none found: the corpus holds no quantitative claims")
else:
    show_table(evidence.groupby(["category_en", "subject_en"]).size().rename("claims").reset_index())

# %% [markdown]
# ## The ledger, right-to-left (every row: claim id = article id + offsets of the quote)

# %%
if not evidence.empty:
    show_table(evidence, ["claim_id", "outlet", "date", "category_en", "subject_en", "value", "attributed_to", "sentence"],
               saved="02_claims_ledger")

# %%
save_tables(evidence, out, "02_claims_ledger")
print("tables/02_claims_ledger.csv, tables/02_claims_ledger.parquet")
top = evidence["category_en"].value_counts().head(3)
record_finding(out, "02_claims", f"{len(evidence)} claims in {evidence['article_id'].nunique()} articles"
               + (": most " + ", ".join(f"{name} ({count})" for name, count in top.items()) if len(top) else ""))

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
from IPython.display import display

from kzlib import tables
from kzlib.notebook import load_claims, project_path, save_tables
from kzlib.report import rtl_table

out = project_path(output_dir)
claims = load_claims(corpus, ledger)
evidence = tables.evidence_ledger(claims)
print(f"{len(evidence)} claims in {evidence['article_id'].nunique()} articles")

# %% [markdown]
# ## Schema of the exported ledger

# %%
display(tables.ledger_schema())

# %% [markdown]
# ## Claims per category (English labels)

# %%
if evidence.empty:
    print("none found: the corpus holds no quantitative claims")
else:
    display(rtl_table(evidence.groupby(["category_en", "subject_en"]).size().rename("claims").reset_index()))

# %% [markdown]
# ## The ledger, right-to-left (every row: claim id = article id + offsets of the quote)

# %%
if not evidence.empty:
    display(rtl_table(evidence[["claim_id", "outlet", "date", "category_en", "subject_en", "value", "qualifier",
                                "attributed_to", "location", "quote", "sentence"]]))

# %%
save_tables(evidence, out, "02_claims_ledger")
print("tables/02_claims_ledger.csv, tables/02_claims_ledger.parquet")

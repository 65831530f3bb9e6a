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
# # 01 · Corpus overview: which articles, from which outlets, how long
#
# The inventory of the corpus every other report is built on — outlet, publication date, headline, length in
# characters, words and sentences, and the page furniture (masthead, captions, source footers …) kept apart from
# the article body — plus every input file that was skipped, with the reason.
#
# **Inputs**: `corpus` (manifest `.csv`, folder of `.txt`, JSONL / CSV corpus), or the inventory `kz extract --out`
# stored beside `ledger` (`kzlib.text_tables`: the texts are then not read again).
#
# **Outputs**: `{output_dir}/tables/01_articles.csv|parquet`, `{output_dir}/tables/01_skipped.csv|parquet`,
# `{output_dir}/figures/01_words_per_article.png|svg`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger` (its stored inventory, when there is one), `max_bars` (more
# articles than this: the words chart shows length bands).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""
max_bars = 60

# %%
import pandas as pd

from kzlib import charts
from kzlib.notebook import project_path, save_tables, text_table
from kzlib.briefing import record_finding
from kzlib.display import show_table

out = project_path(output_dir)
# a Parquet corpus is a claims ledger: no article texts to take an inventory of (unless `ledger` stored one)
articles = text_table("articles", corpus, ledger, output_dir)
skipped = text_table("skipped", corpus, ledger, output_dir)
charts.use_style()
print(f"{len(articles)} articles loaded, {len(skipped)} skipped — corpus: {corpus}")

# %% [markdown]
# ## Inventory (one row per article; furniture = text kept apart from the article body)

# %%
show_table(articles, ["id", "outlet", "date", "headline", "words", "sentences", "furniture"], saved="01_articles")

# %% [markdown]
# ## Per outlet

# %%
if articles.empty:
    print("no articles loaded")
else:
    per_outlet = articles.groupby("outlet").agg(articles=("id", "size"), words=("words", "sum")).reset_index()
    show_table(per_outlet)

# %% [markdown]
# ## Skipped input files, with the reason

# %%
if skipped.empty:
    print("none: every input file was loaded")
else:
    show_table(skipped, saved="01_skipped")

# %% [markdown]
# ## Words per article
# One bar per article up to `max_bars` articles; beyond, the number of articles per length band (a bar per
# article of a large corpus would make a chart taller than the page can hold).

# %%
if not articles.empty and len(articles) <= max_bars:
    fig = charts.bar_chart(charts.article_labels(articles), articles["words"].tolist(),
                           title=charts.bilingual("عدد الكلمات في كل مقال", "words per article"),
                           xlabel=charts.bilingual("كلمات", "words"))
elif not articles.empty:
    bands = pd.cut(articles["words"], bins=min(max_bars, 12)).value_counts(sort=False)
    fig = charts.bar_chart([f"{max(0, round(b.left)):,}–{round(b.right):,}" for b in bands.index], bands.tolist(),
                           title=charts.bilingual("عدد المقالات حسب عدد الكلمات", "articles by words"),
                           xlabel=charts.bilingual("مقالات", "articles"))
if not articles.empty:
    for path in charts.publish_figure(fig, out / "figures" / "01_words_per_article"):
        print(path.name)

# %%
for frame, stem in ((articles, "01_articles"), (skipped, "01_skipped")):
    save_tables(frame, out, stem)
    print(f"tables/{stem}.csv, tables/{stem}.parquet")
record_finding(out, "01_corpus_overview",
               f"{len(articles)} articles from {articles['outlet'].nunique() if len(articles) else 0} outlets, "
               f"{int(articles['words'].sum()) if len(articles) else 0:,} words; {len(skipped)} inputs skipped")

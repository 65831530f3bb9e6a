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
# # 04 · Sources and framing per outlet
#
# Who each outlet cites (figures attributed, statements quoted, agencies credited), how it names the
# deployment, the people and the events (terms of `lexicons/framing.tsv`, per 1,000 words, with an example
# sentence), and which claims other outlets share.
#
# **Inputs**: `corpus` (article texts are needed for quotes and framing) and optionally `ledger` (with the
# quotes, framing terms and word counts `kz extract --out` stored beside it, the texts are not read again).
#
# **Outputs**: `{output_dir}/tables/04_cited_sources.csv|parquet`, `04_quoted_actors.csv|parquet`,
# `04_framing_terms.csv|parquet`, `04_framing_frames.csv|parquet`, `04_shared_claims.csv|parquet`;
# `{output_dir}/figures/04_cited_sources_heatmap.png|svg`, `04_framing_<group>.png|svg`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger`, `measure` (heatmap: total | claims | statements | credits),
# `overlap_threshold` (near-duplicate sentences: share of common folded words).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""
measure = "total"
overlap_threshold = 0.5

# %%
from kzlib import charts, sources, tables
from kzlib.gazetteer import load_gazetteer
from kzlib.io import release_memory
from kzlib.notebook import load_claims, project_path, save_tables, text_table
from kzlib.briefing import record_finding
from kzlib.display import show_table

out = project_path(output_dir)
# a Parquet corpus is a ledger: it holds claims but no article texts to read quotes, framing or dates from
articles = text_table("articles", corpus, ledger, output_dir)
if articles.empty:
    print(f"none found: no article texts in {corpus} (a ledger or an empty corpus)")
claims = load_claims(corpus, ledger)
gazetteer = load_gazetteer()
print(f"{len(articles)} articles, {len(claims)} claims")


# %% [markdown]
# ## Outlet × cited source
# `claims`: figures the outlet attributes to the source; `statements`: sentences where the source is quoted;
# `credits`: agency credits in captions and source lines. `claim_ids` / `*_refs` give article id + offsets.

# %%
mentions = text_table("source_mentions", corpus, ledger, output_dir)   # sources.source_mentions
matrix = sources.cited_source_matrix(claims, mentions)
names = {**tables.vocabulary_labels(kinds=("category", "subject", "source", "outlet")),
         **sources.actor_names([*matrix.get("source", []), *matrix.get("outlet", []), *claims.get("outlet", [])], gazetteer),
         **sources.source_names(matrix)}   # sources the gazetteer does not know: as written
if matrix.empty:
    print("none found: no outlet cites a source")
else:
    show_table(matrix, ["outlet", "source", "claims", "statements", "credits", "total"], saved="04_cited_sources")
    fig = sources.plot_source_heatmap(sources.matrix_pivot(matrix, measure), names)
    charts.publish_figure(fig, out / "figures" / "04_cited_sources_heatmap")
save_tables(matrix, out, "04_cited_sources")

# %% [markdown]
# ## Quoted actors per outlet, with the sentence

# %%
quoted = mentions["kind"] == "statement"   # a mask, not a copy: a large corpus has millions of mentions
if not quoted.any():
    print("none found: no quoted actors")
else:
    show_table(mentions, ["outlet", "article_id", "actor", "surface", "sentence"], where=quoted,
               saved="04_quoted_actors")
save_tables(mentions, out, "04_quoted_actors")
del mentions, quoted   # saved; at corpus scale millions of rows the cells below do not need (memory)
release_memory()

# %% [markdown]
# ## Framing terms per 1,000 words
# How the deployment is named (peacekeeping vs intervention), how people are named (protesters vs armed men,
# terrorists, criminals, gangs), how the events are named.

# %%
hits = text_table("framing_hits", corpus, ledger, output_dir)   # sources.framing_hits
words = sources.outlet_word_counts(articles)
term_rates = sources.framing_rates(hits, words, level="term")
frame_rates = sources.framing_rates(hits, words, level="frame")
if hits.empty:
    print("none found: no framing term of lexicons/framing.tsv occurs in the corpus")
else:
    show_table(frame_rates, ["outlet", "group", "frame", "count", "per_1000_words", "example"],
               saved="04_framing_frames")
    show_table(term_rates, ["outlet", "group", "frame", "term", "gloss_en", "count", "per_1000_words", "example"],
               saved="04_framing_terms")
    for group in dict.fromkeys(frame_rates["group"]):
        fig = sources.plot_framing(frame_rates, group, names)
        charts.publish_figure(fig, out / "figures" / f"04_framing_{group}")
save_tables(term_rates, out, "04_framing_terms")
save_tables(frame_rates, out, "04_framing_frames")
del hits   # counted above: millions of rows at corpus scale (memory)
release_memory()

# %% [markdown]
# ## Claims shared across outlets vs carried by one outlet only

# %%
shared = sources.shared_claims(claims, overlap_threshold)
if shared.empty:
    print("none found: no claims")
else:
    show_table(shared["match"].value_counts().rename("claims").rename_axis("match").reset_index())
    show_table(shared, ["claim_id", "outlet", "category", "value", "match", "shared_with_outlets", "sentence"],
               saved="04_shared_claims")
save_tables(shared, out, "04_shared_claims")
record_finding(out, "04_sources",
               f"{matrix['outlet'].nunique() if len(matrix) else 0} outlets cite "
               f"{matrix['source'].nunique() if len(matrix) else 0} sources; "
               f"{int((shared['match'] != 'only this outlet').sum()) if len(shared) else 0} of {len(shared)} claims "
               f"are carried by more than one outlet")

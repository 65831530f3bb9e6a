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
# # 06 · Entities: the gazetteer's actors and places, and what Stanza finds beyond them
#
# Who and where each article names, from the gazetteer (`src/kzlib/lexicons/actors.tsv`, canonical ids and
# Arabic spelling variants). When Stanza's Arabic models are installed, its named entities are compared with the
# gazetteer's: found by both, only by the gazetteer, or only by Stanza — the last are candidates for new
# gazetteer rows (people and organisations nobody listed yet). Without the models, this report says so and shows
# the gazetteer alone: no model run is pretended.
#
# **Inputs**: `corpus` (article texts: a manifest, folder or JSONL that `kzlib.corpus.load_corpus` reads; a
# Parquet claims ledger holds no article texts and gives no entities), or the gazetteer mentions `kz extract --out`
# stored beside `ledger`; Stanza's Arabic models in `stanza_dir`
# (or `$STANZA_RESOURCES_DIR`, `~/stanza_resources`), optional — `kz models download --dir DIR` fetches them once
# with internet.
#
# **Outputs**: `{output_dir}/tables/06_entities_gazetteer.csv|parquet` (every mention with its offsets),
# `{output_dir}/tables/06_entities_per_article.csv|parquet`, `{output_dir}/tables/06_entity_counts.csv|parquet`,
# and with models `{output_dir}/tables/06_entities_compared.csv|parquet` and `06_entities_agreement.csv|parquet`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger` (its stored gazetteer mentions, when there are), `backend`
# (`"stanza"` to compare, `"rules"` for the gazetteer only), `stanza_dir` (empty: the default folder).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""
backend = "stanza"
stanza_dir = ""

# %%
from kzlib.nlp.entities import compare_entities, entities_frame
from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError, check_models, resolve_model_dir
from kzlib.notebook import has_texts, load_texts, project_path, save_tables, text_table
from kzlib.briefing import record_finding
from kzlib.display import show_table

out = project_path(output_dir)
# a claims ledger as `corpus` has no article texts: no entities, unless `ledger` stored them
articles = text_table("articles", corpus, ledger, output_dir)
skipped = text_table("skipped", corpus, ledger, output_dir)
print(f"{len(articles)} articles loaded, {len(skipped)} skipped — corpus: {corpus}")
for skip in skipped.itertuples():
    print(f"  skipped {skip.source}: {skip.reason}")


# %% [markdown]
# ## Gazetteer entities per article

# %%
gazetteer = text_table("entities", corpus, ledger, output_dir)   # entities_frame(articles, backend="rules")
save_tables(gazetteer, out, "06_entities_gazetteer")
per_article = (gazetteer.groupby("article_id")
               .agg(mentions=("surface", "size"), entities=("canonical_id", "nunique"),
                    ids=("canonical_id", lambda s: ", ".join(sorted(set(s)))))
               .reindex(articles["id"].tolist()).fillna({"mentions": 0, "entities": 0, "ids": ""})
               .astype({"mentions": int, "entities": int}).reset_index())
save_tables(per_article, out, "06_entities_per_article")
if gazetteer.empty:
    print("none found: no gazetteer actor or place is named in this corpus")
else:
    show_table(per_article, saved="06_entities_per_article")

# %% [markdown]
# ## Entities across the corpus (spellings as written)

# %%
counts = (gazetteer.groupby(["canonical_id", "type"])
          .agg(mentions=("surface", "size"), articles=("article_id", "nunique"),
               spellings=("surface", lambda s: " / ".join(sorted(set(s)))))
          .reset_index().sort_values(["mentions", "canonical_id"], ascending=[False, True]))
save_tables(counts, out, "06_entity_counts")
if not counts.empty:
    show_table(counts, saved="06_entity_counts")
record_finding(out, "06_entities", f"{len(gazetteer)} mentions of {counts['canonical_id'].nunique()} gazetteer actors and "
               f"places in {gazetteer['article_id'].nunique()} of {len(articles)} articles")

# %% [markdown]
# ## Stanza compared with the gazetteer

# %%
model_dir = None
if backend != "stanza":
    print(f"backend = {backend!r}: Stanza comparison not requested")
elif articles.empty or not has_texts(corpus):     # Stanza reads the texts themselves
    print("no article texts: comparison not run")
else:
    try:
        model_dir = check_models(stanza_dir or None)
    except ModelsMissingError as exc:
        print(f"Stanza models not found in {resolve_model_dir(stanza_dir or None)}: comparison not run.\n{exc}")

if model_dir is not None:
    try:
        found = entities_frame(load_texts(corpus).articles, backend="stanza", model_dir=model_dir)
    except (ModelsMissingError, StanzaMissingError) as exc:
        print(f"Stanza could not run on the models in {model_dir}: comparison not run.\n{exc}")
    else:
        compared = compare_entities(gazetteer, found)
        agreement = compared.found_by.value_counts().reindex(["both", "only_gazetteer", "only_stanza"], fill_value=0)
        agreement = agreement.rename("mentions").rename_axis("found_by").reset_index()
        save_tables(compared, out, "06_entities_compared")
        save_tables(agreement, out, "06_entities_agreement")
        show_table(agreement)
        candidates = compared[(compared.found_by == "only_stanza") & compared.canonical_id.isna()]
        print(f"{len(candidates)} candidate entity mentions Stanza found that the gazetteer does not list")
        if not candidates.empty:
            show_table(candidates, ["article_id", "surface", "type", "label"], saved="06_entities_compared")

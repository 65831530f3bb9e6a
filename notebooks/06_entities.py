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
# **Inputs**: `corpus`; Stanza's Arabic models in `stanza_dir` (or `$STANZA_RESOURCES_DIR`, `~/stanza_resources`),
# optional — `kz models download --dir DIR` fetches them once with internet.
#
# **Outputs**: `{output_dir}/tables/06_entities_gazetteer.csv|parquet`, `{output_dir}/tables/06_entity_counts.csv|parquet`,
# and with models `{output_dir}/tables/06_entities_compared.csv|parquet`.
#
# **Parameters**: `corpus`, `output_dir`, `ledger` (unused here), `backend` (`"stanza"` to compare, `"rules"` for the
# gazetteer only), `stanza_dir` (empty: the default folder).

# %% tags=["parameters"]
corpus = "data/corpus.csv"
output_dir = "reports"
ledger = ""
backend = "stanza"
stanza_dir = ""

# %%
from pathlib import Path

from IPython.display import display

from kzlib.corpus import Corpus, load_corpus
from kzlib.io import write_table
from kzlib.nlp.entities import compare_entities, entities_frame
from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError, check_models
from kzlib.paths import ROOT
from kzlib.report import rtl_table

out = Path(output_dir) if Path(output_dir).is_absolute() else ROOT / output_dir
corpus_path = Path(corpus) if Path(corpus).is_absolute() else ROOT / corpus
loaded = load_corpus(corpus_path) if corpus_path.suffix != ".parquet" else Corpus([], [], str(corpus_path))
print(f"{len(loaded.articles)} articles loaded, {len(loaded.skipped)} skipped — corpus: {corpus}")

# %% [markdown]
# ## Gazetteer entities (every mention, with its offsets into the article)

# %%
gazetteer = entities_frame(loaded, backend="rules")
write_table(gazetteer, out / "tables" / "06_entities_gazetteer.csv")
write_table(gazetteer, out / "tables" / "06_entities_gazetteer.parquet")
if gazetteer.empty:
    print("none found: no gazetteer actor or place is named in this corpus")
else:
    counts = (gazetteer.groupby(["canonical_id", "type"]).agg(mentions=("surface", "size"),
              articles=("article_id", "nunique"), spellings=("surface", lambda s: " / ".join(sorted(set(s)))))
              .reset_index().sort_values("mentions", ascending=False))
    write_table(counts, out / "tables" / "06_entity_counts.csv")
    write_table(counts, out / "tables" / "06_entity_counts.parquet")
    display(rtl_table(counts))

# %% [markdown]
# ## Stanza compared with the gazetteer

# %%
stanza_ready = False
if backend != "stanza":
    print(f"backend = {backend!r}: Stanza comparison not requested")
else:
    try:
        model_dir = check_models(stanza_dir or None)
        stanza_ready = True
    except ModelsMissingError as exc:
        print(f"Stanza models not found: comparison not run.\n{exc}")

if stanza_ready:
    try:
        found = entities_frame(loaded, backend="stanza", model_dir=model_dir)
    except (ModelsMissingError, StanzaMissingError) as exc:
        print(f"Stanza could not run: comparison not run.\n{exc}")
    else:
        compared = compare_entities(gazetteer, found)
        write_table(compared, out / "tables" / "06_entities_compared.csv")
        write_table(compared, out / "tables" / "06_entities_compared.parquet")
        display(compared.found_by.value_counts().rename("mentions").to_frame())
        candidates = compared[(compared.found_by == "only_stanza") & compared.canonical_id.isna()]
        print(f"{len(candidates)} candidate entities Stanza found that the gazetteer does not list")
        display(rtl_table(candidates[["article_id", "surface", "type", "start", "end"]]))

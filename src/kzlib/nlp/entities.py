"""Entities over a corpus, per backend, and the gazetteer-vs-stanza comparison shown in notebook 06."""

from __future__ import annotations

import pandas as pd

ENTITY_COLUMNS = ("article_id", "start", "end", "surface", "type", "canonical_id", "source", "label")


def entities_frame(source, backend="rules", **options) -> pd.DataFrame:
    """One row per entity mention; `source` is anything kzlib.corpus reads, a Corpus, or a list of Articles."""
    from kzlib.corpus import Article, Corpus, load_corpus
    from kzlib.nlp import get_backend

    if isinstance(source, Corpus):
        articles = source.articles
    elif isinstance(source, (list, tuple)) and all(isinstance(a, Article) for a in source):
        articles = source
    else:
        articles = load_corpus(source).articles
    nlp = get_backend(backend, **options) if isinstance(backend, str) else backend
    return pd.DataFrame([row for article in articles for row in article_entities(article, nlp)],
                        columns=list(ENTITY_COLUMNS))


def article_entities(article, nlp) -> list[dict]:
    """The rows of ``entities_frame`` for one article and a backend (``ENTITY_COLUMNS``)."""
    # a backend that can give the mentions alone (the rules: no tokens, no sentences) is asked for them only
    entities = getattr(nlp, "entities", None)
    mentions = entities(article.text) if entities else nlp.analyze(article.text).entities
    return [{"article_id": article.id, "start": m.start, "end": m.end, "surface": m.surface, "type": m.type,
             "canonical_id": m.canonical_id, "source": m.source, "label": m.label} for m in mentions]


def compare_entities(gazetteer: pd.DataFrame, stanza: pd.DataFrame) -> pd.DataFrame:
    """Each mention labelled found by `both` (overlapping spans in the same article), `only_gazetteer` or `only_stanza`."""
    rows, used = [], set()
    for g in gazetteer.itertuples(index=False):
        hits = stanza[(stanza.article_id == g.article_id) & (stanza.start < g.end) & (stanza.end > g.start)]
        if len(hits):
            used.update(hits.index)
            s = hits.iloc[0]
            rows.append({**g._asdict(), "found_by": "both", "stanza_type": s["type"], "stanza_surface": s["surface"]})
        else:
            rows.append({**g._asdict(), "found_by": "only_gazetteer", "stanza_type": None, "stanza_surface": None})
    for idx, s in stanza.iterrows():
        if idx not in used:
            rows.append({**s.to_dict(), "found_by": "only_stanza", "stanza_type": s["type"], "stanza_surface": s["surface"]})
    return pd.DataFrame(rows, columns=list(ENTITY_COLUMNS) + ["found_by", "stanza_type", "stanza_surface"])

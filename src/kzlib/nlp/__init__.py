"""NLP backends: `rules` (default, no model) and `stanza` (optional extra: pip install "kzlib[stanza]").

The claims themselves are always extracted by the rule engine (kzlib.claims); a backend adds tokens,
lemmas and named entities — stanza finds people and organisations the gazetteer does not list.
"""

from __future__ import annotations

from kzlib.nlp.base import ENTITY_TYPES, Analysis, Backend, Mention, Token, Word
from kzlib.nlp.stanza_backend import ModelsMissingError, StanzaMissingError  # stanza itself is imported lazily

BACKENDS = ("rules", "stanza")


def get_backend(name: str = "rules", **options) -> Backend:
    """A backend by name. Options: rules(gazetteer=None); stanza(model_dir=None, processors=PROCESSORS,
    gazetteer=None) — raises StanzaMissingError without the package, ModelsMissingError without the models."""
    if name == "rules":
        from kzlib.nlp.rules import RuleBackend

        return RuleBackend(**options)
    if name == "stanza":
        from kzlib.nlp.stanza_backend import StanzaBackend

        return StanzaBackend(**options)
    raise ValueError(f"unknown NLP backend {name!r}: choose one of {', '.join(BACKENDS)}")


__all__ = ["Analysis", "Backend", "Mention", "Token", "Word", "ENTITY_TYPES", "BACKENDS", "get_backend",
           "ModelsMissingError", "StanzaMissingError"]

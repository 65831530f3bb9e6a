"""The default backend: kzlib's own tokenizer, sentence splitter and gazetteer. Needs no model."""

from __future__ import annotations

from kzlib.nlp.base import Analysis, Mention, Token, Word


class RuleBackend:
    name = "rules"

    def __init__(self, gazetteer=None):
        from kzlib.gazetteer import load_gazetteer

        self.gazetteer = gazetteer or load_gazetteer()

    def analyze(self, text: str) -> Analysis:
        from kzlib.gazetteer import tokenize
        from kzlib.segment import split_sentences

        tokens = tokenize(text)
        return Analysis(
            text=text,
            backend=self.name,
            sentences=split_sentences(text),
            tokens=[Token(t.start, t.end, text[t.start:t.end], (Word(text[t.start:t.end]),)) for t in tokens],
            entities=[
                Mention(e.start, e.end, e.surface, e.type, e.id, "gazetteer")
                for e in self.gazetteer.find(text, tokens)
            ],
        )

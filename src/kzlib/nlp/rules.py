"""The default backend: kzlib's own tokenizer, sentence splitter and gazetteer. Needs no model.

Tokens are the gazetteer's word tokens (letters and digits, Arabic-aware normalization, punctuation
left out); clitics stay attached (one word per token) and no lemma or part of speech is guessed.
Entities are only those the gazetteer lists, so this backend never proposes candidates.
"""

from __future__ import annotations

from kzlib.nlp.base import Analysis, Mention, Token, Word


class RuleBackend:
    name = "rules"

    def __init__(self, gazetteer=None):
        from kzlib.gazetteer import load_gazetteer

        self.gazetteer = gazetteer or load_gazetteer()

    def entities(self, text: str) -> list[Mention]:
        """The entity mentions `analyze` gives, without building its tokens and sentences (for
        `kzlib.nlp.entities.entities_frame`, which needs the mentions only)."""
        from kzlib.gazetteer import tokenize

        return [Mention(e.start, e.end, e.surface, e.type, e.id, "gazetteer")
                for e in self.gazetteer.find(text, tokenize(text))]

    def analyze(self, text: str) -> Analysis:
        from kzlib.gazetteer import tokenize
        from kzlib.segment import split_sentences

        word_tokens = tokenize(text)
        tokens = []
        for t in word_tokens:
            surface = text[t.start:t.end]
            tokens.append(Token(t.start, t.end, surface, (Word(surface, start=t.start, end=t.end),)))
        return Analysis(
            text=text,
            backend=self.name,
            sentences=split_sentences(text),
            tokens=tokens,
            entities=[
                Mention(e.start, e.end, e.surface, e.type, e.id, "gazetteer")
                for e in self.gazetteer.find(text, word_tokens)
            ],
        )

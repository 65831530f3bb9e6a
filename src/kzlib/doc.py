"""One annotated document that the extraction steps read and enrich (in the spirit of spaCy's Doc).

A `Doc` holds the article text, its folded form with the map back to the original (kzlib.normalize),
its word tokens, its sentences, and one named layer of spans per step in `doc.spans`:

    doc.spans["entities"]   gazetteer actors and places           (kzlib.claims.find_entities)
    doc.spans["cues"]       reporting verbs / "according to" words (kzlib.attribution.find_cues)
    doc.spans["numbers"]    count-kind quantities                  (kzlib.claims.find_numbers)
    doc.spans["categories"] ... one layer per step, see kzlib.claims.PIPELINE

A step is a plain function `step(doc) -> None` that reads the layers it needs and adds one; the pipeline
is a list of steps (`run(doc, steps)`), so a new layer is one new function and a test can build a
document, run the steps before it, and check that one layer.

A `Span` has original offsets `start`/`end` (text[start:end] is the mention as written), the index of
its `first` and `last` token (inclusive), a `label` (an id: category, actor, place ...) and a small
`attrs` dict for what the step adds (a count span's Quantity, a cue's gender ...). Layers that describe
a count ("categories", "groups", "sources", "places") carry `attrs["count"]`: the index of that count
in doc.spans["numbers"]; `doc.by_count(name)` maps it back.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import itemgetter
from typing import Callable, Iterable, NamedTuple

from kzlib.gazetteer import Token, tokenize_with_starts
from kzlib.normalize import Normalized, normalize

class Span(NamedTuple):   # a NamedTuple: built for every mention of the corpus, cheaper than a dataclass
    start: int            # offsets into the ORIGINAL text
    end: int
    first: int            # token index of the first word
    last: int             # token index of the last word (inclusive)
    label: str
    attrs: dict

    def text(self, doc: "Doc") -> str:
        return doc.text[self.start:self.end]


class Sentence(NamedTuple):
    start: int            # offsets into the original text
    end: int
    first: int            # its tokens are doc.tokens[first:stop]
    stop: int


Step = Callable[["Doc"], None]


class Doc:
    """An article being annotated: text, folded text, tokens, sentences and span layers."""

    __slots__ = ("text", "id", "outlet", "body_spans", "norm", "tokens", "words", "token_starts", "sentences",
                 "spans", "candidates", "clause_of", "memo")

    def __init__(self, text: str, id: str = "text", body_spans: Iterable[tuple[int, int]] | None = None,
                 outlet: str | None = None):
        self.text = text
        self.id = id
        self.outlet = outlet
        self.body_spans = [(0, len(text))] if body_spans is None else list(body_spans)
        self.norm: Normalized = normalize(text)      # folded once; tokens and numbers share it
        self.tokens: list[Token]
        self.words: list[str]                         # tokens[k].norm as a list
        self.token_starts: list[int]
        self.tokens, self.words, self.token_starts = tokenize_with_starts(text, self.norm)
        self.sentences: list[Sentence] = []
        self.spans: dict[str, list[Span]] = {}
        # per-lexicon token indexes where an entry may start (one lookup per word, kzlib.gazetteer.LexiconIndex)
        self.candidates: dict[str, list[int]] = {}
        self.clause_of: dict[int, int] = {}          # token index -> clause number (sentences holding a count)
        self.memo: dict[str, object] = {}            # indexes steps derive from layers, worked out once

    def add(self, name: str, spans: list[Span]) -> None:
        """Add the layer `name` (a step adds its layer once)."""
        if name in self.spans:
            raise ValueError(f"layer {name!r} is already in the document")
        self.spans[name] = spans

    def layer(self, name: str) -> list[Span]:
        """The spans of a layer; a clear error when the step that adds it has not run."""
        try:
            return self.spans[name]
        except KeyError:
            raise KeyError(f"layer {name!r} is not in the document: run its step first "
                           f"(layers present: {sorted(self.spans)})") from None

    def by_count(self, name: str) -> dict[int, Span]:
        """A count-describing layer as {index of the count in "numbers": span}."""
        return {span.attrs["count"]: span for span in self.layer(name)}

    def in_sentence(self, name: str, sentence: Sentence) -> list[Span]:
        """Spans of a layer (ordered by start) that start inside the sentence."""
        spans = self.spans.get(name)
        if spans is None:
            spans = self.layer(name)        # the error naming the missing step
        lo = bisect_left(spans, sentence.start, key=_span_start)
        hi = bisect_left(spans, sentence.end, lo, key=_span_start)
        return spans[lo:hi]

    def token_span(self, first: int, last: int, label: str, attrs: dict | None = None) -> Span:
        """A span over tokens[first:last + 1]."""
        return Span(self.tokens[first].start, self.tokens[last].end, first, last, label, {} if attrs is None else attrs)

    def __repr__(self) -> str:
        layers = ", ".join(f"{k}={len(v)}" for k, v in self.spans.items())
        return f"Doc({self.id!r}, {len(self.text)} chars, {len(self.tokens)} tokens, {len(self.sentences)} sentences; {layers})"


_span_start = itemgetter(0)


def run(doc: Doc, steps: Iterable[Step]) -> Doc:
    """Run the steps in order on the document; returns it."""
    for step in steps:
        step(doc)
    return doc

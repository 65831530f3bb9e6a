"""The NLP backend interface: what any backend returns for a text.

Offsets always point into the ORIGINAL text given to `analyze`, like every other span in kzlib.
Two levels of units, because Arabic writes clitics attached ("وأكد" = و + أكد, "لألماتي" = ل + ألماتي):
a `Token` is what is written between spaces and punctuation; its `words` are the syntactic words a
backend split it into, each with its own lemma and part of speech.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Entity types shared with kzlib.gazetteer (person | institution | media | place | organization), plus
# `misc` for what a statistical NER tags MISC. Backend labels map here; the raw label is kept in Mention.label.
ENTITY_TYPES = ("person", "institution", "media", "place", "organization", "misc")


@dataclass(frozen=True)
class Word:
    """A syntactic word. `start`/`end` are None when the word is not written as such in the text
    (ل + الهجوم written "للهجوم": the alef of the article is not in the text)."""

    text: str
    lemma: str | None = None
    upos: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    words: tuple[Word, ...] = ()

    @property
    def is_multiword(self) -> bool:
        return len(self.words) > 1

    @property
    def head(self) -> Word | None:
        """The word carrying the token's meaning: the first after the attached conjunctions and prepositions
        (و + ب + مدينة + ها -> مدينة; pronoun suffixes come after it). Clitics only: the last one."""
        for word in self.words:
            if word.upos not in CLITIC_UPOS:
                return word
        return self.words[-1] if self.words else None

    @property
    def lemma(self) -> str | None:
        return self.head.lemma if self.head else None

    @property
    def upos(self) -> str | None:
        return self.head.upos if self.head else None


# Parts of speech of the attached conjunctions, prepositions and particles (UD tags).
CLITIC_UPOS = frozenset({"CCONJ", "ADP", "PART", "SCONJ"})


@dataclass(frozen=True)
class Mention:
    """A named entity. `canonical_id` is the gazetteer id when known; None marks a new candidate."""

    start: int
    end: int
    surface: str
    type: str             # one of ENTITY_TYPES
    canonical_id: str | None
    source: str           # which backend found it: "gazetteer" or "stanza"
    label: str | None = None  # the backend's own label (stanza: PER / LOC / ORG / MISC)


@dataclass
class Analysis:
    text: str
    backend: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)
    unaligned: list[str] = field(default_factory=list)  # backend tokens/entities not found in the original text

    @property
    def words(self) -> list[Word]:
        return [w for t in self.tokens for w in t.words]

    @property
    def candidates(self) -> list[Mention]:
        """Entities the gazetteer does not know: people and organisations nobody listed yet."""
        return [m for m in self.entities if m.canonical_id is None]


class Backend(Protocol):
    name: str

    def analyze(self, text: str) -> Analysis: ...

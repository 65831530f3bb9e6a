"""The NLP backend interface: what any backend returns for a text.

Offsets always point into the ORIGINAL text given to `analyze`, like every other span in kzlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Word:
    """A syntactic word. Arabic clitics make one written token several words (و + أكد)."""

    text: str
    lemma: str | None = None
    upos: str | None = None


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A named entity. `canonical_id` is the gazetteer id when known; None marks a new candidate."""

    start: int
    end: int
    surface: str
    type: str
    canonical_id: str | None
    source: str  # which backend found it: "gazetteer" or "stanza"


@dataclass
class Analysis:
    text: str
    backend: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)
    unaligned: list[str] = field(default_factory=list)  # backend tokens not found in the original text

    @property
    def candidates(self) -> list[Mention]:
        """Entities the gazetteer does not know: people and organisations nobody listed yet."""
        return [m for m in self.entities if m.canonical_id is None]


class Backend(Protocol):
    name: str

    def analyze(self, text: str) -> Analysis: ...

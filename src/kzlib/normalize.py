"""Normalization for matching: a folded copy of the text with a map back to the original.

The stored article text is never altered. `normalize` only deletes characters (diacritics, tatweel,
invisible marks) or substitutes one character for one character (letter variants, digits, spaces,
quotes), so every character of the folded text maps to exactly one index of the original:
`Normalized.to_original(start, end)` turns a match in the folded text into an original span.

What is folded (and why):
- alef with hamza/madda/wasla (أ إ آ ٱ) → ا, alef maqsura ى → ي, ta marbuta ة → ه: the usual spelling
  variation in news text (ألماتي / الماتي, مائة / مائه). Persian yeh ی and keheh ک (typed on Persian
  keyboards, common in copied text) → ي and ك.
- harakat, tanwin, shadda, sukun, superscript alef, tatweel, zero-width and bidi marks: removed.
- Arabic-Indic (٠-٩) and Persian (۰-۹) digits → 0-9; ٬ (thousands) → ","; ٫ (decimal) → ".".
- NBSP and other spaces → " "; curly and Arabic quotes (“ ” « » „ ‟ ″) → '"', ‘ ’ → "'".
- Latin A-Z → a-z (English names and agency tags inside Arabic text).
Hamza on waw/ya (ؤ ئ) and bare hamza (ء) are kept: folding them merges distinct words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter

# Characters removed for matching: combining marks (attached to the previous letter) and invisibles.
_COMBINING = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670\u0640\u06D6\u06D7\u06D8\u06D9\u06DA\u06DB\u06DC\u06DF\u06E0\u06E1\u06E2\u06E3\u06E4\u06E7\u06E8\u06EA\u06EB\u06EC\u06ED"
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u061c\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DELETE = _COMBINING + _INVISIBLE
_DELETE_RE = re.compile("[" + re.escape(_DELETE) + "]+")
_COMBINING_SET = frozenset(_COMBINING)
COMBINING_MARKS = _COMBINING_SET  # marks that belong to the letter before them (kept inside spans)

_SUBSTITUTE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك",
    "٬": ",", "٫": ".", "٪": "%",
    "“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ", "\t": " ",
}
_SUBSTITUTE.update({chr(c): " " for c in range(0x2000, 0x200B)})
_SUBSTITUTE.update({chr(0x0660 + i): str(i) for i in range(10)})
_SUBSTITUTE.update({chr(0x06F0 + i): str(i) for i in range(10)})
_SUBSTITUTE.update({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})
_TABLE = str.maketrans({**_SUBSTITUTE, **{ch: None for ch in _DELETE}})


@dataclass(frozen=True)
class Normalized:
    """Folded text; `offsets[i]` is the original index of `text[i]`."""

    text: str
    offsets: Sequence[int]
    source: str
    deleted: Sequence[tuple[int, int]] = ()   # maximal runs [start, end) of the source that were deleted

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the folded span [start, end). Diacritics right after the last letter are included."""
        return _to_original(self.offsets, 0, 0, len(self.text), self.source, start, end)

    def slice(self, start: int, end: int) -> "NormalizedSlice":
        """The normalization of `source[start:end]`, cut from this one without folding again.

        Folding is character by character, so the folded text of a slice is the slice of the folded text;
        offsets are shifted to be relative to `start`."""
        return NormalizedSlice(self, start, end)


class NormalizedSlice:
    """`normalize(parent.source[start:end])`, computed from `parent` (same `text` and `to_original`)."""

    __slots__ = ("text", "source", "_offsets", "_first", "_base")

    def __init__(self, parent: Normalized, start: int, end: int):
        offsets = parent.offsets
        if isinstance(offsets, range):
            first, last = start, end
        else:
            first, last = offsets.folded_index(start), offsets.folded_index(end)
        self.text = parent.text[first:last]
        self.source = parent.source[start:end]
        self._offsets, self._first, self._base = offsets, first, start

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return _to_original(self._offsets, self._first, self._base, len(self.text), self.source, start, end)


def _to_original(offsets, first: int, base: int, n: int, source: str, start: int, end: int) -> tuple[int, int]:
    """`Normalized.to_original` for the folded characters offsets[first:first + n] of a text whose
    original is `source`, starting at original index `base` (0 and 0 for a whole text)."""
    if start >= n:
        return len(source), len(source)
    orig_start = offsets[first + start] - base
    if end <= start:
        return orig_start, orig_start
    orig_end = offsets[first + min(end, n) - 1] + 1 - base
    while orig_end < len(source) and source[orig_end] in _COMBINING_SET:
        orig_end += 1
    return orig_start, orig_end


def normalize(text: str) -> Normalized:
    if len(text) < _REPLACE_MIN:
        folded = text.translate(_TABLE)
        if len(folded) == len(text):  # nothing deleted: the identity map (a range costs no memory)
            return Normalized(folded, range(len(text)), text)
        deleted = list(map(_span, _DELETE_RE.finditer(text)))
    else:
        # str.translate looks every non-ASCII character up in a dict (~55 ns each); on article-length text,
        # one C-level replace per substitution the text holds is about 3x faster, with the same result
        # (substitutions are one character for one, and none of them makes or removes a deleted one)
        substituted = text
        for old, new in _SUBSTITUTIONS:
            if old in substituted:
                substituted = substituted.replace(old, new)
        deleted = list(map(_span, _DELETE_RE.finditer(substituted)))
        if not deleted:
            return Normalized(substituted, range(len(text)), text)
        # the kept pieces between the runs found: a second regex pass over the text (sub) would find them again
        folded = "".join(map(substituted.__getitem__, map(slice, chain((0,), map(_end_of, deleted)),
                                                           chain(map(_start_of, deleted), (len(text),)))))
    return Normalized(folded, FoldedOffsets(len(folded), deleted), text, deleted)


class FoldedOffsets(Sequence):
    """`Normalized.offsets` of a text that had runs deleted: folded index i is original index i plus the
    length of the runs deleted before it. Held as one shift per run, not one integer per character: an
    article has a few runs and thousands of characters."""

    __slots__ = ("_len", "bounds", "shifts", "_run_ends")

    def __init__(self, n: int, deleted: Sequence[tuple[int, int]]):
        self._len = n
        self.bounds: list[int] = []       # bounds[j]: folded index of the first character after run j
        self.shifts: list[int] = [0]      # shifts[j]: characters deleted before bounds[j - 1] (0 before any run)
        self._run_ends = list(map(_end_of, deleted))
        for start, end in deleted:
            self.bounds.append(start - self.shifts[-1])
            self.shifts.append(self.shifts[-1] + end - start)

    def __len__(self) -> int:
        return self._len

    def __eq__(self, other) -> bool:    # by value, as the list of offsets it stands for (Normalized's own ==)
        if isinstance(other, FoldedOffsets):
            return (self._len, self.bounds, self.shifts) == (other._len, other.bounds, other.shifts)
        return isinstance(other, list) and list(self) == other

    __hash__ = None     # unhashable, like that list

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("offset index out of range")
        return i + self.shifts[bisect_right(self.bounds, i)]

    def folded_index(self, original: int) -> int:
        """`bisect_left(self, original)`: the first folded index whose original index is >= `original`."""
        j = bisect_right(self._run_ends, original)      # runs ending at or before `original`
        if j < len(self.bounds) and original >= self._run_ends[j] - (self.shifts[j + 1] - self.shifts[j]):
            return self.bounds[j]                        # inside run j: the first character after it
        return max(0, min(self._len, original - self.shifts[j]))


_start_of, _end_of = itemgetter(0), itemgetter(1)
_span = re.Match.span


_SUBSTITUTIONS = tuple((old, new) for old, new in _SUBSTITUTE.items() if old not in _DELETE)
_REPLACE_MIN = 200   # shorter texts (words, lexicon entries): translate, whose set-up is cheaper


def normalize_word(word: str) -> str:
    """Fold a lexicon entry or a token the same way as `normalize` folds text."""
    return word.translate(_TABLE)

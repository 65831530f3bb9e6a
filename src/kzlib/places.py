"""Where a count happened: a place of the gazetteer, or a place it does not know, as written with offsets.

Arabic has no capital letters, so an unknown place is found by its position, with the words of
place_words.tsv: after an indefinite place-type word ("بلدة بارا", "مخيم زمزم", "حي الزرامنة"), or after
في / ب / من right before a known place or a place-type word ("في الطينة بشمال دارفور"). Known places
count when a preposition or a place-type word comes right before them ("في حلب", "بالخرطوم", "من الفاشر").

Which place a count gets: the places after it up to the next count, else before it back to the previous
count, else the rest of its clause, else the rest of its sentence (never across a clause word such as
"فيما"); among those, the most specific (a camp before its town, a town before its province), then the
nearest. Destinations ("إلى تشاد") count only when nothing else does. A dateline ("الفاشر - ") gives the
place of counts in sentences that name none.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import NamedTuple

from kzlib.gazetteer import Entity, Token, load_gazetteer, read_tsv
from kzlib.normalize import normalize_word
from kzlib.paths import LEXICONS

# gazetteer kinds, most specific first (a camp before its town before its province)
KIND_RANK = {"neighbourhood": 0, "camp": 0, "district": 1, "town": 2, "city": 3, "capital": 3, "island": 3,
             "province": 4, "region": 5, "country": 6}
_UNKNOWN_RANK = 2          # a place the gazetteer does not know, named without a type word
_DATELINE = re.compile(r"\A\s*([^\n\-–—:.،]{2,40}?)\s*(?:\([^)\n]{1,30}\)\s*)?[-–—]\s")


class Place(NamedTuple):
    id: str | None           # gazetteer id, None for a place it does not know
    start: int               # offsets of the place as written
    end: int
    token: int               # index of its first token
    rank: int                # specificity (KIND_RANK)
    weak: bool = False       # a destination ("إلى تشاد")


@lru_cache(maxsize=1)
def place_words() -> dict[str, dict[str, int]]:
    """kind -> {folded word: rank} of place_words.tsv."""
    out: dict[str, dict[str, int]] = {}
    path = LEXICONS / "place_words.tsv"
    for n, row in enumerate(read_tsv(path), start=2):
        if row["kind"] not in ("preposition", "toward", "place_type", "name_head", "stop"):
            raise ValueError(f"{path}: line {n}: unknown kind {row['kind']!r}")
        out.setdefault(row["kind"], {})[normalize_word(row["term"])] = int(row["rank"] or 0)
    return out


@lru_cache(maxsize=1)
def _kind_ranks() -> dict[str, int]:
    gaz = load_gazetteer()
    ranks = {}
    for row in gaz.rows:
        if row.get("type") == "place" and row["id"] not in ranks:
            ranks[row["id"]] = KIND_RANK.get(row.get("kind") or "", KIND_RANK["city"])
    return ranks


def _core(norm: str, words: dict[str, int]) -> tuple[str, str] | None:
    """(clitic, word) when `norm` is a listed word with a conjunction / preposition glued on ("وبمدينة")."""
    for n in range(0, min(3, len(norm) - 1)):
        prefix, rest = norm[:n], norm[n:]
        if prefix in ("", "و", "ف", "ب", "وب", "فب", "ل", "ول") and rest in words:
            return prefix, rest
    return None


def sentence_places(text: str, tokens: list[Token], first: int, stop: int, entities: list[Entity],
                    starts: list[int], known_words: set[int]) -> list[Place]:
    """Places of tokens[first:stop] tied to an event: known ones after a preposition or a place-type word,
    unknown ones by position. `known_words`: tokens that start a lexicon entry (cues, groups, numbers),
    which are never an unknown place's name."""
    words = place_words()
    preps, toward, types, heads, stops = (words.get(k, {}) for k in ("preposition", "toward", "place_type",
                                                                       "name_head", "stop"))
    ranks = _kind_ranks()
    out: list[Place] = []
    covered: set[int] = set()
    for en in entities:
        k = bisect.bisect_right(starts, en.start, first, stop) - 1
        if k < first:
            continue
        last = bisect.bisect_left(starts, en.end, first, stop) - 1
        covered.update(range(k, last + 1))
        tok = tokens[k]
        glued = normalize_word(text[tok.start:en.start]) if tok.start < en.start else ""
        before = [tokens[j].norm for j in range(max(first, k - 2), k)]
        strong = glued.endswith("ب") or any(w in preps or _core(w, preps) or _core(w, types) for w in before)
        weak = not strong and any(w in toward or _core(w, toward) for w in before)
        if not (strong or weak):
            # the variant itself may open with a type word ("مدينة حلب")
            first_word = _core(tok.norm, types)
            if first_word is None or not any(w in preps or _core(w, preps) for w in before[-1:]):
                continue
            strong = True
        out.append(Place(en.id, en.start, en.end, k, ranks.get(en.id, KIND_RANK["city"]), weak))
    for k in range(first, stop - 1):
        tok = tokens[k]
        typed = _core(tok.norm, types)
        name = k + 1
        if typed is not None and not typed[1].startswith("ال") and name not in covered:
            rank = types[typed[1]]
        elif (tok.norm in preps or _core(tok.norm, preps) is not None or tok.norm in ("في",)) and name not in covered \
                and _followed_by_place(tokens, name, stop, covered, types):
            rank = _UNKNOWN_RANK
        else:
            continue
        ntok = tokens[name]
        if ntok.norm in stops or ntok.norm in preps or ntok.norm in types or any(ch.isdigit() for ch in ntok.norm) \
                or name in known_words or ntok.start - tok.end > 2:
            continue
        if _core(ntok.norm, types) is not None:
            continue            # "سوق بلدة بارا": the inner type word names the place
        last = name
        if ntok.norm in heads and name + 1 < stop and tokens[name + 1].start - ntok.end <= 1:
            last = name + 1     # "أبو صرة", "دير البلح"
        start = tok.start if typed is not None else ntok.start
        if typed is not None and typed[0]:
            start = tok.start + len(typed[0]) if tok.end - tok.start == len(tok.norm) else tok.start
        out.append(Place(None, start, tokens[last].end, k, rank))
        covered.update(range(name, last + 1))
    return out


def _followed_by_place(tokens: list[Token], name: int, stop: int, covered: set[int], types) -> bool:
    """A known place or a place-type word right after the word at `name` ("في بارا بولاية ...")."""
    nxt = name + 1
    if nxt >= stop:
        return False
    if nxt in covered:
        return True
    return _core(tokens[nxt].norm, types) is not None


def choose(places: list[Place], count_first: int, count_last: int, prev_last: int, next_first: int,
           clause: dict[int, int], walls: list[int], others: list[int] = ()) -> Place | None:
    """The place of a count (see the module docstring); `walls`: tokens of clause words (فيما، بينما);
    `others`: first tokens of the sentence's other counts (a place past one of them in another clause is its)."""
    if not places:
        return None
    same_clause = clause.get(count_first)

    def reachable(p: Place) -> bool:
        lo, hi = sorted((p.token, count_first))
        if any(lo < w < hi for w in walls):
            return False
        return clause.get(p.token) == same_clause or not any(lo < o < hi for o in others)
    strong = [p for p in places if not p.weak and reachable(p)]
    weak = [p for p in places if p.weak and reachable(p)]
    for pool in (strong, weak):
        tiers = (
            [p for p in pool if count_last < p.token < next_first],
            [p for p in pool if prev_last < p.token < count_first],
            [p for p in pool if clause.get(p.token) == clause.get(count_first)],
            pool,
        )
        for tier in tiers:
            if tier:
                return min(tier, key=lambda p: (p.rank, abs(p.token - count_first)))
    return None


def dateline(text: str, body_start: int, body_end: int) -> tuple[str | None, int, int] | None:
    """(place id or None, start, end) of a dateline "الفاشر - " opening the body (or its second line, after a
    repeated headline), or None."""
    line = body_start
    for _ in range(2):
        m = _DATELINE.match(text, line, body_end)
        if m and len(m.group(1).split()) <= 3:
            start, end = m.span(1)
            return load_gazetteer().lookup(text[start:end]), start, end
        nl = text.find("\n", line, body_end)
        if nl < 0:
            return None
        line = nl + 1
    return None

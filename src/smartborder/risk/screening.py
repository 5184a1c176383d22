"""Screening parties against watch lists: which listed entry a consignor or consignee may be, with
a score and the evidence behind it.

A name is compared word by word (each word with its best counterpart, allowing typos, initials,
spellings that sound alike and any order), and as a whole; generic company words ("trading",
"international") count for little. Country and kind of party are evidence for or against. A
candidate index (blocking) keeps a batch from being compared with every entry of a large list.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from rapidfuzz.distance import Indel, JaroWinkler

from smartborder.risk.names import Name, normalise, phonetic_key, plain

# A watch list can hold hundreds of thousands of names: a key shared by more entries than this
# says little, and only stays in the index when it is the rarest key a query has.
MAX_KEY_ENTRIES = 500
WORD_MATCH = 0.8  # below this, two words are different words
INITIAL = 0.85  # "V" against "Vladimir"
SOUNDS_ALIKE = 0.9  # the same Metaphone key
ACRONYM = 0.9  # "NIOC" against "National Iranian Oil Company"
GENERIC_WEIGHT = 0.25  # a generic company word counts a quarter of a distinctive one
EXTRA_WORD_PENALTY = 0.2  # share of the score lost when all of the longer name's words are unmatched
COUNTRY_AGREES, COUNTRY_DIFFERS = 0.03, 0.12
KIND_DIFFERS = 0.5  # a vessel is not a person, whatever its name

# Chosen on the development half of benchmarks/data/screening_pairs.csv: see benchmarks/screening.py.
DEFAULT_THRESHOLD = 0.86


@cache
def generic_words() -> frozenset[str]:
    with files("smartborder").joinpath("data", "risk", "generic_words.csv").open(encoding="utf-8") as f:
        return frozenset(row["word"] for row in csv.DictReader(f))


@dataclass(frozen=True)
class Party:
    """A party to screen, or a watch-list entry (with its aliases)."""

    id: str
    names: tuple[str, ...]
    country: str | None = None
    kind: str | None = None
    list: str | None = None

    @property
    def normalised(self) -> tuple[Name, ...]:
        return _normalised(self.names, self.kind)


@cache
def _normalised(names: tuple[str, ...], kind: str | None) -> tuple[Name, ...]:
    return tuple(n for n in (normalise(name, kind) for name in names) if n.words)


@dataclass(frozen=True)
class Match:
    query_id: str
    entry_id: str
    score: float
    explanation: str


def _weight(word: str) -> float:
    return len(word) * (GENERIC_WEIGHT if word in generic_words() else 1.0)


def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL if a[0] == b[0] else 0.0
    similarity = JaroWinkler.normalized_similarity(a, b)
    if len(a) > 2 and len(b) > 2 and phonetic_key(a) == phonetic_key(b):
        similarity = max(similarity, SOUNDS_ALIKE)
    return similarity if similarity >= WORD_MATCH else 0.0


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str]:
    """Each word of the shorter name paired with its most alike remaining word of the longer; the
    score is the weighted share of the shorter name matched, less a little for the longer name's
    words left over (a dropped middle name)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    cells = sorted(((word_similarity(s, t), i, j) for i, s in enumerate(short) for j, t in enumerate(long)), reverse=True)
    pairs: dict[int, tuple[int, float]] = {}
    for similarity, i, j in cells:
        if similarity and i not in pairs and all(j != k for k, _ in pairs.values()):
            pairs[i] = (j, similarity)

    def weight(i: int) -> float:  # an initial weighs as much as the word it stands for
        return _weight(long[pairs[i][0]]) if len(short[i]) == 1 and i in pairs else _weight(short[i])

    total = sum(weight(i) for i in range(len(short)))
    coverage = sum(weight(i) * similarity for i, (_, similarity) in pairs.items()) / total if total else 0.0
    paired = {j for j, _ in pairs.values()}
    left_over = sum(_weight(w) for j, w in enumerate(long) if j not in paired) / sum(_weight(w) for w in long)
    explanation = f"{len(pairs)} of {len(short)} words alike" + (f", {len(long) - len(paired)} other words unmatched" if len(long) > len(paired) else "")
    return coverage * (1 - EXTRA_WORD_PENALTY * left_over), explanation


def _acronym_words(name: Name) -> list[str]:
    """The words an acronym is made of: legal form included (the C of NIOC is "Company")."""
    return [w for w in plain(name.original).split() if w not in ("of", "and", "the", "for", "de", "la")]


def _acronym(a: Name, b: Name) -> bool:
    """One name is a single word made of the first letters of the other's words."""
    for short, long in ((a, b), (b, a)):
        if len(short.words) == 1 and len(short.words[0]) >= 2:
            initials = {"".join(w[0] for w in words) for words in (_acronym_words(long), long.words) if len(words) >= 2}
            if short.words[0] in initials:
                return True
    return False


def name_similarity(a: Name, b: Name) -> tuple[float, str]:
    """How alike two names are (0..1), and why."""
    if _acronym(a, b):
        return ACRONYM, "one name is the acronym of the other"
    aligned, how = _aligned(a.words, b.words)
    if len(a.words) != len(b.words):  # a word split or joined: "Jongun" / "Jong Un"
        joined = max(Indel.normalized_similarity("".join(a.words), "".join(b.words)),
                     Indel.normalized_similarity("".join(sorted(a.words)), "".join(sorted(b.words))))  # fmt: skip
        if joined > aligned:
            return joined, "alike when spelled without spaces"
    return aligned, how


def compare(query: Party, entry: Party) -> tuple[float, str]:
    """Score (0..1) that `query` is `entry`, and the evidence, read by officers."""
    best, how, against = 0.0, "", ""
    for q in query.normalised:
        for e in entry.normalised:
            similarity, reason = name_similarity(q, e)
            if similarity > best:
                best, how, against = similarity, reason, e.original
    if not best:
        return 0.0, "no name alike"
    evidence = [f"name {best:.2f} against '{against}' ({how})"]
    score = best
    if query.kind and entry.kind and query.kind != entry.kind:
        score *= KIND_DIFFERS
        evidence.append(f"a {query.kind} is not a {entry.kind}")
    if query.country and entry.country:
        if query.country == entry.country:
            score = min(1.0, score + COUNTRY_AGREES)
            evidence.append(f"same country {entry.country}")
        else:
            score = max(0.0, score - COUNTRY_DIFFERS)
            evidence.append(f"countries differ ({query.country} / {entry.country})")
    return round(score, 4), "; ".join(evidence)


def _keys(name: Name) -> set[str]:
    keys = set()
    for word in name.words:
        if len(word) > 1:
            keys |= {f"w:{word}", f"p:{phonetic_key(word)}", f"b:{word[:4]}", f"e:{word[-4:]}"}
    for words in (name.words, _acronym_words(name)):  # where its acronym would be found
        if len(words) >= 2:
            keys.add(f"w:{''.join(w[0] for w in words)}")
    return keys


@dataclass
class WatchList:
    """Entries with a candidate index: each key (a word, its sound, its first or last letters)
    points to the entries whose names have it."""

    entries: list[Party]
    whitelist: set[tuple[str, str]] = field(default_factory=set)  # (query name, entry id) known not to match
    _index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list), repr=False)

    def __post_init__(self) -> None:
        for position, entry in enumerate(self.entries):
            for key in set().union(*(_keys(n) for n in entry.normalised)):
                self._index[key].append(position)

    def candidates(self, query: Party) -> list[Party]:
        keys = set().union(*(_keys(n) for n in query.normalised)) & self._index.keys()
        if not keys:
            return []
        useful = [k for k in keys if len(self._index[k]) <= MAX_KEY_ENTRIES] or [min(keys, key=lambda k: len(self._index[k]))]
        positions = set().union(*(self._index[k] for k in useful))
        return [self.entries[p] for p in sorted(positions)]

    def screen(self, query: Party, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """Entries `query` may be, best first."""
        found = []
        for entry in self.candidates(query):
            if any((name, entry.id) in self.whitelist for name in query.names):
                continue
            score, explanation = compare(query, entry)
            if score >= threshold:
                found.append(Match(query.id, entry.id, score, explanation))
        return sorted(found, key=lambda m: -m.score)


def screen_all(queries: Iterable[Party], watchlist: WatchList, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    return [match for query in queries for match in watchlist.screen(query, threshold)]

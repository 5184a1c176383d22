"""Screening parties against watch lists: which listed entry a consignor or consignee may be, with
a score and the evidence behind it.

A name is compared word by word (each word with its best counterpart, allowing typos, initials,
spellings that sound alike and any order), and as a whole; generic company words ("trading",
"international") count for little. Country and kind of party are evidence for or against. A
candidate index (blocking) keeps a batch from being compared with every entry of a large list.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from smartborder.resources import data_rows
from smartborder.risk.names import ORGANIZATION, PERSON, VESSEL, Name, normalise, phonetic_key, plain

# A watch list can hold hundreds of thousands of names: a key shared by more entries than this
# says little, and only stays in the index when it is the rarest key a query has.
MAX_KEY_ENTRIES = 500
PARALLEL_PAIRS = 20_000
ROUGHLY_ALIKE = 60  # token-set ratio (0..100) below which a candidate is not compared in full
WORD_MATCH = 0.8  # below this, two words are different words
INITIAL = 0.85  # "V" against "Vladimir"
SOUNDS_ALIKE = 0.9  # the same Metaphone key
ACRONYM = 0.9  # "NIOC" against "National Iranian Oil Company"
GENERIC_WEIGHT = 0.25  # a generic company word counts a quarter of a distinctive one
# Share of the score lost when all of the longer name's words are unmatched: a person's dropped
# middle name costs little, an extra word in a company or vessel name more ("Crescent Moon" / "Crescent").
EXTRA_WORD_PENALTY = {PERSON: 0.2, None: 0.35}
NUMBER_DIFFERS = 0.5  # "Rye Song Gang 1" is not "Rye Song Gang 2"
COUNTRY_AGREES, COUNTRY_DIFFERS = 0.03, 0.12
KIND_DIFFERS = 0.5  # a vessel is not a person, whatever its name

# Chosen on the development half of benchmarks/data/screening_pairs.csv: see benchmarks/screening.py.
DEFAULT_THRESHOLD = 0.86


@cache
def generic_words() -> frozenset[str]:
    return frozenset(row["word"] for row in data_rows("risk", "generic_words.csv"))


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


@lru_cache(maxsize=1_000_000)
def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL if a[0] == b[0] else 0.0
    similarity = Indel.normalized_similarity(a, b)  # not Jaro-Winkler: its prefix bonus makes Quanfu / Quanguo alike
    if len(a) > 2 and len(b) > 2:
        sound_a, sound_b = phonetic_key(a), phonetic_key(b)
        if sound_a == sound_b:
            similarity = max(similarity, SOUNDS_ALIKE)
        elif min(len(sound_a), len(sound_b)) >= 4:  # transliterations differ in vowels and glides: Alyaksandr / Alexander
            similarity = max(similarity, SOUNDS_ALIKE * Indel.normalized_similarity(sound_a, sound_b))
    return similarity if similarity >= WORD_MATCH else 0.0


def _aligned(a: tuple[str, ...], b: tuple[str, ...], extra_word_penalty: float) -> tuple[float, str]:
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
    return coverage * (1 - extra_word_penalty * left_over), explanation


ACRONYM_SKIPS = frozenset({"of", "and", "the", "for", "in", "on", "de", "del", "la", "le", "el", "des", "du", "y", "e"})


def acronyms(name: Name) -> set[str]:
    """The acronyms a name may go by: its words' initials, with and without small words, with and
    without its legal form (the C of NIOC is "Company", the S.A. of PDVSA is "Sociedad Anonima")."""
    found = set()
    for words in (plain(name.original).split(), list(name.words)):
        for kept in (words, [w for w in words if w not in ACRONYM_SKIPS]):
            if len(kept) >= 2:
                found.add("".join(w[0] for w in kept))
    return found


def _acronym(a: Name, b: Name) -> bool:
    """One name is a single word that is an acronym of the other."""
    return any(len(short.words) == 1 and len(short.words[0]) >= 2 and short.words[0] in acronyms(long) for short, long in ((a, b), (b, a)))


def name_similarity(a: Name, b: Name, kind: str | None = None) -> tuple[float, str]:
    """How alike two names are (0..1), and why; `kind` when both are known to be persons."""
    if _acronym(a, b):
        return ACRONYM, "one name is the acronym of the other"
    if a.numbers and b.numbers and a.numbers != b.numbers:
        similarity, how = name_similarity(Name(a.original, tuple(w for w in a.words if not w.isdigit())), Name(b.original, tuple(w for w in b.words if not w.isdigit())), kind)
        return similarity * NUMBER_DIFFERS, f"{how}, but the numbers differ ({' '.join(sorted(a.numbers))} / {' '.join(sorted(b.numbers))})"
    aligned, how = _aligned(a.words, b.words, EXTRA_WORD_PENALTY[PERSON if kind == PERSON else None])
    if len(a.words) != len(b.words):  # a word split or joined: "Jongun" / "Jong Un"
        joined = max(Indel.normalized_similarity("".join(a.words), "".join(b.words)),
                     Indel.normalized_similarity("".join(sorted(a.words)), "".join(sorted(b.words))))  # fmt: skip
        if joined > aligned:
            return joined, "alike when spelled without spaces"
    return aligned, how


def compare(query: Party, entry: Party) -> tuple[float, str]:
    """Score (0..1) that `query` is `entry`, and the evidence, read by officers."""
    best, how, against = 0.0, "", ""
    # a dropped middle name is usual for persons; an extra word matters more where a party is known not to be one
    not_persons = {query.kind, entry.kind} & {ORGANIZATION, VESSEL} or any(n.legal_form for n in (*query.normalised, *entry.normalised))
    kind = None if not_persons else PERSON
    for q in query.normalised:
        for e in entry.normalised:
            similarity, reason = name_similarity(q, e, kind)
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
    """Block keys: each word, its sound, its first and last four letters; acronyms under "a:"."""
    keys = set()
    for word in name.words:
        if len(word) > 1:
            keys |= {f"w:{word}", f"p:{phonetic_key(word)}", f"b:{word[:4]}", f"e:{word[-4:]}"}
    if len(name.words) == 1 and len(name.words[0]) > 1:
        keys.add(f"a:{name.words[0]}")  # it may be an acronym
    keys |= {f"a:{acronym}" for acronym in acronyms(name)}  # where the acronym of this name is found
    return keys


@dataclass
class WatchList:
    """Entries with a candidate index (blocking), built once: each key points to the entry names
    that have it. Parties are only compared in full with entries that share a key with them and
    whose names are roughly alike."""

    entries: list[Party]
    whitelist: set[tuple[str, str]] = field(default_factory=set)  # (query name, entry id) known not to match

    def __post_init__(self) -> None:
        texts, owners, by_key = [], [], defaultdict(list)
        for position, entry in enumerate(self.entries):
            for name in entry.normalised:
                for key in _keys(name):
                    by_key[key].append(len(texts))
                texts.append(name.sorted_text)
                owners.append(position)
        self._texts = np.array(texts, dtype=object)
        self._owner = np.array(owners, dtype=np.int64)
        self._index = {key: np.array(ids, dtype=np.int64) for key, ids in by_key.items()}
        self._size = {key: len(set(self._owner[ids])) for key, ids in self._index.items()}  # entries, not names

    def _names_sharing_keys(self, name: Name) -> tuple[np.ndarray, np.ndarray]:
        """Ids of entry names sharing a key with `name` (its rarest key only, when all are common),
        and whether each was reached through an acronym key."""
        keys = [k for k in _keys(name) if k in self._index]
        if not keys:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
        useful = [k for k in keys if self._size[k] <= MAX_KEY_ENTRIES] or [min(keys, key=self._size.__getitem__)]
        ids = np.concatenate([self._index[k] for k in useful])
        acronym_ids = np.concatenate([self._index[k] for k in useful if k.startswith("a:")] or [np.empty(0, dtype=np.int64)])
        ids = np.unique(ids)
        return ids, np.isin(ids, acronym_ids)

    def candidates(self, queries: list[Party]) -> pl.DataFrame:
        """Pairs (query, entry) by position worth a full comparison: they share a key, and their
        names are roughly alike (one pairwise C++ scoring of all pairs) or one may be the
        acronym of the other."""
        query_of, query_text, name_ids, acronym = [], [], [], []
        for position, query in enumerate(queries):
            for name in query.normalised:
                ids, by_acronym = self._names_sharing_keys(name)
                query_of.append(np.full(len(ids), position))
                query_text.extend([name.sorted_text] * len(ids))
                name_ids.append(ids)
                acronym.append(by_acronym)
        if not query_text:
            return pl.DataFrame(schema={"query": pl.Int64, "entry": pl.Int64})
        ids = np.concatenate(name_ids)
        entry_text = self._texts[ids].tolist()
        workers = -1 if len(query_text) > PARALLEL_PAIRS else 1  # threads cost more than they save on a few pairs
        by_words = process.cpdist(query_text, entry_text, scorer=fuzz.token_set_ratio, workers=workers)
        joined = process.cpdist(query_text, entry_text, scorer=fuzz.ratio, processor=lambda text: text.replace(" ", ""), workers=workers)
        alike = (np.maximum(by_words, joined) >= ROUGHLY_ALIKE) | np.concatenate(acronym)
        pairs = np.unique(np.stack([np.concatenate(query_of)[alike], self._owner[ids][alike]], axis=1), axis=0)  # sorted by query, entry
        return pl.DataFrame({"query": pairs[:, 0], "entry": pairs[:, 1]})

    def screen(self, queries: list[Party], threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """Entries each query may be, best first per query."""
        found = []
        for q, e in self.candidates(queries).iter_rows():
            query, entry = queries[q], self.entries[e]
            if any((name, entry.id) in self.whitelist for name in query.names):
                continue
            score, explanation = compare(query, entry)
            if score >= threshold:
                found.append(Match(query.id, entry.id, score, explanation))
        return sorted(found, key=lambda m: (m.query_id, -m.score))

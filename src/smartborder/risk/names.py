"""Party names made comparable: one script (ASCII transliteration), one case, no punctuation,
legal forms and vessel prefixes set apart from the words of the name.

"OOO «Ромашка»", "Romashka LLC" and "ROMASHKA, Limited Liability Company" all become the name
words ("romashka",) with the legal form "llc".
"""

import re
from dataclasses import dataclass
from functools import cache

import jellyfish
from anyascii import anyascii

from smartborder.resources import data_rows

PERSON, ORGANIZATION, VESSEL = "person", "organization", "vessel"
KINDS = (PERSON, ORGANIZATION, VESSEL)

# Scripts written without spaces between words or syllables: transliterate one character at a
# time with a space after each, so that 김정은 gives "gim jeong eun", not "gimjeongeun".
_SYLLABIC = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Number words and Roman numerals written as digits, in names of vessels and companies ("Grace One",
# "Sparta IV"): a single letter is left alone, it is more likely an initial.
NUMBERS = {w: str(n) for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())} | {
    r: str(n) for n, r in enumerate("- - ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()) if len(r) > 1
}
VESSEL_PREFIXES = frozenset({"mv", "m v", "mt", "m t", "ss", "s s", "fv", "f v", "my", "m y", "lng", "lpg"})


@dataclass(frozen=True)
class Name:
    """A normalised name: its words (legal form and vessel prefix removed), in the original order."""

    original: str
    words: tuple[str, ...]
    legal_form: str | None = None

    @property
    def sorted_text(self) -> str:
        return " ".join(sorted(self.words))

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(w for w in self.words if w.isdigit())

    @property
    def phonetic(self) -> tuple[str, ...]:
        return tuple(phonetic_key(w) for w in self.words)


def transliterate(text: str) -> str:
    if _SYLLABIC.search(text):
        text = "".join(f" {anyascii(ch)} " if _SYLLABIC.match(ch) else ch for ch in text)
    return anyascii(text)


def plain(text: str) -> str:
    """Lower-case ASCII words separated by single spaces."""
    return _NOT_WORD.sub(" ", transliterate(text).lower()).strip()


@cache
def legal_forms() -> dict[str, str]:
    return {row["variant"]: row["form"] for row in data_rows("risk", "legal_forms.csv")}


def _longest_affix(words: list[str], affixes, at_start: bool) -> int:
    """How many words at the start (or end) of `words` form one of `affixes`; 0 when none do."""
    for size in range(min(len(words) - 1, 6), 0, -1):  # never take the whole name
        part = words[:size] if at_start else words[-size:]
        if " ".join(part) in affixes:
            return size
    return 0


def normalise(name: str, kind: str | None = None) -> Name:
    """Words of `name`; legal forms at either end are set apart (never for persons), and for
    vessels the prefix (MV, M/T, ...)."""
    words = plain(name).split()
    legal_form = None
    if kind != PERSON:
        forms = legal_forms()
        for at_start in (False, True):
            while size := _longest_affix(words, forms, at_start):
                legal_form = legal_form or forms[" ".join(words[:size] if at_start else words[-size:])]
                words = words[size:] if at_start else words[:-size]
    if kind == VESSEL and (size := _longest_affix(words, VESSEL_PREFIXES, at_start=True)):
        words = words[size:]
    if kind != PERSON and len(words) > 1:
        words = [NUMBERS.get(w, w) for w in words]
    return Name(name, tuple(words), legal_form)


@cache
def phonetic_key(word: str) -> str:
    """A key that spellings of one sound share (Metaphone); digits stay as they are."""
    return word if word.isdigit() else (jellyfish.metaphone(word) or word)

"""The word lists behind the data-quality rules (src/smartborder/data/quality, see SOURCES.md there),
compiled into regular expressions for Polars."""

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import polars as pl

NEVER = r"[^\s\S]"  # a regex that matches nothing (Polars' engine has no look-around)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def one_repeated_character(norm: pl.Expr) -> pl.Expr:
    """'x', 'aaaa', '0000': a Latin letter or digit, repeated. (One CJK character can be a word: 茶, tea.)"""
    compact = norm.str.replace_all(r"\s", "")
    return compact.str.contains(r"^[\p{Latin}\p{N}]+$") & (compact.str.split("").list.n_unique() == 1)


def _rows(name: str) -> list[dict[str, str]]:
    with files("smartborder").joinpath("data", "quality", name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def normalised(text: pl.Expr) -> pl.Expr:
    """Lower case without accents, punctuation as spaces, single spaces."""
    return (
        text.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )


def _term_regex(terms: list[str]) -> str:
    """Alternation of whole words; scripts without spaces between words (CJK) match anywhere."""
    spaced = sorted({t for t in terms if not CJK.search(t)}, key=len, reverse=True)
    unspaced = sorted({t for t in terms if CJK.search(t)}, key=len, reverse=True)
    parts = []
    if spaced:
        parts.append(r"\b(?:" + "|".join(re.escape(t) for t in spaced) + r")\b")
    if unspaced:
        parts.append("(?:" + "|".join(re.escape(t) for t in unspaced) + ")")
    return "|".join(parts) or NEVER


def _normalise_term(term: str) -> str:
    """The same normalisation as `normalised`, for one term in Python."""
    frame = pl.DataFrame({"t": [term]})
    return frame.select(normalised(pl.col("t")))["t"][0]


@dataclass(frozen=True)
class Lexicon:
    vague_terms: str  # regex of vague words and phrases, on normalised text
    vague_patterns: str  # regex of vague shapes, on lower-cased text
    stop_words: str
    brands: str
    placeholder_terms: tuple[str, ...]  # normalised exact values
    placeholder_patterns: str


@cache
def lexicon() -> Lexicon:
    vague = _rows("vague_terms.csv")
    placeholders = _rows("placeholder_names.csv")
    return Lexicon(
        vague_terms=_term_regex([_normalise_term(r["term"]) for r in vague if r["kind"] == "term"]),
        vague_patterns="|".join(f"(?:{r['term']})" for r in vague if r["kind"] == "pattern") or NEVER,
        stop_words=_term_regex([_normalise_term(r["word"]) for r in _rows("stop_words.csv")]),
        brands=_term_regex([_normalise_term(r["brand"]) for r in _rows("brands.csv")]),
        placeholder_terms=tuple(sorted({_normalise_term(r["value"]) for r in placeholders if r["kind"] == "term"})),
        placeholder_patterns="|".join(f"(?:{r['value']})" for r in placeholders if r["kind"] == "pattern") or NEVER,
    )


@cache
def usd_per_unit() -> dict[str, float]:
    """Approximate exchange rates for plausibility checks (never for duty)."""
    return {r["currency"]: float(r["usd_per_unit"]) for r in _rows("currency_rates.csv")}

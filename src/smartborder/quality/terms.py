"""The word lists behind the data-quality rules (src/smartborder/data/quality, see SOURCES.md there),
prepared for fast matching in Polars."""

import re
from dataclasses import dataclass
from functools import cache

import polars as pl

from smartborder.resources import data_rows

NEVER = r"[^\s\S]"  # a regex that matches nothing (Polars' engine has no look-around)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def one_repeated_character(norm: pl.Expr) -> pl.Expr:
    """'x', 'aaaa', '0000': a Latin letter or digit, repeated. (One CJK character can be a word: 茶, tea.)"""
    compact = norm.str.replace_all(r"\s", "")
    shifted_equal = compact.str.slice(1) == compact.str.head(-1)  # s[1:] == s[:-1]: one character throughout
    return compact.str.contains(r"^[\p{Latin}\p{N}]+$") & shifted_equal


def normalised(text: pl.Expr) -> pl.Expr:
    """Lower case without accents, punctuation as spaces, single spaces."""
    return (
        text.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )


def padded(norm: pl.Expr) -> pl.Expr:
    """Normalised text with every token between spaces of its own (" spare  parts "), so that whole
    words and phrases can be found with plain substring search, no word-boundary regex."""
    return pl.concat_str(pl.lit(" "), norm.str.replace_all(" ", "  ", literal=True), pl.lit(" "))


def needles(terms: list[str]) -> tuple[str, ...]:
    """Search strings for `padded` text, longest first; scripts written without spaces between
    words (CJK) match anywhere."""
    found = {t if CJK.search(t) else " " + t.replace(" ", "  ") + " " for t in terms if t}
    return tuple(sorted(found, key=len, reverse=True))


def any_of(found: tuple[str, ...]) -> str:
    """A regex of the needles `found`, tried in order: where several match at one place, the first
    wins. (Polars keeps compiled regexes, so a query that uses one again does not rebuild it.)"""
    return "|".join(pl.escape_regex(n) for n in found) or NEVER


def _normalise_terms(terms: list[str]) -> list[str]:
    """The same normalisation as `normalised`, for terms read from the lists."""
    return pl.DataFrame({"t": terms}, schema={"t": pl.String}).select(normalised(pl.col("t")))["t"].to_list()


@dataclass(frozen=True)
class Lexicon:
    vague_terms: tuple[str, ...]  # needles of vague words and phrases
    vague_patterns: str  # regex of vague shapes, on lower-cased text
    stop_words: tuple[str, ...]
    brands: tuple[str, ...]
    placeholder_terms: tuple[str, ...]  # normalised exact values
    placeholder_patterns: str


@cache
def lexicon() -> Lexicon:
    vague = data_rows("quality", "vague_terms.csv")
    placeholders = data_rows("quality", "placeholder_names.csv")
    return Lexicon(
        vague_terms=needles(_normalise_terms([r["term"] for r in vague if r["kind"] == "term"])),
        vague_patterns="|".join(f"(?:{r['term']})" for r in vague if r["kind"] == "pattern") or NEVER,
        stop_words=needles(_normalise_terms([r["word"] for r in data_rows("quality", "stop_words.csv")])),
        brands=needles(_normalise_terms([r["brand"] for r in data_rows("quality", "brands.csv")])),
        placeholder_terms=tuple(sorted(set(_normalise_terms([r["value"] for r in placeholders if r["kind"] == "term"])))),
        placeholder_patterns="|".join(f"(?:{r['value']})" for r in placeholders if r["kind"] == "pattern") or NEVER,
    )


def in_usd(amount: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """An amount in US dollars, at the approximate rates; null for a currency without a rate."""
    return amount * currency.replace_strict(usd_per_unit(), default=None, return_dtype=pl.Float64)


@cache
def usd_per_unit() -> dict[str, float]:
    """Approximate exchange rates for plausibility checks (never for duty)."""
    return {r["currency"]: float(r["usd_per_unit"]) for r in data_rows("quality", "currency_rates.csv")}

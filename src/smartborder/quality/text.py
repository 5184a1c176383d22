"""Classifying free text: goods descriptions (vague, only a number, only a brand) and party
names and addresses (placeholders). Each distinct text is classified once in a run: e-commerce
data repeats the same descriptions and names many times."""

from collections.abc import Callable
from functools import cache

import polars as pl

from smartborder.quality.terms import any_of, lexicon, needles, normalised, one_repeated_character, padded

CODE_TOKEN = r" \p{L}*\p{N}[\p{L}\p{N}]* "  # a token with a digit in it: "4711", "x200", "15"
NUMBER_OR_LETTER = r" (?:\p{N}+|\p{Latin}) "  # a bare number or a single Latin letter
# Words that name a model, not goods: "iPhone 15 Pro Max" is still only a brand and a model.
MODEL_WORDS = needles(["pro", "max", "plus", "mini", "ultra", "lite", "se", "edition", "series", "gen", "generation", "model", "version", "original", "genuine"])

VAGUE, NUMBER_ONLY, BRAND_ONLY = "vague", "number_only", "brand_only"
MAX_PLACEHOLDER_LENGTH = 40
MAX_REMEMBERED = 200_000  # texts whose class is kept, per classifier, for the rest of a run (some 30 MB)
_known: dict[Callable[[pl.Expr], pl.Expr], dict[str | None, object]] = {}  # per classifier: class by text
_UNSEEN = object()


def _without(text: pl.Expr, *needle_sets: tuple[str, ...]) -> pl.Expr:
    for found in needle_sets:
        text = text.str.replace_all(any_of(found), " ")  # longest first wins
    return text


def _nothing_left(text: pl.Expr, *regexes: str) -> pl.Expr:
    """Whether nothing but spaces, bare numbers and single letters is left once `regexes` are removed."""
    for regex in (*regexes, NUMBER_OR_LETTER):
        text = text.str.replace_all(regex, " ")
    return text.str.replace_all(r"\s+", "").str.len_chars() == 0


def description_class(desc: pl.Expr) -> pl.Expr:
    """vague, number_only, brand_only, or null for a description that says what the goods are."""
    lex = lexicon()
    norm = normalised(desc)
    tokens = padded(norm)
    number_only = norm.str.contains(r"\p{N}") & _nothing_left(tokens, CODE_TOKEN)
    vague = (
        _nothing_left(_without(tokens, lex.vague_terms, lex.stop_words))
        | one_repeated_character(norm)
        | desc.str.to_lowercase().str.contains(lex.vague_patterns)
    )
    brand_only = tokens.str.contains(any_of(lex.brands)) & _nothing_left(
        _without(tokens, lex.brands, lex.stop_words, MODEL_WORDS), CODE_TOKEN
    )
    return pl.when(desc.is_null()).then(None).when(number_only).then(pl.lit(NUMBER_ONLY)).when(vague).then(pl.lit(VAGUE)).when(brand_only).then(pl.lit(BRAND_ONLY))


def is_placeholder(text: pl.Expr) -> pl.Expr:
    """'N/A', 'unknown', 'private', 'xxx', 'customer 42', ...: a name or address that is none.
    Placeholders are short: longer text is taken as real without the costlier checks."""
    lex = lexicon()
    text = pl.when(text.str.len_chars() <= MAX_PLACEHOLDER_LENGTH).then(text)
    norm = normalised(text)
    return text.is_not_null() & (
        (norm.str.len_chars() == 0)
        | one_repeated_character(norm)
        | norm.is_in(list(lex.placeholder_terms))
        | text.str.to_lowercase().str.strip_chars().str.contains(lex.placeholder_patterns)
    )


@cache
def _classified(classifier: Callable[[pl.Expr], pl.Expr]) -> tuple[pl.Expr, pl.DataType]:
    """The classifier's expression on a column `_text`, built once, and the type of its classes."""
    expr = classifier(pl.col("_text"))
    return expr, pl.LazyFrame(schema={"_text": pl.String}).select(expr).collect_schema().dtypes()[0]


Classes = tuple[dict[str, str], Callable[[pl.Expr], pl.Expr]]  # columns with the alias of their class, and the classifier


def classify(frame: pl.DataFrame, classes: list[Classes]) -> pl.DataFrame:
    """`frame` with a column `alias` = classifier(column) for each column and alias of `classes`.
    Each distinct text is classified once, and its class remembered for the rest of the run:
    e-commerce data repeats the same descriptions, names and addresses within a batch and from
    batch to batch (and a batch of one consignment then rarely needs a query)."""
    texts = {column: frame[column].to_list() for aliases, _ in classes for column in aliases}
    lookups, queries, asked = [], [], []
    for aliases, classifier in classes:
        known = _known.setdefault(classifier, {})
        if len(known) > MAX_REMEMBERED:
            known.clear()
        lookup, new = {}, []
        for text in {text for column in aliases for text in texts[column]}:
            found = known.get(text, _UNSEEN)  # one look each: another thread may clear `known`
            if found is _UNSEEN:
                new.append(text)
            else:
                lookup[text] = found
        lookups.append(lookup)
        if new:
            queries.append(pl.LazyFrame({"_text": new}, schema={"_text": pl.String}).select(_classified(classifier)[0]))
            asked.append((known, lookup, new))
    for (known, lookup, new), found in zip(asked, pl.collect_all(queries, engine="in-memory"), strict=True):
        classified = dict(zip(new, found.to_series().to_list(), strict=True))
        lookup.update(classified)
        known.update(classified)
    return frame.with_columns(
        pl.Series(alias, [lookup[text] for text in texts[column]], dtype=_classified(classifier)[1])
        for (aliases, classifier), lookup in zip(classes, lookups, strict=True) for column, alias in aliases.items()
    )  # fmt: skip

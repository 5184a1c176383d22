"""Classifying free text: goods descriptions (vague, only a number, only a brand) and party
names and addresses (placeholders). Each distinct text is classified once per batch: e-commerce
data repeats the same descriptions and names many times."""

import polars as pl

from smartborder.quality.terms import lexicon, needles, normalised, one_repeated_character, padded

CODE_TOKEN = r" \p{L}*\p{N}[\p{L}\p{N}]* "  # a token with a digit in it: "4711", "x200", "15"
NUMBER_OR_LETTER = r" (?:\p{N}+|\p{Latin}) "  # a bare number or a single Latin letter
# Words that name a model, not goods: "iPhone 15 Pro Max" is still only a brand and a model.
MODEL_WORDS = needles(["pro", "max", "plus", "mini", "ultra", "lite", "se", "edition", "series", "gen", "generation", "model", "version", "original", "genuine"])

VAGUE, NUMBER_ONLY, BRAND_ONLY = "vague", "number_only", "brand_only"
MAX_PLACEHOLDER_LENGTH = 40


def _without(text: pl.Expr, *needle_sets: tuple[str, ...]) -> pl.Expr:
    for found in needle_sets:
        text = text.str.replace_many(list(found), [" "] * len(found), leftmost=True)  # longest first wins
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
    brand_only = tokens.str.contains_any(list(lex.brands)) & _nothing_left(_without(tokens, lex.brands, lex.stop_words, MODEL_WORDS), CODE_TOKEN)
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


def classify_distinct(frame: pl.DataFrame, column: str, classifier, alias: str) -> pl.DataFrame:
    """`frame` with `alias` = classifier(column), evaluated once per distinct value."""
    # lazy, so that sub-expressions the classifier uses several times are computed once
    distinct = frame.lazy().select(pl.col(column).unique()).with_columns(classifier(pl.col(column).cast(pl.String)).alias(alias)).collect()
    return frame.join(distinct, on=column, how="left", nulls_equal=True, maintain_order="left")

"""Data-quality rules: poor but usable data becomes findings, each with a severity (0..1), the
field concerned and a message the submitter can act on.

Every rule is a Polars expression over the batch (one row per goods item); `findings` evaluates
them all and returns one row per finding.
"""

from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from smartborder import codelists
from smartborder.quality import text
from smartborder.quality.terms import in_usd
from smartborder.schema import FIELD_BY_NAME, ITEM_NO, KEY, UNKNOWN_COUNTRY, Level, with_all_fields

DESCRIPTION_CLASS = "_description_class"

HIGH, MEDIUM, LOW, NOTE = 0.6, 0.4, 0.2, 0.05

# Value per kilogram outside these bounds (USD) is implausible, except for goods that are
# legitimately light and precious: chapter 71 (precious metals, stones) and 97 (works of art).
MIN_USD_PER_KG, MAX_USD_PER_KG = 0.01, 100_000.0
PRECIOUS_CHAPTERS = ("71", "97")
TOKEN_VALUE_USD = 1.0  # a declared value below one dollar is a token, not a price ("0.01")

FINDING_SCHEMA = {KEY: pl.Int64, ITEM_NO: pl.Int32, "code": pl.String, "field": pl.String, "severity": pl.Float64, "message": pl.String}


@dataclass(frozen=True)
class Rule:
    code: str
    field: str
    severity: float
    when: pl.Expr  # true where the finding applies
    message: pl.Expr | str


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def description_rules() -> list[Rule]:
    desc, kind = _text("description"), pl.col(DESCRIPTION_CLASS)
    return [
        Rule("description_vague", "description", HIGH, kind == text.VAGUE,
             pl.format("'{}' does not say what the goods are; give their nature, material and use", desc)),
        Rule("description_number_only", "description", HIGH, kind == text.NUMBER_ONLY,
             pl.format("'{}' is only a number or code; describe the goods", desc)),
        Rule("description_brand_only", "description", MEDIUM, kind == text.BRAND_ONLY,
             pl.format("'{}' names a brand or model, not the goods; say what the article is", desc)),
    ]  # fmt: skip


# The buyer's name and address are what an officer needs most: a placeholder there asks for better data.
PLACEHOLDER_SEVERITY = {"consignee_name": HIGH, "consignee_address": HIGH, "consignor_name": MEDIUM, "consignor_address": LOW}


def party_rules() -> list[Rule]:
    rules = []
    for name, severity in PLACEHOLDER_SEVERITY.items():
        party, part = name.split("_")
        message = pl.format(f"the {party}'s {part} '{{}}' is a placeholder; give the real {part}", _text(name))
        rules.append(Rule(f"party_{part}_placeholder", name, severity, pl.col(f"_placeholder_{name}"), message))
    return rules


def _with_text_classes(frame: pl.DataFrame) -> pl.DataFrame:
    """The description's class and placeholder flags."""
    return text.classify(frame, [
        ({"description": DESCRIPTION_CLASS}, text.description_class),
        ({name: f"_placeholder_{name}" for name in PLACEHOLDER_SEVERITY}, text.is_placeholder),
    ])  # fmt: skip


def value_rules() -> list[Rule]:
    value, currency = pl.col("value"), pl.col("currency")
    usd = in_usd(value, currency)
    mass = pl.coalesce(pl.col("net_mass"), pl.col("gross_mass"))
    per_kg = usd / mass
    chapter = pl.col("hs_code").str.slice(0, 2)
    return [
        Rule("value_zero", "value", MEDIUM, value == 0, "the declared value is zero; give the price paid or payable"),
        Rule("value_token", "value", MEDIUM, (value > 0) & (usd < TOKEN_VALUE_USD),
             pl.format("a value of {} {} is a token, not a price", value, currency)),
        Rule("currency_missing", "currency", MEDIUM, value.is_not_null() & currency.is_null(), "a value is declared without its currency"),
        Rule("mass_zero", "net_mass", LOW, (pl.col("net_mass") == 0) | ((pl.col("gross_mass") == 0) & pl.col("net_mass").is_null()),
             "the declared mass is zero"),
        Rule("mass_inconsistent", "net_mass", LOW, pl.col("net_mass") > pl.col("gross_mass"),
             pl.format("net mass {} kg exceeds gross mass {} kg", pl.col("net_mass"), pl.col("gross_mass"))),
        Rule("value_per_kg_implausible", "value", LOW,
             (mass > 0) & (usd > 0) & ~chapter.is_in(PRECIOUS_CHAPTERS) & ~per_kg.is_between(MIN_USD_PER_KG, MAX_USD_PER_KG),
             pl.format("about {} USD per kg is implausible for HS {}", per_kg.round(4), pl.col("hs_code"))),
        Rule("quantity_zero", "quantity", LOW, pl.col("quantity") == 0, "the declared quantity is zero"),
    ]  # fmt: skip


def code_rules() -> list[Rule]:
    hs6 = pl.col("hs_code").str.slice(0, 6)
    date = pl.col("declared_date")
    rules = [
        Rule("hs_code_not_in_force", "hs_code", LOW, ~codelists.hs_exists_in_force(hs6, date),
             pl.format("HS {} is not in {}, the edition in force on {}", hs6, codelists.hs_edition_in_force(date), date)),
    ]  # fmt: skip
    for f in FIELD_BY_NAME.values():
        if f.kind == "country":
            rules.append(Rule("country_unknown", f.name, LOW, pl.col(f.name) == UNKNOWN_COUNTRY, f"{f.name} is given as unknown ({UNKNOWN_COUNTRY})"))
    return rules


def route_rules() -> list[Rule]:
    dest, dep, transit = pl.col("destination_country"), pl.col("departure_country"), pl.col("transit_countries")
    in_transit = lambda country: transit.str.split(" ").list.contains(country).fill_null(False)  # noqa: E731
    return [
        Rule("route_departs_destination", "departure_country", MEDIUM, dep == dest,
             pl.format("the consignment departs from its destination country {}", dest)),
        Rule("route_transits_destination", "transit_countries", LOW, in_transit(dest),
             pl.format("the route {} passes through the destination {}", transit, dest)),
        Rule("origin_is_destination", "origin_country", LOW, (pl.col("origin_country") == dest) & (dep != dest),
             pl.format("goods originating in {} are imported into it from {}", dest, dep)),
        Rule("arrival_before_declaration", "expected_arrival", MEDIUM, pl.col("expected_arrival") < pl.col("declared_date"),
             pl.format("expected arrival {} is before the declaration date {}", pl.col("expected_arrival"), pl.col("declared_date"))),
    ]  # fmt: skip


# Fields whose absence is a finding, with the severity of that absence.
MISSING_SEVERITY = {
    "description": HIGH, "consignee_name": HIGH, "consignee_address": HIGH, "consignor_name": MEDIUM, "value": MEDIUM,
    "origin_country": LOW, "consignor_address": LOW, "consignor_country": LOW, "departure_country": LOW, "net_mass": LOW,
    "transport_mode": NOTE, "quantity": NOTE,
}  # fmt: skip


def missing_rules(columns: set[str], not_supplied: set[str]) -> list[Rule]:
    """A missing value is a finding; a field the source never carries is noted once, mildly."""
    rules = [Rule("not_supplied", name, NOTE, pl.lit(True), f"this data source does not carry {name}") for name in sorted(not_supplied)]
    for name, severity in MISSING_SEVERITY.items():
        if name in not_supplied:
            continue
        if name not in columns:
            rules.append(Rule(f"{name}_missing", name, severity, pl.lit(True), f"{name} is missing"))
        else:
            rules.append(Rule(f"{name}_missing", name, severity, pl.col(name).is_null(), f"{name} is missing"))
    return rules


def all_rules(columns: set[str], not_supplied: set[str]) -> list[Rule]:
    rules = missing_rules(columns, not_supplied)
    for group in (description_rules(), party_rules(), value_rules(), code_rules(), route_rules()):
        rules += [r for r in group if r.field in columns]
    return rules


class RowsWhere:
    """The rows that cases (condition, columns) give: for each case in turn, its columns on every row
    where its condition holds, as concatenating one filter per case would. The expressions are built
    once, to be run on many frames: `flag` adds a column per case (the conditions of all cases in
    one pass), `rows` then formats the rows of the cases that hold somewhere, and only theirs."""

    def __init__(self, cases: list[tuple[pl.Expr, list[pl.Expr]]], schema: dict[str, pl.DataType]):
        self.names = [f"_case{i}" for i in range(len(cases))]
        self.conditions = [condition.fill_null(False).alias(name) for name, (condition, _) in zip(self.names, cases, strict=True)]
        self.columns = [columns for _, columns in cases]
        self.schema = schema

    def flag(self, frame: pl.LazyFrame) -> pl.DataFrame:
        """`frame` with a column per case: whether its condition holds (a missing value: it does not)."""
        return frame.with_columns(self.conditions).collect(engine="in-memory")

    def rows(self, flagged: pl.DataFrame) -> pl.DataFrame:
        """The rows of the cases, from a flagged frame: one query for all the cases that hold somewhere."""
        held = [(name, columns) for name, columns in zip(self.names, self.columns, strict=True) if flagged[name].any()]
        if not held:
            return pl.DataFrame(schema=self.schema)
        return pl.concat([flagged.lazy().filter(pl.col(name)).select(columns) for name, columns in held]).collect(engine="in-memory")


@lru_cache(maxsize=256)
def _finding_rules(columns: frozenset[str], not_supplied: frozenset[str]) -> RowsWhere | None:
    """The findings the rules that apply to a batch of `columns` give (None when no rule does).
    Consignment-level findings are reported once, on the first item."""
    rules = all_rules(set(columns), set(not_supplied))
    if not rules:
        return None
    first_item = pl.col(ITEM_NO) == 1
    cases = []
    for rule in rules:
        item = FIELD_BY_NAME[rule.field].level is Level.ITEM
        message = rule.message if isinstance(rule.message, pl.Expr) else pl.lit(rule.message)
        cases.append((
            rule.when if item else rule.when & first_item,
            [pl.col(KEY), (pl.col(ITEM_NO) if item else pl.lit(None)).cast(pl.Int32).alias(ITEM_NO), pl.lit(rule.code).alias("code"),
             pl.lit(rule.field).alias("field"), pl.lit(rule.severity).alias("severity"), message.cast(pl.String).alias("message")],
        ))  # fmt: skip
    return RowsWhere(cases, FINDING_SCHEMA)


def findings(batch: pl.DataFrame, not_supplied: set[str] = frozenset()) -> pl.DataFrame:
    """One row per finding, rule by rule. Consignment-level findings are reported once, on the first item.

    The conditions of all rules are evaluated in one query (shared sub-expressions computed
    once); messages are then formatted for the rows with a finding only."""
    rules = _finding_rules(frozenset(batch.columns), frozenset(not_supplied))
    if rules is None:
        return pl.DataFrame(schema=FINDING_SCHEMA)
    return rules.rows(rules.flag(_with_text_classes(with_all_fields(batch)).lazy()))

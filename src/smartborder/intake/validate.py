"""Validation: text columns become typed record fields, and every value that makes a row
unusable becomes a rejection naming the row, the field, a code and the reason.

Poor but usable data is not an error here: it is left to the data-quality findings.
"""

import json
from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from smartborder import codelists
from smartborder.intake import errors as E
from smartborder.intake.mapping import Resolved, Source
from smartborder.quality.rules import RowsWhere
from smartborder.schema import EXTRA, FIELD_BY_NAME, ROW, Field, Kind

EARLIEST_DATE = date(2000, 1, 1)
OUTCOME_RESULTS = ("no_finding", "non_compliance", "seizure")
POSITIVE = ("non_compliance", "seizure")  # results that count as a hit: something was found
CONTROL_TYPES = ("physical", "document", "post_clearance")
FINDING_KINDS = (
    "undervaluation", "misclassification", "origin", "prohibited_restricted", "counterfeit", "ipr", "drugs", "weapons", "other",
)  # fmt: skip
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def _parse_date(text: pl.Expr, fmt: str | None) -> pl.Expr:
    if fmt:
        return text.str.to_date(fmt, strict=False)
    # ISO dates, or ISO date-times of which the date counts
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_datetime(strict=False, time_unit="us").dt.date(),
    )


def _parse_number(text: pl.Expr, decimal: str) -> pl.Expr:
    text = text.str.replace_all(r"[\s_]", "")
    if decimal == ",":
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)


def _parse_boolean(text: pl.Expr) -> pl.Expr:
    word = text.str.to_lowercase()
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)


def _normalise_code(text: pl.Expr) -> pl.Expr:
    return text.str.to_uppercase().str.replace_all(r"\s+", "")


def parse(field: Field, text: pl.Expr, fmt: str | None, decimal: str) -> pl.Expr:
    """The typed value of one field (dates in `fmt`, numbers with `decimal`); null where the text cannot be read as that type."""
    match field.kind:
        case Kind.DATE:
            return _parse_date(text, fmt)
        case Kind.NUMBER:
            return _parse_number(text, decimal)
        case Kind.BOOLEAN:
            return _parse_boolean(text)
        case Kind.CODE | Kind.COUNTRY | Kind.CURRENCY:
            return _normalise_code(text)
        case Kind.COUNTRIES:
            codes = text.str.to_uppercase().str.replace_all(r"[,;|/\s]+", " ").str.strip_chars()
            return pl.when(codes.str.len_bytes() > 0).then(codes)
        case Kind.HS_CODE:
            code = text.str.replace_all(r"[\s.\-]", "")
            return pl.when(code.str.contains(r"^\d+$")).then(code)
        case Kind.CHOICE:
            return text.str.to_lowercase()
        case _:
            return text


def _kind_text(field: Field, fmt: str | None) -> str:
    match field.kind:
        case Kind.DATE:
            return f"a date in the format {fmt}" if fmt else "a date (YYYY-MM-DD)"
        case Kind.NUMBER:
            return "a number"
        case Kind.BOOLEAN:
            return "true or false"
        case Kind.HS_CODE:
            return "an HS code (digits)"
        case _:
            return field.kind.value


Reading = tuple[str, str | None, str]  # a field's name, date format and decimal mark: all that reading its text depends on


def _readings(sources: dict[str, Source]) -> tuple[Reading, ...]:
    return tuple((name, src.format, src.decimal) for name, src in sources.items())


def _nul_characters(columns: list[str], extra: tuple[str, ...]) -> list[tuple[pl.Expr, list[pl.Expr]]]:
    """(bad-row expression, reject columns) for a NUL character in any of the text `columns` or `extra` attributes."""
    values = {name: pl.col(name) for name in columns}
    values |= {f"{EXTRA}.{name}": pl.col(EXTRA).str.json_path_match(f"$[{json.dumps(name)}]") for name in extra}
    return [(value.str.contains(E.NUL, literal=True), E.rejects(pl.col(ROW), name, E.INVALID, E.holds_nul(name), pl.col("reference")))
            for name, value in values.items()]  # fmt: skip


@lru_cache(maxsize=256)
def _typing(fields: tuple[Reading, ...], outcome: tuple[Reading, ...], extra: tuple[str, ...]) -> tuple[dict[str, pl.Expr], RowsWhere]:
    """For mapped fields and outcome fields: the typed value of each column (by name), and the
    rejections of a frame holding the text and, as `_typed_<name>`, the typed values: a value
    holding a NUL character (in an extra attribute too), or else one that cannot be read as its type."""
    parsed = {name: parse(FIELD_BY_NAME[name], pl.col(name), fmt, decimal) for name, fmt, decimal in fields}
    for name, fmt, decimal in outcome:
        column = f"outcome_{name}"
        if name == "inspected_at":
            parsed[column] = _parse_date(pl.col(column), fmt)
        elif name in ("extra_duty", "quantity_seized"):
            parsed[column] = _parse_number(pl.col(column), decimal)
        elif name == "officer":
            parsed[column] = pl.col(column)
        else:  # coded values: result, control type, kind of finding
            parsed[column] = pl.col(column).str.to_lowercase()
    problems = _nul_characters(list(parsed), extra)
    for name, fmt, _ in fields:
        bad = pl.col(name).is_not_null() & pl.col(f"_typed_{name}").is_null() & ~pl.col(name).str.contains(E.NUL, literal=True)
        message = pl.format(f"'{{}}' is not {_kind_text(FIELD_BY_NAME[name], fmt)}", pl.col(name))
        problems.append((bad, E.rejects(pl.col(ROW), name, E.UNPARSEABLE, message, pl.col("reference"))))
    return parsed, RowsWhere(problems, E.REJECT_SCHEMA)


def typed(text: pl.DataFrame, resolved: Resolved) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse every mapped field; return the typed frame and the rejections of values that are not text
    the store can hold or cannot be read as their type."""
    parsed, unparseable = _typing(_readings(resolved.fields), _readings(resolved.outcome), tuple(resolved.extra))
    both = unparseable.flag(text.lazy().with_columns(value.alias(f"_typed_{name}") for name, value in parsed.items()))  # one pass
    frame = both.select(
        *(pl.col(c) for c in text.columns if c not in parsed),
        *(pl.col(f"_typed_{name}").alias(name) for name in parsed),
    )
    return frame, unparseable.rows(both)


def _checks(present: frozenset[str], today: date) -> list[tuple[pl.Expr, list[pl.Expr]]]:
    """(bad-row expression, reject columns) for every rule on the `present` fields."""
    checks = []
    reference = pl.col("reference") if "reference" in present else None

    def check(name: str, code: str, bad: pl.Expr, message: pl.Expr) -> None:
        checks.append((bad, E.rejects(pl.col(ROW), name, code, message, reference)))

    for field in FIELD_BY_NAME.values():
        name = field.name
        col = pl.col(name)
        if field.required and name not in present:
            continue  # resolve() guarantees required fields are mapped
        if field.required:
            check(name, E.MISSING, col.is_null(), pl.lit(f"{name} is required"))
        if name not in present:
            continue
        match field.kind:
            case Kind.COUNTRY:
                check(name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(codelists.countries())),
                      pl.format("'{}' is not an ISO 3166 country code", col))
            case Kind.COUNTRIES:
                unknown = col.str.split(" ").list.eval(pl.element().is_in(list(codelists.countries())).not_()).list.any()
                check(name, E.UNKNOWN_CODE, col.is_not_null() & unknown,
                      pl.format("'{}' holds a code that is not an ISO 3166 country code", col))
            case Kind.CURRENCY:
                check(name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(codelists.currencies())),
                      pl.format("'{}' is not an ISO 4217 currency code", col))
            case Kind.CHOICE:
                check(name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(field.choices)),
                      pl.format(f"'{{}}' is not one of {', '.join(field.choices)}", col))
            case Kind.HS_CODE:
                hs6 = col.str.slice(0, 6)
                check(name, E.INVALID, col.is_not_null() & ~col.str.len_bytes().is_between(6, 10),
                      pl.format("HS code '{}' must have 6 to 10 digits", col))
                check(name, E.UNKNOWN_CODE, (col.str.len_bytes() >= 6) & ~codelists.hs_exists_in_any(hs6),
                      pl.format(f"HS subheading '{{}}' exists in no HS edition ({', '.join(e.name for e in codelists.HS_EDITIONS)})", hs6))
            case Kind.NUMBER:
                check(name, E.NEGATIVE, col < 0, pl.format(f"{name} {{}} is negative", col))
                if field.maximum is not None:
                    check(name, E.ABSURD, col > field.maximum, pl.format(f"{name} {{}} is beyond any plausible value (over {field.maximum:g})", col))
            case Kind.DATE:
                check(name, E.ABSURD, ~col.is_between(EARLIEST_DATE, today + timedelta(days=366)),
                      pl.format(f"{name} {{}} is outside {EARLIEST_DATE} .. one year from today", col))
    for name, allowed in (("outcome_result", OUTCOME_RESULTS), ("outcome_control_type", CONTROL_TYPES), ("outcome_finding_kind", FINDING_KINDS)):
        if name in present:
            col = pl.col(name)
            check(name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(allowed)), pl.format(f"'{{}}' is not one of {', '.join(allowed)}", col))
    return checks


@lru_cache(maxsize=256)
def _validation(present: frozenset[str], today: date) -> RowsWhere:
    """The rejections of a frame of the `present` columns."""
    return RowsWhere(_checks(present, today), E.REJECT_SCHEMA)


def validate(frame: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """Rejections for every row breaking a rule (a row may have several), rule by rule."""
    checks = _validation(frozenset(frame.columns), today or date.today())
    return checks.rows(checks.flag(frame.lazy()))

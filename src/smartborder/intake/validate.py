"""Validation: text columns become typed record fields, and every value that makes a row
unusable becomes a rejection naming the row, the field, a code and the reason.

Poor but usable data is not an error here: it is left to the data-quality findings.
"""

from datetime import date, timedelta

import polars as pl

from smartborder import codelists
from smartborder.intake import errors as E
from smartborder.intake.mapping import Resolved, Source
from smartborder.schema import FIELD_BY_NAME, ROW, Field, Kind

EARLIEST_DATE = date(2000, 1, 1)
OUTCOME_RESULTS = ("no_finding", "non_compliance", "seizure")
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


def parse(field: Field, text: pl.Expr, src: Source) -> pl.Expr:
    """The typed value of one field; null where the text cannot be read as that type."""
    match field.kind:
        case Kind.DATE:
            return _parse_date(text, src.format)
        case Kind.NUMBER:
            return _parse_number(text, src.decimal)
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


def _kind_text(field: Field, src: Source) -> str:
    match field.kind:
        case Kind.DATE:
            return f"a date in the format {src.format}" if src.format else "a date (YYYY-MM-DD)"
        case Kind.NUMBER:
            return "a number"
        case Kind.BOOLEAN:
            return "true or false"
        case Kind.HS_CODE:
            return "an HS code (digits)"
        case _:
            return field.kind.value


def typed(text: pl.DataFrame, resolved: Resolved) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse every mapped field; return the typed frame and the unparseable-value rejections."""
    parsed = {name: parse(FIELD_BY_NAME[name], pl.col(name), src) for name, src in resolved.fields.items()}
    for name, src in resolved.outcome.items():
        column = f"outcome_{name}"
        if name == "inspected_at":
            parsed[column] = _parse_date(pl.col(column), src.format)
        elif name in ("extra_duty", "quantity_seized"):
            parsed[column] = _parse_number(pl.col(column), src.decimal)
        elif name == "officer":
            parsed[column] = pl.col(column)
        else:  # coded values: result, control type, kind of finding
            parsed[column] = pl.col(column).str.to_lowercase()
    both = text.with_columns(value.alias(f"_typed_{name}") for name, value in parsed.items())  # one pass
    problems = []
    for name, src in resolved.fields.items():
        bad = pl.col(name).is_not_null() & pl.col(f"_typed_{name}").is_null()
        message = pl.format(f"'{{}}' is not {_kind_text(FIELD_BY_NAME[name], src)}", pl.col(name))
        problems.append(both.lazy().filter(bad).select(E.rejects(pl.col(ROW), name, E.UNPARSEABLE, message, pl.col("reference"))))
    frame = both.select(
        *(pl.col(c) for c in text.columns if c not in parsed),
        *(pl.col(f"_typed_{name}").alias(name) for name in parsed),
    )
    rejected = pl.concat(pl.collect_all(problems)) if problems else E.empty_rejects()
    return frame, rejected


def _checks(frame: pl.DataFrame, today: date) -> list[tuple[str, str, pl.Expr, pl.Expr]]:
    """(field, code, bad-row expression, message expression) for every rule on present fields."""
    checks = []
    present = set(frame.columns)
    for field in FIELD_BY_NAME.values():
        name = field.name
        col = pl.col(name)
        if field.required and name not in present:
            continue  # resolve() guarantees required fields are mapped
        if field.required:
            checks.append((name, E.MISSING, col.is_null(), pl.lit(f"{name} is required")))
        if name not in present:
            continue
        match field.kind:
            case Kind.COUNTRY:
                checks.append((name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(codelists.countries())),
                               pl.format("'{}' is not an ISO 3166 country code", col)))
            case Kind.COUNTRIES:
                unknown = col.str.split(" ").list.eval(pl.element().is_in(list(codelists.countries())).not_()).list.any()
                checks.append((name, E.UNKNOWN_CODE, col.is_not_null() & unknown,
                               pl.format("'{}' holds a code that is not an ISO 3166 country code", col)))
            case Kind.CURRENCY:
                checks.append((name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(codelists.currencies())),
                               pl.format("'{}' is not an ISO 4217 currency code", col)))
            case Kind.CHOICE:
                checks.append((name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(field.choices)),
                               pl.format(f"'{{}}' is not one of {', '.join(field.choices)}", col)))
            case Kind.HS_CODE:
                hs6 = col.str.slice(0, 6)
                checks.append((name, E.INVALID, col.is_not_null() & ~col.str.len_bytes().is_between(6, 10),
                               pl.format("HS code '{}' must have 6 to 10 digits", col)))
                checks.append((name, E.UNKNOWN_CODE, (col.str.len_bytes() >= 6) & ~codelists.hs_exists_in_any(hs6),
                               pl.format(f"HS subheading '{{}}' exists in no HS edition ({', '.join(e.name for e in codelists.HS_EDITIONS)})", hs6)))
            case Kind.NUMBER:
                checks.append((name, E.NEGATIVE, col < 0, pl.format(f"{name} {{}} is negative", col)))
                if field.maximum is not None:
                    checks.append((name, E.ABSURD, col > field.maximum,
                                   pl.format(f"{name} {{}} is beyond any plausible value (over {field.maximum:g})", col)))
            case Kind.DATE:
                checks.append((name, E.ABSURD, ~col.is_between(EARLIEST_DATE, today + timedelta(days=366)),
                               pl.format(f"{name} {{}} is outside {EARLIEST_DATE} .. one year from today", col)))
    for name, allowed in (("outcome_result", OUTCOME_RESULTS), ("outcome_control_type", CONTROL_TYPES), ("outcome_finding_kind", FINDING_KINDS)):
        if name in present:
            col = pl.col(name)
            checks.append((name, E.UNKNOWN_CODE, col.is_not_null() & ~col.is_in(list(allowed)),
                           pl.format(f"'{{}}' is not one of {', '.join(allowed)}", col)))
    return checks


def validate(frame: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """Rejections for every row breaking a rule (a row may have several)."""
    today = today or date.today()
    reference = pl.col("reference") if "reference" in frame.columns else None
    parts = [
        frame.lazy().filter(bad.fill_null(False)).select(E.rejects(pl.col(ROW), name, code, message, reference))
        for name, code, bad, message in _checks(frame, today)
    ]
    return pl.concat(pl.collect_all(parts)) if parts else E.empty_rejects()

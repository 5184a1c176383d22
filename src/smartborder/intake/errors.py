"""What can go wrong in intake: a whole file that cannot be read, or single rows that are rejected."""

import polars as pl

from smartborder.schema import ROW


class IntakeError(Exception):
    """The file or the mapping as a whole cannot be used; nothing from it is stored."""


class UnaccountedRows(RuntimeError):
    """A run's rows do not add up: the rows in the file are not the rows accepted, amended,
    unchanged and rejected. Never expected; the run's counts are recorded as they are."""


REJECT_SCHEMA = {
    ROW: pl.Int64,
    "reference": pl.String,
    "field": pl.String,
    "code": pl.String,
    "message": pl.String,
}

# Codes of rejections, each a reason a row cannot be used.
MALFORMED = "malformed"  # the row cannot be parsed at all
ENCODING = "encoding"  # bytes that are not text in the file's encoding
UNPARSEABLE = "unparseable"  # a value that is not of its field's type
MISSING = "missing"  # a required field is empty
UNKNOWN_CODE = "unknown_code"  # a code in no code list (country, currency, HS in every edition, choice)
INVALID = "invalid"  # a value of the right type but the wrong form (HS code of 4 digits)
NEGATIVE = "negative"
ABSURD = "absurd"  # beyond any plausible magnitude or date
DUPLICATE_REFERENCE = "duplicate_reference"
WITH_CONSIGNMENT = "rejected_with_consignment"  # a good row of a consignment rejected for another row

NUL = "\x00"  # U+0000: PostgreSQL text cannot hold it, so no text that reaches the store may


def holds_nul(name: str) -> str:
    """The reason a value holding a NUL character is refused (the row rejected, the request answered 4xx)."""
    return f"{name} holds a NUL character (U+0000), which no stored text may contain; remove it"


def printable(text: pl.Expr) -> pl.Expr:
    """Text with every NUL character written out as \\u0000: a rejection quoting a value stores safely."""
    return text.str.replace_all(NUL, "\\u0000", literal=True)


def rejects(rows: pl.Expr | int, field: str | None, code: str, message: pl.Expr | str, reference: pl.Expr | None = None) -> list[pl.Expr]:
    """Column expressions building reject rows in REJECT_SCHEMA order."""
    as_expr = lambda v: v if isinstance(v, pl.Expr) else pl.lit(v)  # noqa: E731
    return [
        as_expr(rows).cast(pl.Int64).alias(ROW),
        printable((reference if reference is not None else pl.lit(None)).cast(pl.String)).alias("reference"),
        printable(pl.lit(field, dtype=pl.String)).alias("field"),
        pl.lit(code).alias("code"),
        printable(as_expr(message).cast(pl.String)).alias("message"),
    ]


def by_row(rejects: pl.DataFrame) -> dict[int, list[dict]]:
    """Each rejected row's problems, as an answer to a request gives them: field, code, message."""
    problems: dict[int, list[dict]] = {}
    for row in rejects.iter_rows(named=True):
        problems.setdefault(row[ROW], []).append({"field": row["field"], "code": row["code"], "message": row["message"]})
    return problems


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECT_SCHEMA)


def reject_frame(records: list[tuple[int, str | None, str | None, str, str]]) -> pl.DataFrame:
    """Rejects from Python tuples (row, reference, field, code, message), for the rare per-row paths."""
    return pl.DataFrame(records, schema=REJECT_SCHEMA, orient="row").with_columns(printable(pl.col(c)) for c in ("reference", "field", "message"))

"""Column mappings: any source layout onto the consignment record.

A mapping (YAML) says, for each record field, where its value comes from: a source column, a
constant, with optional value translations and a date format. Without a mapping, columns named
like the record's fields (or `items.<field>` for nested goods items) are taken as they are.

    fields:
      reference: Declaration ID                 # short form: the source column
      declared_date: {column: Date, format: "%Y-%m-%d"}
      currency: {value: KRW}                    # a constant
      transport_mode: {column: Mode of Transport, map: {"10": sea, "40": air}}
    extra: {tax_rate: Tax Rate}                 # further attributes kept with the consignment
    outcome: {result: {column: Fraud, map: {"0": no_finding, "1": non_compliance}}}
    group_by: [reference]                       # adjacent rows sharing these are one consignment
    not_supplied: [description]                 # fields this source never carries
"""

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from smartborder.intake.errors import IntakeError
from smartborder.schema import FIELD_BY_NAME, FIELDS, ROW

OUTCOME_FIELDS = ("inspected_at", "officer", "control_type", "result", "finding_kind", "extra_duty", "quantity_seized")


class Source(BaseModel):
    """Where one value comes from."""

    model_config = ConfigDict(extra="forbid")

    column: str | None = None
    value: str | int | float | bool | None = None
    map: dict[str, str | None] | None = None
    format: str | None = None  # strftime format of a date
    decimal: Literal[".", ","] = "."

    @model_validator(mode="after")
    def _one_origin(self):
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' (a source column) or 'value' (a constant)")
        return self

    @field_validator("map", mode="before")
    @classmethod
    def _keys_as_text(cls, value):
        return {str(k): (None if v is None else str(v)) for k, v in value.items()} if isinstance(value, dict) else value


def _as_source(value: Any) -> Any:
    return {"column": value} if isinstance(value, str) else value


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "ndjson", "parquet"] | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    fields: dict[str, Source] = {}
    extra: dict[str, str] = {}
    outcome: dict[str, Source] = {}
    group_by: list[str] = []
    not_supplied: list[str] = []

    @field_validator("fields", "outcome", mode="before")
    @classmethod
    def _short_forms(cls, value):
        return {k: _as_source(v) for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, Source]):
        _check_names(value, FIELD_BY_NAME, "record field")
        return value

    @field_validator("outcome")
    @classmethod
    def _known_outcome_fields(cls, value: dict[str, Source]):
        _check_names(value, OUTCOME_FIELDS, "outcome field")
        if value and "result" not in value:
            raise ValueError("an outcome mapping needs at least 'result'")
        return value

    @field_validator("group_by", "not_supplied")
    @classmethod
    def _known_list(cls, value: list[str]):
        _check_names(value, FIELD_BY_NAME, "record field")
        return value


def _check_names(names, known, what: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(known)}")


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise IntakeError(f"mapping file {path} does not exist") from None
    except yaml.YAMLError as e:
        raise IntakeError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise IntakeError(f"{path}: a mapping must be a YAML object with 'fields', 'extra', 'outcome', ...")
    try:
        return Mapping.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise IntakeError(f"{path}: {problems}") from None


class Resolved(BaseModel):
    """A mapping bound to the columns of one file."""

    fields: dict[str, Source]
    outcome: dict[str, Source]
    extra: dict[str, str]
    absent: list[str]  # optional record fields whose mapped column the file does not have


def resolve(mapping: Mapping, columns: list[str], submitter: str | None, required: tuple[str, ...] | None = None) -> Resolved:
    """Bind the mapping to a file's columns; fail on missing required columns (the record's, or `required`)."""
    required = required if required is not None else tuple(f.name for f in FIELDS if f.required)
    available = set(columns)
    fields = dict(mapping.fields)
    if submitter is not None:
        fields["submitter"] = Source(value=submitter)
    if not mapping.fields:  # identity mapping: the file uses the record's names
        for f in FIELDS:
            for candidate in (f.name, f"items.{f.name}"):
                if candidate in available and f.name not in fields:
                    fields[f.name] = Source(column=candidate)
    missing = [f for f in FIELDS if f.name in required and f.name not in fields]
    if missing:
        names = ", ".join(f.name for f in missing)
        raise IntakeError(f"missing required columns for {names}: the file has {', '.join(columns)}; map them in a mapping file")
    absent = [name for name, src in fields.items() if src.column is not None and src.column not in available]
    required_absent = [name for name in absent if name in required]
    if required_absent:
        detail = ", ".join(f"{fields[n].column!r} (for {n})" for n in required_absent)
        raise IntakeError(f"missing required column {detail}; the file has {', '.join(columns)}")
    # outcome columns are optional: a file of new consignments has none, and then no outcome is recorded
    missing_outcome = [f"outcome.{n}" for n, s in mapping.outcome.items() if s.column is not None and s.column not in available]
    extra = {name: column for name, column in mapping.extra.items() if column in available}
    return Resolved(
        fields={n: s for n, s in fields.items() if n not in absent},
        outcome={} if missing_outcome else mapping.outcome,
        extra=extra,
        absent=absent + [f"extra.{n}" for n in mapping.extra if n not in extra] + missing_outcome,
    )


Origin = tuple[str | None, str | None, tuple[tuple[str, str | None], ...]]  # a source's column or constant (as text), and its value translations


def _origin(src: Source) -> Origin:
    """All that a source's text depends on."""
    if src.value is not None:
        value = src.value
        return None, ("true" if value else "false") if isinstance(value, bool) else str(value), ()
    return src.column, None, tuple(src.map.items()) if src.map else ()


def source_expr(column: str | None, constant: str | None, translations: tuple[tuple[str, str | None], ...]) -> pl.Expr:
    """The text value of a source (a column, or a constant), with value translations applied; empty text is null."""
    if constant is not None:
        return pl.lit(constant, dtype=pl.String)
    expr = pl.col(column).str.strip_chars()
    expr = pl.when(expr.str.len_bytes() > 0).then(expr)
    if translations:
        expr = expr.replace([k for k, _ in translations], [v for _, v in translations])
    return expr


@lru_cache(maxsize=256)
def _selection(fields: tuple[tuple[str, Origin], ...], outcome: tuple[tuple[str, Origin], ...], extra: tuple[tuple[str, str], ...]) -> list[pl.Expr]:
    """The columns `map_columns` selects, built once per mapping and set of columns."""
    exprs = [pl.col(ROW)]
    exprs += [source_expr(*origin).alias(name) for name, origin in fields]
    exprs += [source_expr(*origin).alias(f"outcome_{name}") for name, origin in outcome]
    if extra:
        exprs.append(pl.struct(pl.col(column).str.strip_chars().alias(name) for name, column in extra).struct.json_encode().alias("extra"))
    return exprs


def map_columns(frame: pl.DataFrame, resolved: Resolved) -> pl.DataFrame:
    """Text columns named after record fields (`outcome_<name>` for outcomes), plus ROW and extra."""
    origins = lambda sources: tuple((name, _origin(src)) for name, src in sources.items())  # noqa: E731
    return frame.select(_selection(origins(resolved.fields), origins(resolved.outcome), tuple(resolved.extra.items())))

"""Risk profiles: analysts' rules, one YAML file each, compiled to Polars expressions.

    id: MED-001
    title: Counterfeit medicines from high-risk origins
    rationale: Falsified medicines are shipped in small parcels from a few origins ...
    owner: Pharmaceuticals desk
    valid: {from: 2024-01-01, to: 2027-12-31}      # optional
    expected_selection_rate: 0.004
    when:                                          # every condition holds (on one goods item)
      hs_code: {prefix: ["3004"]}
      origin_country: {in: [IN, CN, PK]}
      value: {lt: 100}
      consignee_name: {watchlist: sanctions, min_score: 0.9}
    any_of:                                        # optional: and at least one of these holds
      - description: {regex: "(?i)sildenafil|tadalafil"}
      - consignor_country: {watchlist: high-risk-countries}
    effect: {lane: red, weight: 0.5}               # a lane floor and/or a weight in the score

A condition is on any field of the record, or `route` (departure and transit countries) or
`value_usd`; its operators (all must hold) are equals, in, not_in, prefix, gt, ge, lt, le,
between, regex and watchlist (a commodity, country or brand list, or a party list with a
min_score). Each operator's values suit the field's kind (dates for dates, numbers for numbers,
ISO codes for countries and currencies, a field's choices; gt, ge, lt, le and between on numbers
and dates, prefix and regex on text and codes; route and transit_countries compared country by
country). A profile that cannot be compiled is refused at load, with its file, line and reason:
it never silently matches nothing.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from smartborder import codelists
from smartborder.risk.lanes import LANES
from smartborder.schema import FIELD_BY_NAME, Kind

DERIVED_FIELDS = {"route": "departure and transit countries", "value_usd": "value in US dollars (approximate rates)"}
DERIVED_KINDS = {"route": Kind.COUNTRIES, "value_usd": Kind.NUMBER}
PARTY_NAMES = ("consignor_name", "consignee_name")  # the names screening scores against party lists
ORDERED = (Kind.NUMBER, Kind.DATE)  # what gt, ge, lt, le and between compare
TEXTUAL = (Kind.TEXT, Kind.CODE, Kind.HS_CODE)  # what prefix and regex read


class ProfileError(ValueError):
    """A profile that cannot be used: file, line and reason."""


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    equals: str | bool | float | date | None = None  # null: the value is missing
    in_: list[str | bool | float | date] | None = Field(default=None, alias="in", min_length=1)
    not_in: list[str | bool | float | date] | None = Field(default=None, min_length=1)
    prefix: list[str] | None = Field(default=None, min_length=1)
    gt: float | date | None = None
    ge: float | date | None = None
    lt: float | date | None = None
    le: float | date | None = None
    between: tuple[float | date, float | date] | None = None
    regex: str | None = None
    watchlist: str | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)

    @field_validator("in_", "not_in", "prefix", "gt", "ge", "lt", "le", "between", "regex", "watchlist", "min_score", mode="before")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("needs a value, not null (only equals takes null: the value is missing)")
        return value

    @field_validator("prefix", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        """One prefix or a list of them; a number written without quotes (3004) is the prefix it reads as."""
        many = value if isinstance(value, list) else [value]
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in many]

    @field_validator("between")
    @classmethod
    def _bounds(cls, value: tuple):
        low, high = value
        if type(low) is not type(high):
            raise ValueError("between takes two numbers or two dates")
        if low > high:
            raise ValueError(f"the low bound {low} is above the high bound {high}")
        return value

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str):
        try:
            pl.select(pl.lit("").str.contains(value))  # the engine Polars uses, not Python's re
        except pl.exceptions.PolarsError as e:
            raise ValueError(f"not a regular expression Polars can run: {str(e).splitlines()[0]}") from None
        return value

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set - {"min_score"}:
            raise ValueError("a condition needs an operator: equals, in, not_in, prefix, gt, ge, lt, le, between, regex or watchlist")
        if self.min_score is not None and self.watchlist is None:
            raise ValueError("min_score goes with a party watchlist")
        return self


class Effect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lane: Literal[LANES] | None = None  # type: ignore[valid-type]
    weight: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _does_something(self):
        if self.lane is None and self.weight == 0:
            raise ValueError("an effect needs a lane floor or a weight above 0")
        return self


class Validity(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


Conditions = dict[str, Condition]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)  # as in the API's /v1/profiles/{id}
    title: str
    rationale: str
    owner: str
    valid: Validity = Validity()
    expected_selection_rate: float = Field(ge=0, le=1)
    when: Conditions
    any_of: list[Conditions] = []
    effect: Effect

    @field_validator("when", "any_of")
    @classmethod
    def _known_fields(cls, value):
        for conditions in value if isinstance(value, list) else [value]:
            unknown = [name for name in conditions if name not in FIELD_BY_NAME and name not in DERIVED_FIELDS]
            if unknown:
                raise ValueError(f"unknown field {', '.join(map(repr, unknown))}; fields are the record's ({', '.join(FIELD_BY_NAME)}) and {', '.join(DERIVED_FIELDS)}")
        return value

    def in_force(self, on: date) -> bool:
        return (self.valid.from_ is None or self.valid.from_ <= on) and (self.valid.to is None or on <= self.valid.to)


def _line_of(node: yaml.Node, path: tuple) -> int:
    """The line (1-based) of the YAML node at `path`, or of the deepest node found on the way."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1


def load_profile(path: Path, known_lists: dict[str, str] | None = None) -> Profile:
    """One profile file; `known_lists` (name -> kind) lets watch-list conditions be checked."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ProfileError(f"{path}, line {mark.line + 1 if mark else '?'}: not valid YAML ({getattr(e, 'problem', e)})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}, line 1: a profile is a YAML mapping with id, title, rationale, owner, when, effect, ...")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = tuple("in" if part == "in_" else "from" if part == "from_" else part for part in first["loc"])
        unknown = re.search(r"unknown field '([^']+)'", first["msg"])  # point at the key itself
        line = _line_of(root, (*loc, unknown.group(1)) if unknown else loc)
        raise ProfileError(f"{path}, line {line}: {'.'.join(map(str, loc))}: {first['msg']}") from None
    for section, conditions in (("when", profile.when), *((("any_of", i), c) for i, c in enumerate(profile.any_of))):
        for name, condition in conditions.items():
            problem = _type_problem(name, condition) or _watchlist_problem(name, condition, known_lists)
            if problem:
                loc = (*(section if isinstance(section, tuple) else (section,)), name, *problem[0])
                raise ProfileError(f"{path}, line {_line_of(root, loc)}: {'.'.join(map(str, loc))}: {problem[1]}")
    return profile


def kind_of(field: str) -> Kind:
    """The kind of a record field or of a derived one (route, value_usd)."""
    return DERIVED_KINDS[field] if field in DERIVED_KINDS else FIELD_BY_NAME[field].kind


def _value_problem(field: str, value: Any) -> str | None:
    """Why `value` cannot be compared with `field`'s values, or None."""
    kind, spec = kind_of(field), FIELD_BY_NAME.get(field)
    text = value.upper() if isinstance(value, str) else None
    if kind is Kind.NUMBER:
        ok, want = isinstance(value, float | int) and not isinstance(value, bool), "a number"
    elif kind is Kind.DATE:
        ok, want = isinstance(value, date), "a date: give it as YYYY-MM-DD, without quotes"
    elif kind is Kind.BOOLEAN:
        ok, want = isinstance(value, bool), "true or false"
    elif kind is Kind.COUNTRY:
        ok, want = text in codelists.countries(), "a country: give an ISO 3166 code"
    elif kind is Kind.COUNTRIES:
        ok, want = text in codelists.countries(), "a list of countries: give ISO 3166 codes"
    elif kind is Kind.CURRENCY:
        ok, want = text in codelists.currencies(), "a currency: give an ISO 4217 code"
    elif kind is Kind.CHOICE:
        ok, want = value in spec.choices, f"one of {', '.join(spec.choices)}"
    elif kind is Kind.HS_CODE:
        ok, want = isinstance(value, str) and value.isdigit() and len(value) <= 10, "an HS code: give up to 10 digits"
    else:
        ok, want = isinstance(value, str), "text"
    return None if ok else f"{field} is {want}, not {value!r}"


def _type_problem(field: str, condition: Condition) -> tuple[tuple, str] | None:
    """(where in the condition, why) when an operator does not apply to `field` or a value does not
    suit it: the profile would fail, or silently select nothing, on every batch."""
    kind = kind_of(field)
    ordered = [op for op in ("gt", "ge", "lt", "le", "between") if getattr(condition, op) is not None]
    textual = [op for op in ("prefix", "regex") if getattr(condition, op) is not None]
    if ordered and kind not in ORDERED:
        return (ordered[0],), f"{ordered[0]} compares numbers and dates; {field} is {kind}"
    if textual and kind not in TEXTUAL:
        return (textual[0],), f"{textual[0]} reads text and codes; {field} is {kind}"
    if condition.equals is not None and kind is Kind.COUNTRIES:
        return ("equals",), f"{field} is a list of countries: use in or not_in"
    if condition.watchlist is not None and field not in (*PARTY_NAMES, "hs_code", "description") and kind not in (Kind.COUNTRY, Kind.COUNTRIES):
        return ("watchlist",), f"a watch list applies to {', '.join(PARTY_NAMES)} (party), hs_code (commodity), description (brand) and country fields, not to {field}"
    for op in ("equals", "gt", "ge", "lt", "le"):
        value = getattr(condition, op)
        problem = _value_problem(field, value) if value is not None else None
        if problem:
            return (op,), problem
    hs_prefixes = condition.prefix if kind is Kind.HS_CODE else None  # other text takes any prefix
    for op, values in (("in", condition.in_), ("not_in", condition.not_in), ("prefix", hs_prefixes), ("between", condition.between)):
        for i, value in enumerate(values or ()):
            problem = _value_problem(field, value)
            if problem:
                return (op, i), problem
    return None


def _watchlist_problem(field: str, condition: Condition, known_lists: dict[str, str] | None) -> tuple[tuple, str] | None:
    if condition.watchlist is None or known_lists is None:
        return None
    kind = known_lists.get(condition.watchlist)
    if kind is None:
        return ("watchlist",), f"no watch list named '{condition.watchlist}' (known: {', '.join(sorted(known_lists)) or 'none'})"
    expected = "party" if field in PARTY_NAMES else {"hs_code": "commodity", "description": "brand"}.get(field, "country")
    if kind != expected:
        return ("watchlist",), f"'{condition.watchlist}' is a {kind} list; {field} is checked against a {expected} list"
    if kind == "party" and condition.min_score is None:
        return ("watchlist",), "a party watchlist condition needs min_score"
    return None


def load_profiles(directory: Path, known_lists: dict[str, str] | None = None, problems: dict[str, str] | None = None) -> list[Profile]:
    """Every *.yaml / *.yml profile in `directory`, ids unique whatever their case. With `problems`,
    a file that cannot be used is left out and its reason kept there (by file name) instead of refusing all."""
    if not directory.is_dir():
        raise ProfileError(f"{directory} is not a directory of profiles")
    profiles, seen = [], {}
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            profile = load_profile(path, known_lists)
            if profile.id.lower() in seen:
                raise ProfileError(f"{path}, line 1: id '{profile.id}' is already used by {seen[profile.id.lower()]}")
        except ProfileError as e:
            if problems is None:
                raise
            problems[path.name] = str(e).replace(f"{path}, ", f"{path.name}: ")
            continue
        seen[profile.id.lower()] = path.name
        profiles.append(profile)
    return profiles


@dataclass(frozen=True)
class Compiled:
    profile: Profile
    matches: pl.Expr  # true on goods items the profile selects


def _as_of_type(field: str, values: list[Any]) -> list[Any]:
    if kind_of(field) in (Kind.COUNTRY, Kind.COUNTRIES, Kind.CURRENCY, Kind.CODE):
        return [str(v).upper() for v in values]
    return values


def _all(parts: list[pl.Expr]) -> pl.Expr:
    """pl.all_horizontal, without a node of its own for a single part (every node costs, on a batch of one)."""
    return parts[0] if len(parts) == 1 else pl.all_horizontal(parts)


def _any(parts: list[pl.Expr]) -> pl.Expr:
    """pl.any_horizontal, without a node of its own for a single part."""
    return parts[0] if len(parts) == 1 else pl.any_horizontal(parts)


def starts_with_any(col: pl.Expr, prefixes: Iterable[str]) -> pl.Expr:
    """Whether the text starts with one of `prefixes`: one membership test per length of prefix."""
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    return _any([col.str.slice(0, n).is_in(group) for n, group in by_length.items()])


def any_listed(col: pl.Expr, values: list[str]) -> pl.Expr:
    """Whether one of the space-separated countries of `col` is in `values`."""
    return col.str.split(" ").list.eval(pl.element().is_in(values)).list.any()


def condition_expr(field: str, condition: Condition, lists: "ListLookup") -> pl.Expr:
    """All operators of one condition on one field, as one boolean expression (null where what it
    tests is missing: the profile as a whole counts that as false)."""
    col = pl.col("_route") if field == "route" else pl.col(field)
    listed = kind_of(field) is Kind.COUNTRIES  # countries separated by spaces: in / not_in test each of them
    parts = []
    if "equals" in condition.model_fields_set:
        parts.append(col == _as_of_type(field, [condition.equals])[0] if condition.equals is not None else col.is_null())
    if condition.in_ is not None:
        values = _as_of_type(field, condition.in_)
        parts.append(any_listed(col, values) if listed else col.is_in(values))
    if condition.not_in is not None:
        values = _as_of_type(field, condition.not_in)
        parts.append(~(any_listed(col, values) if listed else col.is_in(values)))
    if condition.prefix is not None:
        parts.append(starts_with_any(col, condition.prefix))
    for op, bound in (("gt", condition.gt), ("ge", condition.ge), ("lt", condition.lt), ("le", condition.le)):
        if bound is not None:
            parts.append(getattr(col, op)(bound))
    if condition.between is not None:
        parts.append(col.is_between(*condition.between))
    if condition.regex is not None:
        parts.append(col.str.contains(condition.regex))
    if condition.watchlist is not None:
        parts.append(lists.expr(field, condition.watchlist, condition.min_score))
    return _all(parts)


class ListLookup(Protocol):
    """What a watch-list condition compiles to (risk.lists.Lists provides it)."""

    def expr(self, field: str, name: str, min_score: float | None) -> pl.Expr: ...


def compile_profile(profile: Profile, lists: ListLookup) -> Compiled:
    every = _all([condition_expr(f, c, lists) for f, c in profile.when.items()])
    if profile.any_of:
        every = every & _any([_all([condition_expr(f, c, lists) for f, c in group.items()]) for group in profile.any_of])
    return Compiled(profile, every.fill_null(False))  # and, or: false for a missing value is false for the whole


def describe(conditions: Conditions) -> str:
    """A short readable form of conditions, for reasons."""
    parts = []
    for field, c in conditions.items():
        ops = {k: v for k, v in c.model_dump(by_alias=True, exclude_none=True).items()}
        parts.append(f"{field} " + ", ".join(f"{k} {v}" for k, v in ops.items()))
    return "; ".join(parts)


"""Code lists the record is validated against: ISO 3166 countries, ISO 4217 currencies and the
Harmonized System editions with the dates they are in force."""

from dataclasses import dataclass
from datetime import date
from functools import cache

import polars as pl
import pycountry

from smartborder.resources import data_rows
from smartborder.schema import UNKNOWN_COUNTRY

# Codes in real use that ISO 3166-1 leaves to its users: Kosovo, and "unknown".
EXTRA_COUNTRIES = frozenset({"XK", UNKNOWN_COUNTRY})


@cache
def countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | EXTRA_COUNTRIES


@cache
def currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@dataclass(frozen=True)
class HsEdition:
    name: str
    in_force_from: date
    file: str


# Ordered by date. The oldest edition we ship also serves dates before it came into force.
HS_EDITIONS = (
    HsEdition("HS 2017", date(2017, 1, 1), "hs2017.csv"),
    HsEdition("HS 2022", date(2022, 1, 1), "hs2022.csv"),
)


@cache
def hs_descriptions(edition: str) -> dict[str, str]:
    """Descriptions of every code (chapter, heading, subheading) of one edition."""
    spec = next(e for e in HS_EDITIONS if e.name == edition)
    # Section "TOTAL" holds UN Comtrade's aggregates ("TOTAL", "99 Commodities not specified"), not HS codes.
    return {row["hscode"]: row["description"] for row in data_rows("hs", spec.file) if row["section"] != "TOTAL"}


@cache
def hs_subheadings(edition: str) -> frozenset[str]:
    """The 6-digit subheadings of one edition."""
    return frozenset(code for code in hs_descriptions(edition) if len(code) == 6)


def hs_edition_in_force(on: pl.Expr) -> pl.Expr:
    """Name of the HS edition in force on each date."""
    expr = pl.lit(HS_EDITIONS[0].name)
    for edition in HS_EDITIONS[1:]:
        expr = pl.when(on >= edition.in_force_from).then(pl.lit(edition.name)).otherwise(expr)
    return expr


@cache
def _sorted_subheadings(*editions: str) -> pl.Series:
    """The 6-digit subheadings of any of `editions`, sorted."""
    return pl.Series(sorted(frozenset().union(*(hs_subheadings(e) for e in editions))), dtype=pl.String)


def _one_of(codes: pl.Expr, known: pl.Series) -> pl.Expr:
    """Whether each code is one of `known` (sorted), by binary search: unlike `is_in`, it does not
    hash the thousands of known codes again in every query, which a batch of a few items pays for."""
    found = pl.lit(known).gather(pl.lit(known).search_sorted(codes).clip(0, len(known) - 1))
    return found == codes


def hs_exists_in_force(hs6: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whether each 6-digit code exists in the edition in force on its date."""
    expr = pl.lit(False)
    for edition in HS_EDITIONS:
        expr = pl.when(hs_edition_in_force(on) == edition.name).then(_one_of(hs6, _sorted_subheadings(edition.name))).otherwise(expr)
    return expr


def hs_exists_in_any(hs6: pl.Expr) -> pl.Expr:
    return _one_of(hs6, _sorted_subheadings(*(e.name for e in HS_EDITIONS)))

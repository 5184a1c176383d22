"""Consignors and consignees: names, addresses, companies and identifiers, drawn per country.

Countries are numbered in the order of `catalogue.LOCALES`: `LOC` maps a country code to its number, `CODE` back.
"""

import numpy as np
import polars as pl

from smartborder.sample import catalogue as cat
from smartborder.sample.sampling import Choice, one, split, weighted, zeros

# Places and names, indexed by locale.
LOCALES = list(cat.LOCALES)
LOC = {code: i for i, code in enumerate(LOCALES)}
CODE = pl.Series(LOCALES)
_FIRST, _LAST, _STREET, _CITY, _FORM, _STEM = (
    Choice.uniform([split(getattr(locale, field)) for locale in cat.LOCALES.values()])
    for field in ("first", "last", "streets", "cities", "forms", "stems"))
_POSTCODE = pl.Series([city.partition(":")[0] for city in _CITY.values])
_CITY_NAME = pl.Series([city.partition(":")[2] for city in _CITY.values])
_NUMBER_FIRST = np.array([locale.number_first for locale in cat.LOCALES.values()])
_CITY_PREFIX = np.array([locale.city_prefix for locale in cat.LOCALES.values()])
_INDUSTRY = Choice.uniform([split(cat.INDUSTRIES)])
DESTINATION, SELLER, _DIASPORA = (one([(LOC[code], w) for code, w in weighted(spec)])
                                  for spec in (cat.DESTINATIONS, cat.SELLERS, cat.DIASPORA))
_PLACEHOLDER = Choice.uniform([split(cat.PLACEHOLDER_NAMES)])
_PLACEHOLDER_FIELD = one([("consignee_name", 45), ("consignor_name", 20), ("consignee_address", 25), ("consignor_address", 10)])


def _addresses(rng: np.random.Generator, loc: np.ndarray) -> pl.DataFrame:
    """Street address and city in the locale's own order."""
    city = _CITY.draw(rng, loc)
    places = pl.DataFrame({"street": _STREET.pick(rng, loc), "no": rng.integers(1, 200, len(loc)), "post": _POSTCODE.gather(city),
                           "city": _CITY_NAME.gather(city), "number_first": _NUMBER_FIRST[loc]})
    street, no, post, town = (pl.col(c) for c in ("street", "no", "post", "city"))
    return places.select(pl.when("number_first").then(pl.format("{} {}, {} {}", no, street, town, post))
                         .otherwise(pl.format("{} {}, {} {}", street, no, post, town)).str.strip_chars().alias("address"), "city")


def _people(rng: np.random.Generator, loc: np.ndarray, culture: np.ndarray) -> pl.DataFrame:
    """Private persons living in `loc` with names of `culture`."""
    name = _FIRST.pick(rng, culture) + " " + _LAST.pick(rng, culture)
    return _addresses(rng, loc).select(pl.Series("name", name), "address")


def _companies(rng: np.random.Generator, loc: np.ndarray) -> pl.DataFrame:
    """Companies in `loc`: '[city] stem industry legal-form'."""
    places = _addresses(rng, loc)
    prefix = pl.when(pl.Series(_CITY_PREFIX[loc])).then(pl.col("city") + " ").otherwise(pl.lit(""))
    industry = _INDUSTRY.pick(rng, zeros(len(loc)))
    name = pl.concat_str(prefix, _STEM.pick(rng, loc), pl.lit(" "), industry, pl.lit(" "), _FORM.pick(rng, loc))
    return places.select(name.alias("name"), "address")


def _ids(rng: np.random.Generator, loc: np.ndarray, share: float) -> pl.Series:
    """EORI-like identifiers (country code and 12 digits) for `share` of the rows, null for the others."""
    digits = pl.Series(rng.integers(0, 10**12, len(loc))).cast(pl.String).str.zfill(12)
    return (CODE.gather(loc) + digits).scatter(np.flatnonzero(rng.random(len(loc)) >= share), None)


class _Pool:
    """Companies that recur across consignments, the first of each country most often; names are unique."""

    def __init__(self, rng: np.random.Generator, size: int, countries: Choice, id_share: float, aeo_share: float):
        loc = np.sort(np.concatenate([np.unique(countries.values), countries.take(rng, zeros(size))]))
        companies = _companies(rng, loc).with_columns(loc=loc, id=_ids(rng, loc, id_share), aeo=pl.Series(rng.random(len(loc)) < aeo_share))
        companies = companies.unique("name", keep="first", maintain_order=True)  # one company per name
        loc, self.frame = companies["loc"].to_numpy(), companies.drop("loc")
        locales = np.arange(len(LOCALES))
        bounds = zip(np.searchsorted(loc, locales), np.searchsorted(loc, locales, "right"), strict=True)
        self._choice = Choice([[(i, (i - lo + 1) ** -0.7) for i in range(lo, hi)] or [(0, 1.0)] for lo, hi in bounds])

    def draw(self, rng: np.random.Generator, loc: np.ndarray) -> pl.DataFrame:
        return self.frame.select(pl.all().gather(self._choice.take(rng, loc)))


def draw_parties(rng: np.random.Generator, head: dict, consignor_loc: np.ndarray) -> dict[str, pl.Series]:
    """Consignors (sellers, a few private) and consignees (private buyers, or companies for B2B)."""
    n, b2b, dest = len(consignor_loc), head["b2b"], head["dest"]
    sellers = _Pool(rng, int(np.clip(n // 25, 300, 40_000)), SELLER, id_share=0.45, aeo_share=0.03).draw(rng, consignor_loc)
    private = np.flatnonzero(~b2b & (rng.random(n) < 0.03))
    persons = _people(rng, consignor_loc[private], consignor_loc[private])
    buyers = _Pool(rng, int(np.clip(n // 200, 100, 10_000)), DESTINATION, id_share=1.0, aeo_share=0.25).draw(rng, dest[b2b])
    culture = np.where(rng.random(n) < 0.28, _DIASPORA.take(rng, zeros(n)), dest)
    consignees = _people(rng, dest, culture)
    corporate = np.flatnonzero(b2b)
    return {
        "consignor_name": sellers["name"].scatter(private, persons["name"]),
        "consignor_address": sellers["address"].scatter(private, persons["address"]),
        "consignor_country": CODE.gather(consignor_loc),
        "consignor_id": sellers["id"].scatter(private, None),
        "consignor_aeo": sellers["aeo"].scatter(private, False),
        "consignee_name": consignees["name"].scatter(corporate, buyers["name"]),
        "consignee_address": consignees["address"].scatter(corporate, buyers["address"]),
        "consignee_country": CODE.gather(dest),
        "consignee_id": _ids(rng, dest, 0.12).scatter(corporate, buyers["id"]),
        "consignee_aeo": pl.Series(np.zeros(n, dtype=bool)).scatter(corporate, buyers["aeo"]),
    }


def placeholders(rng: np.random.Generator, parties: dict, chosen: np.ndarray) -> list[tuple[str, int, str]]:
    """A placeholder name or a missing address on one party of each chosen consignment."""
    field = _PLACEHOLDER_FIELD.take(rng, zeros(len(chosen)))
    term = _PLACEHOLDER.take(rng, zeros(len(chosen)))
    rows = []
    for column in _PLACEHOLDER_FIELD.values:
        at = field == column
        party, what = column.split("_")
        parties[column].scatter(chosen[at], term[at] if what == "name" else None)
        rows += [("placeholder_party", c, f"{party} name '{t}'" if what == "name" else f"{party} address missing")
                 for c, t in zip(chosen[at], term[at], strict=True)]
    return rows

"""Synthetic e-commerce consignments with planted problems in known proportions.

Every column is drawn with numpy for all rows at once; only the planted rows are visited one by one.
The data tables live in `catalogue`; the watch list and its lookalike names in `watchlist`.
"""

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from smartborder import schema
from smartborder.sample import catalogue as cat
from smartborder.sample.watchlist import lookalike, watchlist

PROBLEMS: dict[str, float] = {
    "vague_description": 0.06,
    "undervaluation": 0.05,
    "misdeclared_hs": 0.03,
    "listed_party_lookalike": 0.01,
    "medicines": 0.03,
    "branded_unusual_origin": 0.02,
    "placeholder_party": 0.03,
    "zero_value": 0.02,
}
# Problems of one slot exclude each other; a consignment carries at most two problems.
_SLOT = {"vague_description": "goods", "misdeclared_hs": "goods", "medicines": "goods", "branded_unusual_origin": "goods",
         "undervaluation": "value", "zero_value": "value", "listed_party_lookalike": "party", "placeholder_party": "party"}
_MAX_PROBLEMS = 2


def _weighted(spec: str) -> list[tuple[str, float]]:
    """'a:3 b:1' -> [('a', 3.0), ('b', 1.0)]."""
    return [(key, float(weight)) for key, weight in (part.rsplit(":", 1) for part in spec.split())]


def _split(text: str) -> list[str]:
    return text.split("|") if text else [""]


class _Choice:
    """Groups of weighted values: draws, for every row, a value of the row's group."""

    def __init__(self, groups: Sequence[Sequence[tuple[object, float]]]):
        values, cdfs, last = [], [], []
        for group, options in enumerate(groups):
            weights = np.array([weight for _, weight in options], dtype=float)
            cdf = np.cumsum(weights) / weights.sum()
            cdf[-1] = 1.0
            cdfs.append(group + cdf)
            values += [value for value, _ in options]
            last.append(len(values) - 1)
        self.values = values
        self.series = pl.Series(values, strict=False)
        self._cdf = np.concatenate(cdfs)
        self._last = np.array(last)

    @classmethod
    def uniform(cls, groups: Sequence[Sequence[object]]) -> "_Choice":
        return cls([[(value, 1.0) for value in group] for group in groups])

    def draw(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Positions in `values`."""
        found = np.searchsorted(self._cdf, group + rng.random(len(group)), side="right")
        return np.minimum(found, self._last[group])

    def take(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        return np.asarray(self.values)[self.draw(rng, group)]

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> pl.Series:
        return self.series.gather(self.draw(rng, group))


def _one(spec: list[tuple[object, float]]) -> _Choice:
    return _Choice([spec])


# Products: ordinary trade draws ordinary and (genuine) branded goods; medical goods come only planted.
_PRODUCTS = cat.ORDINARY + cat.MEDICAL + cat.BRANDED
_MEDICAL = np.arange(len(cat.ORDINARY), len(cat.ORDINARY) + len(cat.MEDICAL))
_BRANDED = np.arange(len(cat.ORDINARY) + len(cat.MEDICAL), len(_PRODUCTS))
_DECOYED = np.array([i for i, p in enumerate(cat.ORDINARY) if p.decoy])
_ORDINARY_TRADE = _one([(i, p.weight) for i, p in enumerate(_PRODUCTS) if p.weight > 0])
_HS, _DECOY = pl.Series([p.hs_code for p in _PRODUCTS]), pl.Series([p.decoy for p in _PRODUCTS])
_UNIT = pl.Series([p.unit for p in _PRODUCTS])
_KGM = np.array([p.unit == "KGM" for p in _PRODUCTS])
_UNIT_VALUE, _FAKE_VALUE = np.array([p.unit_value for p in _PRODUCTS]), np.array([p.fake_value for p in _PRODUCTS])
_UNIT_MASS = np.array([p.unit_mass for p in _PRODUCTS])
_DESCRIPTION = _Choice.uniform([_split(p.descriptions) for p in _PRODUCTS])
_ORIGIN = _Choice([_weighted(p.origins) for p in _PRODUCTS])
_UNUSUAL = _Choice([_weighted(p.unusual or p.origins) for p in _PRODUCTS])
_VAGUE = _Choice.uniform([_split(cat.VAGUE_TERMS)])
_PLACEHOLDER = _Choice.uniform([_split(cat.PLACEHOLDER_NAMES)])

# Places and names, indexed by locale.
_LOCALES = list(cat.LOCALES)
_LOC = {code: i for i, code in enumerate(_LOCALES)}
_CODE = pl.Series(_LOCALES)
_FIRST, _LAST, _STREET, _CITY, _FORM, _STEM = (
    _Choice.uniform([_split(getattr(locale, field)) for locale in cat.LOCALES.values()])
    for field in ("first", "last", "streets", "cities", "forms", "stems"))
_POSTCODE = pl.Series([city.partition(":")[0] for city in _CITY.values])
_CITY_NAME = pl.Series([city.partition(":")[2] for city in _CITY.values])
_NUMBER_FIRST = np.array([locale.number_first for locale in cat.LOCALES.values()])
_CITY_PREFIX = np.array([locale.city_prefix for locale in cat.LOCALES.values()])
_INDUSTRY = _Choice.uniform([_split(cat.INDUSTRIES)])
_OFFICE = _Choice.uniform([cat.OFFICES.get(code, [""]) for code in _LOCALES])
_DESTINATION = _one([(_LOC[code], w) for code, w in _weighted(cat.DESTINATIONS)])
_SELLER = _one([(_LOC[code], w) for code, w in _weighted(cat.SELLERS)])
_DIASPORA = _one([(_LOC[code], w) for code, w in _weighted(cat.DIASPORA)])
_SELLER_CODES = {code for code, _ in _weighted(cat.SELLERS)}
_SELLER_OF = {code: _LOC[code] for code in _SELLER_CODES}  # origin country -> consignor locale
_FAR = np.array([code in cat.FAR.split() for code in _LOCALES])

# Submitters and routes.
_SUBS = cat.SUBMITTERS
_SUBMITTER = _one([(i, s.share) for i, s in enumerate(_SUBS)])
_SUB_NAME, _SUB_PREFIX = pl.Series([s.name for s in _SUBS]), pl.Series([s.prefix for s in _SUBS])
_MODES = list(cat.ARRIVAL_DAYS)
_MODE = _Choice([[(_MODES.index(m), w) for m, w in _weighted(s.modes)] for s in _SUBS])
_B2B_MODE = _one([(_MODES.index(m), w) for m, w in _weighted(cat.B2B_MODES)])
_ARRIVAL = np.array([cat.ARRIVAL_DAYS[m] for m in _MODES])
_TRANSIT = _Choice([[(None if t == "-" else t.replace("|", " "), w) for t, w in _weighted(cat.TRANSIT[m])] for m in _MODES])
_CURRENCIES = list(cat.RATES)
_CURRENCY = _Choice([[(_CURRENCIES.index(c), w) for c, w in _weighted(s.currencies)] for s in _SUBS])
_RATE = np.array(list(cat.RATES.values()))
_CARRIER = _Choice.uniform([_split(s.carriers) for s in _SUBS])
_PLATFORM = _Choice.uniform([[p or None for p in s.platforms.split("|")] for s in _SUBS])
_ITEMS = _one([(1, 72), (2, 17), (3, 7), (4, 4)])
_BIAS = {"vague_description": np.array([s.vague for s in _SUBS]), "placeholder_party": np.array([s.placeholder for s in _SUBS])}
_PLACEHOLDER_KIND = _one([("consignee name", 45), ("consignor name", 20), ("consignee address", 25), ("consignor address", 10)])


def generate(n: int, seed: int = 0, start: date = date(2025, 1, 1), days: int = 90) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Returns (consignments, truth, watchlist)."""
    rng = np.random.default_rng(seed)
    listed = watchlist(rng)
    head = _head(rng, n, days)
    planted = _plant(rng, head["sub"])
    items, truth = _goods(rng, head, planted)
    route = _route(rng, head, items["first_origin"])
    parties = _parties(rng, head, route["consignor_loc"])
    truth += _party_problems(rng, parties, planted, listed)
    refs = _references(rng, head["sub"])
    consignments = pl.DataFrame({
        "submitter": _SUB_NAME.gather(head["sub"]), "reference": refs, **route["columns"],
        "declared_date": _dates(start, head["day"]), "expected_arrival": _dates(start, route["arrival"]),
        "destination_country": _CODE.gather(head["dest"]), **parties, "items": items["list"],
    }).select(*schema.CONSIGNMENT_FIELDS, "items")
    truth_frame = pl.DataFrame(
        [(refs[int(c)], problem, detail) for problem, c, detail in truth],
        schema={"reference": pl.String, "problem": pl.String, "detail": pl.String}, orient="row")
    return consignments, truth_frame, listed


def _head(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Submitter, size, date and destination of each consignment."""
    zeros = np.zeros(n, dtype=int)
    sub = _SUBMITTER.take(rng, zeros)
    b2b = rng.random(n) < np.array([s.b2b for s in _SUBS])[sub]
    n_items = np.where(b2b, rng.integers(1, 5, n), _ITEMS.take(rng, zeros))
    return {"sub": sub, "b2b": b2b, "n_items": n_items, "day": np.sort(rng.integers(0, days, n)),
            "dest": _DESTINATION.take(rng, zeros)}


def _plant(rng: np.random.Generator, sub: np.ndarray) -> dict[str, np.ndarray]:
    """Consignments carrying each problem: exactly round(share * n), biased by submitter."""
    n = len(sub)
    count = np.zeros(n, dtype=np.int8)
    taken = {slot: np.zeros(n, dtype=bool) for slot in set(_SLOT.values())}
    planted = {}
    for problem, share in PROBLEMS.items():
        k = round(share * n)
        eligible = ~taken[_SLOT[problem]] & (count < _MAX_PROBLEMS)
        bias = _BIAS.get(problem, np.ones(len(_SUBS)))[sub]
        keys = np.where(eligible, rng.exponential(size=n) / bias, np.inf)  # weighted sampling without replacement
        chosen = np.sort(np.argpartition(keys, k - 1)[:k]) if k else np.zeros(0, dtype=int)
        taken[_SLOT[problem]][chosen] = True
        count[chosen] += 1
        planted[problem] = chosen
    return planted


def _goods(rng: np.random.Generator, head: dict, planted: dict) -> tuple[dict, list]:
    """Goods items of all consignments, with the goods and value problems applied."""
    n_items, sub, n = head["n_items"], head["sub"], len(head["sub"])
    cons = np.repeat(np.arange(n), n_items)
    first = np.cumsum(n_items) - n_items
    m = len(cons)
    product = _ORDINARY_TRADE.take(rng, np.zeros(m, dtype=int))
    target = {}
    for problem, pool in (("medicines", _MEDICAL), ("branded_unusual_origin", _BRANDED),
                          ("misdeclared_hs", _DECOYED), ("vague_description", None)):
        c = planted[problem]
        target[problem] = first[c] + (rng.random(len(c)) * n_items[c]).astype(int)
        if pool is not None:
            product[target[problem]] = rng.choice(pool, len(c))
    branded = target["branded_unusual_origin"]
    origin = _ORIGIN.pick(rng, product).scatter(branded, _UNUSUAL.pick(rng, product[branded]))

    packs = np.minimum(rng.geometric(0.6, m), 10) * np.where(head["b2b"], rng.integers(10, 200, n), 1)[cons]
    usd = packs * _UNIT_VALUE[product] * rng.lognormal(0, 0.3, m)
    usd[branded] = packs[branded] * _FAKE_VALUE[product[branded]] * rng.lognormal(0, 0.3, len(branded))
    net = np.maximum(packs * _UNIT_MASS[product] * rng.lognormal(0, 0.1, m), 0.001).round(3)
    gross = (net * rng.uniform(1.05, 1.3, m) + rng.uniform(0.02, 0.2, m)).round(3)
    gross = np.where(np.array([s.gross_is_net for s in _SUBS])[sub][cons], net, gross)
    currency = _CURRENCY.take(rng, sub)
    true_value = np.maximum(usd * _RATE[currency][cons], 0.1).round(2)
    value = _value_problems(rng, true_value, cons, planted)

    description = _DESCRIPTION.pick(rng, product)
    hs = _HS.gather(product)
    truth = _goods_truth(description, hs, origin, value, currency[cons], product, target)
    description.scatter(target["vague_description"], _VAGUE.pick(rng, np.zeros(len(target["vague_description"]), dtype=int)))
    truth += [("vague_description", cons[i], f"description '{description[int(i)]}' given for '{d}' ({hs[int(i)]})")
              for i, d in zip(target["vague_description"], truth.pop())]
    hs.scatter(target["misdeclared_hs"], _DECOY.gather(product[target["misdeclared_hs"]]))
    truth += _value_truth(true_value, value, cons, currency, planted)

    upper = np.array([s.upper for s in _SUBS])[sub][cons]
    items = pl.DataFrame({
        "description": description, "hs_code": hs, "quantity": np.where(_KGM[product], net, packs).astype(float),
        "quantity_unit": _UNIT.gather(product), "gross_mass": gross, "net_mass": net, "value": value,
        "currency": pl.Series(_CURRENCIES).gather(currency[cons]), "origin_country": origin,
    }).with_columns(pl.when(pl.Series(upper)).then(pl.col("description").str.to_uppercase()).otherwise("description"))
    structs = items.select(pl.struct(schema.ITEM_FIELDS)).to_series().to_arrow()
    offsets = pa.array(np.append(first, m).astype(np.int64))
    return {"list": pl.from_arrow(pa.LargeListArray.from_arrays(offsets, structs)), "first_origin": origin.gather(first)}, truth


def _value_problems(rng: np.random.Generator, value: np.ndarray, cons: np.ndarray, planted: dict) -> np.ndarray:
    """Declared values: undervalued to 5-25 % or zeroed for the planted consignments."""
    factor = np.ones(len(cons) and cons[-1] + 1)
    factor[planted["undervaluation"]] = rng.uniform(0.05, 0.25, len(planted["undervaluation"]))
    declared = np.maximum(value * factor[cons], 0.02).round(2)
    zero = np.full(len(factor), np.nan)
    zero[planted["zero_value"]] = rng.choice([0.0, 0.01], len(planted["zero_value"]))
    return np.where(np.isnan(zero[cons]), declared, zero[cons])


def _goods_truth(description, hs, origin, value, currency, product, target) -> list:
    """Truth rows of the goods problems; the last element holds the original descriptions of the vague items."""
    cons_of = target.pop("cons", None)  # noqa: F841 - kept simple below
    rows = []
    for i in target["misdeclared_hs"]:
        rows.append(("misdeclared_hs", i, f"'{description[int(i)]}' declared under {_PRODUCTS[product[i]].decoy}, true code {hs[int(i)]}"))
    for i in target["medicines"]:
        rows.append(("medicines", i, f"'{description[int(i)]}' ({hs[int(i)]}) from {origin[int(i)]}"))
    for i in target["branded_unusual_origin"]:
        usual = ", ".join(code for code, _ in _weighted(_PRODUCTS[product[i]].origins))
        rows.append(("branded_unusual_origin", i, f"'{description[int(i)]}' from {origin[int(i)]} at {value[i]:.2f} "
                     f"{_CURRENCIES[currency[i]]}; the brand ships from {usual}"))
    rows.append(description.gather(target["vague_description"]).to_list())
    return rows

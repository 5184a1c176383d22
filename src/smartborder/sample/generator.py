"""Synthetic e-commerce consignments with planted problems in known proportions.

Every column is drawn with numpy for all rows at once; only the planted rows are visited one by one.
The data tables (goods, submitters, places, names, watch-list parts) live in `catalogue`.
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
        self._array = np.asarray(values)
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
        return self._array[self.draw(rng, group)]

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> pl.Series:
        return self.series.gather(self.draw(rng, group))


def _one(options: list[tuple[object, float]]) -> _Choice:
    return _Choice([options])


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n, dtype=np.int64)


# Goods: ordinary trade draws ordinary and genuine branded goods; medical goods come only planted.
_PRODUCTS = cat.ORDINARY + cat.MEDICAL + cat.BRANDED
_MEDICAL = np.arange(len(cat.ORDINARY), len(cat.ORDINARY) + len(cat.MEDICAL))
_BRANDED = np.arange(len(cat.ORDINARY) + len(cat.MEDICAL), len(_PRODUCTS))
_DECOYED = np.array([i for i, p in enumerate(cat.ORDINARY) if p.decoy])
_TRADE = _one([(i, p.weight) for i, p in enumerate(_PRODUCTS) if p.weight > 0])
_HS, _DECOY, _UNIT = (pl.Series([getattr(p, f) for p in _PRODUCTS]) for f in ("hs_code", "decoy", "unit"))
_UNIT_VALUE, _FAKE_VALUE, _UNIT_MASS = (np.array([getattr(p, f) for p in _PRODUCTS]) for f in ("unit_value", "fake_value", "unit_mass"))
_KGM = np.array([p.unit == "KGM" for p in _PRODUCTS])
_DESCRIPTION = _Choice.uniform([_split(p.descriptions) for p in _PRODUCTS])
_ORIGIN = _Choice([_weighted(p.origins) for p in _PRODUCTS])
_UNUSUAL = _Choice([_weighted(p.unusual or p.origins) for p in _PRODUCTS])
_VAGUE = _Choice.uniform([_split(cat.VAGUE_TERMS)])
_PLACEHOLDER = _Choice.uniform([_split(cat.PLACEHOLDER_NAMES)])
_PLACEHOLDER_FIELD = _one([("consignee_name", 45), ("consignor_name", 20), ("consignee_address", 25), ("consignor_address", 10)])
_USUAL = {text: ", ".join(code for code, _ in _weighted(p.origins)) for p in cat.BRANDED for text in _split(p.descriptions)}

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
_DESTINATION, _SELLER, _DIASPORA, _WAREHOUSE = (_one([(_LOC[code], w) for code, w in _weighted(spec)])
                                                for spec in (cat.DESTINATIONS, cat.SELLERS, cat.DIASPORA, cat.WAREHOUSES))
_SELLER_OF = {code: _LOC[code] for code, _ in _weighted(cat.SELLERS)}  # origin country -> consignor locale
_FAR = np.array([code in cat.FAR.split() for code in _LOCALES])

# Submitters, routes and money.
_SUBS = cat.SUBMITTERS
_SUBMITTER = _one([(i, s.share) for i, s in enumerate(_SUBS)])
_SUB_NAME, _SUB_PREFIX = pl.Series([s.name for s in _SUBS]), pl.Series([s.prefix for s in _SUBS])
_B2B, _NO_ARRIVAL = np.array([s.b2b for s in _SUBS]), np.array([s.no_arrival for s in _SUBS])
_UPPER, _GROSS_IS_NET = np.array([s.upper for s in _SUBS]), np.array([s.gross_is_net for s in _SUBS])
_BIAS = {"vague_description": np.array([s.vague for s in _SUBS]), "placeholder_party": np.array([s.placeholder for s in _SUBS])}
_MODES = list(cat.ARRIVAL_DAYS)
_MODE = _Choice([[(_MODES.index(m), w) for m, w in _weighted(s.modes)] for s in _SUBS])
_B2B_MODE = _one([(_MODES.index(m), w) for m, w in _weighted(cat.B2B_MODES)])
_ARRIVAL = np.array([cat.ARRIVAL_DAYS[m] for m in _MODES])
_TRANSIT = _Choice([[(None if t == "-" else t.replace("|", " "), w) for t, w in _weighted(cat.TRANSIT[m])] for m in _MODES])
_CURRENCIES = pl.Series(list(cat.RATES))
_CURRENCY = _Choice([[(list(cat.RATES).index(c), w) for c, w in _weighted(s.currencies)] for s in _SUBS])
_RATE = np.array(list(cat.RATES.values()))
_CARRIER = _Choice.uniform([_split(s.carriers) for s in _SUBS])
_PLATFORM = _Choice.uniform([[p or None for p in s.platforms.split("|")] for s in _SUBS])
_N_ITEMS = _one([(1, 72), (2, 17), (3, 7), (4, 4)])


def generate(n: int, seed: int = 0, start: date = date(2025, 1, 1), days: int = 90) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Returns (consignments, truth, watchlist)."""
    rng = np.random.default_rng(seed)
    listed = _watchlist(rng)
    head = _head(rng, n, days)
    planted = _plant(rng, head["sub"])
    goods = _goods(rng, head, planted)
    route = _route(rng, head, goods["origin"].gather(goods["first"]), start)
    parties = _parties(rng, head, route.pop("consignor_loc"))
    truth = _goods_truth(goods, planted) + _placeholders(rng, parties, planted["placeholder_party"])
    truth += _lookalikes(rng, parties, planted["listed_party_lookalike"], listed)
    references = _references(rng, head["sub"])
    consignments = pl.DataFrame({
        "submitter": _SUB_NAME.gather(head["sub"]), "reference": references, **route, **parties,
        "declared_date": _dates(start, head["day"]), "destination_country": _CODE.gather(head["dest"]),
        "items": _item_lists(goods, head["sub"]),
    }).select(*schema.CONSIGNMENT_FIELDS, "items")
    return consignments, _truth_frame(truth, references), listed


def _head(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Submitter, size, date and destination of each consignment."""
    sub = _SUBMITTER.take(rng, _zeros(n))
    b2b = rng.random(n) < _B2B[sub]
    n_items = np.where(b2b, rng.integers(1, 5, n), _N_ITEMS.take(rng, _zeros(n)))
    return {"sub": sub, "b2b": b2b, "n_items": n_items, "day": np.sort(rng.integers(0, days, n)),
            "dest": _DESTINATION.take(rng, _zeros(n))}


def _plant(rng: np.random.Generator, sub: np.ndarray) -> dict[str, np.ndarray]:
    """The consignments carrying each problem: round(share * n) of them, drawn with the submitter's bias."""
    n = len(sub)
    count = np.zeros(n, dtype=np.int8)
    taken = {slot: np.zeros(n, dtype=bool) for slot in set(_SLOT.values())}
    planted = {}
    for problem, share in PROBLEMS.items():
        eligible = ~taken[_SLOT[problem]] & (count < _MAX_PROBLEMS)
        k = min(round(share * n), int(eligible.sum()))
        bias = _BIAS.get(problem, np.ones(len(_SUBS)))[sub]
        keys = np.where(eligible, rng.exponential(size=n) / bias, np.inf)  # weighted sampling without replacement
        chosen = np.sort(np.argpartition(keys, k - 1)[:k]) if k else _zeros(0)
        taken[_SLOT[problem]][chosen] = True
        count[chosen] += 1
        planted[problem] = chosen
    return planted


def _goods(rng: np.random.Generator, head: dict, planted: dict) -> dict:
    """All goods items, with the goods and value problems applied; `target` holds the planted items."""
    n_items, n = head["n_items"], len(head["sub"])
    cons = np.repeat(np.arange(n), n_items)
    first = np.cumsum(n_items) - n_items
    m = len(cons)
    product = _TRADE.take(rng, _zeros(m))
    target = {}
    for problem, pool in (("medicines", _MEDICAL), ("branded_unusual_origin", _BRANDED),
                          ("misdeclared_hs", _DECOYED), ("vague_description", None)):
        chosen = planted[problem]
        target[problem] = first[chosen] + (rng.random(len(chosen)) * n_items[chosen]).astype(np.int64)
        if pool is not None:
            product[target[problem]] = rng.choice(pool, len(chosen))
    branded, vague = target["branded_unusual_origin"], target["vague_description"]
    origin = _ORIGIN.pick(rng, product).scatter(branded, _UNUSUAL.pick(rng, product[branded]))

    packs = np.minimum(rng.geometric(0.6, m), 10) * np.where(head["b2b"], rng.integers(10, 200, n), 1)[cons]
    price = _UNIT_VALUE[product]
    price[branded] = _FAKE_VALUE[product[branded]]  # a copy of a brand, declared at what it cost
    usd = np.maximum(packs * price * rng.lognormal(0, 0.3, m), 1.5)
    net = np.maximum(packs * _UNIT_MASS[product] * rng.lognormal(0, 0.1, m), 0.001).round(3)
    gross = (net * rng.uniform(1.05, 1.3, m) + rng.uniform(0.02, 0.2, m)).round(3)
    currency = _CURRENCY.take(rng, head["sub"])
    true_value = (usd * _RATE[currency][cons]).round(2)

    description = _DESCRIPTION.pick(rng, product)
    original = description.gather(vague)
    description.scatter(vague, _VAGUE.pick(rng, _zeros(len(vague))))
    hs = _HS.gather(product)
    true_hs = hs.gather(target["misdeclared_hs"])
    hs.scatter(target["misdeclared_hs"], _DECOY.gather(product[target["misdeclared_hs"]]))
    return {"cons": cons, "first": first, "target": target, "original": original, "true_hs": true_hs,
            "description": description, "hs_code": hs, "quantity": np.where(_KGM[product], net, packs).astype(float),
            "quantity_unit": _UNIT.gather(product), "gross_mass": np.where(_GROSS_IS_NET[head["sub"]][cons], net, gross),
            "net_mass": net, "value": _declared(rng, true_value, cons, planted), "true_value": true_value,
            "currency": _CURRENCIES.gather(currency[cons]), "origin": origin}


def _declared(rng: np.random.Generator, value: np.ndarray, cons: np.ndarray, planted: dict) -> np.ndarray:
    """Declared values: 5-25 % of the true value for undervalued consignments, 0 or 0.01 for zero-valued ones."""
    n = int(cons[-1]) + 1 if len(cons) else 0
    factor = np.ones(n)
    factor[planted["undervaluation"]] = rng.uniform(0.05, 0.25, len(planted["undervaluation"]))
    zero = np.full(n, np.nan)
    zero[planted["zero_value"]] = rng.choice([0.0, 0.01], len(planted["zero_value"]))
    return np.where(np.isnan(zero[cons]), np.maximum(value * factor[cons], 0.02).round(2), zero[cons])


def _item_lists(goods: dict, sub: np.ndarray) -> pl.Series:
    """The items as one list of structs per consignment; some submitters write descriptions in capitals."""
    upper = pl.Series(_UPPER[sub][goods["cons"]])
    items = pl.DataFrame({f: goods["origin" if f == "origin_country" else f] for f in schema.ITEM_FIELDS}).with_columns(
        pl.when(upper).then(pl.col("description").str.to_uppercase()).otherwise("description").alias("description"))
    structs = items.select(pl.struct(schema.ITEM_FIELDS)).to_series().to_arrow()
    offsets = pa.array(np.append(goods["first"], len(goods["cons"])).astype(np.int64))
    return pl.Series("items", pa.LargeListArray.from_arrays(offsets, structs))


def _goods_truth(goods: dict, planted: dict) -> list[tuple[str, int, str]]:
    """(problem, consignment, detail) of the goods and value problems."""
    cons, target, text, hs, origin = goods["cons"], goods["target"], goods["description"], goods["hs_code"], goods["origin"]
    value, currency, unit = goods["value"], goods["currency"], goods["quantity_unit"]
    rows = [("vague_description", cons[i], f"description '{text[int(i)]}' given for '{was}' ({hs[int(i)]})")
            for i, was in zip(target["vague_description"], goods["original"], strict=True)]
    rows += [("misdeclared_hs", cons[i], f"'{text[int(i)]}' declared under {hs[int(i)]}, true code {true}")
             for i, true in zip(target["misdeclared_hs"], goods["true_hs"], strict=True)]
    rows += [("medicines", cons[i], f"'{text[int(i)]}' ({hs[int(i)]}) from {origin[int(i)]}") for i in target["medicines"]]
    rows += [("branded_unusual_origin", cons[i], f"'{text[int(i)]}' from {origin[int(i)]}: {goods['quantity'][i]:g} {unit[int(i)]} "
              f"at {value[i]:.2f} {currency[int(i)]}; the brand ships from {_USUAL[text[int(i)]]}")
             for i in target["branded_unusual_origin"]]
    n = len(goods["first"])
    declared, true = np.bincount(cons, value, n), np.bincount(cons, goods["true_value"], n)
    money = currency.gather(goods["first"])
    for problem in ("undervaluation", "zero_value"):
        rows += [(problem, c, f"declared {declared[c]:.2f} {money[int(c)]}, true value {true[c]:.2f} {money[int(c)]}")
                 for c in planted[problem]]
    return rows


def _route(rng: np.random.Generator, head: dict, first_origin: pl.Series, start: date) -> dict:
    """Seller's country, route, dates and platform; the seller is mostly where the first item comes from."""
    sub, b2b, n = head["sub"], head["b2b"], len(head["sub"])
    seller = first_origin.replace_strict(_SELLER_OF, default=-1, return_dtype=pl.Int64).to_numpy()
    consignor = np.where((seller >= 0) & (rng.random(n) < 0.85), seller, _SELLER.take(rng, _zeros(n)))
    departure = np.where((consignor == _LOC["CN"]) & (rng.random(n) < 0.2), _LOC["HK"], consignor)
    mode = np.where(b2b, _B2B_MODE.take(rng, _zeros(n)), _MODE.take(rng, sub))
    mode[(mode == _MODES.index("rail")) & (departure != _LOC["CN"])] = _MODES.index("road")
    trucked = (mode == _MODES.index("road")) & _FAR[departure]  # far sellers' stock leaves from a warehouse nearby
    departure[trucked] = _WAREHOUSE.take(rng, _zeros(int(trucked.sum())))
    low, high = _ARRIVAL[mode].T
    arrival = _dates(start, head["day"] + rng.integers(low, high + 1)).scatter(
        np.flatnonzero(rng.random(n) < _NO_ARRIVAL[sub]), None)
    return {"consignor_loc": consignor, "transport_mode": pl.Series(_MODES).gather(mode), "carrier": _CARRIER.pick(rng, sub),
            "office": _OFFICE.pick(rng, head["dest"]), "expected_arrival": arrival, "departure_country": _CODE.gather(departure),
            "transit_countries": _TRANSIT.pick(rng, mode), "platform": _PLATFORM.pick(rng, sub).scatter(np.flatnonzero(b2b), None)}


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
    industry = _INDUSTRY.pick(rng, _zeros(len(loc)))
    name = pl.concat_str(prefix, _STEM.pick(rng, loc), pl.lit(" "), industry, pl.lit(" "), _FORM.pick(rng, loc))
    return places.select(name.alias("name"), "address")


def _ids(rng: np.random.Generator, loc: np.ndarray, share: float) -> pl.Series:
    """EORI-like identifiers (country code and 12 digits) for `share` of the rows, null for the others."""
    digits = pl.Series(rng.integers(0, 10**12, len(loc))).cast(pl.String).str.zfill(12)
    return (_CODE.gather(loc) + digits).scatter(np.flatnonzero(rng.random(len(loc)) >= share), None)


class _Pool:
    """Companies that recur across consignments, the first of each country most often; names are unique."""

    def __init__(self, rng: np.random.Generator, size: int, countries: _Choice, id_share: float, aeo_share: float):
        loc = np.sort(np.concatenate([np.unique(countries.values), countries.take(rng, _zeros(size))]))
        companies = _companies(rng, loc).with_columns(loc=loc, id=_ids(rng, loc, id_share), aeo=pl.Series(rng.random(len(loc)) < aeo_share))
        companies = companies.unique("name", keep="first", maintain_order=True)  # one company per name
        loc, self.frame = companies["loc"].to_numpy(), companies.drop("loc")
        locales = np.arange(len(_LOCALES))
        bounds = zip(np.searchsorted(loc, locales), np.searchsorted(loc, locales, "right"), strict=True)
        self._choice = _Choice([[(i, (i - lo + 1) ** -0.7) for i in range(lo, hi)] or [(0, 1.0)] for lo, hi in bounds])

    def draw(self, rng: np.random.Generator, loc: np.ndarray) -> pl.DataFrame:
        return self.frame.select(pl.all().gather(self._choice.take(rng, loc)))


def _parties(rng: np.random.Generator, head: dict, consignor_loc: np.ndarray) -> dict[str, pl.Series]:
    """Consignors (sellers, a few private) and consignees (private buyers, or companies for B2B)."""
    n, b2b, dest = len(consignor_loc), head["b2b"], head["dest"]
    sellers = _Pool(rng, int(np.clip(n // 25, 300, 40_000)), _SELLER, id_share=0.45, aeo_share=0.03).draw(rng, consignor_loc)
    private = np.flatnonzero(~b2b & (rng.random(n) < 0.03))
    persons = _people(rng, consignor_loc[private], consignor_loc[private])
    buyers = _Pool(rng, int(np.clip(n // 200, 100, 10_000)), _DESTINATION, id_share=1.0, aeo_share=0.25).draw(rng, dest[b2b])
    culture = np.where(rng.random(n) < 0.28, _DIASPORA.take(rng, _zeros(n)), dest)
    consignees = _people(rng, dest, culture)
    corporate = np.flatnonzero(b2b)
    return {
        "consignor_name": sellers["name"].scatter(private, persons["name"]),
        "consignor_address": sellers["address"].scatter(private, persons["address"]),
        "consignor_country": _CODE.gather(consignor_loc),
        "consignor_id": sellers["id"].scatter(private, None),
        "consignor_aeo": sellers["aeo"].scatter(private, False),
        "consignee_name": consignees["name"].scatter(corporate, buyers["name"]),
        "consignee_address": consignees["address"].scatter(corporate, buyers["address"]),
        "consignee_country": _CODE.gather(dest),
        "consignee_id": _ids(rng, dest, 0.12).scatter(corporate, buyers["id"]),
        "consignee_aeo": pl.Series(np.zeros(n, dtype=bool)).scatter(corporate, buyers["aeo"]),
    }


def _placeholders(rng: np.random.Generator, parties: dict, chosen: np.ndarray) -> list[tuple[str, int, str]]:
    """A placeholder name or a missing address on one party of each chosen consignment."""
    field = _PLACEHOLDER_FIELD.take(rng, _zeros(len(chosen)))
    term = _PLACEHOLDER.take(rng, _zeros(len(chosen)))
    rows = []
    for column in _PLACEHOLDER_FIELD.values:
        at = field == column
        party, what = column.split("_")
        parties[column].scatter(chosen[at], term[at] if what == "name" else None)
        rows += [("placeholder_party", c, f"{party} name '{t}'" if what == "name" else f"{party} address missing")
                 for c, t in zip(chosen[at], term[at], strict=True)]
    return rows


def _lookalikes(rng: np.random.Generator, parties: dict, chosen: np.ndarray, listed: pl.DataFrame) -> list[tuple[str, int, str]]:
    """The consignor's or consignee's name replaced by a variant of a listed person or organisation."""
    entries = listed.filter(pl.col("kind") != "vessel").rows(named=True)
    taboo = {name.lower() for name in listed["name"]} | {
        alias.lower() for aliases in listed["aliases"].drop_nulls() for alias in aliases.split(";")}
    on_consignor = rng.random(len(chosen)) < 0.6
    rows, names = [], []
    for c, consignor in zip(chosen, on_consignor, strict=True):
        entry = entries[rng.integers(len(entries))]
        variant, how = _lookalike(rng, entry["name"], taboo)
        party = "consignor" if consignor else "consignee"
        names.append(variant)
        rows.append(("listed_party_lookalike", c,
                     f"{party} name '{variant}' is a variant ({how}) of watch-list entry {entry['id']} '{entry['name']}'"))
    names = np.array(names, dtype=object)
    parties["consignor_name"].scatter(chosen[on_consignor], pl.Series(names[on_consignor], dtype=pl.String))
    parties["consignee_name"].scatter(chosen[~on_consignor], pl.Series(names[~on_consignor], dtype=pl.String))
    return rows


def _references(rng: np.random.Generator, sub: np.ndarray) -> pl.Series:
    """'<prefix>-<number>', numbered per submitter in date order from a random start."""
    counts = np.bincount(sub, minlength=len(_SUBS))
    rank = np.empty(len(sub), dtype=np.int64)
    rank[np.argsort(sub, kind="stable")] = np.arange(len(sub)) - np.repeat(np.cumsum(counts) - counts, counts)
    number = rank + rng.integers(1_000_000, 5_000_000, len(_SUBS))[sub]
    return _SUB_PREFIX.gather(sub) + "-" + pl.Series(number).cast(pl.String).str.zfill(8)


def _dates(start: date, day: np.ndarray) -> pl.Series:
    return pl.Series((start - date(1970, 1, 1)).days + day, dtype=pl.Int32).cast(pl.Date)


def _truth_frame(rows: list[tuple[str, int, str]], references: pl.Series) -> pl.DataFrame:
    order = {problem: i for i, problem in enumerate(PROBLEMS)}
    rows = sorted(rows, key=lambda row: (int(row[1]), order[row[0]]))
    return pl.DataFrame({"reference": references.gather([int(c) for _, c, _ in rows]),
                         "problem": pl.Series([p for p, _, _ in rows], dtype=pl.String),
                         "detail": pl.Series([d for _, _, d in rows], dtype=pl.String)})


# The watch list and lookalike names.
_TRANSLIT = {spelling: [other for other in group.split("/") if other != spelling]
             for parts in cat.WATCH_PERSONS.values() for group in "|".join(parts).split("|") for spelling in group.split("/")}
_FORMS = sorted(cat.LEGAL_VARIANTS, key=len, reverse=True)


def _pick(rng: np.random.Generator, options: str) -> str:
    choices = options.split("|")
    return choices[rng.integers(len(choices))]


def _listed_person(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    country = _pick(rng, "|".join(cat.WATCH_PERSONS))
    spellings = [_pick(rng, part).split("/") for part in cat.WATCH_PERSONS[country]]
    name = " ".join(s[0] for s in spellings)
    aliases = [" ".join(s[-1] for s in spellings)] if rng.random() < 0.7 else []
    if rng.random() < 0.3:
        aliases.append(" ".join(s[0] for s in spellings[-1:] + spellings[:-1]))
    return name, aliases, country, "person"


def _listed_organization(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    country = _pick(rng, "|".join(cat.WATCH_ORGS))
    stem, industry, form = _pick(rng, cat.WATCH_STEMS), _pick(rng, cat.WATCH_INDUSTRIES), _pick(rng, cat.WATCH_ORGS[country])
    aliases = [f"{stem} {industry} {_pick(rng, cat.LEGAL_VARIANTS[form])}"] if rng.random() < 0.4 else []
    if rng.random() < 0.2:
        aliases.append(f"{stem} {_pick(rng, cat.WATCH_INDUSTRIES)} {form}")  # a former name
    return f"{stem} {industry} {form}", aliases, country, "organization"


def _listed_vessel(rng: np.random.Generator) -> tuple[str, list[str], str, str]:
    first, second = cat.VESSEL_WORDS
    aliases = [f"{_pick(rng, first)} {_pick(rng, second)}"] if rng.random() < 0.5 else []
    return f"{_pick(rng, first)} {_pick(rng, second)}", aliases, _pick(rng, cat.FLAGS), "vessel"


def _watchlist(rng: np.random.Generator) -> pl.DataFrame:
    """200 fictional listed parties: 100 persons, 85 organizations, 15 vessels."""
    lists = _one(_weighted(cat.LISTS))
    rows, seen = [], set()
    for make in (_listed_person,) * 100 + (_listed_organization,) * 85 + (_listed_vessel,) * 15:
        name, aliases, country, kind = make(rng)
        while name in seen:
            name, aliases, country, kind = make(rng)
        seen.add(name)
        aliases = [alias for alias in dict.fromkeys(aliases) if alias != name]
        rows.append((f"WL-{len(rows) + 1:04d}", name, ";".join(aliases) or None, country, kind, lists.take(rng, _zeros(1))[0]))
    return pl.DataFrame(rows, schema=["id", "name", "aliases", "country", "kind", "list"], orient="row")


def _split_form(name: str) -> tuple[list[str], str]:
    """Name tokens before the legal form, and the legal form ('' for none)."""
    form = next((f for f in _FORMS if name.endswith(" " + f)), "")
    return name[: len(name) - len(form)].split(), form


def _join(tokens: list[str], form: str) -> str:
    return " ".join(tokens + ([form] if form else []))


def _typo(rng: np.random.Generator, name: str) -> str:
    tokens, form = _split_form(name)
    i = max(range(len(tokens)), key=lambda k: (len(tokens[k]) >= 4, rng.random()))
    word = tokens[i]
    j = int(rng.integers(1, max(len(word) - 1, 2)))
    edits = [word[:j] + word[j + 1:], word[:j] + word[j] + word[j:], word[:j - 1] + word[j] + word[j - 1] + word[j + 1:]]
    tokens[i] = next(edit for edit in edits[int(rng.integers(3)):] + edits if edit != word)
    return _join(tokens, form)


def _token_order(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    return _join(tokens[-1:] + tokens[:-1], form) if len(tokens) > 1 else None


def _legal_form(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    return _join(tokens, _pick(rng, cat.LEGAL_VARIANTS[form])) if form else None


def _initial(rng: np.random.Generator, name: str) -> str | None:
    tokens, form = _split_form(name)
    if form:
        return None
    if len(tokens) < 3:
        return " ".join([tokens[0], f"{chr(65 + rng.integers(26))}.", *tokens[1:]])
    middle = [] if rng.random() < 0.5 else [tokens[1][0] + "."]
    return " ".join([tokens[0], *middle, *tokens[2:]])


def _transliteration(rng: np.random.Generator, name: str) -> str | None:
    tokens = name.split()
    variable = [i for i, token in enumerate(tokens) if _TRANSLIT.get(token)]
    if not variable:
        return None
    i = variable[rng.integers(len(variable))]
    tokens[i] = _TRANSLIT[tokens[i]][rng.integers(len(_TRANSLIT[tokens[i]]))]
    return " ".join(tokens)


_VARIATIONS = {"typo": _typo, "token order": _token_order, "legal form": _legal_form,
               "initial": _initial, "transliteration": _transliteration}


def _lookalike(rng: np.random.Generator, name: str, taboo: set[str]) -> tuple[str, str]:
    """A variant of `name` that is no listed name or alias, and how it was made."""
    while True:
        for how in rng.permutation(list(_VARIATIONS)):
            variant = _VARIATIONS[str(how)](rng, name)
            if variant and variant.lower() not in taboo:
                return variant, str(how)


def write_sample(n: int, seed: int, out: Path) -> dict[str, Path]:
    """Writes consignments to `out` (.parquet, .ndjson or .jsonl) and the truth and watch list as CSV beside it."""
    out = Path(out)
    writers = {".parquet": _write_parquet, ".ndjson": _write_ndjson, ".jsonl": _write_ndjson}
    if out.suffix.lower() not in writers:
        raise ValueError(f"cannot write consignments to {out.name!r}: the name must end in .parquet, .ndjson or .jsonl")
    consignments, truth, listed = generate(n, seed)
    paths = {"consignments": out, "truth": out.with_name(f"{out.stem}.truth.csv"), "watchlist": out.with_name(f"{out.stem}.watchlist.csv")}
    out.parent.mkdir(parents=True, exist_ok=True)
    writers[out.suffix.lower()](consignments, out)
    truth.write_csv(paths["truth"])
    listed.write_csv(paths["watchlist"])
    return paths


def _write_parquet(frame: pl.DataFrame, out: Path) -> None:
    """Row groups of 100,000 consignments, so readers can stream the file."""
    pq.write_table(frame.to_arrow(), out, row_group_size=100_000, compression="zstd")


def _write_ndjson(frame: pl.DataFrame, out: Path) -> None:
    """One JSON object a line, items as an array of objects, dates as ISO strings."""
    frame.write_ndjson(out)

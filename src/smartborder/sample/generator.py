"""Synthetic e-commerce consignments with planted problems in known proportions.

Every column is drawn with numpy for all rows at once; only the planted rows are visited one by one.
This module draws the goods, values and routes and plants the problems; the parties come from `parties`,
the watch list and lookalike names from `watchlist`, and the data tables from `catalogue`.
"""

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from smartborder import schema
from smartborder.sample import catalogue as cat
from smartborder.sample.parties import CODE, DESTINATION, LOC, LOCALES, SELLER, draw_parties, placeholders
from smartborder.sample.sampling import Choice, one, split, weighted, zeros
from smartborder.sample.watchlist import listed_parties, lookalikes

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

# Goods: ordinary trade draws ordinary and genuine branded goods; medical goods come only planted.
_PRODUCTS = cat.ORDINARY + cat.MEDICAL + cat.BRANDED
_MEDICAL = np.arange(len(cat.ORDINARY), len(cat.ORDINARY) + len(cat.MEDICAL))
_BRANDED = np.arange(len(cat.ORDINARY) + len(cat.MEDICAL), len(_PRODUCTS))
_DECOYED = np.array([i for i, p in enumerate(cat.ORDINARY) if p.decoy])
_TRADE = one([(i, p.weight) for i, p in enumerate(_PRODUCTS) if p.weight > 0])
_HS, _DECOY, _UNIT = (pl.Series([getattr(p, f) for p in _PRODUCTS]) for f in ("hs_code", "decoy", "unit"))
_UNIT_VALUE, _FAKE_VALUE, _UNIT_MASS = (np.array([getattr(p, f) for p in _PRODUCTS]) for f in ("unit_value", "fake_value", "unit_mass"))
_KGM = np.array([p.unit == "KGM" for p in _PRODUCTS])
_DESCRIPTION = Choice.uniform([split(p.descriptions) for p in _PRODUCTS])
_ORIGIN = Choice([weighted(p.origins) for p in _PRODUCTS])
_UNUSUAL = Choice([weighted(p.unusual or p.origins) for p in _PRODUCTS])
_VAGUE = Choice.uniform([split(cat.VAGUE_TERMS)])
_USUAL = {text: ", ".join(code for code, _ in weighted(p.origins)) for p in cat.BRANDED for text in split(p.descriptions)}

# Places of the routes, indexed by locale as in `parties`: offices of entry, warehouses, sellers' countries.
_OFFICE = Choice.uniform([cat.OFFICES.get(code, [""]) for code in LOCALES])
_WAREHOUSE = one([(LOC[code], w) for code, w in weighted(cat.WAREHOUSES)])
_SELLER_OF = {code: LOC[code] for code, _ in weighted(cat.SELLERS)}  # origin country -> consignor locale
_FAR = np.array([code in cat.FAR.split() for code in LOCALES])

# Submitters, transport and money.
_SUBS = cat.SUBMITTERS
_SUBMITTER = one([(i, s.share) for i, s in enumerate(_SUBS)])
_SUB_NAME, _SUB_PREFIX = pl.Series([s.name for s in _SUBS]), pl.Series([s.prefix for s in _SUBS])
_B2B, _NO_ARRIVAL = np.array([s.b2b for s in _SUBS]), np.array([s.no_arrival for s in _SUBS])
_UPPER, _GROSS_IS_NET = np.array([s.upper for s in _SUBS]), np.array([s.gross_is_net for s in _SUBS])
_BIAS = {"vague_description": np.array([s.vague for s in _SUBS]), "placeholder_party": np.array([s.placeholder for s in _SUBS])}
_MODES = list(cat.ARRIVAL_DAYS)
_MODE = Choice([[(_MODES.index(m), w) for m, w in weighted(s.modes)] for s in _SUBS])
_B2B_MODE = one([(_MODES.index(m), w) for m, w in weighted(cat.B2B_MODES)])
_ARRIVAL = np.array([cat.ARRIVAL_DAYS[m] for m in _MODES])
_TRANSIT = Choice([[(None if t == "-" else t.replace("|", " "), w) for t, w in weighted(cat.TRANSIT[m])] for m in _MODES])
_CURRENCIES = pl.Series(list(cat.RATES))
_CURRENCY = Choice([[(list(cat.RATES).index(c), w) for c, w in weighted(s.currencies)] for s in _SUBS])
_RATE = np.array(list(cat.RATES.values()))
_CARRIER = Choice.uniform([split(s.carriers) for s in _SUBS])
_PLATFORM = Choice.uniform([[p or None for p in s.platforms.split("|")] for s in _SUBS])
_N_ITEMS = one([(1, 72), (2, 17), (3, 7), (4, 4)])


def generate(n: int, seed: int = 0, start: date = date(2025, 1, 1), days: int = 90) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Returns (consignments, truth, watchlist)."""
    rng = np.random.default_rng(seed)
    listed = listed_parties(rng)
    head = _head(rng, n, days)
    planted = _plant(rng, head["sub"])
    goods = _goods(rng, head, planted)
    route = _route(rng, head, goods["origin"].gather(goods["first"]), start)
    parties = draw_parties(rng, head, route.pop("consignor_loc"))
    truth = _goods_truth(goods, planted) + placeholders(rng, parties, planted["placeholder_party"])
    truth += lookalikes(rng, parties, planted["listed_party_lookalike"], listed)
    references = _references(rng, head["sub"])
    consignments = pl.DataFrame({
        "submitter": _SUB_NAME.gather(head["sub"]), "reference": references, **route, **parties,
        "declared_date": _dates(start, head["day"]), "destination_country": CODE.gather(head["dest"]),
        "items": _item_lists(goods, head["sub"]),
    }).select(*schema.CONSIGNMENT_FIELDS, "items")
    return consignments, _truth_frame(truth, references), listed


def _head(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Submitter, size, date and destination of each consignment."""
    sub = _SUBMITTER.take(rng, zeros(n))
    b2b = rng.random(n) < _B2B[sub]
    n_items = np.where(b2b, rng.integers(1, 5, n), _N_ITEMS.take(rng, zeros(n)))
    return {"sub": sub, "b2b": b2b, "n_items": n_items, "day": np.sort(rng.integers(0, days, n)),
            "dest": DESTINATION.take(rng, zeros(n))}


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
        chosen = np.sort(np.argpartition(keys, k - 1)[:k]) if k else zeros(0)
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
    product = _TRADE.take(rng, zeros(m))
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
    description.scatter(vague, _VAGUE.pick(rng, zeros(len(vague))))
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
    consignor = np.where((seller >= 0) & (rng.random(n) < 0.85), seller, SELLER.take(rng, zeros(n)))
    departure = np.where((consignor == LOC["CN"]) & (rng.random(n) < 0.2), LOC["HK"], consignor)
    mode = np.where(b2b, _B2B_MODE.take(rng, zeros(n)), _MODE.take(rng, sub))
    mode[(mode == _MODES.index("rail")) & (departure != LOC["CN"])] = _MODES.index("road")
    trucked = (mode == _MODES.index("road")) & _FAR[departure]  # far sellers' stock leaves from a warehouse nearby
    departure[trucked] = _WAREHOUSE.take(rng, zeros(int(trucked.sum())))
    low, high = _ARRIVAL[mode].T
    arrival = _dates(start, head["day"] + rng.integers(low, high + 1)).scatter(
        np.flatnonzero(rng.random(n) < _NO_ARRIVAL[sub]), None)
    return {"consignor_loc": consignor, "transport_mode": pl.Series(_MODES).gather(mode), "carrier": _CARRIER.pick(rng, sub),
            "office": _OFFICE.pick(rng, head["dest"]), "expected_arrival": arrival, "departure_country": CODE.gather(departure),
            "transit_countries": _TRANSIT.pick(rng, mode), "platform": _PLATFORM.pick(rng, sub).scatter(np.flatnonzero(b2b), None)}


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

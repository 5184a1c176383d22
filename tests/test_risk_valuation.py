import math
import statistics
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from smartborder.quality.terms import usd_per_unit
from smartborder.risk.valuation import REFERENCE_SCHEMA, ValuationReference, learn_reference, undervaluation
from smartborder.sample.generator import generate
from smartborder.schema import ITEM_NO, KEY

ITEM_SCHEMA = {"hs_code": pl.String, "origin_country": pl.String, "value": pl.Float64, "currency": pl.String,
               "net_mass": pl.Float64, "gross_mass": pl.Float64, "quantity": pl.Float64}  # fmt: skip


def _items(rows: list[tuple]) -> pl.DataFrame:
    """Goods items (hs_code, origin, value, currency, net_mass, gross_mass, quantity), each its own consignment."""
    frame = pl.DataFrame(rows, schema=ITEM_SCHEMA, orient="row")
    return frame.with_columns(pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(KEY), pl.lit(1, pl.Int32).alias(ITEM_NO))


def _reference(*rows: tuple) -> ValuationReference:
    """A hand-made reference: rows of (hs6, origin or None, basis, median_usd, low_usd)."""
    table = pl.DataFrame([(h, o, b, 50, m, lo) for h, o, b, m, lo in rows], schema=REFERENCE_SCHEMA, orient="row")
    return ValuationReference(table, 20)


PHONES = _reference(
    ("851713", "CN", "kg", 120.0, 50.0),
    ("851713", None, "kg", 40.0, 15.0),
    ("851713", "CN", "unit", 60.0, 25.0),
    ("851713", None, "unit", 30.0, 10.0),
)
EUR = usd_per_unit()["EUR"]


def test_learning_gives_robust_statistics_and_drops_small_groups():
    per_kg_cn = [float(v) for v in range(10, 31)]  # 21 items, median 20
    rows = [("85171300", "CN", v * 1.5, "USD", 1.5, 1.8, 2.0) for v in per_kg_cn]
    rows += [("851713", "VN", 100.0, "USD", 1.0, 1.2, 1.0)] * 5  # too few for a group of their own
    rows += [("851713", "CN", 0.0, "USD", 1.0, 1.2, 1.0), ("851713", "CN", None, "USD", 1.0, 1.2, 1.0),  # no value
             ("851713", "CN", 50.0, "XXX", 1.0, 1.2, 1.0), ("851713", "CN", 50.0, "USD", None, 0.0, None)]  # fmt: skip
    reference = learn_reference(_items(rows), min_observations=20)
    table = {(r["hs6"], r["origin_country"], r["basis"]): r for r in reference.table.iter_rows(named=True)}

    assert set(table) == {("851713", "CN", "kg"), ("851713", "CN", "unit"), ("851713", None, "kg"), ("851713", None, "unit")}
    cn_kg = table["851713", "CN", "kg"]
    assert cn_kg["n"] == 21 and cn_kg["median_usd"] == pytest.approx(20.0)
    logs = [math.log(v) for v in per_kg_cn]
    mad = statistics.median(abs(x - statistics.median(logs)) for x in logs)
    assert cn_kg["low_usd"] == pytest.approx(math.exp(statistics.median(logs) - 3 * 1.4826 * mad))
    assert table["851713", "CN", "unit"]["median_usd"] == pytest.approx(15.0)  # 1.5 kg at 20 USD/kg, for 2 units
    assert table["851713", None, "kg"]["n"] == 26
    assert table["851713", None, "kg"]["median_usd"] == pytest.approx(22.5)  # middle of 10..30 and five at 100
    assert learn_reference(_items(rows), min_observations=22).table.filter(pl.col("origin_country") == "CN").is_empty()


def test_an_item_at_a_tenth_of_the_usual_value_is_flagged():
    batch = _items([
        ("851713", "CN", 12.0, "EUR", 1.2, 1.4, 1.0),  # about 9 % of 144 USD
        ("851713", "CN", 0.8 * 144 / EUR, "EUR", 1.2, 1.4, 1.0),  # 80 %
    ])  # fmt: skip
    found = undervaluation(batch, PHONES)

    assert found[KEY].to_list() == [1]
    row = found.row(0, named=True)
    assert row[ITEM_NO] == 1 and row["hs6"] == "851713" and row["origin_country"] == "CN" and row["basis"] == "kg"
    assert row["declared_usd"] == pytest.approx(12.0 * EUR)
    assert row["expected_usd"] == pytest.approx(144.0)
    assert row["ratio_to_expected"] == pytest.approx(12.0 * EUR / 144.0)
    assert row["message"] == "declared 12.00 EUR (12 USD), about 9 % of the usual 144 USD for 1.2 kg of HS 851713 from CN"


def test_an_item_must_be_below_both_the_ratio_and_the_lower_bound():
    lenient = _reference(("851713", "CN", "kg", 120.0, 20.0))
    batch = _items([("851713", "CN", 24.0, "USD", 1.0, 1.2, 1.0), ("851713", "CN", 19.0, "USD", 1.0, 1.2, 1.0)])
    assert undervaluation(batch, lenient)[KEY].to_list() == [2]  # 24 < 0.3 x 120 but above the bound of 20
    assert undervaluation(batch, lenient, ratio=0.1).is_empty()


def test_the_origin_reference_is_preferred_and_all_origins_is_the_fallback():
    batch = _items([
        ("851713", "CN", 20.0, "USD", 1.0, 1.2, 1.0),  # low for China (120/kg), not for all origins (40/kg)
        ("851713", "VN", 20.0, "USD", 1.0, 1.2, 1.0),  # no reference for Viet Nam: 20 of 40 is fine
        ("851713", "VN", 5.0, "USD", 2.0, 2.2, 1.0),  # 5 of 80 is not
        ("851713", None, 5.0, "USD", 2.0, 2.2, 1.0),
        ("999999", "CN", 0.01, "USD", 2.0, 2.2, 1.0),  # no reference at all
    ])  # fmt: skip
    found = undervaluation(batch, PHONES)

    assert found[KEY].to_list() == [1, 3, 4]
    assert found["expected_usd"].to_list() == pytest.approx([120.0, 80.0, 80.0])
    assert found["message"][1].endswith("of the usual 80 USD for 2 kg of HS 851713 from VN")
    assert found["message"][2].endswith("for 2 kg of HS 851713")


def test_per_unit_basis_when_there_is_no_mass():
    batch = _items([("85171300", "CN", 9.0, "USD", None, None, 3.0), ("851713", "CN", 9.0, "USD", 0.0, None, None)])
    found = undervaluation(batch, PHONES)

    assert found[KEY].to_list() == [1]
    assert found["basis"][0] == "unit" and found["expected_usd"][0] == pytest.approx(180.0)
    assert found["message"][0] == "declared 9.00 USD, about 5 % of the usual 180 USD for 3 units of HS 851713 from CN"


def test_values_are_converted_to_usd():
    batch = _items([("851713", "CN", 100.0, "CNY", 1.0, 1.2, 1.0), ("851713", "CN", 100.0, "USD", 1.0, 1.2, 1.0)])
    found = undervaluation(batch, PHONES)

    assert found[KEY].to_list() == [1]
    assert found["declared_usd"][0] == pytest.approx(100.0 * usd_per_unit()["CNY"])
    assert found["message"][0].startswith("declared 100.00 CNY (14 USD), about 11 % of the usual 120 USD")


def test_a_reference_survives_save_and_load(tmp_path):
    rows = [("851713", "CN", float(v), "USD", 1.0, 1.2, 1.0) for v in range(10, 40)]
    reference = learn_reference(_items(rows), min_observations=25)
    reference.save(tmp_path / "valuation.parquet")
    loaded = ValuationReference.load(tmp_path / "valuation.parquet")

    assert loaded.min_observations == 25
    assert_frame_equal(loaded.table, reference.table)
    assert loaded.table.height == 4


def test_a_large_batch_is_assessed_quickly():
    n = 200_000
    i = pl.int_range(n, dtype=pl.Int64)
    batch = pl.select(
        (i + 1).alias(KEY), pl.lit(1, pl.Int32).alias(ITEM_NO), pl.lit("851713").alias("hs_code"),
        pl.when(i % 3 == 0).then(pl.lit("CN")).when(i % 3 == 1).then(pl.lit("VN")).otherwise(None).alias("origin_country"),
        pl.when(i % 10 == 0).then(5.0).otherwise(150.0).alias("value"), pl.lit("USD").alias("currency"),
        pl.lit(1.0).alias("net_mass"), pl.lit(1.2).alias("gross_mass"), pl.lit(1.0).alias("quantity"),
    )  # fmt: skip
    start = time.perf_counter()
    found = undervaluation(batch, PHONES)
    elapsed = time.perf_counter() - start

    assert found.height == n // 10  # 5 USD is low whatever the reference; 150 never is
    assert elapsed < 2.0


def _goods_items(consignments: pl.DataFrame) -> pl.DataFrame:
    return (
        consignments.with_row_index(KEY)
        .with_columns(pl.col(KEY).cast(pl.Int64))
        .explode("items")
        .unnest("items")
        .with_columns((pl.int_range(pl.len()).over(KEY) + 1).cast(pl.Int32).alias(ITEM_NO))
    )


def test_planted_undervaluation_is_found_in_generated_data():
    history, _, _ = generate(50_000, seed=1)
    consignments, truth, _ = generate(50_000, seed=2)
    reference = learn_reference(_goods_items(history))
    batch = _goods_items(consignments)
    found = undervaluation(batch, reference)

    flagged = set(batch.join(found.select(KEY).unique(), on=KEY)["reference"])
    undervalued = set(truth.filter(pl.col("problem") == "undervaluation")["reference"])
    clean = set(consignments["reference"]) - set(truth["reference"])
    recall = len(undervalued & flagged) / len(undervalued)
    false_alarms = len(clean & flagged) / len(clean)
    print(f"recall {recall:.3f}, flagged without a planted problem {false_alarms:.4%}")
    assert recall >= 0.6
    assert false_alarms < 0.03

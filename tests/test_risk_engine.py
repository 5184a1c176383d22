from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from smartborder.cli import app
from smartborder.risk.engine import EVIDENCE, Context, assess, combine
from smartborder.risk.lists import Lists, ListSpec, NamedList
from smartborder.risk.screening import Party, WatchList
from smartborder.schema import ITEM_NO, KEY

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-synthetic-declarations"


def _consignments(n: int, **columns) -> pl.DataFrame:
    base = {KEY: list(range(1, n + 1)), "submitter": ["S"] * n, "reference": [f"R{i}" for i in range(1, n + 1)], "rfi": [False] * n, "rfi_request": [None] * n,
            "consignor_aeo": [False] * n, "consignee_aeo": [False] * n, "consignor_id": [None] * n, "consignee_id": [None] * n}  # fmt: skip
    return pl.DataFrame(base | columns, schema_overrides={"rfi_request": pl.String, "consignor_id": pl.String, "consignee_id": pl.String})


def _evidence(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EVIDENCE, orient="row")


def test_scores_combine_and_lanes_follow_floors_and_scores():
    evidence = _evidence(
        (1, "profile:A", 0.5, None, "A"), (1, "profile:B", 0.6, None, "B"),  # 1 - 0.5 * 0.4 = 0.8: red by score
        (2, "profile:C", 0.1, "hold", "C"),  # a floor outranks a low score
        (3, "valuation", 0.35, "yellow", "V"),
    )  # fmt: skip
    result = combine(_consignments(4), evidence, frozenset())
    assert result.select("risk_score", "lane").rows() == [(0.8, "red"), (0.1, "hold"), (0.35, "yellow"), (0.0, "green")]
    assert result["reasons"][0] == "B; A"  # strongest first


def test_trusted_traders_get_facilitation_but_never_below_a_hold():
    evidence = _evidence((1, "p", 0.8, None, "red by score"), (2, "p", 0.9, "hold", "sanctioned"), (3, "p", 0.8, None, "red by score"))
    result = combine(_consignments(3, consignee_aeo=[True, True, False], consignor_id=[None, None, "TRUSTED-1"]), evidence, frozenset({"TRUSTED-1"}))
    assert result.select("risk_score", "lane").rows() == [(0.4, "yellow"), (0.45, "hold"), (0.4, "yellow")]
    assert all("trusted trader (AEO): facilitation" in r for r in result["reasons"])


def test_data_too_poor_to_assess_gets_an_rfi_unless_held():
    evidence = _evidence((2, "p", 0.9, "hold", "sanctioned"))
    result = combine(_consignments(2, rfi=[True, True], rfi_request=["'gift' does not say what the goods are"] * 2), evidence, frozenset())
    assert result["lane"].to_list() == ["rfi", "hold"]
    assert result["reasons"][0] == "request for information: 'gift' does not say what the goods are"
    assert result["rfi"][0] == "'gift' does not say what the goods are"


def test_a_listed_party_is_held_with_the_list_entry_as_reason():
    spec = ListSpec(name="sanctions", kind="party", file="-", source="test list", date=date(2025, 1, 1), lane="hold", weight=0.9)
    lists = Lists({"sanctions": NamedList(spec, parties=WatchList([Party("S-1", ("Orion Trading LLC",), "AE", "organization")]))})
    items = pl.DataFrame({KEY: [1, 2], ITEM_NO: [1, 1], "submitter": ["S", "S"], "reference": ["A", "B"], "consignor_name": ["Orion Trading L.L.C.", "Anna Schmidt"],
                          "consignor_country": ["AE", "DE"], "hs_code": ["851713", "610910"]})  # fmt: skip
    result = assess(items, Context([], lists))
    assert result["lane"].to_list() == ["hold", "green"]
    assert "consignor matches sanctions entry S-1" in result["reasons"][0] and "list test list" in result["reasons"][0]


@pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")
def test_assess_command_on_kcs_with_valuation_and_capacity(embedded_settings, tmp_path):
    runner = CliRunner()
    mapping = str(ROOT / "examples" / "kcs" / "mapping.yaml")
    learnt = runner.invoke(app, ["valuation", "learn", str(KCS / "train.csv"), "--mapping", mapping, "--out", str(tmp_path / "ref.parquet")])
    assert learnt.exit_code == 0, learnt.output
    out = tmp_path / "assessed.parquet"
    result = runner.invoke(app, ["assess", str(KCS / "valid.csv"), "--mapping", mapping, "--valuation", str(tmp_path / "ref.parquet"),
                                 "--out", str(out), "--red", "0.02", "--yellow", "0.05"])  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.height == 8_134 and {"reference", "risk_score", "lane", "reasons", "rfi", "selected_by"} <= set(frame.columns)
    by_risk = frame.filter(pl.col("selected_by") == "risk")
    assert by_risk.filter(pl.col("lane") == "red").height <= int(0.02 * 8_134)
    assert frame.filter(pl.col("selected_by") == "random_control").height == int(0.005 * 8_134)
    assert frame.filter(pl.col("reasons").str.contains("valuation: item 1: declared")).height > 0


def test_assess_store_ingests_and_records_each_assessment(settings, tmp_path):
    from sqlalchemy import select

    from factories import row, write_csv
    from smartborder.store.db import open_store
    from smartborder.store.tables import assessments, consignments

    path = write_csv(tmp_path / "in.csv", [row("A"), row("B", description="gift"), row("C", currency="XXX-bad")])
    result = CliRunner().invoke(app, ["assess", str(path), "--out", str(tmp_path / "out.csv"), "--store"])
    assert result.exit_code == 0, result.output
    assert "2 assessments recorded in the store" in result.output
    engine = open_store(settings)
    with engine.connect() as conn:
        stored = conn.execute(select(consignments.c.reference, assessments.c.lane).join(assessments).order_by(consignments.c.reference)).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == [("A", "green"), ("B", "rfi")]


def test_missing_inputs_are_one_clear_error(embedded_settings, tmp_path):
    from factories import row, write_csv

    runner = CliRunner()
    path = write_csv(tmp_path / "in.csv", [row("A")])
    no_reference = runner.invoke(app, ["assess", str(path), "--out", str(tmp_path / "o.csv"), "--valuation", str(tmp_path / "none.parquet")])
    assert no_reference.exit_code == 2 and "no valuation reference there" in " ".join(no_reference.output.split())
    empty_store = runner.invoke(app, ["valuation", "learn", "--out", str(tmp_path / "ref.parquet")])
    assert empty_store.exit_code == 2 and "no goods items to learn from" in " ".join(empty_store.output.split())
    no_lists = runner.invoke(app, ["assess", str(path), "--out", str(tmp_path / "o.csv"), "--watchlists", str(tmp_path)])
    assert no_lists.exit_code == 2 and "no watchlists.yaml" in " ".join(no_lists.output.split())

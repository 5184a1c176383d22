"""The learning loop: leakage-free party history, deterministic training, metrics, saved models, KCS end to end."""

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from smartborder.config import Settings
from smartborder.learn.dataset import KNOWN_AT, LABEL, labelled
from smartborder.learn.evaluate import metrics
from smartborder.learn.features import PRIOR_STRENGTH, build
from smartborder.learn.model import RiskModel
from smartborder.schema import KEY, with_all_fields

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-synthetic-declarations"
MAPPING = ROOT / "examples" / "kcs" / "mapping.yaml"
DAY = date(2021, 3, 1)


def consignments(importers: list[str], days: list[int], labels: list[int], **columns) -> pl.DataFrame:
    """Labelled consignments, one per entry, declared (and inspected) `days` after DAY."""
    n = len(importers)
    dates = [DAY + timedelta(days=d) for d in days]
    frame = pl.DataFrame({
        KEY: range(n), "submitter": ["DECL"] * n, "reference": [f"R{i}" for i in range(n)], "declared_date": dates,
        "consignee_id": importers, "hs_code": ["610910"] * n, "net_mass": [1.0] * n, "value": [100.0] * n,
        "departure_country": ["CN"] * n, "origin_country": ["CN"] * n, LABEL: labels, KNOWN_AT: dates, **columns,
    }, schema_overrides={LABEL: pl.Int8})  # fmt: skip
    return with_all_fields(frame)


def test_party_history_uses_only_outcomes_of_earlier_days():
    # P's only non-compliance is on day 2; nothing is known before day 1; Q's row is on day 2 too.
    frame = consignments(["P", "P", "P", "Q"], [1, 2, 2, 2], [0, 1, 0, 0])
    features = build(frame, frame)
    count, rate = features["importer_count"].to_list(), features["importer_rate"].to_list()
    assert count[0] == 0 and rate[0] == pytest.approx(0.5)  # no history: the (Laplace) prior itself
    prior_day2 = (0 + 1) / (1 + 2)  # one outcome known before day 2, compliant
    for i in (1, 2):  # same-day rows see neither their own outcome nor each other's
        assert count[i] == 1
        assert rate[i] == pytest.approx(PRIOR_STRENGTH * prior_day2 / (1 + PRIOR_STRENGTH))
    assert count[3] == 0 and rate[3] == pytest.approx(prior_day2)
    assert features["seller_count"].null_count() == 4  # no seller declared: no history either


def synthetic(n: int = 800, seed: int = 1) -> pl.DataFrame:
    """Consignments over 300 days where three importers and low values are risky."""
    rng = np.random.default_rng(seed)
    importers = rng.choice([f"I{i}" for i in range(40)], n)
    value = rng.lognormal(5, 1, n)
    risk = 0.1 + 0.6 * np.isin(importers, ["I1", "I2", "I3"]) + 0.2 * (value < 80)
    frame = consignments(list(importers), sorted(rng.integers(0, 300, n).tolist()), (rng.random(n) < risk).astype(int).tolist(),
                         tax_rate=rng.choice([f"{r:.1f}" for r in np.linspace(0, 30, 61)], n).tolist(),
                         import_type=rng.choice(["11", "15"], n).tolist())  # fmt: skip
    return frame.with_columns(pl.Series("value", value), pl.Series("office", rng.choice(["A", "B", "C"], n)))


def test_training_is_deterministic_for_a_seed():
    frame = synthetic()
    first, second = RiskModel.fit(frame, seed=3), RiskModel.fit(frame, seed=3)
    assert np.array_equal(first.predict(frame), second.predict(frame))
    assert first.info["version"] == second.info["version"]


def test_metrics_on_a_known_ranking():
    labels = [1, 0, 1, 1, 1] + [0] * 95
    scores = list(range(100, 0, -1))  # already in descending order
    result = metrics(labels, scores, revenue=[1.0] * 100)
    assert [result[f"precision_{p}"] for p in (1, 2, 5, 10)] == [1.0, 0.5, 0.8, 0.4]
    assert [result[f"recall_{p}"] for p in (1, 2, 5, 10)] == [0.25, 0.25, 1.0, 1.0]
    assert result["revenue_1"] == 0.25
    assert result["roc_auc"] == pytest.approx((96 + 3 * 95) / (4 * 96))


def test_a_saved_model_loads_and_predicts_the_same(tmp_path):
    frame = synthetic()
    model = RiskModel.fit(frame, seed=0)
    model.save(tmp_path / "model")
    loaded = RiskModel.load(tmp_path / "model")
    assert np.array_equal(model.predict(frame), loaded.predict(frame))
    assert loaded.info == model.info and loaded.spec == model.spec
    assert set(loaded.spec.categorical) >= {"import_type", "office", "hs_subheading"} and "tax_rate" not in loaded.spec.categorical
    reasons = loaded.explain(frame.head(5))
    assert len(reasons) == 5 and all(isinstance(r, str) for row in reasons for r in row)


@pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")
def test_kcs_first_weeks_rank_fraud_better_than_chance(tmp_path):
    head = tmp_path / "train_head.csv"
    pl.read_csv(KCS / "train.csv", infer_schema=False).head(3000).write_csv(head)
    frame = labelled(head, MAPPING, Settings(data_dir=tmp_path))
    assert frame.height == 3000 and {"tax_rate", "import_type"} <= set(frame.columns)
    model = RiskModel.fit(frame, seed=0)
    assert model.info["out_of_time_metrics"]["roc_auc"] > 0.6


@pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")
def test_assess_with_a_model_gives_its_probability_and_reasons(embedded_settings, tmp_path):
    from typer.testing import CliRunner

    from smartborder.cli import app

    mapping = str(ROOT / "examples" / "kcs" / "mapping.yaml")
    history, fresh = tmp_path / "history.csv", tmp_path / "fresh.csv"
    rows = pl.read_csv(KCS / "train.csv", infer_schema=False)
    rows.head(3000).write_csv(history)
    rows.slice(3000, 300).drop("Fraud", "Critical Fraud").write_csv(fresh)  # new declarations: no outcome columns
    runner = CliRunner()
    trained = runner.invoke(app, ["train", str(history), "--mapping", mapping, "--out", str(tmp_path / "model")])
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "assessed.csv"
    result = runner.invoke(app, ["assess", str(fresh), "--mapping", mapping, "--model", str(tmp_path / "model"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assessed = pl.read_csv(out)
    assert assessed.height == 300
    assert assessed["reasons"].str.contains(r"^model 0\.1\.0\+\S+: probability 0\.\d+").all()
    assert assessed["risk_score"].n_unique() > 10  # the model ranks, it does not give one score to all


def test_training_registers_models_and_a_challenger_can_be_promoted(settings, tmp_path):
    from typer.testing import CliRunner

    from smartborder.cli import app
    from smartborder.learn.registry import CHALLENGER, CHAMPION, RETIRED, register, registered
    from smartborder.store.db import open_store

    engine = open_store(settings)
    first = {"version": "0.1.0+20250101.aaaa", "training_window": ["2024-01-01", "2024-12-31"], "out_of_time_metrics": {"precision_5": 0.9}}
    second = first | {"version": "0.1.0+20250201.bbbb"}
    assert register(engine, tmp_path / "m1", first) == CHAMPION
    assert register(engine, tmp_path / "m2", second) == CHALLENGER
    assert register(engine, tmp_path / "m2", second) == CHALLENGER  # the same version twice changes nothing
    result = CliRunner().invoke(app, ["models", "promote", second["version"]])
    assert result.exit_code == 0, result.output
    assert dict(registered(engine).select("version", "status").iter_rows()) == {first["version"]: RETIRED, second["version"]: CHAMPION}
    unknown = CliRunner().invoke(app, ["models", "promote", "nope"])
    assert unknown.exit_code == 2 and "no model 'nope' in the register" in unknown.output
    engine.dispose()


@pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")
def test_training_from_the_store_uses_stored_outcomes(embedded_settings, tmp_path):
    from typer.testing import CliRunner

    from smartborder.cli import app

    history = tmp_path / "history.csv"
    pl.read_csv(KCS / "train.csv", infer_schema=False).head(3000).write_csv(history)
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", str(history), "--mapping", str(ROOT / "examples" / "kcs" / "mapping.yaml")])
    assert ingested.exit_code == 0, ingested.output
    trained = runner.invoke(app, ["train", "--out", str(tmp_path / "model")])
    assert trained.exit_code == 0, trained.output
    assert "registered as champion" in trained.output
    assert json.loads((tmp_path / "model" / "model.json").read_text())["consignments"] == 3000  # every stored outcome


@pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")
def test_outcomes_import_records_once_and_rejects_unknown_consignments(settings, tmp_path):
    from sqlalchemy import func, select
    from typer.testing import CliRunner

    from smartborder.cli import app
    from smartborder.store.db import open_store
    from smartborder.store.tables import outcomes

    mapping = str(ROOT / "examples" / "kcs" / "mapping.yaml")
    rows = pl.read_csv(KCS / "train.csv", infer_schema=False).head(200)
    declarations, results = tmp_path / "declarations.csv", tmp_path / "results.csv"
    rows.drop("Fraud", "Critical Fraud").write_csv(declarations)
    rows.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("NOT-STORED")).otherwise(pl.col("Declaration ID")).alias("Declaration ID")).write_csv(results)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(declarations), "--mapping", mapping]).exit_code == 0
    first = runner.invoke(app, ["outcomes", "import", str(results), "--mapping", mapping, "--rejects", str(tmp_path / "r.csv")])
    assert first.exit_code == 0, first.output
    assert "200 rows read: 199 outcomes recorded, 0 already known, 1 rejected" in " ".join(first.output.split())
    assert "no stored consignment 'NOT-STORED'" in (tmp_path / "r.csv").read_text()
    again = runner.invoke(app, ["outcomes", "import", str(results), "--mapping", mapping])
    assert "0 outcomes recorded, 199 already known" in " ".join(again.output.split())
    engine = open_store(settings)
    with engine.connect() as conn:
        by_result = dict(conn.execute(select(outcomes.c.result, func.count()).group_by(outcomes.c.result)).all())
    engine.dispose()
    expected = rows.head(200).filter(pl.int_range(pl.len()) != 7)["Critical Fraud"].value_counts()
    assert sum(by_result.values()) == 199 and by_result["no_finding"] == expected.filter(pl.col("Critical Fraud") == "0")["count"][0]


def test_evaluate_reports_revenue_recovered_when_outcomes_carry_extra_duty(embedded_settings, tmp_path):
    import yaml
    from typer.testing import CliRunner

    from smartborder.cli import app

    rng = np.random.default_rng(5)
    n = 1_500
    days = [date(2024, 1, 1) + timedelta(days=int(d)) for d in np.sort(rng.integers(0, 200, n))]
    risky = rng.random(n) < 0.3
    fraud = rng.random(n) < np.where(risky, 0.7, 0.05)
    frame = pl.DataFrame({
        "ref": [f"R{i}" for i in range(n)], "day": days, "hs": np.where(risky, "851713", "610910"), "country": "CN",
        "value": rng.uniform(5, 500, n).round(2), "kg": rng.uniform(0.1, 5, n).round(2), "importer": [f"I{i % 97}" for i in range(n)],
        "found": np.where(fraud, "non_compliance", "no_finding"), "duty": np.where(fraud, rng.uniform(10, 100, n).round(2), 0.0),
        "officer": "O. Kowalska",
    })  # fmt: skip
    frame.write_csv(tmp_path / "labelled.csv")
    mapping = {
        "fields": {"submitter": {"value": "S"}, "reference": "ref", "declared_date": "day", "destination_country": {"value": "DE"},
                   "hs_code": "hs", "origin_country": "country", "value": "value", "currency": {"value": "EUR"}, "net_mass": "kg",
                   "consignee_id": "importer"},
        "outcome": {"result": "found", "extra_duty": "duty", "officer": "officer"},
    }  # fmt: skip
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(mapping))
    runner = CliRunner()
    args = ["--mapping", str(tmp_path / "m.yaml")]
    assert runner.invoke(app, ["train", str(tmp_path / "labelled.csv"), *args, "--out", str(tmp_path / "model")]).exit_code == 0
    result = runner.invoke(app, ["evaluate", str(tmp_path / "labelled.csv"), *args, "--model", str(tmp_path / "model"), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert 0.15 < scores["revenue_10"] <= 1  # the top tenth by risk holds well over a tenth of the duty at stake
    assert scores["revenue_5"] <= scores["revenue_10"]
    spec = json.loads((tmp_path / "model" / "features.json").read_text())
    assert "revenue" not in json.dumps(spec) and "duty" not in json.dumps(spec)  # an outcome is never a feature

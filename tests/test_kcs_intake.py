"""The public KCS synthetic declarations ingest completely with the shipped mapping."""

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from smartborder.intake.pipeline import ingest
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, outcomes, quality_findings

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-synthetic-declarations"
MAPPING = ROOT / "examples" / "kcs" / "mapping.yaml"

pytestmark = pytest.mark.skipif(not KCS.is_dir(), reason=f"KCS data not found at {KCS}")


def test_the_whole_training_file_is_accepted(settings):
    engine = open_store(settings)
    summary = ingest(KCS / "train.csv", engine, settings, MAPPING)
    assert (summary.rows_read, summary.accepted, summary.rejected_rows) == (37_385, 37_385, 0)
    assert summary.outcomes == 37_385
    with engine.connect() as conn:
        by_result = dict(conn.execute(select(outcomes.c.result, func.count()).group_by(outcomes.c.result)).all())
        zero_mass = conn.execute(select(func.count()).where(quality_findings.c.code == "mass_zero")).scalar_one()
        zero_value = conn.execute(select(func.count()).where(quality_findings.c.code == "value_zero")).scalar_one()
        hs2017_only = conn.execute(select(func.count()).where(quality_findings.c.code == "hs_code_not_in_force")).scalar_one()
        extra = conn.execute(select(consignments.c.extra).limit(1)).scalar_one()
    assert by_result == {"no_finding": 29_271, "non_compliance": 7_720, "seizure": 394}
    assert (zero_mass, zero_value) == (285, 358)
    assert hs2017_only == 0  # 2020 declarations: HS 2017 was in force, so its codes are valid
    assert '"tax_rate"' in extra and '"import_type"' in extra
    engine.dispose()


def test_new_declarations_without_outcome_columns_use_the_same_mapping(settings, tmp_path):
    fresh = tmp_path / "new.csv"
    pl.read_csv(KCS / "valid.csv", infer_schema=False).head(500).drop("Fraud", "Critical Fraud").write_csv(fresh)
    engine = open_store(settings)
    summary = ingest(fresh, engine, settings, MAPPING)
    assert (summary.accepted, summary.rejected_rows, summary.outcomes) == (500, 0, 0)
    engine.dispose()

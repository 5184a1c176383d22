"""Generated sample data goes through intake whole, and the data-quality findings recover the
problems the generator planted (its truth file), without flagging clean consignments."""

import polars as pl
import pytest
from sqlalchemy import select

from smartborder.intake.pipeline import ingest
from smartborder.sample.generator import write_sample
from smartborder.store.db import open_store
from smartborder.store.tables import consignments, quality_findings

N = 4_000
# planted problem -> the findings that reveal it
REVEALED_BY = {
    "vague_description": {"description_vague"},
    "placeholder_party": {"party_name_placeholder", "party_address_placeholder", "consignee_address_missing", "consignor_address_missing",
                          "consignee_name_missing", "consignor_name_missing"},
    "zero_value": {"value_zero", "value_token"},
}  # fmt: skip


@pytest.mark.parametrize("suffix", [".parquet", ".ndjson"])
def test_sample_is_ingested_whole_and_planted_quality_problems_are_found(settings, tmp_path, suffix):
    paths = write_sample(N, seed=11, out=tmp_path / f"sample{suffix}")
    engine = open_store(settings)
    summary = ingest(paths["consignments"], engine, settings)
    assert (summary.rows_read, summary.accepted, summary.rejected_rows) == (N, N, 0)

    with engine.connect() as conn:
        found = pl.DataFrame(
            conn.execute(select(consignments.c.reference, quality_findings.c.code, quality_findings.c.severity)
                         .join(quality_findings, isouter=True)).all(),
            schema={"reference": pl.String, "code": pl.String, "severity": pl.Float64}, orient="row",
        )  # fmt: skip
    engine.dispose()
    truth = pl.read_csv(paths["truth"])
    for problem, codes in REVEALED_BY.items():
        planted = set(truth.filter(pl.col("problem") == problem)["reference"])
        revealed = set(found.filter(pl.col("code").is_in(list(codes)))["reference"]) & planted
        assert len(revealed) / len(planted) >= 0.95, f"{problem}: {len(revealed)} of {len(planted)} found"
    clean = set(found["reference"]) - set(truth["reference"])
    asked = set(found.filter(pl.col("severity") >= settings.rfi_severity)["reference"]) & clean
    assert len(asked) / len(clean) < 0.01, f"{len(asked)} of {len(clean)} clean consignments got an RFI"

"""Importing inspection outcomes for consignments already in the store: what officers found,
from a file mapped like any other (its `outcome` section), matched by submitter and reference."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, insert, select

from smartborder.config import Settings
from smartborder.intake import errors as E
from smartborder.intake.mapping import load_mapping, map_columns, resolve
from smartborder.intake.pipeline import RejectsFile
from smartborder.intake.readers import detect_format, read_batches
from smartborder.intake.validate import typed, validate
from smartborder.schema import ROW
from smartborder.store.consignments import current_ids
from smartborder.store.tables import outcomes

KEYS = ("submitter", "reference")
UNKNOWN_CONSIGNMENT = "unknown_consignment"
SAME = ["consignment_id", "result", "inspected_at", "finding_kind"]  # an outcome recorded twice is the same outcome


@dataclass
class OutcomeImport:
    rows_read: int = 0
    recorded: int = 0
    already_known: int = 0
    rejected_rows: int = 0
    rejects_path: Path | None = None


def import_outcomes(path: Path, engine: Engine, settings: Settings, mapping_path: Path | None, submitter: str | None = None,
                    rejects_path: Path | None = None) -> OutcomeImport:  # fmt: skip
    mapping = load_mapping(mapping_path)
    if not mapping.outcome:
        raise E.IntakeError(f"{mapping_path or 'the default mapping'}: no `outcome` section saying where the results are")
    fmt = mapping.format or detect_format(path)
    summary = OutcomeImport(rejects_path=rejects_path or settings.data_dir / "rejects" / f"{path.stem}.outcomes.rejects.csv")
    rejects_file = RejectsFile(summary.rejects_path)
    try:
        for batch in read_batches(path, fmt, settings.batch_size, mapping.encoding, mapping.delimiter):
            resolved = resolve(mapping, [c for c in batch.frame.columns if c != ROW], submitter, required=KEYS)
            if not resolved.outcome:
                raise E.IntakeError(f"{path}: the outcome columns of the mapping are missing ({', '.join(resolved.absent)})")
            resolved = resolved.model_copy(update={"fields": {k: v for k, v in resolved.fields.items() if k in KEYS}})
            frame, unparseable = typed(map_columns(batch.frame, resolved), resolved)
            no_result = frame.filter(pl.col("outcome_result").is_null()).select(
                E.rejects(pl.col(ROW), "outcome_result", E.MISSING, "the inspection result is required", pl.col("reference"))
            )  # fmt: skip
            rejects = pl.concat([batch.malformed, unparseable, validate(frame), no_result])
            good = frame.join(rejects.select(ROW).unique(), on=ROW, how="anti")
            matched = good.join(current_ids(engine, good.select(KEYS)), on=list(KEYS), how="left")
            unknown = matched.filter(pl.col("consignment_id").is_null()).select(
                E.rejects(pl.col(ROW), "reference", UNKNOWN_CONSIGNMENT,
                          pl.format("no stored consignment '{}' from '{}': ingest it first", "reference", "submitter"), pl.col("reference"))
            )  # fmt: skip
            summary.rows_read += batch.frame[ROW].n_unique() + batch.malformed.height
            summary.rejected_rows += pl.concat([rejects, unknown])[ROW].n_unique()
            rejects_file.write(pl.concat([rejects, unknown]).sort(ROW))
            _record(engine, path, matched.filter(pl.col("consignment_id").is_not_null()), summary)
    finally:
        rejects_file.close()
    return summary


def _record(engine: Engine, path: Path, matched: pl.DataFrame, summary: OutcomeImport) -> None:
    rows = matched.select("consignment_id", *[pl.col(c).alias(c.removeprefix("outcome_")) for c in matched.columns if c.startswith("outcome_")])
    with engine.connect() as conn:
        known = pl.read_database(select(*(outcomes.c[c] for c in SAME)).where(outcomes.c.consignment_id.in_(rows["consignment_id"].to_list())), conn,
                                 schema_overrides={"consignment_id": pl.Int64})  # fmt: skip
    for column in SAME[1:]:
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None).cast(known.schema[column]).alias(column))
    fresh = rows.join(known.with_columns(pl.col(c).cast(rows.schema[c]) for c in SAME[1:]), on=SAME, how="anti", nulls_equal=True)
    summary.already_known += rows.height - fresh.height
    if fresh.height:
        stamped = fresh.with_columns(pl.lit(f"import: {path.name}").alias("source"), pl.lit(datetime.now(UTC)).alias("recorded_at"))
        with engine.begin() as conn:
            conn.execute(insert(outcomes), stamped.to_dicts())
        summary.recorded += fresh.height

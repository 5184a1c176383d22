"""Consignments that arrive as JSON objects (the API) rather than in a file: flattened as NDJSON
lines are and prepared as a batch of the file would be, so both paths validate and judge alike."""

from smartborder.intake.mapping import Mapping, resolve
from smartborder.intake.prepare import Prepared, prepare
from smartborder.intake.readers import flatten_record, records_frame


def prepare_records(records: list[dict], submitter: str | None, rfi_severity: float) -> Prepared:
    """`records` in the record's own field names (goods items nested under `items`); the
    submitter, when given, is who sends them, whatever the records say. Row numbers (and the
    consignments' keys) are the records' positions, from 1."""
    rows = [row for number, record in enumerate(records, start=1) for row in flatten_record(record, number)]
    frame = records_frame(rows)
    resolved = resolve(Mapping(), frame.columns, submitter)
    return prepare(frame, resolved, [], [], rfi_severity)

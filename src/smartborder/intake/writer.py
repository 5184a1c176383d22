"""Storing prepared batches, in a writer process of its own.

The writer holds the run's one bulk (ADBC) connection. A separate process does two things: the
main process prepares the next batch while this one is stored (two cores at work), and SQLite
is only ever opened by one copy of the SQLite library per process (the ADBC driver bundles its
own; two copies in one process would drop each other's file locks).
"""

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection

import polars as pl

from smartborder.intake.prepare import Prepared, content_hashes, duplicate_reference, rejected_with_consignment
from smartborder.schema import KEY, ROW
from smartborder.store import consignments as repo
from smartborder.store.bulk import BulkWriter


@dataclass
class Stored:
    counts: dict[str, int]  # accepted, amended, unchanged, findings, rfis, outcomes
    rejects: pl.DataFrame  # every rejection of the batch, the store's own included
    rows: pl.DataFrame  # ROW, result: where each source row of the batch ended (accepted, amended, unchanged, rejected)


FIRST_SEEN = {"key_hash": pl.UInt64, "first_row": pl.Int64}


class RunKeys:
    """The consignments of the run the writer is storing, as a 64-bit hash of (submitter, reference)
    with the row where each first appeared (16 bytes a consignment). The writer sees every batch of
    a run in order, so a key that an earlier batch used is a duplicate, whatever the store holds."""

    def __init__(self) -> None:
        self.run_id: int | None = None
        self._first = pl.DataFrame(schema=FIRST_SEEN)

    def first_rows(self, run_id: int, consignments: pl.DataFrame) -> pl.Series:
        """For each consignment, the row where an earlier batch of the run used its key (null when none
        did); the new keys are remembered. A batch never holds a key twice (prepare rejects that)."""
        if run_id != self.run_id:
            self.run_id, self._first = run_id, pl.DataFrame(schema=FIRST_SEEN)
        keys = consignments.select(pl.struct("submitter", "reference").hash().alias("key_hash"), pl.col(KEY).alias("first_row"))
        first = keys.join(self._first, on="key_hash", how="left", maintain_order="left", suffix="_earlier")["first_row_earlier"]
        self._first = pl.concat([self._first, keys.filter(first.is_null())], rechunk=False)
        return first.alias("first_row")


def store_batch(bulk: BulkWriter, run_keys: RunKeys, run_id: int, source: str, prepared: Prepared, malformed: pl.DataFrame) -> Stored:
    """Store one prepared batch of a run and its rejections in one transaction."""
    with bulk.transaction():
        return _store(bulk, run_keys, run_id, source, prepared, malformed)


def _store(bulk: BulkWriter, run_keys: RunKeys, run_id: int, source: str, prepared: Prepared, malformed: pl.DataFrame) -> Stored:
    first_rows = run_keys.first_rows(run_id, prepared.consignments)
    cons = prepared.consignments.with_columns(content_hashes(prepared.consignments, prepared.items), first_rows)
    duplicates = cons.filter(pl.col("first_row").is_not_null())  # used in an earlier batch of this run
    cons = cons.filter(pl.col("first_row").is_null()).drop("first_row")
    stored = repo.current_versions(bulk, cons.select("submitter", "reference"))
    joined = cons.join(stored, on=["submitter", "reference"], how="left", suffix="_stored", maintain_order="left")
    changed = (pl.col("content_hash") != pl.col("content_hash_stored")).fill_null(True)
    fresh = joined.filter(changed)
    kept = {
        "unchanged": joined.filter(~changed),
        "amended": fresh.filter(pl.col("id").is_not_null()),
        "accepted": fresh.filter(pl.col("id").is_null()),
    }
    counts = {result: frame.height for result, frame in kept.items()}
    rows = prepared.items.select(ROW, KEY).join(prepared.consignments.select(KEY, "reference"), on=KEY)
    late = rejected_with_consignment(rows, duplicates.select(duplicate_reference(pl.col("first_row"))))
    rejects = pl.concat([malformed, prepared.rejects, late]).sort(ROW)
    counts |= _write_fresh(bulk, run_id, source, prepared, fresh) if fresh.height else {"findings": 0, "rfis": 0, "outcomes": 0}
    repo.write_batch(bulk, {"rejections": rejects.with_columns(pl.lit(run_id).alias("intake_run_id"))})
    return Stored(counts, rejects, source_rows(prepared.items, kept, rejects))


def source_rows(items: pl.DataFrame, kept: dict[str, pl.DataFrame], rejects: pl.DataFrame) -> pl.DataFrame:
    """Where each source row ended: the result of its consignment among `kept` (result: consignments),
    or rejected."""
    results = pl.concat([frame.select(KEY, pl.lit(result).alias("result")) for result, frame in kept.items()])
    stored = items.select(ROW, KEY).unique(ROW).join(results, on=KEY).select(ROW, "result")
    return pl.concat([stored, rejects.select(ROW).unique().with_columns(pl.lit("rejected").alias("result"))])


def _write_fresh(bulk: BulkWriter, run_id: int, source: str, prepared: Prepared, fresh: pl.DataFrame) -> dict[str, int]:
    """New consignments and new versions, with their items, findings, RFIs and outcomes."""
    first_id = repo.allocate_ids(bulk, "consignments", fresh.height)
    received = repo.now()
    fresh = fresh.with_columns(
        pl.int_range(first_id, first_id + fresh.height, dtype=pl.Int64).alias("new_id"),
        (pl.col("version").fill_null(0) + 1).alias("new_version"),
    )
    repo.supersede(bulk, fresh["id"].drop_nulls())
    ids = fresh.select(KEY, pl.col("new_id").alias("consignment_id"))
    consignments = fresh.drop("id", "version", "content_hash_stored").rename(
        {"new_id": "id", "new_version": "version", KEY: "source_row"}
    ).with_columns(pl.lit(True).alias("is_current"), pl.lit(run_id).alias("intake_run_id"), pl.lit(received).alias("received_at"))
    rfis = fresh.filter(pl.col("rfi")).select(
        pl.col("new_id").alias("consignment_id"), "submitter", pl.lit("open").alias("status"),
        pl.lit(received).alias("created_at"), pl.col("rfi_request").alias("request"),
    )  # fmt: skip
    outcomes = pl.DataFrame()
    if prepared.outcomes.height:
        outcomes = prepared.outcomes.join(ids, on=KEY).select(
            "consignment_id", *[pl.col(c).alias(c.removeprefix("outcome_")) for c in prepared.outcomes.columns if c.startswith("outcome_")],
            pl.lit(f"intake run {run_id}: {source}").alias("source"), pl.lit(received).alias("recorded_at"),
        )  # fmt: skip
    findings = prepared.findings.join(ids, on=KEY)
    repo.write_batch(bulk, {
        "consignments": consignments,
        "goods_items": prepared.items.join(ids, on=KEY),
        "quality_findings": findings,
        "rfis": rfis,
        "outcomes": outcomes,
    })  # fmt: skip
    return {"findings": findings.height, "rfis": rfis.height, "outcomes": outcomes.height}


def _serve(requests: Connection, replies: Connection) -> None:
    """The writer process: store each batch received, answer with what happened."""
    bulk = BulkWriter(requests.recv())
    run_keys = RunKeys()
    try:
        while True:
            try:
                message = requests.recv()
            except EOFError:  # the main process is gone
                return
            if message is None:
                return
            try:
                replies.send(("ok", store_batch(bulk, run_keys, *message)))
            except Exception:
                replies.send(("error", traceback.format_exc()))
    finally:
        bulk.close()


class WriterError(RuntimeError):
    """Storing a batch failed in the writer process; its traceback is the message."""


class WriterLost(WriterError):
    """The writer process is gone: it ended unexpectedly, or could not start. A batch in flight was
    stored whole or not at all; a new process is needed."""


class Writer:
    """A writer process (`python -m smartborder.intake.writer`) with at most one batch in flight:
    `submit`, then `result`. It lives as long as its user: an intake run, or the API server."""

    def __init__(self, database_url: str):
        child_in, to_child = os.pipe()
        from_child, child_out = os.pipe()
        self._requests = Connection(to_child, readable=False)
        self._replies = Connection(from_child, writable=False)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "smartborder.intake.writer", str(child_in), str(child_out)],
                pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except OSError as e:
            self._requests.close()
            self._replies.close()
            raise WriterLost(f"the writer process cannot start: {e}") from None
        finally:
            os.close(child_in)
            os.close(child_out)
        try:
            self._send(database_url)  # through the pipe: a password never shows in `ps`
        except WriterLost:
            self.close()
            raise

    def submit(self, run_id: int, source: str, prepared: Prepared, malformed: pl.DataFrame) -> None:
        self._send((run_id, source, prepared, malformed))

    def _send(self, message) -> None:
        try:
            self._requests.send(message)
        except (BrokenPipeError, OSError):
            raise WriterLost(f"the writer process ended unexpectedly (exit code {self._process.poll()})") from None

    def result(self) -> Stored:
        try:
            status, value = self._replies.recv()
        except EOFError:
            raise WriterLost(f"the writer process ended unexpectedly (exit code {self._process.wait()})") from None
        if status == "error":
            raise WriterError(value)
        return value

    def close(self) -> None:
        try:
            self._requests.send(None)
        except (BrokenPipeError, OSError):
            pass
        self._requests.close()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._replies.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    # Serve from the module under its own name, so that what it sends back unpickles as
    # smartborder.intake.writer.Stored, not __main__.Stored.
    from smartborder.intake import writer

    writer._serve(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))

"""One batch from source rows to consignments ready to store: mapping, parsing, validation,
grouping into consignments and data quality. Pure: no database, no files."""

import hashlib
from dataclasses import dataclass

import polars as pl

from smartborder.intake import errors as E
from smartborder.intake.mapping import Resolved, map_columns
from smartborder.intake.validate import typed, validate
from smartborder.quality.rules import findings
from smartborder.quality.score import consignment_quality
from smartborder.schema import CONSIGNMENT_FIELDS, EXTRA, ITEM_FIELDS, ITEM_NO, KEY, ROW


@dataclass
class Prepared:
    consignments: pl.DataFrame  # one row per consignment: KEY, record fields, quality_score, rfi, rfi_request
    items: pl.DataFrame  # one row per goods item: KEY, ROW, ITEM_NO, item fields
    findings: pl.DataFrame  # KEY, ITEM_NO, code, field, severity, message
    outcomes: pl.DataFrame  # KEY, outcome fields (empty when the file carries none)
    rejects: pl.DataFrame  # E.REJECT_SCHEMA

    def goods_items(self) -> pl.DataFrame:
        """Goods items with their consignment's fields and data-quality verdict, as assessment takes them."""
        return self.items.join(self.consignments, on=KEY, how="inner")


def consignment_keys(frame: pl.DataFrame, group_by: list[str]) -> pl.Expr:
    """The row where each row's consignment starts: adjacent rows equal on `group_by` form one
    consignment; without grouping, a source row (with its nested items) is one consignment."""
    if not group_by:
        return pl.col(ROW)
    changed = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in group_by)
    run = changed.fill_null(True).cum_sum()
    return pl.col(ROW).first().over(run)


def duplicate_reference(first_row: pl.Expr) -> list[pl.Expr]:
    """The rejection of a consignment whose reference the consignment at `first_row` of the same file uses."""
    message = pl.format("reference '{}' is already used by the consignment at row {} of this file", pl.col("reference"), first_row)
    return E.rejects(pl.col(KEY), "reference", E.DUPLICATE_REFERENCE, message, pl.col("reference"))


def _duplicates_in_batch(consignments: pl.DataFrame) -> pl.DataFrame:
    """Rejections for consignments whose (submitter, reference) an earlier one in the batch already uses."""
    if consignments.height < 2:  # no earlier one
        return E.empty_rejects()
    first = consignments.select(KEY, "submitter", "reference", pl.col(KEY).min().over("submitter", "reference").alias("first_row"))
    return first.filter(pl.col("reference").is_not_null() & (pl.col(KEY) != pl.col("first_row"))).select(duplicate_reference(pl.col("first_row")))


def rejected_with_consignment(rows: pl.DataFrame, rejects: pl.DataFrame) -> pl.DataFrame:
    """The rejections plus one for every other row of a consignment that has a rejected row."""
    bad_keys = rows.join(rejects.select(ROW).unique(), on=ROW, how="semi")[KEY].unique()
    companions = rows.filter(pl.col(KEY).is_in(bad_keys.implode()) & ~pl.col(ROW).is_in(rejects[ROW].implode()))
    return pl.concat([
        rejects,
        companions.unique(ROW).select(E.rejects(pl.col(ROW), None, E.WITH_CONSIGNMENT,
                                                pl.format("rejected with its consignment, which starts at row {}", pl.col(KEY)),
                                                pl.col("reference"))),
    ])  # fmt: skip


def content_hashes(consignments: pl.DataFrame, items: pl.DataFrame) -> pl.Series:
    """A stable digest of each consignment's content, to tell a resubmission from an amendment."""
    as_text = lambda cols: pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in cols], separator="\x1f")  # noqa: E731
    item_cols = [c for c in ITEM_FIELDS if c in items.columns]
    item_text = items.sort(KEY, ITEM_NO).group_by(KEY, maintain_order=True).agg(as_text(item_cols).str.join("\x1e").alias("items_text"))
    cons_cols = [c for c in (*CONSIGNMENT_FIELDS, EXTRA) if c in consignments.columns]
    text = consignments.select(KEY, as_text(cons_cols).alias("text")).join(item_text, on=KEY, how="left", maintain_order="left")
    combined = text.select(pl.concat_str("text", pl.col("items_text").fill_null(""), separator="\x1d"))[:, 0]
    return pl.Series("content_hash", [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in combined], dtype=pl.String)


ITEM_NUMBER = (pl.int_range(pl.len()).over(KEY) + 1).cast(pl.Int32).alias(ITEM_NO)  # of a goods item within its consignment


def prepare(raw: pl.DataFrame, resolved: Resolved, group_by: list[str], not_supplied: list[str], rfi_severity: float) -> Prepared:
    """Source rows to consignments, items and findings; every unusable row to a rejection."""
    text = map_columns(raw, resolved)
    frame, unparseable = typed(text, resolved)
    frame = frame.lazy().with_columns(consignment_keys(frame, group_by).alias(KEY)).with_columns(ITEM_NUMBER).collect(engine="in-memory")

    cons_cols = [c for c in (*CONSIGNMENT_FIELDS, EXTRA) if c in frame.columns]
    per_consignment = frame.group_by(KEY, maintain_order=True).agg(pl.col(cons_cols).first())
    broken = validate(frame)
    if not unparseable.is_empty():
        broken = broken.join(unparseable, on=[ROW, "field"], how="anti")  # an unreadable value is not also "missing"
    rejects = pl.concat([unparseable, broken, _duplicates_in_batch(per_consignment)])
    good, consignments = frame, per_consignment
    if not rejects.is_empty():
        rows = frame.select(ROW, KEY, "reference")
        rejects = rejected_with_consignment(rows, rejects)
        bad = rows.join(rejects.select(ROW).unique(), on=ROW, how="semi")[KEY].unique().implode()
        good = frame.filter(~pl.col(KEY).is_in(bad))
        consignments = per_consignment.filter(~pl.col(KEY).is_in(bad))
    item_cols = [c for c in ITEM_FIELDS if c in good.columns]
    items = good.select(KEY, ROW, ITEM_NO, *item_cols)

    found = findings(good, set(not_supplied))
    quality = consignment_quality(consignments[KEY], found, rfi_severity)
    consignments = consignments.join(quality, on=KEY, how="left", maintain_order="left")

    outcome_cols = [c for c in good.columns if c.startswith("outcome_")]
    outcomes = good.filter(pl.col(ITEM_NO) == 1).select(KEY, *outcome_cols).filter(pl.col("outcome_result").is_not_null()) if outcome_cols else pl.DataFrame()
    return Prepared(consignments, items, found, outcomes, rejects.sort(ROW))

"""Assessing a file: its consignments read and prepared as intake does, assessed batch by batch,
written to CSV or Parquet (one row per consignment) with the rows that could not be read
rejected with their reasons, as in intake."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import polars as pl

from smartborder.config import Settings
from smartborder.intake.pipeline import RejectsFile, open_source
from smartborder.risk.engine import Context, assess, first_line
from smartborder.risk.lanes import LANES, RFI
from smartborder.risk.lists import Lists, load_lists
from smartborder.risk.profiles import load_profiles
from smartborder.risk.valuation import ValuationReference
from smartborder.risk.watchlists import ListError, read_parties
from smartborder.schema import KEY, ROW, with_all_fields

T = TypeVar("T")
OUTPUT_COLUMNS = ("submitter", "reference", "risk_score", "lane", "proposed_lane", "selected_by", "reasons", "rfi", "profiles")


@dataclass
class AssessSummary:
    rejected_rows: int
    lanes: dict[str, int]
    out: Path
    rejects_path: Path
    profiles: pl.DataFrame  # per profile: expected selection rate, hit rate, selected rate
    results: pl.DataFrame  # what was written to `out`

    @property
    def consignments(self) -> int:
        return self.results.height


def load_context(
    profiles: Path | None,
    watchlists: Path | None,
    valuation: Path | None,
    trusted: Path | None = None,
    model: Path | None = None,
    on: date | None = None,
    lenient: bool = False,
) -> Context:
    """The context an assessment runs with; ProfileError / ListError name what is wrong. `lenient`:
    profiles, lists, the valuation reference or the model that cannot be loaded are left out
    (Context.left_out says why), the rest is used."""
    left_out: dict[str, str] = {}
    try:
        lists = Lists(load_lists(watchlists) if watchlists else {})
    except ListError as e:
        if not lenient:
            raise
        lists, left_out["watch lists"] = Lists({}), f"watch lists left out: {e}"
    loaded = load_profiles(profiles, lists.kinds(), left_out if lenient else None) if profiles else []
    if valuation and not valuation.is_file():
        raise FileNotFoundError(f"{valuation}: no valuation reference there; make one with `smartborder valuation learn`")
    reference = _loaded("valuation reference", lambda: ValuationReference.load(valuation), left_out, lenient) if valuation else None
    traders = frozenset(party.id for party in read_parties(trusted)) if trusted else frozenset()
    learnt = None
    if model:
        from smartborder.learn.model import RiskModel

        learnt = _loaded("model", lambda: RiskModel.load(model), left_out, lenient)
    return Context(loaded, lists, reference, traders, learnt, on=on or date.today(), left_out=left_out)


def _loaded(what: str, load: Callable[[], T], left_out: dict[str, str], lenient: bool) -> T | None:
    """What `load` gives; when it fails and `lenient`, None, with why in `left_out`."""
    try:
        return load()
    except Exception as e:  # a broken file: leniently, the rest of the context still assesses
        if not lenient:
            raise
        left_out[what] = f"{what} left out: {first_line(e)}"
        return None


def profile_report(frame: pl.DataFrame, context: Context) -> pl.DataFrame:
    """Per profile in force: its expected selection rate against the share of consignments it hit
    and the share it hit that ended red, yellow or hold."""
    n = max(frame.height, 1)
    hits = frame.select(pl.col("profiles").str.split(" ").alias("profile"), "lane").explode("profile").filter(pl.col("profile") != "")
    counted = hits.group_by("profile").agg(pl.len().alias("hits"), pl.col("lane").is_in(["red", "yellow", "hold"]).sum().alias("selected"))
    expected = pl.DataFrame(
        [(c.profile.id, c.profile.title, c.profile.expected_selection_rate) for c in context.compiled],
        schema={"profile": pl.String, "title": pl.String, "expected_rate": pl.Float64}, orient="row",
    )  # fmt: skip
    return expected.join(counted, on="profile", how="left").select(
        "profile", "title", "expected_rate", (pl.col("hits").fill_null(0) / n).alias("hit_rate"), (pl.col("selected").fill_null(0) / n).alias("selected_rate")
    )


def write_frame(frame: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)


def assess_file(
    path: Path,
    context: Context,
    settings: Settings,
    out: Path,
    mapping: Path | None = None,
    select: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> AssessSummary:
    """Assess every consignment of `path`; `select` (capacity, random control) sees them all at the end."""
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValueError(f"{out}: the output is .csv or .parquet")
    source = open_source(path, settings, mapping)
    rejects_path = out.with_name(out.stem + ".rejects.csv")
    rejects_file = RejectsFile(rejects_path)
    rejected = 0
    with tempfile.TemporaryDirectory() as parts:
        try:
            for number, (batch, prepared) in enumerate(source.prepared(settings.rfi_severity)):
                assessed = assess(prepared.goods_items(), context)
                when_where = with_all_fields(prepared.consignments).select(KEY, "office", "declared_date")  # for capacity per office and day
                assessed.join(when_where, on=KEY, how="left").write_parquet(f"{parts}/{number:06d}.parquet")
                rejects = pl.concat([batch.malformed, prepared.rejects]).sort(ROW)
                rejects_file.write(rejects)
                rejected += rejects[ROW].n_unique()
                if on_progress:
                    on_progress(batch.done)
        finally:
            rejects_file.close()
        frame = pl.read_parquet(f"{parts}/*.parquet") if any(Path(parts).iterdir()) else pl.DataFrame(schema={c: pl.String for c in OUTPUT_COLUMNS})
    if select is not None and frame.height:
        frame = select(frame)
    frame = frame.select(c for c in OUTPUT_COLUMNS if c in frame.columns)
    write_frame(frame, out)
    counts = dict(frame.group_by("lane").len().iter_rows()) if frame.height else {}
    lanes = {lane: counts.get(lane, 0) for lane in (*LANES, RFI)}
    return AssessSummary(rejected, lanes, out, rejects_path, profile_report(frame, context), frame)


def dry_run(path: Path, context: Context, settings: Settings, mapping: Path | None = None) -> tuple[pl.DataFrame, int]:
    """Each profile's expected selection rate against the share of `path`'s consignments it hits
    (see `profile_report`), and how many consignments there are."""
    parts = [assess(prepared.goods_items(), context) for _, prepared in open_source(path, settings, mapping).prepared(settings.rfi_severity)]
    frame = pl.concat(parts)
    return profile_report(frame, context), frame.height

"""`assess(batch, context)`: every consignment of a batch gets a risk score, a lane and the reasons
for both. Pure: no database, no files; the context (profiles, lists, valuation reference) is
loaded once and the same function serves the CLI, the API (a batch of one) and a cluster.

Evidence comes as rows (consignment, source, weight, lane floor, reason) from profiles, party
screening, valuation control and data quality. The score combines the weights as independent
signals (1 - product of (1 - weight)); the lane is the highest of the floors and of the lane the
score reaches. Trusted traders (AEO) get facilitation, never below what a hold requires, and data
too poor to assess gets a request for information instead of a lane.

A source that fails (a profile, screening, valuation, the model) does not stop the assessment:
the batch is assessed with the others, each result says so (`incomplete`, and the first reason),
and the failure is logged and kept in `Context.problems` for the analysts to see.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from smartborder.quality.terms import in_usd
from smartborder.risk.lanes import BLUE, GREEN, HOLD, RED, RFI, SEVERITY, YELLOW
from smartborder.risk.lists import Lists
from smartborder.risk.profiles import Compiled, Profile, ProfileError, compile_profile, describe
from smartborder.risk.valuation import ValuationReference, undervaluation
from smartborder.schema import FIELDS, ITEM_NO, KEY, Kind, polars_type, with_all_fields

if TYPE_CHECKING:  # the learning stack (LightGBM) is only loaded when a model is used
    from smartborder.learn.model import RiskModel

log = logging.getLogger(__name__)
T = TypeVar("T")

SCORE_LANES = ((0.75, RED), (0.45, YELLOW))  # the lane a score reaches by itself
VALUATION_WEIGHT, VALUATION_LANE = 0.35, YELLOW
TRUSTED_FACTOR = 0.5  # facilitation: a trusted trader's score is halved and its lane lowered one step
LOWER = {RED: YELLOW, YELLOW: GREEN, BLUE: GREEN, GREEN: GREEN}

EVIDENCE = {KEY: pl.Int64, "source": pl.String, "weight": pl.Float64, "lane": pl.String, "reason": pl.String}


@dataclass
class Context:
    profiles: list[Profile]
    lists: Lists
    valuation: ValuationReference | None = None
    trusted: frozenset[str] = frozenset()  # identifiers of trusted traders beyond the AEO flags
    model: "RiskModel | None" = None  # learnt from inspection results
    on: date = field(default_factory=date.today)  # profiles in force on this date apply
    left_out: dict[str, str] = field(default_factory=dict)  # what could not be loaded (a profile file, the lists) -> why
    compiled: list[Compiled] = field(init=False)
    matches: list[pl.Expr] = field(init=False)  # per compiled profile: whether it selects an item, as column _p<i>
    effects: pl.DataFrame = field(init=False)  # per compiled profile: its column, source, weight, lane and reason
    problems: dict[str, str] = field(init=False)  # what is left out or has failed in an assessment ("profile:<id>", a source) -> why

    def __post_init__(self) -> None:
        self.left_out = dict(self.left_out)
        self.compiled = []
        for profile in (p for p in self.profiles if p.in_force(self.on)):
            try:
                self.compiled.append(compile_profile(profile, self.lists))
            except Exception as e:  # e.g. a list it names is left out
                self.left_out[f"profile:{profile.id}"] = f"profile {profile.id} failed: {first_line(e)}"
        self.matches = [c.matches.alias(f"_p{i}") for i, c in enumerate(self.compiled)]
        self.effects = pl.DataFrame(
            [(f"_p{i}", f"profile:{c.profile.id}", c.profile.effect.weight, c.profile.effect.lane, f"profile {c.profile.id} '{c.profile.title}' ({describe(c.profile.when)})")
             for i, c in enumerate(self.compiled)],
            schema={"column": pl.String, "source": pl.String, "weight": pl.Float64, "lane": pl.String, "reason": pl.String}, orient="row",
        )  # fmt: skip
        self.problems = dict(self.left_out)
        for problem in self.left_out.values():
            log.error("assessment incomplete: %s", problem)

    def report(self, failures: dict[str, str]) -> None:
        """Keep (and log, the first time) what failed in an assessment."""
        new = {what: problem for what, problem in failures.items() if self.problems.get(what) != problem}
        for problem in new.values():
            log.error("assessment incomplete: %s", problem)
        if new:
            self.problems = self.problems | new  # a new dict: readers in other threads keep a whole one


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none), for a reason or a report."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _isolated(source: str, failures: dict[str, str], evidence: Callable[[], T], otherwise: T) -> T:
    """The evidence of one source; `otherwise` (and the failure in `failures`) when it fails."""
    try:
        return evidence()
    except Exception as e:  # any failure of one source: the others still assess
        failures[source] = f"{source} failed: {first_line(e)}"
        return otherwise


@cache
def _derived() -> list[pl.Expr]:
    """Route (departure and transit countries) and value in USD."""
    route = pl.concat_str(pl.col("departure_country").fill_null(""), pl.col("transit_countries").fill_null(""), separator=" ").str.strip_chars()
    return [route.alias("_route"), in_usd(pl.col("value"), pl.col("currency")).alias("value_usd")]


def _prepared(batch: pl.DataFrame) -> pl.DataFrame:
    """Every record field present (null where the source has none), plus route and value in USD."""
    return with_all_fields(batch).with_columns(_derived())


def _profile_hits(batch: pl.DataFrame, context: Context, failures: dict[str, str]) -> pl.DataFrame:
    """KEY and a column per profile, in one pass; when that fails, profile by profile, without those that fail."""
    try:
        return batch.lazy().select(KEY, *context.matches).collect(engine="in-memory")
    except Exception:  # one of them fails: find which
        pass
    columns = [batch.select(KEY)]
    for compiled, match in zip(context.compiled, context.matches):
        try:
            columns.append(batch.lazy().select(match).collect(engine="in-memory"))
        except Exception as e:  # this profile fails: the others still apply
            failures[f"profile:{compiled.profile.id}"] = f"profile {compiled.profile.id} failed: {first_line(e)}"
    return pl.concat(columns, how="horizontal")


def _profile_evidence(batch: pl.DataFrame, context: Context, failures: dict[str, str]) -> pl.DataFrame:
    """All profiles in one pass: a column per profile, then one row per (consignment, profile hit)."""
    hits = _profile_hits(batch, context, failures)
    hit = [column for column in hits.columns[1:] if hits[column].any()]
    if not hit:
        return pl.DataFrame(schema=EVIDENCE)
    return (
        hits.lazy().select(KEY, *hit)
        .group_by(KEY).agg(pl.all().any())
        .unpivot(index=KEY, variable_name="column").filter(pl.col("value"))
        .join(context.effects.lazy(), on="column").select(*EVIDENCE).collect(engine="in-memory")
    )  # fmt: skip


SAMPLE_VALUES = {Kind.TEXT: "sample", Kind.CODE: "X1", Kind.COUNTRY: "CN", Kind.COUNTRIES: "CN TR", Kind.CURRENCY: "EUR", Kind.HS_CODE: "300490",
                 Kind.DATE: date(2025, 1, 1), Kind.NUMBER: 1.0, Kind.BOOLEAN: False}  # fmt: skip


@cache
def _sample() -> pl.DataFrame:
    """Two goods items with every record field in its type: one without values, one with a value in each."""
    return pl.DataFrame(
        [pl.Series(KEY, [1, 2], dtype=pl.Int64), pl.Series(ITEM_NO, [1, 1], dtype=pl.Int64)]
        + [pl.Series(f.name, [None, f.choices[0] if f.choices else SAMPLE_VALUES[f.kind]], dtype=polars_type(f)) for f in FIELDS]
    )


def trial(profile: Profile, lists: Lists) -> None:
    """Compile `profile` and evaluate it on a sample of goods items, as assessment would;
    ProfileError naming it when it cannot be."""
    try:
        batch, _ = lists.screen(_prepared(_sample()))
        batch.lazy().select(compile_profile(profile, lists).matches).collect(engine="in-memory")
    except Exception as e:  # whatever fails here would fail every assessment
        raise ProfileError(f"profile {profile.id} cannot be evaluated: {first_line(e)}") from None


def _watchlist_evidence(matches: pl.DataFrame, lists: Lists) -> pl.DataFrame:
    if matches.is_empty():
        return pl.DataFrame(schema=EVIDENCE)
    specs = pl.DataFrame(
        [(n.spec.name, n.spec.weight, n.spec.lane, n.spec.source) for n in lists.party_lists()],
        schema={"list": pl.String, "list_weight": pl.Float64, "list_lane": pl.String, "list_source": pl.String}, orient="row",
    )  # fmt: skip
    joined = matches.join(specs, on="list").filter((pl.col("list_weight") > 0) | pl.col("list_lane").is_not_null())
    best = joined.sort("score", descending=True).group_by(KEY, "list", "field").first()
    return best.select(
        KEY, pl.format("watchlist:{}:{}", "list", "entry_id").alias("source"), (pl.col("list_weight") * pl.col("score")).alias("weight"),
        pl.col("list_lane").alias("lane"),
        pl.format("{} matches {} entry {} ({}; list {})", pl.col("field").str.replace("_name", ""), "list", "entry_id", "explanation", "list_source").alias("reason"),
    )  # fmt: skip


def _valuation_evidence(batch: pl.DataFrame, reference: ValuationReference | None) -> pl.DataFrame:
    if reference is None:
        return pl.DataFrame(schema=EVIDENCE)
    found = undervaluation(batch, reference)
    if found.is_empty():
        return pl.DataFrame(schema=EVIDENCE)
    return found.select(
        KEY, pl.lit("valuation").alias("source"), pl.lit(VALUATION_WEIGHT).alias("weight"), pl.lit(VALUATION_LANE).alias("lane"),
        pl.format("valuation: item {}: {}", ITEM_NO, "message").alias("reason"),
    )  # fmt: skip


def _model_evidence(batch: pl.DataFrame, model: "RiskModel | None") -> pl.DataFrame:
    """The model's probability of non-compliance as a weight, its strongest features as the reason."""
    if model is None:
        return pl.DataFrame(schema=EVIDENCE)
    from smartborder.learn.dataset import consignment_rows

    rows = consignment_rows(batch)
    probability = model.predict(rows)
    explained = ["; ".join(reasons) or "no single feature stands out" for reasons in model.explain(rows)]
    return rows.select(KEY).with_columns(
        pl.lit(f"model:{model.info['version']}").alias("source"), pl.Series("weight", probability, dtype=pl.Float64), pl.lit(None, dtype=pl.String).alias("lane"),
        pl.format("model {}: probability {} ({})", pl.lit(model.info["version"]), pl.Series(probability).round(2), pl.Series(explained)).alias("reason"),
    )  # fmt: skip


def _lane_rank(lane: pl.Expr) -> pl.Expr:
    return lane.replace_strict(SEVERITY, default=None, return_dtype=pl.Int8)


def _rank_lane(rank: pl.Expr) -> pl.Expr:
    return rank.replace_strict({r: lane for lane, r in SEVERITY.items()}, return_dtype=pl.String)


@lru_cache(maxsize=16)
def _decision(trusted: frozenset[str]) -> tuple[list[pl.Expr], list[list[pl.Expr]], list[pl.Expr]]:
    """What `combine` computes, built once per set of trusted traders: the evidence per consignment,
    the steps from it (defaults without evidence, lane, facilitation, requests for information),
    taken in turn, and the output columns."""
    per = [
        (1 - (1 - pl.col("weight")).product()).alias("risk_score"),
        _lane_rank(pl.col("lane")).max().alias("floor"),
        pl.col("reason").sort_by("weight", descending=True).alias("reasons"),
        pl.col("source").filter(pl.col("source").str.starts_with("profile:")).str.strip_prefix("profile:").sort().str.join(" ").alias("profiles"),
    ]
    defaults = [pl.col("risk_score").fill_null(0.0), pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))), pl.col("profiles").fill_null("")]
    by_score = pl.lit(SEVERITY[GREEN], dtype=pl.Int8)
    for threshold, lane in reversed(SCORE_LANES):
        by_score = pl.when(pl.col("risk_score") >= threshold).then(pl.lit(SEVERITY[lane], dtype=pl.Int8)).otherwise(by_score)
    lanes = [_rank_lane(pl.max_horizontal(pl.col("floor").fill_null(0), by_score)).alias("lane")]

    is_trusted = (
        pl.col("consignor_aeo").fill_null(False) | pl.col("consignee_aeo").fill_null(False)
        | pl.col("consignor_id").is_in(list(trusted)) | pl.col("consignee_id").is_in(list(trusted))
    )  # fmt: skip
    held = pl.col("lane") == HOLD
    facilitation = [
        pl.when(is_trusted).then(pl.col("risk_score") * TRUSTED_FACTOR).otherwise(pl.col("risk_score")).alias("risk_score"),
        pl.when(is_trusted & ~held).then(pl.col("lane").replace(LOWER)).otherwise(pl.col("lane")).alias("lane"),
        pl.when(is_trusted).then(pl.col("reasons").list.concat(pl.lit(["trusted trader (AEO): facilitation"]))).otherwise(pl.col("reasons")).alias("reasons"),
    ]
    needs_rfi = pl.col("rfi").fill_null(False) & ~held
    rfis = [
        pl.when(needs_rfi).then(pl.lit(RFI)).otherwise(pl.col("lane")).alias("lane"),
        pl.when(needs_rfi).then(pl.concat_list(pl.format("request for information: {}", "rfi_request"), "reasons")).otherwise(pl.col("reasons"))
        .list.join("; ").alias("reasons"),
        pl.col("rfi_request").fill_null("").alias("rfi"),
    ]
    output = [pl.col(c) for c in (KEY, "submitter", "reference")] + [pl.col("risk_score").round(4)] + [pl.col(c) for c in ("lane", "reasons", "rfi", "profiles")]
    return per, [defaults, lanes, facilitation, rfis], output


def combine(consignments: pl.DataFrame, evidence: pl.DataFrame, trusted: frozenset[str]) -> pl.DataFrame:
    """Score, lane and reasons per consignment from its evidence."""
    per, steps, output = _decision(trusted)
    frame = consignments.lazy().join(evidence.lazy().group_by(KEY).agg(per), on=KEY, how="left", maintain_order="left")
    for step in steps:
        frame = frame.with_columns(step)
    return frame.select(output).collect(engine="in-memory")


def assess(batch: pl.DataFrame, context: Context) -> pl.DataFrame:
    """batch: goods items with their consignment's fields (KEY, ITEM_NO, record fields, and the
    data-quality columns rfi / rfi_request when known). One row per consignment: KEY, submitter,
    reference, risk_score (0..1), lane, reasons, rfi, profiles (ids of the profiles that hit), and
    incomplete (a source of evidence was left out or failed: the first reason says which)."""
    failures: dict[str, str] = {}
    nothing = pl.DataFrame(schema=EVIDENCE)
    prepared = _prepared(batch)
    screened = _isolated("watch-list screening", failures, lambda: context.lists.screen(prepared), None)
    batch, matches = screened or (prepared, pl.DataFrame(schema={KEY: pl.Int64, "list": pl.String}))  # screening first: profiles may use its scores
    found = pl.concat([
        _profile_evidence(batch, context, failures),
        _isolated("watch-list evidence", failures, lambda: _watchlist_evidence(matches, context.lists), nothing),
        _isolated("valuation", failures, lambda: _valuation_evidence(batch, context.valuation), nothing),
        _isolated("model", failures, lambda: _model_evidence(batch, context.model), nothing),
    ])  # fmt: skip
    for column, default in (("rfi", False), ("rfi_request", None)):
        if column not in batch.columns:
            batch = batch.with_columns(pl.lit(default).alias(column))
    consignments = batch.group_by(KEY, maintain_order=True).agg(
        pl.col("submitter", "reference", "rfi", "rfi_request", "consignor_aeo", "consignee_aeo", "consignor_id", "consignee_id").first()
    )
    context.report(failures)
    return _flagged(combine(consignments, found, context.trusted), [*context.left_out.values(), *failures.values()])


def _flagged(assessed: pl.DataFrame, problems: list[str]) -> pl.DataFrame:
    """`incomplete` on every consignment, and when something was left out, a first reason saying what."""
    if not problems:
        return assessed.with_columns(pl.lit(False).alias("incomplete"))
    note = pl.lit("assessment incomplete: " + "; ".join(problems))
    reasons = pl.when(pl.col("reasons") == "").then(note).otherwise(pl.concat_str(note, pl.col("reasons"), separator="; "))
    return assessed.with_columns(reasons.alias("reasons"), pl.lit(True).alias("incomplete"))

import numpy as np
import polars as pl
import pytest

from smartborder.risk.selection import (
    LANES,
    Capacity,
    Exploit,
    Explore,
    Mixed,
    control_estimate,
    select,
    selection_report,
    wilson_interval,
)


def consignments(n: int, seed: int = 0, lane: str | None = None, offices: int = 1, days: int = 1) -> pl.DataFrame:
    """Uniform scores; lanes from the score (red >= 0.9, yellow >= 0.7, blue >= 0.6) unless one lane is given."""
    rng = np.random.default_rng(seed)
    score = rng.random(n)
    lanes = np.where(score >= 0.9, "red", np.where(score >= 0.7, "yellow", np.where(score >= 0.6, "blue", "green")))
    return pl.DataFrame({
        "reference": [f"C{i:07d}" for i in range(n)],
        "risk_score": score,
        "lane": [lane] * n if lane else lanes.tolist(),
        "office": [f"OFF{i}" for i in rng.integers(0, offices, n)],
        "declared_date": rng.integers(1, days + 1, n),
    })  # fmt: skip


def by_risk(out: pl.DataFrame, lane: str) -> pl.DataFrame:
    return out.filter((pl.col("lane") == lane) & (pl.col("selected_by") == "risk"))


def test_lanes_in_order_of_severity():
    assert LANES == ("green", "blue", "yellow", "red", "hold")


def test_red_capacity_is_exact_and_filled_by_the_highest_scores():
    frame = consignments(10_000)
    out = select(frame, Capacity(red_share=0.02), Exploit())
    assert out.height == 10_000 and out.get_column("reference").equals(frame.get_column("reference"))
    red = by_risk(out, "red")
    assert red.height == 200
    control = out.filter(pl.col("selected_by") == "random_control")
    assert control.height == 50  # 0.5 % on top of the capacity
    assert out.filter(pl.col("lane") == "red").height == 250
    pool = out.filter((pl.col("proposed_lane") == "red") & (pl.col("selected_by") != "random_control"))
    assert sorted(red.get_column("reference")) == sorted(pool.sort("risk_score", descending=True).head(200).get_column("reference"))
    assert (red.get_column("reason") == "proposed red").all()


def test_red_beyond_capacity_becomes_yellow_and_yellow_beyond_capacity_is_released():
    frame = consignments(10_000, seed=1)
    proposed = frame.get_column("lane").value_counts().to_dict(as_series=False)
    counts = dict(zip(proposed["lane"], proposed["count"]))
    out = select(frame, Capacity(red_share=0.05, yellow_share=0.2, control_share=0), Exploit())
    fallen = out.filter(pl.col("selected_by") == "capacity", pl.col("proposed_lane") == "red")
    assert fallen.height == counts["red"] - 500
    assert (fallen.get_column("lane") == "yellow").all()
    assert (fallen.get_column("reason") == "red capacity reached: document check instead").all()
    # the fallen reds take yellow places first, proposed yellows share the rest by score
    yellow = by_risk(out, "yellow")
    assert yellow.height == 2_000 - fallen.height
    assert out.filter(pl.col("lane") == "yellow").height == 2_000
    released = out.filter(pl.col("proposed_lane") == "yellow", pl.col("lane") == "green")
    assert released.height == counts["yellow"] - yellow.height
    assert (released.get_column("selected_by") == "capacity").all()
    assert (released.get_column("reason") == "yellow capacity reached: released").all()
    assert yellow.get_column("risk_score").min() > released.get_column("risk_score").max()
    # blue and green are not rationed
    for lane in ("blue", "green"):
        kept = out.filter(pl.col("proposed_lane") == lane)
        assert (kept.get_column("lane") == lane).all() and kept.get_column("selected_by").is_null().all()
        assert (kept.get_column("reason") == f"proposed {lane}").all()


def test_a_red_floor_is_at_least_yellow_even_beyond_the_yellow_capacity():
    frame = consignments(1_000, seed=2)
    reds = frame.filter(pl.col("lane") == "red").height
    out = select(frame, Capacity(red_share=0.01, yellow_share=0.02, control_share=0))
    assert by_risk(out, "red").height == 10
    assert out.filter(pl.col("proposed_lane") == "red", pl.col("lane") == "yellow").height == reds - 10 > 20
    assert out.filter(pl.col("proposed_lane") == "yellow", pl.col("lane") == "yellow").height == 0


def test_mixed_gives_about_its_exploration_share_of_places_to_random_consignments():
    frame = consignments(10_000, lane="red")
    best = set(frame.sort("risk_score", descending=True).head(200).get_column("reference"))
    best_170 = set(frame.sort("risk_score", descending=True).head(170).get_column("reference"))
    shares = []
    for seed in range(10):
        red = by_risk(select(frame, Capacity(red_share=0.02, control_share=0), Mixed(0.1), seed=seed), "red")
        assert red.height == 200
        chosen = set(red.get_column("reference"))
        assert best_170 <= chosen  # the best (1 - 0.1) * 200 scores, less a margin, always go first
        shares.append(len(chosen - best) / 200)
    assert 0.07 <= np.mean(shares) <= 0.13
    assert all(0.02 <= share <= 0.2 for share in shares)
    exploit = by_risk(select(frame, Capacity(red_share=0.02, control_share=0), Exploit()), "red")
    assert set(exploit.get_column("reference")) == best


def test_mixed_extremes_are_exploit_and_explore():
    frame = consignments(5_000, lane="red")
    capacity = Capacity(red_share=0.1, control_share=0)
    exploit = set(by_risk(select(frame, capacity, Exploit()), "red").get_column("reference"))
    assert set(by_risk(select(frame, capacity, Mixed(0.0)), "red").get_column("reference")) == exploit
    explored = by_risk(select(frame, capacity, Mixed(1.0)), "red").get_column("risk_score")
    assert abs(explored.mean() - 0.5) < 0.05  # scores are uniform: a random choice averages 1/2
    assert abs(by_risk(select(frame, capacity, Explore()), "red").get_column("risk_score").mean() - 0.5) < 0.05
    with pytest.raises(ValueError, match="exploration"):
        Mixed(1.5)


def test_any_object_with_a_rank_method_is_a_strategy():
    class LowestFirst:
        def rank(self, frame, rng):
            return -frame.get_column("risk_score")

    frame = consignments(1_000, lane="yellow")
    out = select(frame, Capacity(yellow_share=0.1, control_share=0), LowestFirst())
    assert set(by_risk(out, "yellow").get_column("reference")) == set(frame.sort("risk_score").head(100).get_column("reference"))


def test_hold_is_never_rationed_and_stays_hold_in_the_control_sample():
    frame = consignments(2_000, lane="hold")
    out = select(frame, Capacity(red_share=0, yellow_share=0, control_share=0.05))
    assert (out.get_column("lane") == "hold").all()
    control = out.filter(pl.col("selected_by") == "random_control")
    assert control.height == 100
    assert (control.get_column("reason") == "proposed hold; in the random control sample").all()
    assert (out.filter(pl.col("selected_by") != "random_control").get_column("selected_by") == "risk").all()


def test_capacity_per_office_and_day():
    frame = consignments(3_000, seed=3, offices=3, days=4)
    thinned = (pl.col("office") == "OFF0") & (pl.col("declared_date") == 1) & (pl.col("lane") == "red")
    frame = frame.filter(~thinned | (pl.int_range(pl.len()).over("office", "declared_date", "lane") < 3))  # OFF0, day 1: 3 reds
    out = select(frame, Capacity(red_per_office_day=5, yellow_per_office_day=40, control_share=0), Exploit())
    groups = ["office", "declared_date"]
    proposed = frame.filter(pl.col("lane") == "red").group_by(groups).len("proposed")
    chosen = by_risk(out, "red").group_by(groups).len("chosen")
    counts = proposed.join(chosen, on=groups, how="left").fill_null(0)
    assert counts.height == 12
    assert counts.filter(pl.col("chosen") != pl.min_horizontal("proposed", pl.lit(5))).is_empty()
    assert counts.filter(pl.col("office") == "OFF0", pl.col("declared_date") == 1).get_column("chosen").item() == 3
    top = frame.filter(pl.col("lane") == "red").sort("risk_score", descending=True).group_by(groups, maintain_order=True).head(5)
    assert sorted(top.get_column("reference")) == sorted(by_risk(out, "red").get_column("reference"))
    yellow = out.filter(pl.col("lane") == "yellow").group_by(groups).len()
    assert yellow.get_column("len").max() <= 40


def test_control_sample_is_uniform_over_all_consignments_and_flagged():
    frame = consignments(100_000, seed=4)
    out = select(frame, Capacity(red_share=0.01, yellow_share=0.02, control_share=0.02))
    control = out.filter(pl.col("selected_by") == "random_control")
    assert control.height == 2_000
    assert (control.get_column("lane") == "red").all()
    assert (control.get_column("reason") == "random control sample").all()
    assert abs(control.get_column("risk_score").mean() - frame.get_column("risk_score").mean()) < 0.02
    quantiles = [0.1, 0.25, 0.5, 0.75, 0.9]
    for q in quantiles:
        assert abs(control.get_column("risk_score").quantile(q) - q) < 0.03
    green_share = control.filter(pl.col("proposed_lane") == "green").height / control.height
    assert abs(green_share - 0.6) < 0.04  # green ones too, as often as in the population


def test_rfi_passes_through_and_is_not_drawn():
    frame = consignments(1_000).with_columns(lane=pl.when(pl.int_range(pl.len()) < 500).then(pl.lit("rfi")).otherwise("lane"))
    out = select(frame, Capacity(red_share=0.01, control_share=0.1))
    rfi = out.filter(pl.col("proposed_lane") == "rfi")
    assert (rfi.get_column("lane") == "rfi").all() and rfi.get_column("selected_by").is_null().all()
    assert out.filter(pl.col("selected_by") == "random_control").height == 50  # 10 % of the 500 assessed


def test_deterministic_for_a_seed():
    frame = consignments(5_000, seed=5)
    capacity = Capacity(red_share=0.02, yellow_share=0.05, control_share=0.01)
    assert select(frame, capacity, Mixed(0.2), seed=7).equals(select(frame, capacity, Mixed(0.2), seed=7))
    assert not select(frame, capacity, Mixed(0.2), seed=7).equals(select(frame, capacity, Mixed(0.2), seed=8))


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"red_share": 1.5}, "red_share"),
        ({"yellow_share": -0.1}, "yellow_share"),
        ({"red_per_office_day": -1}, "red_per_office_day"),
        ({"yellow_per_office_day": 2.5}, "yellow_per_office_day"),
        ({"control_share": 2}, "control_share"),
        ({"red_share": 0.01, "red_per_office_day": 10}, "red_share or red_per_office_day"),
    ],
)
def test_invalid_capacity_names_the_field(arguments, field):
    with pytest.raises(ValueError, match=field):
        Capacity(**arguments)


def test_invalid_frames_are_refused():
    frame = consignments(10)
    with pytest.raises(ValueError, match="office, declared_date"):
        select(frame.drop("office", "declared_date"), Capacity(red_per_office_day=2))
    with pytest.raises(ValueError, match="purple"):
        select(frame.with_columns(lane=pl.lit("purple")), Capacity())
    with pytest.raises(ValueError, match="references repeat"):
        select(pl.concat([frame, frame]), Capacity())


def test_selection_report_on_a_small_example():
    frame = pl.DataFrame(
        {"reference": list("ABCDEFGHIJ"), "lane": ["red", "yellow", "green", "green", "hold", "red", "blue", "green", "green", "green"]}
    )
    hits = pl.DataFrame({
        "reference": ["A", "B", "C", "D", "A", "E", "F", "F", "Z"],
        "profile_id": ["P1", "P1", "P1", "P1", "P2", "P2", "P2", "P2", "P3"],
        "expected_rate": [0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.05],
    })  # fmt: skip
    report = selection_report(frame, hits)
    assert report.columns == ["profile_id", "expected_rate", "hit_rate", "selected_rate"]
    assert report.get_column("profile_id").to_list() == ["P1", "P2", "P3"]  # P3 hit nothing in frame
    assert report.get_column("expected_rate").to_list() == [0.5, 0.1, 0.05]
    assert report.get_column("hit_rate").to_list() == pytest.approx([0.4, 0.3, 0.0])  # P2 hit F twice: once
    assert report.get_column("selected_rate").to_list() == pytest.approx([0.2, 0.2, 0.0])  # A, B; A, F (E is hold)
    with pytest.raises(ValueError, match="P1"):
        selection_report(frame, hits.with_columns(expected_rate=pl.when(pl.col("reference") == "A").then(0.9).otherwise("expected_rate")))


def _population(n: int, seed: int) -> tuple[pl.DataFrame, pl.Series]:
    """Consignments whose non-compliance grows with the score, so risk selection over-represents it."""
    frame = consignments(n, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    return frame, pl.Series(rng.random(n) < 0.02 + 0.3 * frame.get_column("risk_score").to_numpy() ** 2)


def test_control_estimate_is_unbiased_where_risk_selection_is_not():
    frame, outcome = _population(200_000, seed=6)
    truth = outcome.mean()
    out = select(frame, Capacity(red_share=0.02, yellow_share=0.05, control_share=0.1), Exploit())
    estimate, half_width = control_estimate(out, outcome)
    assert abs(estimate - truth) < 0.005
    assert 0.003 < half_width < 0.006
    selected = outcome.filter(out.get_column("selected_by") == "risk").mean()
    assert selected - truth > 0.1  # what risk selection finds says little about the whole


def test_control_interval_covers_the_truth_most_of_the_time():
    frame, outcome = _population(5_000, seed=7)
    truth = outcome.mean()
    capacity = Capacity(red_share=0.02, control_share=0.1)
    covered = 0
    for seed in range(200):
        estimate, half_width = control_estimate(select(frame, capacity, seed=seed), outcome)
        covered += abs(estimate - truth) <= half_width
    assert covered / 200 >= 0.9


def test_control_estimate_leaves_out_missing_results_and_needs_some():
    frame = select(consignments(1_000), Capacity(control_share=0.1))
    in_control = (frame.get_column("selected_by") == "random_control").to_list()
    outcome = pl.Series([True if c and i % 2 else (None if c else False) for i, c in enumerate(in_control)], dtype=pl.Boolean)
    estimate, _ = control_estimate(frame, outcome)
    assert estimate == 1.0  # only the results known count
    with pytest.raises(ValueError, match="no results"):
        control_estimate(frame, pl.Series([None] * 1_000, dtype=pl.Boolean))
    with pytest.raises(ValueError, match="outcomes"):
        control_estimate(frame, outcome.head(10))


def test_wilson_interval():
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0, abs=1e-12) and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(50, 100)
    assert (low, high) == pytest.approx((0.4038, 0.5962), abs=1e-4)

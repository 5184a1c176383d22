from datetime import date
from textwrap import dedent

import polars as pl
import pytest

from smartborder.risk.lists import Lists, ListSpec, NamedList
from smartborder.risk.profiles import ProfileError, compile_profile, load_profile, load_profiles

GOOD = dedent("""\
    id: MED-001
    title: Counterfeit medicines
    rationale: Falsified medicines come in small parcels.
    owner: Pharmaceuticals desk
    valid: {from: 2024-01-01, to: 2026-12-31}
    expected_selection_rate: 0.004
    when:
      hs_code: {prefix: "3004"}
      origin_country: {in: [in, cn]}
      value: {lt: 100}
    any_of:
      - description: {regex: "(?i)sildenafil"}
      - consignor_country: {watchlist: risky}
    effect: {lane: red, weight: 0.5}
    """)


def _lists() -> Lists:
    spec = ListSpec(name="risky", kind="country", file="x.csv", source="test", date=date(2025, 1, 1))
    return Lists({"risky": NamedList(spec, values=("PK",))})


def _write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_profile_compiles_to_one_expression_that_selects_the_right_items(tmp_path):
    profile = load_profile(_write(tmp_path, GOOD), _lists().kinds())
    items = pl.DataFrame({
        "hs_code": ["300490", "300490", "300490", "850440", "300490"],
        "origin_country": ["IN", "IN", "DE", "IN", "CN"],
        "value": [20.0, 20.0, 20.0, 20.0, 500.0],
        "description": ["Sildenafil 100mg", "vitamins", "Sildenafil", "Sildenafil", "Sildenafil"],
        "consignor_country": ["IN", "PK", "IN", "IN", "IN"],
    })  # fmt: skip
    assert items.select(compile_profile(profile, _lists()).matches)[:, 0].to_list() == [True, True, False, False, False]
    assert profile.in_force(date(2025, 6, 1)) and not profile.in_force(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  value: {lt: 100}\n", "  valeu: {lt: 100}\n"), r"p.yaml, line 10: when: .*unknown field 'valeu'"),
        (("  value: {lt: 100}\n", "  value: {less: 100}\n"), r"p.yaml, line 10: when.value.less: Extra inputs are not permitted"),
        (("{lane: red, weight: 0.5}", "{lane: purple}"), r"p.yaml, line 14: effect.lane: Input should be 'green', 'blue', 'yellow', 'red' or 'hold'"),
        (('{regex: "(?i)sildenafil"}', '{regex: "(unclosed"}'), r"p.yaml, line 12: any_of.0.description.regex: Value error, not a regular expression"),
        (("{watchlist: risky}", "{watchlist: nowhere}"), r"p.yaml, line 13: any_of.1.consignor_country.watchlist: no watch list named 'nowhere'"),
        (("  value: {lt: 100}\n", "  consignee_name: {watchlist: risky, min_score: 0.9}\n"), r"line 10: when.consignee_name.watchlist: 'risky' is a country list"),
        (("expected_selection_rate: 0.004", "expected_selection_rate: 4"), r"line 6: expected_selection_rate: Input should be less than or equal to 1"),
        (("owner: Pharmaceuticals desk\n", ""), r"p.yaml, line 1: owner: Field required"),
        (("when:\n", "when: [\n"), r"p.yaml, line \d+: not valid YAML"),
    ],
)  # fmt: skip
def test_a_broken_profile_is_refused_with_file_line_and_reason(tmp_path, change, message):
    with pytest.raises(ProfileError, match=message):
        load_profile(_write(tmp_path, GOOD.replace(*change)), _lists().kinds())


def test_profile_ids_are_unique_in_a_directory(tmp_path):
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(ProfileError, match="b.yaml, line 1: id 'MED-001' is already used by a.yaml"):
        load_profiles(tmp_path, _lists().kinds())


def test_profiles_check_validates_the_examples_and_dry_runs_them(embedded_settings, tmp_path):
    import re as regex

    from typer.testing import CliRunner

    from smartborder.cli import app
    from smartborder.sample.generator import write_sample

    examples = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"
    sample = write_sample(5_000, seed=4, out=tmp_path / "s.parquet")["consignments"]
    result = CliRunner().invoke(app, ["profiles", "check", str(examples / "profiles"), "--watchlists", str(examples / "watchlists"),
                                      "--against", str(sample)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "22 profiles valid" in result.output
    medicines = next(line for line in result.output.splitlines() if "MED-001" in line)
    assert int(regex.findall(r"│\s+([\d,]+)\s+│", medicines)[0].replace(",", "")) > 0  # the sample plants medicines
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "p.yaml").write_text(GOOD.replace("prefix", "prefx"), encoding="utf-8")
    failed = CliRunner().invoke(app, ["profiles", "check", str(broken), "--watchlists", str(examples / "watchlists")])
    assert failed.exit_code == 2 and f"{broken / 'p.yaml'}, line 8: when.hs_code.prefx: Extra inputs are not permitted" in failed.output

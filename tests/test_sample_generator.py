import csv
import difflib
import re
from datetime import date
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

from smartborder import schema
from smartborder.sample import catalogue as cat
from smartborder.sample.generator import PROBLEMS, generate, write_sample

HS_2022 = Path(__file__).resolve().parents[2] / "shared/data/harmonized-system/harmonized-system-2022.csv"
EU = set("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
N = 20_000


@pytest.fixture(scope="module")
def sample() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return generate(N, seed=42)


@pytest.fixture(scope="module")
def items(sample) -> pl.DataFrame:
    consignments, _, _ = sample
    return consignments.select("reference", "submitter", "items").explode("items").unnest("items")


def refs(truth: pl.DataFrame, problem: str) -> set[str]:
    return set(truth.filter(pl.col("problem") == problem)["reference"])


LEGAL_FORMS = sorted({form for key, variants in cat.LEGAL_VARIANTS.items() for form in [key, *variants.split("|")]}, key=len, reverse=True)


def without_legal_form(name: str) -> str:
    return next((name[: -len(form)].strip() for form in LEGAL_FORMS if name.endswith(" " + form)), name)


def similarity(a: str, b: str) -> float:
    """Best of the character ratios of the names, of their sorted tokens and of the names without legal form."""
    pairs = [(a, b), (" ".join(sorted(a.split())), " ".join(sorted(b.split()))), (without_legal_form(a), without_legal_form(b))]
    return max(difflib.SequenceMatcher(None, x.lower(), y.lower()).ratio() for x, y in pairs)


def hs_2022() -> set[str]:
    """HS 2022 subheadings from shared/data beside the repository, or else from the copy the package ships."""
    source = HS_2022 if HS_2022.exists() else files("smartborder").joinpath("data", "hs", "hs2022.csv")
    with source.open(encoding="utf-8-sig", newline="") as f:
        return {row["hscode"] for row in csv.DictReader(f) if row["level"] == "6"}


def test_same_seed_same_frames_other_seed_other_frames():
    first, again, other = generate(2_000, seed=7), generate(2_000, seed=7), generate(2_000, seed=8)
    assert all(a.equals(b) for a, b in zip(first, again, strict=True))
    assert not first[0].equals(other[0])
    assert not first[1]["reference"].equals(other[1]["reference"])


def test_columns_and_types(sample):
    consignments, truth, watchlist = sample
    assert consignments.columns == [*schema.CONSIGNMENT_FIELDS, "items"]
    assert consignments.height == N
    for field in schema.FIELDS:
        if field.level is schema.Level.CONSIGNMENT:
            assert consignments.schema[field.name] == schema.polars_type(field), field.name
    item_type = consignments.schema["items"]
    assert isinstance(item_type, pl.List) and [f.name for f in item_type.inner.fields] == list(schema.ITEM_FIELDS)
    assert truth.columns == ["reference", "problem", "detail"]
    assert watchlist.columns == ["id", "name", "aliases", "country", "kind", "list"]


def test_consignments_are_plausible(sample, items):
    consignments, _, _ = sample
    assert consignments["reference"].is_unique().all()
    assert set(consignments["transport_mode"]) <= set(schema.TRANSPORT_MODES)
    modes = consignments["transport_mode"].value_counts(normalize=True)
    assert modes.filter(pl.col("transport_mode").is_in(["air", "post", "road"]))["proportion"].sum() > 0.9
    assert set(consignments["destination_country"]) <= EU
    assert (consignments["consignee_country"] == consignments["destination_country"]).all()
    days = (consignments["expected_arrival"] - consignments["declared_date"]).dt.total_days().drop_nulls()
    assert days.min() >= 1 and days.max() <= 20
    assert consignments["declared_date"].min() >= date(2025, 1, 1)
    assert consignments["submitter"].n_unique() == len(cat.SUBMITTERS)
    sizes = consignments["items"].list.len()
    assert (sizes == 1).mean() > 0.6 and sizes.min() == 1 and sizes.max() == 4
    assert items["hs_code"].str.contains(r"^\d{6}$").all()
    assert set(items["currency"]) <= set(cat.RATES)
    assert (items["gross_mass"] >= items["net_mass"]).all() and (items["net_mass"] > 0).all()
    b2c = items.join(consignments.filter(pl.col("consignee_id").is_null()).select("reference"), on="reference")
    assert 5 < b2c["value"].median() < 100
    transit = consignments["transit_countries"].drop_nulls()
    assert transit.len() > 0 and transit.str.contains(r"^[A-Z]{2}( [A-Z]{2})*$").all()


def test_catalogue_codes_exist_in_hs_2022():
    codes = hs_2022()
    for product in cat.ORDINARY + cat.MEDICAL + cat.BRANDED:
        assert product.hs_code in codes, product.descriptions
        assert not product.decoy or product.decoy in codes, product.decoy


def test_generated_codes_exist_in_hs_2022(items):
    assert set(items["hs_code"]) <= hs_2022()


def test_planted_shares_match_problems(sample):
    consignments, truth, _ = sample
    counts = dict(truth["problem"].value_counts().iter_rows())
    assert set(counts) == set(PROBLEMS)
    for problem, share in PROBLEMS.items():
        assert abs(counts[problem] / N - share) < 0.002, problem
    per_consignment = truth.group_by("reference").len()["len"]
    assert per_consignment.max() == 2
    assert truth.select("reference", "problem").is_duplicated().sum() == 0


def test_truth_references_exist(sample):
    consignments, truth, _ = sample
    assert set(truth["reference"]) <= set(consignments["reference"])


def test_planted_problems_are_in_the_data(sample, items):
    consignments, truth, _ = sample
    vague = set(cat.VAGUE_TERMS.split("|"))
    has_vague = items.filter(pl.col("description").str.to_lowercase().is_in(vague))
    assert set(has_vague["reference"]) == refs(truth, "vague_description")
    low = items.group_by("reference").agg(pl.col("value").max())
    assert set(low.filter(pl.col("value") <= 0.01)["reference"]) == refs(truth, "zero_value")
    medical = {p.hs_code for p in cat.MEDICAL}
    assert set(items.filter(pl.col("hs_code").is_in(medical))["reference"]) == refs(truth, "medicines")
    placeholders = set(cat.PLACEHOLDER_NAMES.split("|"))
    odd = consignments.filter(pl.any_horizontal(
        pl.col("consignor_name", "consignee_name").is_in(placeholders), pl.col("consignor_address", "consignee_address").is_null()))
    assert set(odd["reference"]) == refs(truth, "placeholder_party")


def test_undervaluation_detail_matches_declared_value(sample, items):
    _, truth, _ = sample
    totals = dict(items.group_by("reference").agg(pl.col("value").sum()).iter_rows())
    for reference, detail in truth.filter(pl.col("problem") == "undervaluation").select("reference", "detail").iter_rows():
        declared, true = map(float, re.findall(r"(\d+\.\d\d) [A-Z]{3}", detail))
        assert declared == pytest.approx(totals[reference], abs=0.01)
        assert 0.04 <= declared / true <= 0.26


def test_misdeclared_codes_differ_from_the_described_goods(sample, items):
    _, truth, _ = sample
    code_of = {text.upper(): p.hs_code for p in cat.ORDINARY for text in p.descriptions.split("|")}
    pattern = re.compile(r"^'(.*)' declared under (\d{6}), true code (\d{6})$")
    for detail in truth.filter(pl.col("problem") == "misdeclared_hs")["detail"]:
        described, declared, true = pattern.match(detail).groups()
        assert declared != true and code_of[described.upper()] == true


def test_branded_goods_from_unusual_origins_only_when_planted(sample, items):
    _, truth, _ = sample
    usual = {text.upper(): set(re.findall(r"[A-Z]{2}", p.origins)) for p in cat.BRANDED for text in p.descriptions.split("|")}
    branded = items.filter(pl.col("description").str.to_uppercase().is_in(list(usual)))
    unusual = {reference for reference, text, origin in branded.select("reference", "description", "origin_country").iter_rows()
               if origin not in usual[text.upper()]}
    assert unusual == refs(truth, "branded_unusual_origin")


def test_lookalike_names_resemble_but_differ_from_the_listed_name(sample):
    consignments, truth, watchlist = sample
    entries = {row["id"]: row for row in watchlist.iter_rows(named=True)}
    listed = {n.lower() for n in watchlist["name"]} | {
        a.lower() for aliases in watchlist["aliases"].drop_nulls() for a in aliases.split(";")}
    lookalikes = truth.filter(pl.col("problem") == "listed_party_lookalike").join(consignments, on="reference")
    assert lookalikes.height == round(N * PROBLEMS["listed_party_lookalike"])
    for row in lookalikes.iter_rows(named=True):
        party, entry_id = re.match(r"^(consignor|consignee) name .* of watch-list entry (WL-\d{4}) ", row["detail"]).groups()
        name, entry = row[f"{party}_name"], entries[entry_id]
        assert name.lower() not in listed
        best = max(similarity(name, other["name"]) for other in entries.values())
        assert similarity(name, entry["name"]) >= max(0.6, best - 0.1), (name, entry["name"])


def test_no_watch_list_name_outside_the_planted_lookalikes(sample):
    consignments, truth, watchlist = sample
    listed = {n.lower() for n in watchlist["name"]} | {
        a.lower() for aliases in watchlist["aliases"].drop_nulls() for a in aliases.split(";")}
    names = consignments.filter(~pl.col("reference").is_in(refs(truth, "listed_party_lookalike"))).select(
        pl.concat_list("consignor_name", "consignee_name").explode().str.to_lowercase())
    assert not set(names.to_series().drop_nulls()) & listed


def test_watchlist(sample):
    _, _, watchlist = sample
    assert 180 <= watchlist.height <= 220
    assert watchlist["id"].is_unique().all() and watchlist["name"].is_unique().all()
    assert set(watchlist["kind"]) == {"person", "organization", "vessel"}
    assert watchlist["list"].str.starts_with("sample-").all()
    assert watchlist["aliases"].drop_nulls().len() > 50


def test_sloppy_submitter_has_more_vague_descriptions_and_placeholders(sample):
    consignments, truth, _ = sample
    size = dict(consignments["submitter"].value_counts().iter_rows())
    sloppy = "Bazaro"
    for problem in ("vague_description", "placeholder_party"):
        hits = truth.filter(pl.col("problem") == problem).join(consignments.select("reference", "submitter"), on="reference")
        per = dict(hits["submitter"].value_counts().iter_rows())
        others = sum(per.get(s, 0) for s in size if s != sloppy) / sum(v for s, v in size.items() if s != sloppy)
        assert per[sloppy] / size[sloppy] > 3 * others, problem


@pytest.mark.parametrize("suffix", [".parquet", ".ndjson", ".jsonl"])
def test_write_sample_round_trip(tmp_path, suffix):
    paths = write_sample(500, 3, tmp_path / f"sample{suffix}")
    assert paths == {"consignments": tmp_path / f"sample{suffix}", "truth": tmp_path / "sample.truth.csv",
                     "watchlist": tmp_path / "sample.watchlist.csv"}
    expected, truth, watchlist = generate(500, 3)
    back = pl.read_parquet(paths["consignments"]) if suffix == ".parquet" else pl.read_ndjson(paths["consignments"])
    assert back.height == 500
    assert isinstance(back.schema["items"], pl.List) and isinstance(back.schema["items"].inner, pl.Struct)
    assert back["items"].list.len().equals(expected["items"].list.len())
    if suffix == ".parquet":
        assert back.equals(expected)
    else:
        assert back["declared_date"].cast(pl.String).equals(expected["declared_date"].cast(pl.String))
        assert back.select(pl.col("items").list.first().struct.field("hs_code")).to_series().equals(
            expected.select(pl.col("items").list.first().struct.field("hs_code")).to_series())
    assert pl.read_csv(paths["truth"]).height == truth.height
    assert pl.read_csv(paths["watchlist"]).height == watchlist.height


def test_write_sample_refuses_other_formats(tmp_path):
    with pytest.raises(ValueError, match=r"\.parquet, \.ndjson or \.jsonl"):
        write_sample(10, 0, tmp_path / "sample.csv")
    assert not list(tmp_path.iterdir())

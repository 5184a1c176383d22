import json

import pytest
from typer.testing import CliRunner

from smartborder.cli import app
from smartborder.risk.names import normalise
from smartborder.risk.screening import DEFAULT_THRESHOLD, Party, WatchList, compare
from smartborder.risk.watchlists import ListError, read_parties


def test_normalise_transliterates_and_sets_legal_forms_and_prefixes_apart():
    assert normalise("OOO «Ромашка»", "organization").words == ("romashka",)
    assert normalise("ROMASHKA, Limited Liability Company").legal_form == "llc"
    assert normalise("Shenzhen Bright Co., Ltd.").words == ("shenzhen", "bright")
    assert normalise("M/V Ocean Star", "vessel").words == ("ocean", "star")
    assert normalise("Ann Co", "person").words == ("ann", "co")  # persons have no legal form
    assert normalise("김정은").words == ("gim", "jeong", "eun")


def _score(query, entry, query_kind=None, entry_kind=None, query_country=None, entry_country=None):
    return compare(Party("q", (query,), query_country, query_kind), Party("e", (entry,), entry_country, entry_kind))[0]


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich"),  # order, dropped patronymic
        ("Aleksandr Lukashenko", "Alexander Lukashenko"),  # transliteration
        ("Александр Лукашенко", "Alexander Lukashenko"),  # original script
        ("V. Putin", "Vladimir Putin"),  # initial
        ("Mohammed Ali", "Muhammad Ali"),  # sounds alike
        ("Romashka OOO", "Romashka Limited Liability Company"),  # legal form
        ("NIOC", "National Iranian Oil Company"),  # acronym
        ("Kim Jongun", "Kim Jong Un"),  # joined syllables
        ("Lukashenka Alyaksandr", "Alexander Lukashenko"),
    ],
)
def test_same_party_scores_above_the_threshold(query, entry):
    assert _score(query, entry) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Golden Star Trading LLC", "Golden Sun Trading LLC"),  # shares only generic words
        ("Anna Schmidt", "Alexander Lukashenko"),
        ("Global Shipping International", "Global Logistics International"),
    ],
)
def test_different_parties_score_below_it(query, entry):
    assert _score(query, entry) < DEFAULT_THRESHOLD


def test_country_and_kind_are_evidence_and_explained():
    same, why = compare(Party("q", ("Ivan Sidorov",), "RU", "person"), Party("e", ("Ivan Sidorov",), "RU", "person"))
    other_country = _score("Ivan Sidorov", "Ivan Sidorov", query_country="BY", entry_country="RU")
    vessel = _score("Ivan Sidorov", "Ivan Sidorov", query_kind="vessel", entry_kind="person")
    assert same == 1.0 and "same country RU" in why and "2 of 2 words alike" in why
    assert other_country < same and vessel <= 0.5


def test_blocking_returns_the_listed_party_without_comparing_every_entry():
    entries = [Party(f"E{i}", (f"Trader Number{i} Holdings",), "CN", "organization") for i in range(3000)]
    entries.append(Party("TARGET", ("Aleksandr Lukashenko",), "BY", "person"))
    listed = WatchList(entries)
    candidates = listed.candidates([Party("q", ("Alexander Lukashenka",), None, "person")])
    assert "TARGET" in {listed.entries[e].id for e in candidates["entry"]} and candidates.height < 50
    assert [m.entry_id for m in listed.screen([Party("q", ("Alexander Lukashenka",), None, "person")])] == ["TARGET"]


def test_whitelisted_pairs_are_not_reported():
    listed = WatchList([Party("E1", ("Maria Garcia",), None, "person")], whitelist={("Maria Garcia", "E1")})
    assert listed.screen([Party("q", ("Maria Garcia",))]) == []


def test_lists_from_csv_and_followthemoney(tmp_path):
    csv_file = tmp_path / "list.csv"
    csv_file.write_text('id,name,aliases,country,kind,list\nE1,Ocean Star,MV Ocean Star;Okean Zvezda,pa,vessel,ofac\n', encoding="utf-8")
    assert read_parties(csv_file) == [Party("E1", ("Ocean Star", "MV Ocean Star", "Okean Zvezda"), "PA", "vessel", "ofac")]
    ftm = tmp_path / "entities.ftm.json"
    entities = [
        {"id": "os-1", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "alias": ["Иван Петров"], "nationality": ["ru"]}, "datasets": ["eu_fsf"]},
        {"id": "os-2", "schema": "Address", "properties": {"full": ["1 Main St"]}},
        {"id": "os-3", "schema": "Company", "properties": {"name": ["Petrov Trading OOO"], "jurisdiction": ["ru"]}},
    ]
    ftm.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n", encoding="utf-8")
    assert read_parties(ftm) == [
        Party("os-1", ("Ivan Petrov", "Иван Петров"), "RU", "person", "eu_fsf"),
        Party("os-3", ("Petrov Trading OOO",), "RU", "organization", None),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,country\nX,RU\n", "missing column id"),
        ("id,name\nE1,\n", "line 2: id and name are required"),
        ("id,name\nE1,A\nE1,B\n", "line 3: id 'E1' is already used at line 2"),
        ("id,name,kind\nE1,A,ship\n", "line 2: kind 'ship' is not one of person, organization, vessel"),
        ('{"id": "x", "properties": {}}\n{broken\n', "line 2: not valid JSON"),
    ],
)
def test_malformed_lists_are_refused_naming_the_line(tmp_path, content, message):
    path = tmp_path / "list.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ListError, match=message):
        read_parties(path)


def test_screen_command_writes_matches_with_explanations(tmp_path):
    (tmp_path / "q.csv").write_text("id,name,country,kind\nq1,Vladimir Putin,RU,person\nq2,Anna Schmidt,DE,person\n", encoding="utf-8")
    (tmp_path / "l.csv").write_text('id,name,aliases,country,kind\ne1,"PUTIN, Vladimir Vladimirovich",Путин Владимир,RU,person\n', encoding="utf-8")
    out = tmp_path / "m.csv"
    result = CliRunner().invoke(app, ["screen", str(tmp_path / "q.csv"), "--watchlist", str(tmp_path / "l.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "query_id,entry_id,score,explanation"
    assert len(lines) == 2 and lines[1].startswith("q1,e1,1.0000,name 1.00 against")
    bad = CliRunner().invoke(app, ["screen", str(tmp_path / "q.csv"), "--watchlist", str(tmp_path / "none.csv"), "--out", str(out)])
    assert bad.exit_code == 2 and "does not exist" in bad.output

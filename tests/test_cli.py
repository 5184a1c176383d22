from typer.testing import CliRunner

from factories import row, write_csv
from smartborder.cli import app

runner = CliRunner()


def test_help_explains_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "quality", "sample", "demo"):
        assert command in result.output


def test_ingest_prints_counts_and_where_the_rejects_are(settings, tmp_path):
    path = write_csv(tmp_path / "in.csv", [row("A"), row("B", currency="ABC"), row("C", description="gift")])
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(app, ["ingest", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    lines = {line.strip("│ ").split("│")[0].strip(): line.split("│")[2].strip() for line in result.output.splitlines() if line.count("│") == 3}
    assert lines["consignments accepted (new)"] == "2"
    assert lines["rows rejected"] == "1"
    assert lines["requests for information"] == "1"
    assert str(rejects) in result.output
    assert "'ABC' is not an ISO 4217 currency code" in rejects.read_text()


def test_ingest_errors_are_one_clear_line_and_exit_code_2(settings, tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "does not exist or is not a file" in result.output


def test_quality_shows_each_submitter(settings, tmp_path):
    runner.invoke(app, ["ingest", str(write_csv(tmp_path / "a.csv", [row("A"), row("B", description="gift")]))])
    runner.invoke(app, ["ingest", str(write_csv(tmp_path / "b.csv", [row("C", submitter="Tidy Post")]))])
    result = runner.invoke(app, ["quality"])
    assert result.exit_code == 0, result.output
    parcelwave = next(line for line in result.output.splitlines() if "Parcelwave" in line)
    tidy = next(line for line in result.output.splitlines() if "Tidy Post" in line)
    assert "50%" in parcelwave and "description_vague (1)" in parcelwave
    assert "100%" in tidy
    assert result.output.index("Parcelwave") < result.output.index("Tidy Post")  # worst first
    one = runner.invoke(app, ["quality", "--submitter", "Tidy Post"])
    assert "Parcelwave" not in one.output and "Tidy Post" in one.output

"""The `smartborder` command. Each subcommand is a thin call into the modules that do the work."""

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from smartborder.config import get_settings
from smartborder.intake.errors import IntakeError
from smartborder.intake.pipeline import IntakeSummary, ingest
from smartborder.quality.report import submitter_quality
from smartborder.risk.screening import DEFAULT_THRESHOLD
from smartborder.risk.watchlists import ListError, load_watchlist, read_parties
from smartborder.store.db import open_store

app = typer.Typer(
    help="smartborder: advance data intake, data quality and risk management for customs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err, transient=False,
    )  # fmt: skip


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


def _print_summary(summary: IntakeSummary) -> None:
    table = Table(title=f"Intake run {summary.run_id}: {summary.source} ({summary.format})", show_header=False)
    for label, value in (
        ("rows read", summary.rows_read),
        ("consignments accepted (new)", summary.accepted),
        ("consignments amended (new version)", summary.amended),
        ("resubmissions unchanged", summary.unchanged),
        ("rows rejected", summary.rejected_rows),
        ("data-quality findings", summary.findings),
        ("requests for information", summary.rfis),
        ("inspection outcomes recorded", summary.outcomes),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    if summary.rejected_rows:
        console.print(f"Rejected rows, with row, field, code and reason: [bold]{summary.rejects_path}[/]")
    if summary.absent:
        console.print(f"[yellow]Mapped but not in this file (left empty):[/] {', '.join(summary.absent)}")


def run_ingest(file: Path, mapping: Path | None, submitter: str | None, rejects: Path | None) -> IntakeSummary:
    settings = get_settings()
    engine = open_store(settings)
    with _progress() as progress:
        task = progress.add_task(f"ingest {file.name}", total=1.0)
        try:
            summary = ingest(file, engine, settings, mapping, submitter, rejects,
                             on_progress=lambda done: progress.update(task, completed=done))  # fmt: skip
        except IntakeError as e:
            _fail(str(e))
    _print_summary(summary)
    return summary


@app.command("ingest")
def ingest_command(
    file: Annotated[Path, typer.Argument(help="CSV, NDJSON or Parquet file of consignments (format detected from the content).")],
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping of the file's columns onto the consignment record.")] = None,
    submitter: Annotated[str | None, typer.Option(help="Who sent the file, when the file does not say.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected rows (default: under the data directory).")] = None,
) -> None:
    """Validate and store advance data; rejected rows go to a rejects file with their reasons."""
    run_ingest(file, mapping, submitter, rejects)


@app.command("quality")
def quality_command(
    submitter: Annotated[str | None, typer.Option(help="Show one submitter only.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many submitters, worst first.")] = 20,
) -> None:
    """Each submitter's data quality: share of clean consignments, open RFIs, most common findings."""
    frame = submitter_quality(open_store(), submitter)
    if frame.is_empty():
        _fail(f"no consignments from {submitter!r}" if submitter else "no consignments stored yet; run `smartborder ingest` first")
    shown = frame.head(limit)
    title = f"Data quality of {len(frame):,} submitters" + (f", the {len(shown)} with the fewest clean consignments" if len(shown) < len(frame) else "")
    table = Table(title=title)
    table.add_column("submitter", no_wrap=True)
    table.add_column("consignments", justify="right")
    table.add_column("clean", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("open RFIs", justify="right")
    table.add_column("most common findings", overflow="fold")
    for row in shown.iter_rows(named=True):
        bar = "█" * round(row["clean_share"] * 10)
        table.add_row(row["submitter"], f"{row['consignments']:,}", f"{row['clean_share']:>4.0%} [green]{bar:<10}[/]",
                      f"{row['mean_score']:.2f}", f"{row['open_rfis']:,}", row["top_findings"].replace(", ", "\n"))  # fmt: skip
    console.print(table)


@app.command("screen")
def screen_command(
    queries: Annotated[Path, typer.Argument(help="CSV of parties to screen: id,name and optionally country,kind (person / organization / vessel).")],
    watchlist: Annotated[Path, typer.Option(help="The list: CSV (id,name, optionally aliases separated by ';', country, kind, list) or FollowTheMoney JSON lines.")],
    out: Annotated[Path, typer.Option(help="Where to write the matches: query_id,entry_id,score,explanation.")],
    threshold: Annotated[float, typer.Option(min=0, max=1, help="Lowest score reported (default measured in benchmarks/screening.py).")] = DEFAULT_THRESHOLD,
    whitelist: Annotated[Path | None, typer.Option(help="Known false positives: CSV entry_id,name.")] = None,
) -> None:
    """Screen parties against a watch list; one row per match at or above the threshold, with its explanation."""
    try:
        parties = read_parties(queries)
        listed = load_watchlist(watchlist, whitelist)
    except ListError as e:
        _fail(str(e))
    matches = []
    with _progress() as progress:
        for party in progress.track(parties, description=f"screen {len(parties):,} parties against {len(listed.entries):,} entries"):
            matches += listed.screen(party, threshold)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["query_id", "entry_id", "score", "explanation"])
        writer.writerows((m.query_id, m.entry_id, f"{m.score:.4f}", m.explanation) for m in matches)
    console.print(f"{len({m.query_id for m in matches}):,} of {len(parties):,} parties matched {len(matches):,} times "
                  f"at threshold {threshold}: [bold]{out}[/]")  # fmt: skip


@app.command("sample")
def sample_command(
    n: Annotated[int, typer.Option(min=1, help="Number of consignments.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 0,
    out: Annotated[Path, typer.Option(help="Output file, .parquet or .ndjson.")] = Path("sample.parquet"),
) -> None:
    """Generate synthetic e-commerce consignments with planted problems, and the truth of what was planted."""
    from smartborder.sample.generator import write_sample

    with console.status(f"generating {n:,} consignments"):
        try:
            paths = write_sample(n, seed, out)
        except ValueError as e:
            _fail(str(e))
    for name, path in paths.items():
        console.print(f"{name}: [bold]{path}[/]")


@app.command("demo")
def demo_command(
    n: Annotated[int, typer.Option(min=1, help="Number of sample consignments.")] = 20_000,
) -> None:
    """The main job end to end on the embedded store: generate sample data, ingest it, report quality."""
    settings = get_settings()
    sample = settings.data_dir / "sample" / "consignments.parquet"
    console.rule("1. sample data")
    sample_command(n=n, seed=42, out=sample)
    console.rule("2. intake and data quality")
    run_ingest(sample, None, None, None)
    console.rule("3. submitters' data quality")
    quality_command(submitter=None)
    console.print(f"Store: [bold]{settings.resolved_database_url}[/]")

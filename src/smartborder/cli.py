"""The `smartborder` command. Each subcommand is a thin call into the modules that do the work."""

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from smartborder import demo
from smartborder.config import get_settings
from smartborder.intake.errors import IntakeError, UnaccountedRows
from smartborder.intake.pipeline import IntakeSummary, balance, ingest
from smartborder.quality.report import submitter_quality
from smartborder.redact import log_config, masked
from smartborder.risk.history import history_items, stored_items
from smartborder.risk.lanes import MEANING
from smartborder.risk.profiles import ProfileError
from smartborder.risk.run import AssessSummary, assess_file, dry_run, load_context
from smartborder.risk.screening import DEFAULT_THRESHOLD
from smartborder.risk.selection import Capacity, select
from smartborder.risk.valuation import learn_reference
from smartborder.risk.watchlists import ListError, load_watchlist, read_parties
from smartborder.service import accounts, audit
from smartborder.store.assessments import record as record_assessments
from smartborder.store.db import open_store

app = typer.Typer(
    help="smartborder: advance data intake, data quality and risk management for customs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Messages are never wrapped to the terminal width: a path or a line number stays whole, whatever the terminal
# (tables still fit the width).
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# Models registered from the command line without an administration form the command line's own register.
AdministrationOption = Annotated[
    str | None, typer.Option(help="Code of the administration whose register of models (default: the command line's own register).")
]


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=err, transient=False,
    )  # fmt: skip


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {masked(message)}")
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
    console.print(balance(summary.counts()), soft_wrap=True)
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
        except (IntakeError, UnaccountedRows) as e:
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


@app.command("assess")
def assess_command(
    file: Annotated[Path, typer.Argument(help="CSV, NDJSON or Parquet file of consignments.")],
    out: Annotated[Path, typer.Option(help="Results, one row per consignment: .csv or .parquet.")],
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping of the file's columns onto the record.")] = None,
    profiles: Annotated[Path | None, typer.Option(help="Directory of risk profiles (YAML).")] = None,
    watchlists: Annotated[Path | None, typer.Option(help="Directory of watch lists with its watchlists.yaml.")] = None,
    valuation: Annotated[Path | None, typer.Option(help="Valuation reference from `smartborder valuation learn`.")] = None,
    red: Annotated[float | None, typer.Option(min=0, max=1, help="Inspection capacity: share of consignments that may go red.")] = None,
    yellow: Annotated[float | None, typer.Option(min=0, max=1, help="Share of consignments that may go yellow.")] = None,
    control: Annotated[float, typer.Option(min=0, max=1, help="Random control sample (share), kept when capacity is set.")] = 0.005,
    trusted: Annotated[Path | None, typer.Option(help="Trusted traders (AEO): CSV with id (EORI/TIN) and name.")] = None,
    model: Annotated[str | None, typer.Option(help="Model directory from `smartborder train`, or 'champion' for the register's champion.")] = None,
    administration: AdministrationOption = None,
    store: Annotated[bool, typer.Option(help="Also ingest the file and record the assessments in the store.")] = False,
) -> None:
    """Assess consignments: risk score, lane and readable reasons for each (and requests for information)."""
    settings = get_settings()
    if administration is not None and model != "champion":
        _fail("--administration: it names the register whose champion `--model champion` uses")
    try:
        context = load_context(profiles, watchlists, valuation, trusted, _model_path(model, settings, administration))
    except (ProfileError, ListError, OSError) as e:
        _fail(str(e))
    if store:
        run_ingest(file, mapping, None, None)
    chooser = None
    if red is not None or yellow is not None:
        capacity = Capacity(red_share=red, yellow_share=yellow, control_share=control)
        chooser = lambda frame: select(frame, capacity)  # noqa: E731
    summary = _assess(file, context, out, mapping, chooser)
    if store:
        console.print(f"{record_assessments(open_store(settings), summary.results):,} assessments recorded in the store")


def _model_path(model: str | None, settings, administration: str | None) -> Path | None:
    if model != "champion":
        return Path(model) if model else None
    from smartborder.learn.registry import champion

    engine = open_store(settings)
    owner = _administration(engine, administration)
    path = champion(engine, owner.id if owner else None)
    if path is None:
        _fail(f"no champion model registered{f' for {administration}' if administration else ''}: run `smartborder train`")
    return path


def _administration(engine, code: str | None):
    """The administration `code` names (None without a code); fails when there is none."""
    if code is None:
        return None
    from smartborder.service.accounts import ADMINISTRATION, organisation_by_code

    found = organisation_by_code(engine, code)
    if found is None or found.kind != ADMINISTRATION:
        _fail(f"--administration: no administration '{code}'")
    return found


def _assess(file: Path, context, out: Path, mapping: Path | None, chooser) -> AssessSummary:
    """Assess a file with a progress bar, print lanes and profiles' expected against actual selection."""
    with _progress() as progress:
        task = progress.add_task(f"assess {file.name}", total=1.0)
        try:
            summary = assess_file(file, context, get_settings(), out, mapping, chooser, on_progress=lambda done: progress.update(task, completed=done))
        except (IntakeError, ValueError) as e:
            _fail(str(e))
    table = Table(title=f"{summary.consignments:,} consignments assessed with {len(context.compiled)} profiles, {len(context.lists.by_name)} lists", show_header=False)
    for lane, count in summary.lanes.items():
        share = count / summary.consignments if summary.consignments else 0
        table.add_row(f"{lane} ({MEANING[lane]})", f"{count:,}", f"{share:6.2%}", "[bold]" + "█" * round(share * 20) + "[/]")
    console.print(table)
    if summary.profiles.height:
        report = Table(title="Profiles: expected against actual selection")
        for column in ("profile", "title", "expected", "hit", "selected"):
            report.add_column(column, justify="left" if column in ("profile", "title") else "right")
        for row in summary.profiles.iter_rows(named=True):
            report.add_row(row["profile"], row["title"], f"{row['expected_rate']:.2%}", f"{row['hit_rate']:.2%}", f"{row['selected_rate']:.2%}")
        console.print(report)
    console.print(f"Results: [bold]{summary.out}[/]")
    if summary.rejected_rows:
        console.print(f"{summary.rejected_rows:,} rows could not be assessed, with their reasons: [bold]{summary.rejects_path}[/]")
    return summary


profiles_app = typer.Typer(help="Risk profiles: check and dry-run them.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")


@profiles_app.command("check")
def profiles_check_command(
    directory: Annotated[Path, typer.Argument(help="Directory of risk profiles (YAML).")],
    watchlists: Annotated[Path | None, typer.Option(help="Watch lists the profiles use.")] = None,
    against: Annotated[Path | None, typer.Option(help="A file of consignments to dry-run the profiles on.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping of that file.")] = None,
) -> None:
    """Validate profiles (a broken one is named with its file, line and reason) and, with --against,
    count how many consignments each would select."""
    try:
        context = load_context(directory, watchlists, None)
    except (ProfileError, ListError) as e:
        _fail(str(e))
    console.print(f"{len(context.profiles)} profiles valid, {len(context.compiled)} in force today")
    if against is None:
        return
    with console.status(f"dry run on {against.name}"):
        try:
            report, total = dry_run(against, context, get_settings(), mapping)
        except IntakeError as e:
            _fail(str(e))
    table = Table(title=f"Selection on {total:,} consignments of {against.name}")
    for column in ("profile", "title", "selects", "share", "expected"):
        table.add_column(column, justify="left" if column in ("profile", "title") else "right")
    for row in report.iter_rows(named=True):
        table.add_row(row["profile"], row["title"], f"{round(row['hit_rate'] * total):,}", f"{row['hit_rate']:.2%}", f"{row['expected_rate']:.2%}")
    console.print(table)


valuation_app = typer.Typer(help="Valuation control: reference values learnt from history.", no_args_is_help=True)
app.add_typer(valuation_app, name="valuation")


@valuation_app.command("learn")
def valuation_learn_command(
    out: Annotated[Path, typer.Option(help="Where to write the reference (Parquet).")],
    file: Annotated[Path | None, typer.Argument(help="History file of consignments; default: the store's current consignments.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping of that file.")] = None,
    min_observations: Annotated[int, typer.Option(min=2, help="Fewest items a reference rests on.")] = 20,
) -> None:
    """Learn reference values per kg and per unit by HS subheading and origin (median, robust lower bound)."""
    settings = get_settings()
    try:
        history = history_items(file, mapping, settings) if file else stored_items(open_store(settings))
    except IntakeError as e:
        _fail(str(e))
    if history.is_empty():
        _fail("no goods items to learn from: ingest history first, or name a file")
    reference = learn_reference(history, min_observations)
    out.parent.mkdir(parents=True, exist_ok=True)
    reference.save(out)
    console.print(f"{reference.table.height:,} reference values from {history.height:,} goods items: [bold]{out}[/]")


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
    with console.status(f"screening {len(parties):,} parties against {len(listed.entries):,} entries"):
        matches = listed.screen(parties, threshold)
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
    examples: Annotated[Path, typer.Option(help="The examples directory (profiles/, watchlists/).")] = Path("examples"),
) -> None:
    """The main job end to end on the embedded store: sample data in, data quality, risk assessment
    with the example profiles and lists, selection under capacity, results recorded; then the
    service's administrations, demo accounts and past inspections (serve it with `smartborder serve`)."""
    settings = get_settings()
    sample = settings.data_dir / "sample" / "consignments.parquet"
    console.rule("1. sample data")
    sample_command(n=n, seed=42, out=sample)
    console.rule("2. intake and data quality")
    run_ingest(sample, None, None, None)
    console.rule("3. submitters' data quality")
    quality_command(submitter=None, limit=20)
    console.rule("4. risk assessment: profiles, watch lists, valuation, capacity (red 3 %, yellow 5 %, control 0.5 %)")
    engine = open_store(settings)
    reference = learn_reference(stored_items(engine))
    reference.save(settings.data_dir / "valuation.parquet")
    try:
        context = load_context(examples / "profiles", examples / "watchlists", settings.data_dir / "valuation.parquet")
    except (ProfileError, ListError) as e:
        _fail(f"{e} (run the demo from the repository, or pass --examples)")
    context.lists.add_party_list("sample-watchlist", sample.with_name("consignments.watchlist.csv"), "sample generator", "red", 0.8)
    capacity = Capacity(red_share=0.03, yellow_share=0.05, control_share=0.005)
    summary = _assess(sample, context, settings.data_dir / "assessments.parquet", None, lambda frame: select(frame, capacity))
    console.print(f"{record_assessments(engine, summary.results):,} assessments recorded. Store: [bold]{masked(settings.resolved_database_url)}[/]")
    console.rule("5. the service: administrations, accounts, past inspections")
    demo_accounts = demo.set_up(engine, settings, examples, sample.with_name("consignments.watchlist.csv"), settings.data_dir / "valuation.parquet")
    console.print(f"{demo.record_past_inspections(engine, sample.with_name('consignments.truth.csv')):,} past inspections recorded "
                  f"(the last {demo.OPEN_DAYS} days' selections are left in the queue)")  # fmt: skip
    table = Table(title=f"Demo accounts (password: {demo.PASSWORD})")
    for column in ("user name", "organisation", "role"):
        table.add_column(column)
    for row in demo_accounts:
        table.add_row(*row)
    console.print(table)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Serve the REST API (/v1, documented at /docs) and the officers' web UI (/)."""
    import uvicorn

    console.print(f"smartborder at [bold]http://{host}:{port}/[/] (web UI), API documentation at [bold]http://{host}:{port}/docs[/]; "
                  f"store: {masked(get_settings().resolved_database_url)}")  # fmt: skip
    uvicorn.run("smartborder.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning",
                log_config=log_config(uvicorn.config.LOGGING_CONFIG))  # fmt: skip


@app.command("train")
def train_command(
    out: Annotated[Path, typer.Option(help="Directory to write the model to.")],
    file: Annotated[Path | None, typer.Argument(help="Consignments with their inspection outcomes; default: the store's.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping of the file's columns, with its `outcome` section.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same data and seed give the same model.")] = 0,
    administration: AdministrationOption = None,
) -> dict:
    """Learn a risk model from inspection outcomes; the latest (two months at most) are held out to stop and calibrate it.
    With --administration, the model joins that administration's register, and from the store it learns from the
    consignments bound for its countries only."""
    from smartborder.learn.dataset import labelled, stored_labelled
    from smartborder.learn.model import RiskModel
    from smartborder.learn.registry import register

    engine = open_store()
    owner = _administration(engine, administration)
    try:
        frame = labelled(file, mapping, get_settings()) if file else stored_labelled(engine, owner.countries if owner else None)
    except (IntakeError, ValueError) as e:
        _fail(str(e))
    with console.status(f"training on {frame.height:,} inspected consignments"):
        model = RiskModel.fit(frame, seed)
    model.save(out)
    source = file.name if file else "the store"
    _print_metrics(f"Model {model.info['version']}: out-of-time check on the latest outcomes of {source}", model.info["out_of_time_metrics"])
    console.print(f"Model: [bold]{out}[/], registered as {register(engine, out, model.info, owner.id if owner else None)}")
    return model.info


outcomes_app = typer.Typer(help="Inspection outcomes: what officers found.", no_args_is_help=True)
app.add_typer(outcomes_app, name="outcomes")


@outcomes_app.command("import")
def outcomes_import_command(
    file: Annotated[Path, typer.Argument(help="Outcomes of stored consignments (CSV, NDJSON or Parquet).")],
    mapping: Annotated[Path, typer.Option(help="YAML mapping naming submitter, reference and the `outcome` section.")],
    submitter: Annotated[str | None, typer.Option(help="Whose consignments, when the file does not say.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected rows (default: under the data directory).")] = None,
) -> None:
    """Record inspection outcomes for consignments already in the store; importing twice records nothing new."""
    from smartborder.learn.outcomes import import_outcomes

    settings = get_settings()
    try:
        summary = import_outcomes(file, open_store(settings), settings, mapping, submitter, rejects)
    except IntakeError as e:
        _fail(str(e))
    console.print(f"{summary.rows_read:,} rows read: {summary.recorded:,} outcomes recorded, {summary.already_known:,} already known, "
                  f"{summary.rejected_rows:,} rejected")  # fmt: skip
    if summary.rejected_rows:
        console.print(f"Rejected rows, with their reasons: [bold]{summary.rejects_path}[/]")


models_app = typer.Typer(help="The register of models: which is in use (champion), which are compared (challengers).", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list_command(administration: AdministrationOption = None) -> None:
    """Registered models with their status, training window and out-of-time metrics."""
    from smartborder.learn.registry import registered

    engine = open_store()
    owner = _administration(engine, administration)
    frame = registered(engine, owner.id if owner else None)
    if frame.is_empty():
        _fail("no model registered yet: run `smartborder train`")
    table = Table(title="Models")
    for column in ("version", "status", "trained on", "P@5 %", "AUC", "path"):
        table.add_column(column)
    for row in frame.iter_rows(named=True):
        metrics = json.loads(row["metrics"] or "{}")
        table.add_row(row["version"], row["status"], f"{row['window_from']} .. {row['window_to']}",
                      f"{metrics.get('precision_5', float('nan')):.3f}", f"{metrics.get('roc_auc', float('nan')):.3f}", row["path"])  # fmt: skip
    console.print(table)


@models_app.command("promote")
def models_promote_command(
    version: Annotated[str, typer.Argument(help="The challenger to put in use.")], administration: AdministrationOption = None
) -> None:
    """Put a challenger in use as champion; the current champion is retired."""
    from smartborder.learn.registry import promote

    engine = open_store()
    owner = _administration(engine, administration)
    try:
        with engine.begin() as conn:
            promote(conn, version, owner.id if owner else None)
    except LookupError as e:
        _fail(str(e))
    console.print(f"{version} is now the champion")


@app.command("evaluate")
def evaluate_command(
    file: Annotated[Path, typer.Argument(help="Later consignments with their inspection outcomes.")],
    model: Annotated[Path, typer.Option(help="Model directory from `smartborder train`.")],
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping of the file's columns, with its `outcome` section.")] = None,
    rolling: Annotated[bool, typer.Option(help="Party history also from this file's outcomes dated before each consignment "
                                                "(as when outcomes are recorded daily); default: only the training outcomes.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON only.")] = False,
) -> dict:
    """Precision and recall among the top 1, 2, 5 and 10 % by risk, and ROC AUC, on labelled consignments."""
    from smartborder.learn.dataset import LABEL, REVENUE, labelled
    from smartborder.learn.evaluate import metrics
    from smartborder.learn.model import RiskModel

    try:
        risk_model = RiskModel.load(model)
        frame = labelled(file, mapping, get_settings())
    except (IntakeError, ValueError, FileNotFoundError) as e:
        _fail(str(e))
    revenue = frame[REVENUE] if frame[REVENUE].is_not_null().any() else None  # extra duty assessed, where the outcomes say
    result = metrics(frame[LABEL], risk_model.predict(frame, frame if rolling else None), revenue) | {"model": risk_model.info["version"], "rolling": rolling}
    if as_json:
        print(json.dumps(result))
    else:
        _print_metrics(f"Model {risk_model.info['version']} on {file.name}" + (" (rolling party history)" if rolling else ""), result)
    return result


def _print_metrics(title: str, result: dict) -> None:
    from smartborder.learn.evaluate import TOP_PERCENTS

    table = Table(title=f"{title}: {result['consignments']:,} consignments, {result['positives']:,} non-compliant")
    with_revenue = result.get(f"revenue_{TOP_PERCENTS[0]}") is not None
    for column in ("top", "precision", "recall", *(["revenue recovered"] if with_revenue else [])):
        table.add_column(column, justify="right")
    for percent in TOP_PERCENTS:
        recall = result[f"recall_{percent}"]
        revenue = [f"{result[f'revenue_{percent}']:.3f}"] if with_revenue else []
        table.add_row(f"{percent} %", f"{result[f'precision_{percent}']:.3f}", "-" if recall is None else f"{recall:.3f}", *revenue)
    console.print(table)
    console.print(f"ROC AUC: {result['roc_auc']:.3f}" if result["roc_auc"] is not None else "ROC AUC: - (one class only)")


users_app = typer.Typer(help="Accounts, from the command line: the way in when no admin can sign in. Audited as made by the command line.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")
MIN_PASSWORD = 10  # as the API's


def _read_password() -> str:
    """A new password, typed twice at a prompt, or the first line of standard input when it is not a terminal."""
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        _fail(f"password: at least {MIN_PASSWORD} characters")
    return password


@users_app.command("create")
def users_create_command(
    username: Annotated[str, typer.Argument(help="The new user's name to sign in with.")],
    organisation: Annotated[str, typer.Option(help="The organisation's code (an operator: the platform organisation's).")],
    role: Annotated[str, typer.Option(help="submitter, officer, analyst, admin or operator (one the organisation's kind allows).")],
    name: Annotated[str | None, typer.Option(help="The name shown for the user (default: the user name).")] = None,
) -> None:
    """Create a user; the password is read from a prompt (or standard input), never from the command line."""
    engine = open_store()
    found = accounts.organisation_by_code(engine, organisation)
    if found is None:
        _fail(f"organisation: no organisation '{organisation}'")
    password = _read_password()
    try:
        user_id = accounts.create_user(engine, found.id, username, name or username, role, password)
    except accounts.AccountError as e:
        _fail(str(e))
    console.print(f"user {username} ({role} of {organisation}) created, id {user_id}")


@users_app.command("reset-password")
def users_reset_password_command(username: Annotated[str, typer.Argument(help="Whose password to set.")]) -> None:
    """Set a user's password (read from a prompt or standard input): their tokens are revoked and a sign-in lock lifted."""
    engine = open_store()
    user = accounts.user_by_name(engine, username)
    if user is None:
        _fail(f"username: no user '{username}'")
    accounts.set_user(engine, user["id"], password=_read_password())
    console.print(f"password of {username} set; their tokens are revoked")


audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify_command(
    organisation: Annotated[str | None, typer.Option(help="Check one organisation's chain (its code); default: every organisation's.")] = None,
) -> None:
    """Walk each organisation's chain of audit entries and name the first broken link (exit code 1)."""
    engine = open_store()
    if organisation is not None and accounts.organisation_by_code(engine, organisation) is None:
        _fail(f"organisation: no organisation '{organisation}'")
    reports = audit.verify(engine, organisation)
    for report in reports:
        state = f"[bold red]broken at {report.problem}[/]" if report.problem else f"ok, {report.entries:,} entries"
        console.print(f"{report.organisation}: {state}", highlight=False)
    broken = [r for r in reports if r.problem]
    if broken:
        raise typer.Exit(code=1)
    console.print(f"ok, {sum(r.entries for r in reports):,} entries in {len(reports)} organisations", highlight=False)

"""Analysts' risk profiles in an administration's workspace: each with its hit statistics
(consignments it hit, how many of them were inspected, and how many inspections found
something: the hit rate), and created, edited and retired through the service, in the audit log."""

import shutil
import tempfile
import threading
from itertools import chain, count
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from smartborder.intake.validate import POSITIVE
from smartborder.risk.engine import trial
from smartborder.risk.profiles import Profile, ProfileError, load_profile
from smartborder.service import audit
from smartborder.service.accounts import Principal
from smartborder.service.records import in_scope, overview
from smartborder.service.workspace import Contexts, Workspace

ACTIVE, RETIRED = "active", "retired"
_writing = threading.Lock()

STATS_SCHEMA = {"profile": pl.String, "hits": pl.UInt32, "inspected": pl.UInt32, "found": pl.UInt32}


def hit_statistics(engine: Engine, who: Principal) -> pl.DataFrame:
    """Per profile, over the consignments `who` may read: hits, inspected, found, hit_rate
    (found / inspected; null before any inspection)."""
    base = overview().where(in_scope(who)).subquery()
    query = base.select().with_only_columns(base.c.profiles, base.c.outcome).where(base.c.profiles.is_not(None), base.c.profiles != "")
    frame = pl.read_database(query, engine, schema_overrides={"profiles": pl.String, "outcome": pl.String})
    if frame.is_empty():
        return pl.DataFrame(schema=STATS_SCHEMA | {"hit_rate": pl.Float64})
    counted = (
        frame.with_columns(pl.col("profiles").str.split(" ")).explode("profiles")
        .group_by(pl.col("profiles").alias("profile"))
        .agg(pl.len().alias("hits"), pl.col("outcome").is_not_null().sum().alias("inspected"), pl.col("outcome").is_in(POSITIVE).sum().alias("found"))
    )  # fmt: skip
    return counted.with_columns(pl.when(pl.col("inspected") > 0).then(pl.col("found") / pl.col("inspected")).alias("hit_rate"))


def _files(space: Workspace) -> dict[str, tuple[Path, str]]:
    """Profile id -> (file, active or retired)."""
    found = {}
    for folder, status in ((space.profiles, ACTIVE), (space.retired, RETIRED)):
        for path in _yaml_files(folder):
            found[load_profile(path).id] = (path, status)
    return found


def _yaml_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []


def profiles(engine: Engine, space: Workspace, who: Principal, problems: dict[str, str] | None = None) -> list[dict]:
    """Every profile of the workspace, active first, with its statistics and, from `problems`
    (Context.problems), why it failed in assessment."""
    stats = {row["profile"]: row for row in hit_statistics(engine, who).iter_rows(named=True)}
    rows = []
    for profile_id, (path, status) in _files(space).items():
        profile = load_profile(path)
        seen = stats.get(profile_id, {})
        rows.append({
            "id": profile_id, "title": profile.title, "owner": profile.owner, "status": status, "lane": profile.effect.lane,
            "weight": profile.effect.weight, "expected_selection_rate": profile.expected_selection_rate,
            "hits": seen.get("hits", 0), "inspected": seen.get("inspected", 0), "found": seen.get("found", 0), "hit_rate": seen.get("hit_rate"),
            "problem": (problems or {}).get(f"profile:{profile_id}") if status == ACTIVE else None,
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["status"] != ACTIVE, r["id"]))


def profile_text(space: Workspace, profile_id: str) -> tuple[str, str] | None:
    """(YAML text, status) of a profile, or None."""
    found = _files(space).get(profile_id)
    return (found[0].read_text(encoding="utf-8"), found[1]) if found else None


def _checked(text: str, contexts: Contexts, who: Principal) -> Profile:
    """The profile `text` describes, compiled and tried on a sample; ProfileError (line and reason)
    when it cannot be used."""
    lists = contexts.get(who.organisation).lists
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            profile = load_profile(path, lists.kinds())
        except ProfileError as e:
            raise ProfileError(str(e).replace(f"{path}, ", "")) from None
    trial(profile, lists)
    return profile


def _free_file(folder: Path, taken: list[Path], stem: str) -> Path:
    """A file in `folder` named `stem`.yaml, numbered when another file has that name (whatever
    its case: file systems may not tell)."""
    names = {p.name.lower() for p in taken}
    return folder / next(name for name in chain([f"{stem}.yaml"], (f"{stem}-{n}.yaml" for n in count(2))) if name.lower() not in names)


def save_profile(engine: Engine, space: Workspace, contexts: Contexts, who: Principal, text: str, profile_id: str | None = None) -> Profile:
    """Create a profile (`profile_id` None) or replace an active one's text; ProfileError when the
    text is not a valid profile, LookupError when there is no such profile, FileExistsError when
    a new profile's id is taken (whatever its case)."""
    profile = _checked(text, contexts, who)
    with _writing:
        known = _files(space)
        if profile_id is None:
            clash = next((other for other in known if other.lower() == profile.id.lower()), None)
            if clash is not None:
                raise FileExistsError(f"id: a profile '{clash}' exists already")
            path = _free_file(space.profiles, [*_yaml_files(space.profiles), *_yaml_files(space.retired)], profile.id)
        else:
            if profile_id not in known or known[profile_id][1] != ACTIVE:
                raise LookupError(f"no active profile '{profile_id}'")
            if profile.id != profile_id:
                raise ProfileError(f"id: the text's id '{profile.id}' is not the profile's id '{profile_id}'")
            path = known[profile_id][0]
        with engine.begin() as conn:
            audit.record(conn, who, "profile.create" if profile_id is None else "profile.edit", f"profile:{profile.id}", {"yaml": text})
            space.profiles.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return profile


def retire_profile(engine: Engine, space: Workspace, who: Principal, profile_id: str) -> None:
    """Move an active profile to retired/: it no longer applies, and its record stays."""
    with _writing:
        known = _files(space).get(profile_id)
        if known is None or known[1] != ACTIVE:
            raise LookupError(f"no active profile '{profile_id}'")
        with engine.begin() as conn:
            audit.record(conn, who, "profile.retire", f"profile:{profile_id}")
            space.retired.mkdir(parents=True, exist_ok=True)
            shutil.move(known[0], _free_file(space.retired, _yaml_files(space.retired), known[0].stem))

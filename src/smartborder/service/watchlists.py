"""Watch lists in an administration's workspace: the lists with their source and size, a list's
entries, uploading a list (new or replacing one), and whitelisting known false positives.
Every change is checked by the same loader assessment uses before it is kept, and logged."""

import csv
import io
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import Engine

from smartborder.risk.lists import ListSpec, load_lists
from smartborder.risk.watchlists import ListError, csv_rows
from smartborder.service import audit
from smartborder.service.accounts import Principal
from smartborder.service.workspace import Workspace

INDEX = "watchlists.yaml"
WHITELIST_COLUMNS = ("entry_id", "name", "note")
_writing = threading.Lock()


def _specs(space: Workspace) -> list[ListSpec]:
    index = space.watchlists / INDEX
    if not index.is_file():
        return []
    return [ListSpec.model_validate(item) for item in (yaml.safe_load(index.read_text(encoding="utf-8")) or {}).get("lists", [])]


def _spec(space: Workspace, name: str) -> ListSpec:
    found = next((s for s in _specs(space) if s.name == name), None)
    if found is None:
        raise LookupError(f"no watch list '{name}'")
    return found


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv_rows(csv.DictReader(f), path))


def watchlists(space: Workspace) -> list[dict]:
    """Each list's spec with its number of entries and whitelisted entries."""
    return [
        spec.model_dump(mode="json") | {"entries": len(_rows(space.watchlists / spec.file)),
                                        "whitelisted": len(_rows(space.watchlists / spec.whitelist)) if spec.whitelist else 0}
        for spec in _specs(space)
    ]  # fmt: skip


def entries(space: Workspace, name: str, offset: int = 0, limit: int = 50) -> tuple[int, list[dict]]:
    """(total, a page of the list's rows as in its file)."""
    rows = _rows(space.watchlists / _spec(space, name).file)
    return len(rows), rows[offset : offset + limit]


def whitelist(space: Workspace, name: str) -> list[dict]:
    spec = _spec(space, name)
    return _rows(space.watchlists / spec.whitelist) if spec.whitelist else []


def _check_and_keep(space: Workspace, specs: list[ListSpec], files: dict[str, str]) -> None:
    """Load the lists as they would be with `files` (name -> CSV text) written; keep them only
    if they load. ListError names the file and line that is wrong."""
    files = files | {INDEX: yaml.safe_dump({"lists": [s.model_dump(mode="json", exclude_none=True) for s in specs]}, sort_keys=False)}

    def write(directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for file, text in files.items():
            (directory / file).write_text(text, encoding="utf-8")

    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp)
        if space.watchlists.is_dir():
            shutil.copytree(space.watchlists, trial, dirs_exist_ok=True)
        write(trial)
        try:
            load_lists(trial)
        except ListError as e:
            raise ListError(str(e).replace(f"{trial}/", "")) from None
    write(space.watchlists)


def upload(engine: Engine, space: Workspace, who: Principal, spec: ListSpec, text: str) -> dict:
    """Add a list or replace one (its file is `spec.file`); ListError when the content or spec is wrong."""
    with _writing:
        known = _specs(space)
        replaced = next((s for s in known if s.name == spec.name), None)
        if replaced is not None and spec.whitelist is None:  # a new version of a list keeps its known false positives
            spec = spec.model_copy(update={"whitelist": replaced.whitelist})
        others = [s for s in known if s.name != spec.name]
        clash = next((s for s in others if s.file == spec.file or s.whitelist == spec.file), None)
        if clash:
            raise ListError(f"file: '{spec.file}' belongs to the list '{clash.name}'")
        _check_and_keep(space, [*others, spec], {spec.file: text})
        with engine.begin() as conn:
            audit.record(conn, who, "watchlist.upload", f"watchlist:{spec.name}", spec.model_dump(mode="json") | {"rows": text.count("\n")})
    return next(w for w in watchlists(space) if w["name"] == spec.name)


def add_to_whitelist(engine: Engine, space: Workspace, who: Principal, name: str, entry_id: str, entry_name: str, note: str) -> list[dict]:
    """Mark a party list's entry as a known false positive for a name; returns the whitelist."""
    with _writing:
        specs = _specs(space)
        spec = _spec(space, name)
        if spec.kind != "party":
            raise ListError(f"'{name}' is a {spec.kind} list; only party lists have whitelists")
        file = spec.whitelist or f"{name}-whitelist.csv"
        rows = _rows(space.watchlists / file) + [{"entry_id": entry_id, "name": entry_name, "note": note}]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=WHITELIST_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        updated = [s.model_copy(update={"whitelist": file, "date": date.today()}) if s.name == name else s for s in specs]
        _check_and_keep(space, updated, {file: out.getvalue()})
        with engine.begin() as conn:
            audit.record(conn, who, "watchlist.whitelist", f"watchlist:{name}", {"entry_id": entry_id, "name": entry_name, "note": note})
    return whitelist(space, name)

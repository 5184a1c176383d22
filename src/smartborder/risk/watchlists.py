"""Parties from files: watch-list entries and screening queries.

A party list is CSV (`id,name` and optionally `aliases` separated by ";", `country`, `kind`,
`list`) or FollowTheMoney entities as JSON lines, the format OpenSanctions publishes. A list is
all or nothing: one bad line refuses the file, naming the line, since a list that silently lost
entries would let listed parties through.
"""

import csv
import io
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import orjson
import polars as pl

from smartborder import codelists
from smartborder.risk.names import KINDS, ORGANIZATION, PERSON, VESSEL
from smartborder.risk.screening import Party, WatchList

# FollowTheMoney schemata and the kind of party each is
FTM_KINDS = {
    "Person": PERSON, "Company": ORGANIZATION, "Organization": ORGANIZATION, "LegalEntity": ORGANIZATION,
    "PublicBody": ORGANIZATION, "Vessel": VESSEL,
}  # fmt: skip


class ListError(ValueError):
    """A file of parties that cannot be used, with where and why."""


def _is_ftm(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(1024).lstrip().startswith(b"{")


def country_code(value: str | None, where: str) -> str | None:
    code = (value or "").strip().upper() or None
    if code is not None and code not in codelists.countries():
        raise ListError(f"{where}: country '{value}' is not an ISO 3166 code")
    return code


def _kind(value: str | None, where: str) -> str | None:
    kind = (value or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        raise ListError(f"{where}: kind '{value}' is not one of {', '.join(KINDS)}")
    return kind


def read_parties(path: Path) -> list[Party]:
    """Parties from a CSV or FollowTheMoney file; ListError names the first bad line."""
    if not path.is_file():
        raise ListError(f"{path} does not exist or is not a file")
    return _read_ftm(path) if _is_ftm(path) else _read_csv(path)


def csv_header(reader: csv.DictReader, path: Path) -> list[str]:
    """The reader's column names; ListError when the header cannot be read."""
    try:
        return list(reader.fieldnames or [])
    except csv.Error as e:
        raise ListError(f"{path}, line 1: {_unreadable(path, 1, [], e)}") from None


def csv_rows(reader: csv.DictReader, path: Path) -> Iterator[dict]:
    """The reader's rows; ListError names the line (and the field, when it is too long) of a row
    that cannot be read."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise ListError(f"{path}, line {start}: {_unreadable(path, start, csv_header(reader, path), e)}") from None
        yield row


def _unreadable(path: Path, line: int, columns: list[str], error: csv.Error) -> str:
    """Why the record starting at `line` cannot be read: which field is too long, when that is it."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(error):
        return f"not valid CSV ({error})"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rest = "".join(islice(f, line - 1, None))
    try:  # Polars has no field limit: read that one record to name the field
        record = pl.read_csv(io.StringIO(rest), has_header=False, n_rows=1, infer_schema=False, truncate_ragged_lines=True, quote_char='"').row(0)
        index = next(i for i, value in enumerate(record) if value is not None and len(value) > limit)
    except (pl.exceptions.PolarsError, StopIteration):
        return f"a field is longer than the {limit:,} characters a list field may have"
    name = f"'{columns[index]}'" if index < len(columns) else str(index + 1)
    return f"field {name} is longer than the {limit:,} characters a list field may have"


def _read_csv(path: Path) -> list[Party]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns = csv_header(reader, path)
        missing = {"id", "name"} - set(columns)
        if missing:
            raise ListError(f"{path}: missing column {', '.join(sorted(missing))}; the columns are {', '.join(columns)}")
        parties, seen = [], {}
        for row in csv_rows(reader, path):
            where = f"{path}, line {reader.line_num}"
            if None in row:
                raise ListError(f"{where}: more fields than the header has")
            pid, name = (row["id"] or "").strip(), (row["name"] or "").strip()
            if not pid or not name:
                raise ListError(f"{where}: id and name are required")
            if pid in seen:
                raise ListError(f"{where}: id '{pid}' is already used at line {seen[pid]}")
            seen[pid] = reader.line_num
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
            parties.append(Party(pid, (name, *aliases), country_code(row.get("country"), where), _kind(row.get("kind"), where), (row.get("list") or "").strip() or None))
    return parties


def _read_ftm(path: Path) -> list[Party]:
    parties = []
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            try:
                entity = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                raise ListError(f"{where}: not valid JSON ({e})") from None
            if not isinstance(entity, dict) or not entity.get("id") or not isinstance(entity.get("properties"), dict):
                raise ListError(f"{where}: a FollowTheMoney entity needs 'id' and 'properties'")
            if entity.get("schema") not in FTM_KINDS:
                continue  # addresses, sanctions, ownership links: not parties
            props = entity["properties"]
            names = tuple(dict.fromkeys([*props.get("name", []), *props.get("alias", []), *props.get("weakAlias", [])]))
            if not names:
                raise ListError(f"{where}: entity '{entity['id']}' has no name")
            countries = props.get("country") or props.get("nationality") or props.get("jurisdiction") or props.get("flag") or [None]
            datasets = entity.get("datasets") or [None]
            parties.append(Party(entity["id"], names, country_code(countries[0], where), FTM_KINDS[entity["schema"]], datasets[0]))
    return parties


def read_whitelist(path: Path) -> set[tuple[str, str]]:
    """Known false positives: CSV `entry_id,name`, a party name that is not that entry."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if {"entry_id", "name"} - set(csv_header(reader, path)):
            raise ListError(f"{path}: a whitelist has the columns entry_id,name")
        return {(row["name"].strip(), row["entry_id"].strip()) for row in csv_rows(reader, path)}


def load_watchlist(path: Path, whitelist: Path | None = None) -> WatchList:
    return WatchList(read_parties(path), read_whitelist(whitelist) if whitelist else set())

"""Named lists of four kinds (party, commodity by HS prefix, country, brand), from a directory
whose `watchlists.yaml` gives each its name, kind, file, source and date; how profile conditions
use them, and batch screening of consignors and consignees against the party lists."""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartborder.quality.terms import needles, normalised, padded
from smartborder.risk.lanes import LANES
from smartborder.risk.names import plain
from smartborder.risk.profiles import any_listed, kind_of, starts_with_any
from smartborder.risk.screening import DEFAULT_THRESHOLD, Party, WatchList
from smartborder.risk.watchlists import ListError, country_code, csv_header, csv_rows, load_watchlist
from smartborder.schema import KEY, Kind

PARTY_FIELDS = ("consignor_name", "consignee_name")
MAX_REMEMBERED = 1_000_000  # screened names kept per list for the rest of a run


class ListSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Literal["party", "commodity", "country", "brand"]
    file: str
    source: str
    date: date
    whitelist: str | None = None
    lane: Literal[LANES] | None = None  # type: ignore[valid-type]  # for a party list: what a match means by itself
    weight: float = Field(default=0.0, ge=0, le=1)
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0, le=1)


@dataclass
class NamedList:
    spec: ListSpec
    parties: WatchList | None = None
    values: tuple[str, ...] = ()  # HS prefixes, country codes or brand names


def _column_values(path: Path, column: str, normalise_value) -> tuple[str, ...]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        columns = csv_header(reader, path)
        if column not in columns:
            raise ListError(f"{path}: a list of this kind has a '{column}' column; the columns are {', '.join(columns)}")
        values = []
        for row in csv_rows(reader, path):
            value = normalise_value((row[column] or "").strip(), f"{path}, line {reader.line_num}")
            if value:
                values.append(value)
    if not values:
        raise ListError(f"{path}: the list is empty")
    return tuple(dict.fromkeys(values))


def _hs_prefix(value: str, where: str) -> str:
    code = value.replace(".", "").replace(" ", "")
    if not code.isdigit() or not 2 <= len(code) <= 10:
        raise ListError(f"{where}: '{value}' is not an HS code or prefix (2 to 10 digits)")
    return code


def load_lists(directory: Path) -> dict[str, NamedList]:
    """The lists a directory's watchlists.yaml names, each read and checked."""
    index = directory / "watchlists.yaml"
    if not index.is_file():
        raise ListError(f"{directory}: no watchlists.yaml naming the lists (name, kind, file, source, date)")
    try:
        specs = [ListSpec.model_validate(item) for item in (yaml.safe_load(index.read_text(encoding="utf-8")) or {}).get("lists", [])]
    except (yaml.YAMLError, ValidationError, AttributeError) as e:
        raise ListError(f"{index}: {e}") from None
    lists = {}
    for spec in specs:
        path = directory / spec.file
        if spec.name in lists:
            raise ListError(f"{index}: list name '{spec.name}' is used twice")
        if spec.kind == "party":
            named = NamedList(spec, parties=load_watchlist(path, directory / spec.whitelist if spec.whitelist else None))
        elif spec.kind == "commodity":
            named = NamedList(spec, values=_column_values(path, "hs_code", _hs_prefix))
        elif spec.kind == "country":
            named = NamedList(spec, values=_column_values(path, "country", country_code))
        else:
            named = NamedList(spec, values=_column_values(path, "brand", lambda v, _: v))
        lists[spec.name] = named
    return lists


def screening_column(list_name: str, field: str) -> str:
    return f"_screen_{list_name}_{field}"


class Lists:
    """Watch lists by name, as profile conditions use them (risk.profiles.ListLookup)."""

    def __init__(self, lists: dict[str, NamedList]):
        self.by_name = lists
        self._screened: dict[str, dict[tuple[str, str | None], list[tuple[str, float, str]]]] = {}  # per list: (name, country) -> matches

    def _matches(self, named: NamedList, parties: list[tuple[str, str | None]]) -> list[tuple]:
        """(name, country, entry_id, score, explanation) for each party's matches. A name already
        screened in this run is not screened again: sellers and buyers recur from batch to batch."""
        known = self._screened.setdefault(named.spec.name, {})
        if len(known) > MAX_REMEMBERED:
            known.clear()
        new = [p for p in parties if p not in known]
        known.update((p, []) for p in new)
        for m in named.parties.screen([Party(str(i), (n,), c) for i, (n, c) in enumerate(new)], named.spec.threshold):
            known[new[int(m.query_id)]].append((m.entry_id, m.score, m.explanation))
        return [(n, c, *match) for n, c in parties for match in known[(n, c)]]

    def add_party_list(self, name: str, path: Path, source: str, lane: str | None, weight: float) -> None:
        """A party list from a file, outside any watchlists.yaml (e.g. a sample's own list)."""
        spec = ListSpec(name=name, kind="party", file=str(path), source=source, date=date.today(), lane=lane, weight=weight)
        self.by_name[name] = NamedList(spec, parties=load_watchlist(path))

    def kinds(self) -> dict[str, str]:
        return {name: named.spec.kind for name, named in self.by_name.items()}

    def expr(self, field: str, name: str, min_score: float | None) -> pl.Expr:
        named = self.by_name[name]
        col = pl.col("_route") if field == "route" else pl.col(field)
        if named.spec.kind == "party":
            return pl.col(screening_column(name, field)) >= (min_score if min_score is not None else named.spec.threshold)
        if named.spec.kind == "commodity":
            return starts_with_any(col, named.values)
        if named.spec.kind == "country":
            return any_listed(col, list(named.values)) if kind_of(field) is Kind.COUNTRIES else col.is_in(list(named.values))
        return padded(normalised(col)).str.contains_any(list(needles([plain(b) for b in named.values])))

    def party_lists(self) -> list[NamedList]:
        return [named for named in self.by_name.values() if named.spec.kind == "party"]

    def screen(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Screen each distinct (name, country) of the consignors and consignees against every party
        list. Returns the batch with a best-score column per list and field (for profiles), and the
        matches: consignment_row, list, field, entry_id, score, explanation."""
        schema = {KEY: pl.Int64, "list": pl.String, "field": pl.String, "entry_id": pl.String, "score": pl.Float64, "explanation": pl.String}
        lists = self.party_lists()
        if not lists:
            return batch, pl.DataFrame(schema=schema)
        parties = pl.concat(
            [batch.lazy().select(pl.col(f).alias("name"), pl.col(f.replace("_name", "_country")).alias("country")) for f in PARTY_FIELDS]
        ).unique().drop_nulls("name").collect(engine="in-memory").rows()
        found = pl.DataFrame(
            [(named.spec.name, *match) for named in lists for match in self._matches(named, parties)],
            schema={"list": pl.String, "name": pl.String, "country": pl.String, "entry_id": pl.String, "score": pl.Float64, "explanation": pl.String},
            orient="row",
        )  # fmt: skip
        if found.is_empty():  # no party is listed: every score is 0
            scores = [pl.lit(0.0).alias(screening_column(named.spec.name, field)) for field in PARTY_FIELDS for named in lists]
            return batch.with_columns(scores), pl.DataFrame(schema=schema)
        best = found.group_by("name", "country").agg(
            pl.col("score").filter(pl.col("list") == named.spec.name).max().fill_null(0.0).alias(named.spec.name) for named in lists
        )
        matches = []
        for field in PARTY_FIELDS:
            country = field.replace("_name", "_country")
            scores = best.rename({"name": field, "country": country} | {n.spec.name: screening_column(n.spec.name, field) for n in lists})
            batch = batch.join(scores, on=[field, country], how="left", nulls_equal=True, maintain_order="left").with_columns(
                pl.col(screening_column(n.spec.name, field)).fill_null(0.0) for n in lists
            )
            matches.append(
                batch.select(KEY, pl.col(field).alias("name"), pl.col(country).alias("country")).unique()
                .join(found, on=["name", "country"], nulls_equal=True)
                .select(KEY, "list", pl.lit(field).alias("field"), "entry_id", "score", "explanation")
            )  # fmt: skip
        return batch, pl.concat(matches)

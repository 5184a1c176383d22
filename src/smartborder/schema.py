"""The consignment record: a house-level consignment with its parties and goods items.

Modelled on the WCO e-commerce reference data set, EU ICS2 house-level data and the UPU CN23:
one consignment (submitter, reference, route, parties) carries one or more goods items.

A batch is held as one Polars frame with one row per goods item: consignment fields repeat on
each item row. `Field.level` says which level a field belongs to.
"""

from dataclasses import dataclass
from enum import StrEnum

import polars as pl


class Level(StrEnum):
    CONSIGNMENT = "consignment"
    ITEM = "item"


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # upper-cased, stripped
    COUNTRY = "country"  # ISO 3166-1 alpha-2
    COUNTRIES = "countries"  # list of ISO 3166-1 alpha-2, stored separated by spaces
    CURRENCY = "currency"  # ISO 4217
    HS_CODE = "hs_code"  # 6 to 10 digits
    DATE = "date"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class Field:
    name: str
    level: Level
    kind: Kind
    required: bool = False
    maximum: float | None = None  # above it a value is absurd: an error, not a finding
    choices: tuple[str, ...] = ()
    doc: str = ""


TRANSPORT_MODES = ("sea", "rail", "road", "air", "post", "inland_waterway", "fixed_installation", "multimodal", "unknown")

C, I = Level.CONSIGNMENT, Level.ITEM
FIELDS: tuple[Field, ...] = (
    Field("submitter", C, Kind.TEXT, required=True, doc="Platform, carrier, post or declarant that sent the data"),
    Field("reference", C, Kind.TEXT, required=True, doc="The submitter's house consignment reference"),
    Field("transport_mode", C, Kind.CHOICE, choices=TRANSPORT_MODES),
    Field("carrier", C, Kind.TEXT, doc="Express carrier, post or courier"),
    Field("office", C, Kind.TEXT, doc="Customs office of destination"),
    Field("declared_date", C, Kind.DATE, required=True),
    Field("expected_arrival", C, Kind.DATE),
    Field("departure_country", C, Kind.COUNTRY),
    Field("transit_countries", C, Kind.COUNTRIES),
    Field("destination_country", C, Kind.COUNTRY, required=True),
    Field("platform", C, Kind.TEXT, doc="E-commerce platform or marketplace"),
    Field("consignor_name", C, Kind.TEXT, doc="Seller"),
    Field("consignor_address", C, Kind.TEXT),
    Field("consignor_country", C, Kind.COUNTRY),
    Field("consignor_id", C, Kind.CODE, doc="EORI, TIN or other identifier"),
    Field("consignor_aeo", C, Kind.BOOLEAN, doc="Authorised Economic Operator"),
    Field("consignee_name", C, Kind.TEXT, doc="Buyer"),
    Field("consignee_address", C, Kind.TEXT),
    Field("consignee_country", C, Kind.COUNTRY),
    Field("consignee_id", C, Kind.CODE, doc="EORI, TIN or other identifier"),
    Field("consignee_aeo", C, Kind.BOOLEAN, doc="Authorised Economic Operator"),
    Field("description", I, Kind.TEXT, doc="Goods description"),
    Field("hs_code", I, Kind.HS_CODE, required=True),
    Field("quantity", I, Kind.NUMBER, maximum=1e9),
    Field("quantity_unit", I, Kind.CODE),
    Field("gross_mass", I, Kind.NUMBER, maximum=1e9, doc="kg"),
    Field("net_mass", I, Kind.NUMBER, maximum=1e9, doc="kg"),
    Field("value", I, Kind.NUMBER, maximum=1e13),
    Field("currency", I, Kind.CURRENCY),
    Field("origin_country", I, Kind.COUNTRY),
)
del C, I

FIELD_BY_NAME = {f.name: f for f in FIELDS}
CONSIGNMENT_FIELDS = tuple(f.name for f in FIELDS if f.level is Level.CONSIGNMENT)
ITEM_FIELDS = tuple(f.name for f in FIELDS if f.level is Level.ITEM)
PARTIES = ("consignor", "consignee")

UNKNOWN_COUNTRY = "ZZ"  # ISO 3166 user-assigned code, widely used for "unknown"

POLARS_TYPES = {
    Kind.DATE: pl.Date,
    Kind.NUMBER: pl.Float64,
    Kind.BOOLEAN: pl.Boolean,
}


def polars_type(field: Field) -> type[pl.DataType]:
    return POLARS_TYPES.get(field.kind, pl.String)


def with_all_fields(frame: pl.DataFrame) -> pl.DataFrame:
    """Every record field present: the ones the source does not carry as typed nulls."""
    return frame.with_columns(pl.lit(None, dtype=polars_type(f)).alias(f.name) for f in FIELDS if f.name not in frame.columns)


# Columns the pipeline adds beside the record fields.
ROW = "row"  # where the row starts in the source file (CSV/NDJSON: line number; Parquet: record number)
KEY = "consignment_row"  # a consignment within an intake batch: the ROW where it starts
ITEM_NO = "item_no"
EXTRA = "extra"  # JSON object of further declared attributes the mapping keeps

"""Small hand-written inputs for tests: canonical consignment rows and files of them."""

import csv
from pathlib import Path


def row(reference: str = "REF-1", **changes) -> dict[str, str]:
    """One flat row (one goods item) in the record's own column names, clean by default."""
    base = {
        "submitter": "Parcelwave",
        "reference": reference,
        "transport_mode": "air",
        "carrier": "Skyline Express",
        "declared_date": "2025-03-01",
        "expected_arrival": "2025-03-04",
        "departure_country": "CN",
        "destination_country": "DE",
        "platform": "Marketly",
        "consignor_name": "Shenzhen Bright Lamp Co., Ltd.",
        "consignor_address": "88 Nanshan Road, Shenzhen",
        "consignor_country": "CN",
        "consignor_id": "CN9144030012345",
        "consignee_name": "Anna Schmidt",
        "consignee_address": "Hauptstrasse 5, 10115 Berlin",
        "consignee_country": "DE",
        "description": "LED desk lamp with USB charger",
        "hs_code": "940521",
        "quantity": "2",
        "quantity_unit": "PCE",
        "gross_mass": "1.4",
        "net_mass": "1.2",
        "value": "38.50",
        "currency": "EUR",
        "origin_country": "CN",
    }
    return base | changes


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))

"""Reference data shipped in the package (src/smartborder/data; sources and licences beside each file)."""

import csv
from importlib.resources import files


def data_rows(*path: str) -> list[dict[str, str]]:
    """The rows of a CSV file under smartborder/data, e.g. data_rows("risk", "legal_forms.csv")."""
    with files("smartborder").joinpath("data", *path).open(encoding="utf-8-sig") as f:  # -sig: some files start with a BOM
        return list(csv.DictReader(f))

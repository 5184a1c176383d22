"""How much of what the generator planted a stage of smartborder finds: recall per planted problem
against the truth file."""

import polars as pl

# planted data-quality problem -> the findings that reveal it
REVEALED_BY_FINDINGS = {
    "vague_description": ["description_vague"],
    "placeholder_party": ["party_name_placeholder", "party_address_placeholder", "consignee_address_missing",
                          "consignor_address_missing", "consignee_name_missing", "consignor_name_missing"],
    "zero_value": ["value_zero", "value_token"],
}  # fmt: skip


def finding_recall(truth: pl.DataFrame, findings: pl.DataFrame) -> pl.DataFrame:
    """Per planted problem: planted, found, recall. `findings` has columns reference and code."""
    rows = []
    for problem, codes in REVEALED_BY_FINDINGS.items():
        planted = set(truth.filter(pl.col("problem") == problem)["reference"])
        found = planted & set(findings.filter(pl.col("code").is_in(codes))["reference"])
        rows.append((problem, len(planted), len(found), len(found) / len(planted) if planted else None))
    return pl.DataFrame(rows, schema={"problem": pl.String, "planted": pl.Int64, "found": pl.Int64, "recall": pl.Float64}, orient="row")


def asked_without_cause(truth: pl.DataFrame, findings: pl.DataFrame, rfi_severity: float, consignments: int) -> float:
    """Share of consignments with nothing planted that still got a request for information."""
    planted = set(truth["reference"])
    asked = set(findings.filter(pl.col("severity") >= rfi_severity)["reference"]) - planted
    return len(asked) / (consignments - len(planted))

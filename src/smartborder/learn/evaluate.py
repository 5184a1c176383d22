"""How well a score ranks consignments for inspection: precision and recall among the top n %, ROC AUC."""

import math

import numpy as np
from sklearn.metrics import roc_auc_score

TOP_PERCENTS = (1, 2, 5, 10)


def metrics(labels, scores, revenue=None) -> dict:
    """Precision and recall among the top 1, 2, 5 and 10 % by score (ties kept in input order),
    ROC AUC and, given the revenue at stake per consignment, the share of it the top n % recovers."""
    y = np.asarray(labels, dtype=np.int64)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    positives = int(y.sum())
    result: dict = {"consignments": len(y), "positives": positives,
                    "roc_auc": float(roc_auc_score(y, scores)) if 0 < positives < len(y) else None}  # fmt: skip
    for percent in TOP_PERCENTS:
        top = order[: max(1, math.ceil(len(y) * percent / 100))]
        hits = int(y[top].sum())
        result[f"precision_{percent}"] = hits / len(top)
        result[f"recall_{percent}"] = hits / positives if positives else None
        if revenue is not None:
            at_stake = np.asarray(revenue, dtype=np.float64) * y
            result[f"revenue_{percent}"] = float(at_stake[top].sum() / at_stake.sum()) if at_stake.sum() else None
    return result

"""The risk model: gradient-boosted trees (LightGBM) on the customs features, with isotonic calibration
fitted out of time, readable reasons per consignment, saved as plain files.

Training holds out the last VALIDATION_DAYS of the training data (or its last fifth of consignments when that
is fewer, for short histories): the model trained on the earlier part
stops early and is calibrated there; the model kept is then refitted on all the training data with that
many trees (newest outcomes matter most) and uses the same calibration. Same data and seed, same model.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.isotonic import IsotonicRegression

from smartborder import __version__
from smartborder.learn.dataset import LABEL
from smartborder.learn.evaluate import metrics
from smartborder.learn.features import DATE, HISTORY_COLUMNS, FeatureSpec, build

VALIDATION_DAYS = 61
VALIDATION_SHARE = 0.2
PARAMS = {
    "objective": "binary", "learning_rate": 0.03, "num_leaves": 63, "min_data_in_leaf": 20, "feature_fraction": 0.8,
    "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "cat_smooth": 10.0, "max_cat_to_onehot": 8,
    "deterministic": True, "force_row_wise": True, "num_threads": 2, "verbose": -1,
}  # fmt: skip
MAX_TREES = 3000
TIE_BREAK = 1e-6  # calibrated steps are flat: the raw score orders consignments within a step

READABLE = {
    "hs_chapter": "HS chapter", "hs_heading": "HS heading", "hs_subheading": "HS subheading",
    "value_per_kg": "value per kg", "unit_value_gap": "value per kg against the subheading's usual (log ratio)",
    "log_value": "declared value (log)", "log_mass": "net mass (log)",
    "departure_country": "country of departure", "origin_country": "country of origin",
    "same_country": "departure and origin the same country", "office": "customs office", "transport_mode": "transport mode",
    "weekday": "day of week", "month": "month",
    "importer_count": "importer's earlier consignments", "importer_rate": "importer's past non-compliance",
    "declarant_count": "declarant's earlier consignments", "declarant_rate": "declarant's past non-compliance",
    "seller_count": "seller's earlier consignments", "seller_rate": "seller's past non-compliance",
    "courier_count": "courier's earlier consignments", "courier_rate": "courier's past non-compliance",
}  # fmt: skip


@dataclass
class RiskModel:
    booster: lgb.Booster
    spec: FeatureSpec
    calibration: dict[str, list[float]]  # isotonic steps: x (raw score) -> y (probability)
    history: pl.DataFrame  # the outcomes known at training time, for party history
    info: dict  # version, seed, training window, out-of-time metrics

    @classmethod
    def fit(cls, frame: pl.DataFrame, seed: int = 0) -> "RiskModel":
        """Train on labelled consignments (see the module docstring)."""
        features = build(frame, frame)
        spec = FeatureSpec.learn(features)
        x, y = spec.matrix(features), frame[LABEL].to_numpy()
        first, last = frame[DATE].min(), frame[DATE].max()
        early = (frame[DATE] < _validation_start(frame[DATE])).to_numpy()
        if early.all() or not early.any():
            raise ValueError("training needs outcomes on more than one date")
        params = PARAMS | {"seed": seed}
        dataset = lambda rows: lgb.Dataset(x[rows], y[rows], feature_name=spec.names, categorical_feature=list(spec.categorical), free_raw_data=False)  # noqa: E731
        held = lgb.train(params, dataset(early), MAX_TREES, valid_sets=[dataset(~early)], callbacks=[lgb.early_stopping(200, verbose=False)])
        raw = held.predict(x[~early], num_iteration=held.best_iteration)
        isotonic = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(raw, y[~early])
        calibration = {"x": isotonic.X_thresholds_.tolist(), "y": isotonic.y_thresholds_.tolist()}
        booster = lgb.train(params, dataset(np.ones(len(y), dtype=bool)), held.best_iteration)
        digest = hashlib.sha256(booster.model_to_string().encode()).hexdigest()[:8]
        info = {
            "version": f"{__version__}+{last:%Y%m%d}.{digest}", "seed": seed, "trees": held.best_iteration,
            "training_window": [first.isoformat(), last.isoformat()], "consignments": len(y), "positives": int(y.sum()),
            "out_of_time_metrics": metrics(y[~early], _calibrated(raw, calibration)),
        }  # fmt: skip
        return cls(booster, spec, calibration, frame.select(HISTORY_COLUMNS), info)

    def _features(self, frame: pl.DataFrame, outcomes: pl.DataFrame | None) -> pl.DataFrame:
        history = self.history if outcomes is None else pl.concat([self.history, outcomes.select(HISTORY_COLUMNS)], how="vertical_relaxed")
        return build(frame, history)

    def predict(self, frame: pl.DataFrame, outcomes: pl.DataFrame | None = None) -> np.ndarray:
        """Calibrated probability of non-compliance per row. Party history: the training outcomes, plus
        `outcomes` (labelled consignments recorded since) when given."""
        return _calibrated(self.booster.predict(self.spec.matrix(self._features(frame, outcomes))), self.calibration)

    def explain(self, frame: pl.DataFrame, top: int = 3, outcomes: pl.DataFrame | None = None) -> list[list[str]]:
        """Per row, the `top` features that raise its risk most, e.g. "importer's past non-compliance 0.42 (+0.31)"
        (the value, then its contribution to the log-odds)."""
        features = self._features(frame, outcomes)
        contributions = self.booster.predict(self.spec.matrix(features), pred_contrib=True)[:, :-1]
        reasons = []
        for row, contribution in zip(features.iter_rows(named=True), contributions):
            strongest = [i for i in np.argsort(-contribution, kind="stable")[:top] if contribution[i] > 0]
            reasons.append([f"{READABLE.get(self.spec.names[i], self.spec.names[i])} {_shown(row[self.spec.names[i]])} ({contribution[i]:+.2f})" for i in strongest])
        return reasons

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(directory / "model.txt")
        (directory / "calibration.json").write_text(json.dumps(self.calibration))
        self.spec.save(directory / "features.json")
        self.history.write_parquet(directory / "history.parquet")
        (directory / "model.json").write_text(json.dumps(self.info, indent=1))

    @classmethod
    def load(cls, directory: Path) -> "RiskModel":
        if not (directory / "model.txt").is_file():
            raise FileNotFoundError(f"{directory}: no model.txt; train a model with `smartborder train` first")
        return cls(
            lgb.Booster(model_file=directory / "model.txt"), FeatureSpec.load(directory / "features.json"),
            json.loads((directory / "calibration.json").read_text()), pl.read_parquet(directory / "history.parquet"),
            json.loads((directory / "model.json").read_text()),
        )  # fmt: skip


def _validation_start(dates: pl.Series):
    """First date of the out-of-time slice: the last VALIDATION_DAYS, or fewer to keep most data for training."""
    return max(dates.max() - timedelta(days=VALIDATION_DAYS - 1), dates.sort()[int(len(dates) * (1 - VALIDATION_SHARE))])


def _calibrated(raw: np.ndarray, calibration: dict[str, list[float]]) -> np.ndarray:
    return np.clip(np.interp(raw, calibration["x"], calibration["y"]) + TIE_BREAK * raw, 0.0, 1.0)


def _shown(value) -> str:
    return "unknown" if value is None else f"{value:.3g}" if isinstance(value, float) else str(value)

"""The risk model on the Korea Customs Service synthetic declarations, through the commands a user runs:
`smartborder train` on train.csv (2020), `smartborder evaluate` on valid.csv (2021-Q1). Prints precision
among the top n % next to the paper's LightGBM (Jeong et al. 2022, Table 3: 0.762 at 5 %, 0.641 at 10 %).

    python benchmarks/kcs.py [--seed 0]

valid.csv is used only for this report: stopping and calibration use the last two months of train.csv.
Two evaluations: party history frozen at the end of training, and rolling (each consignment also sees
the outcomes of valid.csv's earlier days, as when outcomes are recorded daily).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from smartborder.cli import evaluate_command, train_command
from smartborder.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
KCS = ROOT.parent / "shared" / "data" / "kcs-synthetic-declarations"
MAPPING = ROOT / "examples" / "kcs" / "mapping.yaml"
PAPER = {"precision_5": 0.762, "precision_10": 0.641}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SMARTBORDER_DATA_DIR"] = tmp  # the model is registered in a store of its own, not the user's
        os.environ.pop("SMARTBORDER_DATABASE_URL", None)
        get_settings.cache_clear()
        started = time.perf_counter()
        info = train_command(file=KCS / "train.csv", out=Path(tmp) / "model", mapping=MAPPING, seed=args.seed)
        trained = time.perf_counter() - started
        results = {rolling: evaluate_command(KCS / "valid.csv", model=Path(tmp) / "model", mapping=MAPPING, rolling=rolling, as_json=True)
                   for rolling in (False, True)}  # fmt: skip
    table = Table(title=f"KCS valid.csv ({results[False]['consignments']:,} declarations, {results[False]['positives']:,} fraud), "
                        f"model {info['version']} trained in {trained:.0f} s")  # fmt: skip
    for column in ("", "P@1 %", "P@2 %", "P@5 %", "P@10 %", "R@10 %", "ROC AUC"):
        table.add_column(column, justify="left" if not column else "right")
    table.add_row("paper: LightGBM", "", "", f"{PAPER['precision_5']:.3f}", f"{PAPER['precision_10']:.3f}", "", "")
    for rolling, label in ((False, "smartborder, history frozen at training end"), (True, "smartborder, rolling history")):
        r = results[rolling]
        table.add_row(label, *(f"{r[f'precision_{p}']:.3f}" for p in (1, 2, 5, 10)), f"{r['recall_10']:.3f}", f"{r['roc_auc']:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()

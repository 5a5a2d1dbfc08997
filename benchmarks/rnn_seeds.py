"""Is rnn.py robust or lucky? Train it with five seeds and compare the test RMSEs side by side.

    python benchmarks/rnn_seeds.py                  # seeds 0-4 with the default settings
    python benchmarks/rnn_seeds.py --json out.json  # also write the figures as JSON

Each seed draws its own starting weights, shuffling and feedback choices; everything else is
rnn.py's defaults on data/sinwave.csv. The aim: at least 4 of the 5 free-run below 0.1. Each
RMSE is shown beside its own naive baseline: one step beside "next value = this value", the
free run beside "flat at the last known value".
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import plumbing  # noqa: E402  (found through the line above)
import rnn  # noqa: E402

FREE_RUN_GOAL = 0.1  # a free run below this RMSE counts as a success
SUCCESSES_NEEDED = 4  # ...and this many of the seeds must succeed


def run_seeds(seeds, csv_path):
    """Train and evaluate once per seed; returns one dict of results per seed."""
    series, n_train, _ = rnn.load_data(csv_path, rnn.SEQ_LEN)
    rows = []
    for seed in seeds:
        results, _ = rnn.fit_and_evaluate(series, n_train, rnn.default_settings(seed=seed),
                                          log=None)
        rows.append({"seed": seed, **results})
        print(f"{seed:4d}  {results['one_step_rmse']:9.5f}  "
              f"{results['one_step_rmse'] / results['persistence_rmse']:9.3f}  "
              f"{results['free_run_rmse']:9.4f}  "
              f"{results['free_run_rmse'] / results['free_run_persistence_rmse']:9.4f}  "
              f"{results['train_seconds']:7.2f}", flush=True)
    return rows


def summarise(rows):
    """Medians and the count of free runs below the goal."""
    def median(key):
        values = sorted(row[key] for row in rows)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    successes = sum(row["free_run_rmse"] < FREE_RUN_GOAL for row in rows)
    return {"median_one_step_rmse": median("one_step_rmse"),
            "median_free_run_rmse": median("free_run_rmse"),
            "free_runs_below_goal": successes, "seeds": len(rows),
            "robust": successes >= min(SUCCESSES_NEEDED, len(rows))}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train rnn.py with several seeds.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="seeds to train with (default: 0 1 2 3 4)")
    parser.add_argument("--csv", type=Path, default=REPO_ROOT / "data" / "sinwave.csv",
                        help="series to learn (default: data/sinwave.csv)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    if not all(0 <= seed <= 2**32 - 1 for seed in args.seeds):
        parser.error("every seed must be a whole number from 0 to 4294967295")
    plumbing.check_outputs({"--json": args.json}, {"--csv": args.csv})
    start = time.perf_counter()
    print(f"rnn.py defaults: hidden {rnn.HIDDEN}, seq_len {rnn.SEQ_LEN}, epochs {rnn.EPOCHS}, "
          f"lr {rnn.LEARNING_RATE}")
    print(f"{'seed':4}  {'one-step':>9}  {'/ naive':>9}  {'free-run':>9}  {'/ flat':>9}  "
          f"{'train s':>7}")
    rows = run_seeds(args.seeds, args.csv)
    summary = summarise(rows)
    print(f"\nmedian RMSE: one step {summary['median_one_step_rmse']:.5f}, "
          f"free running {summary['median_free_run_rmse']:.4f}")
    print(f"free runs below {FREE_RUN_GOAL}: {summary['free_runs_below_goal']} of "
          f"{summary['seeds']} (goal: {SUCCESSES_NEEDED} of 5) in "
          f"{time.perf_counter() - start:.1f} s")
    if args.json:
        plumbing.write_json(args.json, {"runs": rows, **summary})


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(plumbing.run_main(main))

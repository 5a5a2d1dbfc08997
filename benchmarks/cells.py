"""Is the LSTM what matters, or would a simpler recurrent layer do?

Trains each recurrent layer of run_lstm.py --cell (lstm, gru, simple) on the sine preset and
on the S&P 500 preset, over several seeds, each as its own
`python run_lstm.py <preset> --cell <cell> --seed <seed>` (the preset's defaults), and prints
one row per preset and cell: the RMSE ratio to the naive forecast "tomorrow = today" (below 1
beats it) as mean and spread (standard deviation) over the seeds, how many seeds beat, tie
with or lose to it (Diebold-Mariano at 5%), the direction score beside the share of rising
steps (the score "always up" gets) with the seeds that are more than two standard errors above
it, and the training time.

    python benchmarks/cells.py                 # 5 seeds x 6 runs: 28 minutes on a 2-core
                                               # machine shared with other jobs
    python benchmarks/cells.py --seeds 0 1 2 --json cells.json

The figures and predictions of each run go to a temporary folder, so figures/ is left alone.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import plumbing  # noqa: E402  (after the path is set)

# %% Settings
PRESETS = ("sine", "sp500")  # run_lstm.py's datasets, each with its own defaults
CELLS = ("lstm", "gru", "simple")  # run_lstm.py --cell
SEEDS = (0, 1, 2, 3, 4)  # run_lstm.py --seed: one seed is an anecdote


def one_run(preset, cell, seed, folder):
    """`python run_lstm.py <preset> --cell <cell> --seed <seed>` in a new Python; returns its
    --json figures."""
    out = Path(folder) / f"{preset}_{cell}_{seed}"
    command = [sys.executable, str(REPO_ROOT / "run_lstm.py"), preset, "--cell", cell,
               "--seed", str(seed), "--mode", "point", "--plot-dir", str(out),
               "--json", str(out / "run.json")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    if done.returncode != 0:
        raise plumbing.InputError(f"{' '.join(command[1:])} failed: "
                                  f"{done.stderr.strip().splitlines()[-1]}")
    first_line = done.stdout.splitlines()[0]  # Keras x on backend (why), loaded in ...
    return {**json.loads((out / "run.json").read_text(encoding="utf-8")), "keras": first_line}


def summary(runs):
    """Mean, spread and counts over the seeds of one preset and cell."""
    ratios = np.array([run["rmse_ratio"] for run in runs], dtype=float)
    verdicts = [run.get("naive_verdict", "n/a") for run in runs]
    above = sum(run["direction_accuracy"] > run["rising_share"] + 2 * run["direction_se"]
                for run in runs)
    return {"dataset": runs[0]["dataset"], "cell": runs[0]["cell"], "seeds": len(runs),
            "ratio_mean": float(ratios.mean()), "ratio_sd": float(ratios.std(ddof=1)),
            "beat": verdicts.count("beat"), "tie": verdicts.count("tie"),
            "worse": verdicts.count("worse"),
            "direction_mean": float(np.mean([run["direction_accuracy"] for run in runs])),
            "direction_sd": float(np.std([run["direction_accuracy"] for run in runs], ddof=1)),
            "direction_above": int(above), "rising_share": runs[0]["rising_share"],
            "fit_seconds": float(np.mean([run["fit_seconds"] for run in runs]))}


def table(rows):
    """The summaries as a Markdown table, ready for docs/after-class.md."""
    lines = ["| data | cell | RMSE / naive, mean (spread) | beat / tie / worse | direction, mean "
             "(spread) | above always up | training |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['dataset']} | {row['cell']} | {row['ratio_mean']:.3f} "
                     f"({row['ratio_sd']:.3f}) | {row['beat']} / {row['tie']} / {row['worse']} "
                     f"| {row['direction_mean']:.1%} ({row['direction_sd']:.1%}) | "
                     f"{row['direction_above']} of {row['seeds']} (rising "
                     f"{row['rising_share']:.1%}) | {row['fit_seconds']:.0f} s |")
    return "\n".join(lines)


def run(args):
    """Every preset with every cell and seed, one after another; then the table."""
    started, runs, rows = time.perf_counter(), [], []
    if args.json:
        plumbing.check_output(args.json, "--json")
    with tempfile.TemporaryDirectory() as folder:
        for preset in PRESETS:
            for cell in CELLS:
                these = []
                for seed in args.seeds:
                    these.append(one_run(preset, cell, seed, folder))
                    print(f"{preset:6} {cell:7} seed {seed}: ratio "
                          f"{these[-1]['rmse_ratio']:.3f}, "
                          f"{these[-1].get('naive_verdict', 'n/a')} (p "
                          f"{these[-1].get('dm_pvalue', float('nan')):.2g}), "
                          f"{these[-1]['fit_seconds']:.0f} s of training", flush=True)
                runs += these
                rows.append(summary(these))
    print(f"\n{runs[0]['keras']}; {len(runs)} runs in {time.perf_counter() - started:.0f} s\n")
    print(table(rows))
    if args.json:
        plumbing.write_json(args.json, {"summary": rows, "runs": runs})


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description="Train each recurrent layer on each preset.")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS),
                        help="the seeds of each preset and cell (default: 0 1 2 3 4)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures of every run")
    return plumbing.run_main(lambda: run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

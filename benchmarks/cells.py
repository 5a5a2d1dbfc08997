"""Is the LSTM what matters, or would a simpler recurrent layer do?

Trains each recurrent layer of run_lstm.py --cell (lstm, gru, simple) on the sine preset and
on the S&P 500 preset, each as its own `python run_lstm.py <preset> --cell <cell>` (the
preset's defaults, seed 0), and prints one row each: the RMSE ratio to the naive forecast
"tomorrow = today" (below 1 beats it), the direction score beside the share of rising steps
(the score "always up" gets), and the training time.

    python benchmarks/cells.py                 # six runs: about 5 minutes on a 2-core laptop
    python benchmarks/cells.py --json cells.json

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

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import plumbing  # noqa: E402  (after the path is set)

# %% Settings
PRESETS = ("sine", "sp500")  # run_lstm.py's datasets, each with its own defaults
CELLS = ("lstm", "gru", "simple")  # run_lstm.py --cell


def one_run(preset, cell, folder):
    """`python run_lstm.py <preset> --cell <cell>` in a new Python; returns its --json figures."""
    out = Path(folder) / f"{preset}_{cell}"
    command = [sys.executable, str(REPO_ROOT / "run_lstm.py"), preset, "--cell", cell,
               "--mode", "point", "--plot-dir", str(out), "--json", str(out / "run.json")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    if done.returncode != 0:
        raise plumbing.InputError(f"{' '.join(command[1:])} failed: "
                                  f"{done.stderr.strip().splitlines()[-1]}")
    first_line = done.stdout.splitlines()[0]  # Keras x on backend (why), loaded in ...
    return {**json.loads((out / "run.json").read_text(encoding="utf-8")), "keras": first_line}


def table(rows):
    """The rows as a Markdown table, ready for the README."""
    lines = ["| data | cell | RMSE / naive | direction (rising share) | training |",
             "|---|---|---|---|---|"]
    for row in rows:
        ratio = "n/a" if row["rmse_ratio"] is None else f"{row['rmse_ratio']:.3f}"
        lines.append(f"| {row['dataset']} | {row['cell']} | {ratio} | "
                     f"{row['direction_accuracy']:.1%} ({row['rising_share']:.1%}) | "
                     f"{row['fit_seconds']:.0f} s |")
    return "\n".join(lines)


def run(args):
    """Every preset with every cell, one after another; then the table."""
    started, rows = time.perf_counter(), []
    if args.json:
        plumbing.check_output(args.json, "--json")
    with tempfile.TemporaryDirectory() as folder:
        for preset in PRESETS:
            for cell in CELLS:
                rows.append(one_run(preset, cell, folder))
                print(f"{preset:6} {cell:7} done ({rows[-1]['fit_seconds']:.0f} s of training)",
                      flush=True)
    print(f"\n{rows[0]['keras']}; {len(rows)} runs in {time.perf_counter() - started:.0f} s\n")
    print(table(rows))
    if args.json:
        plumbing.write_json(args.json, rows)


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description="Train each recurrent layer on each preset.")
    parser.add_argument("--json", metavar="PATH", help="also write the figures of every run")
    return plumbing.run_main(lambda: run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

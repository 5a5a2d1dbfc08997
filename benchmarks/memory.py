"""Where the gates win: the memory preset (the adding problem) for every cell and several seeds.

Runs `python run_lstm.py memory --cell <cell> --seed <seed>` for each recurrent layer and seed,
each in a new Python, and prints one row each: the test RMSE, the RMSE of always guessing the
training targets' mean, their ratio, and the training time, checked against the preset's
promise: 0.8 or more for SimpleRNN (it cannot carry a number 40 to 80 steps), 0.25 or less for
the LSTM and the GRU. It also draws the validation loss of every run per epoch beside the mean
guess's (figures/memory_cells.png, the picture on the slides).

    python benchmarks/memory.py                      # 3 cells x 3 seeds: about 11 minutes
    python benchmarks/memory.py --seeds 5 6 7 --json memory.json

It ends with status 1 when a run breaks the promise. The figures of each run go to a temporary
folder; only memory_cells.png is written, under --plot-dir.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cells import REPO_ROOT, one_run  # one run_lstm.py in a new Python, as cells.py runs it

import plumbing  # noqa: E402  (cells.py has put the repo on the path)

# %% Settings
CELLS = ("simple", "lstm", "gru")  # run_lstm.py --cell
SEEDS = (0, 1, 2)  # run_lstm.py --seed
PROMISE = {"simple": (">=", 0.8), "lstm": ("<=", 0.25), "gru": ("<=", 0.25)}  # error / mean guess
NAMES = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
COLOURS = {"simple": "tab:orange", "lstm": "tab:purple", "gru": "tab:green"}


def kept(run):
    """True when the run keeps the preset's promise for its cell."""
    sign, limit = PROMISE[run["cell"]]
    return run["rmse_ratio"] >= limit if sign == ">=" else run["rmse_ratio"] <= limit


def table(runs):
    """Cell x seed as a Markdown table, ready for docs/after-class.md."""
    lines = ["| cell | seed | test RMSE | mean guess | ratio | promise | training |",
             "|---|---|---|---|---|---|---|"]
    for run in runs:
        sign, limit = PROMISE[run["cell"]]
        lines.append(f"| {NAMES[run['cell']]} | {run['seed']} | {run['test_rmse']:.4f} | "
                     f"{run['baseline_rmse']:.4f} | {run['rmse_ratio']:.3f} | {sign} {limit} "
                     f"{'kept' if kept(run) else 'BROKEN'} | {run['fit_seconds']:.0f} s |")
    return "\n".join(lines)


def draw(runs, path):
    """The validation loss of every run per epoch, beside always guessing the mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    for run in runs:
        epochs = range(1, len(run["val_loss"]) + 1)
        first = run is next(other for other in runs if other["cell"] == run["cell"])
        ax.plot(epochs, run["val_loss"], color=COLOURS[run["cell"]], marker=".",
                label=NAMES[run["cell"]] if first else None)
    guess = sum(run["baseline_rmse"] ** 2 for run in runs) / len(runs)
    ax.axhline(guess, color="black", linestyle=":", label="always the mean")
    ax.set(yscale="log", xlabel="epoch", ylabel="validation loss (MSE)",
           title="The adding problem: the sum of two numbers, the first 40 to 80 steps back\n"
                 f"{len(runs) // len({run['cell'] for run in runs})} seeds per cell")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    return plumbing.save_figure(fig, path, "--plot-dir", dpi=100, bbox_inches="tight")


def run(args):
    """Every cell with every seed, one after another; then the table and the figure."""
    started, runs = time.perf_counter(), []
    figure = Path(args.plot_dir or REPO_ROOT / "figures") / "memory_cells.png"
    plumbing.check_outputs({"--json": args.json, "--plot-dir": figure}, {})
    with tempfile.TemporaryDirectory() as folder:
        for cell in CELLS:
            for seed in args.seeds:
                runs.append(one_run("memory", cell, seed, folder))
                print(f"{cell:7} seed {seed}: ratio {runs[-1]['rmse_ratio']:.3f} "
                      f"({runs[-1]['fit_seconds']:.0f} s of training)", flush=True)
    print(f"\n{runs[0]['keras']}; {len(runs)} runs in {time.perf_counter() - started:.0f} s\n")
    print(table(runs))
    print(f"\nDrew {draw(runs, figure)}")
    if args.json:
        plumbing.write_json(args.json, runs)
    broken = [run for run in runs if not kept(run)]
    if broken:
        print(f"{len(broken)} runs broke the promise: "
              + ", ".join(f"{run['cell']} seed {run['seed']}" for run in broken))
    return 1 if broken else 0


def main(argv=None):
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(description="The memory preset for each cell and seed.")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS),
                        help="the seeds of each cell (default: 0 1 2)")
    parser.add_argument("--plot-dir", type=Path, help="folder for memory_cells.png "
                        "(default: figures/)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures of every run")
    outcome = {}
    status = plumbing.run_main(lambda: outcome.update(broken=run(parser.parse_args(argv))))
    return status or outcome["broken"]


if __name__ == "__main__":
    sys.exit(main())

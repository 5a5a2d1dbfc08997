"""How reliably does mlp.py learn each gate? Train it with seeds 0-99 on AND, OR and XOR.

    python benchmarks/mlp_seeds.py [--seeds 100] [--json PATH]

Prints, for each gate, how many seeds reach 100% accuracy, the median and largest number of
epochs, and the median time of one training run.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import mlp  # noqa: E402  (the script sits one folder up)
import plumbing  # noqa: E402


def benchmark_gate(gate, seeds):
    """Train one gate once per seed; return the success count, epochs and times."""
    successes, epochs, seconds = 0, [], []
    for seed in range(seeds):
        start = time.perf_counter()
        params, errors = mlp.train(mlp.INPUTS, mlp.GATES[gate], seed=seed)
        seconds.append(time.perf_counter() - start)
        yp, _ = mlp.forward(mlp.INPUTS, params)
        successes += mlp.accuracy(yp, mlp.GATES[gate]) == 1.0
        epochs.append(len(errors))
    return {
        "successes": int(successes),
        "seeds": seeds,
        "median_epochs": statistics.median(epochs),
        "max_epochs": max(epochs),
        "median_train_seconds": statistics.median(seconds),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="seeds 0..N-1 (default 100)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.seeds <= 2**32:
        parser.error("--seeds must be from 1 to 4294967296 (seeds 0..N-1)")
    plumbing.check_outputs({"--json": args.json}, {})
    results = {}
    print(f"{'gate':5} {'100% accuracy':>14} {'median epochs':>14} {'max epochs':>11} "
          f"{'median time/run':>16}")
    for gate in mlp.GATES:
        row = results[gate] = benchmark_gate(gate, args.seeds)
        print(f"{gate:5} {row['successes']:>8d} / {row['seeds']:<3d} {row['median_epochs']:>14.0f} "
              f"{row['max_epochs']:>11d} {row['median_train_seconds'] * 1000:>13.2f} ms")
    if args.json:
        plumbing.write_json(args.json, results)
    if not all(r["successes"] == r["seeds"] for r in results.values()):
        sys.exit(1)  # a seed that does not learn its gate fails the benchmark


if __name__ == "__main__":
    sys.exit(plumbing.run_main(main))

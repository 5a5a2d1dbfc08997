"""How long `python mlp.py` takes, this checkout beside an earlier commit, run alternately.

    python benchmarks/startup.py                    # against the commit before plumbing.py
    python benchmarks/startup.py --against HEAD~3   # against any commit of this repository

The earlier commit is unpacked with `git archive` into a temporary folder; both versions run
the same command (`mlp.py --gate and`, no figures) in turns, so that a busy machine slows both
alike. Prints the median of each and their ratio (this checkout / earlier; 1.00 is as fast).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BEFORE_PLUMBING = "c6e8c55"  # the last commit whose scripts each carried their own plumbing


def unpack(revision, folder):
    """The scripts and data of `revision`, written under `folder`."""
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", revision],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as file:
        file.write(archive)
        file.seek(0)
        with tarfile.open(fileobj=file) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.10.12+
            tar.extractall(folder, **safe)
    return Path(folder)


def seconds(script, args):
    """Wall-clock seconds of one run of `python script args`, which must succeed."""
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script), *args], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "MPLBACKEND": "Agg"})
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=BEFORE_PLUMBING, help="the earlier commit")
    parser.add_argument("--runs", type=int, default=10, help="runs of each version (default 10)")
    args = parser.parse_args(argv)
    command = ["--gate", "and"]
    with tempfile.TemporaryDirectory() as folder:
        earlier = unpack(args.against, folder)
        times = {"earlier": [], "now": []}
        for _ in range(args.runs):  # in turns, so that both meet the same load
            times["earlier"].append(seconds(earlier / "mlp.py", command))
            times["now"].append(seconds(REPO_ROOT / "mlp.py", command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"python mlp.py {' '.join(command)}, {args.runs} runs each, in turns")
    print(f"  {args.against:>12}: median {medians['earlier']:.3f} s")
    print(f"  {'this checkout':>12}: median {medians['now']:.3f} s")
    print(f"  ratio now / earlier: {medians['now'] / medians['earlier']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does each requirements file install on every Python and computer the README promises?

    python .ci/resolve.py            # needs uv (python -m pip install uv); under a minute
    python .ci/resolve.py FILE ...   # other requirements files instead of the repo's two

For each supported (Python, platform) pair it asks uv's resolver what
`python -m pip install -r FILE` would install there, from wheels only (an attendee has no
compiler), and prints a table of the Keras backend and the versions picked. pip's own dry run
cannot do this: it reads the markers of requirements.txt against the Python that runs it, not
the target's. The exit status is 1 when a set does not resolve, holds a pre-release, or has no
Keras backend.
"""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FILES = (REPO_ROOT / "requirements.txt", REPO_ROOT / "requirements-jax.txt")
ALL_PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
PLATFORMS = [  # (name in the table, uv's target, oldest macOS, the Pythons promised there)
    ("Linux x86-64", "x86_64-unknown-linux-gnu", None, ALL_PYTHONS),
    ("Windows x86-64", "x86_64-pc-windows-msvc", None, ALL_PYTHONS),
    ("macOS arm64", "aarch64-apple-darwin", "12.0", ALL_PYTHONS),
    ("macOS Intel", "x86_64-apple-darwin", "12.0", ALL_PYTHONS[:-1]),  # no backend for 3.14
]
BACKENDS = ("tensorflow", "jax", "torch")
PRE_RELEASE = re.compile(r"\d(a|b|rc|\.dev)\d*")  # 2.22.0rc0, 1.0b1, 0.5.dev3


def resolve(path, python, target, macos):
    """The versions uv picks, as {name: version}, or the resolver's complaint as a string."""
    command = [sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--no-header",
               "--no-annotate", "--python-version", python, "--python-platform", target,
               "--only-binary", ":all:", str(path)]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never",  # the target's Python is not needed
           **({"MACOSX_DEPLOYMENT_TARGET": macos} if macos else {})}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if result.returncode != 0:
        lines = [line.strip(" ×╰─▶") for line in result.stderr.splitlines() if line.strip()]
        return " ".join(lines)[:300] or f"uv exit status {result.returncode}"
    picked = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", result.stdout, re.MULTILINE))
    return {name.lower().replace("_", "-"): version for name, version in picked.items()}


def problems(picked):
    """What is wrong with a resolved set: an empty list when it is fine."""
    if isinstance(picked, str):
        return [f"does not resolve: {picked}"]
    found = [f"pre-release {name} {version}" for name, version in sorted(picked.items())
             if PRE_RELEASE.search(version)]
    if not any(name in picked for name in BACKENDS):
        found.append(f"no Keras backend ({', '.join(BACKENDS)})")
    return found


def cell(picked):
    """One cell of the table: the backend and the versions that matter."""
    if isinstance(picked, str):
        return "FAILS"
    backend = next((name for name in BACKENDS if name in picked), None)
    shown = f"{backend} {picked[backend]}" if backend else "NO BACKEND"
    return f"{shown}, keras {picked.get('keras', '?')}, numpy {picked.get('numpy', '?')}"


def main(files=FILES):
    """Resolve every file for every target at once, then print the table and the problems."""
    targets = [(name, target, macos, python)
               for name, target, macos, pythons in PLATFORMS for python in pythons]
    jobs = [(file, python, target, macos) for _, target, macos, python in targets
            for file in files]
    with ThreadPoolExecutor(max_workers=4) as pool:  # the resolver mostly waits on the network
        picked = dict(zip(jobs, pool.map(lambda job: resolve(*job), jobs), strict=True))
    names = [Path(file).name for file in files]
    print(f"{'platform':15} {'Python':6} " + "  ".join(f"{name:44}" for name in names))
    failures = []
    for name, target, macos, python in targets:
        sets = [picked[file, python, target, macos] for file in files]
        print(f"{name:15} {python:6} " + "  ".join(f"{cell(found):44}" for found in sets))
        where = f"{name} (macOS {macos} or newer)" if macos else name
        failures += [f"{file_name} on {where} with Python {python}: {problem}"
                     for file_name, found in zip(names, sets, strict=True)
                     for problem in problems(found)]
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{len(jobs)} sets resolved from wheels only; "
          + (f"{len(failures)} problem(s)." if failures else "each installs a Keras backend."))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or FILES))

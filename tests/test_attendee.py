"""An attendee's evening, replayed on a scratch copy of the repo: nothing they wrote is lost, and
the tests still pass.

In the copy, every stub's exercises are written with the solution's code, as an attendee would
(rnn.py's only in part: work in progress), and Settings values are changed, as the README
invites in a notebook paired with its stub. Then:

- `python stubs/make_stubs.py` keeps every one of those stubs byte for byte and names it, also
  after a solution has changed, and `--check` does not fail for them;
- the plain `python -m pytest` passes in the copy;
- `python -m pytest --impl stubs` fails only for the exercise left undone, and its board says so.

A slow developer test: it runs both suites inside itself (several minutes on 2 cores).

    python -m pytest -m dev tests/test_attendee.py
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import BEGIN, REPO_ROOT

pytestmark = pytest.mark.dev

STUBS = ("mlp.py", "rnn.py", "min_char_rnn.py", "lstm.py")  # run_lstm.py's stub is a launcher
NOT_COPIED = shutil.ignore_patterns(  # the repo as a fresh clone has it, without git
    ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "figures",
    "checkpoints", "*.ipynb", "*.keras", "*.npz", "*.bak-*", ".venv", "venv")
END = "### END SOLUTION"
TODO_RAISE = re.compile(r"\s*raise NotImplementedError\(['\"]TODO")
DONE = {"rnn.py": 1}  # stubs with only their first exercises done (rnn_step); the rest: all
SETTINGS = {  # what an attendee changes in a Settings cell: stub -> {name: new value}
    "mlp.py": {"GATE": '"xor"'},
    "min_char_rnn.py": {"ITERATIONS": "2_000"},
}
UNDONE = {("rnn.py", "backward"): "to do", ("rnn.py", "fed_back_error"): "optional"}  # by DONE
UNDONE_TESTS = re.compile(r"tests/test_rnn(_\w+)?\.py::")  # the tests that may fail for it


def solution_regions(source):
    """The code of each solution region of a script, in order."""
    regions, current = [], None
    for line in source.splitlines(keepends=True):
        if line.strip() == BEGIN:
            current = []
        elif line.strip() == END:
            regions.append("".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def do_exercises(stub, solution, count=None):
    """The stub with its first `count` exercises (all by default) written as in the solution:
    each `raise NotImplementedError("TODO...")` line replaced by its region's code."""
    regions = solution_regions(solution)[:count]
    lines, done = [], 0
    for line in stub.splitlines(keepends=True):
        if done < len(regions) and TODO_RAISE.match(line):
            lines.append(regions[done])
            done += 1
        else:
            lines.append(line)
    assert done == len(regions), "a stub has fewer TODOs than its solution has regions"
    return "".join(lines)


def change_settings(stub, changes):
    """Set `NAME = value` lines of the Settings cell, as an attendee would in a notebook."""
    for name, value in changes.items():
        stub, count = re.subn(rf"^{name} = [^#\n]*", f"{name} = {value}  ", stub, count=1,
                              flags=re.MULTILINE)
        assert count == 1, f"no Settings line `{name} = ...`"
    return stub


def run(repo, *args, timeout=900):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=timeout)


def board(output):
    """{(script, function): status} from the Exercises table at the end of a stubs run."""
    table = output.split("= Exercises =", 1)[1]
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()
            if line.startswith("Part ")]
    return {(row[1], row[2].removesuffix(" (optional)")): row[-1] for row in rows}


@pytest.fixture(scope="module")
def attendee_repo(tmp_path_factory):
    """A scratch copy of the repo with the evening's work done in stubs/; returns (the copy,
    {stub: its bytes after the attendee's edits})."""
    repo = tmp_path_factory.mktemp("attendee") / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=NOT_COPIED)
    for name in STUBS:  # the stubs as make_stubs writes them from today's solutions
        (repo / "stubs" / name).unlink(missing_ok=True)
    made = run(repo, "stubs/make_stubs.py")
    assert made.returncode == 0, made.stdout + made.stderr
    work = {}
    for name in STUBS:
        path = repo / "stubs" / name
        stub = do_exercises(path.read_text(encoding="utf-8"),
                            (repo / name).read_text(encoding="utf-8"), DONE.get(name))
        stub = change_settings(stub, SETTINGS.get(name, {}))
        if stub != path.read_text(encoding="utf-8"):
            path.write_text(stub, encoding="utf-8")
            work[name] = path.read_bytes()
    assert set(work) == set(STUBS)
    return repo, work


def test_make_stubs_keeps_every_stub_with_work(attendee_repo):
    repo, work = attendee_repo
    with (repo / "mlp.py").open("a", encoding="utf-8") as solution:  # a developer's later edit
        solution.write("# a later edit of the solution\n")
    for args in ([], ["--check"], list(work)):
        result = run(repo, "stubs/make_stubs.py", *args)
        assert result.returncode == 0, result.stdout + result.stderr
        for name in work:
            assert re.search(rf"kept:? stubs/{re.escape(name)}\b", result.stdout), name
    assert {name: (repo / "stubs" / name).read_bytes() for name in work} == work
    assert not list((repo / "stubs").glob("*.bak-*"))  # nothing was even backed up


def test_the_plain_suite_passes(attendee_repo):
    repo, _ = attendee_repo
    result = run(repo, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_stubs_suite_fails_only_for_the_exercise_left_undone(attendee_repo):
    repo, _ = attendee_repo
    result = run(repo, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl", "stubs",
                 "--tb=short")  # pytest's own report, with a line for each failed test
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", result.stdout, flags=re.MULTILINE)
    elsewhere = [test for test in failed if not UNDONE_TESTS.match(test)]
    assert not elsewhere, ("exercise tests that fail on finished exercises, after a Settings "
                           f"change ({SETTINGS}): {elsewhere}\n" + result.stdout[-6000:])
    statuses = board(result.stdout)
    assert {row: status for row, status in statuses.items() if status != "done"} == UNDONE, (
        statuses)

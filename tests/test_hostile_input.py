"""Hostile input: missing, empty, corrupt and wrong-kind files, nonsense settings, bad outputs.

    python -m pytest -m dev tests/test_hostile_input.py

Every case builds its own files in a temporary folder, runs a script the way a careless or
unlucky user would, and checks three things: the exit status; where the run is refused, one
plain sentence on stderr and no traceback (or argparse's own usage format for a bad flag); and
that no file that existed before was changed or removed, and no new file was left behind.

These are slow developer tests (a new Python for most cases), left out of the plain
`python -m pytest`; CI runs them as a second step.
"""

import os
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, assert_plain_error, assert_usage_error, snapshot  # noqa: F401

pytestmark = pytest.mark.dev


# %% mlp.py


# %% rnn.py


# %% min_char_rnn.py


# %% lstm.py and run_lstm.py


# %% stubs/make_stubs.py, data/make_data.py and check_setup.py
def run_tool(path, *args, cwd=None, shell_tail=None):
    """Run a tool of the repo (a path to its file) as a command; `| head`-style with shell_tail."""
    command = [sys.executable, str(path), *map(str, args)]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if shell_tail:
        command = " ".join(shlex.quote(part) for part in command) + " | " + shell_tail
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, shell=bool(shell_tail))


@pytest.fixture
def toy_repo(tmp_path):
    """A copy of the evening's scripts and make_stubs.py, with their stubs already made."""
    (tmp_path / "stubs").mkdir()
    (tmp_path / "data").mkdir()
    shutil.copy(REPO_ROOT / "stubs" / "make_stubs.py", tmp_path / "stubs")
    for name in ("mlp.py", "rnn.py", "min_char_rnn.py", "lstm.py", "run_lstm.py"):
        shutil.copy(REPO_ROOT / name, tmp_path)
    assert run_tool(tmp_path / "stubs" / "make_stubs.py").returncode == 0
    return tmp_path


def test_make_stubs_given_the_solutions_absolute_path_writes_only_its_stub(toy_repo):
    before = snapshot(toy_repo)
    (toy_repo / "stubs" / "mlp.py").unlink()
    result = run_tool(toy_repo / "stubs" / "make_stubs.py", toy_repo / "mlp.py", cwd="/")
    assert result.returncode == 0, result.stderr
    assert snapshot(toy_repo) == before  # the stub is back; the solution is untouched


@pytest.mark.parametrize("argument", [
    "stubs/mlp.py", "{root}/stubs/mlp.py", "data/make_data.py", "notes.py", "../mlp.py",
    "conftest.py"])
def test_make_stubs_refuses_anything_but_the_evenings_scripts(toy_repo, argument):
    before = snapshot(toy_repo)
    result = run_tool(toy_repo / "stubs" / "make_stubs.py", argument.format(root=toy_repo),
                      cwd=toy_repo)
    assert_plain_error(result, "not one of the evening's scripts", "nothing was written")
    assert snapshot(toy_repo) == before


def test_make_stubs_refuses_a_region_left_open(toy_repo):
    source = (toy_repo / "mlp.py").read_text(encoding="utf-8")
    (toy_repo / "mlp.py").write_text(source.replace("### END SOLUTION", "", 1), encoding="utf-8")
    before = snapshot(toy_repo)
    assert_plain_error(run_tool(toy_repo / "stubs" / "make_stubs.py"), "mlp.py, line")
    assert snapshot(toy_repo) == before


def test_make_stubs_where_a_stub_is_a_folder(toy_repo):
    (toy_repo / "stubs" / "rnn.py").unlink()
    (toy_repo / "stubs" / "rnn.py").mkdir()
    before = snapshot(toy_repo)
    result = run_tool(toy_repo / "stubs" / "make_stubs.py", "rnn.py")
    assert_plain_error(result, "could not write", "rnn.py")
    assert snapshot(toy_repo) == before


def test_make_stubs_check_changes_nothing(toy_repo):
    (toy_repo / "stubs" / "lstm.py").write_text("# edited by hand\n", encoding="utf-8")
    before = snapshot(toy_repo)
    result = run_tool(toy_repo / "stubs" / "make_stubs.py", "--check")
    assert result.returncode == 1 and "out of date: stubs/lstm.py" in result.stdout
    assert "Traceback" not in result.stderr
    assert snapshot(toy_repo) == before


@pytest.mark.parametrize("tool, args", [
    ("stubs/make_stubs.py", ["--bogus"]), ("data/make_data.py", ["prices"]),
    ("check_setup.py", ["--runs", "5"])])
def test_tools_keep_argparse_format_for_bad_flags(tmp_path, tool, args):
    before = snapshot(tmp_path)
    assert_usage_error(run_tool(REPO_ROOT / tool, *args, cwd=tmp_path))
    assert snapshot(tmp_path) == before


@pytest.fixture
def data_copy(tmp_path):
    """data/make_data.py copied into a scratch data/ folder, so it writes there."""
    (tmp_path / "data").mkdir()
    shutil.copy(REPO_ROOT / "data" / "make_data.py", tmp_path / "data")
    shutil.copy(REPO_ROOT / "data" / "sinwave.csv", tmp_path / "data")
    return tmp_path / "data"


def test_make_data_without_its_optional_package_says_how_to_install_it(data_copy):
    hide = data_copy.parent / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import sys\n\nclass Hide:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'arch' or name.startswith('arch.'):\n"
        "            raise ModuleNotFoundError(name)\n\nsys.meta_path.insert(0, Hide())\n")
    before = snapshot(data_copy)
    command = [sys.executable, str(data_copy / "make_data.py"), "all"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(hide)})
    assert_plain_error(result, "arch", "python -m pip install arch")
    assert snapshot(data_copy) == before  # not even the sine wave was rewritten


def test_make_data_where_its_output_is_a_folder(data_copy):
    (data_copy / "sinwave.csv").unlink()
    (data_copy / "sinwave.csv").mkdir()
    before = snapshot(data_copy)
    assert_plain_error(run_tool(data_copy / "make_data.py", "sine"), "could not write")
    assert snapshot(data_copy) == before


def test_make_data_rewrites_the_same_bytes_and_leaves_no_temporary_file(data_copy):
    (data_copy / ".sinwave.csv.tmp").write_text("left by a killed write")
    result = run_tool(data_copy / "make_data.py", "sine")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in data_copy.iterdir()) == ["make_data.py", "sinwave.csv"]
    assert (data_copy / "sinwave.csv").read_bytes() == (REPO_ROOT / "data/sinwave.csv").read_bytes()


def test_check_setup_away_from_the_workshop_folder(tmp_path):
    shutil.copy(REPO_ROOT / "check_setup.py", tmp_path)  # no requirements.txt beside it
    result = run_tool(tmp_path / "check_setup.py", "--no-runs", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "requirements.txt" in result.stdout and "FAIL" in result.stdout


@pytest.mark.parametrize("tool, args", [
    ("check_setup.py", ["--no-runs"]), ("stubs/make_stubs.py", ["--help"]),
    ("data/make_data.py", ["--help"])])
def test_tools_end_quietly_into_a_closed_pipe(tool, args):
    result = run_tool(REPO_ROOT / tool, *args, shell_tail="head -n 1")
    assert result.stderr == "" and len(result.stdout.splitlines()) == 1

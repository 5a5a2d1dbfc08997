"""Tests for the exercise machinery: stubs/make_stubs.py, `--impl stubs` and its board.

A tiny repo with one solution script (a toy mlp.py), one exercise region and one test is built
in a temporary folder; its stub must fail its test with the TODO's words, and pass once
completed, and the board at the end of the run must say so.
"""

import importlib.util
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO_ROOT

TOY_SCRIPT = textwrap.dedent('''\
    """A toy script with one exercise."""


    def double(x):
        """Twice x."""
        # TODO: Double the input
        #   1. multiply x by two
        ### BEGIN SOLUTION
        result = 2 * x
        ### END SOLUTION
        return result
    ''')

TOY_TEST = textwrap.dedent('''\
    import pytest


    @pytest.mark.exercise("mlp.double")
    def test_double(load_script):
        assert load_script("mlp").double(21) == 42
    ''')


@pytest.fixture(scope="module")
def make_stubs():
    spec = importlib.util.spec_from_file_location("make_stubs", REPO_ROOT / "stubs/make_stubs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy_repo(tmp_path):
    """A copy of the machinery around one toy mlp.py: conftest.py, data/, stubs/, tests/."""
    for folder in ("data", "stubs", "tests"):
        (tmp_path / folder).mkdir()
    shutil.copy(REPO_ROOT / "stubs/make_stubs.py", tmp_path / "stubs")
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path)
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)  # the markers
    (tmp_path / "tests/test_mlp.py").write_text(TOY_TEST)
    (tmp_path / "mlp.py").write_text(TOY_SCRIPT)
    return tmp_path


def run(repo, *args):
    return subprocess.run([sys.executable, *args], cwd=repo, capture_output=True, text=True,
                          timeout=120)


def test_region_becomes_not_implemented_at_its_indentation(make_stubs):
    stub = make_stubs.make_stub(TOY_SCRIPT, "mlp.py")
    assert "\n    raise NotImplementedError('TODO: Double the input')\n" in stub
    assert "result = 2 * x" not in stub and "BEGIN SOLUTION" not in stub
    assert "#   1. multiply x by two" in stub  # the pseudo-code stays
    compile(stub, "mlp.py", "exec")


def test_script_without_regions_is_copied_unchanged(make_stubs):
    source = "import lstm\n\nprint(lstm)\n"
    assert make_stubs.make_stub(source, "run_lstm.py") == source


@pytest.mark.parametrize("source, where", [
    ("# TODO: a\n### BEGIN SOLUTION\nx = 1\n### BEGIN SOLUTION\n", "line 4"),
    ("# TODO: a\n### BEGIN SOLUTION\nx = 1\n", "line 2"),
    ("# TODO: a\n### BEGIN SOLUTION\n\n### END SOLUTION\n", "line 2"),
    ("x = 1\n### END SOLUTION\n", "line 2"),
    ("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n", "line 2"),
])
def test_broken_regions_are_errors_with_the_line_number(make_stubs, source, where):
    with pytest.raises(make_stubs.StubError, match=where):
        make_stubs.make_stub(source, "bad.py")


def board_row(output, function):
    """The status column of `function`'s row in the Exercises table at the end of a run."""
    table = output.split("Exercises", 1)[1]
    row = next(line for line in table.splitlines() if f" {function} " in line)
    return re.split(r"\s{2,}", row.strip())[-1]  # columns stand two spaces apart or more


def test_stub_fails_its_test_until_completed(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    assert run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "tests").returncode == 0

    untouched = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs",
                    "tests")
    assert untouched.returncode == 1
    assert "NotImplementedError: TODO: Double the input" in untouched.stdout
    assert board_row(untouched.stdout, "double") == "to do"

    stub_path = toy_repo / "stubs/mlp.py"
    completed = stub_path.read_text().replace(
        "raise NotImplementedError('TODO: Double the input')", "result = x + x")
    stub_path.write_text(completed)
    finished = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", "tests")
    assert finished.returncode == 0, finished.stdout
    assert board_row(finished.stdout, "double") == "done"
    assert finished.stdout.rstrip().endswith("done")  # the board is the last thing printed


def test_board_says_not_run_for_tests_left_out(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    other = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", "tests",
                "-k", "nothing_matches")
    assert board_row(other.stdout, "double") == "not run"


def test_optional_regions_say_so_in_their_stub(make_stubs):
    source = TOY_SCRIPT.replace("# TODO: Double", "# TODO (optional): Double")
    stub = make_stubs.make_stub(source, "mlp.py")
    assert "raise NotImplementedError('TODO (optional): Double the input')" in stub


def test_check_reports_stale_stubs(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    assert run(toy_repo, "stubs/make_stubs.py", "--check", "mlp.py").returncode == 0
    (toy_repo / "mlp.py").write_text(TOY_SCRIPT.replace("Twice x.", "Two times x."))
    stale = run(toy_repo, "stubs/make_stubs.py", "--check", "mlp.py")
    assert stale.returncode == 1
    assert "stubs/mlp.py" in stale.stdout


def test_repo_stubs_are_up_to_date():
    result = run(REPO_ROOT, "stubs/make_stubs.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr

"""Tests for the exercise machinery: stubs/make_stubs.py and the `--impl stubs` option.

A tiny repo with one solution script, one exercise region and one test is built in a temporary
folder; its stub must fail its test with the TODO's words, and pass once completed.
"""

import importlib.util
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
    def test_double(load_script):
        assert load_script("toy").double(21) == 42
    ''')


@pytest.fixture(scope="module")
def make_stubs():
    spec = importlib.util.spec_from_file_location("make_stubs", REPO_ROOT / "stubs/make_stubs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy_repo(tmp_path):
    """A copy of the machinery around one toy script: conftest.py, data/, stubs/, tests/."""
    for folder in ("data", "stubs", "tests"):
        (tmp_path / folder).mkdir()
    shutil.copy(REPO_ROOT / "stubs/make_stubs.py", tmp_path / "stubs")
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path)
    (tmp_path / "tests/test_toy.py").write_text(TOY_TEST)
    (tmp_path / "toy.py").write_text(TOY_SCRIPT)
    return tmp_path


def run(repo, *args):
    return subprocess.run([sys.executable, *args], cwd=repo, capture_output=True, text=True,
                          timeout=120)


def test_region_becomes_not_implemented_at_its_indentation(make_stubs):
    stub = make_stubs.make_stub(TOY_SCRIPT, "toy.py")
    assert "\n    raise NotImplementedError('TODO: Double the input')\n" in stub
    assert "result = 2 * x" not in stub and "BEGIN SOLUTION" not in stub
    assert "#   1. multiply x by two" in stub  # the pseudo-code stays
    compile(stub, "toy.py", "exec")


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


def test_stub_fails_its_test_until_completed(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "toy.py").returncode == 0
    assert run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "tests").returncode == 0

    untouched = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs",
                    "tests")
    assert untouched.returncode == 1
    assert "NotImplementedError: TODO: Double the input" in untouched.stdout

    stub_path = toy_repo / "stubs/toy.py"
    completed = stub_path.read_text().replace(
        "raise NotImplementedError('TODO: Double the input')", "result = x + x")
    stub_path.write_text(completed)
    finished = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", "tests")
    assert finished.returncode == 0, finished.stdout


def test_check_reports_stale_stubs(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "toy.py").returncode == 0
    assert run(toy_repo, "stubs/make_stubs.py", "--check", "toy.py").returncode == 0
    (toy_repo / "toy.py").write_text(TOY_SCRIPT.replace("Twice x.", "Two times x."))
    stale = run(toy_repo, "stubs/make_stubs.py", "--check", "toy.py")
    assert stale.returncode == 1
    assert "stubs/toy.py" in stale.stdout


def test_repo_stubs_are_up_to_date():
    result = run(REPO_ROOT, "stubs/make_stubs.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr

"""Shared test fixtures: which version of the scripts the tests run against.

It sits at the top of the repo, not in tests/, so that pytest knows the `--impl` option however
it is started, with or without a test file named.

    python -m pytest                                   # the solutions at the top of the repo
    python -m pytest --impl stubs tests/test_mlp.py    # your exercise version under stubs/

Tests never import a script by a fixed path: they ask `load_script("mlp")` for the module, or
`run_script("mlp", "--gate", "xor")` for a command-line run, and get the chosen version.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent
IMPLEMENTATIONS = {"solutions": REPO_ROOT, "stubs": REPO_ROOT / "stubs"}
SCRIPT_NAMES = ("mlp", "rnn", "min_char_rnn", "lstm", "run_lstm")


def pytest_addoption(parser):
    parser.addoption(
        "--impl",
        choices=sorted(IMPLEMENTATIONS),
        default="solutions",
        help="test the complete scripts (solutions, the default) or the exercises under stubs/",
    )


def pytest_configure(config):
    # Put the chosen folder first on the import path, so `import lstm` inside run_lstm.py
    # finds the lstm.py that sits beside it.
    impl_dir = IMPLEMENTATIONS[config.getoption("--impl")]
    sys.path.insert(0, str(impl_dir))
    for name in SCRIPT_NAMES:
        sys.modules.pop(name, None)


def pytest_report_header(config):
    return f"scripts under test: {config.getoption('--impl')}"


@pytest.fixture(scope="session")
def impl_dir(pytestconfig):
    """The folder that holds the scripts under test."""
    return IMPLEMENTATIONS[pytestconfig.getoption("--impl")]


@pytest.fixture(scope="session")
def load_script(impl_dir):
    """Import one of the evening's scripts (by module name) from the chosen folder."""

    def load(name):
        module = importlib.import_module(name)
        if Path(module.__file__).resolve().parent != impl_dir.resolve():
            raise RuntimeError(f"{name} was imported from {module.__file__}, not from {impl_dir}")
        return module

    return load


@pytest.fixture(scope="session")
def run_script(impl_dir):
    """Run a script of the chosen folder as a command; returns the CompletedProcess."""

    def run(name, *args, cwd=None, timeout=300, env=None):
        full_env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", **(env or {})}
        command = [sys.executable, str(impl_dir / f"{name}.py"), *map(str, args)]
        return subprocess.run(
            command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
        )

    return run


def assert_plain_error(result, *words):
    """A bad-input run: exit status 2, one plain sentence on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr + result.stdout
    assert message and len(message.splitlines()) == 1, message
    for word in words:
        assert word.lower() in message.lower(), (word, message)

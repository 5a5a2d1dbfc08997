"""Shared test fixtures: which version of the scripts the tests run against, and the board.

It sits at the top of the repo, not in tests/, so that pytest knows the `--impl` option however
it is started, with or without a test file named.

    python -m pytest                                   # the solutions at the top of the repo
    python -m pytest --impl stubs tests/test_mlp.py    # your exercise version under stubs/
    python -m pytest -m dev                            # the slow developer tests only

Tests never import a script by a fixed path: they ask `load_script("mlp")` for the module, or
`run_script("mlp", "--gate", "xor")` for a command-line run, and get the chosen version.

A run with `--impl stubs` leaves out the tests of the repo itself (REPO_TESTS), and ends with
a table headed "Exercises": one row per exercise function, with its status (done, to do, not
run, or optional for an optional extension still untouched). A test says which exercise it
checks with `@pytest.mark.exercise("script.function")`.

Above the board, such a run prints a short report instead of pytest's tracebacks: for each
exercise that fails, the message of its first failing test (the hint) and the line of the stub
where it stopped; then the other failing tests, one line each. `--tb=long` (any --tb) or `-v`
gives pytest's own report; runs without --impl stubs always do.
"""

import ast
import contextlib
import importlib
import importlib.util
import linecache
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent
IMPLEMENTATIONS = {"solutions": REPO_ROOT, "stubs": REPO_ROOT / "stubs"}
SCRIPT_NAMES = ("mlp", "rnn", "min_char_rnn", "lstm", "run_lstm")
MODULE_NAMES = ("plumbing", "series_csv", "prices")  # the scripts import them, from the top
PARTS = {"mlp": 1, "rnn": 2, "min_char_rnn": 3, "lstm": 4}  # the scripts that hold exercises
REPO_TESTS = {  # tests of the repo itself, left out of --impl stubs runs
    "test_attendee.py", "test_check_setup.py", "test_guard.py", "test_hostile_input.py",
    "test_minutes.py", "test_notebooks.py", "test_plumbing.py", "test_slides.py",
    "test_stubs.py"}
BEGIN = "### BEGIN SOLUTION"


def pytest_addoption(parser):
    parser.addoption(
        "--impl",
        choices=sorted(IMPLEMENTATIONS),
        default="solutions",
        help="test the complete scripts (solutions, the default) or the exercises under stubs/",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # Put the chosen folder first on the import path, so `import lstm` inside run_lstm.py
    # finds the lstm.py that sits beside it; plumbing.py is the one at the top of the repo.
    impl_dir = IMPLEMENTATIONS[config.getoption("--impl")]
    sys.path.insert(0, str(impl_dir))
    for name in SCRIPT_NAMES + MODULE_NAMES:
        sys.modules.pop(name, None)
    if short_report_wanted(config):
        # pytest's own report, quietened: a line of dots, our failures, a summary line
        config.option.verbose, config.option.tbstyle = -1, "no"
        config.option.reportchars, config.option.disable_warnings = "", True
        config.pluginmanager.register(ShortReport(config), "exercise-short-report")


def pytest_report_header(config):
    """What is tested, the Keras backend the scripts will use here, and any package of
    requirements.txt that this Python cannot import."""
    missing = [name for name in ("numpy", "matplotlib", "pandas", "keras")
               if importlib.util.find_spec(name) is None]
    lines = [f"scripts under test: {config.getoption('--impl')}"]
    plumbing = importlib.import_module("plumbing")  # the one at the top of the repo
    saved = os.environ.get("KERAS_BACKEND")
    try:
        lines.append("Keras backend: {} ({})".format(*plumbing.choose_keras_backend()))
    except plumbing.InputError as error:
        lines.append(f"NO KERAS BACKEND: {error}")
    finally:  # each script makes the same choice itself; the tests' environment stays as it was
        os.environ.pop("KERAS_BACKEND", None)
        if saved is not None:
            os.environ["KERAS_BACKEND"] = saved
    if missing:
        lines.append(f"NOT INSTALLED for this Python: {', '.join(missing)}; the tests that need "
                     f"them fail. Install with: {Path(sys.executable).name} -m pip install -r "
                     "requirements.txt (or -r requirements-jax.txt, without TensorFlow)")
    return lines


def pytest_ignore_collect(collection_path, config):
    """With --impl stubs, leave the tests of the repo itself out before they are even imported:
    importing one may put the solutions' folder back first on the import path."""
    if config.getoption("--impl") == "stubs" and collection_path.name in REPO_TESTS:
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """With --impl stubs, keep only the tests of the evening's scripts (not the repo's own),
    also when a file of the repo's own tests is named on the command line."""
    if config.getoption("--impl") != "stubs":
        return
    kept = [item for item in items if item.path.name not in REPO_TESTS]
    dropped = [item for item in items if item.path.name in REPO_TESTS]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# %% The progress board of `--impl stubs`
def exercises():
    """Every exercise of the solutions: (part, script, function, optional), in file order."""
    found = []
    for script, part in PARTS.items():
        path = REPO_ROOT / f"{script}.py"
        if not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef):
                continue
            body = lines[node.lineno - 1:node.end_lineno]
            if any(line.strip() == BEGIN for line in body):
                optional = any("TODO (optional):" in line for line in body)
                found.append((node.lineno, part, script, node.name, optional))
    return [exercise[1:] for exercise in sorted(found, key=lambda e: (e[1], e[0]))]


def untouched(script, function):
    """True while the stub of `function` still raises its NotImplementedError."""
    path = IMPLEMENTATIONS["stubs"] / f"{script}.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return any(isinstance(inner, ast.Raise) and "NotImplementedError" in ast.unparse(inner)
                       for inner in ast.walk(node))
    return False


class Board:
    """Collects, for each exercise, whether its tests were collected and how they ended."""

    def __init__(self):
        self.collected, self.failed, self.passed = {}, set(), {}

    def pytest_collection_finish(self, session):
        for item in session.items:  # what is left after -k, -m and the stubs' own selection
            for mark in item.iter_markers("exercise"):
                self.collected.setdefault(mark.args[0], set()).add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        for name, nodeids in self.collected.items():
            if report.nodeid not in nodeids:
                continue
            if report.failed:
                self.failed.add(name)
            elif report.when == "call" and report.passed:
                self.passed.setdefault(name, set()).add(report.nodeid)

    def status(self, script, function, optional):
        name = f"{script}.{function}"
        if optional and untouched(script, function):
            return "optional"
        if name not in self.collected:
            return "not run"
        if name in self.failed or self.passed.get(name, set()) != self.collected[name]:
            return "to do"
        return "done"

    def pytest_unconfigure(self, config):
        """The board, after pytest's own summary: the last thing a student sees."""
        terminalreporter = config.pluginmanager.get_plugin("terminalreporter")
        if terminalreporter is None:
            return
        rows = [(f"Part {part}", f"{script}.py", function + (" (optional)" if optional else ""),
                 self.status(script, function, optional))
                for part, script, function, optional in exercises()]
        header = ("part", "script", "function", "status")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        terminalreporter.write_sep("=", "Exercises")
        for row in [header, *rows]:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            terminalreporter.write_line("  ".join(cells).rstrip())


# %% The short report of `--impl stubs`: one screen, each failing exercise with its hint
def short_report_wanted(config):
    """True for a stubs run unless pytest's own report is asked for (--tb=... or -v)."""
    return (config.getoption("--impl") == "stubs" and config.option.tbstyle == "auto"
            and config.option.verbose <= 0)


STUB_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\w+)')  # in a script's own traceback


def hint_of(error):
    """What a failure says, without pytest's rewritten `assert` source or a library traceback:
    the message a test gives, the values numpy compares, or the error's type and text."""
    text = str(error).strip("\n")
    if isinstance(error, AssertionError) and not text.startswith("assert "):
        text = text.split("\nassert ", 1)[0]  # `assert x, message`: the message alone
    elif isinstance(error, AssertionError):
        lines = text.splitlines()  # a bare assert: its values, not the test's expressions
        ends = [i for i, line in enumerate(lines) if line.lstrip().startswith(("+", "At index"))]
        text = "\n".join(line[:300] for line in lines[:min(ends + [4])])
    elif type(error).__name__ != "Failed":
        text = f"{type(error).__name__}: {text}"
    trace = re.search(r'^(Traceback \(most recent call last\):|\s*File ")', text, re.MULTILINE)
    if trace:  # the stderr of a script run as a command: its last line says why
        last = [line.strip() for line in text[trace.start():].splitlines() if line.strip()]
        text = text[:trace.start()].rstrip() + f"\n(the script stopped with {last[-1]})"
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return lines[:16] + ([f"... ({len(lines) - 16} more lines: --tb=long shows them all)"]
                         if len(lines) > 16 else [])


def wrap(line, width, indent="    "):
    """A line of a hint folded to the terminal's width, its own indentation kept."""
    own = indent + line[:len(line) - len(line.lstrip())]
    return textwrap.wrap(line.strip(), max(width, 40), initial_indent=own,
                         subsequent_indent=own + "  ", break_on_hyphens=False) or [own]


class ShortReport:
    """Gathers each failure's exercise, hint and line in the stub, and prints them grouped by
    exercise, first failing test first, before pytest's one-line summary."""

    def __init__(self, config):
        self.config, self.failures = config, []
        self.part = {f"{script}.{function}": part for part, script, function, _ in exercises()}

    def stub_line(self, excinfo, hint):
        """(exercise or None, "stubs/x.py:line  code") of the last line of a stub in the
        traceback (or in a script's traceback quoted by the hint), or (None, None)."""
        stubs = IMPLEMENTATIONS["stubs"].resolve()
        frames = [(Path(str(entry.path)), entry.lineno + 1, entry.name)
                  for entry in excinfo.traceback]
        frames += [(Path(path), int(line), name)
                   for path, line, name in STUB_FRAME.findall(str(excinfo.value))]
        for path, line, name in reversed(frames):
            if path.suffix == ".py" and path.resolve().parent == stubs:
                code = linecache.getline(str(path), line).strip()
                if code.startswith("raise NotImplementedError("):  # its words are the hint
                    code = "raise NotImplementedError(...)"
                exercise = f"{path.stem}.{name}"
                return (exercise if exercise in self.part else None,
                        f"stubs/{path.name}:{line}  {code}")
        return None, None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed and call.excinfo is not None:
            error, hint = call.excinfo.value, hint_of(call.excinfo.value)
            if isinstance(error, SyntaxError) and error.filename and Path(
                    error.filename).resolve().parent == IMPLEMENTATIONS["stubs"].resolve():
                name = Path(error.filename).name  # the stub cannot even be imported
                line = f"stubs/{name}:{error.lineno}  {(error.text or '').strip()}"
                self.failures.append((f"stubs/{name}", item.name, True, hint, line))
                return report
            raised_in, line = self.stub_line(call.excinfo, hint)
            marks = [mark.args[0] for mark in item.iter_markers("exercise")]
            exercise = raised_in or (marks[0] if marks else None)
            if line is None and exercise in self.part:
                line = self.definition(exercise)
            self.failures.append((exercise, item.name, exercise in marks, hint, line))
        return report

    def pytest_collectreport(self, report):
        """A test file that cannot be imported: the last line of its error."""
        if report.failed:
            last = [line.removeprefix("E").strip()
                    for line in str(report.longrepr).splitlines() if line.strip()]
            self.failures.append((report.nodeid, "(importing the test file)", True, last[-1:],
                                  None))

    def definition(self, exercise):
        """ "stubs/x.py:line  def f(...):" for an exercise whose values are wrong."""
        script, function = exercise.split(".")
        path = IMPLEMENTATIONS["stubs"] / f"{script}.py"
        with contextlib.suppress(OSError, SyntaxError):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef) and node.name == function:
                    return f"stubs/{script}.py:{node.lineno}  def {function}(...)"
        return None

    def pytest_sessionstart(self, session):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.reportchars = ""  # no list of every failed test: the groups say it

    def pytest_terminal_summary(self, terminalreporter):
        missing = [name for name in ("numpy", "matplotlib", "pandas", "keras")
                   if importlib.util.find_spec(name) is None]
        if missing:
            terminalreporter.write_line(f"NOT INSTALLED for this Python: {', '.join(missing)} "
                                        "(see docs/setup.md)")
        groups = {}
        for failure in self.failures:
            groups.setdefault(failure[0], []).append(failure)
        unreadable = sorted(key for key in groups if key and key.endswith(".py"))
        for key in unreadable:
            self.show_group(terminalreporter, f"{key} cannot be imported", groups.pop(key))
        order = [name for name in self.part if name in groups]
        for exercise in order:
            script, function = exercise.split(".")
            self.show_group(terminalreporter, f"Part {self.part[exercise]}  {script}.py  "
                            f"{function}", groups[exercise])
        if groups.get(None):
            self.show_others(terminalreporter, groups[None], brief=bool(order or unreadable))

    @staticmethod
    def show_group(terminalreporter, title, failures):
        """The first failing test of the group (one of the exercise's own when one failed),
        its hint and the attendee's line."""
        width = terminalreporter._tw.fullwidth - 1
        _, test, _, hint, line = ([failure for failure in failures if failure[2]] or failures)[0]
        count = f"{len(failures)} failing test{'s' if len(failures) > 1 else ''}"
        terminalreporter.write_sep("_", f"{title}: {count}")
        terminalreporter.write_line(f"{test}:")
        for text in hint:
            for folded in wrap(text, width):
                terminalreporter.write_line(folded)
        if line:
            for folded in wrap(f"your code: {line}", width, indent="  "):
                terminalreporter.write_line(folded)

    @staticmethod
    def show_others(terminalreporter, failures, brief):
        """The failing tests of no exercise, one per test function: a line each when an
        exercise above is the likely cause, else with their hints."""
        width = terminalreporter._tw.fullwidth - 1
        terminalreporter.write_sep("_", "Tests of the whole script (fix the above first)"
                                   if brief else "Failing tests")
        named = {}
        for _, test, _, hint, line in failures:
            named.setdefault(test.split("[")[0], []).append((test, hint, line))
        for runs in named.values():
            test, hint, line = runs[0]
            more = f" (and {len(runs) - 1} more like it)" if len(runs) > 1 else ""
            if brief:
                terminalreporter.write_line(f"{test}{more}: {hint[0] if hint else ''}"[:width])
                continue
            terminalreporter.write_line(f"{test}{more}:")
            for text in hint[:8]:
                for folded in wrap(text, width):
                    terminalreporter.write_line(folded)
            if line:
                for folded in wrap(f"your code: {line}", width, indent="  "):
                    terminalreporter.write_line(folded)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    if session.config.getoption("--impl") == "stubs":
        session.config.pluginmanager.register(Board(), "exercise-board")


# %% Fixtures and helpers of the test files
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


@pytest.fixture
def a_file_preset(load_script, monkeypatch):
    """For the runs on files: DATASET = "memory" makes its sequences in code and reads no file
    (test_run_lstm_verdicts.py tests it), so a Settings cell that names it gives these tests
    the S&P 500 preset instead; any other value is kept."""
    run_lstm = load_script("run_lstm")
    if run_lstm.DATASET == "memory":
        monkeypatch.setattr(run_lstm, "DATASET", "sp500")


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


@contextlib.contextmanager
def optional_exercise():
    """Skip the test while the optional extension it checks is still an untouched stub."""
    try:
        yield
    except NotImplementedError as error:
        if "TODO (optional)" not in str(error):
            raise
        pytest.skip(f"optional extension not written yet: {error}")


def run_in_process(script, capsys, *args):
    """`script.main(args)` in this process (a new Python per case is slow), reported like a
    finished command: a CompletedProcess with the exit status (argparse's own exit too), the
    standard output and the standard error."""
    args = [str(arg) for arg in args]
    try:
        status = script.main(args)
    except SystemExit as stop:  # argparse's own errors, and --help
        status = stop.code
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, captured.out, captured.err)


def load_tool(path):
    """A tool of the repo (check_setup.py, stubs/make_stubs.py, data/make_data.py) as a module,
    imported from its file under the repo's top whatever `--impl` says."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, REPO_ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_a_link_is_replaced(folder, name, run):
    """A figure `name` in `folder` that is a link to someone's file: `run()` (the script with
    that folder for its figures) must replace the link with its own PNG, never write through."""
    folder.mkdir(exist_ok=True)
    elsewhere = folder.parent / "keep.png"
    elsewhere.write_bytes(b"someone's picture")
    (folder / name).symlink_to(elsewhere)
    result = run()
    assert result.returncode == 0, result.stderr
    assert elsewhere.read_bytes() == b"someone's picture"
    assert not (folder / name).is_symlink() and (folder / name).read_bytes().startswith(b"\x89PNG")


def assert_plain_error(result, *words):
    """A bad-input run: exit status 2, one plain sentence on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr + result.stdout
    assert message and len(message.splitlines()) == 1, message
    for word in words:
        assert word.lower() in message.lower(), (word, message)


def assert_usage_error(result, *words):
    """A bad flag: argparse's own format (a usage line, then `prog: error: ...`), exit status 2."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("usage:"), result.stderr
    assert ": error: " in lines[-1], result.stderr
    for word in words:
        assert word.lower() in lines[-1].lower(), (word, result.stderr)


def snapshot(folder):
    """Every file under `folder` with its bytes, to show that a refused run changed nothing."""
    folder = Path(folder)
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}

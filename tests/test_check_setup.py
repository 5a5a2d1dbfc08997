"""Tests for check_setup.py, the preflight check that attendees run the night before, and for
the choice of Keras backend that it shares with the scripts (plumbing.choose_keras_backend).

    python -m pytest tests/test_check_setup.py

Most tests call its functions with a fake importer, fake versions and a fake list of installed
backends (a TensorFlow, a JAX-only and a PyTorch-only computer), so they take milliseconds and
install nothing; one runs the check with pandas hidden from Python, and one (a developer test)
runs the whole check once.
"""

import importlib
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys

import pytest
from hidden_packages import hiding

from conftest import REPO_ROOT, load_tool

REQUIREMENTS = "numpy>=1.26,<3\nmatplotlib>=3.8,<4\npandas>=2.1,<4  # tables\n\n# a comment\n"


@pytest.fixture(scope="module")
def check_setup():
    """check_setup.py as a module (a tool of the repo, not one of the evening's scripts)."""
    return load_tool("check_setup.py")


def fake_versions(**versions):
    """A stand-in for importlib.metadata.version that knows only the given packages."""

    def version_of(name):
        if name not in versions:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions[name]

    return version_of


def importer_without(*hidden):
    """A stand-in for importlib.import_module that fails on the hidden packages."""

    def importer(name):
        if name in hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return object()

    return importer


def test_read_requirements(check_setup):
    assert check_setup.read_requirements(REQUIREMENTS) == [
        ("numpy", ">=1.26,<3"), ("matplotlib", ">=3.8,<4"), ("pandas", ">=2.1,<4")]
    assert check_setup.read_requirements("keras[extra] >= 3.5, < 4\n") == [("keras", ">=3.5,<4")]
    with_markers = 'jax>=0.4.38; python_version >= "3.14" or sys_platform == "darwin"\n-r x.txt\n'
    assert check_setup.read_requirements(with_markers) == [("jax", ">=0.4.38")]


def test_the_repos_requirements_name_every_backend_line_and_the_light_file_has_no_tensorflow(
        check_setup):
    full = dict(check_setup.read_requirements((REPO_ROOT / "requirements.txt").read_text()))
    light = dict(check_setup.read_requirements(
        (REPO_ROOT / check_setup.LIGHT_REQUIREMENTS).read_text()))
    assert {"tensorflow", "jax"} <= set(full) and "tensorflow" not in light
    assert set(light) == set(full) - {"tensorflow"}
    assert all(light[name] == full[name] for name in light if name != "keras")  # same bounds
    # (Keras: the light file's is that of requirements.txt's JAX path, tested below)


@pytest.mark.parametrize("version, specifiers, expected", [
    ("2.4.1", ">=1.26,<3", True),
    ("1.26.0", ">=1.26,<3", True),
    ("1.25.2", ">=1.26,<3", False),
    ("3.0", ">=1.26,<3", False),
    ("2.21.0rc1", ">=2.17,<3", True),
    ("3.5", "==3.5.0", True),
    ("2.1.4", "==2.1.*", True),
    ("2.2.0", "==2.1.*", False),
    ("2.3", "~=2.1", True),
    ("3.0", "~=2.1", False),
    ("1.0", "!=1.0", False),
    ("9.9", "", True),
])
def test_satisfies(check_setup, version, specifiers, expected):
    assert check_setup.satisfies(version, specifiers) is expected


def test_a_working_package_is_ok(check_setup):
    row, module = check_setup.check_package("numpy", ">=1.26,<3", importer_without(),
                                            fake_versions(numpy="2.4.1"))
    assert row.status == check_setup.OK and module is not None
    assert "2.4.1" in row.detail


def test_a_package_that_is_not_installed_gets_its_install_command(check_setup):
    row, module = check_setup.check_package("pandas", ">=2.1,<4", importer_without("pandas"),
                                            fake_versions())
    assert row.status == check_setup.FAIL and module is None
    assert row.detail.endswith('-m pip install "pandas>=2.1,<4"')
    assert row.detail == f"not installed: {check_setup.install_command('pandas', '>=2.1,<4')}"


def test_a_package_hidden_from_import_gets_its_install_command(check_setup):
    row, _ = check_setup.check_package("pandas", ">=2.1,<4", importer_without("pandas"),
                                       fake_versions(pandas="3.1.0"))
    assert row.status == check_setup.FAIL
    assert '-m pip install "pandas>=2.1,<4"' in row.detail


def test_a_package_that_is_too_old_gets_an_upgrade_command(check_setup):
    row, _ = check_setup.check_package("keras", ">=3.5,<4", importer_without(),
                                       fake_versions(keras="2.15.0"))
    assert row.status == check_setup.FAIL
    assert "2.15.0" in row.detail and '-m pip install --upgrade "keras>=3.5,<4"' in row.detail


def test_a_package_missing_a_dependency_names_it(check_setup):
    def importer(name):
        raise ModuleNotFoundError("No module named 'jax'", name="jax")

    row, _ = check_setup.check_package("keras", ">=3.5,<4", importer, fake_versions(keras="3.9"))
    assert row.status == check_setup.FAIL and "needs jax" in row.detail
    assert row.detail.endswith("-m pip install jax")


def test_a_broken_package_is_reported_not_raised(check_setup):
    def importer(name):
        raise ImportError("DLL load failed while importing _pywrap_tensorflow_internal")

    row, _ = check_setup.check_package("tensorflow", ">=2.17,<3", importer,
                                       fake_versions(tensorflow="2.21.0"))
    assert row.status == check_setup.FAIL
    assert "ImportError: DLL load failed" in row.detail and "--force-reinstall" in row.detail


def test_package_rows_keep_going_past_a_missing_package(check_setup):
    shown = []
    rows, modules = check_setup.package_rows(
        check_setup.read_requirements(REQUIREMENTS), importer_without("pandas"),
        fake_versions(numpy="2.4.1", matplotlib="3.9.0", pandas="3.1.0"), show=shown.append)
    assert [row.status for row in rows] == ["ok", "ok", "FAIL"] and shown == rows
    assert sorted(modules) == ["matplotlib", "numpy"]


def test_only_failures_fail_the_check(check_setup):
    Row = check_setup.Row
    fine = [Row("numpy", "ok", ""), Row("GPU", "info", "none"), Row("run x.py", "skip", "")]
    assert check_setup.summary(fine)[1] == 0
    text, status = check_setup.summary([*fine, Row("pandas", "FAIL", 'pip install "pandas"')])
    assert status == 1
    assert "pandas" in text and "-m pip install -r requirements.txt" in text


def test_python_version(check_setup):
    assert check_setup.check_python((3, 10, 0)).status == check_setup.OK
    assert check_setup.check_python((3, 14, 0), "Windows", "AMD64").status == check_setup.OK
    assert check_setup.check_python((3, 9, 18)).status == check_setup.FAIL
    intel_mac = check_setup.check_python((3, 14, 0), "Darwin", "x86_64")
    assert intel_mac.status == check_setup.FAIL and "install Python 3.13" in intel_mac.detail
    assert check_setup.check_python((3, 13, 1), "Darwin", "x86_64").status == check_setup.OK


def test_figures_folder_that_cannot_be_made_fails(check_setup, tmp_path):
    assert check_setup.check_writable(tmp_path / "figures").status == check_setup.OK
    assert list((tmp_path / "figures").iterdir()) == []  # the probe file is gone
    (tmp_path / "blocker").write_text("a file, not a folder")
    row = check_setup.check_writable(tmp_path / "blocker" / "figures")
    assert row.status == check_setup.FAIL and "--plot-dir" in row.detail


def test_scripts_needing_a_missing_package_are_skipped(check_setup):
    runs = [("run_lstm.py", ["sine"], ["numpy", "pandas"])]
    rows = check_setup.run_rows({"numpy": object()}, runs, show=lambda row: None)
    assert rows == [check_setup.Row("run run_lstm.py", "skip", "needs pandas (see above)")]


def test_quick_run_reports_a_failing_or_missing_script(check_setup, tmp_path):
    (tmp_path / "broken.py").write_text(
        "import sys\nprint('Traceback noise', file=sys.stderr)\n"
        "print('There is no file data/x.csv; run make_data.py.', file=sys.stderr)\nsys.exit(2)\n")
    row = check_setup.quick_run("broken.py", ["--out", "{tmp}"], folder=tmp_path)
    assert row.status == check_setup.FAIL
    assert "There is no file data/x.csv" in row.detail
    assert "python broken.py --out TMP" in row.detail
    assert check_setup.quick_run("absent.py", [], folder=tmp_path).status == check_setup.FAIL


def test_quick_run_times_a_script_that_works(check_setup, tmp_path):
    (tmp_path / "fine.py").write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1], 'out.txt').write_text('done')\n")
    row = check_setup.quick_run("fine.py", ["{tmp}"], folder=tmp_path)
    assert row.status == check_setup.OK and row.detail.endswith(" s (TMP)")


def run_check(*args, env=None):
    return subprocess.run([sys.executable, str(REPO_ROOT / "check_setup.py"), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg", **(env or {})})


def test_check_with_pandas_hidden_names_the_install_command(tmp_path):
    result = run_check("--no-runs", env=hiding(tmp_path, "pandas"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    pandas_row = [line for line in result.stdout.splitlines() if line.startswith("pandas ")]
    assert len(pandas_row) == 1 and "FAIL" in pandas_row[0], result.stdout
    assert pandas_row[0].rstrip().endswith('-m pip install "pandas>=2.1,<4"')
    numpy_row = [line for line in result.stdout.splitlines() if line.startswith("numpy ")]
    assert " ok " in numpy_row[0]
    failed = [line for line in result.stdout.splitlines() if line[25:30] == "FAIL "]  # status
    assert failed == pandas_row, result.stdout  # whichever backend this Python has, it is fine
    assert any(line.startswith("Keras backend ") and " ok " in line
               for line in result.stdout.splitlines()), result.stdout
    assert "-m pip install -r requirements.txt" in result.stdout


@pytest.mark.dev
def test_the_whole_check_passes_here():
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "All set" in result.stdout
    for script in ("mlp.py", "rnn.py", "min_char_rnn.py", "run_lstm.py"):
        assert any(line.startswith(f"run {script} ") and " ok " in line
                   for line in result.stdout.splitlines()), (script, result.stdout)


def test_optional_notebook_packages_are_information_with_their_install_command(check_setup):
    names = [name for name, _ in check_setup.OPTIONAL_TOOLS]
    assert names == ["jupytext", "ipykernel", "notebook"]  # the README's notebook packages
    page = (REPO_ROOT / "docs" / "notebooks.md").read_text(encoding="utf-8")
    assert f"python -m pip install {' '.join(names)}" in page
    row = check_setup.check_tool("no_such_module_here", "nothing")
    assert row.status == check_setup.INFO
    assert "not installed" in row.detail and "-m pip install no_such_module_here" in row.detail


# %% The Keras backend: the scripts' choice, and the check on each kind of install
BACKENDS = ("tensorflow", "jax", "torch")
COMMON = {"numpy": "2.4.6", "matplotlib": "3.11.2", "pandas": "3.1.1", "keras": "3.15.1",
          "pytest": "9.2.0"}  # every package of requirements.txt but the backends


@pytest.fixture
def plumbing():
    return importlib.import_module("plumbing")


@pytest.fixture
def installed(monkeypatch, tmp_path):
    """Call it with the backends to pretend installed (the others are not); installs nothing.

    KERAS_BACKEND is unset and Keras's settings folder is an empty one (KERAS_HOME), so that
    nothing of this computer's own set-up leaks in; both come back after the test.
    """
    monkeypatch.setenv("KERAS_BACKEND", "")  # recorded, so that the choice the test makes
    monkeypatch.delenv("KERAS_BACKEND")  # (plumbing writes it there) is undone after it
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / ".keras"))
    real_find_spec = importlib.util.find_spec

    def pretend(*backends):
        def find_spec(name, *args, **kwargs):
            if name in BACKENDS:
                return object() if name in backends else None
            return real_find_spec(name, *args, **kwargs)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)

    return pretend


def keras_json(tmp_path, backend):
    """Keras's own settings file, as Keras writes it on its first start."""
    (tmp_path / ".keras").mkdir(exist_ok=True)
    (tmp_path / ".keras" / "keras.json").write_text(json.dumps({"backend": backend}))


def test_keras_backend_set_by_the_environment_comes_first(plumbing, installed, tmp_path,
                                                          monkeypatch):
    installed("tensorflow", "jax")
    keras_json(tmp_path, "tensorflow")
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert plumbing.choose_keras_backend() == ("jax", "set by KERAS_BACKEND")
    monkeypatch.setenv("KERAS_BACKEND", "JAX")  # as a README in capitals might spell it
    assert plumbing.choose_keras_backend() == ("jax", "set by KERAS_BACKEND")
    assert os.environ["KERAS_BACKEND"] == "jax"  # Keras itself knows only the lower case


@pytest.mark.parametrize("asked, words", [
    ("tensorflow", ["KERAS_BACKEND=tensorflow asks for tensorflow, which is not installed",
                    "has jax", "KERAS_BACKEND=jax", "unset it"]),
    ("nosuch", ["KERAS_BACKEND=nosuch names no Keras backend", "tensorflow, jax, torch",
                "has jax", "KERAS_BACKEND=jax"]),
])
def test_a_backend_asked_for_that_is_missing_or_unknown_is_one_sentence(
        plumbing, installed, monkeypatch, asked, words):
    installed("jax")  # the light install
    monkeypatch.setenv("KERAS_BACKEND", asked)
    with pytest.raises(plumbing.InputError) as error:
        plumbing.choose_keras_backend()
    message = str(error.value)
    assert len(message.splitlines()) == 1 and message.endswith(".")
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("saved", ["torch", "nosuch"])
def test_keras_json_naming_a_missing_or_unknown_backend_is_one_sentence(plumbing, installed,
                                                                        tmp_path, saved):
    installed("jax")
    keras_json(tmp_path, saved)
    with pytest.raises(plumbing.InputError, match=r"keras\.json \(\"backend\": \"" + saved
                       + r"\"\) .* has jax; choose one with KERAS_BACKEND=jax, or write that "
                       r"name in the file"):
        plumbing.choose_keras_backend()


def test_keras_json_names_the_backend_when_it_is_installed(plumbing, installed, tmp_path):
    installed("tensorflow", "jax")
    keras_json(tmp_path, "jax")
    backend, why = plumbing.choose_keras_backend()
    assert backend == "jax" and "keras.json" in why
    assert os.environ["KERAS_BACKEND"] == "jax"  # where Keras will read it


@pytest.mark.parametrize("backends, saved, expected", [
    (("tensorflow", "jax", "torch"), None, "tensorflow"),
    (("jax", "torch"), None, "jax"),
    (("jax",), "tensorflow", "jax"),  # Keras wrote tensorflow there once; it is gone since
    (("torch",), "not json {", "torch"),
])
def test_otherwise_the_first_installed_of_tensorflow_jax_torch(plumbing, installed, tmp_path,
                                                               backends, saved, expected):
    installed(*backends)
    if saved is not None:
        keras_json(tmp_path, saved)
        if saved.startswith("not json"):
            (tmp_path / ".keras" / "keras.json").write_text(saved)
    backend, why = plumbing.choose_keras_backend()
    assert backend == expected and "first installed" in why
    assert os.environ["KERAS_BACKEND"] == expected


def test_no_backend_installed_is_one_sentence_with_the_install_command(plumbing, installed):
    installed()
    with pytest.raises(plumbing.InputError) as error:
        plumbing.choose_keras_backend()
    message = str(error.value)
    assert len(message.splitlines()) == 1 and message.endswith(".")
    assert "python -m pip install -r requirements.txt" in message
    assert "KERAS_BACKEND" not in os.environ


@pytest.fixture
def check_on(check_setup, installed, monkeypatch, tmp_path):
    """check_setup's checks (no quick runs) on a pretend computer: the backends installed, the
    packages' versions, and the modules that fail to import. Returns the rows by name."""
    monkeypatch.setattr(check_setup, "REPO_ROOT", tmp_path)  # figures/ is made there
    monkeypatch.setattr(check_setup, "visible_gpus", lambda backend: [])
    monkeypatch.setattr(check_setup, "check_windows", lambda: check_setup.Row(
        "plot windows", check_setup.WARN, "none: no display here"))  # a warning fails nothing
    monkeypatch.setattr(check_setup, "check_training", lambda keras, backend, wanted: (
        check_setup.Row("Keras trains", check_setup.OK, f"on {backend}")))

    def check(backends, versions, hidden=()):
        installed(*backends)
        shown = []
        rows = check_setup.check_everything(
            REPO_ROOT / "requirements.txt", runs=False, show=shown.append,
            importer=importer_without(*hidden), version_of=fake_versions(**versions))
        assert shown == rows  # each row is shown as soon as it is checked
        return {row.check: row for row in rows}, check_setup.summary(rows)[1]

    return check


def test_check_passes_on_a_tensorflow_install(check_setup, check_on):
    rows, status = check_on(("tensorflow", "jax"), {**COMMON, "tensorflow": "2.21.0"},
                            hidden=("torch",))
    assert status == 0, rows
    assert "will use tensorflow" in rows["Keras backend"].detail
    assert "also installed: jax" in rows["Keras backend"].detail
    detail = rows["tensorflow"].detail  # "imported already" when an earlier test imported it
    assert rows["tensorflow"].status == check_setup.OK
    assert "imports in" in detail or "imported already" in detail, detail
    assert "jax" not in rows  # the backend not used is not imported


def test_check_passes_on_a_jax_only_install(check_setup, check_on):
    rows, status = check_on(("jax",), {**COMMON, "jax": "0.10.2"}, hidden=("tensorflow", "torch"))
    assert status == 0, rows
    assert not [row for row in rows.values() if row.status == check_setup.FAIL]
    assert "tensorflow" not in rows
    assert "will use jax (the first installed of tensorflow, jax, torch)" in (
        rows["Keras backend"].detail)
    assert rows["jax"].status == check_setup.OK and "needs >=0.4.38" in rows["jax"].detail
    assert rows["keras"].status == check_setup.OK and "jax" in rows["keras"].detail


def test_check_passes_on_a_pytorch_only_install(check_setup, check_on):
    rows, status = check_on(("torch",), {**COMMON, "torch": "2.13.0"},
                            hidden=("tensorflow", "jax"))
    assert status == 0, rows
    assert "will use torch" in rows["Keras backend"].detail
    assert rows["torch"].detail.startswith("2.13.0 (needs any version")


def test_check_without_any_backend_gives_the_install_command(check_setup, check_on):
    rows, status = check_on((), COMMON, hidden=BACKENDS)
    assert status == 1
    assert rows["Keras backend"].status == check_setup.FAIL
    assert "-m pip install -r requirements.txt" in rows["Keras backend"].detail
    assert check_setup.LIGHT_REQUIREMENTS in rows["Keras backend"].detail
    assert rows["keras"].status == check_setup.SKIP  # installed; the backend is what is missing


def test_check_names_the_backend_that_keras_backend_asks_for_when_it_is_missing(
        check_setup, check_on, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    rows, status = check_on(("tensorflow",), {**COMMON, "tensorflow": "2.21.0"},
                            hidden=("jax", "torch"))
    assert status == 1
    backend = rows["Keras backend"]
    assert backend.status == check_setup.FAIL and "jax" not in rows
    assert "KERAS_BACKEND=jax asks for jax, which is not installed;" in backend.detail
    assert "has tensorflow" in backend.detail and "KERAS_BACKEND=tensorflow" in backend.detail
    assert rows["keras"].status == check_setup.SKIP


def test_a_keras_too_old_for_jax_gets_the_upgrade_command(check_setup, check_on):
    # Keras 3.5 to 3.9 call jax.spmd_mode, which JAX 0.6.2 and later no longer have.
    rows, status = check_on(("jax",), {**COMMON, "keras": "3.5.0", "jax": "0.10.2"},
                            hidden=("tensorflow", "torch"))
    assert status == 1
    assert rows["keras"].status == check_setup.FAIL
    assert rows["keras"].detail.startswith("3.5.0 installed, jax needs >=3.10,<4")
    assert rows["keras"].detail.endswith('-m pip install --upgrade "keras>=3.10,<4"')
    assert "Keras trains" not in rows  # no training is tried with a Keras that is refused


def test_on_tensorflow_keras_3_5_is_still_enough(check_setup, check_on):
    rows, status = check_on(("tensorflow",), {**COMMON, "keras": "3.5.0",
                                              "tensorflow": "2.17.1"}, hidden=("jax", "torch"))
    assert status == 0, rows
    assert rows["keras"].detail.startswith("3.5.0 (needs >=3.5,<4")


def test_a_keras_that_cannot_train_on_its_backend_fails_with_the_upgrade_command(check_setup):
    class Keras:  # imports, as keras 3.5 does with jax 0.10, then fails in its first step
        __version__ = "3.5.0"

        @staticmethod
        def Sequential(layers):
            raise AttributeError("module 'jax' has no attribute 'spmd_mode'")

        Input = staticmethod(lambda shape: None)
        layers = type("layers", (), {"LSTM": staticmethod(lambda units: None),
                                     "Dense": staticmethod(lambda units: None)})

    row = check_setup.check_training(Keras, "jax", ">=3.10,<4")
    assert row.status == check_setup.FAIL
    assert row.detail.startswith("keras 3.5.0 cannot train on jax (AttributeError: module 'jax' "
                                 "has no attribute 'spmd_mode')")
    assert row.detail.endswith('-m pip install --upgrade "keras>=3.10,<4"')


def test_each_backends_path_has_its_own_keras_floor(check_setup):
    full = check_setup.keras_for_backends((REPO_ROOT / "requirements.txt").read_text())
    light = check_setup.keras_for_backends(
        (REPO_ROOT / check_setup.LIGHT_REQUIREMENTS).read_text())
    assert full == {None: ">=3.5,<4", "jax": ">=3.10,<4"}
    assert light == {None: full["jax"]}  # the light install is the JAX path


def test_check_on_an_old_tensorflow_gives_the_upgrade_command(check_setup, check_on):
    rows, status = check_on(("tensorflow",), {**COMMON, "tensorflow": "2.16.2"})
    assert status == 1
    assert rows["tensorflow"].detail.endswith('-m pip install --upgrade "tensorflow>=2.17,<3"')


# %% Plot windows: a warning with the platform's fix, never a failure
def test_a_python_that_can_open_windows_says_so(check_setup):
    row = check_setup.check_windows({"backend": "TkAgg", "tkinter": True, "window": True}, {})
    assert row.status == check_setup.OK and "TkAgg" in row.detail


@pytest.mark.parametrize("environ, found, words", [
    ({"MPLBACKEND": "Agg", "DISPLAY": ":0"}, {"tkinter": True}, ["MPLBACKEND=Agg", "unset it"]),
    ({}, {"tkinter": True}, ["no display here", "notebook"]),
    ({"DISPLAY": ":0"}, {"tkinter": False}, ["no tkinter", "this Python's fix"]),
    ({"WAYLAND_DISPLAY": "wayland-0"}, {"tkinter": True}, ["picked agg, which opens no window"]),
])
def test_no_window_is_a_warning_that_says_why_and_what_to_do(check_setup, environ, found, words):
    found = {"backend": "agg", "window": False, **found}
    row = check_setup.check_windows(found, environ, system="Linux")
    words = [check_setup.tkinter_fix("Linux") if word == "this Python's fix" else word
             for word in words]
    assert row.status == check_setup.WARN
    assert "figures are saved under figures/" in row.detail
    for word in words:
        assert word in row.detail, (word, row.detail)
    assert check_setup.summary([check_setup.Row("numpy", "ok", ""), row])[1] == 0  # all set


@pytest.mark.parametrize("system, prefix, debian, fix", [
    ("Linux", "/usr", True, "`sudo apt install python3-tk`"),
    ("Darwin", "/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12", False,
     "`brew install python-tk@3.12`"),
    ("Darwin", "/Library/Frameworks/Python.framework/Versions/3.12", False,
     "install Python from python.org"),
    ("Windows", "C:\\Python312", False, "run the python.org installer again"),
    ("Linux", "/home/me/.pyenv/versions/3.12.1", True, "pyenv install --force 3.12.1"),
    ("Linux", "/opt/python", False, "python3-tk on Debian and Ubuntu"),
])
def test_the_tkinter_fix_fits_the_platform(check_setup, system, prefix, debian, fix):
    assert fix in check_setup.tkinter_fix(system, prefix, (3, 12, 1), debian)


def test_the_window_check_asks_this_python_in_its_own_environment(check_setup, tmp_path):
    env = {**os.environ, **hiding(tmp_path, "tkinter"), "DISPLAY": ":0"}
    env.pop("MPLBACKEND", None)
    row = check_setup.check_windows(environ=env, system="Linux")
    assert row.status == check_setup.WARN and "no tkinter" in row.detail, row
    agg = check_setup.check_windows(environ={**os.environ, "MPLBACKEND": "Agg"})
    assert agg.status == check_setup.WARN and "MPLBACKEND=Agg" in agg.detail, agg

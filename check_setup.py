"""Is this computer ready for the workshop? Run this the night before.

    python check_setup.py            # about 30 s on a busy 2-core laptop: the packages, the
                                     # Keras backend, figures/, a tiny run of each script
    python check_setup.py --no-runs  # the packages, the backend (with one tiny training
                                     # step), figures/ and plot windows (about 15 s)

It prints a table with one row per check, each as soon as it is done. Each row says ok, or what
to do about it: a missing package comes with the exact command that installs it. The exit
status is 0 only when everything the evening needs works. Keras needs one backend: TensorFlow,
JAX or PyTorch, whichever is installed (requirements.txt installs TensorFlow, or JAX where
TensorFlow has no release; requirements-jax.txt is the light install with JAX). The check names
the backend the scripts will use and why, times its import on its own, and trains a tiny model
with Keras on it (a Keras too old for its backend imports, then fails there). The GPU row and
the optional tools are information only: every script runs on a laptop CPU, so a computer
without a GPU passes. The plot windows row is a warning at most: without windows (no tkinter,
no display) `--live` and `--show` draw off-screen, and the figures are saved all the same.

Nothing heavy is imported at the top of this file, so a missing package is reported in its row
instead of stopping the check.
"""

import argparse
import contextlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

# %% Settings
REPO_ROOT = Path(__file__).resolve().parent  # the workshop folder: scripts, data/, figures/
MIN_PYTHON, MAX_PYTHON = (3, 10), (3, 14)  # the Pythons every package has final releases for
KERAS_BACKENDS = ("tensorflow", "jax", "torch")  # the backends Keras can run the scripts on
LIGHT_REQUIREMENTS = "requirements-jax.txt"  # the light install: JAX instead of TensorFlow
MODULE_NAMES = {}  # distribution name -> module name, for packages whose two names differ
QUICK_RUNS = [  # (script, its tiny settings ({tmp}: a temporary folder), packages it needs)
    ("mlp.py", ["--plot", "--plot-dir", "{tmp}"], ["numpy", "matplotlib"]),
    ("rnn.py", ["--epochs", "1", "--plot-dir", "{tmp}", "--json", "{tmp}/rnn.json"],
     ["numpy", "matplotlib"]),
    ("min_char_rnn.py", ["--iters", "50", "--sample-every", "50", "--book", "{tmp}/book.txt",
                         "--checkpoint", "{tmp}/char_rnn.npz"], ["numpy"]),
    ("run_lstm.py", ["sine", "--epochs", "1", "--plot-dir", "{tmp}", "--json", "{tmp}/lstm.json"],
     ["numpy", "pandas", "matplotlib", "keras"]),
]
RUN_TIMEOUT = 180  # seconds a quick run may take before it counts as failed
OPTIONAL_TOOLS = [  # (module, what it is for): the notebook packages, information only
    ("jupytext", "turns a script into a notebook: jupytext --to ipynb mlp.py"),
    ("ipykernel", "the Jupyter kernel that runs those notebooks (and VS Code's cells)"),
    ("notebook", "opens the notebooks in a browser: jupyter notebook rnn.ipynb (the three "
                 "packages add about 210 MB)"),
]
OK, FAIL, INFO, SKIP, WARN = "ok", "FAIL", "info", "skip", "warn"  # only FAIL fails the check


class Row(NamedTuple):
    """One line of the report."""

    check: str  # what was checked
    status: str  # OK, FAIL, INFO, SKIP or WARN
    detail: str  # the version found, the time taken, or what to do


# %% Versions
def read_requirements(text):
    """The requirements as (name, specifiers) pairs, e.g. ("numpy", ">=1.26,<3").

    A line's environment marker (after `;`: which Pythons and computers it is for) is left out:
    the backends' lines are checked for the backend in use, whichever line pip took.
    """
    requirements = []
    for line in text.splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$", line)
        if match:
            requirements.append((match.group(1), match.group(3).replace(" ", "")))
    return requirements


def keras_for_backends(text):
    """Keras's specifiers on each backend's path, as {backend: specifiers}; None: the others.

    A keras line with an environment marker belongs to the backend whose own line has the same
    marker (requirements.txt asks for a newer Keras where JAX is the backend); a keras line
    without one, to every other backend.
    """
    lines = [(name, specifiers, marker) for name, specifiers, marker in
             (requirement_parts(line) for line in text.splitlines()) if name]
    backend_of = {marker: name for name, _, marker in lines if name in KERAS_BACKENDS and marker}
    found = {}
    for name, specifiers, marker in lines:
        if name == "keras":
            found[backend_of.get(marker) if marker else None] = specifiers
    return found


def requirement_parts(line):
    """(name, specifiers, marker) of one requirements line; (None, "", "") for a comment."""
    line = line.split("#")[0].strip()
    marker = line.split(";", 1)[1].strip() if ";" in line else ""
    requirements = read_requirements(line)
    return (*requirements[0], marker) if requirements else (None, "", "")


def version_tuple(text):
    """The numeric release part of a version: "2.21.0rc1" -> (2, 21, 0)."""
    match = re.match(r"\d+(\.\d+)*", text.strip())
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def compare(a, b):
    """-1, 0 or 1 as version tuple a is below, equal to or above b (missing parts count as 0)."""
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


def satisfies(version, specifiers):
    """True when `version` meets every comma-separated specifier, such as ">=1.26,<3"."""
    found = version_tuple(version)
    for specifier in filter(None, specifiers.split(",")):
        operator, wanted = re.match(r"(~=|==|!=|<=|>=|<|>)?(.*)", specifier).groups()
        if wanted.endswith(".*"):  # ==2.1.* : the same release prefix
            prefix = version_tuple(wanted[:-2])
            same = found[:len(prefix)] == prefix
            if same != (operator != "!="):
                return False
            continue
        order = compare(found, version_tuple(wanted))
        if operator == "~=":  # ~=2.1 means >=2.1 and ==2.*
            prefix = version_tuple(wanted)[:-1]
            if order < 0 or found[:len(prefix)] != prefix:
                return False
        elif not {"==": order == 0, "!=": order != 0, "<=": order <= 0, ">=": order >= 0,
                  "<": order < 0, ">": order > 0, None: order == 0}[operator]:
            return False
    return True


def python_command():
    """How to call this Python in a shell: `python` when that is this one, else its full path."""
    on_path = shutil.which("python")
    if on_path and Path(on_path).resolve() == Path(sys.executable).resolve():
        return "python"
    return f'"{sys.executable}"' if " " in sys.executable else sys.executable


def install_command(name, specifiers, *options):
    """The exact command that installs a requirement into this Python."""
    return " ".join([python_command(), "-m", "pip", "install", *options,
                     f'"{name}{specifiers}"'])


@contextlib.contextmanager
def quiet_stderr():
    """Hide what C libraries print while they load (TensorFlow's notes about CUDA and CPUs)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def check_python(version_info=sys.version_info, system=platform.system(),
                 machine=platform.machine()):
    """Is this Python one that every package of the workshop has a release for?"""
    found = ".".join(map(str, version_info[:3]))
    supported = f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} to {MAX_PYTHON[0]}.{MAX_PYTHON[1]}"
    if tuple(version_info[:2]) < MIN_PYTHON:
        return Row("Python", FAIL, f"{found} is too old: install Python {supported} from "
                   "python.org, make a fresh virtual environment with it, and install again")
    if system == "Darwin" and machine == "x86_64" and tuple(version_info[:2]) >= MAX_PYTHON:
        return Row("Python", FAIL, f"{found}: no Keras backend has a release for it on an Intel "
                   "Mac; install Python 3.13 from python.org, make a fresh virtual environment "
                   "with it, and install again")
    if tuple(version_info[:2]) > MAX_PYTHON:
        return Row("Python", OK, f"{found} (newer than the {supported} the workshop is checked "
                   "on: if a package will not install, use Python 3.14)")
    return Row("Python", OK, f"{found} (the workshop runs on Python {supported})")


def check_package(name, specifiers, importer=importlib.import_module,
                  version_of=importlib.metadata.version, after=None):
    """Is the package installed, new enough, and does it import? Returns (Row, module or None).

    The time is that of this import alone, on top of what was imported before it (`after`
    names the package that matters, such as Keras's backend, which may import Keras itself).
    """
    module_name = MODULE_NAMES.get(name, name)
    wanted = specifiers or "any version"
    try:
        version = version_of(name)
    except importlib.metadata.PackageNotFoundError:
        return Row(name, FAIL, f"not installed: {install_command(name, specifiers)}"), None
    if not satisfies(version, specifiers):
        return Row(name, FAIL, f"{version} installed, needs {wanted}: "
                   f"{install_command(name, specifiers, '--upgrade')}"), None
    preloaded = module_name in sys.modules
    start = time.perf_counter()
    try:
        with quiet_stderr():
            module = importer(module_name)
    except ModuleNotFoundError as error:
        if error.name in (None, module_name) or module_name.startswith(f"{error.name}."):
            return Row(name, FAIL, f"not found by this Python: "
                       f"{install_command(name, specifiers)}"), None
        return Row(name, FAIL, f"{version} installed, but it needs {error.name}, which is "
                   f"missing: {python_command()} -m pip install {error.name}"), None
    except Exception as error:  # noqa: BLE001  (any failure of a broken install is reported)
        reason = (str(error).strip().splitlines() or [""])[0][:80]
        return Row(name, FAIL, f"{version} installed, but importing it fails "
                   f"({type(error).__name__}: {reason}): "
                   f"{install_command(name, specifiers, '--force-reinstall')}"), None
    seconds = time.perf_counter() - start
    if preloaded:
        took = f"imported already, by {after}" if after else "imported already"
    else:
        took = f"imports in {seconds:.1f} s" + (f" on top of {after}" if after else "")
    return Row(name, OK, f"{version} (needs {wanted}; {took})"), module


# %% Keras, its backend and the GPU
def choose_backend():
    """The backend the scripts will use, as (backend or None, Row): the scripts' own choice,
    made by plumbing.choose_keras_backend (which also sets KERAS_BACKEND for the quick runs)."""
    try:
        import plumbing  # the scripts' shared module, beside this file
    except ImportError:
        return None, Row("Keras backend", FAIL, f"{REPO_ROOT / 'plumbing.py'} is missing: run "
                         "this check from the workshop's folder, or fetch the repo again")
    try:
        backend, why = plumbing.choose_keras_backend()
    except plumbing.InputError as error:
        if any(importlib.util.find_spec(name) for name in KERAS_BACKENDS):
            return None, Row("Keras backend", FAIL, str(error))  # KERAS_BACKEND or keras.json
        return None, Row("Keras backend", FAIL, f"none of {', '.join(KERAS_BACKENDS)} is "
                         f"installed: {python_command()} -m pip install -r requirements.txt "
                         f"(or -r {LIGHT_REQUIREMENTS}, the light install without TensorFlow)")
    others = [name for name in KERAS_BACKENDS
              if name != backend and importlib.util.find_spec(name) is not None]
    also = (f"; also installed: {', '.join(others)} (KERAS_BACKEND={others[0]} would pick it)"
            if others else "")
    return backend, Row("Keras backend", OK, f"the scripts will use {backend} ({why}){also}")


def visible_gpus(backend):
    """Names of the GPUs the Keras backend can use (an empty list on a CPU-only computer)."""
    with quiet_stderr():
        if backend == "tensorflow":
            import tensorflow as tf

            return [device.name for device in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax

            return [str(device) for device in jax.devices() if device.platform == "gpu"]
        if backend == "torch":
            import torch

            if torch.cuda.is_available():
                return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
            return ["Apple GPU (mps)"] if torch.backends.mps.is_available() else []
    return []


def check_gpu(backend):
    """Information only: the evening runs on a CPU; a GPU only makes Keras faster."""
    try:
        gpus = visible_gpus(backend)
    except Exception as error:  # noqa: BLE001  (information only: never fails the check)
        return Row("GPU", INFO, f"could not tell ({type(error).__name__}); the CPU is enough")
    if gpus:
        return Row("GPU", INFO, f"{len(gpus)} visible to {backend}: {', '.join(gpus)}")
    return Row("GPU", INFO, "none visible: the scripts run on the CPU, which is all tonight needs")


# %% Folders, tools and quick runs
def check_writable(folder):
    """Can the scripts save their figures in `folder`?"""
    probe = folder / f".check_setup.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return Row(f"{folder.name}/ writable", FAIL, f"cannot write there ({error.strerror}): "
                   "clone the repo into a folder you own, or give the scripts --plot-dir DIR")
    return Row(f"{folder.name}/ writable", OK, str(folder))


def check_tool(name, purpose):
    """Information only: an optional package, found or not (if not, how to install it)."""
    found = importlib.util.find_spec(name) is not None
    missing = f"not installed ({python_command()} -m pip install {name})"
    return Row(f"{name} (optional)", INFO, f"{'found' if found else missing}; {purpose}")


WINDOW_PROBE = """\
import json, matplotlib, matplotlib.pyplot as plt, importlib.util as u
figure = plt.figure()  # not shown: the backend matplotlib picks here says if it can open one
print(json.dumps({"backend": matplotlib.get_backend(), "tkinter": bool(u.find_spec("tkinter")),
                  "window": figure.canvas.required_interactive_framework is not None}))
"""  # run by this Python in this environment (MPLBACKEND, DISPLAY as they are set)


def check_windows(found=None, environ=os.environ, system=platform.system()):
    """A warning only: can matplotlib open a window here, for --live and --show? Without one
    the figures are still saved under figures/. `found` is WINDOW_PROBE's answer."""
    if found is None:
        try:
            result = subprocess.run([sys.executable, "-c", WINDOW_PROBE], capture_output=True,
                                    text=True, timeout=60, env=dict(environ))
            found = json.loads(result.stdout.strip().splitlines()[-1])
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            return Row("plot windows", SKIP, "could not tell (matplotlib did not start; see "
                       "above)")
    if found["window"]:
        return Row("plot windows", OK, f"matplotlib opens windows here ({found['backend']}): "
                   "--live and --show will show them")
    saved = "; the figures are saved under figures/ all the same"
    if environ.get("MPLBACKEND"):
        return Row("plot windows", WARN, f"none: MPLBACKEND={environ['MPLBACKEND']} draws to "
                   f"files only; unset it to watch --live and --show in windows{saved}")
    if system == "Linux" and not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return Row("plot windows", WARN, "none: no display here (a server, SSH or a container); "
                   f"--live and --show need a desktop, or run the scripts in a notebook{saved}")
    if not found["tkinter"]:
        return Row("plot windows", WARN, f"none: this Python has no tkinter, which matplotlib's "
                   f"windows need; {tkinter_fix(system)}{saved}")
    return Row("plot windows", WARN, f"none: matplotlib picked {found['backend']}, which opens "
               f"no window{saved}")


def tkinter_fix(system, prefix=sys.base_prefix, version=sys.version_info,
                debian=Path("/etc/debian_version").exists()):
    """How to get tkinter for this Python, on this platform."""
    again = "then make a fresh virtual environment with it and install again"
    if system == "Windows":
        return ("run the python.org installer again, choose Modify and tick \"tcl/tk and "
                f"IDLE\", {again}")
    if system == "Darwin" and ("homebrew" in prefix.lower() or "/Cellar/" in prefix):
        return f"install it with `brew install python-tk@{version[0]}.{version[1]}`"
    if system == "Darwin":
        return f"install Python from python.org (its installer includes tkinter), {again}"
    if ".pyenv" in prefix:
        return ("install Tk's headers (`sudo apt install tk-dev` on Debian and Ubuntu), rebuild "
                f"this Python with `pyenv install --force {'.'.join(map(str, version[:3]))}`, "
                f"{again}")
    if debian and prefix == "/usr":
        return "install it with `sudo apt install python3-tk`"
    return ("install your system's Tk package for Python (python3-tk on Debian and Ubuntu, "
            "python3-tkinter on Fedora)")


def quick_run(script, arguments, folder=REPO_ROOT, timeout=RUN_TIMEOUT):
    """Run one script with tiny settings in a temporary folder; the row says how long it took."""
    path = folder / script
    if not path.is_file():
        return Row(f"run {script}", FAIL, f"{path} is missing: run this check from the "
                   "workshop's folder, or fetch the repo again (git pull)")
    env = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2"}
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, str(path), *(a.replace("{tmp}", tmp) for a in arguments)]
        start = time.perf_counter()
        try:
            result = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True,
                                    timeout=timeout)
        except subprocess.TimeoutExpired:
            return Row(f"run {script}", FAIL, f"still running after {timeout} s: close other "
                       f"programs and try `python {script}` by itself")
    seconds = time.perf_counter() - start
    shown = " ".join(arguments).replace("{tmp}", "TMP")
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        last = lines[-1].strip()[:120] if lines else f"exit status {result.returncode}"
        return Row(f"run {script}", FAIL, f"failed after {seconds:.1f} s: {last} "
                   f"(see the whole message with: python {script} {shown})")
    return Row(f"run {script}", OK, f"{seconds:.1f} s ({shown})")


# %% Report
def print_row(row):
    """One line of the table, printed as soon as its check is done."""
    print(f"{row.check:24s} {row.status:5s} {row.detail}", flush=True)


def package_rows(requirements, importer=importlib.import_module,
                 version_of=importlib.metadata.version, show=print_row):
    """A row per requirement but Keras and its backends; returns the rows and the modules that
    imported, by name."""
    rows, modules = [], {}
    for name, specifiers in requirements:
        if name == "keras" or name in KERAS_BACKENDS:
            continue
        row, module = check_package(name, specifiers, importer, version_of)
        show(row)
        rows.append(row)
        if module is not None:
            modules[name] = module
    return rows, modules


def keras_rows(requirements, importer=importlib.import_module,
               version_of=importlib.metadata.version, show=print_row, keras_specifiers=None):
    """The backend the scripts will use, its import alone, then Keras's on top of it (as
    `keras_specifiers`, from `keras_for_backends`, ask on that backend's path), a tiny training
    run, then the GPU. Returns the rows and {"keras": module} when Keras imported and trains."""
    wanted = dict(requirements)
    backend, row = choose_backend()
    keras_specifiers = keras_specifiers or {}
    wanted["keras"] = keras_specifiers.get(backend, keras_specifiers.get(None,
                                                                          wanted.get("keras", "")))
    show(row)
    rows, backend_module = [row], None
    if backend is not None:
        row, backend_module = check_package(backend, wanted.get(backend, ""), importer,
                                            version_of)
        show(row)
        rows.append(row)
    if backend_module is None:
        try:
            row = Row("keras", SKIP, f"{version_of('keras')} installed; it needs a backend "
                      "(see above)")
        except importlib.metadata.PackageNotFoundError:
            row = Row("keras", FAIL, f"not installed: "
                      f"{install_command('keras', wanted.get('keras', ''))}")
        show(row)
        return [*rows, row], {}
    row, keras = check_package("keras", wanted.get("keras", ""), importer, version_of,
                               after=backend)
    if row.status == FAIL and backend in keras_specifiers:  # a floor of this backend's own
        row = row._replace(detail=row.detail.replace(" needs ", f" {backend} needs ", 1))
    show(row)
    rows.append(row)
    if keras is not None:
        rows.append(check_training(keras, backend, wanted["keras"]))
        show(rows[-1])
        keras = keras if rows[-1].status == OK else None
    rows.append(check_gpu(backend))
    show(rows[-1])
    return rows, ({"keras": keras} if keras is not None else {})


def check_training(keras, backend, specifiers):
    """Can this Keras train on this backend? A tiny model is fitted for one step and then
    predicts, through the same training and prediction code as the scripts' models: a Keras
    too old for its backend fails here though both import (Keras 3.5 to 3.9 on JAX 0.6.2 or
    newer: `jax` has no `spmd_mode`)."""
    start = time.perf_counter()
    try:
        with quiet_stderr():
            import numpy as np

            x = np.zeros((4, 3), dtype="float32")  # (examples, inputs)
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, x[:, :1], epochs=1, verbose=0)
            model.predict(x, verbose=0)
    except Exception as error:  # noqa: BLE001  (any failure of the pair is reported)
        reason = (str(error).strip().splitlines() or [""])[0][:80]
        version = getattr(keras, "__version__", "?")
        return Row("Keras trains", FAIL, f"keras {version} cannot train on {backend} "
                   f"({type(error).__name__}: {reason}): "
                   f"{install_command('keras', specifiers, '--upgrade')}")
    return Row("Keras trains", OK, f"a tiny model trained and predicted on {backend} in "
               f"{time.perf_counter() - start:.1f} s")


def run_rows(modules, quick_runs=QUICK_RUNS, folder=REPO_ROOT, show=print_row):
    """A quick run of each script whose packages all imported."""
    rows = []
    for script, arguments, needs in quick_runs:
        missing = [name for name in needs if name not in modules]
        if missing:
            row = Row(f"run {script}", SKIP, f"needs {', '.join(missing)} (see above)")
        else:
            row = quick_run(script, arguments, folder)
        show(row)
        rows.append(row)
    return rows


def summary(rows):
    """The closing lines, and the exit status: 0 only when no row failed."""
    failed = [row for row in rows if row.status == FAIL]
    if not failed:
        return "All set: everything the evening needs works on this computer.", 0
    lines = [f"{len(failed)} problem{'s' if len(failed) > 1 else ''}: "
             + ", ".join(row.check for row in failed) + ". Fix the FAIL rows, then run "
             "`python check_setup.py` again."]
    if any("pip install" in row.detail for row in failed):
        lines.append(f"To install everything at once: {python_command()} -m pip install -r "
                     f"requirements.txt (or -r {LIGHT_REQUIREMENTS}, the light install without "
                     "TensorFlow)")
    return "\n".join(lines), 1


def check_everything(requirements_path, runs=True, show=print_row,
                     importer=importlib.import_module, version_of=importlib.metadata.version):
    """Every check in order, each row shown as it is done; returns all the rows."""
    rows = [check_python()]
    show(rows[0])
    try:
        text = requirements_path.read_text(encoding="utf-8")
        requirements, keras_specifiers = read_requirements(text), keras_for_backends(text)
    except OSError:
        rows.append(Row("requirements.txt", FAIL, f"{requirements_path} is missing: run this "
                        "check from the workshop's folder"))
        show(rows[-1])
        requirements, keras_specifiers = [], {}
    found, modules = package_rows(requirements, importer, version_of, show)
    rows += found
    found, keras = keras_rows(requirements, importer, version_of, show, keras_specifiers)
    rows += found
    modules.update(keras)
    checks = [lambda: check_writable(REPO_ROOT / "figures"),
              lambda: check_windows() if "matplotlib" in modules else Row(
                  "plot windows", SKIP, "needs matplotlib (see above)"),
              *(lambda tool=tool: check_tool(*tool) for tool in OPTIONAL_TOOLS)]
    for check in checks:  # each row shown as soon as it is done
        rows.append(check())
        show(rows[-1])
    if runs:
        rows += run_rows(modules, show=show)
    return rows


# %% Command line
def parse_args(argv):
    parser = argparse.ArgumentParser(description="Check that this computer is ready for the "
                                     "workshop.")
    parser.add_argument("--no-runs", action="store_true",
                        help="skip the quick run of each script (the check then takes about 15 s)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        print(f"{'check':24s} {'':5s} details\n{'-' * 72}")
        rows = check_everything(REPO_ROOT / "requirements.txt", runs=not args.no_runs)
        text, status = summary(rows)
        print(f"\n{text}\nThe check took {time.perf_counter() - start:.0f} s.")
        sys.stdout.flush()  # inside the try, so that a closed pipe is caught here
    except BrokenPipeError:  # the reader went away (`| head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())

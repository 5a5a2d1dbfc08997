"""Every script runs as a notebook: converted with jupytext, executed by a real Jupyter kernel.

    python -m pytest -m dev tests/test_notebooks.py

Each script (and each stub) is converted as the README says (`jupytext --to ipynb`), its
Settings cell is edited for a short run as a user would edit it, and every cell is executed by
an IPython kernel through nbclient, in a scratch copy of the repo's layout (data/ beside the
notebook, or one folder up for the stubs, with the shared modules), so nothing in the repo is
written. The solutions
must run to the end with their figures inline; the stubs must stop at their first unfinished
TODO with the same NotImplementedError as `python stubs/<script>.py`.

These are slow developer tests, left out of the plain `python -m pytest`. They need jupytext,
nbclient and ipykernel (`python -m pip install jupytext nbclient ipykernel`) and are skipped
with that reason when one is missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT

try:  # a missing package skips the tests once they run (in the dev step), not at collection,
    import jupytext  # which the plain run does too before it leaves them out
    import nbclient
except ImportError:
    jupytext = nbclient = None

pytestmark = pytest.mark.dev
WHY = "notebook tests need jupytext, nbclient and ipykernel: python -m pip install {}"


@pytest.fixture(autouse=True)
def notebook_packages():
    """Skip each notebook test, when it is run, if one of the packages it needs is missing."""
    for name in ("jupytext", "nbclient", "ipykernel"):
        pytest.importorskip(name, reason=WHY.format(name))

# What a user would change in each Settings cell for a run of seconds: name -> new value.
SHORT_RUN = {
    "mlp": {},
    "rnn": {"EPOCHS": "3"},
    "min_char_rnn": {"ITERATIONS": "300", "SAMPLE_EVERY": "100"},
    "lstm": {},
    "run_lstm": {"DATASET": '"sine"', "EPOCHS": "1"},
}
SHORT_FLAGS = {  # the same short runs, on the command line
    "mlp": [], "rnn": ["--epochs", "3"], "min_char_rnn": ["--iters", "300"], "lstm": [],
    "run_lstm": ["sine", "--epochs", "1"]}
STUB_SHORT_RUN = {**SHORT_RUN, "run_lstm": {}}  # stubs/run_lstm.py, a launcher, has no Settings
STUB_FLAGS = {**SHORT_FLAGS, "run_lstm": []}  # ...and stops at build_model's TODO all the same
FIGURES = {"mlp": 3, "rnn": 4, "min_char_rnn": 0, "lstm": 0, "run_lstm": 3}  # inline at least
MODULES = ("plumbing", "series_csv")  # what the scripts import, at the top of the repo


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernel spec that starts this very Python, whatever `python` means on the PATH."""
    folder = tmp_path_factory.mktemp("jupyter") / "kernels" / "workshop-test"
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "workshop test", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(folder.parent.parent))
        patch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        yield "workshop-test"


def scratch_repo(tmp_path, stubs):
    """data/, the scripts and the modules they import in a scratch folder; returns the folder
    the notebooks run in. For the stubs, that is stubs/, with the shared modules and the
    run_lstm.py that stubs/run_lstm.py runs one folder up, as in the repo; no solution of an
    exercise is there to import by mistake."""
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    for name in [*MODULES, *(["run_lstm"] if stubs else [])]:
        if (REPO_ROOT / f"{name}.py").is_file():  # else a module the scripts do not import
            shutil.copy(REPO_ROOT / f"{name}.py", tmp_path)
    source = REPO_ROOT / "stubs" if stubs else REPO_ROOT
    folder = tmp_path / "stubs" if stubs else tmp_path
    folder.mkdir(exist_ok=True)
    for name in SHORT_RUN:
        assert (source / f"{name}.py").is_file(), "stubs/ lacks it: python stubs/make_stubs.py"
        shutil.copy(source / f"{name}.py", folder)
    return folder


def edit_settings(notebook, changes):
    """Change `NAME = value` lines of the Settings cell, as a user would."""
    if not changes:
        return
    settings = next(cell for cell in notebook.cells  # jupytext keeps `# %% Settings` as a title
                    if cell.get("metadata", {}).get("title", "").startswith("Settings"))
    for name, value in changes.items():
        settings.source, count = re.subn(rf"^{name} = [^#\n]*", f"{name} = {value}  ",
                                         settings.source, count=1, flags=re.MULTILINE)
        assert count == 1, f"the Settings cell has no line `{name} = ...`:\n{settings.source}"


def as_notebook(path, changes):
    """The script converted as the README says (jupytext --to ipynb), settings changed."""
    notebook = jupytext.read(path)
    edit_settings(notebook, changes)
    return notebook


def execute(notebook, folder, kernel_name, timeout=600):
    """Run every cell in `folder` with a real kernel; returns the client (cells keep outputs)."""
    client = nbclient.NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return client


def inline_figures(notebook):
    """How many PNG pictures the cells showed."""
    return sum("image/png" in output.get("data", {}) for cell in notebook.cells
               for output in cell.get("outputs", []))


def executed_cells(notebook):
    return sum(cell.cell_type == "code" and cell.get("execution_count") is not None
               for cell in notebook.cells)


@pytest.mark.parametrize("name", list(SHORT_RUN))
def test_the_script_runs_all_as_a_notebook(name, tmp_path, kernel_name):
    folder = scratch_repo(tmp_path, stubs=False)
    notebook = as_notebook(folder / f"{name}.py", SHORT_RUN[name])
    execute(notebook, folder, kernel_name)
    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    assert executed_cells(notebook) == code_cells
    assert inline_figures(notebook) >= FIGURES[name]
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.get("name") == "stderr" and "Traceback" in output.get("text", "")]
    assert not errors
    if FIGURES[name]:  # saved as PNG too, under the scratch repo's figures/
        assert list((tmp_path / "figures").glob("*.png"))


def first_todo_of_the_script(folder, name):
    """The NotImplementedError line that `python stubs/<name>.py` stops with, or None, with
    the flags that match the notebook's edited Settings cell."""
    result = subprocess.run([sys.executable, str(folder / f"{name}.py"), *STUB_FLAGS[name]],
                            cwd=folder,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    lines = [line for line in result.stderr.splitlines() if "NotImplementedError" in line]
    return lines[-1].strip() if lines else None


@pytest.mark.parametrize("name", list(SHORT_RUN))
def test_the_stub_runs_as_a_notebook_until_its_first_todo(name, tmp_path, kernel_name):
    folder = scratch_repo(tmp_path, stubs=True)
    notebook = as_notebook(folder / f"{name}.py", STUB_SHORT_RUN[name])
    expected = first_todo_of_the_script(folder, name)
    if expected is None:  # lstm.py only defines the pieces: its notebook ends without error
        execute(notebook, folder, kernel_name)
        return
    with pytest.raises(nbclient.exceptions.CellExecutionError) as error:
        execute(notebook, folder, kernel_name)
    message = expected.split("NotImplementedError: ", 1)[1]
    shown = re.sub(r"\x1b\[[0-9;]*m", "", str(error.value))  # without the kernel's colours
    assert f"NotImplementedError: {message}" in shown
    assert "TODO" in message


@pytest.mark.parametrize("stubs", [False, True], ids=["repo", "stubs"])
def test_a_notebook_imports_the_script_beside_it_and_the_repos_modules(stubs, tmp_path,
                                                                       kernel_name):
    """The kernel starts in the notebook's folder: `import mlp` finds the script there, and
    plumbing is the one at the top of the repo (a stub finds it one folder up)."""
    folder = scratch_repo(tmp_path, stubs)
    notebook = jupytext.reads("# %%\nimport mlp\nimport plumbing\nprint(mlp.__file__)\n"
                              "print(plumbing.__file__)\nprint(plumbing.repo_root())\n",
                              fmt="py:percent")
    execute(notebook, folder, kernel_name, timeout=120)
    shown = [Path(line).resolve() for line in notebook.cells[0].outputs[0]["text"].splitlines()]
    assert shown[0] == (folder / "mlp.py").resolve()
    assert shown[1] == (tmp_path / "plumbing.py").resolve()
    assert shown[2] == tmp_path.resolve()  # the folder that holds data/


def test_a_paired_notebook_edits_the_stub_that_the_tests_read(tmp_path):
    """The README's pairing: saving the notebook (here: jupytext --sync) updates the script."""
    shutil.copy(REPO_ROOT / "stubs" / "mlp.py", tmp_path)
    jupytext_cli = [sys.executable, "-m", "jupytext"]
    paired = subprocess.run([*jupytext_cli, "--set-formats", "ipynb,py:percent", "mlp.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert paired.returncode == 0, paired.stderr
    notebook = jupytext.read(tmp_path / "mlp.ipynb")
    solution = (REPO_ROOT / "mlp.py").read_text(encoding="utf-8")
    region = solution.split("### BEGIN SOLUTION\n", 1)[1].split("    ### END SOLUTION", 1)[0]
    todo = "    raise NotImplementedError('TODO: Feed forward through the network')\n"
    cell = next(cell for cell in notebook.cells if todo in cell.source)
    cell.source = cell.source.replace(todo, region)  # what an attendee types in the notebook
    jupytext.write(notebook, tmp_path / "mlp.ipynb", fmt="ipynb")
    synced = subprocess.run([*jupytext_cli, "--sync", "mlp.ipynb"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert synced.returncode == 0, synced.stderr
    script = (tmp_path / "mlp.py").read_text(encoding="utf-8")
    assert todo not in script and region in script

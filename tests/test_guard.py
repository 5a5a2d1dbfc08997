"""The output guard, as a table: every output flag of every script, aimed at a file the user
or the workshop has. Each run must end in one sentence with exit status 2, before any work,
and leave the file exactly as it was. A developer test (each case starts a Python)."""

import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT, assert_plain_error

pytestmark = pytest.mark.dev

# script -> (the arguments that name its input, given the input's path; its input's file)
INPUTS = {
    "mlp": (lambda path: [], None),
    "rnn": (lambda path: ["--csv", path], "data/sinwave.csv"),
    "min_char_rnn": (lambda path: [path, "--iters", "5"], "data/rhymes.txt"),
    "run_lstm": (lambda path: ["sine", "--csv", path, "--epochs", "1"], "data/sinwave.csv"),
}
OUTPUT_FLAGS = {  # script -> its flags that name one output file
    "mlp": ["--json"],
    "rnn": ["--json"],
    "min_char_rnn": ["--json", "--book", "--checkpoint"],
    "run_lstm": ["--json", "--save-model"],
}


TARGETS = {  # what an output must never land on -> words its refusal must hold
    "a script of the repo": "workshop's own files",
    "a file under data/": "workshop's own files",
    "a link to a script": "workshop's own files",
    "the run's own input": "same file as",
}


def target_path(what, tmp_path, data_copy):
    """The file of one kind of TARGETS (None when the script reads no input)."""
    if what == "a link to a script":
        link = tmp_path / "link_to_script.keras"
        link.symlink_to(REPO_ROOT / "rnn.py")
        return link
    return {"a script of the repo": REPO_ROOT / "mlp.py",
            "a file under data/": REPO_ROOT / "data" / "sp500.csv",
            "the run's own input": data_copy}[what]


def applies(script, flag, what):
    """Leave out what cannot happen: mlp.py reads no file, and --save-model takes only names
    ending in .keras (any other name is refused for that first, which keeps the file too)."""
    if what == "the run's own input" and INPUTS[script][1] is None:
        return False
    return flag != "--save-model" or what == "a link to a script"


CASES = [(script, flag, what) for script, flags in OUTPUT_FLAGS.items() for flag in flags
         for what in TARGETS if applies(script, flag, what)]


def prepared(tmp_path, script):
    """A copy of the script's input in tmp_path (never the repo's own file), and its args."""
    make_args, source = INPUTS[script]
    if source is None:
        return None, make_args(None)
    copy = tmp_path / Path(source).name
    shutil.copyfile(REPO_ROOT / source, copy)
    return copy, make_args(copy)


def outputs_elsewhere(tmp_path, script):
    """Every output of the script sent to tmp_path, so that only the flag under test aims
    at a file that must be kept."""
    others = {"--json": "out.json", "--book": "book.txt", "--checkpoint": "ck.npz",
              "--save-model": "m.keras"}
    flags = OUTPUT_FLAGS[script]
    return {flag: str(tmp_path / "out" / name) for flag, name in others.items() if flag in flags}


@pytest.mark.parametrize("script,flag,what", CASES)
def test_an_output_never_lands_on_a_file_the_user_or_the_repo_has(script, flag, what, tmp_path,
                                                                  run_script):
    data_copy, args = prepared(tmp_path, script)
    target = target_path(what, tmp_path, data_copy)
    before = target.read_bytes()
    outputs = {**outputs_elsewhere(tmp_path, script), flag: str(target)}
    plots = [] if script == "min_char_rnn" else ["--plot-dir", tmp_path / "figures"]
    result = run_script(script, *args, *[part for pair in outputs.items() for part in pair],
                        *plots, timeout=120)
    assert_plain_error(result, flag, TARGETS[what])
    assert target.read_bytes() == before
    assert not (tmp_path / "figures").exists()  # refused before any work


@pytest.mark.parametrize("script", ["mlp", "rnn", "run_lstm"])
def test_a_plot_folder_inside_the_repo_is_refused(script, tmp_path, run_script):
    _, args = prepared(tmp_path, script)
    extra = ["--plot"] if script == "mlp" else []
    result = run_script(script, *args, *extra, "--plot-dir", REPO_ROOT / "data", timeout=120)
    assert_plain_error(result, "--plot-dir", "workshop's own files")


@pytest.mark.parametrize("script,figure", [("mlp", "mlp_and.png"),
                                           ("rnn", "sinwave_rnn_loss.png"),
                                           ("run_lstm", "sinwave_point.png")])
def test_a_figure_that_is_a_link_to_a_script_is_refused(script, figure, tmp_path, run_script):
    _, args = prepared(tmp_path, script)
    plots = tmp_path / "plots"
    plots.mkdir()
    (plots / figure).symlink_to(REPO_ROOT / "mlp.py")
    before = (REPO_ROOT / "mlp.py").read_bytes()
    extra = ["--plot", "--gate", "and"] if script == "mlp" else []
    result = run_script(script, *args, *extra, "--plot-dir", plots, timeout=120)
    assert_plain_error(result, "--plot-dir", "workshop's own files")
    assert (REPO_ROOT / "mlp.py").read_bytes() == before


def test_a_book_that_is_a_link_elsewhere_is_replaced_not_written_through(tmp_path, run_script):
    data_copy, args = prepared(tmp_path, "min_char_rnn")
    mine = tmp_path / "my_notes.txt"
    mine.write_text("my own notes\n")
    (tmp_path / "book.txt").symlink_to(mine)
    result = run_script("min_char_rnn", *args, "--book", tmp_path / "book.txt", "--checkpoint",
                        tmp_path / "ck.npz", "--sample-every", "5", timeout=120)
    assert result.returncode == 0, result.stderr
    assert mine.read_text() == "my own notes\n"
    assert not (tmp_path / "book.txt").is_symlink()

"""Hostile input: missing, empty, corrupt and wrong-kind files, nonsense settings, bad outputs.

    python -m pytest -m dev tests/test_hostile_input.py

Every case builds its own files in a temporary folder, runs a script the way a careless or
unlucky user would, and checks three things: the exit status; where the run is refused, one
plain sentence on stderr and no traceback (or argparse's own usage format for a bad flag); and
that no file that existed before was changed or removed, and no new file was left behind.

These are slow developer tests (a new Python for most cases), left out of the plain
`python -m pytest`; CI runs them as a second step.
"""

import contextlib
import gzip
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import traceback
import warnings
import zipfile

import numpy as np
import pytest

from conftest import REPO_ROOT, assert_plain_error, assert_usage_error, run_in_process, snapshot

pytestmark = pytest.mark.dev


def buffered_env():
    """This process's environment, with output buffered as in a user's shell: a closed pipe
    then shows itself when the output is flushed, at the latest as the script ends."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


# %% mlp.py
def numpy_part_main(module, *args):
    """Run `module.main(args)` in this process, as the command line would (a new Python per case
    is too slow for the budget). Returns what subprocess.run would (returncode, stdout, stderr),
    plus `warnings`: the RuntimeWarnings the run raised, which must be none."""

    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        try:
            code = module.main([str(arg) for arg in args])
        except SystemExit as stop:
            code = stop.code
        except Exception:  # what a user would see as a traceback
            code = "traceback"
            err.write(traceback.format_exc())
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    result = subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    result.warnings = runtime
    return result


def numpy_part_into_closed_pipe(script, *args, buffered=True):
    """Run a script with its output into a pipe whose reader has gone (`python x.py | head`):
    buffered as usual (the pipe breaks at a flush), or unbuffered (at the first print)."""

    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTHONUNBUFFERED", None)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, *([] if buffered else ["-u"]), str(script),
                               *map(str, args)], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=120, env=env)
    finally:
        os.close(write_end)


def numpy_part_refused(module, tmp_path, *args, words=(), usage=False):
    """A run that must be refused: exit 2, one sentence (or argparse's usage format), no
    RuntimeWarning, and nothing under tmp_path changed, removed or left behind."""
    before = snapshot(tmp_path)
    result = numpy_part_main(module, *args)
    (assert_usage_error if usage else assert_plain_error)(result, *words)
    assert not result.warnings, result.warnings
    assert snapshot(tmp_path) == before
    return result


def numpy_part_as_root():
    """True when the tests run as root, for whom read-only files and folders are writable."""

    return os.geteuid() == 0


@pytest.fixture(scope="module")
def mlp_script(load_script):
    return load_script("mlp")


def mlp_outputs(tmp_path):
    """Places that cannot hold an output: a folder, a file, and a path under that file."""
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file.txt").write_text("keep me\n")
    return tmp_path / "a_folder", tmp_path / "a_file.txt"


@pytest.mark.parametrize("case", ["json_is_folder", "json_under_file", "plot_dir_is_file",
                                  "plot_dir_under_file"])
def test_mlp_refuses_bad_outputs_before_training(mlp_script, tmp_path, case):
    folder, file = mlp_outputs(tmp_path)
    outputs = {"json_is_folder": ["--json", folder, "--plot", "--plot-dir", tmp_path / "figs"],
               "json_under_file": ["--json", file / "out.json"],
               "plot_dir_is_file": ["--plot", "--plot-dir", file, "--json", tmp_path / "o.json"],
               "plot_dir_under_file": ["--plot", "--plot-dir", file / "figs"]}[case]
    numpy_part_refused(mlp_script, tmp_path, "--gate", "and", *outputs,
                       words=["--json" if "json" in case else "--plot-dir"])


@pytest.mark.skipif(numpy_part_as_root(), reason="root writes to read-only files and folders")
@pytest.mark.parametrize("what", ["folder", "file"])
def test_mlp_refuses_a_read_only_output(mlp_script, tmp_path, what):
    target = tmp_path / "locked"
    target.mkdir()
    path = target / "out.json"
    if what == "file":
        path.write_text("{}\n")
        path.chmod(0o444)
    else:
        target.chmod(0o555)
    try:
        numpy_part_refused(mlp_script, tmp_path, "--gate", "and", "--json", path,
                           words=["--json"])
    finally:
        target.chmod(0o755)


def test_mlp_figure_that_cannot_be_written_is_one_sentence(mlp_script, tmp_path):
    (tmp_path / "figs" / "mlp_and.png").mkdir(parents=True)  # a folder where the PNG goes
    numpy_part_refused(mlp_script, tmp_path, "--gate", "and", "--plot", "--plot-dir",
                       tmp_path / "figs", words=["mlp_and.png"])


@pytest.mark.parametrize("lr", ["1e308", "1.7e308"])
def test_mlp_learning_rate_that_blows_up_is_one_sentence(mlp_script, tmp_path, lr):
    result = numpy_part_refused(mlp_script, tmp_path, "--gate", "and", "--lr", lr,
                                "--json", tmp_path / "out.json", words=["--lr"])
    assert "accuracy" not in result.stdout


@pytest.mark.parametrize("args, words", [
    (["--lr", "inf"], ["--lr"]), (["--lr", "nan"], ["--lr"]), (["--lr", "0"], ["--lr"]),
    (["--seed", "-1"], ["--seed", "4294967295"]), (["--seed", "4294967296"], ["--seed"]),
    (["--epochs", "0"], ["--epochs"]), (["--hidden", "0"], ["--hidden"]),
    (["--hidden", "100000000"], ["--hidden", "GiB"]),
    (["--hidden", "10000", "--plot"], ["--hidden", "GiB"]),
], ids=["lr-inf", "lr-nan", "lr-0", "seed-negative", "seed-2**32", "epochs-0", "hidden-0",
        "hidden-beyond-memory", "plot-beyond-memory"])
def test_mlp_nonsense_setting_is_one_sentence(mlp_script, tmp_path, args, words):
    numpy_part_refused(mlp_script, tmp_path, *args, "--json", tmp_path / "out.json",
                       words=words)


@pytest.mark.parametrize("args", [["--gate", "nand"], ["--epochs", "ten"], ["--seed", "1.5"],
                                  ["--bogus"]], ids=["gate", "epochs", "seed", "unknown"])
def test_mlp_bad_flag_keeps_argparse_format(mlp_script, tmp_path, args):
    numpy_part_refused(mlp_script, tmp_path, *args, usage=True)


def test_mlp_largest_seed_runs(mlp_script, tmp_path):
    result = numpy_part_main(mlp_script, "--gate", "and", "--seed", 2**32 - 1)
    assert result.returncode == 0, result.stderr
    assert "accuracy" in result.stdout and not result.warnings


def test_mlp_json_replaces_the_old_file_and_leaves_a_killed_write_alone(mlp_script, tmp_path):
    """Each write has a temporary name of its own: what a killed run left is not in the way."""
    (tmp_path / "out.json").write_text("old\n")
    (tmp_path / ".out.12345-0a1b2c3d.tmp.json").write_text("left by a killed write\n")
    result = numpy_part_main(mlp_script, "--gate", "or", "--json", tmp_path / "out.json")
    assert result.returncode == 0, result.stderr
    assert sorted(snapshot(tmp_path)) == [".out.12345-0a1b2c3d.tmp.json", "out.json"]
    assert "gates" in (tmp_path / "out.json").read_text()


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", [["--gate", "xor"], ["--help"]], ids=["run", "help"])
def test_mlp_output_into_a_closed_pipe_ends_quietly(impl_dir, args, buffered):
    result = numpy_part_into_closed_pipe(impl_dir / "mlp.py", *args, buffered=buffered)
    assert result.stderr == "" and result.returncode in (0, 1), (result.returncode, result.stderr)


# %% rnn.py
RNN_TINY = ["--epochs", "2", "--seq-len", "5", "--hidden", "4"]  # a run of well under a second


@pytest.fixture(scope="module")
def rnn_script(load_script):
    return load_script("rnn")


def rnn_series(tmp_path, values=None, name="series.csv", text=None):
    """A one-column file of numbers (150 values of a sine unless told) under tmp_path/data."""

    path = tmp_path / "data" / name
    path.parent.mkdir(exist_ok=True)
    if text is None:
        values = np.sin(np.arange(150) / 5.0) if values is None else values
        text = "value\n" + "".join(f"{float(value)!r}\n" for value in values)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize("case", ["json_is_folder", "json_under_file", "plot_dir_is_file",
                                  "plot_dir_under_file"])
def test_rnn_refuses_bad_outputs_before_training(rnn_script, tmp_path, case):
    csv = rnn_series(tmp_path)
    (tmp_path / "a_folder").mkdir()
    file = tmp_path / "a_file.txt"
    file.write_text("keep me\n")
    outputs = {"json_is_folder": ["--json", tmp_path / "a_folder", "--plot-dir", tmp_path / "f"],
               "json_under_file": ["--json", file / "o.json", "--plot-dir", tmp_path / "f"],
               "plot_dir_is_file": ["--plot-dir", file, "--json", tmp_path / "o.json"],
               "plot_dir_under_file": ["--plot-dir", file / "figs"]}[case]
    numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, *outputs,
                       words=["--json" if "json" in case else "--plot-dir"])


@pytest.mark.skipif(numpy_part_as_root(), reason="root writes to read-only files and folders")
@pytest.mark.parametrize("what", ["folder", "file"])
def test_rnn_refuses_a_read_only_output(rnn_script, tmp_path, what):
    csv = rnn_series(tmp_path)
    target = tmp_path / "locked"
    target.mkdir()
    if what == "file":
        (target / "out.json").write_text("{}\n")
        (target / "out.json").chmod(0o444)
    else:
        target.chmod(0o555)
    try:
        numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, "--json",
                           target / "out.json", "--plot-dir", tmp_path / "f", words=["--json"])
    finally:
        target.chmod(0o755)


def test_rnn_figure_that_cannot_be_written_is_one_sentence(rnn_script, tmp_path):
    csv = rnn_series(tmp_path)
    (tmp_path / "figs" / "series_rnn_split.png").mkdir(parents=True)  # a folder, not a PNG
    numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, "--plot-dir",
                       tmp_path / "figs", "--json", tmp_path / "o.json",
                       words=["series_rnn_split.png"])


def test_rnn_learning_rate_that_blows_up_is_one_sentence(rnn_script, tmp_path):
    csv = rnn_series(tmp_path)
    result = numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, "--lr", "1e308",
                                "--plot-dir", tmp_path / "f", "--json", tmp_path / "o.json",
                                words=["--lr"])
    assert "RMSE" not in result.stdout


def test_rnn_values_near_1e300_run_exactly_as_small_ones(rnn_script, tmp_path):


    small = np.sin(np.arange(150) / 5.0)
    rmses = []
    for name, values in (("small.csv", small), ("huge.csv", small * 2.0**996)):  # 2**996: 7e299
        result = numpy_part_main(rnn_script, "--csv", rnn_series(tmp_path, values, name),
                                 *RNN_TINY, "--plot-dir", tmp_path / "f", "--json",
                                 tmp_path / f"{name}.json")
        assert result.returncode == 0 and not result.warnings, (result.stderr, result.warnings)
        numbers = json.loads((tmp_path / f"{name}.json").read_text())
        rmses.append([numbers[key] for key in sorted(numbers) if key.endswith("rmse")])
    assert len(rmses[0]) >= 3
    assert [value * 2.0**996 for value in rmses[0]] == rmses[1]  # scaled first: the same run


def test_rnn_values_too_large_to_scale_are_one_sentence(rnn_script, tmp_path):

    csv = rnn_series(tmp_path, 1.7e308 * np.sign(np.sin(np.arange(150) / 5.0) + 0.01))
    numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, "--plot-dir",
                       tmp_path / "f", words=[csv.name])


@pytest.mark.parametrize("args, words", [
    (["--lr", "inf"], ["--lr"]), (["--lr", "nan"], ["--lr"]),
    (["--seed", "-1"], ["--seed", "4294967295"]), (["--seed", "4294967296"], ["--seed"]),
    (["--epochs", "0"], ["--epochs"]), (["--seq-len", "100000"], ["too few", "--seq-len"]),
    (["--batch-size", "0"], ["--batch-size"]), (["--hidden", "1000000"], ["--hidden", "GiB"]),
    (["--batch-size", "100000000"], ["--batch-size", "GiB"]),
], ids=["lr-inf", "lr-nan", "seed-negative", "seed-2**32", "epochs-0", "seq-len-huge",
        "batch-size-0", "hidden-beyond-memory", "batch-size-beyond-memory"])
def test_rnn_nonsense_setting_is_one_sentence(rnn_script, tmp_path, args, words):
    csv = rnn_series(tmp_path)
    numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, *args, "--plot-dir",
                       tmp_path / "f", "--json", tmp_path / "o.json", words=words)


@pytest.mark.parametrize("args", [["--epochs", "x"], ["--seed", "1e3"], ["--bogus"]],
                         ids=["epochs", "seed", "unknown"])
def test_rnn_bad_flag_keeps_argparse_format(rnn_script, tmp_path, args):
    numpy_part_refused(rnn_script, tmp_path, *args, usage=True)


@pytest.mark.parametrize("text, words", [
    (None, ["no file"]),
    ("", ["empty"]),
    ("value\n", ["header row", "no numbers"]),
    ("value\n1.0\n-inf\n2.0\n", ["line 3", "-inf", "finite"]),
    ("1.0\n1e999\n", ["line 2", "finite"]),
    ("value\n1.0\nabc\n2.0\n", ["line 3 holds 'abc', which is not a number"]),
    (",".join(["0.5"] * 2_000_000) + "\n", ["2,000,000 numbers", "one number a line"]),
    ("0.5 0.25 0.125\n", ["line 1 holds 3 numbers separated by spaces", "one number a line"]),
    (b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}\xff\xfe", ["UTF-8"]),
    ("\n".join(["0.5"] * 20) + "\n", ["too few"]),
    ("\n".join(["0.5"] * 400) + "\n", ["constant"]),
], ids=["missing", "empty", "header-only", "minus-inf", "overflow", "word",
        "one-line-of-two-million", "one-line-of-three", "npy-bytes", "too-short", "constant"])
def test_rnn_bad_csv_is_one_sentence_naming_the_file(rnn_script, tmp_path, text, words):
    csv = tmp_path / "data" / "series.csv"
    if text is not None:
        csv = rnn_series(tmp_path, text=text)
    result = numpy_part_refused(rnn_script, tmp_path, "--csv", csv, *RNN_TINY, "--plot-dir",
                                tmp_path / "f", words=words)
    assert "series.csv" in result.stderr
    assert "--columns" not in result.stderr and "--symbol" not in result.stderr  # not rnn's


def test_rnn_missing_values_are_dropped_and_counted_and_dates_are_kept(rnn_script, tmp_path):
    values = [repr(float(np.sin(i / 5.0))) for i in range(151)]
    values[7] = "nan"  # a missing price, as pandas writes one
    text = "Date,Close\n" + "".join(f"{np.datetime64('2020-01-01') + i},{value}\n"
                                     for i, value in enumerate(values))
    result = numpy_part_main(rnn_script, "--csv", rnn_series(tmp_path, text=text), *RNN_TINY,
                             "--plot-dir", tmp_path / "f")
    assert result.returncode == 0 and not result.warnings, (result.stderr, result.warnings)
    assert "Dropped 1 row with missing values." in result.stdout and "150 values" in result.stdout
    assert (tmp_path / "f" / "series_rnn_predictions.csv").read_text().startswith("step,date,truth")


def test_rnn_missing_values_of_a_file_without_dates_are_counted_too(rnn_script, tmp_path):
    values = [repr(float(np.sin(i / 5.0))) for i in range(151)]
    values[7] = "nan"  # one column, no header: the line was dropped without a word before
    result = numpy_part_main(rnn_script, "--csv", rnn_series(tmp_path, text="\n".join(values)),
                             *RNN_TINY, "--plot-dir", tmp_path / "f")
    assert result.returncode == 0 and not result.warnings, (result.stderr, result.warnings)
    assert "Dropped 1 row with missing values." in result.stdout
    assert "150 values" in result.stdout


def test_rnn_csv_that_is_a_folder_is_one_sentence(rnn_script, tmp_path):
    (tmp_path / "data.csv").mkdir()
    numpy_part_refused(rnn_script, tmp_path, "--csv", tmp_path / "data.csv", "--plot-dir",
                       tmp_path / "f", words=["folder"])


def test_rnn_largest_seed_and_a_byte_order_mark_run(rnn_script, tmp_path):

    text = "\ufeff" + "".join(f"{float(v)!r}\r\n" for v in np.sin(np.arange(150) / 5.0))
    result = numpy_part_main(rnn_script, "--csv", rnn_series(tmp_path, text=text), *RNN_TINY,
                             "--seed", 2**32 - 1, "--plot-dir", tmp_path / "f")
    assert result.returncode == 0 and not result.warnings, (result.stderr, result.warnings)
    assert "150 values" in result.stdout


def test_rnn_json_replaces_the_old_file_and_leaves_a_killed_write_alone(rnn_script, tmp_path):
    csv = rnn_series(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "rnn.json").write_text("old\n")
    (out / ".rnn.12345-0a1b2c3d.tmp.json").write_text("left by a killed write\n")
    result = numpy_part_main(rnn_script, "--csv", csv, *RNN_TINY, "--plot-dir", tmp_path / "f",
                             "--json", out / "rnn.json")
    assert result.returncode == 0, result.stderr
    assert sorted(snapshot(out)) == [".rnn.12345-0a1b2c3d.tmp.json", "rnn.json"]
    assert "one_step_rmse" in (out / "rnn.json").read_text()


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("tail", [["--plot-dir", "FIGS"], ["--help"]], ids=["run", "help"])
def test_rnn_output_into_a_closed_pipe_ends_quietly(impl_dir, tmp_path, tail, buffered):
    csv = rnn_series(tmp_path)
    tail = [str(tmp_path / "f") if arg == "FIGS" else arg for arg in tail]
    result = numpy_part_into_closed_pipe(impl_dir / "rnn.py", "--csv", csv, *RNN_TINY, *tail,
                                         buffered=buffered)
    assert result.stderr == "" and result.returncode in (0, 1), (result.returncode, result.stderr)


# %% min_char_rnn.py


CHAR_RNN_TEXT = REPO_ROOT / "data" / "rhymes.txt"
CHAR_RNN_SMALL = ["--hidden", "8", "--sample-every", "1000"]  # a model that trains in a blink


@pytest.fixture(scope="module")
def char_rnn_checkpoint(tmp_path_factory, run_script):
    """A good checkpoint of a tiny model trained for a few chunks of data/rhymes.txt."""
    folder = tmp_path_factory.mktemp("char_rnn_good")
    result = run_script("min_char_rnn", CHAR_RNN_TEXT, "--iters", "3", *CHAR_RNN_SMALL,
                        "--checkpoint", folder / "good.npz", "--book", folder / "book.txt")
    assert result.returncode == 0, result.stderr
    return folder / "good.npz"


def char_rnn_outputs(folder):
    return ["--checkpoint", folder / "out.npz", "--book", folder / "book.txt",
            "--json", folder / "run.json"]


def char_rnn_refused(run_script, folder, *args, words=()):
    """Run with outputs inside `folder`: refused in one sentence, nothing changed there."""
    before = snapshot(folder)
    result = run_script("min_char_rnn", *args, *char_rnn_outputs(folder), timeout=60)
    assert_plain_error(result, *words)
    assert snapshot(folder) == before
    return result


def char_rnn_edited(source, target, **changes):
    """A copy of the checkpoint `source` with some arrays replaced (a function of the old
    array, or a new array) or removed (None)."""
    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name, change in changes.items():
        if change is None:
            arrays.pop(name, None)
        else:
            arrays[name] = change(arrays[name]) if callable(change) else change
    with open(target, "wb") as file:
        np.savez(file, **arrays)
    return target


def char_rnn_resume_refused(run_script, tmp_path, checkpoint, *words):
    result = char_rnn_refused(run_script, tmp_path, CHAR_RNN_TEXT, "--iters", "0",
                              *CHAR_RNN_SMALL, "--resume", checkpoint,
                              words=(checkpoint.name, *words))
    assert "allow_pickle" not in result.stderr
    return result


# Checkpoints that cannot be resumed
def test_char_rnn_truncated_checkpoint(run_script, tmp_path, char_rnn_checkpoint):
    data = char_rnn_checkpoint.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "cut.npz", "damaged")


def test_char_rnn_empty_checkpoint(run_script, tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "empty.npz", "empty")


def test_char_rnn_bit_flipped_checkpoint(run_script, tmp_path, char_rnn_checkpoint):
    data = bytearray(char_rnn_checkpoint.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = bytes(byte ^ 0xFF for byte in data[middle:middle + 8])
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "flipped.npz", "damaged")


def test_char_rnn_renamed_npy_checkpoint(run_script, tmp_path):
    np.save(tmp_path / "weights.npy", np.ones((3, 3)))
    os.replace(tmp_path / "weights.npy", tmp_path / "weights.npz")
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "weights.npz", "single array")


def test_char_rnn_random_bytes_checkpoint(run_script, tmp_path):
    (tmp_path / "noise.npz").write_bytes(np.random.default_rng(0).bytes(3000))
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "noise.npz", "not a checkpoint")


def test_char_rnn_checkpoint_holding_pickled_objects(run_script, tmp_path, char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "objects.npz",
                             Why=np.array([{"code": "print"}], dtype=object))
    char_rnn_resume_refused(run_script, tmp_path, edited, "Why")


def test_char_rnn_checkpoint_with_unreadable_json(run_script, tmp_path, char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "json.npz",
                             rng_state=np.array("{not json"))
    char_rnn_resume_refused(run_script, tmp_path, edited, "rng_state")


def test_char_rnn_checkpoint_with_another_random_generator(run_script, tmp_path,
                                                           char_rnn_checkpoint):
    state = json.dumps(np.random.PCG64DXSM(1).state)
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "rng.npz",
                             rng_state=np.array(state))
    char_rnn_resume_refused(run_script, tmp_path, edited, "PCG64DXSM")


def test_char_rnn_checkpoint_with_a_word_for_iteration(run_script, tmp_path,
                                                       char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "iteration.npz",
                             iteration=np.array("three"))
    char_rnn_resume_refused(run_script, tmp_path, edited, "iteration")


def test_char_rnn_checkpoint_with_a_negative_position(run_script, tmp_path,
                                                      char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "position.npz",
                             position=np.array(-40))
    char_rnn_resume_refused(run_script, tmp_path, edited, "position")


def test_char_rnn_checkpoint_with_nan_weights(run_script, tmp_path, char_rnn_checkpoint):
    def with_nan(value):
        value = value.copy()
        value.flat[0] = np.nan
        return value

    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "nan.npz", Wxh=with_nan)
    char_rnn_resume_refused(run_script, tmp_path, edited, "Wxh", "NaN")


def test_char_rnn_checkpoint_with_a_wrongly_shaped_why(run_script, tmp_path,
                                                       char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "why.npz",
                             Why=lambda value: np.zeros((value.shape[0] + 1, value.shape[1])))
    char_rnn_resume_refused(run_script, tmp_path, edited, "Why", "shape")


def test_char_rnn_checkpoint_with_a_flat_whh(run_script, tmp_path, char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "whh.npz",
                             Whh=lambda value: value.ravel()[: value.shape[0]])
    char_rnn_resume_refused(run_script, tmp_path, edited, "Whh", "shape")


def test_char_rnn_checkpoint_missing_a_part(run_script, tmp_path, char_rnn_checkpoint):
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "part.npz", h_prev=None)
    char_rnn_resume_refused(run_script, tmp_path, edited, "h_prev")


def test_char_rnn_checkpoint_of_the_older_format(run_script, tmp_path, char_rnn_checkpoint):
    """Saved before the biases became rows: flat biases and state, no format mark."""
    flat = {name: (lambda value: value.ravel())
            for name in ("bh", "by", "memory_bh", "memory_by", "h_prev")}
    edited = char_rnn_edited(char_rnn_checkpoint, tmp_path / "old.npz", format=None, **flat)
    char_rnn_resume_refused(run_script, tmp_path, edited, "another version", "format",
                            "--resume")


def test_char_rnn_checkpoint_that_is_a_folder(run_script, tmp_path):
    (tmp_path / "folder.npz").mkdir()
    char_rnn_resume_refused(run_script, tmp_path, tmp_path / "folder.npz", "folder")


# Settings
@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_char_rnn_seed_out_of_range(run_script, tmp_path, seed):
    char_rnn_refused(run_script, tmp_path, "--seed", seed, words=("--seed", "4294967295"))


def test_char_rnn_largest_seed_runs(run_script, tmp_path):
    result = run_script("min_char_rnn", "--iters", "2", *CHAR_RNN_SMALL, "--seed",
                        str(2**32 - 1), *char_rnn_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "run.json").read_text())["iterations"] == 2


@pytest.mark.parametrize("setting", [["--lr", "nan"], ["--temperature", "inf"],
                                     ["--seq-len", "0"], ["--sample-every", "-5"]])
def test_char_rnn_nonsense_settings(run_script, tmp_path, setting):
    char_rnn_refused(run_script, tmp_path, *setting, words=(setting[0],))


def test_char_rnn_a_word_for_a_number(run_script, tmp_path):
    result = run_script("min_char_rnn", "--iters", "many", *char_rnn_outputs(tmp_path))
    assert_usage_error(result, "--iters")
    assert snapshot(tmp_path) == {}


# Outputs, checked before the text is read or anything trained
@pytest.mark.parametrize("flag", ["--checkpoint", "--book", "--json"])
def test_char_rnn_output_that_is_a_folder(run_script, tmp_path, flag):
    (tmp_path / "taken").mkdir()
    outputs = dict(zip(*[iter(char_rnn_outputs(tmp_path))] * 2, strict=True))
    outputs[flag] = tmp_path / "taken"
    args = [str(part) for pair in outputs.items() for part in pair]
    result = run_script("min_char_rnn", *args, timeout=60)
    assert_plain_error(result, flag, "folder")
    assert result.stdout == ""  # refused before the text was read
    assert snapshot(tmp_path) == {}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken"]


@pytest.mark.parametrize("flag", ["--checkpoint", "--book", "--json"])
def test_char_rnn_output_under_a_file(run_script, tmp_path, flag):
    (tmp_path / "plain.txt").write_text("a file, not a folder\n")
    outputs = dict(zip(*[iter(char_rnn_outputs(tmp_path))] * 2, strict=True))
    outputs[flag] = tmp_path / "plain.txt" / "inside" / "out"
    args = [str(part) for pair in outputs.items() for part in pair]
    before = snapshot(tmp_path)
    result = run_script("min_char_rnn", *args, timeout=60)
    assert_plain_error(result, flag, "plain.txt")
    assert result.stdout == ""
    assert snapshot(tmp_path) == before


def test_char_rnn_book_over_the_training_text(run_script, tmp_path):
    text = tmp_path / "poem.txt"
    text.write_text(CHAR_RNN_TEXT.read_text(encoding="utf-8")[:2000], encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_script("min_char_rnn", text, "--iters", "2", *CHAR_RNN_SMALL,
                        "--checkpoint", tmp_path / "c.npz", "--book", text)
    assert_plain_error(result, "--book", "poem.txt")
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_char_rnn_read_only_json(run_script, tmp_path):
    (tmp_path / "run.json").write_text("{}\n")
    (tmp_path / "run.json").chmod(0o444)
    char_rnn_refused(run_script, tmp_path, "--iters", "2", words=("--json", "read-only"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_char_rnn_read_only_folder(run_script, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = run_script("min_char_rnn", "--iters", "2", "--checkpoint", locked / "c.npz",
                        "--book", tmp_path / "b.txt")
    assert_plain_error(result, "--checkpoint", "locked")
    assert not (tmp_path / "b.txt").exists()


# A closed pipe, a loss that blows up, a write that was killed or fails
def char_rnn_piped(impl_dir, *args):
    """Run the script into `| head -n 1`: the reader goes away after the first line."""
    words = [sys.executable, impl_dir / "min_char_rnn.py", *args]
    command = " ".join(shlex.quote(str(word)) for word in words) + " | head -n 1"
    return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                          env=buffered_env())


def test_char_rnn_output_into_a_closed_pipe(impl_dir, tmp_path):
    result = char_rnn_piped(impl_dir, "--iters", "3000", "--hidden", "8", "--sample-every",
                            "100", *char_rnn_outputs(tmp_path))
    assert result.stdout.startswith("text:")
    assert result.stderr == ""


def test_char_rnn_help_into_a_closed_pipe(impl_dir):
    result = char_rnn_piped(impl_dir, "--help")
    assert result.stdout.startswith("usage:") and result.stderr == ""


def test_char_rnn_loss_that_blows_up(run_script, tmp_path, char_rnn_checkpoint):
    checkpoint = tmp_path / "c.npz"
    checkpoint.write_bytes(char_rnn_checkpoint.read_bytes())
    before = snapshot(tmp_path)
    result = run_script("min_char_rnn", CHAR_RNN_TEXT, "--iters", "50", *CHAR_RNN_SMALL,
                        "--lr", "1e308", "--resume", checkpoint, "--checkpoint", checkpoint,
                        "--book", tmp_path / "book.txt")
    assert_plain_error(result, "--lr", "c.npz")
    assert "Warning" not in result.stderr and "nan" not in result.stdout.lower()
    assert snapshot(tmp_path) == before


def test_char_rnn_half_files_of_a_killed_write_are_never_read_or_taken(run_script, tmp_path):
    """Each write has a temporary name of its own: what a killed run left is not in the way."""
    leftovers = {tmp_path / ".out.12345-0a1b2c3d.tmp.npz": b"half a file",
                 tmp_path / ".run.12345-0a1b2c3d.tmp.json": b"{half"}
    for leftover, data in leftovers.items():
        leftover.write_bytes(data)
    result = run_script("min_char_rnn", "--iters", "2", *CHAR_RNN_SMALL,
                        *char_rnn_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    assert all(leftover.read_bytes() == data for leftover, data in leftovers.items())
    made = sorted(path.name for path in tmp_path.iterdir() if path not in leftovers)
    assert made == ["book.txt", "out.npz", "run.json"]


def test_char_rnn_checkpoint_write_that_fails(load_script, monkeypatch, tmp_path):
    """A disk that fills up while the checkpoint is written: one sentence, nothing left."""
    def disk_full(file, **arrays):
        with open(file, "wb") as partial:
            partial.write(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    result = numpy_part_main(load_script("min_char_rnn"), CHAR_RNN_TEXT, "--iters", "2",
                             *CHAR_RNN_SMALL, *char_rnn_outputs(tmp_path))
    assert_plain_error(result, "out.npz", "No space left")
    assert snapshot(tmp_path) == {}


# Training text
def test_char_rnn_text_that_is_a_folder(run_script, tmp_path):
    (tmp_path / "poems").mkdir()
    char_rnn_refused(run_script, tmp_path, tmp_path / "poems", words=("poems", "folder"))


def test_char_rnn_text_of_random_bytes(run_script, tmp_path):
    (tmp_path / "noise.txt").write_bytes(np.random.default_rng(1).bytes(500))
    char_rnn_refused(run_script, tmp_path, tmp_path / "noise.txt", words=("UTF-8",))


# %% lstm.py and run_lstm.py
# Refused before Keras loads: a new Python each (under a second). Cases that need Keras (bad
# data, bad model files, numbers that blow up) call main() in this process, which loads Keras
# once. Outputs of runs that succeed go to a folder outside the snapshot.
LSTM_SEED_MAX = 2**32 - 1


@pytest.fixture(scope="module")
def lstm_runner(load_script):
    return load_script("run_lstm")


def lstm_csv(folder, rows, name="prices.csv", header="Date,Close"):
    """A CSV of `header` and rows (tuples), as a user's download would hold it."""
    path = folder / name
    lines = [header, *(",".join(map(str, row)) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lstm_days(count, start="2020-01-01"):
    import pandas as pd

    return [f"{day:%Y-%m-%d}" for day in pd.bdate_range(start, periods=count)]


def lstm_prices(count, level=100.0):

    return level * (2.0 + np.sin(np.arange(count) / 5.0))


def lstm_small_run(tmp_path_factory):
    """Flags for a tiny, fast run that writes its figures outside the snapshot."""
    out = tmp_path_factory.mktemp("out")
    return ["--seq-len", "5", "--epochs", "1", "--mode", "point", "--plot-dir", out]


@pytest.mark.parametrize("make, flag, words", [
    (lambda t: t / "folder.json", "--json", ["--json", "folder"]),
    (lambda t: t / "file.txt" / "out.json", "--json", ["--json", "file.txt", "is a file"]),
    (lambda t: t / "file.txt", "--plot-dir", ["--plot-dir", "is a file"]),
    (lambda t: t / "file.txt" / "figures", "--plot-dir", ["--plot-dir", "is a file"]),
    (lambda t: t / "folder.keras", "--save-model", ["--save-model", "folder"]),
    (lambda t: t / "file.txt" / "m.keras", "--save-model", ["--save-model", "is a file"]),
    (lambda t: t / "model.h5", "--save-model", ["--save-model", ".keras"]),
    (lambda t: t / "figs", "--plot-dir", ["--plot-dir", "sine_predictions.csv", "folder"]),
    (lambda t: t / "links", "--plot-dir", ["--plot-dir", "sine_loss.png", "workshop's own"]),
])
def test_lstm_outputs_checked_before_keras_loads(run_script, tmp_path, make, flag, words):
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "figs" / "sine_predictions.csv").mkdir(parents=True)  # where the CSV would go
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "sine_loss.png").symlink_to(REPO_ROOT / "run_lstm.py")
    (tmp_path / "file.txt").write_text("keep me\n", encoding="utf-8")
    before = snapshot(tmp_path)
    short = ["--epochs", "1", "--mode", "point"]  # in case the check fails: a short run
    result = run_script("run_lstm", "sine", *short, flag, make(tmp_path), cwd=tmp_path)
    assert_plain_error(result, *words)
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(__import__("os").geteuid() == 0,
                    reason="root writes to read-only files and folders")
@pytest.mark.parametrize("flag, target", [("--json", "out.json"), ("--save-model", "m.keras"),
                                          ("--plot-dir", "figures")])
def test_lstm_read_only_outputs(run_script, tmp_path, flag, target):
    path = tmp_path / target
    if target == "figures":
        path.mkdir()
        path.chmod(0o500)
    else:
        path.write_text("old\n", encoding="utf-8")
        path.chmod(0o400)
    before = snapshot(tmp_path)
    assert_plain_error(run_script("run_lstm", "sine", flag, path, cwd=tmp_path), flag)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args, words", [
    (["--seed", "-1"], ["--seed", str(LSTM_SEED_MAX)]),
    (["--seed", str(LSTM_SEED_MAX + 1)], ["--seed", str(LSTM_SEED_MAX)]),
    (["--train-frac", "nan"], ["--train-frac"]),
    (["--forecast", "-1"], ["--forecast"]),
    (["--epochs", "0"], ["--epochs", "--load-model"]),
    (["--load-model", "nowhere.keras"], ["nowhere.keras"]),
    (["sine", "--json", str(REPO_ROOT / "data" / "sinwave.csv")], ["--json", "same file as"]),
])
def test_lstm_nonsense_settings(run_script, tmp_path, args, words):
    before = snapshot(tmp_path)
    assert_plain_error(run_script("run_lstm", *args, cwd=tmp_path), *words)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args, words", [
    (["--mode", "sideways"], ["--mode"]),
    (["--epochs", "many"], ["--epochs"]),
    (["--symbol"], ["--symbol"]),
    (["--cell", "transformer"], ["--cell", "lstm"]),
])
def test_lstm_bad_flags_keep_argparse_format(run_script, tmp_path, args, words):
    assert_usage_error(run_script("run_lstm", *args, cwd=tmp_path), *words)


@pytest.mark.parametrize("script, args", [("run_lstm.py", ["--help"]), ("lstm.py", [])])
def test_lstm_output_into_a_closed_pipe_is_quiet(tmp_path, script, args):
    process = subprocess.Popen([sys.executable, str(REPO_ROOT / script), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                               env=buffered_env())
    process.stdout.close()  # the reader went away before the first line: `| head -0`
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


@pytest.mark.parametrize("rows, words, absent", [
    ([("2020-01-02", 10), ("2020-01-03", "-inf"), ("2020-01-06", 12)], ["-inf", "line 3"],
     []),
    ([("01/02/2020", 10)] + [(day, 11) for day in ("2020-01-03", "2020-01-06", "2020-01-07")],
     ["mixes", "01/02/2020", "2020-01-03"], ["cannot be read"]),
])
def test_lstm_misleading_data_messages(lstm_runner, capsys, tmp_path, rows, words, absent):
    csv = lstm_csv(tmp_path, rows)
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--json", tmp_path / "o.json")
    assert_plain_error(result, *words)
    for word in absent:
        assert word not in result.stderr
    assert snapshot(tmp_path) == before


def test_lstm_one_line_of_two_million_numbers(lstm_runner, capsys, tmp_path):
    csv = tmp_path / "long.csv"
    csv.write_text(",".join(str(i % 97 + 1) for i in range(2_000_000)), encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "2,000,000 numbers", "one number a line")
    assert len(result.stderr) < 400
    assert snapshot(tmp_path) == before


def lstm_stocks(folder, symbols=("MSFT", "AAPL", "GOOG"), days=80, column="symbol"):
    rows = [(symbol, day, price) for index, symbol in enumerate(symbols)
            for day, price in zip(lstm_days(days), lstm_prices(days, 10.0 * (index + 1)),
                                  strict=True)]
    return lstm_csv(folder, rows, "stocks.csv", f"{column},date,close")


@pytest.mark.parametrize("column", ["symbol", "Ticker", "Name"])
def test_lstm_several_stocks_need_a_choice(lstm_runner, capsys, tmp_path, column):
    csv = lstm_stocks(tmp_path, column=column)
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "3 stocks", "MSFT", "AAPL", "GOOG", "--symbol")
    assert snapshot(tmp_path) == before


def test_lstm_many_stocks_are_listed_briefly(lstm_runner, capsys, tmp_path):
    csv = lstm_stocks(tmp_path, [f"S{index:02d}" for index in range(30)], days=30)
    result = run_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "30 stocks", "S00", "--symbol")
    assert "S29" not in result.stderr


def test_lstm_symbol_picks_one_stock(lstm_runner, capsys, tmp_path, tmp_path_factory):
    csv = lstm_stocks(tmp_path)
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--symbol", "AAPL",
                             *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr
    assert "AAPL" in result.stdout and "80 rows" in result.stdout
    assert "Dropped" not in result.stdout
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("stocks, words", [(True, ["no rows", "ZZZZ", "AAPL"]),
                                           (False, ["--symbol", "no column"])])
def test_lstm_symbol_that_cannot_be_found(lstm_runner, capsys, tmp_path, stocks, words):
    csv = lstm_stocks(tmp_path) if stocks else lstm_csv(
        tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--symbol", "ZZZZ")
    assert_plain_error(result, *words)
    assert snapshot(tmp_path) == before


def test_lstm_repeated_dates_without_a_stock_column(lstm_runner, capsys, tmp_path,
                                                    tmp_path_factory):
    days = lstm_days(80)
    rows = list(zip(days, lstm_prices(80), strict=True)) + [(days[3], 5.0), (days[9], 6.0)]
    csv = lstm_csv(tmp_path, rows)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr
    assert "Dropped 2 rows" in result.stdout and "kept the last row" in result.stdout


def test_lstm_largest_seed(lstm_runner, capsys, tmp_path, tmp_path_factory):
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--seed", str(LSTM_SEED_MAX),
                             *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("level, flags, words", [
    (1e300, ["--no-normalise"], ["too large"]),  # beyond the network's 32-bit floats
    (1e30, ["--no-normalise"], ["loss"]),  # fits in 32 bits, but its square does not
    (1e300, [], ["too large"]),  # normalised it trains, but the errors cannot be squared
])
def test_lstm_numbers_that_blow_up(lstm_runner, capsys, tmp_path, tmp_path_factory, level,
                                   flags, words):

    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80, level), strict=True))
    before = snapshot(tmp_path)
    json_path = tmp_path / "out.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_in_process(lstm_runner, capsys, "--csv", csv, *flags, "--json", json_path,
                                 *lstm_small_run(tmp_path_factory))
    assert_plain_error(result, *words)
    assert "Test span" not in result.stdout and "Done" not in result.stdout  # no scores
    assert not [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert snapshot(tmp_path) == before


def lstm_saved_model(runner, capsys, folder, run_args, name="model.keras"):
    """A model trained and saved by run_lstm.py itself, in this process."""
    path = folder / name
    result = run_in_process(runner, capsys, *run_args, "--save-model", path)
    assert result.returncode == 0, result.stderr
    return path


def lstm_keras_file(folder, layers, name="model.keras"):
    import keras

    path = folder / name
    keras.Sequential(layers).save(path)
    return path


def lstm_bad_model(folder, name):
    """One kind of bad --load-model file, made in `folder`."""

    import keras

    path = folder / f"{name}.keras"
    if name == "empty":
        path.write_bytes(b"")
    elif name == "random":
        path.write_bytes(bytes(range(256)) * 8)
    elif name == "noconfig":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "not a model")
    elif name == "flat":
        lstm_keras_file(folder, [keras.Input((5,)), keras.layers.Dense(1)], path.name)
    elif name == "lambda":
        lstm_keras_file(folder, [keras.Input((5, 1)), keras.layers.Lambda(lambda x: x[:, -1])],
                        path.name)
    elif name == "truncated":
        good = lstm_keras_file(folder, [keras.Input((5, 1)), keras.layers.LSTM(2),
                                        keras.layers.Dense(1)], "good.keras")
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        good.unlink()
    elif name == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("name, words", [
    ("empty", ["empty"]), ("random", ["not a Keras model"]), ("noconfig", ["not a Keras model"]),
    ("flat", ["(steps, columns)"]), ("lambda", ["custom code"]), ("truncated", []),
    ("folder", ["folder"]),
])
def test_lstm_bad_model_files(lstm_runner, capsys, tmp_path, name, words):
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    path = lstm_bad_model(tmp_path, name)
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--load-model", path,
                             "--epochs", "0", "--seq-len", "5")
    assert_plain_error(result, path.name, *words)
    assert snapshot(tmp_path) == before


@pytest.fixture(scope="module")
def lstm_trained_pair(lstm_runner, tmp_path_factory):
    """A CSV of Close, Open and Volume; a model trained on Close,Volume; an edited copy of it
    whose saved window length (9) no longer matches the model's (5)."""

    folder = tmp_path_factory.mktemp("pair")
    rows = [(day, price, price / 2, 1000 + index) for index, (day, price)
            in enumerate(zip(lstm_days(80), lstm_prices(80), strict=True))]
    csv = lstm_csv(folder, rows, header="Date,Close,Open,Volume")
    small = lstm_small_run(tmp_path_factory)
    model = folder / "model.keras"
    assert lstm_runner.main([*map(str, ["--csv", csv, "--columns", "Close,Volume", *small,
                                        "--save-model", model])]) == 0
    edited = folder / "edited.keras"
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".json") and b'"seq_len"' in data:
                saved = json.loads(data)
                saved["seq_len"] = 9
                data = json.dumps(saved).encode()
            target.writestr(item, data)
    return folder, csv, small[-1]


@pytest.mark.parametrize("name, flags, words", [
    ("model", ["--columns", "Close,Open"], ["Close, Volume", "--columns"]),
    ("model", ["--seq-len", "8"], ["--seq-len", "5"]),
    ("edited", [], ["edited.keras", "9"]),
])
def test_lstm_model_for_other_columns_or_window_length(lstm_runner, capsys, lstm_trained_pair,
                                                        name, flags, words):
    folder, csv, out = lstm_trained_pair
    capsys.readouterr()  # the training run of the fixture
    before = snapshot(folder)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--load-model",
                             folder / f"{name}.keras", "--epochs", "0", "--mode", "point",
                             *flags, "--plot-dir", out)
    assert_plain_error(result, *words)
    assert snapshot(folder) == before


def test_lstm_model_with_nan_weights(lstm_runner, capsys, tmp_path, tmp_path_factory):
    import keras

    model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    model.layers[-1].set_weights([np.full((2, 1), np.nan), np.zeros(1)])
    path = tmp_path / "nan.keras"
    model.save(path)
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    before = snapshot(tmp_path)
    result = run_in_process(lstm_runner, capsys, "--csv", csv, "--load-model", path,
                             "--epochs", "0", "--seq-len", "5", "--mode", "point",
                             "--plot-dir", tmp_path_factory.mktemp("out"))
    assert_plain_error(result, "nan.keras", "predictions")
    assert snapshot(tmp_path) == before


def test_lstm_a_failed_save_keeps_the_old_model(lstm_runner, capsys, monkeypatch, tmp_path,
                                                 tmp_path_factory):
    """A disk that fills up while the model is saved: one sentence, the old model as it was,
    and a half file that a killed save left behind is never in the way."""
    import keras

    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    small = lstm_small_run(tmp_path_factory)
    model = lstm_saved_model(lstm_runner, capsys, tmp_path, ["--csv", csv, *small])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.keras", "prices.csv"]
    before = snapshot(tmp_path)

    def disk_full(self, path, *args, **options):
        with open(path, "wb") as partial:
            partial.write(b"PK half")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(keras.Model, "save", disk_full)
        result = run_in_process(lstm_runner, capsys, "--csv", csv, *small, "--save-model", model)
    assert_plain_error(result, "model.keras", "No space left")
    assert snapshot(tmp_path) == before
    leftover = tmp_path / ".model.12345-0a1b2c3d.tmp.keras"
    leftover.write_bytes(b"left by a killed save")
    lstm_saved_model(lstm_runner, capsys, tmp_path, ["--csv", csv, *small])
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        leftover.name, "model.keras", "prices.csv"]


def test_lstm_a_european_download_compressed_with_a_split(lstm_runner, capsys, tmp_path,
                                                         tmp_path_factory):
    """All at once, in one short run: gzip, a byte-order mark, semicolons and decimal commas,
    and a 4:1 split in Close that Adj Close corrects."""
    prices = lstm_prices(80)
    close = prices * np.where(np.arange(80) < 40, 4, 1)  # 4 new shares for 1 on day 40
    rows = [f"{day};{c:.2f};{a:.2f}".replace(".", ",")
            for day, c, a in zip(lstm_days(80), close, prices, strict=True)]
    text = "\n".join(["Date;Close;Adj Close", *rows]) + "\n"
    csv = tmp_path / "prices.csv.gz"
    csv.write_bytes(gzip.compress(text.encode("utf-8-sig")))
    result = run_in_process(lstm_runner, capsys, "--csv", csv, *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr
    assert "a stock split that Adj Close corrects; using Adj Close." in result.stdout
    assert "80 rows" in result.stdout


def test_lstm_py_without_arguments_describes_the_sp500(load_script, capsys):
    assert load_script("lstm").main([]) == 0
    assert "sp500.csv" in capsys.readouterr().out


# %% stubs/make_stubs.py, data/make_data.py and check_setup.py
def run_tool(path, *args, cwd=None, shell_tail=None):
    """Run a tool of the repo (a path to its file) as a command; `| head`-style with shell_tail."""
    command = [sys.executable, str(path), *map(str, args)]
    env = {**buffered_env(), "MPLBACKEND": "Agg"}
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
    (toy_repo / "rnn.py").write_text((toy_repo / "rnn.py").read_text(encoding="utf-8")
                                     + "# a later change\n", encoding="utf-8")
    before = snapshot(toy_repo)
    result = run_tool(toy_repo / "stubs" / "make_stubs.py", "--check")
    assert result.returncode == 1 and "out of date: stubs/rnn.py" in result.stdout
    assert "has your work, kept: stubs/lstm.py" in result.stdout  # an edited stub is work
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

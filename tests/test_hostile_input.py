"""Hostile input: missing, empty, corrupt and wrong-kind files, nonsense settings, bad outputs.

    python -m pytest -m dev tests/test_hostile_input.py

Every case builds its own files in a temporary folder, runs a script the way a careless or
unlucky user would, and checks three things: the exit status; where the run is refused, one
plain sentence on stderr and no traceback (or argparse's own usage format for a bad flag); and
that no file that existed before was changed or removed, and no new file was left behind.

These are slow developer tests (a new Python for most cases), left out of the plain
`python -m pytest`; CI runs them as a second step.
"""

import pytest

from conftest import REPO_ROOT, assert_plain_error, assert_usage_error, snapshot  # noqa: F401

pytestmark = pytest.mark.dev


# %% mlp.py


# %% rnn.py


# %% min_char_rnn.py
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

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
    char_rnn_resume_refused(run_script, tmp_path, edited, "older version", "--resume")


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
    return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)


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


def test_char_rnn_temporary_file_of_a_killed_write_is_cleared(run_script, tmp_path):
    leftovers = [tmp_path / ".out.npz.tmp", tmp_path / ".run.json.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a file")
    result = run_script("min_char_rnn", "--iters", "2", *CHAR_RNN_SMALL,
                        *char_rnn_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    assert not any(leftover.exists() for leftover in leftovers)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["book.txt", "out.npz",
                                                                "run.json"]


def test_char_rnn_checkpoint_write_that_fails(run_script, tmp_path):
    (tmp_path / ".out.npz.tmp").mkdir()  # the temporary name is taken: writing fails
    char_rnn_refused(run_script, tmp_path, "--iters", "2", *CHAR_RNN_SMALL,
                     words=("out.npz",))


# Training text
def test_char_rnn_text_that_is_a_folder(run_script, tmp_path):
    (tmp_path / "poems").mkdir()
    char_rnn_refused(run_script, tmp_path, tmp_path / "poems", words=("poems", "folder"))


def test_char_rnn_text_of_random_bytes(run_script, tmp_path):
    (tmp_path / "noise.txt").write_bytes(np.random.default_rng(1).bytes(500))
    char_rnn_refused(run_script, tmp_path, tmp_path / "noise.txt", words=("UTF-8",))


# %% lstm.py and run_lstm.py


# %% stubs/make_stubs.py, data/make_data.py and check_setup.py

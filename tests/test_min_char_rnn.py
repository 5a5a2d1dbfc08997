"""Tests for min_char_rnn.py: gradients, sampling, hidden state, checkpoints and bad input.

    python -m pytest tests/test_min_char_rnn.py                 # the solution
    python -m pytest --impl stubs tests/test_min_char_rnn.py    # your exercise version
"""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import reference_char_rnn

from conftest import REPO_ROOT, assert_plain_error

RHYMES = REPO_ROOT / "data" / "rhymes.txt"


@pytest.fixture(scope="module")
def char_rnn(load_script):
    return load_script("min_char_rnn")


def tiny_model(char_rnn, vocab_size=5, hidden_size=4, seq_length=6, seed=0):
    """Random weights big enough to make every gradient matter, a chunk and a state."""
    rng = np.random.default_rng(seed)
    params = char_rnn.init_params(vocab_size, hidden_size, rng)
    params = {name: rng.standard_normal(value.shape) * 0.5 for name, value in params.items()}
    inputs = rng.integers(0, vocab_size, seq_length)
    targets = rng.integers(0, vocab_size, seq_length)
    h_prev = rng.standard_normal(hidden_size) * 0.5
    return params, inputs, targets, h_prev


def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def rhymes_data(char_rnn):
    text = RHYMES.read_text(encoding="utf-8")
    vocabulary = char_rnn.build_vocabulary(text)
    return text, vocabulary, char_rnn.encode(text, vocabulary)


# Gradients and the reference ------------------------------------------------------------
def test_gradients_match_a_centred_numerical_gradient(char_rnn):
    params, inputs, targets, h_prev = tiny_model(char_rnn)
    _, grads, _ = char_rnn.loss_and_gradients(params, inputs, targets, h_prev)
    step = 1e-5
    for name, value in params.items():
        numerical = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + step
            plus = char_rnn.loss_and_gradients(params, inputs, targets, h_prev)[0]
            value[index] = saved - step
            minus = char_rnn.loss_and_gradients(params, inputs, targets, h_prev)[0]
            value[index] = saved
            numerical[index] = (plus - minus) / (2 * step)
        assert rel_error(grads[name], numerical) < 1e-6, name  # typically around 1e-9


def test_loss_gradients_and_state_equal_the_classic_reference(char_rnn):
    params, inputs, targets, h_prev = tiny_model(char_rnn, vocab_size=11, hidden_size=7,
                                                 seq_length=9, seed=3)
    loss, grads, h_last = char_rnn.loss_and_gradients(params, inputs, targets, h_prev)
    ref_loss, ref_grads, ref_h = reference_char_rnn.loss_and_gradients(
        params, inputs, targets, h_prev)
    assert abs(loss - ref_loss) < 1e-10
    np.testing.assert_allclose(h_last, ref_h, rtol=0, atol=1e-10)
    for name in params:
        assert grads[name].shape == params[name].shape, name
        np.testing.assert_allclose(grads[name], ref_grads[name], rtol=0, atol=1e-10)


def test_starting_loss_is_that_of_a_uniform_guess(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 100, 25, seed=0)
    inputs, targets, _, _ = char_rnn.next_chunk(data, 0, 25)
    loss, _, _ = char_rnn.loss_and_gradients(state.params, inputs, targets, state.h_prev)
    assert loss == pytest.approx(-np.log(1 / len(vocabulary)) * 25, rel=1e-3)


def test_loss_falls_over_a_few_hundred_seeded_iterations(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 100, 25, seed=0)
    losses = [char_rnn.train_step(state, data, 25, 0.1) for _ in range(400)]
    assert np.mean(losses[-50:]) < 0.8 * np.mean(losses[:50])


# Sampling -------------------------------------------------------------------------------
def test_same_seed_gives_the_same_samples(char_rnn):
    params, _, _, h = tiny_model(char_rnn, vocab_size=9, hidden_size=6)
    first, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(7))
    second, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(7))
    other, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(8))
    assert first == second
    assert first != other
    assert all(0 <= ix < 9 for ix in first)


def draws_at(char_rnn, temperature, count=400):
    rng = np.random.default_rng(0)
    params = char_rnn.init_params(20, 8, rng)
    params["Why"] = rng.standard_normal((8, 20))  # clear favourites, not a uniform guess
    h = rng.uniform(-1, 1, 8)
    favourite = int(np.argmax(h @ params["Why"] + params["by"]))
    draws = [char_rnn.draw_next_char(params, h, temperature, rng) for _ in range(count)]
    return np.array(draws), favourite


def test_low_temperature_picks_the_most_likely_character(char_rnn):
    draws, favourite = draws_at(char_rnn, 0.05)
    assert np.mean(draws == favourite) > 0.97


def test_high_temperature_spreads_the_choices(char_rnn):
    draws, favourite = draws_at(char_rnn, 5.0)
    assert np.mean(draws == favourite) < 0.3
    assert len(set(draws.tolist())) >= 15  # of 20 characters


def test_temperature_reaches_the_sampler(char_rnn, monkeypatch, tmp_path):
    seen = []
    original = char_rnn.draw_next_char

    def recording(params, h, temperature, rng):
        seen.append(temperature)
        return original(params, h, temperature, rng)

    monkeypatch.setattr(char_rnn, "draw_next_char", recording)
    args = char_rnn.parse_args([str(RHYMES), "--iters", "3", "--temperature", "0.37",
                                "--checkpoint", str(tmp_path / "c.npz"),
                                "--book", str(tmp_path / "book.txt")])
    char_rnn.run(args)
    assert len(seen) >= char_rnn.BOOK_LENGTH and set(seen) == {0.37}


# Hidden state ---------------------------------------------------------------------------
def test_hidden_state_is_carried_from_chunk_to_chunk(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 16, 10, seed=0)
    char_rnn.train_step(state, data, 10, 0.1)
    carried = state.h_prev.copy()
    assert np.abs(carried).max() > 0
    params = {name: value.copy() for name, value in state.params.items()}
    inputs, targets, _, _ = char_rnn.next_chunk(data, state.position, 10)
    expected, _, h_last = char_rnn.loss_and_gradients(params, inputs, targets, carried)
    assert char_rnn.train_step(state, data, 10, 0.1) == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(state.h_prev, h_last, atol=1e-12)


def test_hidden_state_is_reset_at_each_new_pass(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 16, 10, seed=0)
    state.h_prev = np.full(16, 0.5)  # a state left over from the end of the text
    state.position = len(data) - 5  # no room for another chunk: a new pass starts
    params = {name: value.copy() for name, value in state.params.items()}
    expected, _, _ = char_rnn.loss_and_gradients(params, data[:10], data[1:11], np.zeros(16))
    assert char_rnn.train_step(state, data, 10, 0.1) == pytest.approx(expected, abs=1e-12)
    assert state.position == 10


def test_hidden_state_is_never_reset_in_the_middle_of_generation(char_rnn):
    params, _, _, h = tiny_model(char_rnn, vocab_size=9, hidden_size=6)
    whole, h_end = char_rnn.sample(params, h, 40, 1.0, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    first, h_half = char_rnn.sample(params, h, 20, 1.0, rng)
    second, h_after = char_rnn.sample(params, h_half, 20, 1.0, rng)
    assert whole == first + second
    np.testing.assert_allclose(h_end, h_after)
    # the state after a character is one step of the recurrence from the state before it
    assert np.allclose(h_half, char_rnn.warm_up(params, h, first))


# The command line -----------------------------------------------------------------------
def output_paths(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder, ["--checkpoint", folder / "c.npz", "--book", folder / "book.txt",
                    "--json", folder / "run.json"]


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(run_script, tmp_path):
    whole, whole_args = output_paths(tmp_path, "whole")
    parts, parts_args = output_paths(tmp_path, "parts")
    common = [RHYMES, "--hidden", "32", "--sample-every", "40"]
    assert run_script("min_char_rnn", *common, "--iters", "120", *whole_args).returncode == 0
    first = run_script("min_char_rnn", *common, "--iters", "50", *parts_args)
    assert first.returncode == 0, first.stderr
    second = run_script("min_char_rnn", *common, "--iters", "70", "--resume",
                        parts / "c.npz", *parts_args)
    assert second.returncode == 0, second.stderr
    figures = [json.loads((folder / "run.json").read_text()) for folder in (whole, parts)]
    for key in ("iterations", "loss_per_char", "initial_loss_per_char", "real_word_rate"):
        assert figures[0][key] == figures[1][key], key
    assert figures[0]["iterations"] == 120
    assert (whole / "book.txt").read_text() == (parts / "book.txt").read_text()
    with np.load(whole / "c.npz") as a, np.load(parts / "c.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for name in a.files:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_default_outputs_and_json_keys(run_script, tmp_path):
    folder, paths = output_paths(tmp_path, "run")
    result = run_script("min_char_rnn", "--iters", "30", "--sample-every", "10", *paths)
    assert result.returncode == 0, result.stderr
    assert "expected for a uniform guess" in result.stdout
    figures = json.loads((folder / "run.json").read_text())
    assert set(figures) == {"iterations", "loss_per_char", "initial_loss_per_char",
                            "real_word_rate", "chars_per_second", "seconds"}
    assert 0 <= figures["real_word_rate"] <= 1
    book = (folder / "book.txt").read_text(encoding="utf-8")
    assert book.startswith("A NEW BOOK") and len(book) > 1000
    only_sample = run_script("min_char_rnn", "--iters", "0", "--resume", folder / "c.npz",
                             "--prime", "Hop, hop", *paths)
    assert only_sample.returncode == 0, only_sample.stderr
    assert "\n\nHop, hop" in (folder / "book.txt").read_text(encoding="utf-8")
    assert json.loads((folder / "run.json").read_text())["iterations"] == 30


def test_a_new_seed_on_resume_writes_a_new_book(run_script, tmp_path):
    folder, paths = output_paths(tmp_path, "run")
    assert run_script("min_char_rnn", "--iters", "30", "--hidden", "16", *paths).returncode == 0
    books = []
    for seed in ([], [], ["--seed", "5"]):
        again, again_paths = output_paths(tmp_path, f"again{len(books)}")
        result = run_script("min_char_rnn", "--iters", "0", "--hidden", "16", "--resume",
                            folder / "c.npz", *seed, *again_paths)
        assert result.returncode == 0, result.stderr
        books.append((again / "book.txt").read_text(encoding="utf-8"))
    assert books[0] == books[1] == (folder / "book.txt").read_text(encoding="utf-8")
    assert books[2] != books[0]


def test_ctrl_c_saves_the_checkpoint_and_still_writes_the_book(impl_dir, tmp_path):
    command = [sys.executable, str(impl_dir / "min_char_rnn.py"), str(RHYMES), "--iters",
               "10000000", "--sample-every", "200", "--checkpoint", str(tmp_path / "c.npz"),
               "--book", str(tmp_path / "book.txt")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if (tmp_path / "c.npz").exists():  # training is under way: the first save happened
            break
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "Ctrl-C" in stdout
    assert (tmp_path / "book.txt").read_text(encoding="utf-8").startswith("A NEW BOOK")
    with np.load(tmp_path / "c.npz") as checkpoint:
        assert int(checkpoint["iteration"]) >= 200


# Bad input ------------------------------------------------------------------------------
def assert_nothing_written(folder, *allowed):
    assert sorted(path.name for path in folder.iterdir()) == sorted(allowed)


def bad_run(run_script, tmp_path, *args):
    return run_script("min_char_rnn", *args, "--checkpoint", tmp_path / "c.npz",
                      "--book", tmp_path / "book.txt", "--json", tmp_path / "run.json")


def test_missing_file(run_script, tmp_path):
    assert_plain_error(bad_run(run_script, tmp_path, tmp_path / "nope.txt"), "no text file")
    assert_nothing_written(tmp_path)


def test_empty_file(run_script, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert_plain_error(bad_run(run_script, tmp_path, tmp_path / "empty.txt"), "empty")
    assert_nothing_written(tmp_path, "empty.txt")


def test_file_that_is_not_utf8(run_script, tmp_path):
    (tmp_path / "latin.txt").write_bytes("caf\u00e9 na\u00efve ".encode("latin-1") * 20)
    assert_plain_error(bad_run(run_script, tmp_path, tmp_path / "latin.txt"), "UTF-8")
    assert_nothing_written(tmp_path, "latin.txt")


def test_text_shorter_than_one_chunk(run_script, tmp_path):
    (tmp_path / "short.txt").write_text("A short one.\n")
    assert_plain_error(bad_run(run_script, tmp_path, tmp_path / "short.txt"), "--seq-len")
    assert_nothing_written(tmp_path, "short.txt")


def test_iters_zero_needs_resume(run_script, tmp_path):
    assert_plain_error(bad_run(run_script, tmp_path, "--iters", "0"), "--iters", "--resume")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("setting", [["--lr", "0"], ["--temperature", "-1"],
                                     ["--hidden", "0"], ["--iters", "-3"]])
def test_nonsense_settings(run_script, tmp_path, setting):
    assert_plain_error(bad_run(run_script, tmp_path, *setting), setting[0])
    assert_nothing_written(tmp_path)


def test_checkpoint_that_does_not_match(run_script, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("a completely different text with another set of letters, " * 5)
    trained = run_script("min_char_rnn", other, "--iters", "5", "--hidden", "8",
                         "--checkpoint", tmp_path / "old.npz", "--book", tmp_path / "b.txt")
    assert trained.returncode == 0, trained.stderr
    before = sorted(path.name for path in tmp_path.iterdir())
    wrong_text = bad_run(run_script, tmp_path, RHYMES, "--hidden", "8", "--resume",
                         tmp_path / "old.npz")
    assert_plain_error(wrong_text, "vocabulary")
    wrong_size = bad_run(run_script, tmp_path, other, "--resume", tmp_path / "old.npz")
    assert_plain_error(wrong_size, "hidden size", "--hidden 8")
    (tmp_path / "junk.npz").write_text("not a checkpoint")
    junk = bad_run(run_script, tmp_path, other, "--resume", tmp_path / "junk.npz")
    assert_plain_error(junk, "checkpoint")
    assert_nothing_written(tmp_path, *before, "junk.npz")


def test_loss_that_blows_up_stops_with_a_plain_sentence(run_script, tmp_path):
    good = run_script("min_char_rnn", "--iters", "5", "--hidden", "8", "--checkpoint",
                      tmp_path / "c.npz", "--book", tmp_path / "book.txt")
    assert good.returncode == 0, good.stderr
    saved = (tmp_path / "c.npz").read_bytes()
    result = run_script("min_char_rnn", "--iters", "50", "--hidden", "8", "--lr", "100",
                        "--resume", tmp_path / "c.npz", "--checkpoint", tmp_path / "c.npz",
                        "--book", tmp_path / "new.txt")
    assert_plain_error(result, "learning rate", "--lr")
    assert (tmp_path / "c.npz").read_bytes() == saved  # the last good checkpoint is kept
    assert_nothing_written(tmp_path, "c.npz", "book.txt")

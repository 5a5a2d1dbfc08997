"""Tests for min_char_rnn.py: gradients, sampling, hidden state, checkpoints and bad input.

    python -m pytest tests/test_min_char_rnn.py                 # the solution
    python -m pytest --impl stubs tests/test_min_char_rnn.py    # your exercise version

The exercises are `backward` and `draw_next_char`. When a gradient is wrong, the message lists
every wrong one, output side first, with a hint where it recognises the mistake.
"""

import io
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import reference_char_rnn
from tutor import check_gradients, rel_error

from conftest import REPO_ROOT, run_in_process

RHYMES = REPO_ROOT / "data" / "rhymes.txt"
OUTPUT_SIDE_FIRST = ("Why", "by", "Whh", "bh", "Wxh")


@pytest.fixture(scope="module")
def char_rnn(load_script):
    return load_script("min_char_rnn")


def tiny_model(char_rnn, vocab_size=5, hidden=4, seq_len=6, seed=0):
    """Random weights and biases big enough to make every gradient matter, a chunk (with
    characters read more than once) and a state that is not zero."""
    rng = np.random.default_rng(seed)
    params = char_rnn.init_params(vocab_size, hidden, vocab_size, rng)
    params = {name: rng.standard_normal(value.shape) * 0.5 for name, value in params.items()}
    X = rng.integers(0, vocab_size, seq_len)
    targets = rng.integers(0, vocab_size, seq_len)
    h_prev = rng.standard_normal((1, hidden)) * 0.5
    return params, X, targets, h_prev


def chunk_loss(char_rnn, X, targets, params, h_prev):
    """The chunk's cross-entropy from forward alone (nats, summed over the steps)."""
    probs, _ = char_rnn.forward(X, params, h_prev)
    return -np.log(probs[np.arange(len(targets)), targets]).sum()


def numerical_gradients(char_rnn, X, targets, params, h_prev, step=1e-5):
    """Centred differences of the loss, one weight at a time (expected error about 1e-9)."""
    numerical = {}
    for name, value in params.items():
        numerical[name] = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + step
            plus = chunk_loss(char_rnn, X, targets, params, h_prev)
            value[index] = saved - step
            minus = chunk_loss(char_rnn, X, targets, params, h_prev)
            value[index] = saved
            numerical[name][index] = (plus - minus) / (2 * step)
    return numerical


def with_mistake(X, targets, params, h_prev, hs, probs, mistake):
    """The gradients a backward pass with one common mistake computes (for the hints)."""
    dlogits = probs.copy()
    if mistake != "no minus one":
        dlogits[np.arange(len(X)), targets] -= 1
    dhs = dlogits @ params["Why"].T
    dz, dh_next = np.zeros_like(hs), np.zeros(hs.shape[1])
    for t in reversed(range(len(X))):
        dh = dhs[t] + (0 if mistake == "no next step" else dh_next)
        tanh_grad = {"no tanh": 1, "tanh of tanh": 1 - np.tanh(hs[t]) ** 2}.get(
            mistake, 1 - hs[t] * hs[t])
        dz[t] = tanh_grad * dh
        dh_next = dz[t] @ (params["Whh"] if mistake == "Whh not transposed" else params["Whh"].T)
    h_before = hs if mistake == "state after" else np.vstack([h_prev, hs[:-1]])
    dWxh = np.zeros_like(params["Wxh"])
    if mistake == "repeats added once":
        dWxh[X] += dz  # a repeated index of X is written once: only one of its rows counts
    else:
        np.add.at(dWxh, X, dz)
    return {"Wxh": dWxh, "Whh": h_before.T @ dz, "bh": dz.sum(axis=0, keepdims=True),
            "Why": hs.T @ dlogits, "by": dlogits.sum(axis=0, keepdims=True)}


MISTAKES = {  # what a hint says: the mistake with_mistake() makes
    "no next step": "the term from the next time step is missing: at step t, add what step "
    "t+1 sent back (zeros after the last step) to what step t's own output sent back",
    "no minus one": "the output error needs 1 taken off the probability of each step's "
    "target character (softmax with cross-entropy)",
    "no tanh": "the tanh's derivative is missing: multiply by 1 - hs[t] * hs[t] on the way "
    "back through each step",
    "tanh of tanh": "hs already holds tanh's output, so the derivative is 1 - hs[t] * hs[t], "
    "not 1 - tanh(hs[t])**2",
    "Whh not transposed": "what step t sends back to step t-1 is its result @ Whh.T (Whh "
    "transposed)",
    "state after": "dWhh pairs each step's result with the state that step started from "
    "(h_prev for the first step, then hs[t - 1]), not the state it made",
    "repeats added once": "a character read twice must add to its row of dWxh twice, but "
    "dWxh[X] += dz adds only one of those rows when X repeats a character (numpy writes each "
    "index once); np.add.at(dWxh, X, dz) adds every one",
}


def mistakes_of(X, targets, params, h_prev, hs, probs):
    return {hint: with_mistake(X, targets, params, h_prev, hs, probs, mistake)
            for mistake, hint in MISTAKES.items()}


# %% The exercise `backward` ---------------------------------------------------------------
@pytest.mark.exercise("min_char_rnn.backward")
def test_every_gradient_matches_a_numerical_gradient(char_rnn):
    params, X, targets, h_prev = tiny_model(char_rnn)
    probs, cache = char_rnn.forward(X, params, h_prev)
    hs = cache[2]
    grads = char_rnn.backward(targets, cache, params)
    numerical = numerical_gradients(char_rnn, X, targets, params, h_prev)
    check_gradients(grads, numerical, OUTPUT_SIDE_FIRST,  # relative error typically 1e-9
                    mistakes=mistakes_of(X, targets, params, h_prev, hs, probs))


@pytest.mark.exercise("min_char_rnn.backward")
def test_backward_leaves_its_inputs_alone(char_rnn):
    params, X, targets, h_prev = tiny_model(char_rnn)
    probs, cache = char_rnn.forward(X, params, h_prev)
    hs = cache[2]
    saved = {"probs": probs.copy(), "hs": hs.copy(), "h_prev": h_prev.copy(),
             **{name: value.copy() for name, value in params.items()}}
    char_rnn.backward(targets, cache, params)
    now = {"probs": probs, "hs": hs, "h_prev": h_prev, **params}
    changed = [name for name, value in saved.items() if not np.array_equal(value, now[name])]
    assert not changed, f"backward changed {', '.join(changed)}: work on a copy (probs.copy())"


@pytest.mark.exercise("min_char_rnn.backward")
def test_gradients_equal_the_classic_reference(char_rnn):
    params, X, targets, h_prev = tiny_model(char_rnn, vocab_size=11, hidden=7, seq_len=9,
                                            seed=3)
    loss, grads, h_last = char_rnn.loss_and_gradients(X, targets, params, h_prev)
    ref_loss, ref_grads, ref_h = reference_char_rnn.loss_and_gradients(X, targets, params,
                                                                       h_prev)
    assert abs(loss - ref_loss) < 1e-10
    np.testing.assert_allclose(h_last, ref_h, rtol=0, atol=1e-10)
    check_gradients(grads, {name[1:]: grad for name, grad in ref_grads.items()},
                    OUTPUT_SIDE_FIRST, tolerance=1e-8)


@pytest.mark.exercise("min_char_rnn.backward")
def test_interface_names_and_shapes(char_rnn):
    params = char_rnn.init_params(3, 5, 2, np.random.default_rng(0))
    shapes = {"Wxh": (3, 5), "Whh": (5, 5), "bh": (1, 5), "Why": (5, 2), "by": (1, 2)}
    assert {name: value.shape for name, value in params.items()} == shapes
    X, targets, h_prev = np.array([0, 2, 1, 2]), np.array([1, 0, 0, 1]), np.zeros((1, 5))
    probs, cache = char_rnn.forward(X, params, h_prev)
    assert cache[2].shape == (4, 5) and probs.shape == (4, 2)
    grads = char_rnn.backward(targets, cache, params)
    assert sorted(grads) == sorted("d" + name for name in shapes), sorted(grads)
    for name, shape in shapes.items():
        assert np.shape(grads["d" + name]) == shape, (
            f"d{name} has shape {np.shape(grads['d' + name])}, but {name} has shape {shape}")


@pytest.mark.exercise("min_char_rnn.backward")
def test_loss_falls_over_a_few_hundred_seeded_iterations(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 100, 25, seed=0)
    losses = [char_rnn.train_step(state, data, 25, 0.1) for _ in range(400)]
    assert np.mean(losses[-50:]) < 0.8 * np.mean(losses[:50])


# %% The exercise `draw_next_char` ---------------------------------------------------------
class RecordingRng:
    """Stands in for a numpy Generator: records what `choice` is asked, draws index 0."""

    def __init__(self):
        self.calls = []

    def choice(self, a, size=None, replace=True, p=None):
        self.calls.append((a, p))
        return 0 if size is None else np.zeros(size, dtype=int)


def sampling_case(char_rnn, temperature):
    rng = np.random.default_rng(4)
    params = char_rnn.init_params(7, 5, 7, rng)
    params = {name: rng.standard_normal(value.shape) for name, value in params.items()}
    h = np.tanh(rng.standard_normal((1, 5)))
    return params, h


def softmax(scores):
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()


def reference_probabilities(params, h, temperature):
    """The test's own probabilities for the next character (kept out of the tests' code, which
    a long report shows)."""
    return softmax((h @ params["Why"] + params["by"])[0] / temperature)


def reference_draws(params, h, temperature, seed, count):
    """The draws that rng.choice makes from those probabilities with a seed."""
    rng, probs = np.random.default_rng(seed), reference_probabilities(params, h, temperature)
    return [int(rng.choice(len(probs), p=probs)) for _ in range(count)]


def sampling_hint(p, params, h, temperature):
    """What the probabilities given to rng.choice suggest is wrong, or ''."""
    scores = (h @ params["Why"] + params["by"])[0]
    guesses = {
        "the temperature is not used: divide the scores by it before the softmax":
            softmax(scores),
        "the scores are multiplied by the temperature: divide them by it instead":
            softmax(scores * temperature),
        "the output bias by is missing from the scores": softmax((h @ params["Why"])[0]
                                                                 / temperature),
        "the probabilities are not normalised: divide the exps by their sum":
            np.exp(scores / temperature - (scores / temperature).max()),
    }
    for hint, wrong in guesses.items():
        if p.shape == wrong.shape and np.allclose(p, wrong, rtol=1e-9, atol=0):
            return hint
    return "compare with softmax((h @ Why + by) / temperature)"


@pytest.mark.exercise("min_char_rnn.draw_next_char")
@pytest.mark.parametrize("temperature", [0.5, 2.0])
def test_sampling_draws_from_the_softmax_of_the_scores_over_the_temperature(char_rnn,
                                                                           temperature):
    params, h = sampling_case(char_rnn, temperature)
    rng = RecordingRng()
    drawn = char_rnn.draw_next_char(params, h, temperature, rng)
    assert len(rng.calls) == 1, ("draw with the rng you are given, once: rng.choice(number of "
                                 "characters, p=probabilities)")
    a, p = rng.calls[0]
    assert p is not None, "pass the probabilities to rng.choice as p=..."
    n = a if isinstance(a, int | np.integer) else len(a)
    assert n == 7, f"rng.choice should choose among the 7 characters (the width of Why), not {n}"
    p = np.asarray(p)
    assert p.shape == (7,), (f"p has shape {p.shape}: give rng.choice a flat array of 7 "
                             "probabilities (row 0 of softmax_rows's result)")
    expected = reference_probabilities(params, h, temperature)
    assert rel_error(p, expected) < 1e-9, sampling_hint(p, params, h, temperature)
    assert isinstance(drawn, int), f"return the index as an int, not {type(drawn).__name__}"


@pytest.mark.exercise("min_char_rnn.draw_next_char")
def test_a_seed_gives_the_draws_of_rng_choice(char_rnn):
    """Exactly the draws of rng.choice(characters, p=...), so a seed gives the README's book."""
    params, h = sampling_case(char_rnn, 1.0)
    expected = reference_draws(params, h, 0.7, seed=9, count=200)
    rng = np.random.default_rng(9)
    drawn = [char_rnn.draw_next_char(params, h, 0.7, rng) for _ in range(200)]
    assert drawn == expected, ("with the same seed, your draws differ from those of "
                               "rng.choice(number of characters, p=probabilities): use that call")


def draws_at(char_rnn, temperature, count=400):
    rng = np.random.default_rng(0)
    params = char_rnn.init_params(20, 8, 20, rng)
    params["Why"] = rng.standard_normal((8, 20))  # clear favourites, not a uniform guess
    h = rng.uniform(-1, 1, (1, 8))
    favourite = int(np.argmax(h @ params["Why"] + params["by"]))
    draws = [char_rnn.draw_next_char(params, h, temperature, rng) for _ in range(count)]
    return np.array(draws), favourite


@pytest.mark.exercise("min_char_rnn.draw_next_char")
def test_low_temperature_picks_the_most_likely_character(char_rnn):
    draws, favourite = draws_at(char_rnn, 0.05)
    assert np.mean(draws == favourite) > 0.97


@pytest.mark.exercise("min_char_rnn.draw_next_char")
def test_high_temperature_spreads_the_choices(char_rnn):
    draws, favourite = draws_at(char_rnn, 5.0)
    assert np.mean(draws == favourite) < 0.3
    assert len(set(draws.tolist())) >= 15  # of 20 characters


@pytest.mark.exercise("min_char_rnn.draw_next_char")
def test_same_seed_gives_the_same_samples(char_rnn):
    params, _, _, h = tiny_model(char_rnn, vocab_size=9, hidden=6)
    first, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(7))
    second, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(7))
    other, _ = char_rnn.sample(params, h, 50, 1.0, np.random.default_rng(8))
    assert first == second
    assert first != other
    assert all(0 <= ix < 9 for ix in first)


@pytest.mark.exercise("min_char_rnn.draw_next_char")
def test_hidden_state_is_never_reset_in_the_middle_of_generation(char_rnn):
    params, _, _, h = tiny_model(char_rnn, vocab_size=9, hidden=6)
    whole, h_end = char_rnn.sample(params, h, 40, 1.0, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    first, h_half = char_rnn.sample(params, h, 20, 1.0, rng)
    second, h_after = char_rnn.sample(params, h_half, 20, 1.0, rng)
    assert whole == first + second
    np.testing.assert_allclose(h_end, h_after)
    # the state after a character is one step of the recurrence from the state before it
    assert np.allclose(h_half, char_rnn.warm_up(params, h, first))


# %% The model around the exercises --------------------------------------------------------
def rhymes_data(char_rnn):
    text = RHYMES.read_text(encoding="utf-8")
    vocabulary = char_rnn.build_vocabulary(text)
    return text, vocabulary, char_rnn.encode(text, vocabulary)


def test_starting_loss_is_that_of_a_uniform_guess(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), char_rnn.HIDDEN, char_rnn.SEQ_LEN, seed=0)
    X, targets, _, _ = char_rnn.next_chunk(data, 0, char_rnn.SEQ_LEN)
    loss = chunk_loss(char_rnn, X, targets, state.params, state.h_prev)
    assert loss == pytest.approx(-np.log(1 / len(vocabulary)) * char_rnn.SEQ_LEN, rel=1e-3)


def test_hidden_step_is_one_step_of_forward(char_rnn):
    params, X, _, h_prev = tiny_model(char_rnn)
    _, (_, _, hs, _) = char_rnn.forward(X, params, h_prev)
    h = h_prev
    for t, ix in enumerate(X):
        h = char_rnn.hidden_step(params, h, ix)
        np.testing.assert_allclose(h, hs[t:t + 1], rtol=1e-12, atol=1e-15)


def test_update_is_adagrad_and_changes_none_of_its_inputs(char_rnn):
    rng = np.random.default_rng(1)
    params = char_rnn.init_params(4, 3, 4, rng)
    grads = {"d" + name: rng.standard_normal(value.shape) for name, value in params.items()}
    memory = {name: rng.random(value.shape) for name, value in params.items()}
    saved = [{name: value.copy() for name, value in d.items()} for d in (params, grads, memory)]
    new_params, new_memory = char_rnn.update(params, grads, memory, 0.1)
    for before, after in zip(saved, (params, grads, memory), strict=True):
        for name in before:
            assert np.array_equal(before[name], after[name]), f"update changed its input {name}"
    for name, param in params.items():
        grad, mem = grads["d" + name], memory[name] + grads["d" + name] ** 2
        assert np.allclose(new_memory[name], mem), f"the new memory of {name} is off"
        assert np.allclose(new_params[name], param - 0.1 * grad / np.sqrt(mem + 1e-8)), \
            f"the new {name} is off"
    arrays = list(new_memory.values()) + list(new_params.values())
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_a_fresh_state_has_no_shared_memory(char_rnn):
    state = char_rnn.new_state(6, 4, 5, seed=0)
    arrays = list(state.memory.values()) + list(state.params.values())
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_copied_line_rate_counts_long_lines_found_in_the_text(char_rnn):
    text = "The Zibble sat upon the hill,\nand there he sits and sits there still.\n"
    book = ("The Zibble sat upon the hill,\n  short line \nThe Zibble sat upon a pill,\n"
            "  and there he sits  \n")
    # 3 lines of 15+ characters once stripped; the first is in the text, and so is the last
    # (inside a longer line); the short one does not count
    assert char_rnn.copied_line_rate(book, text) == pytest.approx(2 / 3)
    assert char_rnn.copied_line_rate("short\nlines\n", text) == 0.0


@pytest.mark.exercise("min_char_rnn.backward")
def test_the_cells_above_the_plumbing_train_a_network_on_their_own(char_rnn):
    """Story first, plumbing last: run cell by cell, as an instructor does, the cells above
    `# %% Plumbing` hold the whole lesson, and a network trained with them alone learns."""
    source = Path(char_rnn.__file__).read_text(encoding="utf-8")
    lesson, plumbing_cell = source.split("\n# %% Plumbing", 1)
    assert plumbing_cell.strip(), "the script ends with its Plumbing cell"
    cells = {"__name__": "lesson", "__file__": char_rnn.__file__}
    exec(compile(lesson, char_rnn.__file__, "exec"), cells)
    params = cells["init_params"](4, 8, 4, np.random.default_rng(0))
    memory = {name: np.zeros_like(value) for name, value in params.items()}
    X, targets = np.array([0, 1, 2, 3, 0, 1]), np.array([1, 2, 3, 0, 1, 2])  # "abcdab" -> "bcdabc"
    h_prev, losses = np.zeros((1, 8)), []
    for _ in range(30):
        loss, grads, _ = cells["loss_and_gradients"](X, targets, params, h_prev)
        params, memory = cells["update"](params, cells["clip_gradients"](grads), memory, 0.1)
        losses.append(loss)
    assert losses[-1] < losses[0] / 2, losses
    assert "main" not in cells, "the command line belongs to the Plumbing cell, after the lesson"
    for name in ("HIDDEN", "SEQ_LEN", "LEARNING_RATE", "ITERATIONS", "SEED"):
        assert isinstance(getattr(char_rnn, name), int | float), name


# %% Training: the hidden state across chunks ----------------------------------------------
@pytest.mark.exercise("min_char_rnn.backward")
def test_hidden_state_is_carried_from_chunk_to_chunk(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 16, 10, seed=0)
    char_rnn.train_step(state, data, 10, 0.1)
    carried = state.h_prev.copy()
    assert carried.shape == (1, 16) and np.abs(carried).max() > 0
    params = {name: value.copy() for name, value in state.params.items()}
    X, targets, _, _ = char_rnn.next_chunk(data, state.position, 10)
    expected, _, h_last = char_rnn.loss_and_gradients(X, targets, params, carried)
    assert char_rnn.train_step(state, data, 10, 0.1) == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(state.h_prev, h_last, atol=1e-12)


@pytest.mark.exercise("min_char_rnn.backward")
def test_hidden_state_is_reset_at_each_new_pass(char_rnn):
    _, vocabulary, data = rhymes_data(char_rnn)
    state = char_rnn.new_state(len(vocabulary), 16, 10, seed=0)
    state.h_prev = np.full((1, 16), 0.5)  # a state left over from the end of the text
    state.position = len(data) - 5  # no room for another chunk: a new pass starts
    params = {name: value.copy() for name, value in state.params.items()}
    expected = chunk_loss(char_rnn, data[:10], data[1:11], params, np.zeros((1, 16)))
    assert char_rnn.train_step(state, data, 10, 0.1) == pytest.approx(expected, abs=1e-12)
    assert state.position == 10


# %% The command line, in this process -----------------------------------------------------
# Every run below names its text and its settings, so that edits to the Settings cell of the
# script under test (ITERATIONS, TEMPERATURE, TEXT, ...) change nothing here.
SETTINGS = ["--hidden", "16", "--seq-len", "25", "--lr", "0.1", "--temperature", "0.3",
            "--sample-every", "1000"]


def run_main(char_rnn, capsys, *args):
    """main() with these arguments; returns (exit status, stdout, stderr)."""
    result = run_in_process(char_rnn, capsys, *args)
    return result.returncode, result.stdout, result.stderr


def train_run(char_rnn, capsys, *args, text=RHYMES):
    """A run of `text` with the SETTINGS above; later flags in `args` win."""
    return run_main(char_rnn, capsys, text, *SETTINGS, *args)


def outputs(folder):
    folder.mkdir(exist_ok=True)
    return ["--checkpoint", folder / "c.npz", "--book", folder / "book.txt",
            "--json", folder / "run.json"]


def plain_error(result, *words):
    """Exit status 2 and one sentence on stderr that holds `words`."""
    status, _, err = result
    assert status == 2, result
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word.lower() in err.lower(), (word, err)


TRAINING = [pytest.mark.exercise("min_char_rnn.backward"),
            pytest.mark.exercise("min_char_rnn.draw_next_char")]


def training_test(function):
    """A test that trains and writes a book: it needs both exercises."""
    for mark in TRAINING:
        function = mark(function)
    return function


@training_test
def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(char_rnn, capsys, tmp_path):
    common = ["--hidden", "32", "--sample-every", "40", "--seed", "0"]
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert train_run(char_rnn, capsys, *common, "--iters", "120", *outputs(whole))[0] == 0
    assert train_run(char_rnn, capsys, *common, "--iters", "50", *outputs(parts))[0] == 0
    resumed = train_run(char_rnn, capsys, "--hidden", "32", "--sample-every", "40", "--iters",
                        "70", "--resume", parts / "c.npz", *outputs(parts))
    assert resumed[0] == 0, resumed
    figures = [json.loads((folder / "run.json").read_text()) for folder in (whole, parts)]
    for key in ("iterations", "loss_per_char", "initial_loss_per_char", "real_word_rate",
                "copied_line_rate"):
        assert figures[0][key] == figures[1][key], key
    assert figures[0]["iterations"] == 120
    assert (whole / "book.txt").read_text() == (parts / "book.txt").read_text()
    with np.load(whole / "c.npz") as a, np.load(parts / "c.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for name in set(a.files) - {"settings"}:  # its "seed" is the Settings cell's on resume
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@training_test
def test_outputs_json_keys_and_a_book_from_a_checkpoint(char_rnn, capsys, tmp_path):
    folder = tmp_path / "run"
    status, out, _ = train_run(char_rnn, capsys, "--iters", "30", "--sample-every", "10",
                               *outputs(folder))
    assert status == 0
    assert "expected for a uniform guess" in out and "copied lines" in out
    figures = json.loads((folder / "run.json").read_text())
    assert set(figures) == {"iterations", "loss_per_char", "initial_loss_per_char",
                            "real_word_rate", "copied_line_rate", "chars_per_second", "seconds",
                            "ngram_nats"}
    assert "character trigram model" in out and figures["ngram_nats"] > 0
    assert 0 <= figures["real_word_rate"] <= 1 and 0 <= figures["copied_line_rate"] <= 1
    book = (folder / "book.txt").read_text(encoding="utf-8")
    assert book.startswith("A NEW BOOK") and len(book) > char_rnn.BOOK_LENGTH
    again = train_run(char_rnn, capsys, "--iters", "0", "--resume", folder / "c.npz",
                      "--prime", "Hop, hop", *outputs(folder))
    assert again[0] == 0, again
    assert "\n\nHop, hop" in (folder / "book.txt").read_text(encoding="utf-8")
    assert json.loads((folder / "run.json").read_text())["iterations"] == 30


@training_test
def test_a_new_seed_on_resume_writes_a_new_book(char_rnn, capsys, tmp_path):
    first = tmp_path / "first"
    assert train_run(char_rnn, capsys, "--iters", "30", "--seed", "0", *outputs(first))[0] == 0
    books = []
    for index, seed in enumerate(([], [], ["--seed", "5"])):
        again = tmp_path / f"again{index}"
        result = train_run(char_rnn, capsys, "--iters", "0", "--resume", first / "c.npz",
                           *seed, *outputs(again))
        assert result[0] == 0, result
        books.append((again / "book.txt").read_text(encoding="utf-8"))
    assert books[0] == books[1] == (first / "book.txt").read_text(encoding="utf-8")
    assert books[2] != books[0]


@training_test
def test_resuming_with_another_seq_len_keeps_the_loss_per_character(char_rnn, capsys,
                                                                     tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert train_run(char_rnn, capsys, "--iters", "60", *outputs(first))[0] == 0
    status, out, _ = train_run(char_rnn, capsys, "--iters", "0", "--seq-len", "10",
                               "--resume", first / "c.npz", *outputs(second))
    assert status == 0
    assert "chunks of 25 characters" in out and "--seq-len 10" in out, out
    before, after = (json.loads((folder / "run.json").read_text()) for folder in (first, second))
    for key in ("loss_per_char", "initial_loss_per_char"):
        assert after[key] == pytest.approx(before[key], rel=1e-12), key
    assert f"loss per character {before['loss_per_char']:.3f} nats" in out
    status, out, _ = train_run(char_rnn, capsys, "--iters", "30", "--seq-len", "10",
                               "--resume", second / "c.npz", *outputs(second))
    assert status == 0 and "rescaled" not in out  # saved with chunks of 10 now
    assert json.loads((second / "run.json").read_text())["loss_per_char"] < 4.0


@training_test
def test_temperature_reaches_the_sampler(char_rnn, monkeypatch, capsys, tmp_path):
    seen = []
    original = char_rnn.draw_next_char

    def recording(params, h, temperature, rng):
        seen.append(temperature)
        return original(params, h, temperature, rng)

    monkeypatch.setattr(char_rnn, "draw_next_char", recording)
    status, _, _ = train_run(char_rnn, capsys, "--iters", "3", "--hidden", "8",
                             "--temperature", "0.37", *outputs(tmp_path))
    assert status == 0
    assert len(seen) >= char_rnn.BOOK_LENGTH and set(seen) == {0.37}


@training_test
def test_the_settings_cell_drives_the_run(char_rnn, monkeypatch, capsys, tmp_path):
    """In a notebook there is no command line: editing ITERATIONS there changes the run."""
    monkeypatch.setattr(char_rnn, "ITERATIONS", 7)
    monkeypatch.setattr(char_rnn, "HIDDEN", 12)
    status, out, _ = run_main(char_rnn, capsys, RHYMES, *outputs(tmp_path))
    assert status == 0
    assert json.loads((tmp_path / "run.json").read_text())["iterations"] == 7
    assert "Whh (12, 12)" in out


def ctrl_c_at_iteration(char_rnn, monkeypatch, iteration):
    """Training stops as if Ctrl-C were pressed when `iteration` chunks are done."""
    original = char_rnn.train_step

    def interrupted(state, *args):
        if state.iteration == iteration:
            raise KeyboardInterrupt
        return original(state, *args)

    monkeypatch.setattr(char_rnn, "train_step", interrupted)


def saved_iteration(checkpoint):
    with np.load(checkpoint) as arrays:
        return int(arrays["iteration"])


@training_test
def test_ctrl_c_saves_the_checkpoint_and_still_writes_the_book(char_rnn, monkeypatch, capsys,
                                                               tmp_path):
    ctrl_c_at_iteration(char_rnn, monkeypatch, 45)
    status, out, _ = train_run(char_rnn, capsys, "--iters", "1000", "--hidden", "8",
                               "--sample-every", "20", *outputs(tmp_path))
    assert status == 0 and "Ctrl-C" in out
    assert (tmp_path / "book.txt").read_text(encoding="utf-8").startswith("A NEW BOOK")
    assert saved_iteration(tmp_path / "c.npz") == 45


def assert_stopped_in_one_line(result):
    status, out, err = result
    assert status == 130, result
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1 and "Ctrl-C" in err, err


@training_test
def test_a_second_ctrl_c_while_the_book_is_written_leaves_every_file_whole(
        char_rnn, monkeypatch, capsys, tmp_path):
    (tmp_path / "book.txt").write_text("an earlier book\n", encoding="utf-8")
    ctrl_c_at_iteration(char_rnn, monkeypatch, 45)
    write_text = Path.write_text

    def half_then_ctrl_c(path, text, *args, **kwargs):
        write_text(path, text[:len(text) // 2], *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", half_then_ctrl_c)
    assert_stopped_in_one_line(train_run(char_rnn, capsys, "--iters", "1000", "--hidden", "8",
                                         "--sample-every", "20", *outputs(tmp_path)))
    assert (tmp_path / "book.txt").read_text(encoding="utf-8") == "an earlier book\n"
    assert saved_iteration(tmp_path / "c.npz") == 45  # saved before the book
    assert sorted(path.name for path in tmp_path.iterdir()) == ["book.txt", "c.npz"]


@training_test
def test_a_second_ctrl_c_while_the_checkpoint_is_saved_keeps_the_last_one(
        char_rnn, monkeypatch, capsys, tmp_path):
    ctrl_c_at_iteration(char_rnn, monkeypatch, 45)
    savez, saves = np.savez, []

    def third_save_stopped_half_way(file, **arrays):
        saves.append(file)
        if len(saves) == 3:  # at 20 and 40 while training; the third is the final save
            savez(file, **dict(list(arrays.items())[:3]))
            raise KeyboardInterrupt
        savez(file, **arrays)

    monkeypatch.setattr(np, "savez", third_save_stopped_half_way)
    assert_stopped_in_one_line(train_run(char_rnn, capsys, "--iters", "1000", "--hidden", "8",
                                         "--sample-every", "20", *outputs(tmp_path)))
    monkeypatch.undo()
    assert saved_iteration(tmp_path / "c.npz") == 40
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.npz"]


@training_test
def test_a_console_that_cannot_show_the_text_still_runs(char_rnn, monkeypatch, tmp_path):
    """A console that takes cp1252 (Windows, or output redirected there) has no Greek and no
    arrows: the run still finishes, prints its samples and saves everything."""
    console = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", console)
    text = tmp_path / "greek.txt"
    text.write_text("\u03b6\u03c9\u03ae \u2192 life, and \u00e9t\u00e9 \u2192 summer.\n" * 30,
                    encoding="utf-8")
    args = [text, *SETTINGS, "--iters", "20", "--sample-every", "10", *outputs(tmp_path / "out")]
    assert char_rnn.main([str(arg) for arg in args]) == 0
    console.flush()
    printed = console.buffer.getvalue().decode("cp1252")
    assert "?" in printed and printed.count("----") >= 4  # both samples, each in its rule
    assert saved_iteration(tmp_path / "out" / "c.npz") == 20
    book = (tmp_path / "out" / "book.txt").read_text(encoding="utf-8")
    assert "\u2192" in book or "\u03c9" in book  # the file keeps every character


@training_test
def test_a_run_from_the_command_line(run_script, tmp_path):
    result = run_script("min_char_rnn", RHYMES, *SETTINGS, "--iters", "20", "--hidden", "8",
                        "--seed", "0", *outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    assert re.search(r"iter +0 +loss 99\.7\d\d", result.stdout)


def test_a_byte_order_mark_is_not_a_character(char_rnn, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_text("\ufeffThe Zibble sat upon the hill, and there he sits.\n",
                    encoding="utf-8")
    text = char_rnn.load_text(path, 10)
    assert text.startswith("The Zibble") and "\ufeff" not in char_rnn.build_vocabulary(text)


# %% Bad input -----------------------------------------------------------------------------
def bad_run(char_rnn, capsys, tmp_path, *args):
    """A run that must be refused: its outputs in tmp_path, where nothing may appear."""
    before = sorted(path.name for path in tmp_path.iterdir())
    result = run_main(char_rnn, capsys, *args, "--checkpoint", tmp_path / "c.npz",
                      "--book", tmp_path / "book.txt", "--json", tmp_path / "run.json")
    assert sorted(path.name for path in tmp_path.iterdir()) == before
    return result


def test_missing_file(char_rnn, capsys, tmp_path):
    plain_error(bad_run(char_rnn, capsys, tmp_path, tmp_path / "nope.txt"), "no text file")


def test_empty_file(char_rnn, capsys, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    plain_error(bad_run(char_rnn, capsys, tmp_path, tmp_path / "empty.txt"), "empty")


def test_file_that_is_not_utf8(char_rnn, capsys, tmp_path):
    (tmp_path / "latin.txt").write_bytes("caf\u00e9 na\u00efve ".encode("latin-1") * 20)
    plain_error(bad_run(char_rnn, capsys, tmp_path, tmp_path / "latin.txt"), "UTF-8")


def test_text_shorter_than_one_chunk(char_rnn, capsys, tmp_path):
    (tmp_path / "short.txt").write_text("A short one.\n")
    plain_error(bad_run(char_rnn, capsys, tmp_path, tmp_path / "short.txt", "--seq-len", "25"),
                "--seq-len")


def test_iters_zero_needs_resume(char_rnn, capsys, tmp_path):
    plain_error(bad_run(char_rnn, capsys, tmp_path, "--iters", "0"), "--iters", "--resume")


@pytest.mark.parametrize("setting", [["--lr", "0"], ["--temperature", "-1"],
                                     ["--hidden", "0"], ["--iters", "-3"], ["--seed", "-1"]])
def test_nonsense_settings(char_rnn, capsys, tmp_path, setting):
    plain_error(bad_run(char_rnn, capsys, tmp_path, *setting), setting[0])


def test_arrays_too_large_for_memory_are_refused_before_any_work(char_rnn, capsys, tmp_path):
    result = bad_run(char_rnn, capsys, tmp_path, RHYMES, "--hidden", "100000", "--iters", "1")
    plain_error(result, "--hidden and --seq-len", "GiB", "2 GiB")
    assert result[1] == ""  # nothing printed, nothing allocated


@pytest.mark.parametrize("target", ["script", "link to the script"])
def test_the_book_never_lands_on_a_script(char_rnn, impl_dir, capsys, tmp_path, target):
    script = impl_dir / "min_char_rnn.py"
    before = script.read_bytes()
    book = script
    if target == "link to the script":
        book = tmp_path / "book.txt"
        book.symlink_to(script)
    try:
        result = run_main(char_rnn, capsys, RHYMES, "--iters", "1", "--hidden", "4",
                          "--checkpoint", tmp_path / "c.npz", "--book", book)
    finally:
        if script.read_bytes() != before:  # never leave the script broken, even if this fails
            script.write_bytes(before)
    plain_error(result, "--book", "workshop's own files")
    assert not (tmp_path / "c.npz").exists()


@training_test
def test_a_book_that_is_a_link_elsewhere_replaces_the_link(char_rnn, capsys, tmp_path):
    target = tmp_path / "my_notes.txt"
    target.write_text("my own notes\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "book.txt").symlink_to(target)
    status, _, _ = train_run(char_rnn, capsys, "--iters", "3", "--hidden", "8",
                             *outputs(tmp_path / "out"))
    assert status == 0
    assert target.read_text(encoding="utf-8") == "my own notes\n"
    book = tmp_path / "out" / "book.txt"
    assert not book.is_symlink() and book.read_text(encoding="utf-8").startswith("A NEW BOOK")


@training_test
def test_checkpoint_that_does_not_match(char_rnn, capsys, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("a completely different text with another set of letters, " * 5)
    trained = train_run(char_rnn, capsys, "--iters", "5", "--hidden", "8", "--checkpoint",
                        tmp_path / "old.npz", "--book", tmp_path / "b.txt", text=other)
    assert trained[0] == 0, trained
    wrong_text = bad_run(char_rnn, capsys, tmp_path, RHYMES, "--hidden", "8", "--resume",
                         tmp_path / "old.npz")
    plain_error(wrong_text, "vocabulary")
    wrong_size = bad_run(char_rnn, capsys, tmp_path, other, "--hidden", "16", "--resume",
                         tmp_path / "old.npz")
    plain_error(wrong_size, "hidden size", "--hidden 8")


@training_test
def test_loss_that_blows_up_stops_with_a_plain_sentence(char_rnn, capsys, tmp_path):
    good = train_run(char_rnn, capsys, "--iters", "5", "--hidden", "8", "--checkpoint",
                     tmp_path / "c.npz", "--book", tmp_path / "book.txt")
    assert good[0] == 0, good
    saved = (tmp_path / "c.npz").read_bytes()
    result = train_run(char_rnn, capsys, "--iters", "50", "--hidden", "8", "--lr", "100",
                       "--resume", tmp_path / "c.npz", "--checkpoint", tmp_path / "c.npz",
                       "--book", tmp_path / "new.txt")
    plain_error(result, "learning rate", "--lr", "c.npz")
    assert (tmp_path / "c.npz").read_bytes() == saved  # the last good checkpoint is kept
    assert sorted(path.name for path in tmp_path.iterdir()) == ["book.txt", "c.npz"]


# %% Developer tests: full-size runs (python -m pytest -m dev tests/test_min_char_rnn.py) ----
@pytest.mark.dev
def test_the_default_run_meets_its_targets(run_script, tmp_path):
    """Loss <= 0.8 nats per character and a real-word rate of 0.75 or more (its time is
    benchmarks/char_rnn_speed.py's to measure)."""
    result = run_script("min_char_rnn", *outputs(tmp_path), timeout=180)
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "run.json").read_text())
    # the real-word rate depends on the computer: 0.78 and 0.83 measured on two
    assert figures["loss_per_char"] <= 0.8 and figures["real_word_rate"] >= 0.75, figures
    assert figures["initial_loss_per_char"] == pytest.approx(np.log(54), rel=1e-3)


@pytest.mark.dev
def test_ctrl_c_by_a_real_signal(impl_dir, tmp_path):
    command = [sys.executable, str(impl_dir / "min_char_rnn.py"), str(RHYMES), "--iters",
               "10000000", "--sample-every", "200", *map(str, outputs(tmp_path))]
    # A shell that runs jobs in the background ignores Ctrl-C for them, and a Python started
    # with Ctrl-C ignored never sees it: give the child the ordinary handling back.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                           signal.SIG_DFL))
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


def test_the_trigram_baseline_by_hand(char_rnn):
    """"ababa", chunks of 2: the loss is measured on characters 1..4 ("baba"). Add-one
    smoothing over 2 characters: P(c | pair) = (n(pair, c) + 1) / (n(pair) + 2). b after
    (blank, a): (1 + 1) / (1 + 2); a after (a, b), seen twice, both times before a:
    (2 + 1) / (2 + 2); b after (b, a): 2 / 3; a after (a, b) again: 3 / 4."""
    data = np.array([0, 1, 0, 1, 0])  # a b a b a
    expected = -np.mean(np.log([2 / 3, 3 / 4, 2 / 3, 3 / 4]))
    assert char_rnn.trigram_nats(data, 2, 2) == pytest.approx(expected)


def test_the_trigram_baseline_is_far_below_a_uniform_guess_on_verse(char_rnn):
    text = (char_rnn.plumbing.repo_root() / "data" / "rhymes.txt").read_text(encoding="utf-8")
    vocabulary = char_rnn.build_vocabulary(text)
    nats = char_rnn.trigram_nats(char_rnn.encode(text, vocabulary), len(vocabulary), 25)
    assert 1.0 < nats < np.log(len(vocabulary)) - 1  # letters follow letters; not memorised

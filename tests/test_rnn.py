"""Tests for rnn.py: each exercise on its own, then learning, windows, free running and the CLI.

    python -m pytest tests/test_rnn.py                 # the solution
    python -m pytest --impl stubs tests/test_rnn.py    # your exercise version

The tests of `backward` compute their inputs with the test's own forward pass, so each exercise
is tested (and reported on the board) by itself. The tests of `fed_back_error`, the optional
extension, are skipped while it is untouched. Every test passes its settings explicitly, so
editing the Settings cell of stubs/rnn.py (EPOCHS = 5) breaks none of them.
"""

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from tutor import check_gradients, rel_error

from conftest import (
    REPO_ROOT,
    assert_a_link_is_replaced,
    assert_plain_error,
    load_tool,
    optional_exercise,
    run_in_process,
    snapshot,
)

ORDER = ["Why", "by", "Whh", "Wxh", "bh"]  # the parameters, output side first
DEFAULTS = {"hidden": 16, "seq_len": 50, "epochs": 20, "lr": 0.01, "seed": 0,
            "batch_size": 48, "clip": 5.0}  # the Settings cell as shipped
TINY = ["--epochs", 2, "--seq-len", 5, "--hidden", 4, "--lr", 0.01, "--seed", 0,
        "--batch-size", 48]  # a run of well under a second on a short series


@pytest.fixture(scope="module")
def rnn(load_script):
    return load_script("rnn")


def train_settings(**changes):
    """Training settings as `train` takes them: the shipped defaults with some changed."""
    return {**DEFAULTS, **changes}


def tiny_network(rnn, seed=0):
    """3 hidden units, random weights and biases (not zeros, so every path is exercised)."""
    rng = np.random.default_rng(seed)
    params = rnn.init_params(1, 3, 1, rng)
    return {name: value + rng.normal(0.0, 0.5, value.shape) for name, value in params.items()}


def windows_of(values, seq_len):
    """Inputs and targets (one step later) cut from an array of values."""
    X = np.stack([values[i:i + seq_len] for i in range(len(values) - seq_len)])
    T = np.stack([values[i + 1:i + seq_len + 1] for i in range(len(values) - seq_len)])
    return X, T


def reference_step(x, h_prev, params):
    """The test's own time step: the new state and the prediction."""
    h = np.tanh(x @ params["Wxh"] + h_prev @ params["Whh"] + params["bh"])
    return h, h @ params["Why"] + params["by"]


def reference_forward(X, params, feed_back=None):
    """The test's own forward pass (inputs seen, hidden states, predictions), so that backward
    is tested without your rnn_step."""
    batch, steps = X.shape
    Xs, H, Y = X.copy(), np.zeros((steps + 1, batch, params["Whh"].shape[0])), np.zeros(X.shape)
    for t in range(steps):
        if feed_back is not None and t > 0:
            Xs[:, t] = np.where(feed_back[:, t], Y[:, t - 1], X[:, t])
        H[t + 1] = np.tanh(Xs[:, t:t + 1] @ params["Wxh"] + H[t] @ params["Whh"] + params["bh"])
        Y[:, t] = (H[t + 1] @ params["Why"] + params["by"])[:, 0]
    return Xs, H, Y


def reference_backward(X, T, params, feed_back=None, mistake=None):
    """The right gradients, or those of a common mistake: "next step" (no error from step
    t + 1), "h for h_prev" (in dWhh), "no slope" (of the tanh), "Whh not transposed" (in
    dh_next), and with feed_back "no fed-back term" or "fed-back term swapped"."""
    Xs, H, Y = reference_forward(X, params, feed_back)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dY, dh_next = 2.0 * (Y - T) / Y.size, np.zeros_like(H[0])
    for t in reversed(range(Y.shape[1])):
        dy = dY[:, t:t + 1]
        grads["Why"] += H[t + 1].T @ dy
        grads["by"] += dy.sum(axis=0, keepdims=True)
        dh = dy @ params["Why"].T + (0.0 if mistake == "next step" else dh_next)
        dz = dh * (1.0 if mistake == "no slope" else 1 - H[t + 1] ** 2)
        grads["Wxh"] += Xs[:, t:t + 1].T @ dz
        grads["Whh"] += H[t + 1 if mistake == "h for h_prev" else t].T @ dz
        grads["bh"] += dz.sum(axis=0, keepdims=True)
        dh_next = dz @ (params["Whh"] if mistake == "Whh not transposed" else params["Whh"].T)
        if feed_back is not None and t > 0 and mistake != "no fed-back term":
            fed = feed_back[:, t] if mistake != "fed-back term swapped" else ~feed_back[:, t]
            dY[:, t - 1] += np.where(fed, (dz @ params["Wxh"].T)[:, 0], 0.0)
    return grads


def rel_error_of(grads, expected):
    """The largest relative error of a backward's gradients (inf when one is missing or
    misshapen): whether it is right, before checking what builds on it."""
    try:
        return max(rel_error(grads["d" + name], value) for name, value in expected.items())
    except (KeyError, TypeError, ValueError):
        return float("inf")


CORE_MISTAKES = {  # the hint a test gives for each mistake it recognises
    "next step": "the error from the next time step is missing (step 2: dh = dy @ Why.T "
                 "+ dh_next)",
    "h for h_prev": "dWhh needs the state before this step (step 4: h_prev.T @ dz, not h.T @ dz)",
    "no slope": "the tanh's slope is missing (step 3: dz = dh * tanh_grad_from_output(h))",
    "Whh not transposed": "the error sent back goes through Whh transposed (step 5: dz @ "
                          "params[\"Whh\"].T)",
}


def mistakes_of(X, T, params, feed_back=None, names=CORE_MISTAKES):
    """{hint: the gradients with that mistake}, for check_gradients."""
    return {hint: reference_backward(X, T, params, feed_back, mistake)
            for mistake, hint in names.items()}


def numerical_gradient(rnn, params, name, X, T, feed_back, step=1e-5):
    """Centred differences of the loss, one entry of params[name] at a time."""
    numerical = np.zeros_like(params[name])
    for index in np.ndindex(numerical.shape):
        losses = []
        for sign in (1, -1):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] += sign * step
            Y_shifted = reference_forward(X, shifted, feed_back)[2]
            losses.append(rnn.mean_squared_error(Y_shifted, T))
        numerical[index] = (losses[0] - losses[1]) / (2 * step)
    return numerical


# %% The interface shared by Parts 1-3
def test_init_params_names_and_shapes(rnn):
    params = rnn.init_params(3, 5, 2, np.random.default_rng(0))
    assert {name: value.shape for name, value in params.items()} == {
        "Wxh": (3, 5), "Whh": (5, 5), "bh": (1, 5), "Why": (5, 2), "by": (1, 2)}
    assert not params["bh"].any() and not params["by"].any()  # biases start at zero


def test_adam_memory_has_arrays_of_its_own_and_update_changes_no_input(rnn):
    params = tiny_network(rnn)
    state = rnn.init_adam(params)
    arrays = [*params.values(), *state["m"].values(), *state["v"].values()]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])
    grads = {"d" + name: np.ones_like(value) for name, value in params.items()}
    saved = [array.copy() for array in (*arrays, *grads.values())]
    new_params, new_state = rnn.update(params, grads, state, lr=0.01)
    for before, after in zip(saved, (*arrays, *grads.values()), strict=True):
        assert np.array_equal(before, after), "update changed one of its inputs"
    assert state["step"] == 0 and new_state["step"] == 1
    for name, value in params.items():
        # Adam's first step moves each weight by lr, against the sign of its gradient
        np.testing.assert_allclose(new_params[name], value - 0.01, atol=1e-9, err_msg=name)


# %% Exercise 1: rnn_step
@pytest.mark.exercise("rnn.rnn_step")
def test_rnn_step_on_hand_made_numbers(rnn):
    params = {"Wxh": np.array([[0.5, -1.0]]), "Whh": np.array([[1.0, 0.0], [2.0, -1.0]]),
              "bh": np.array([[0.1, 0.0]]), "Why": np.array([[2.0], [-3.0]]),
              "by": np.array([[0.25]])}
    x, h_prev = np.array([[2.0]]), np.array([[0.5, -0.5]])
    h, y = rnn.rnn_step(x, h_prev, params)
    z = np.array([[2.0 * 0.5 + 0.5 * 1.0 - 0.5 * 2.0 + 0.1, -2.0 + 0.5 * 0.0 + 0.5]])
    np.testing.assert_allclose(h, np.tanh(z), rtol=0, atol=1e-15, err_msg="h, the new state")
    np.testing.assert_allclose(y, np.tanh(z) @ np.array([[2.0], [-3.0]]) + 0.25, atol=1e-15,
                               err_msg="y, the prediction")


@pytest.mark.exercise("rnn.rnn_step")
def test_rnn_step_on_a_batch_has_the_right_shapes(rnn):
    params = rnn.init_params(2, 4, 3, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    x, h_prev = rng.normal(size=(5, 2)), rng.normal(size=(5, 4))
    h, y = rnn.rnn_step(x, h_prev, params)
    assert h.shape == (5, 4), f"h should be (batch, hidden) = (5, 4), not {h.shape}"
    assert y.shape == (5, 3), f"y should be (batch, outputs) = (5, 3), not {y.shape}"
    expected_h, expected_y = reference_step(x, h_prev, params)
    np.testing.assert_allclose(h, expected_h, rtol=1e-12, err_msg="h, the new state")
    np.testing.assert_allclose(y, expected_y, rtol=1e-12, err_msg="y, the prediction")


# %% Exercise 2: backward (backpropagation through time)
@pytest.mark.exercise("rnn.backward")
def test_bptt_matches_a_centred_numerical_gradient(rnn):
    params = tiny_network(rnn, seed=0)
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))  # 4 windows of 5 steps
    numerical = {name: numerical_gradient(rnn, params, name, X, T, None) for name in ORDER}
    cache = (*reference_forward(X, params), None)  # what forward hands backward
    grads = rnn.backward(T, cache, {k: v.copy() for k, v in params.items()})
    check_gradients(grads, numerical, ORDER, tolerance=1e-7,  # about 1e-9 when right
                    mistakes=mistakes_of(X, T, params))


@pytest.mark.exercise("rnn.backward")
def test_bptt_on_a_bigger_batch_matches_the_reference(rnn):
    params = rnn.init_params(1, 6, 1, np.random.default_rng(4))
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(7, 9)), rng.normal(size=(7, 9))
    cache = (*reference_forward(X, params), None)
    check_gradients(rnn.backward(T, cache, params), reference_backward(X, T, params), ORDER,
                    tolerance=1e-10)


# %% Optional extension: fed_back_error
MASK_HINT = ("fed_back_error hands an error to a window whose input at this step was a true "
             "value (fed_back False): there it must be 0.0 (step 2: np.where(fed_back, ..., 0.0))")


def fed_back_error_problem(rnn):
    """What is wrong with fed_back_error on hand-made numbers, or None when it is right."""
    params = {"Wxh": np.array([[2.0, -1.0]])}
    dz = np.array([[0.5, 1.0], [1.0, 1.0], [-1.0, 3.0]])  # (batch 3, hidden 2)
    error = rnn.fed_back_error(dz, params, np.array([True, False, True]))
    if np.shape(error) != (3,):
        return f"fed_back_error: one number per window, shape (3,), not {np.shape(error)}"
    if np.allclose(error, [0.0, 0.0, -5.0], rtol=0, atol=1e-15):
        return None
    if np.allclose(error, [0.0, 1.0, -5.0], rtol=0, atol=1e-15):  # dz @ Wxh.T everywhere
        return MASK_HINT
    return (f"fed_back_error gives {np.asarray(error)} for windows whose errors at the input are "
            "[0, 1, -5], fed back [True, False, True]; expected [0, 0, -5] (steps 1 and 2)")


@pytest.mark.exercise("rnn.fed_back_error")
def test_fed_back_error_on_hand_made_numbers(rnn):
    with optional_exercise():
        problem = fed_back_error_problem(rnn)
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.mark.exercise("rnn.fed_back_error")
def test_bptt_with_fed_back_steps_matches_a_numerical_gradient(rnn):
    params = tiny_network(rnn, seed=2)
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    feed_back = rng.random((4, 5)) < 0.6  # some steps get the previous prediction
    numerical = {name: numerical_gradient(rnn, params, name, X, T, feed_back) for name in ORDER}
    cache = (*reference_forward(X, params, feed_back), feed_back)
    with optional_exercise():
        problem = fed_back_error_problem(rnn)  # the first wrong thing is named, not the gradients
        grads = rnn.backward(T, cache, params)
    Xs_true, H_true, Y_true = reference_forward(X, params)
    if not rel_error_of(rnn.backward(T, (Xs_true, H_true, Y_true, None), params),
                        reference_backward(X, T, params)) <= 1e-7:  # also when nan
        pytest.fail("backward is wrong even without fed-back steps: fix it first (the test "
                    "test_bptt_matches_a_centred_numerical_gradient says how)", pytrace=False)
    if problem:
        pytest.fail(f"{problem}; fix it first: backward adds its result to every gradient",
                    pytrace=False)
    names = {**CORE_MISTAKES,
             "no fed-back term": "fed-back steps hand no error back to the predictions they were "
                                 "(backward must call fed_back_error)",
             "fed-back term swapped": "fed_back_error hands the error back where fed_back is "
                                      "False, not where it is True"}
    check_gradients(grads, numerical, ORDER, tolerance=1e-7,
                    mistakes=mistakes_of(X, T, params, feed_back, names))


# %% Training
def test_loss_falls_tenfold_in_a_short_seeded_run(rnn):
    values = rnn.SPREAD * np.sin(1 + 2 * np.pi * np.arange(300) / 50) / np.sqrt(0.5)
    X, T = windows_of(values, 20)  # scaled as rnn.py scales the series (std SPREAD)
    settings = train_settings(epochs=6, seq_len=20, hidden=8, seed=0)
    start = rnn.mean_squared_error(
        rnn.forward(X, rnn.init_params(1, 8, 1, np.random.default_rng(0)))[0], T)
    params, losses = rnn.train(values, settings, log=lambda *_: None)
    end = rnn.mean_squared_error(rnn.forward(X, params)[0], T)
    assert len(losses) == 6
    assert end < start / 10, (start, end)


def test_without_the_extension_training_uses_true_values_and_says_so(rnn, monkeypatch):
    def untouched(dz, params, fed_back):
        raise NotImplementedError("TODO (optional): Hand the error at a fed-back input")

    monkeypatch.setattr(rnn, "fed_back_error", untouched)
    lines = []
    settings = train_settings(epochs=3, seq_len=5, hidden=4)
    rnn.train(np.sin(np.arange(130) / 5.0), settings, log=lines.append)
    assert sum("will drift" in line for line in lines) == 1, lines
    assert all(line.endswith("fed-back steps   0") for line in lines if "lr" in line), lines


def test_training_plan_feeds_back_ever_longer_stretches(rnn):
    plan = rnn.training_plan(20, 0.01)
    steps = [s for _, s in plan]
    assert len(plan) == 20
    assert steps[0] == 0  # teacher forcing first
    assert steps == sorted(steps)  # the fed-back stretch only grows
    assert rnn.SHORT_HORIZON in steps and steps[-1] == rnn.LONG_HORIZON
    assert all(0 < lr <= 0.01 for lr, _ in plan)
    assert [s for _, s in rnn.training_plan(20, 0.01, feed_back=False)] == [0] * 20


def test_same_seed_gives_the_same_numbers_bit_for_bit(rnn):
    values = np.sin(np.arange(150) / 7.0)
    settings = train_settings(epochs=2, seq_len=10, hidden=8, seed=3)
    first, _ = rnn.train(values, settings, log=lambda *_: None)
    second, _ = rnn.train(values, settings, log=lambda *_: None)
    for name in first:
        assert np.array_equal(first[name], second[name]), name


def test_a_learning_rate_that_blows_up_stops_training_with_a_sentence(rnn):
    settings = train_settings(epochs=2, seq_len=5, hidden=4, lr=1e308)
    with pytest.raises(rnn.InputError, match="--lr"):
        rnn.train(np.sin(np.arange(130) / 5.0), settings, log=lambda *_: None)


# %% Evaluation
def test_free_running_returns_the_steps_asked_for_and_stays_bounded(rnn):
    params = tiny_network(rnn)
    predictions = rnn.free_run(np.sin(np.arange(8) / 5.0), 700, params)
    assert predictions.shape == (700,)
    assert np.all(np.isfinite(predictions))
    # |tanh| <= 1, so no output can exceed the sum of |Why| plus |by|
    assert np.max(np.abs(predictions)) <= np.abs(params["Why"]).sum() + np.abs(params["by"]).sum()


def test_each_result_stands_beside_its_own_naive_baseline(rnn):
    series = np.arange(300.0)  # a ramp: each value is the one before it, plus 1
    params = tiny_network(rnn)
    results, one_step, free = rnn.evaluate(series, 250, params, 10, 0.0, 1.0)
    test = series[250:]  # 250 .. 299
    assert results["persistence_rmse"] == 1.0  # "next = this value" is off by 1 every step
    # "flat at 249" is off by 1, 2, ..., 50: the root of the mean of k**2 is sqrt(51 * 101 / 6)
    assert results["free_run_persistence_rmse"] == pytest.approx(np.sqrt(51 * 101 / 6), rel=1e-12)
    assert results["free_run_steps"] == 50 and free.shape == one_step.shape == (50,)
    for key, predictions in (("one_step_rmse", one_step), ("free_run_rmse", free)):
        assert results[key] == pytest.approx(np.sqrt(np.mean((predictions - test) ** 2)),
                                             rel=1e-12), key


def test_rmse_is_exact_and_does_not_overflow(rnn):
    a, b = np.array([1.0, 2.0, 4.0]), np.array([0.5, 2.5, 1.0])
    assert rnn.rmse(a, b) == float(np.sqrt(np.mean((a - b) ** 2)))
    with np.errstate(over="raise"):
        assert rnn.rmse(a * 2.0**1000, b * 2.0**1000) == rnn.rmse(a, b) * 2.0**1000


# %% Data and windows
def test_each_window_is_followed_by_its_target(rnn):
    series = np.arange(40.0)  # each value is its own index
    X, T = rnn.make_windows(series, 6)
    assert X.shape == T.shape == (34, 6)
    np.testing.assert_array_equal(T[:, -1], series[np.arange(34) + 6])  # the value after
    np.testing.assert_array_equal(T[:, :-1], X[:, 1:])  # every step's target is the next input


def test_no_test_value_is_a_training_target(rnn):
    series = np.arange(1000.0)
    train_part, test_part = rnn.split_series(series)
    n_train = int(1000 * rnn.TRAIN_FRACTION)  # the Settings cell's share, 900 as shipped
    assert len(train_part) == n_train and len(test_part) == 1000 - n_train
    _, T = rnn.make_windows(train_part, 25)
    assert T.max() < test_part.min()


def test_scaling_has_an_exact_inverse_and_is_exact_for_huge_values(rnn):
    values = np.array([3.0, -1.5, 10.25])
    back = rnn.unstandardise(rnn.standardise(values, 2.0, 4.0), 2.0, 4.0)
    np.testing.assert_array_equal(back, values)
    mean, unit = rnn.scaling_of(values)
    assert (mean, unit) == (np.mean(values), np.std(values) / rnn.SPREAD)
    with np.errstate(over="raise"):
        assert rnn.scaling_of(values * 2.0**996) == (mean * 2.0**996, unit * 2.0**996)


def test_make_data_sine_reproduces_the_shipped_file(tmp_path):
    made = load_tool("data/make_data.py").make_sine(tmp_path / "sinwave.csv")
    assert made.read_bytes() == (REPO_ROOT / "data" / "sinwave.csv").read_bytes()


def test_load_data_skips_a_header_a_byte_order_mark_and_blank_lines(rnn, tmp_path):
    values = np.sin(np.arange(200) / 5.0)
    path = tmp_path / "series.csv"
    lines = [f"{float(value)!r}" for value in values]
    path.write_bytes(("\ufeffprice\r\n" + "\r\n".join(lines[:50]) + "\r\n\r\n"
                      + "\r\n".join(lines[50:]) + "\r\n").encode("utf-8"))
    series, n_train, dates = rnn.load_data(path, 5)
    np.testing.assert_array_equal(series, values)
    assert n_train == int(200 * rnn.TRAIN_FRACTION) and dates is None  # 180 as shipped


def test_load_data_reads_a_dated_close_column_in_date_order(rnn, tmp_path):
    days = pd.bdate_range("2020-01-01", periods=200)
    path = tmp_path / "stock.csv"
    rows = [f"{day:%Y-%m-%d},{100 + i},{2 * i}" for i, day in enumerate(days)]
    path.write_text("Date,Close,Volume\n" + "\n".join(reversed(rows)) + "\n")  # newest first
    series, _, dates = rnn.load_data(path, 5)
    np.testing.assert_array_equal(series, 100.0 + np.arange(200))
    assert list(dates) == list(days)


# %% The command line (in this process: a new Python per case is slow)
def sine_csv(tmp_path, n=150):
    path = tmp_path / "series.csv"
    path.write_text("value\n" + "".join(f"{float(np.sin(i / 5.0))!r}\n" for i in range(n)))
    return path


def test_settings_cell_drives_a_short_run_with_json_and_figures(rnn, capsys, tmp_path,
                                                                monkeypatch):
    for name, value in (("CSV", sine_csv(tmp_path)), ("EPOCHS", 2), ("SEQ_LEN", 5),
                        ("HIDDEN", 4)):
        monkeypatch.setattr(rnn, name, value)  # as a notebook user edits the Settings cell
    result = run_in_process(rnn, capsys, "--plot-dir", tmp_path / "figs", "--json",
                            tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    assert "Whh 16, bh 4" in result.stdout and "epoch   2" in result.stdout
    assert "naive: next value = this value" in result.stdout
    assert "naive: flat at the last known value" in result.stdout
    numbers = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(numbers) == {"one_step_rmse", "persistence_rmse", "free_run_rmse",
                            "free_run_persistence_rmse", "free_run_steps", "train_seconds",
                            "seconds"}
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [  # after series.csv
        f"series_rnn_{name}" for name in sorted(rnn.OUTPUTS)] == [
        "series_rnn_free_run.png", "series_rnn_loss.png", "series_rnn_one_step.png",
        "series_rnn_predictions.csv", "series_rnn_split.png"]


def test_files_are_named_after_their_series_so_no_run_overwrites_another(rnn, tmp_path):
    sine = rnn.plumbing.repo_root() / "data" / "sinwave.csv"
    assert rnn.output_path(tmp_path, sine, "loss.png") == tmp_path / "rnn_loss.png"
    mine = rnn.output_path(tmp_path, tmp_path / "my_stock.csv", "predictions.csv")
    assert mine == tmp_path / "my_stock_rnn_predictions.csv"  # not run_lstm's my_stock_*


@pytest.mark.parametrize(("content", "words"), [
    (None, ["no file"]),
    ("", ["empty"]),
    ("value\n1.0\nabc\n2.0\n", ["line 3", "not a number"]),
    ("\n".join(["0.5"] * 20) + "\n", ["too few"]),
], ids=["missing", "empty", "non-numeric", "too-short"])
def test_bad_csv_is_one_plain_sentence(rnn, capsys, tmp_path, content, words):
    path = tmp_path / "series.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert_plain_error(run_in_process(rnn, capsys, "--csv", path, *TINY, "--plot-dir", tmp_path),
                       *words)
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.parametrize(("flags", "word"), [
    (["--seq-len", "0"], "--seq-len"), (["--epochs", "0"], "--epochs"),
    (["--hidden", "0"], "--hidden"), (["--lr", "-1"], "--lr"), (["--seed", "-1"], "--seed"),
    (["--batch-size", "0"], "--batch-size"), (["--hidden", "100000"], "GiB"),
    (["--batch-size", "10000000"], "GiB")])
def test_nonsense_settings_are_refused(rnn, capsys, tmp_path, flags, word):
    result = run_in_process(rnn, capsys, "--csv", sine_csv(tmp_path), *TINY, *flags, "--plot-dir",
                      tmp_path / "figs")
    assert_plain_error(result, word)
    assert "epoch" not in result.stdout and not (tmp_path / "figs").exists()


@pytest.fixture
def no_saved_figures(rnn, monkeypatch):
    """The four PNGs take most of a short run's time: left out where they are not the point."""
    monkeypatch.setattr(rnn, "plot_results", lambda *args: {})


def rmse_of(table, column):
    """The RMSE of one column of rnn_predictions.csv against its truth, computed afresh."""
    return float(np.sqrt(np.mean((table[column] - table["truth"]) ** 2)))


def test_the_predictions_are_kept_in_the_series_units(rnn, capsys, tmp_path, no_saved_figures):
    values = 100.0 + 5.0 * np.sin(np.arange(150) / 5.0)  # units far from the scaled ones
    csv = tmp_path / "series.csv"
    csv.write_text("value\n" + "".join(f"{float(value)!r}\n" for value in values))
    result = run_in_process(rnn, capsys, "--csv", csv, *TINY, "--plot-dir", tmp_path / "figs",
                      "--json", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    n = int(150 * rnn.TRAIN_FRACTION)  # training values: 135 as shipped
    assert f"train {n}, test {150 - n}" in result.stdout
    assert f"free running ({150 - n} steps)" in result.stdout
    table = pd.read_csv(tmp_path / "figs" / "series_rnn_predictions.csv")  # as a user reads it back
    assert list(table.columns) == ["step", "truth", "naive", "one_step", "free_run", "flat"]
    assert list(table["step"]) == list(range(n, 150))
    # pandas before 3 may read the last binary digit of a number differently (1e-16)
    np.testing.assert_allclose(table["truth"], values[n:], rtol=1e-14)
    np.testing.assert_allclose(table["naive"], values[n - 1:-1], rtol=1e-14)
    np.testing.assert_allclose(table["flat"], values[n - 1], rtol=1e-14)
    numbers = json.loads((tmp_path / "r.json").read_text())
    for key, column in (("one_step_rmse", "one_step"), ("persistence_rmse", "naive"),
                        ("free_run_rmse", "free_run"), ("free_run_persistence_rmse", "flat")):
        assert rmse_of(table, column) == pytest.approx(numbers[key], rel=1e-12), key


def test_dated_predictions_keep_their_dates(rnn, capsys, tmp_path, no_saved_figures):
    days = pd.bdate_range("2021-03-01", periods=150)
    csv = tmp_path / "stock.csv"
    csv.write_text("Date,Close\n" + "".join(
        f"{day:%Y-%m-%d},{50 + float(np.sin(i / 5.0))!r}\n" for i, day in enumerate(days)))
    result = run_in_process(rnn, capsys, "--csv", csv, *TINY, "--plot-dir", tmp_path / "figs")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "figs" / "stock_rnn_predictions.csv", parse_dates=["date"])
    assert list(table.columns[:2]) == ["step", "date"]
    assert list(table["date"]) == list(days[int(150 * rnn.TRAIN_FRACTION):])


def test_ctrl_c_during_training_writes_nothing_and_says_so(rnn, capsys, tmp_path, monkeypatch):
    figures, out = tmp_path / "figs", tmp_path / "r.json"
    figures.mkdir()
    for name in rnn.OUTPUTS:
        (figures / f"series_rnn_{name}").write_text(f"{name} of an earlier run\n")
    out.write_text("an earlier run\n")
    csv = sine_csv(tmp_path)
    before = snapshot(tmp_path)
    calls = []

    def stopped_in_epoch_2(*args):  # the loop calls it once an epoch
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    real = rnn.train_epoch
    monkeypatch.setattr(rnn, "train_epoch", stopped_in_epoch_2)
    result = run_in_process(rnn, capsys, "--csv", csv, *TINY, "--plot-dir", figures, "--json", out)
    assert result.returncode == 130, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Ctrl-C" in result.stderr
    assert "epoch   1" in result.stdout and "RMSE" not in result.stdout
    assert snapshot(tmp_path) == before


def test_a_console_that_cannot_show_a_character_still_runs(rnn, tmp_path, monkeypatch,
                                                          no_saved_figures):
    console = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")  # a Windows console
    monkeypatch.setattr(sys, "stdout", console)
    figures = tmp_path / "figures \u2192 here"  # an arrow: cp1252 has none
    args = ["--csv", sine_csv(tmp_path), *TINY, "--plot-dir", figures]
    assert rnn.main([str(arg) for arg in args]) == 0
    console.flush()
    assert b"saved" in console.buffer.getvalue()
    assert (figures / "series_rnn_predictions.csv").is_file()


@pytest.mark.parametrize("case", ["json_is_the_csv", "json_is_this_script",
                                  "predictions_would_replace_the_csv", "figure_links_to_the_script",
                                  "json_is_a_figure"])
def test_outputs_never_land_on_an_input_the_repo_or_each_other(rnn, capsys, tmp_path, impl_dir,
                                                               case):
    figures, script = tmp_path / "figs", impl_dir / "rnn.py"
    figures.mkdir()
    csv = sine_csv(tmp_path)
    if case == "predictions_would_replace_the_csv":  # the --csv is a link to that file
        real, csv = csv.rename(figures / "series_rnn_predictions.csv"), figures / "series.csv"
        csv.symlink_to(real)
    if case == "figure_links_to_the_script":
        (figures / "series_rnn_loss.png").symlink_to(script)
    json_path = {"json_is_the_csv": csv, "json_is_this_script": script,
                 "json_is_a_figure": figures / "series_rnn_split.png"}.get(case,
                                                                           tmp_path / "r.json")
    before, text = snapshot(tmp_path), script.read_bytes()
    result = run_in_process(rnn, capsys, "--csv", csv, *TINY, "--plot-dir", figures, "--json",
                            json_path)
    words = {"json_is_the_csv": "--json", "json_is_this_script": "--json"}.get(case, "--plot-dir")
    assert_plain_error(result, words)
    assert result.stdout == ""  # refused before the data is read
    assert snapshot(tmp_path) == before and script.read_bytes() == text


def test_a_figure_that_links_elsewhere_is_replaced_not_written_through(rnn, capsys, tmp_path):
    figures = tmp_path / "figs"
    assert_a_link_is_replaced(figures, "series_rnn_split.png", lambda: run_in_process(
        rnn, capsys, "--csv", sine_csv(tmp_path), *TINY, "--plot-dir", figures))


@pytest.mark.dev
def test_default_run_meets_its_targets(run_script, tmp_path):
    flags = [item for flag, value in DEFAULTS.items() if flag != "clip"
             for item in (f"--{flag.replace('_', '-')}", value)]
    result = run_script("rnn", "--csv", REPO_ROOT / "data" / "sinwave.csv", *flags,
                        "--plot-dir", tmp_path, "--json", tmp_path / "rnn.json")
    assert result.returncode == 0, result.stderr
    numbers = json.loads((tmp_path / "rnn.json").read_text(encoding="utf-8"))
    assert numbers["one_step_rmse"] <= 0.005
    assert numbers["free_run_rmse"] <= 0.1  # the README's "works"; the core exercises: 0.05092
    assert numbers["free_run_steps"] >= 500
    assert numbers["one_step_rmse"] < numbers["persistence_rmse"]
    assert numbers["free_run_rmse"] < numbers["free_run_persistence_rmse"]
    assert "naive" in result.stdout and "Whh" in result.stdout


def test_the_bundled_sine_gets_one_period_back(rnn, capsys):
    """The strongest simple baseline for the sine: its period is known (100 steps), and the
    wave repeats exactly, so one period back is exact; no period is guessed for other files."""
    series, n_train, _ = rnn.load_data(rnn.plumbing.repo_root() / rnn.CSV, rnn.SEQ_LEN)
    found = rnn.seasonal_scores(series, n_train, rnn.PERIOD)
    assert found["period"] == 100
    assert found["seasonal_rmse"] < 1e-9 and found["free_run_seasonal_rmse"] < 1e-9
    assert rnn.seasonal_scores(series, n_train, None) == {}
    rnn.print_summary({"one_step_rmse": 0.5, "persistence_rmse": 1.0, "free_run_rmse": 0.2,
                       "free_run_persistence_rmse": 1.0, "free_run_steps": 500, **found})
    out = capsys.readouterr().out
    assert "one period back (100 steps)" in out and "learn a shape, not that it forecasts" in out


def test_one_period_back_by_hand(rnn):
    series = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 4.0, 1.0])  # period 3, one value off
    found = rnn.seasonal_scores(series, 5, 3)  # test values 4, 1; one period back: 3, 1
    assert found["seasonal_rmse"] == pytest.approx(np.sqrt((1 + 0) / 2))
    assert found["free_run_seasonal_rmse"] == pytest.approx(np.sqrt((4 - 3) ** 2 / 2))

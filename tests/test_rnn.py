"""Tests for rnn.py: gradients, learning, windows, free running, data and bad input.

    python -m pytest tests/test_rnn.py                 # the solution
    python -m pytest --impl stubs tests/test_rnn.py    # your exercise version
"""

import importlib.util
import json

import numpy as np
import pytest

from conftest import REPO_ROOT, assert_plain_error


@pytest.fixture(scope="module")
def rnn(load_script):
    return load_script("rnn")


def rel_error(a, b):
    """Largest relative difference between two arrays (0 when they are equal)."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b))))


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


# %% The exercises
def test_rnn_step_on_hand_made_numbers(rnn):
    params = {"Wxh": np.array([[0.5, -1.0]]), "Whh": np.array([[1.0, 0.0], [2.0, -1.0]]),
              "bh": np.array([[0.1, 0.0]]), "Why": np.array([[2.0], [-3.0]]),
              "by": np.array([[0.25]])}
    x, h_prev = np.array([[2.0]]), np.array([[0.5, -0.5]])
    h, y = rnn.rnn_step(x, h_prev, params)
    z = np.array([[2.0 * 0.5 + 0.5 * 1.0 - 0.5 * 2.0 + 0.1, -2.0 + 0.5 * 0.0 + 0.5]])
    np.testing.assert_allclose(h, np.tanh(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(y, np.tanh(z) @ np.array([[2.0], [-3.0]]) + 0.25, atol=1e-15)


def numerical_gradient(rnn, params, name, X, T, feed_back, step=1e-5):
    """Centred differences of the loss, one entry of params[name] at a time."""
    numerical = np.zeros_like(params[name])
    for index in np.ndindex(numerical.shape):
        losses = []
        for sign in (1, -1):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][index] += sign * step
            Y_shifted = rnn.forward(X, shifted, feed_back=feed_back)[2]
            losses.append(rnn.mean_squared_error(Y_shifted, T))
        numerical[index] = (losses[0] - losses[1]) / (2 * step)
    return numerical


@pytest.mark.parametrize("fed_back", [False, True])
def test_bptt_matches_a_centred_numerical_gradient(rnn, fed_back):
    params = tiny_network(rnn, seed=2 if fed_back else 0)
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))  # 4 windows of 5 steps
    # With fed_back, some steps get the previous prediction as input, as in later training.
    feed_back = rng.random((4, 5)) < 0.6 if fed_back else None
    Xs, H, Y = rnn.forward(X, params, feed_back=feed_back)
    grads = rnn.backward(Xs, T, H, Y, params, feed_back)
    for name, value in params.items():
        numerical = numerical_gradient(rnn, params, name, X, T, feed_back)
        assert grads["d" + name].shape == value.shape
        assert rel_error(grads["d" + name], numerical) < 1e-7, name  # 1e-9 or smaller here


def test_update_moves_every_parameter_against_its_gradient(rnn):
    params = tiny_network(rnn)
    grads = {"d" + name: np.ones_like(value) for name, value in params.items()}
    new_params, state = rnn.update(params, grads, rnn.init_adam(params), lr=0.01)
    assert state["step"] == 1
    for name, value in params.items():
        # Adam's first step moves each weight by lr, against the sign of its gradient
        np.testing.assert_allclose(new_params[name], value - 0.01, atol=1e-9)


def test_loss_falls_tenfold_in_a_short_seeded_run(rnn):
    values = rnn.SPREAD * np.sin(1 + 2 * np.pi * np.arange(600) / 100) / np.sqrt(0.5)
    X, T = windows_of(values, 20)  # scaled as rnn.py scales the series (std SPREAD)
    settings = rnn.default_settings(epochs=10, seq_len=20, hidden=16, seed=0)
    start = rnn.mean_squared_error(
        rnn.forward(X, rnn.init_params(1, 16, 1, np.random.default_rng(0)))[2], T)
    params, losses = rnn.train(values, settings, log=lambda *_: None)
    end = rnn.mean_squared_error(rnn.forward(X, params)[2], T)
    assert len(losses) == 10
    assert end < start / 10, (start, end)


def test_training_plan_feeds_back_ever_longer_stretches(rnn):
    plan = rnn.training_plan(20, 0.01)
    steps = [s for _, s in plan]
    assert len(plan) == 20
    assert steps[0] == 0  # teacher forcing first
    assert steps == sorted(steps)  # the fed-back stretch only grows
    assert rnn.SHORT_HORIZON in steps and steps[-1] == rnn.LONG_HORIZON
    assert all(0 < lr <= 0.01 for lr, _ in plan)


def test_same_seed_gives_the_same_numbers_bit_for_bit(rnn):
    values = np.sin(np.arange(300) / 7.0)
    settings = rnn.default_settings(epochs=2, seq_len=10, hidden=8, seed=3)
    first, _ = rnn.train(values, settings, log=lambda *_: None)
    second, _ = rnn.train(values, settings, log=lambda *_: None)
    for name in first:
        assert np.array_equal(first[name], second[name]), name


def test_free_running_returns_the_steps_asked_for_and_stays_bounded(rnn):
    params = tiny_network(rnn)
    predictions = rnn.free_run(np.sin(np.arange(8) / 5.0), 700, params)
    assert predictions.shape == (700,)
    assert np.all(np.isfinite(predictions))
    # |tanh| <= 1, so no output can exceed the sum of |Why| plus |by|
    assert np.max(np.abs(predictions)) <= np.abs(params["Why"]).sum() + np.abs(params["by"]).sum()


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
    assert len(train_part) == 900 and len(test_part) == 100
    _, T = rnn.make_windows(train_part, 25)
    assert T.max() < test_part.min()


def test_scaling_has_an_exact_inverse(rnn):
    values = np.array([3.0, -1.5, 10.25])
    back = rnn.unstandardise(rnn.standardise(values, 2.0, 4.0), 2.0, 4.0)
    np.testing.assert_array_equal(back, values)


def test_make_data_sine_reproduces_the_shipped_file(tmp_path):
    spec = importlib.util.spec_from_file_location("make_data", REPO_ROOT / "data" / "make_data.py")
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    made = make_data.make_sine(tmp_path / "sinwave.csv")
    assert made.read_bytes() == (REPO_ROOT / "data" / "sinwave.csv").read_bytes()


def test_read_series_skips_a_header(rnn, tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("price\n1.5\n\n2\n-3e-1\n", encoding="utf-8")
    np.testing.assert_array_equal(rnn.read_series(path), [1.5, 2.0, -0.3])


# %% The whole run
def test_default_run_meets_the_one_step_target(run_script, tmp_path):
    result = run_script("rnn", "--plot-dir", tmp_path, "--json", tmp_path / "rnn.json")
    assert result.returncode == 0, result.stderr
    numbers = json.loads((tmp_path / "rnn.json").read_text(encoding="utf-8"))
    assert numbers["one_step_rmse"] <= 0.005
    assert numbers["free_run_rmse"] <= 0.05
    assert numbers["free_run_steps"] >= 500
    assert numbers["one_step_rmse"] < numbers["persistence_rmse"]
    assert set(numbers) == {"one_step_rmse", "free_run_rmse", "free_run_steps",
                            "persistence_rmse", "train_seconds", "seconds"}
    for name in ("rnn_split.png", "rnn_loss.png", "rnn_one_step.png", "rnn_free_run.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "naive" in result.stdout and "Whh" in result.stdout


# %% Bad input
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["no file"]),
        ("", ["no numbers"]),
        ("value\n1.0\nabc\n2.0\n", ["line 3", "not a number"]),
        ("\n".join(["0.5"] * 20) + "\n", ["too few"]),
    ],
    ids=["missing", "empty", "non-numeric", "too-short"],
)
def test_bad_csv_is_one_plain_sentence(run_script, tmp_path, content, words):
    path = tmp_path / "series.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_script("rnn", "--csv", path, "--plot-dir", tmp_path)
    assert_plain_error(result, *words)
    assert not list(tmp_path.glob("*.png"))


def test_non_utf8_csv_is_one_plain_sentence(run_script, tmp_path):
    path = tmp_path / "series.csv"
    path.write_bytes(b"1.0\n\xff\xfe2.0\n")
    assert_plain_error(run_script("rnn", "--csv", path, "--plot-dir", tmp_path), "UTF-8")


@pytest.mark.parametrize(
    ("flags", "word"),
    [(["--seq-len", "0"], "--seq-len"), (["--epochs", "0"], "--epochs"),
     (["--hidden", "0"], "--hidden"), (["--lr", "-1"], "--lr")],
)
def test_nonsense_settings_are_refused(run_script, tmp_path, flags, word):
    assert_plain_error(run_script("rnn", *flags, "--plot-dir", tmp_path), word)

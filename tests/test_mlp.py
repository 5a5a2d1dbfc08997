"""Tests for mlp.py: each exercise on its own, then learning every gate, then the command line.

    python -m pytest tests/test_mlp.py                 # the solution
    python -m pytest --impl stubs tests/test_mlp.py    # your exercise version

The tests of `backward` and `update` compute their inputs with the test's own forward pass, so
each exercise is tested (and reported on the board) by itself. Every test passes its settings
explicitly, so editing the Settings cell of stubs/mlp.py (GATE = "xor") breaks none of them.
"""

import io
import json
import sys

import numpy as np
import pytest
from tutor import check_gradients

from conftest import (
    assert_a_link_is_replaced,
    assert_plain_error,
    assert_usage_error,
    run_in_process,
    snapshot,
)

ORDER = ["Why", "by", "Wxh", "bh"]  # the parameters, output side first
DEFAULTS = {"hidden": 4, "epochs": 2000, "lr": 0.5, "target_error": 0.02}  # the Settings cell's
FLAGS = ["--epochs", 2000, "--lr", 0.5, "--hidden", 4, "--seed", 0]  # ...and on the command line


@pytest.fixture(scope="module")
def mlp(load_script):
    return load_script("mlp")


def random_params(mlp, seed=0, n_inputs=2, n_hidden=4, n_outputs=1):
    """Random weights and non-zero biases, so that every gradient is exercised."""
    rng = np.random.default_rng(seed)
    params = mlp.init_params(n_inputs, n_hidden, n_outputs, rng, scale=1.0)
    params["bh"] = rng.normal(size=params["bh"].shape)
    params["by"] = rng.normal(size=params["by"].shape)
    return params


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_forward(X, params):
    """The test's own forward pass, so that backward is tested without your forward."""
    H = sigmoid(X @ params["Wxh"] + params["bh"])
    return H, sigmoid(H @ params["Why"] + params["by"])


def reference_backward(X, y, params, divide=True, hidden_slope=True):
    """The right gradients, or those of a common mistake (no / rows, no hidden slope)."""
    H, yp = reference_forward(X, params)
    dZy = (yp - y) / (len(X) if divide else 1)
    dZh = dZy @ params["Why"].T * (H * (1 - H) if hidden_slope else 1.0)
    return {"Why": H.T @ dZy, "by": dZy.sum(axis=0, keepdims=True),
            "Wxh": X.T @ dZh, "bh": dZh.sum(axis=0, keepdims=True)}


def numerical_gradient(loss_of, array, step=1e-5):
    """Centred differences: (loss(w + step) - loss(w - step)) / (2 step), one entry at a time."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + step
        plus = loss_of()
        array[index] = saved - step
        minus = loss_of()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * step)
    return grad


# %% The interface shared by Parts 1-3
def test_init_params_names_and_shapes(mlp):
    params = mlp.init_params(3, 5, 2, np.random.default_rng(0))
    assert {name: value.shape for name, value in params.items()} == {
        "Wxh": (3, 5), "bh": (1, 5), "Why": (5, 2), "by": (1, 2)}
    assert not params["bh"].any() and not params["by"].any()  # biases start at zero


# %% Exercise 1: forward
@pytest.mark.exercise("mlp.forward")
def test_forward_on_hand_worked_weights(mlp):
    params = {
        "Wxh": np.array([[1.0, -1.0], [2.0, 0.5]]),
        "bh": np.array([[0.0, 0.5]]),
        "Why": np.array([[1.0], [-2.0]]),
        "by": np.array([[0.25]]),
    }
    yp, (_, H, _) = mlp.forward(np.array([[1.0, 1.0]]), params)
    # hidden sums 1 + 2 + 0 = 3 and -1 + 0.5 + 0.5 = 0; output sum = s(3) - 2 s(0) + 0.25
    s3 = 1 / (1 + np.exp(-3.0))
    np.testing.assert_allclose(H, [[s3, 0.5]], rtol=1e-12, err_msg="H, the hidden units")
    np.testing.assert_allclose(yp, [[1 / (1 + np.exp(-(s3 - 1.0 + 0.25)))]], rtol=1e-12,
                               err_msg="yp, the prediction")


@pytest.mark.exercise("mlp.forward")
def test_forward_shapes_and_values_on_a_batch(mlp):
    params = random_params(mlp, seed=4, n_inputs=3, n_hidden=5, n_outputs=2)
    X = np.random.default_rng(5).normal(size=(6, 3))
    yp, cache = mlp.forward(X, params)
    assert isinstance(cache, tuple) and len(cache) == 3, "forward returns yp, (X, H, yp)"
    _, H, _ = cache
    assert H.shape == (6, 5), f"H should be (rows, hidden) = (6, 5), not {H.shape}"
    assert yp.shape == (6, 2), f"yp should be (rows, outputs) = (6, 2), not {yp.shape}"
    expected_H, expected_yp = reference_forward(X, params)
    np.testing.assert_allclose(H, expected_H, rtol=1e-12, err_msg="H, the hidden units")
    np.testing.assert_allclose(yp, expected_yp, rtol=1e-12, err_msg="yp, the prediction")


# %% Exercise 2: backward
@pytest.mark.exercise("mlp.backward")
def test_every_gradient_matches_a_numerical_gradient(mlp):
    params = random_params(mlp, seed=1, n_inputs=3, n_hidden=5)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 3))  # 4 rows: a missing / rows shows as ratio 4
    y = np.array([[0.0], [1.0], [1.0], [0.0]])

    def loss():
        return mlp.cross_entropy(reference_forward(X, params)[1], y)

    numerical = {name: numerical_gradient(loss, params[name]) for name in ORDER}
    grads = mlp.backward(y, (X, *reference_forward(X, params)),
                         {k: v.copy() for k, v in params.items()})
    mistakes = {
        "no division by the number of rows (step 1: dZy = (yp - y) / rows, rows = len(X))":
            reference_backward(X, y, params, divide=False),
        "the hidden sigmoid's slope is missing (step 4: dZh = dH * sigmoid_grad_from_output(H))":
            reference_backward(X, y, params, hidden_slope=False),
    }
    check_gradients(grads, numerical, ORDER, tolerance=1e-6, mistakes=mistakes)  # ~1e-10 here


@pytest.mark.exercise("mlp.backward")
def test_backward_on_a_batch_of_two_outputs(mlp):
    params = random_params(mlp, seed=6, n_inputs=3, n_hidden=5, n_outputs=2)
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(6, 3)), (rng.random((6, 2)) > 0.5).astype(float)
    expected = reference_backward(X, y, params)
    grads = mlp.backward(y, (X, *reference_forward(X, params)), params)
    check_gradients(grads, expected, ORDER, tolerance=1e-10)


# %% Exercise 3: update
def checked_update(mlp, params, grads, lr):
    """Call the student's update and first check that it left its inputs as they were."""
    before = {name: value.copy() for name, value in {**params, **grads}.items()}
    returned = mlp.update(params, grads, None, lr)
    assert isinstance(returned, tuple) and len(returned) == 2, (
        "update should return two values, new_params and state (as it is: plain gradient "
        f"descent keeps no memory), not a {type(returned).__name__}")
    new, state = returned
    assert state is None, "plain gradient descent keeps no state: return new_params, state"
    changed = [name for name in params if not np.array_equal(params[name], before[name])]
    assert not changed, ("update changed params in place; return new arrays (it changed "
                         f"{', '.join(changed)})")
    changed = [name for name in grads if not np.array_equal(grads[name], before[name])]
    assert not changed, f"update changed its input grads ({', '.join(changed)}); leave it as it is"
    return new


def assert_each_parameter(new, expected, what):
    """Name every parameter that is off, not just the first."""
    assert isinstance(new, dict), f"update should return a dict of new parameters, not {new!r}"
    assert set(new) == set(expected), (f"update returned the names {sorted(new)}; expected "
                                       f"{sorted(expected)} (the names params holds)")
    off = [name for name in expected
           if np.shape(new[name]) != expected[name].shape
           or not np.allclose(new[name], expected[name], rtol=0, atol=1e-12)]
    assert not off, (f"update: {', '.join(off)} {'is' if len(off) == 1 else 'are'} off; each "
                     f"new value should be {what}. "
                     + "; ".join(f"{name}: got {np.asarray(new[name]).ravel()[:3]}..., expected "
                                 f"{expected[name].ravel()[:3]}..." for name in off))


@pytest.mark.exercise("mlp.update")
def test_update_moves_every_parameter_against_its_gradient(mlp):
    params = random_params(mlp, seed=8)
    grads = {"d" + name: np.random.default_rng(9).normal(size=value.shape)
             for name, value in params.items()}
    expected = {name: value - 0.5 * grads["d" + name] for name, value in params.items()}
    new = checked_update(mlp, params, grads, lr=0.5)  # expected was computed before this call
    assert_each_parameter(new, expected, 'params[name] - lr * grads["d" + name]')


@pytest.mark.exercise("mlp.update")
def test_update_uses_the_names_params_holds(mlp):
    params = {"Wxh": np.ones((2, 1)), "bh": np.zeros((1, 1))}
    grads = {"dWxh": np.full((2, 1), 2.0), "dbh": np.ones((1, 1))}
    new = checked_update(mlp, params, grads, lr=0.5)
    assert_each_parameter(new, {"Wxh": np.zeros((2, 1)), "bh": np.array([[-0.5]])},
                          'params[name] - lr * grads["d" + name], for the names in params')


# %% Given code and learning
def test_sigmoid_is_stable_and_its_derivative_takes_the_output(mlp):
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"):
        a = mlp.sigmoid(z)
    np.testing.assert_allclose(a[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-12)
    assert a[0] == 0.0 and a[-1] == 1.0
    assert mlp.sigmoid_grad_from_output(np.array([0.5]))[0] == 0.25


@pytest.mark.parametrize("gate", ["and", "or", "xor"])
@pytest.mark.parametrize("seed", [0, 7, 42])
def test_every_gate_is_learned(mlp, gate, seed):
    y = mlp.GATES[gate]
    params, errors = mlp.train(mlp.INPUTS, y, seed=seed, **DEFAULTS)
    yp, _ = mlp.forward(mlp.INPUTS, params)
    assert mlp.accuracy(yp, y) == 1.0
    assert errors[-1] < DEFAULTS["target_error"] < errors[0] / 10


def test_a_learning_rate_that_blows_up_stops_training_with_a_sentence(mlp):
    with pytest.raises(mlp.InputError, match="--lr"):
        mlp.train(mlp.INPUTS, mlp.GATES["xor"], **{**DEFAULTS, "lr": 1e308, "seed": 0})


# %% The command line (in this process: a new Python per case is slow)
def test_cli_prints_the_truth_table_and_writes_json_and_a_figure(mlp, capsys, tmp_path):
    result = run_in_process(mlp, capsys, "--gate", "xor", *FLAGS, "--json",
                      tmp_path / "out" / "mlp.json", "--plot", "--plot-dir", tmp_path / "figures")
    assert result.returncode == 0, result.stderr
    assert "A  B  target  predicted  probability" in result.stdout
    assert "Wxh 8, bh 4, Why 4, by 1 (total 17)" in result.stdout
    results = json.loads((tmp_path / "out" / "mlp.json").read_text())
    assert list(results["gates"]) == ["xor"] and results["gates"]["xor"]["accuracy"] == 1.0
    assert [p.name for p in (tmp_path / "figures").iterdir()] == ["mlp_xor.png"]


def test_the_settings_cell_drives_a_run_without_flags(mlp, capsys, monkeypatch):
    monkeypatch.setattr(mlp, "GATE", "or")  # as a notebook user edits the Settings cell
    monkeypatch.setattr(mlp, "HIDDEN", 3)
    monkeypatch.setattr(mlp.plumbing, "in_notebook", lambda: False)  # no figures here
    result = run_in_process(mlp, capsys)
    assert result.returncode == 0, result.stderr
    assert "=== OR gate ===" in result.stdout and "AND" not in result.stdout
    assert "network 2-3-1" in result.stdout


def test_the_command_learns_all_three_gates(run_script):
    result = run_script("mlp", "--gate", "all", *FLAGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("accuracy 100%") == 3


@pytest.mark.parametrize("args, words", [
    (["--epochs", "0"], ["--epochs", "at least 1"]),
    (["--lr", "-1"], ["--lr"]),
    (["--hidden", "0"], ["--hidden"]),
    (["--seed", "-1"], ["--seed"]),
])
def test_cli_refuses_bad_settings_in_one_sentence(mlp, capsys, tmp_path, args, words):
    result = run_in_process(mlp, capsys, *args, "--json", tmp_path / "out.json")
    assert_plain_error(result, *words)
    assert not (tmp_path / "out.json").exists()


def test_cli_unknown_gate_keeps_argparse_format(mlp, capsys):
    assert_usage_error(run_in_process(mlp, capsys, "--gate", "nand"), "nand")


def test_hidden_units_that_cannot_fit_in_memory_are_refused_before_training(mlp, capsys):
    result = run_in_process(mlp, capsys, "--hidden", 100_000_000)
    assert_plain_error(result, "--hidden", "GiB")
    assert "gate" not in result.stdout


# %% Ctrl-C, the console and the output guard
def test_ctrl_c_during_training_writes_nothing_and_says_so(mlp, capsys, tmp_path, monkeypatch):
    out, figures = tmp_path / "out.json", tmp_path / "figures"
    figures.mkdir()
    out.write_text("an earlier run\n")
    (figures / "mlp_and.png").write_bytes(b"an earlier figure")
    before = snapshot(tmp_path)
    real = mlp.cross_entropy

    def stopped_in_the_or_gate(yp, y):  # the loop calls it once an epoch
        if np.array_equal(y, mlp.GATES["or"]):
            raise KeyboardInterrupt
        return real(yp, y)

    monkeypatch.setattr(mlp, "cross_entropy", stopped_in_the_or_gate)
    result = run_in_process(mlp, capsys, "--gate", "all", *FLAGS, "--plot", "--plot-dir", figures,
                      "--json", out)
    assert result.returncode == 130, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Ctrl-C" in result.stderr
    assert "=== OR gate ===" in result.stdout  # AND had finished: its figure waits for the rest
    assert snapshot(tmp_path) == before


def test_a_console_that_cannot_show_a_character_still_runs(mlp, tmp_path, monkeypatch):
    console = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")  # a Windows console
    monkeypatch.setattr(sys, "stdout", console)
    figures = tmp_path / "figures \u2192 here"  # an arrow: cp1252 has none
    assert mlp.main(["--gate", "and", *map(str, FLAGS), "--plot", "--plot-dir", str(figures)]) == 0
    console.flush()
    assert b"saved" in console.buffer.getvalue() and (figures / "mlp_and.png").is_file()


@pytest.mark.parametrize("case", ["json_is_this_script", "json_is_the_figure",
                                  "figure_links_to_the_script"])
def test_outputs_never_land_on_the_repo_or_each_other(mlp, capsys, tmp_path, impl_dir, case):
    figures = tmp_path / "figures"
    figures.mkdir()
    script = impl_dir / "mlp.py"
    if case == "figure_links_to_the_script":
        (figures / "mlp_and.png").symlink_to(script)
    json_path = {"json_is_this_script": script,
                 "json_is_the_figure": figures / "mlp_and.png"}.get(case, tmp_path / "o.json")
    before, text = snapshot(tmp_path), script.read_bytes()
    result = run_in_process(mlp, capsys, "--gate", "and", *FLAGS, "--plot", "--plot-dir", figures,
                            "--json", json_path)
    assert_plain_error(result, "--json" if case == "json_is_this_script" else "--plot-dir")
    assert "gate" not in result.stdout  # refused before any training
    assert snapshot(tmp_path) == before and script.read_bytes() == text


def test_a_figure_that_links_elsewhere_is_replaced_not_written_through(mlp, capsys, tmp_path):
    figures = tmp_path / "figures"
    assert_a_link_is_replaced(figures, "mlp_and.png", lambda: run_in_process(
        mlp, capsys, "--gate", "and", *FLAGS, "--plot", "--plot-dir", figures))

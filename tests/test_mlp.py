"""Tests for mlp.py: gradients, a hand-worked forward pass, learning every gate, and the CLI.

    python -m pytest tests/test_mlp.py                 # the solution
    python -m pytest --impl stubs tests/test_mlp.py    # your exercise version
"""

import json

import numpy as np
import pytest

from conftest import assert_plain_error


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


def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


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


def test_every_gradient_matches_a_numerical_gradient(mlp):
    params = random_params(mlp, seed=1, n_inputs=3, n_hidden=5, n_outputs=2)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 3))
    y = (rng.random((6, 2)) > 0.5).astype(float)

    def loss():
        return mlp.cross_entropy(mlp.forward(X, params)[1], y) * y.shape[1]

    H, yp = mlp.forward(X, params)
    grads = mlp.backward(X, y, H, yp, params)
    assert set(grads) == {"d" + name for name in params}
    for name in params:
        expected = numerical_gradient(loss, params[name])
        # The mean in cross_entropy runs over rows and outputs; backward averages over rows.
        assert rel_error(grads["d" + name], expected) < 1e-7, name  # typically about 1e-10


def test_forward_on_hand_worked_weights(mlp):
    params = {
        "Wxh": np.array([[1.0, -1.0], [2.0, 0.5]]),
        "bh": np.array([[0.0, 0.5]]),
        "Why": np.array([[1.0], [-2.0]]),
        "by": np.array([[0.25]]),
    }
    H, yp = mlp.forward(np.array([[1.0, 1.0]]), params)
    # hidden sums 1 + 2 + 0 = 3 and -1 + 0.5 + 0.5 = 0; output sum = s(3) - 2 s(0) + 0.25
    s3 = 1 / (1 + np.exp(-3.0))
    np.testing.assert_allclose(H, [[s3, 0.5]], rtol=1e-12)
    np.testing.assert_allclose(yp, [[1 / (1 + np.exp(-(s3 - 1.0 + 0.25)))]], rtol=1e-12)


def test_sigmoid_is_stable_and_its_derivative_takes_the_output(mlp):
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"):
        a = mlp.sigmoid(z)
    np.testing.assert_allclose(a[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-12)
    assert a[0] == 0.0 and a[-1] == 1.0
    assert mlp.sigmoid_grad_from_output(np.array([0.5]))[0] == 0.25


def test_update_moves_against_the_gradient(mlp):
    params = {"Wxh": np.ones((2, 1)), "bh": np.zeros((1, 1))}
    grads = {"dWxh": np.full((2, 1), 2.0), "dbh": np.ones((1, 1))}
    new = mlp.update(params, grads, lr=0.5)
    np.testing.assert_array_equal(new["Wxh"], np.zeros((2, 1)))
    np.testing.assert_array_equal(new["bh"], [[-0.5]])


@pytest.mark.parametrize("gate", ["and", "or", "xor"])
@pytest.mark.parametrize("seed", [0, 7, 42])
def test_every_gate_is_learned(mlp, gate, seed):
    y = mlp.GATES[gate]
    params, errors = mlp.train(mlp.INPUTS, y, seed=seed)
    _, yp = mlp.forward(mlp.INPUTS, params)
    assert mlp.accuracy(yp, y) == 1.0
    assert errors[-1] < errors[0] / 10


def test_training_error_falls_on_xor(mlp):
    _, errors = mlp.train(mlp.INPUTS, mlp.GATES["xor"], seed=3)
    assert errors[-1] < mlp.TARGET_ERROR < errors[0] / 10


def test_cli_prints_truth_tables_and_writes_json(run_script, tmp_path):
    result = run_script("mlp", "--json", tmp_path / "mlp.json", "--plot",
                        "--plot-dir", tmp_path / "figures")
    assert result.returncode == 0, result.stderr
    assert "A  B  target  predicted  probability" in result.stdout
    results = json.loads((tmp_path / "mlp.json").read_text())
    assert set(results["gates"]) == {"and", "or", "xor"}
    assert all(gate["accuracy"] == 1.0 for gate in results["gates"].values())
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "mlp_and.png", "mlp_or.png", "mlp_xor.png"]


@pytest.mark.parametrize("args, words", [
    (["--gate", "nand"], ["nand"]),
    (["--epochs", "0"], ["--epochs", "at least 1"]),
    (["--lr", "-1"], ["--lr"]),
    (["--hidden", "0"], ["--hidden"]),
])
def test_cli_refuses_bad_settings_in_one_sentence(run_script, tmp_path, args, words):
    result = run_script("mlp", *args, "--json", tmp_path / "out.json")
    assert_plain_error(result, *words)
    assert not (tmp_path / "out.json").exists()

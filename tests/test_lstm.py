"""Tests for lstm.py: the model, windows and normalisation, the predictions, saved models.

    python -m pytest tests/test_lstm.py                 # the solution
    python -m pytest --impl stubs tests/test_lstm.py    # the exercises (fail until done)

The exercises are build_model and, optionally, normalise_windows. Keras tests use tiny models
(a few cells, a few epochs on short series): seconds, not minutes. The tests of the given code
build their own stand-in models, so they pass whatever state the exercises are in. The CSV
reader has its own tests, in test_series_csv.py.
"""

import numpy as np
import pytest

from conftest import optional_exercise
from series_csv import Series


@pytest.fixture(scope="module")
def lstm(load_script):
    return load_script("lstm")


# %% The exercise: build_model
def build(lstm, **settings):
    """build_model (no dropout, LSTM layers unless told), with Keras's complaint about a first
    layer that hands on too little."""
    import keras

    try:
        return lstm.build_model(**{"dropout": 0.0, "learning_rate": 0.01,
                                   "cell": keras.layers.LSTM, **settings})
    except ValueError as error:  # Keras: "expected ndim=3, found ndim=2" for the second layer
        if "ndim=3" not in str(error):
            raise
    cell = settings.get("cell", keras.layers.LSTM).__name__  # LSTM, GRU or SimpleRNN
    pytest.fail(f"Keras could not stack the layers: the second {cell} layer got one vector per "
                f"window, not a sequence. Give the first {cell} layer return_sequences=True, so "
                "that it hands on its output at every step (step 2).")


def lstm_weights(inputs, units):
    """Four gates, each with input weights, recurrent weights and a bias."""
    return 4 * (units * (inputs + units) + units)


@pytest.mark.exercise("lstm.build_model")
def test_build_model_stacks_two_lstm_layers_and_a_linear_output(lstm):
    import keras

    model = build(lstm, seq_len=6, n_columns=2, units=(4, 3), dropout=0.25)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert model.input_shape == (None, 6, 2), (
        f"the model reads inputs of shape {model.input_shape[1:]}; it should read one window, "
        "(seq_len, n_columns) = (6, 2): keras.Input(shape=(seq_len, n_columns)) (step 1)")
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 2, f"the layers are {kinds}: stack two LSTM layers (steps 2 and 4)"
    assert [layer.units for layer in lstms] == [4, 3], (
        f"the LSTM layers have {[layer.units for layer in lstms]} cells; give the first "
        "units[0] = 4 and the second units[1] = 3")
    assert not lstms[1].return_sequences, (
        f"the model gives {model.output_shape[1:]} per window, a value for every step: the "
        "second recurrent layer should hand on only its last output (no return_sequences, "
        "step 4)")
    last = model.layers[-1]
    assert isinstance(last, keras.layers.Dense), (
        f"the last layer is {kinds[-1]}; end with a Dense layer of one output (step 6)")
    assert last.units == 1, (
        f"the Dense layer gives {last.units} outputs; the next value is one number: 1 output")
    assert last.activation.__name__ == "linear", (
        f"the Dense layer squashes its output with {last.activation.__name__}; leave out the "
        "activation (linear), since prices and waves can be any number")
    assert kinds == ["LSTM", "Dropout", "LSTM", "Dropout", "Dense"], (
        f"the layers are {kinds}; put a Dropout layer after each LSTM layer (steps 3 and 5)")
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25, 0.25], f"the Dropout rates are {rates}; use the argument `dropout`"


@pytest.mark.exercise("lstm.build_model")
@pytest.mark.parametrize("n_columns", [1, 2])
def test_build_model_weight_count_and_output(lstm, n_columns):
    model = build(lstm, seq_len=6, n_columns=n_columns, units=(4, 3))
    assert lstm.model_shape(model) == (6, n_columns)
    assert model.output_shape == (None, 1), (
        f"the model gives {model.output_shape[1:]} per window; it should give one value")
    expected = lstm_weights(n_columns, 4) + lstm_weights(4, 3) + (3 + 1)
    assert model.count_params() == expected, (
        f"{model.count_params()} weights, expected {expected}: two LSTM layers of 4 and 3 "
        "cells and a Dense layer of one output")
    assert model.loss == "mse"  # compiled below the exercise


@pytest.mark.exercise("lstm.build_model")
def test_the_model_is_named_after_its_cell(lstm):
    import keras

    names = [build(lstm, seq_len=4, n_columns=1, units=(2, 2),
                   cell=getattr(keras.layers, cell)).name
             for cell in ("LSTM", "GRU", "SimpleRNN")]
    assert names == ["stacked_lstm", "stacked_gru", "stacked_simplernn"]  # model.summary()'s title


@pytest.fixture(scope="module")
def wave():
    return (1.5 + np.sin(np.arange(300) / 8.0))[:, None]  # (300, 1), never zero


@pytest.mark.dev  # seconds of graph building; test_run_lstm.py's tiny run checks the same
@pytest.mark.exercise("lstm.build_model")
def test_a_short_fit_lowers_the_loss(lstm, wave):
    import keras

    keras.utils.set_random_seed(1)
    model = build(lstm, seq_len=10, n_columns=1, units=(8, 8))
    x, y = lstm.inputs_and_targets(lstm.make_windows(wave, 10), normalise=False)
    history = lstm.train(model, x[:-40], y[:-40], x[-40:], y[-40:], epochs=3, batch_size=32,
                         learning_rate=0.01, verbose=0)
    assert history["loss"][-1] < history["loss"][0]
    untrained = np.mean(y[-40:] ** 2)  # an untrained model says about 0: this is its loss
    assert history["val_loss"][-1] < untrained / 2, "three epochs should halve the loss"


# %% The optional exercise: normalise_windows
@pytest.fixture(scope="module")
def several_windows():
    """4 windows of 4 rows and 2 columns: as many windows as rows, so that dividing by
    windows[:, 0, :] (the window axis dropped) broadcasts without an error, but wrongly."""
    rng = np.random.default_rng(0)
    return rng.uniform(50, 150, size=(4, 4, 2))


@pytest.mark.exercise("lstm.normalise_windows")
def test_normalise_windows_divides_each_window_by_its_own_first_row(lstm, several_windows):
    windows = several_windows.copy()
    with optional_exercise():
        normalised = lstm.normalise_windows(windows)
    expected = np.stack([window / window[0] - 1 for window in several_windows])
    dropped_axis = several_windows / several_windows[:, 0, :] - 1  # (4, 4, 2) / (4, 2)
    np.testing.assert_array_equal(windows, several_windows,
                                  err_msg="normalise_windows changed the windows it was given")
    assert np.shape(normalised) == expected.shape, (
        f"the result has shape {np.shape(normalised)}; it should keep the windows' shape "
        f"{expected.shape}")
    if np.allclose(normalised, dropped_axis):
        pytest.fail("every window was divided by the first rows of all windows: keep the window "
                    "axis when taking the first row, shape (n, 1, columns), not (n, columns)")
    np.testing.assert_allclose(normalised, expected, rtol=1e-12, err_msg=(
        "each window divided by its own first row, minus 1"))
    np.testing.assert_array_equal(normalised[:, 0, :], 0.0)


@pytest.mark.exercise("lstm.normalise_windows")
def test_normalise_windows_by_hand(lstm):
    windows = np.array([[[2.0, 10.0], [4.0, 5.0], [1.0, 20.0]],
                        [[5.0, 1.0], [10.0, 3.0], [2.5, 1.0]]])  # (2, 3, 2)
    expected = [[[0.0, 0.0], [1.0, -0.5], [-0.5, 1.0]], [[0.0, 0.0], [1.0, 2.0], [-0.5, 0.0]]]
    with optional_exercise():
        np.testing.assert_allclose(lstm.normalise_windows(windows), expected)


@pytest.mark.exercise("lstm.normalise_windows")
def test_denormalise_is_the_exact_inverse(lstm):
    windows = np.random.default_rng(0).uniform(50, 150, size=(6, 5, 1))
    with optional_exercise():
        normalised = lstm.normalise_windows(windows)
    back = lstm.denormalise(normalised[:, :, 0], windows[:, 0, 0])
    np.testing.assert_allclose(back, windows[:, :, 0], rtol=1e-12)


def test_a_zero_first_value_is_refused(lstm):
    windows = np.array([[[1.0], [2.0]], [[0.0], [3.0]]])
    with pytest.raises(lstm.InputError, match="--no-normalise"):
        lstm.normalise_windows(windows)  # refused before the exercise's code


# %% Windows
def test_windows_hold_inputs_then_the_next_value(lstm):
    values = np.arange(10.0)[:, None]  # (10, 1)
    windows = lstm.make_windows(values, seq_len=3)
    assert windows.shape == (7, 4, 1)
    np.testing.assert_array_equal(windows[2, :, 0], [2, 3, 4, 5])
    x, y = lstm.inputs_and_targets(windows, normalise=False)
    assert x.shape == (7, 3, 1) and y.shape == (7, 1)
    np.testing.assert_array_equal(y[:, 0], x[:, -1, 0] + 1)


def test_time_split_never_tests_on_a_training_target(lstm):
    values = np.arange(100.0)[:, None]
    train, test = lstm.split_by_time(values, train_frac=0.8, seq_len=5)
    train_targets = lstm.make_windows(train, 5)[:, -1, 0]
    test_targets = lstm.make_windows(test, 5)[:, -1, 0]
    assert train_targets.max() == 79 and test_targets.min() == 80
    np.testing.assert_array_equal(test_targets, np.arange(80, 100))
    assert not set(train_targets) & set(test_targets)


# %% Free-running predictions, with hand-made stand-in models
def window_sum(x):
    """A stand-in model that reads the whole window: the sum of every value in it."""
    return x.sum(axis=(1, 2))[:, None]  # (n, 1)


def test_run_free_feeds_predictions_back(lstm):
    windows = np.array([[[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]],
                        [[5.0, 0.0], [6.0, 2.0], [7.0, 0.0]]])  # (2, 3, 2)
    given = windows.copy()
    predictions = lstm.run_free(window_sum, windows, steps=3, normalise=False)
    # By hand: the first window's sum is 5; the next window holds rows 2 and 3 and the new row
    # (5, 1), a copy of the last row with the prediction in column 0: sum 1+0+2+1+5+1 = 10.
    expected = [[5.0, 10.0, 20.0], [20.0, 35.0, 62.0]]
    np.testing.assert_array_equal(predictions, expected)
    np.testing.assert_array_equal(windows, given)  # left untouched


def test_run_free_normalised_and_with_a_second_column(lstm):
    def stay(x):  # a stand-in model: "the next value is the last one", in its own units
        return x[:, -1, :1]

    windows = np.array([[[100.0, 7.0], [110.0, 8.0], [121.0, 9.0]]])  # (1, 3, 2)
    with optional_exercise():
        predictions = lstm.run_free(stay, windows, steps=3, normalise=True)
    np.testing.assert_allclose(predictions, [[121.0, 121.0, 121.0]])


@pytest.fixture(scope="module")
def tiny_model():
    """A small stacked LSTM made here (not by the exercise), with fixed random weights."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8, return_sequences=True),
                              keras.layers.LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_batched_multiple_sequences_equal_the_per_window_loop(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:40, :-1, :]  # (40, 10, 1)
    batched = lstm.predict_sequences_multiple(tiny_model, inputs, 4, normalise=False)
    one_by_one = np.empty((2, 4))  # one window a call, step by step, as the classic loop
    for k in range(2):
        window = inputs[4 * k][None]  # (1, 10, 1)
        for step in range(4):
            one_by_one[k, step] = tiny_model.predict_on_batch(window)[0, 0]
            window = lstm.slide(window, one_by_one[k, step])
    assert batched.shape == (10, 4)
    np.testing.assert_allclose(batched[:2], one_by_one, atol=1e-5)


def test_batched_point_by_point_equals_the_per_window_loop(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:5, :-1, :]  # (5, 10, 1)
    batched = lstm.predict_point_by_point(tiny_model, inputs, normalise=False)
    loop = [tiny_model.predict_on_batch(window[None])[0, 0] for window in inputs]
    np.testing.assert_allclose(batched, loop, atol=1e-5)


def test_full_sequence_runs_as_long_as_the_test_span(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:15, :-1, :]
    full = lstm.predict_sequence_full(tiny_model, inputs, normalise=False)
    assert full.shape == (15,) and np.all(np.isfinite(full))


def test_forecast_length_and_next_trading_dates(lstm, tiny_model, wave):
    import pandas as pd

    dates = pd.bdate_range("2024-01-01", periods=len(wave))  # ends on a Friday
    series = Series(wave, dates, ["Close"])
    values, ahead = lstm.forecast(tiny_model, series, 3, normalise=False)
    assert values.shape == (3,)
    assert ahead[0] > dates[-1] and ahead[0].weekday() == 0  # Friday -> Monday
    _, no_dates = lstm.forecast(tiny_model, Series(wave, None, ["value"]), 2, False)
    assert no_dates is None


# %% Saving and loading
@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # never trained: no optimiser state
def test_save_and_load_give_the_same_predictions(lstm, tiny_model, wave, tmp_path):
    inputs = lstm.make_windows(wave, 10)[:8, :-1, :]
    trained_on = {"normalise": False, "seq_len": 10, "columns": ["Close"], "cell": "lstm"}
    path = lstm.save_model(tiny_model, tmp_path / "tiny.keras", trained_on)
    loaded = lstm.load_model(path)
    np.testing.assert_allclose(lstm.predict_point_by_point(loaded, inputs, False),
                               lstm.predict_point_by_point(tiny_model, inputs, False), atol=1e-6)
    assert sorted(tmp_path.iterdir()) == [path]  # one file; no temporary file left behind
    assert lstm.read_trained_on(path) == trained_on


@pytest.mark.filterwarnings("ignore:Skipping variable loading")
def test_two_saves_of_one_path_at_once_leave_one_whole_model(lstm, tiny_model, wave, tmp_path):
    import threading

    path = tmp_path / "shared.keras"
    settings = [{"normalise": False, "seq_len": 10, "columns": [name], "cell": "lstm"}
                for name in ("first", "second")]
    start = threading.Barrier(2)

    def save(trained_on):
        start.wait()  # both saves begin together, each under its own temporary name
        lstm.save_model(tiny_model, path, trained_on)

    threads = [threading.Thread(target=save, args=(each,)) for each in settings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lstm.read_trained_on(path) in settings  # one of the two, whole
    inputs = lstm.make_windows(wave, 10)[:4, :-1, :]
    np.testing.assert_allclose(lstm.predict_point_by_point(lstm.load_model(path), inputs, False),
                               lstm.predict_point_by_point(tiny_model, inputs, False), atol=1e-6)
    assert sorted(tmp_path.iterdir()) == [path]


def test_saved_settings_missing_or_damaged(lstm, tiny_model, tmp_path):
    import json
    import zipfile

    bare = tmp_path / "bare.keras"
    tiny_model.save(bare)  # by Keras alone: nothing says how it was trained
    assert lstm.read_trained_on(bare) is None
    good = {"normalise": True, "seq_len": 5, "columns": ["Close"]}
    for text in ("{not json", "[1, 2]", json.dumps({**good, "cell": ["gru"]})):
        damaged = tmp_path / "damaged.keras"
        damaged.write_bytes(bare.read_bytes())
        with zipfile.ZipFile(damaged, "a") as archive:
            archive.writestr(lstm.TRAINED_ON, text)
        with pytest.raises(lstm.InputError, match="damaged"):
            lstm.read_trained_on(damaged)


def test_a_file_that_holds_no_model_is_one_sentence(lstm, tmp_path):
    import zipfile

    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "empty.keras").write_bytes(b"")
    (tmp_path / "text.keras").write_text("not a model\n")
    with zipfile.ZipFile(tmp_path / "notes.keras", "w") as archive:
        archive.writestr("notes.txt", "not a model")
    for name, words in [("nowhere.keras", "There is no model at"),
                        ("folder.keras", "is a folder, not a model"), ("empty.keras", "is empty"),
                        ("text.keras", "not a Keras model"), ("notes.keras", "no config.json")]:
        with pytest.raises(lstm.InputError, match=words) as error:
            lstm.load_model(tmp_path / name)
        assert name in str(error.value) and "--save-model" in str(error.value)


def test_keras_start_up_notes_are_silenced_but_python_errors_are_not(lstm, capfd):
    import os

    import plumbing

    with plumbing.silenced_stderr():  # as lstm.py loads Keras: C libraries write to stderr
        os.write(2, b"I0000 cuda_dnn.cc: notes from C code\n")
    os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"


def test_a_model_saved_before_the_cell_was_kept_is_an_lstm(lstm, tiny_model, tmp_path):
    import json
    import zipfile

    path = tmp_path / "older.keras"
    tiny_model.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(lstm.TRAINED_ON, json.dumps({"normalise": True, "seq_len": 10,
                                                      "columns": ["Close"]}))
    assert lstm.read_trained_on(path)["cell"] == "lstm"


# %% The other recurrent layers, and seeding each backend
@pytest.mark.exercise("lstm.build_model")
@pytest.mark.parametrize("kind", ["GRU", "SimpleRNN"])
def test_build_model_stacks_the_recurrent_layer_it_is_given(lstm, kind):
    import keras

    model = build(lstm, seq_len=6, n_columns=2, units=(4, 3), dropout=0.25,
                  cell=getattr(keras.layers, kind))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [kind, "Dropout", kind, "Dropout", "Dense"], (
        f"with cell={kind} the layers are {kinds}: stack two layers of `cell`, the class "
        "given, not keras.layers.LSTM (steps 2 and 4)")
    assert model.output_shape == (None, 1)


@pytest.mark.dev  # a fresh Python that loads Keras on JAX: several seconds
def test_seeding_on_jax_never_imports_tensorflow(impl_dir):
    import importlib.util
    import os
    import subprocess
    import sys

    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed")
    code = ("import sys, lstm; lstm.seed_everything(3); import random, numpy; "
            "print(lstm.BACKEND, 'tensorflow' in sys.modules, random.random(), "
            "numpy.random.rand())")
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(impl_dir)}
    result = subprocess.run([sys.executable, "-c", code], cwd=impl_dir, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    backend, tensorflow, python_draw, numpy_draw = result.stdout.split()
    assert backend == "jax" and tensorflow == "False", result.stdout
    import random

    random.seed(3)
    np.random.seed(3)
    assert (float(python_draw), float(numpy_draw)) == (random.random(), np.random.rand())
    assert "cuda" not in result.stderr.lower(), result.stderr

"""Keras recurrent networks for sequences: windows, scaling, the model, and its predictions.

Part 4 of the evening. Two stacked LSTM layers learn the sine wave that rnn.py learned by hand,
then the S&P 500, then any stock's CSV (read by series_csv.py). This file holds the pieces;
run_lstm.py puts them together and is the one you run (`python run_lstm.py sine`, then
`python run_lstm.py` for the S&P 500). `python lstm.py my_stock.csv` shows what would be read.
adding_problem makes the sequences of `python run_lstm.py memory`, a task that needs the gates.

Exercises (stubs/lstm.py, about 15 minutes):
    build_model()          two stacked recurrent layers (LSTM by default) and a linear output
    normalise_windows()    optional: each window divided by its first value (the S&P 500
                           preset and your own stock need it; the sine preset does not)

Test it:
    python -m pytest tests/test_lstm.py                 # this solution
    python -m pytest --impl stubs tests/test_lstm.py    # your exercise version
"""

import json
import random
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

import plumbing
import series_csv
from plumbing import InputError

# Keras reads its backend from KERAS_BACKEND when first imported: pick it first, and say why.
BACKEND, BACKEND_WHY = plumbing.choose_keras_backend()  # ("jax", "set by KERAS_BACKEND")
with plumbing.silenced_stderr():  # TensorFlow's notes on CUDA drivers, wherever it is installed
    import keras

    keras.ops.zeros(1)  # the first operation starts the backend's device (and its notes)

# %% Settings
# Part 4's settings have one home: run_lstm.py's Settings cell and its PRESETS (one per
# dataset), which pass them to the functions below. Change them there.


# %% Data: windows and scaling
def split_by_time(values, train_frac, seq_len):
    """Cut the series at one moment: the past trains, the future tests.

    The test part starts `seq_len` rows early, so its first target is the first row after the
    training part: its windows read the past, but no test target was ever a training target.
    Returns: train_values (split, columns), test_values (rows - split + seq_len, columns)."""
    split = int(len(values) * train_frac)
    return values[:split], values[split - seq_len:]


def make_windows(values, seq_len):
    """Every run of seq_len + 1 consecutive rows: seq_len inputs, then the target.

    Inputs:  values (rows, columns).
    Returns: windows (rows - seq_len, seq_len + 1, columns); window i covers rows i .. i+seq_len.
    """
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len + 1, axis=0)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def normalise_windows(windows):
    """Each window divided by its own first row, minus 1: relative moves that start at 0.

    A price of 2,500 means nothing to the network; "3% above where this window started" does,
    whatever the price level was that year. Divide, not subtract: a 10-point move matters more
    at 700 than at 2,900.

    Inputs:  windows (n, length, columns) of prices, no first value zero.
    Returns: a new array (n, length, columns) whose [:, 0, :] is all zeros; windows unchanged.
    """
    check_first_values(windows)
    # TODO (optional): scale each window by its first row (S&P 500 and stocks need it, sine not)
    #   1. first: the first row of every window, keeping the window axis, shape (n, 1, columns),
    #      so that it lines up with every row of its own window (slice rows 0:1, not row 0)
    #   2. normalised: every window divided by its own first row, minus 1; numpy repeats first
    #      along the length, and the result is a new array (leave `windows` as it was)
    ### BEGIN SOLUTION
    first = windows[:, :1, :]  # (n, 1, columns)
    normalised = windows / first - 1  # (n, length, columns)
    ### END SOLUTION
    return normalised


def denormalise(normalised, first_values):
    """The exact inverse of normalise_windows: back to prices.

    Inputs:  normalised (n, ...) values; first_values (n,) the first price of each window."""
    first = np.reshape(first_values, (-1,) + (1,) * (np.ndim(normalised) - 1))
    return (np.asarray(normalised) + 1) * first


def inputs_and_targets(windows, normalise):
    """Split windows into what the model reads and what it must say next (column 0).

    Returns: x (n, seq_len, columns), y (n, 1)."""
    windows = normalise_windows(windows) if normalise else windows
    return windows[:, :-1, :], windows[:, -1, :1]


def adding_problem(n, seq_len, rng):
    """Hochreiter and Schmidhuber's adding problem: a task that needs a long memory.

    Each sequence has two channels: a random value in [0, 1) at every step, and a marker that
    is 1 at two steps (one in each half) and 0 elsewhere. The target is the sum of the two
    marked values. The first mark lies seq_len / 2 to seq_len steps back: a network must
    keep a number that long, untouched by the steps between, and always guessing the mean
    (about 1) leaves an RMSE near 0.41, the spread of a sum of two uniform values.

    Inputs:  n sequences of seq_len steps; rng a numpy Generator (same seed, same data).
    Returns: x (n, seq_len, 2) values and markers, y (n, 1) the sums.
    """
    values = rng.uniform(0, 1, (n, seq_len))  # (n, seq_len)
    first = rng.integers(0, seq_len // 2, n)  # (n,) a step in the first half
    second = rng.integers(seq_len // 2, seq_len, n)  # (n,) a step in the second half
    rows = np.arange(n)
    markers = np.zeros((n, seq_len))  # (n, seq_len)
    markers[rows, first] = markers[rows, second] = 1
    x = np.stack([values, markers], axis=-1)  # (n, seq_len, 2)
    y = (values[rows, first] + values[rows, second])[:, None]  # (n, 1)
    return x, y


# %% Model
def build_model(seq_len, n_columns, units, dropout, learning_rate, cell, optimizer="adam"):
    """Two stacked recurrent layers and a linear output, compiled to lower the squared error.

    Inputs:  seq_len, n_columns: the shape of one window; units: (cells of the first layer,
             cells of the second); dropout: the share of each layer's output dropped; cell:
             the recurrent layer class, keras.layers.LSTM (or GRU, SimpleRNN: run_lstm.py
             --cell); optimizer: any optimiser name Keras knows (adam, rmsprop, sgd, ...).
    Returns: a compiled keras.Sequential from (batch, seq_len, n_columns) to (batch, 1).
    """
    # TODO: stack the layers in keras.Sequential([...]) and call the result `model`
    #   The pieces: keras.Input(shape=...), cell(cells, ...) (keras.layers.LSTM unless another
    #   recurrent layer class is given), keras.layers.Dropout(rate), keras.layers.Dense(outputs).
    #   1. the input: one window of seq_len steps with n_columns numbers each
    #   2. a `cell` layer of units[0] cells that hands on its output at EVERY step
    #      (return_sequences=True), because the next recurrent layer reads a whole sequence
    #   3. a Dropout layer that drops the share `dropout` of those outputs in training
    #   4. a `cell` layer of units[1] cells that hands on only its last output, the summary of
    #      the whole window
    #   5. Dropout again
    #   6. a Dense layer with one output and no activation (linear): the next value
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(seq_len, n_columns)),  # (batch, seq_len, columns)
        cell(units[0], return_sequences=True),  # (batch, seq_len, units[0])
        keras.layers.Dropout(dropout),
        cell(units[1]),  # (batch, units[1]): the summary of the whole window
        keras.layers.Dropout(dropout),
        keras.layers.Dense(1),  # (batch, 1): the next value, linear
    ])
    ### END SOLUTION
    model.name = "stacked_" + cell.__name__.lower()  # stacked_lstm, stacked_gru, stacked_simplernn
    optimiser = keras.optimizers.get(optimizer)
    optimiser.learning_rate = learning_rate
    model.compile(optimizer=optimiser, loss="mse")
    return model


def model_shape(model):
    """(seq_len, n_columns) that a model reads."""
    _, seq_len, n_columns = model.input_shape
    return seq_len, n_columns


# %% Training
def seed_everything(seed):
    """Seed every generator a run draws from, so the same command gives the same numbers.

    Keras draws layer seeds (weights, dropout) from Python's generator and shuffles with numpy's;
    TensorFlow and PyTorch keep their own. (keras.utils.set_random_seed would load TensorFlow,
    and its notes, on every backend.)"""
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "tensorflow":
        keras.utils.set_random_seed(seed)  # Python's, numpy's and TensorFlow's (its shuffling)
    elif keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


def cosine_learning_rate(epoch, epochs, learning_rate, floor=0.05):
    """Full speed at first, easing down to floor * learning_rate by the last epoch.

    Big steps find the rough shape fast; small ones at the end settle the fine detail (for a
    stock, that is "about where the last value was", which is most of the answer)."""
    progress = epoch / max(epochs - 1, 1)  # 0 at the first epoch, 1 at the last
    return learning_rate * (floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * progress)))


def train(model, x, y, x_val, y_val, epochs, batch_size, learning_rate, verbose=1, callbacks=()):
    """Fit on the training windows, watching the validation ones; returns the loss per epoch.

    Inputs:  x (n, seq_len, columns), y (n, 1); x_val, y_val the same for validation;
             callbacks, more Keras callbacks (run_lstm.py's live view).
    Returns: {"loss": [...], "val_loss": [...]}, one value per epoch (fewer if the loss stopped
             being a number: training ends there)."""
    schedule = keras.callbacks.LearningRateScheduler(
        lambda epoch: float(cosine_learning_rate(epoch, epochs, learning_rate)))
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, shuffle=True, verbose=verbose,
                        callbacks=[schedule, keras.callbacks.TerminateOnNaN(), *callbacks])
    return {name: [float(value) for value in values]
            for name, values in history.history.items() if name in ("loss", "val_loss")}


# %% Predictions: one step ahead, free running, and past the end of the data
def fast_predict(model):
    """The cheapest way to run the model on one batch of inputs, as a numpy array: unlike
    model.predict (a data pipeline per call) or model(x) (op by op), predict_on_batch reuses one
    compiled function. benchmarks/lstm_predict_speed.py measures all three."""
    return lambda x: keras.ops.convert_to_numpy(model.predict_on_batch(x))  # (batch, 1)


def next_values(predict, windows, normalise):
    """One model call for a batch of windows: the value right after each, in the data's units.

    Inputs:  predict, a function from fast_predict; windows (n, seq_len, columns) in prices.
    Returns: (n,) predictions in prices."""
    x = normalise_windows(windows) if normalise else windows  # (n, seq_len, columns)
    outputs = predict(x)[:, 0]  # (n,) in the model's own units
    return denormalise(outputs, windows[:, 0, 0]) if normalise else outputs


def slide(windows, values):
    """Each window one step on: its first row dropped, a new last row appended.

    The new row is a copy of the last one (other columns, such as Volume, keep their last known
    value) with column 0 set to `values` (n,). Returns new windows; the old ones are unchanged."""
    new_rows = windows[:, -1:, :].copy()  # (n, 1, columns)
    new_rows[:, 0, 0] = values
    return np.concatenate([windows[:, 1:, :], new_rows], axis=1)  # (n, seq_len, columns)


def predict_point_by_point(model, windows, normalise, predict=None):
    """Each prediction from true data only: one step ahead of every window, all in one call."""
    return next_values(predict or fast_predict(model), windows, normalise)


def run_free(predict, windows, steps, normalise):
    """Let the model continue each window by itself, feeding its predictions back in.

    All windows advance together: one model call per step, however many windows there are.
    Inputs:  windows (n, seq_len, columns) of true data; steps, how far to go.
    Returns: predictions (n, steps) in prices."""
    windows = np.array(windows, dtype=float)  # (n, seq_len, columns)
    predictions = np.empty((len(windows), steps))  # (n, steps)
    for step in range(steps):
        predictions[:, step] = next_values(predict, windows, normalise)  # (n,)
        windows = slide(windows, predictions[:, step])
    return predictions


def predict_sequence_full(model, windows, normalise, predict=None):
    """One seed window, then only the model's own predictions, for as many steps as windows."""
    return run_free(predict or fast_predict(model), windows[:1], len(windows), normalise)[0]


def predict_sequences_multiple(model, windows, prediction_len, normalise, predict=None):
    """Restart from true data every prediction_len steps; all sequences advance together.

    Returns: (len(windows) // prediction_len, prediction_len) predictions in prices; sequence
             k starts from windows[k * prediction_len]."""
    starts = windows[: len(windows) // prediction_len * prediction_len : prediction_len]
    return run_free(predict or fast_predict(model), starts, prediction_len, normalise)


def forecast(model, series, horizon, normalise=True, predict=None):
    """Predictions past the end of the data, each built on the ones before it.

    Returns: (values (horizon,) in prices, dates (horizon,) or None when the data has none)."""
    seq_len, _ = model_shape(model)
    last_window = series.values[-seq_len:][None]  # (1, seq_len, columns)
    values = run_free(predict or fast_predict(model), last_window, horizon, normalise)[0]
    dates = None if series.dates is None else pd.bdate_range(  # weekdays (holidays unknown)
        series.dates[-1] + pd.offsets.BDay(1), periods=horizon)
    return values, dates


# %% Plumbing: model files and command line
def check_first_values(windows):
    """Normalising divides by each window's first row, so none of it may be zero."""
    if (windows[:, 0, :] == 0).any():  # run_lstm.check_no_zeros names the row in the file
        raise InputError("A window starts with 0, and normalising divides each window by its "
                         "first value; use --no-normalise for data that reaches zero.")


TRAINED_ON = "trained_on.json"  # inside a saved .keras file: what its model was trained on


def save_model(model, path, trained_on):
    """Save in Keras's .keras format (a zip archive), with `trained_on` (a dict) inside it:
    what the model alone does not know (normalised windows? which columns?), replaced together
    with it or not at all."""
    def write(temporary):
        with plumbing.silenced_stderr():  # saving loads TensorFlow wherever it is installed
            model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            archive.writestr(TRAINED_ON, json.dumps(trained_on, indent=2) + "\n")
    return plumbing.write_atomically(path, write, "--save-model")


def check_model_file(path):
    """A plain sentence unless `path` looks like a .keras file: a zip archive with a config."""
    plumbing.check_input(path, "model", "give a .keras file saved with --save-model")
    if not zipfile.is_zipfile(path):
        problem = "is empty" if path.stat().st_size == 0 else (
            "is not a Keras model file (a .keras file is a zip archive; it may be cut short)")
        raise InputError(f"{path} {problem}; train and save the model again with --save-model.")
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise InputError(f"{path} is a zip archive but not a Keras model (it holds no "
                             "config.json); save one with --save-model.")


def load_model(path):
    """A model saved in Keras's .keras format that reads windows, (steps, columns) -> 1 value.

    Safe mode stays on: a model that holds Python code (a Lambda layer) is refused, never run."""
    path = Path(path)
    check_model_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # notes on optimiser state an untrained model lacks
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a damaged file
        if "arbitrary code" in str(error) or "safe_mode" in str(error):
            raise InputError(f"{path} holds custom code (such as a Lambda layer), which is never "
                             "run from a file; build the model from Keras layers only.") from None
        raise InputError(f"{path} cannot be read as a Keras model ({type(error).__name__}); "
                         "train and save it again with --save-model.") from None
    inputs, outputs = model.input_shape, model.output_shape
    if not (isinstance(inputs, tuple) and len(inputs) == 3 and outputs == (None, 1)):
        raise InputError(f"{path} holds a model from {inputs} to {outputs}, not one that reads "
                         "windows of (steps, columns) and gives one value; train one with "
                         "run_lstm.py --save-model.")
    return model


def read_trained_on(path):
    """What save_model kept inside a .keras file ({"normalise", "seq_len", "columns", "cell"}),
    or None for a model saved by Keras alone. A file saved before "cell" was kept holds an LSTM
    (run_lstm.py checks that the cell's name is one it knows).
    """
    with zipfile.ZipFile(path) as archive:
        if TRAINED_ON not in archive.namelist():
            return None
        text = archive.read(TRAINED_ON)
    try:
        saved = {"cell": "lstm", **json.loads(text)}
    except (ValueError, TypeError):  # not JSON, not UTF-8, or not a dict
        saved = None
    if not (saved and isinstance(saved.get("normalise"), bool)
            and type(saved.get("seq_len")) is int and saved["seq_len"] >= 1
            and isinstance(saved.get("columns"), list) and saved["columns"]
            and all(isinstance(name, str) for name in saved["columns"])
            and isinstance(saved["cell"], str)):
        raise InputError(f"The settings saved inside {path} ({TRAINED_ON}) are damaged; train "
                         "and save the model again with --save-model.")
    return saved


def main(argv=None):
    """Show what run_lstm.py would read from a CSV: series_csv.py's command line."""
    return series_csv.main(argv)


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

# Exercise version of lstm.py, made by stubs/make_stubs.py from the solution one folder up.
# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.
"""Keras LSTMs for sequences: loaders, windows, the model and its three kinds of prediction.

Part 4 of the evening. Two stacked LSTM layers learn the sine wave that rnn.py learned by hand,
then the S&P 500, then any stock's CSV. This file holds the pieces; `run_lstm.py` puts them
together and is the one you run:

    python run_lstm.py            # the S&P 500, judged against "tomorrow = today"
    python run_lstm.py sine       # the sine wave
    python run_lstm.py --csv my_stock.csv

    python lstm.py my_stock.csv   # only check what would be read from a file

Importing this file loads Keras (and its backend: TensorFlow unless KERAS_BACKEND says jax or
torch) but does no other work. Exercises (stubs/lstm.py):
    normalise_windows()      scale each window by its first value
    run_free()               advance many windows at once, one model call per step

Test it:
    python -m pytest tests/test_lstm.py                 # this solution
    python -m pytest --impl stubs tests/test_lstm.py    # your exercise version
"""

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd


@contextlib.contextmanager
def native_stderr_hidden():
    """Hide what compiled code writes to stderr (Python errors still show once it ends)."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# TensorFlow's C++ core greets every start with notes on CUDA drivers and CPU instructions that
# matter to nobody tonight; they are hidden while Keras and its device start up.
with native_stderr_hidden():
    import keras

    keras.ops.zeros(1)  # the first operation starts the backend's device (and its notes)

# %% Settings
SEQ_LEN = 50  # days (or points) of history the model reads before each prediction
TRAIN_FRAC = 0.9  # the first 90% of the rows train the model; the rest test it
VALIDATION_FRAC = 0.1  # the last 10% of the training windows watch for overfitting
UNITS = (32, 32)  # LSTM cells in the first and the second layer
DROPOUT = 0.0  # fraction of each LSTM output dropped in training (0.2 if it overfits)
LEARNING_RATE = 0.01  # the optimiser's first step size; it eases down to 5% of this
OPTIMIZER = "adam"  # any optimiser name Keras knows: adam, rmsprop, sgd, ...
DATE_NAMES = ("date", "datetime", "timestamp", "time")  # header names read as dates
PREFERRED_COLUMNS = ("Close", "Adj Close")  # the price to predict, when none is asked for


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


class Series(NamedTuple):
    """A loaded table: one row per day (or point), the first column is the one predicted."""

    values: np.ndarray  # (rows, columns) floats
    dates: pd.DatetimeIndex | None  # one per row, or None when the file has no dates
    columns: list  # the column names, in the order of `values`


# %% Data
def read_text(path):
    """The file's text, or a plain sentence saying why it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"There is no file at {path}; check the path (the workshop's own data "
                         "comes back with `python data/make_data.py`).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV file and try "
                         "again.") from None
    if not text.strip():
        raise InputError(f"{path} is empty; give a CSV with one number a line, or a header "
                         "row such as Date,Close and one row a day.")
    return text


def has_header(text):
    """True when the first line holds a name (Date, Close, ...) rather than only numbers."""
    first_line = text.strip().splitlines()[0]
    try:
        [float(field) for field in first_line.split(",")]
    except ValueError:
        return True
    return False


def choose_columns(frame, columns, path):
    """The names of the columns to use, the predicted one first."""
    if columns:
        by_lower = {str(name).lower(): name for name in frame.columns}
        missing = [name for name in columns if name.lower() not in by_lower]
        if missing:
            raise InputError(f"{path} has no column named {missing[0]!r}; its columns are "
                             f"{', '.join(map(str, frame.columns))} (pick with --columns).")
        return [by_lower[name.lower()] for name in columns]
    for name in PREFERRED_COLUMNS:
        if name in frame.columns:
            return [name]
    numeric = [name for name in frame.columns if pd.api.types.is_numeric_dtype(frame[name])]
    if len(numeric) == 1:
        return numeric
    raise InputError(f"{path} has no Close column and {len(numeric)} numeric columns; name the "
                     "one to predict with --columns.")


def numeric_column(frame, name, path):
    """A column as floats; missing cells become NaN, text is refused."""
    numbers = pd.to_numeric(frame[name], errors="coerce")
    bad = frame[name][numbers.isna() & frame[name].notna()]
    if len(bad) or np.isinf(numbers).any():
        example = bad.iloc[0] if len(bad) else "inf"
        raise InputError(f"Column {name!r} of {path} holds {example!r}, which is not a number; "
                         "give a column of prices.")
    return numbers.astype(float)


def read_dates(frame, path):
    """The date column parsed, or None when the file has none."""
    names = [name for name in frame.columns if str(name).strip().lower() in DATE_NAMES]
    if not names:
        return None
    dates = pd.to_datetime(frame[names[0]], errors="coerce")
    if dates.isna().all():
        raise InputError(f"Column {names[0]!r} of {path} holds no dates that can be read; write "
                         "them as YYYY-MM-DD.")
    return dates


def load_series(path, columns=None):
    """Read a CSV of prices: one number a line, or a header (Date, Close, ...) and a row a day.

    Inputs:  path; columns, a list of names (the first is predicted) or None for Close,
             else Adj Close, else the only numeric column.
    Returns: a Series (values (rows, columns), dates or None, column names), sorted by date.
    """
    text = read_text(path)
    if has_header(text):
        frame = pd.read_csv(io.StringIO(text), skipinitialspace=True)
        frame.columns = [str(name).strip() for name in frame.columns]
    else:
        if columns:
            raise InputError(f"{path} has no header row, so it has no column named "
                             f"{columns[0]!r}; leave out --columns.")
        frame = pd.read_csv(io.StringIO(text), header=None, usecols=[0], names=["value"])
    names = choose_columns(frame, columns, path)
    table = pd.DataFrame({name: numeric_column(frame, name, path) for name in names})
    dates = read_dates(frame, path)
    if dates is not None:
        table["date"] = dates.to_numpy()  # a row without a date counts as missing too
    complete = table.dropna()
    if len(complete) < len(table):
        print(f"Dropped {len(table) - len(complete)} rows with missing values from {path}.")
    if dates is not None:
        complete = complete.set_index("date").sort_index(kind="stable")
    if len(complete) < 2:
        raise InputError(f"{path} has {len(complete)} usable rows; a series needs many more.")
    found_dates = pd.DatetimeIndex(complete.index) if dates is not None else None
    return Series(complete[names].to_numpy(dtype=float), found_dates, list(names))


def split_by_time(values, train_frac=TRAIN_FRAC, seq_len=SEQ_LEN):
    """Cut the series at one moment: the past trains, the future tests.

    The test part starts `seq_len` rows early, so its first target is the first row after the
    training part: its windows read the past, but no test target was ever a training target.
    Returns: train_values (split, columns), test_values (rows - split + seq_len, columns).
    """
    split = int(len(values) * train_frac)
    return values[:split], values[split - seq_len:]


def make_windows(values, seq_len=SEQ_LEN):
    """Every run of seq_len + 1 consecutive rows: seq_len inputs, then the target.

    Inputs:  values (rows, columns).
    Returns: windows (rows - seq_len, seq_len + 1, columns); window i covers rows i .. i+seq_len.
    """
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len + 1, axis=0)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def check_first_values(windows):
    """Normalising divides by each window's first row, so none of it may be zero."""
    zero = np.flatnonzero((windows[:, 0, :] == 0).any(axis=1))
    if len(zero):
        raise InputError(f"Row {zero[0] + 1} of the data is 0, and normalising divides each "
                         "window by its first value; use --no-normalise for data that "
                         "reaches zero.")


def normalise_windows(windows):
    """Each window divided by its own first row, minus 1.

    A price of 2,500 means nothing to the network; "3% above where this window started" does.
    Every window then starts at 0 and holds small relative moves, whatever the price level was
    that year, so 1999 and 2018 look alike. Divide, not subtract: a 10-point move matters more
    at 700 than at 2,900.

    Inputs:  windows (n, length, columns) of prices, no first value zero.
    Returns: normalised (n, length, columns); normalised[:, 0, :] is all zeros.
    """
    check_first_values(windows)
    # TODO: normalise every window by its own first row
    #   1. take each window's first row, keeping its axis: shape (n, 1, columns)
    #   2. divide the whole window by it (numpy broadcasts over the length)
    #   3. subtract 1, so the window starts at exactly 0
    raise NotImplementedError('TODO: normalise every window by its own first row')
    return normalised


def denormalise(normalised, first_values):
    """The exact inverse of normalise_windows: back to prices.

    Inputs:  normalised (n, ...) values; first_values (n,) the first price of each window.
    """
    first = np.reshape(first_values, (-1,) + (1,) * (np.ndim(normalised) - 1))
    return (np.asarray(normalised) + 1) * first


def inputs_and_targets(windows, normalise):
    """Split windows into what the model reads and what it must say next (column 0).

    Returns: x (n, seq_len, columns), y (n, 1).
    """
    if normalise:
        windows = normalise_windows(windows)
    return windows[:, :-1, :], windows[:, -1, :1]


# %% Model
def build_model(seq_len, n_columns, units=UNITS, dropout=DROPOUT, learning_rate=LEARNING_RATE,
                optimizer=OPTIMIZER):
    """Two stacked LSTM layers with dropout and one linear output, compiled with MSE."""
    model = keras.Sequential([
        keras.Input(shape=(seq_len, n_columns)),  # (batch, seq_len, columns)
        keras.layers.LSTM(units[0], return_sequences=True),  # (batch, seq_len, units[0])
        keras.layers.Dropout(dropout),
        keras.layers.LSTM(units[1]),  # (batch, units[1]): the summary of the whole window
        keras.layers.Dropout(dropout),
        keras.layers.Dense(1, activation="linear"),  # (batch, 1): the next value
    ], name="stacked_lstm")
    optimiser = keras.optimizers.get(optimizer)
    optimiser.learning_rate = learning_rate
    model.compile(optimizer=optimiser, loss="mse")
    return model


def model_shape(model):
    """(seq_len, n_columns) that a model reads."""
    _, seq_len, n_columns = model.input_shape
    return seq_len, n_columns


# %% Training
def cosine_learning_rate(epoch, epochs, learning_rate, floor=0.05):
    """Full speed at first, easing down to floor * learning_rate by the last epoch.

    Big steps find the rough shape fast; small ones at the end settle the fine detail (for a
    stock, that is "about where the last value was", which is most of the answer).
    """
    progress = epoch / max(epochs - 1, 1)  # 0 at the first epoch, 1 at the last
    return learning_rate * (floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * progress)))


def train(model, x, y, x_val, y_val, epochs, batch_size, learning_rate=LEARNING_RATE, verbose=1):
    """Fit on the training windows, watching the validation ones; returns the loss per epoch.

    Inputs:  x (n, seq_len, columns), y (n, 1); x_val, y_val the same for validation.
    Returns: {"loss": [...], "val_loss": [...]}, one value per epoch.
    """
    schedule = keras.callbacks.LearningRateScheduler(
        lambda epoch: float(cosine_learning_rate(epoch, epochs, learning_rate)))
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, shuffle=True, callbacks=[schedule],
                        verbose=verbose)
    return {name: [float(value) for value in values]
            for name, values in history.history.items() if name in ("loss", "val_loss")}


def save_model(model, path):
    """Save in Keras's native .keras format, to a temporary name first."""
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load_model(path):
    """A model saved by save_model; safe mode stays on, so no stored code is ever run."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"There is no model at {path}; train one with --save-model {path}.")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except (ValueError, OSError):
        raise InputError(f"{path} is not a model saved in Keras's .keras format; train one "
                         "with --save-model.") from None


# %% Evaluation: the three kinds of prediction (run_lstm.py draws them)
def fast_predict(model):
    """The cheapest way to run the model on one batch of inputs, as a numpy array.

    model.predict sets up a whole data pipeline on every call (tens of milliseconds), and an
    eager model(x) runs op by op; predict_on_batch reuses one compiled function, on every
    backend. benchmarks/lstm_predict_speed.py measures all three.
    """
    def predict(x):
        return keras.ops.convert_to_numpy(model.predict_on_batch(x))  # (batch, 1)
    return predict


def next_values(predict, windows, normalise):
    """One model call for a batch of windows: the value right after each, in the data's units.

    Inputs:  predict, a function from fast_predict; windows (n, seq_len, columns) in prices.
    Returns: (n,) predictions in prices.
    """
    x = normalise_windows(windows) if normalise else windows  # (n, seq_len, columns)
    outputs = predict(x)[:, 0]  # (n,) in the model's own units
    return denormalise(outputs, windows[:, 0, 0]) if normalise else outputs


def predict_point_by_point(model, windows, normalise, predict=None):
    """Each prediction from true data only: one step ahead of every window, all in one call."""
    return next_values(predict or fast_predict(model), windows, normalise)


def run_free(predict, windows, steps, normalise):
    """Let the model continue each window by itself, feeding its predictions back in.

    Inputs:  windows (n, seq_len, columns) of true data; steps, how far to go.
    Returns: predictions (n, steps) in prices. Other columns (Volume, ...) keep their last
             known value, since the model only predicts column 0.
    """
    windows = np.array(windows, dtype=float)  # a copy: (n, seq_len, columns)
    predictions = np.empty((len(windows), steps))  # (n, steps)
    for step in range(steps):
        # TODO: advance every window one step, with a single model call for all of them
        #   1. predictions[:, step] = the next value of every window (next_values, one call)
        #   2. new rows: a copy of each window's last row, shape (n, 1, columns),
        #      with column 0 replaced by the prediction
        #   3. slide the windows: drop each first row and append its new row
        raise NotImplementedError('TODO: advance every window one step, with a single model call for all of them')
    return predictions


def predict_sequence_full(model, windows, normalise, predict=None):
    """One seed window, then only the model's own predictions, for as many steps as windows."""
    return run_free(predict or fast_predict(model), windows[:1], len(windows), normalise)[0]


def predict_sequences_multiple(model, windows, prediction_len, normalise, predict=None):
    """Restart from true data every prediction_len steps; all sequences advance together.

    Returns: (len(windows) // prediction_len, prediction_len) predictions in prices; sequence
             k starts from windows[k * prediction_len].
    """
    starts = windows[: len(windows) // prediction_len * prediction_len : prediction_len]
    return run_free(predict or fast_predict(model), starts, prediction_len, normalise)


def predict_sequences_one_by_one(model, windows, prediction_len, normalise, predict=None):
    """The classic way, kept to compare: one model.predict call per window per step (slow)."""
    predict = predict or (lambda x: model.predict(x, verbose=0))
    sequences = []
    for start in range(0, len(windows) // prediction_len * prediction_len, prediction_len):
        window = np.array(windows[start], dtype=float)  # (seq_len, columns)
        sequence = []
        for _ in range(prediction_len):
            value = next_values(predict, window[None], normalise)[0]
            sequence.append(value)
            new_row = window[-1:].copy()  # (1, columns)
            new_row[0, 0] = value
            window = np.concatenate([window[1:], new_row])
        sequences.append(sequence)
    return np.array(sequences).reshape(-1, prediction_len)


def next_trading_dates(last_date, count):
    """The next `count` weekdays after last_date (holidays are not known)."""
    return pd.bdate_range(last_date + pd.offsets.BDay(1), periods=count)


def forecast(model, series, horizon, normalise=True, predict=None):
    """Predictions past the end of the data, each built on the ones before it.

    Returns: (values (horizon,) in prices, dates (horizon,) or None when the data has none).
    """
    seq_len, _ = model_shape(model)
    last_window = series.values[-seq_len:][None]  # (1, seq_len, columns)
    values = run_free(predict or fast_predict(model), last_window, horizon, normalise)[0]
    dates = next_trading_dates(series.dates[-1], horizon) if series.dates is not None else None
    return values, dates


# %% Command line
def main(argv=None):
    """Check a CSV the way run_lstm.py will read it, without training anything."""
    parser = argparse.ArgumentParser(description="Show what lstm.py reads from a CSV; train "
                                     "with run_lstm.py.")
    parser.add_argument("csv", help="a file of one number a line, or with a header row")
    parser.add_argument("--columns", help="columns to read, the predicted one first")
    args = parser.parse_args(argv)
    try:
        series = load_series(args.csv, args.columns.split(",") if args.columns else None)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    dates = "" if series.dates is None else f", {series.dates[0]:%Y-%m-%d} .. " \
        f"{series.dates[-1]:%Y-%m-%d}"
    print(f"{args.csv}: {len(series.values):,} rows{dates}; columns {series.columns}, the "
          f"first is predicted; first row {series.values[0]}, last {series.values[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

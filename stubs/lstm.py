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
import json
import os
import re
import sys
import warnings
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
# SEQ_LEN, TRAIN_FRAC, UNITS, DROPOUT and LEARNING_RATE are only the defaults of the functions
# below: `python run_lstm.py` passes its own for each dataset (run_lstm.PRESETS), so edit those
# to change a run. VALIDATION_FRAC, OPTIMIZER and the two name lists apply to every run.
SEQ_LEN = 50  # days (or points) of history the model reads before each prediction
TRAIN_FRAC = 0.9  # the first 90% of the rows train the model; the rest test it
VALIDATION_FRAC = 0.1  # the last 10% of the training windows watch for overfitting
UNITS = (32, 32)  # LSTM cells in the first and the second layer
DROPOUT = 0.0  # fraction of each LSTM output dropped in training (0.2 if it overfits)
LEARNING_RATE = 0.01  # the optimiser's first step size; it eases down to 5% of this
OPTIMIZER = "adam"  # any optimiser name Keras knows: adam, rmsprop, sgd, ...
DATE_NAMES = ("date", "datetime", "timestamp", "time")  # header names read as dates (any case)
PREFERRED_COLUMNS = ("Close", "Adj Close")  # the price to predict (any case: close too)


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


class Series(NamedTuple):
    """A loaded table: one row per day (or point), the first column is the one predicted."""

    values: np.ndarray  # (rows, columns) floats
    dates: pd.DatetimeIndex | None  # one per row, or None when the file has no dates
    columns: list  # the column names, in the order of `values`
    lines: np.ndarray | None = None  # (rows,) each row's line number in the file, if read from one


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


def csv_format(first_line, text):
    """How the file writes its table: pandas' sep, decimal and thousands options.

    The separator is whichever of comma, semicolon and tab the first line holds most of (a
    comma when it holds none). A file split by ; or tabs whose numbers hold a comma between
    digits writes 2575,21 for 2575.21; a comma file may write "2,575.21" in quotes.
    """
    separator = max(",;\t", key=first_line.count)  # ties and none: the comma
    decimal_comma = separator != "," and re.search(r"\d,\d", text) is not None
    return {"sep": separator, "decimal": "," if decimal_comma else ".",
            "thousands": None if decimal_comma else ","}


def is_number(text):
    """True for text such as 1.5 or -2e3."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def has_header(first_line, separator, path):
    """True when the first line holds names (Date, Close, ...), False when it holds numbers."""
    fields = first_line.split(separator)
    numbers = [is_number(field) for field in fields]
    if all(numbers):
        return False
    if any(numbers):
        raise InputError(f"The first line of {path}, {first_line!r}, mixes numbers and names; "
                         "add a header row such as Date,Close above the data.")
    return True


def parse_csv(text, path, **options):
    """pandas' read_csv on the text, with its complaints about uneven rows as one sentence."""
    try:
        return pd.read_csv(io.StringIO(text), skipinitialspace=True, skip_blank_lines=False,
                           **options)
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise InputError(f"{path} is not an even table ({detail}); give every row the same "
                         "fields as the first.") from None


def read_table(text, path, columns):
    """The file as a table, indexed by each row's line number in the file.

    A header row gives the columns their names; a file without one must hold one number a
    line, and its column is called "value".
    """
    body = text.lstrip("\r\n")  # blank lines above the table
    first_line = body.splitlines()[0].strip()
    options = csv_format(first_line, body)
    header = has_header(first_line, options["sep"], path)
    if not header and columns:
        raise InputError(f"{path} has no header row, so it has no column named "
                         f"{columns[0]!r}; leave out --columns.")
    frame = parse_csv(body, path, header=0 if header else None, **options)
    if not header and frame.shape[1] > 1:
        raise InputError(f"{path} has no header row but {frame.shape[1]} fields a line, such "
                         f"as {first_line!r}; write one number a line with a decimal point "
                         "(2575.21, not 2575,21), or add a header row such as Date,Close.")
    frame.columns = [str(name).strip() for name in frame.columns] if header else ["value"]
    frame = frame.dropna(how="all")  # blank lines hold nothing
    frame.index += text[:len(text) - len(body)].count("\n") + 1 + header  # line numbers from 1
    return frame


def choose_columns(frame, columns, path):
    """The names of the columns to use, the predicted one first (names match in any case)."""
    by_lower = {str(name).lower(): name for name in frame.columns}
    if columns:
        missing = [name for name in columns if name.lower() not in by_lower]
        if missing:
            raise InputError(f"{path} has no column named {missing[0]!r}; its columns are "
                             f"{', '.join(map(str, frame.columns))} (pick with --columns).")
        return [by_lower[name.lower()] for name in columns]
    for name in PREFERRED_COLUMNS:
        if name.lower() in by_lower:
            return [by_lower[name.lower()]]
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


def text_to_dates(texts, dayfirst):
    """Dates from text (NaT where empty or unreadable), and the non-empty ones left unread."""
    present = texts != ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on the format it guessed
        dates = pd.to_datetime(texts.where(present), errors="coerce", dayfirst=dayfirst)
    return dates, present & dates.isna()


def parse_dates(column):
    """A column read as dates: ISO or month first (12/31/2018), else day first (31/12/2018).

    Returns: (dates, unread); dates is NaT for empty cells, unread marks the non-empty cells
             that are not dates either way.
    """
    texts = column.astype("string").fillna("").str.strip()
    dates, unread = text_to_dates(texts, dayfirst=False)
    if unread.any():  # 02/01/2018 read month first leaves 13/01/2018 unread: try day first
        day_first = text_to_dates(texts, dayfirst=True)
        if day_first[1].sum() < unread.sum():
            dates, unread = day_first
    return dates, unread


def read_dates(frame, names, path):
    """The dates of the rows, or None when the file has none.

    The date column is one named as in DATE_NAMES, else the first column when most of its
    cells read as dates (Day, Datum, ...). A date that cannot be read is refused.
    """
    named = [name for name in frame.columns if name.lower() in DATE_NAMES]
    name = named[0] if named else frame.columns[0]
    if not named and (name in names or pd.api.types.is_numeric_dtype(frame[name])):
        return None
    dates, unread = parse_dates(frame[name])
    if not named and unread.sum() * 2 >= frame[name].notna().sum():
        return None  # a first column of names or codes, not dates
    if unread.any():
        raise InputError(f"Column {name!r} of {path} holds {unread.sum()} dates that cannot be "
                         f"read, such as {frame[name][unread].iloc[0]!r}; write them as "
                         "YYYY-MM-DD.")
    return dates


def drop_repeated_dates(table, path):
    """The rows sorted by date, keeping only the last row (in the file) of each date."""
    table = table.sort_values("date", kind="stable")  # equal dates keep the file's order
    repeated = table["date"].duplicated(keep="last")
    if repeated.any():
        print(f"Dropped {repeated.sum()} rows of {path} whose date comes again later in the "
              "file (kept the last row of each date).")
    return table[~repeated]


def load_series(path, columns=None):
    """Read a CSV of prices: one number a line, or a header (Date, Close, ...) and a row a day.

    Inputs:  path; columns, a list of names (the first is predicted) or None for Close,
             else Adj Close, else the only numeric column.
    Returns: a Series (values (rows, columns), dates or None, column names, line numbers),
             sorted by date when the file has dates, else in the file's order.
    """
    text = read_text(path)
    frame = read_table(text, path, columns)
    names = choose_columns(frame, columns, path)
    table = pd.DataFrame({name: numeric_column(frame, name, path) for name in names})
    dates = read_dates(frame, names, path)
    if dates is not None:
        table["date"] = dates  # an empty date counts as a missing value
    complete = table.dropna()
    if len(complete) < len(table):
        print(f"Dropped {len(table) - len(complete)} rows with missing values from {path}.")
    if dates is not None:
        complete = drop_repeated_dates(complete, path)
    if len(complete) < 2:
        raise InputError(f"{path} has {len(complete)} usable rows; a series needs many more.")
    found_dates = pd.DatetimeIndex(complete["date"]) if dates is not None else None
    return Series(complete[names].to_numpy(dtype=float), found_dates, list(names),
                  complete.index.to_numpy())


def check_no_zeros(series, path):
    """Normalising divides each window by its first row, so no value may be 0: name the first.

    Call it before normalising; it names the file's line (and date) and the way out.
    """
    rows, columns = np.nonzero(series.values == 0)
    if not len(rows):
        return
    row, name = rows[0], series.columns[columns[0]]
    where = f"line {series.lines[row]}" if series.lines is not None else f"row {row + 1}"
    when = f" ({series.dates[row]:%Y-%m-%d})" if series.dates is not None else ""
    fix = ("use --no-normalise for data that reaches zero" if columns[0] == 0
           else f"leave {name!r} out of --columns")
    raise InputError(f"{where.capitalize()} of {path}{when} has {name} = 0, and normalising "
                     f"divides each window by its first value; {fix}.")


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
    if (windows[:, 0, :] == 0).any():  # check_no_zeros names the row in the file
        raise InputError("A window starts with 0, and normalising divides each window by its "
                         "first value; use --no-normalise for data that reaches zero.")


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


def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def settings_path(path):
    """Where save_model keeps what a model was trained on: beside it, as <name>.keras.json."""
    path = Path(path)
    return path.with_name(f"{path.name}.json")


def save_model(model, path, normalise, columns):
    """Save in Keras's native .keras format, and beside it what the model was trained on.

    The model alone does not know whether its windows were normalised, so that, its window
    length and its columns go to <name>.keras.json. Both are written to temporary names first.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    trained_on = {"normalise": bool(normalise), "seq_len": model_shape(model)[0],
                  "columns": [str(name) for name in columns]}
    write_atomically(settings_path(path), json.dumps(trained_on, indent=2) + "\n")
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


def load_model_settings(path):
    """What save_model wrote beside a model ({"normalise", "seq_len", "columns"}), or None."""
    sidecar = settings_path(path)
    if not sidecar.is_file():
        return None
    try:
        saved = json.loads(sidecar.read_text(encoding="utf-8"))
    except ValueError:  # not JSON, or not UTF-8
        saved = None
    if not isinstance(saved, dict) or not isinstance(saved.get("normalise"), bool):
        raise InputError(f"{sidecar} does not hold the settings that --save-model writes; "
                         "delete it, or train and save the model again.")
    return saved


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
        columns = [name.strip() for name in args.columns.split(",")] if args.columns else None
        series = load_series(args.csv, columns)
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

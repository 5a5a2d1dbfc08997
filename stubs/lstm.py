# Exercise version of lstm.py, made by stubs/make_stubs.py from the solution one folder up.
# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.
"""Keras LSTMs for sequences: windows, scaling, the model, and its three kinds of prediction.

Part 4 of the evening. Two stacked LSTM layers learn the sine wave that rnn.py learned by hand,
then the S&P 500, then any stock's CSV. This file holds the pieces; run_lstm.py puts them
together and is the one you run:

    python run_lstm.py sine       # the sine wave
    python run_lstm.py            # the S&P 500, judged against "tomorrow = today"
    python lstm.py my_stock.csv   # only show what would be read from a file

Exercises (stubs/lstm.py):
    build_model()          two stacked LSTM layers and a linear output, in Keras
    normalise_windows()    optional: each window divided by its first value (the S&P 500
                           preset and your own stock need it; the sine preset does not)

Test it:
    python -m pytest tests/test_lstm.py                 # this solution
    python -m pytest --impl stubs tests/test_lstm.py    # your exercise version
"""

import argparse
import io
import json
import os
import re
import sys
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

# Keras starts its backend (TensorFlow unless KERAS_BACKEND says jax or torch) here. TensorFlow's
# C++ core greets every start with notes on CUDA drivers, written straight to the process's
# stderr before TF_CPP_MIN_LOG_LEVEL is read (TensorFlow 2.21 prints them even at level 3), so
# stderr points at the null device while Keras and its first operation start.
sys.stderr.flush()
saved_stderr, null_device = os.dup(2), os.open(os.devnull, os.O_WRONLY)
os.dup2(null_device, 2)
try:
    import keras

    keras.ops.zeros(1)  # the first operation starts the backend's device (and its notes)
finally:
    os.dup2(saved_stderr, 2)
    os.close(saved_stderr)
    os.close(null_device)

# %% Settings
# run_lstm.py passes its own SEQ_LEN, UNITS, DROPOUT and LEARNING_RATE for each dataset
# (run_lstm.PRESETS); the values here are the defaults of the functions below.
SEQ_LEN = 50  # days (or points) of history the model reads before each prediction
TRAIN_FRAC = 0.9  # the first 90% of the rows train the model; the rest test it
VALIDATION_FRAC = 0.1  # the last 10% of the training windows watch for overfitting
UNITS = (32, 32)  # LSTM cells in the first and the second layer
DROPOUT = 0.0  # fraction of each LSTM output dropped in training (0.2 if it overfits)
LEARNING_RATE = 0.01  # the optimiser's first step size; it eases down to 5% of this
OPTIMIZER = "adam"  # any optimiser name Keras knows: adam, rmsprop, sgd, ...
CSV = "data/sp500.csv"  # the file `python lstm.py` describes when given none (from the repo)
DATE_NAMES = ("date", "datetime", "timestamp", "time")  # header names read as dates (any case)
PREFERRED_COLUMNS = ("Close", "Adj Close")  # the price to predict (any case: close too)
STOCK_NAMES = ("symbol", "ticker", "name", "stock")  # a text column that tells stocks apart


# %% Data: windows and scaling
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
    raise NotImplementedError('TODO (optional): scale each window by its first row (S&P 500 and stocks need it, sine not)')
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
    """Two stacked LSTM layers and one linear output, compiled to lower the mean squared error.

    Inputs:  seq_len, n_columns: the shape of one window; units: (cells of the first LSTM
             layer, cells of the second); dropout: the share of each LSTM output dropped.
    Returns: a compiled keras.Sequential from (batch, seq_len, n_columns) to (batch, 1).
    """
    # TODO: stack the layers in keras.Sequential([...]) and call the result `model`
    #   The pieces: keras.Input(shape=...), keras.layers.LSTM(cells, ...),
    #   keras.layers.Dropout(rate) and keras.layers.Dense(outputs).
    #   1. the input: one window of seq_len steps with n_columns numbers each
    #   2. an LSTM layer of units[0] cells that hands on its output at EVERY step
    #      (return_sequences=True), because the next LSTM layer reads a whole sequence
    #   3. a Dropout layer that drops the share `dropout` of those outputs in training
    #   4. an LSTM layer of units[1] cells that hands on only its last output, the summary
    #      of the whole window
    #   5. Dropout again
    #   6. a Dense layer with one output and no activation (linear): the next value
    raise NotImplementedError('TODO: stack the layers in keras.Sequential([...]) and call the result `model`')
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
    Returns: {"loss": [...], "val_loss": [...]}, one value per epoch (fewer if the loss stopped
             being a number: training ends there).
    """
    schedule = keras.callbacks.LearningRateScheduler(
        lambda epoch: float(cosine_learning_rate(epoch, epochs, learning_rate)))
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, shuffle=True, verbose=verbose,
                        callbacks=[schedule, keras.callbacks.TerminateOnNaN()])
    return {name: [float(value) for value in values]
            for name, values in history.history.items() if name in ("loss", "val_loss")}


# %% Predictions: one step ahead, free running, and past the end of the data
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


def slide(windows, values):
    """Each window one step on: its first row dropped, a new last row appended.

    The new row is a copy of the last one (other columns, such as Volume, keep their last known
    value) with column 0 set to `values` (n,). Returns new windows; the old ones are unchanged.
    """
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
    Returns: predictions (n, steps) in prices.
    """
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
             k starts from windows[k * prediction_len].
    """
    starts = windows[: len(windows) // prediction_len * prediction_len : prediction_len]
    return run_free(predict or fast_predict(model), starts, prediction_len, normalise)


def predict_sequences_one_by_one(model, windows, prediction_len, normalise, predict=None):
    """The classic way, kept to compare: one model.predict call per window per step (slow)."""
    predict = predict or (lambda x: model.predict(x, verbose=0))
    starts = windows[: len(windows) // prediction_len * prediction_len : prediction_len]
    sequences = np.empty((len(starts), prediction_len))  # (n_sequences, prediction_len)
    for k, start in enumerate(starts):
        window = np.array(start[None], dtype=float)  # (1, seq_len, columns)
        for step in range(prediction_len):
            sequences[k, step] = next_values(predict, window, normalise)[0]
            window = slide(window, sequences[k, step])
    return sequences


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


# %% Plumbing: files and command line
class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


def in_notebook():
    """True when these cells run in a Jupyter kernel (a notebook, VS Code's cells): the
    kernel's own command line is not ours."""
    return "__file__" not in globals() or Path(sys.argv[0]).name == "ipykernel_launcher.py"


def find_repo_root():
    """The first folder upward that holds data/: from this file, or in a notebook from the
    working folder, so the copies under stubs/ find the same data/."""
    start = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
    for folder in (start, *start.parents):
        if (folder / "data").is_dir():
            return folder
    return start


def check_first_values(windows):
    """Normalising divides by each window's first row, so none of it may be zero."""
    if (windows[:, 0, :] == 0).any():  # check_no_zeros names the row in the file
        raise InputError("A window starts with 0, and normalising divides each window by its "
                         "first value; use --no-normalise for data that reaches zero.")


class Series(NamedTuple):
    """A loaded table: one row per day (or point), the first column is the one predicted."""

    values: np.ndarray  # (rows, columns) floats
    dates: pd.DatetimeIndex | None  # one per row, or None when the file has no dates
    columns: list  # the column names, in the order of `values`
    lines: np.ndarray | None = None  # (rows,) each row's line number in the file, if read from one


def shorten(text, length=40):
    """Text cut to `length` characters for a message, with ... where it was cut."""
    return text if len(text) <= length else text[:length] + "..."


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


def has_header(fields, first_line, path):
    """True when the first line holds names (Date, Close, ...), False when it holds numbers."""
    numbers = [is_number(field) for field in fields]
    if all(numbers):
        return False
    if any(numbers):
        raise InputError(f"The first line of {path}, {shorten(first_line)!r}, mixes numbers and "
                         "names; add a header row such as Date,Close above the data.")
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


def check_headerless(fields, body, columns, path):
    """A file without a header row must hold one number a line (its column is "value")."""
    if columns:
        raise InputError(f"{path} has no header row, so it has no column named "
                         f"{columns[0]!r}; leave out --columns.")
    if len(fields) > 1 and "\n" not in body.strip():
        raise InputError(f"{path} holds {len(fields):,} numbers on one line; write one number a "
                         "line, or add a header row such as Date,Close above one row a day.")
    if len(fields) > 1:
        raise InputError(f"{path} has no header row but {len(fields):,} fields a line, such as "
                         f"{shorten(body.splitlines()[0].strip())!r}; write one number a line "
                         "with a decimal point (2575.21, not 2575,21), or add a header row "
                         "such as Date,Close.")


def read_table(text, path, columns):
    """The file as a table, indexed by each row's line number in the file.

    A header row gives the columns their names; a file without one must hold one number a
    line, and its column is called "value".
    """
    body = text.lstrip("\r\n")  # blank lines above the table
    first_line = body.split("\n", 1)[0].strip()
    options = csv_format(first_line, body)
    fields = first_line.split(options["sep"])
    header = has_header(fields, first_line, path)
    if not header:
        check_headerless(fields, body, columns, path)
    frame = parse_csv(body, path, header=0 if header else None, **options)
    frame.columns = [str(name).strip() for name in frame.columns] if header else ["value"]
    frame = frame.dropna(how="all")  # blank lines hold nothing
    frame.index += text[:len(text) - len(body)].count("\n") + 1 + header  # line numbers from 1
    return frame


def pick_stock(frame, symbol, path):
    """Only one stock's rows, when a text column (symbol, ticker, name) tells several apart."""
    names = [name for name in frame.columns if name.lower() in STOCK_NAMES
             and not pd.api.types.is_numeric_dtype(frame[name])]
    if not names:
        if symbol is not None:
            raise InputError(f"{path} has no column that tells stocks apart (such as symbol, "
                             "ticker or name); leave out --symbol.")
        return frame
    labels = frame[names[0]].astype("string").str.strip()
    stocks = list(labels.dropna().unique())
    listed = ", ".join(stocks[:5]) + (f" and {len(stocks) - 5} more" if len(stocks) > 5 else "")
    if symbol is None and len(stocks) > 1:
        raise InputError(f"{path} holds {len(stocks)} stocks told apart by its {names[0]!r} "
                         f"column ({listed}); pick one with --symbol {stocks[0]}.")
    if symbol is None:
        return frame
    chosen = (labels.str.upper() == symbol.strip().upper()).fillna(False).to_numpy(dtype=bool)
    if not chosen.any():
        raise InputError(f"{path} has no rows whose {names[0]!r} is {symbol!r}; its stocks are "
                         f"{listed} (pick one with --symbol).")
    print(f"Using the {chosen.sum():,} rows of {path} whose {names[0]!r} is {symbol} "
          f"(the file holds {len(stocks)} stocks).")
    return frame[chosen]


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
    """A column as floats; missing cells become NaN; text and infinities are refused."""
    with np.errstate(invalid="ignore"):
        numbers = pd.to_numeric(frame[name], errors="coerce").astype(float)
    infinite = np.isinf(numbers)
    bad = frame[name][(numbers.isna() & frame[name].notna()) | infinite]
    if len(bad):
        kind = "finite number" if infinite[bad.index[0]] else "number"
        raise InputError(f"Line {bad.index[0]} of {path} holds {shorten(str(bad.iloc[0]))!r} "
                         f"in column {name!r}, which is not a {kind}; give a column of prices.")
    return numbers


def text_to_dates(texts, dayfirst):
    """Dates from text (NaT where empty or unreadable), and the non-empty ones left unread."""
    present = texts != ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on the format it guessed
        dates = pd.to_datetime(texts.where(present), errors="coerce", dayfirst=dayfirst)
    return dates, present & dates.isna()


def parse_dates(column):
    """A column read as dates: ISO or month first (12/31/2018), else day first (31/12/2018).

    pandas reads the whole column in the format of its first date. Returns: (dates, unread);
    dates is NaT for empty cells, unread marks the non-empty cells not read either way.
    """
    texts = column.astype("string").fillna("").str.strip()
    dates, unread = text_to_dates(texts, dayfirst=False)
    if unread.any():  # 02/01/2018 read month first leaves 13/01/2018 unread: try day first
        day_first = text_to_dates(texts, dayfirst=True)
        if day_first[1].sum() < unread.sum():
            dates, unread = day_first
    return dates, unread


def is_date_alone(text):
    """True when pandas reads this one text as a date, in whatever format it is written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return pd.notna(pd.to_datetime(text, errors="coerce"))


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
        line, example = frame[name][unread].index[0], str(frame[name][unread].iloc[0])
        if is_date_alone(example):  # readable on its own: the column mixes two formats
            first = str(frame[name][dates.notna()].iloc[0])
            raise InputError(f"Column {name!r} of {path} mixes date formats, such as {first!r} "
                             f"and {example!r} (line {line}); write them all as YYYY-MM-DD.")
        raise InputError(f"Column {name!r} of {path} holds {unread.sum()} dates that cannot be "
                         f"read, such as {shorten(example)!r} (line {line}); write them as "
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


def load_series(path, columns=None, symbol=None):
    """Read a CSV of prices: one number a line, or a header (Date, Close, ...) and a row a day.

    Inputs:  path; columns, a list of names (the first is predicted) or None for Close,
             else Adj Close, else the only numeric column; symbol, the stock to keep when a
             column (symbol, ticker, name) tells several apart.
    Returns: a Series (values (rows, columns), dates or None, column names, line numbers),
             sorted by date when the file has dates, else in the file's order.
    """
    frame = pick_stock(read_table(read_text(path), path, columns), symbol, path)
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


TRAINED_ON = "trained_on.json"  # inside a saved .keras file: what its model was trained on


def save_model(model, path, trained_on):
    """Save in Keras's .keras format (a zip archive), with `trained_on` (a dict) inside it.

    The model alone does not know whether its windows were normalised or which columns it
    reads, so that goes into the same file: model and settings are replaced together or not
    at all. Written under a fixed temporary name beside `path` (a copy left by a killed write is
    overwritten), then renamed into place.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.tmp.keras")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            archive.writestr(TRAINED_ON, json.dumps(trained_on, indent=2) + "\n")
        os.replace(temporary, path)
    except OSError as error:
        if temporary.is_file():
            temporary.unlink()
        where = f": {error.filename}" if error.filename else ""
        raise InputError(f"Could not save the model to {path} ({error.strerror or error}{where}); "
                         "check the folder and the free space.") from None
    return path


def check_model_file(path):
    """A plain sentence unless `path` looks like a .keras file: a zip archive with a config."""
    if path.is_dir():
        raise InputError(f"--load-model {path} is a folder; give a .keras file saved with "
                         "--save-model.")
    if not path.is_file():
        raise InputError(f"There is no model at {path}; train one with --save-model {path}.")
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty; train and save the model again with --save-model.")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path} is not a Keras model file (a .keras file is a zip archive); "
                         "it may be cut short or of another kind: save one with --save-model.")
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise InputError(f"{path} is a zip archive but not a Keras model (it holds no "
                             "config.json); save one with --save-model.")


def load_model(path):
    """A model saved in Keras's .keras format that reads windows, (steps, columns) -> 1 value.

    Safe mode stays on: a model that holds Python code (a Lambda layer) is refused, never run.
    """
    path = Path(path)
    check_model_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # notes on optimiser state an untrained model lacks
            model = keras.saving.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a damaged file
        if "arbitrary code" in str(error) or "safe_mode" in str(error):
            raise InputError(f"{path} holds custom code (such as a Lambda layer), which is "
                             "never run from a file; build the model from Keras layers "
                             "only.") from None
        raise InputError(f"{path} cannot be read as a Keras model ({type(error).__name__}); "
                         "train and save it again with --save-model.") from None
    inputs, outputs = model.input_shape, model.output_shape
    if not (isinstance(inputs, tuple) and len(inputs) == 3 and outputs == (None, 1)):
        raise InputError(f"{path} holds a model from {inputs} to {outputs}, not one that reads "
                         "windows of (steps, columns) and gives one value; train one with "
                         "run_lstm.py --save-model.")
    return model


def read_trained_on(path):
    """What save_model kept inside a .keras file ({"normalise", "seq_len", "columns"}), or
    None for a model saved by Keras alone."""
    with zipfile.ZipFile(path) as archive:
        if TRAINED_ON not in archive.namelist():
            return None
        text = archive.read(TRAINED_ON)
    try:
        saved = json.loads(text)
    except ValueError:  # not JSON, or not UTF-8
        saved = None
    if not (isinstance(saved, dict) and isinstance(saved.get("normalise"), bool)
            and type(saved.get("seq_len")) is int and saved["seq_len"] >= 1
            and isinstance(saved.get("columns"), list) and saved["columns"]
            and all(isinstance(name, str) for name in saved["columns"])):
        raise InputError(f"The settings saved inside {path} ({TRAINED_ON}) are damaged; train "
                         "and save the model again with --save-model.")
    return saved


def main(argv=None):
    """Show what run_lstm.py would read from a CSV, without training anything."""
    try:
        parser = argparse.ArgumentParser(description="Show what lstm.py reads from a CSV; "
                                         "train with run_lstm.py.")
        parser.add_argument("csv", nargs="?", help=f"a file of one number a line, or with a "
                            f"header row (default: {CSV})")
        parser.add_argument("--columns", help="columns to read, the predicted one first")
        parser.add_argument("--symbol", help="the stock to read from a file of several")
        try:
            args = parser.parse_args(argv)
        finally:
            sys.stdout.flush()  # --help's text leaves now, where a closed pipe is caught
        path = args.csv or str(find_repo_root() / CSV)
        columns = [name.strip() for name in args.columns.split(",")] if args.columns else None
        series = load_series(path, columns, args.symbol)
        dates = "" if series.dates is None else f", {series.dates[0]:%Y-%m-%d} .. " \
            f"{series.dates[-1]:%Y-%m-%d}"
        print(f"{path}: {len(series.values):,} rows{dates}; columns {series.columns}, the "
              f"first is predicted; first row {series.values[0]}, last {series.values[-1]}")
        sys.stdout.flush()  # a reader that went away is found here at the latest
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`python lstm.py x.csv | head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    if in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

"""Train two stacked recurrent layers on a series and judge them against "tomorrow = today".

Part 4 of the evening, and the repo's main job. The pieces live in lstm.py; this script reads
the data, trains, predicts three ways, prints a results table, and saves the figures and the
predictions themselves (figures/<name>_predictions.csv, to plot again after class).

    python run_lstm.py                      # the S&P 500, 1999-2018 (under a minute)
    python run_lstm.py sine                 # the sine wave that rnn.py learned by hand
    python run_lstm.py memory               # a long memory: where the gates win (--cell simple)
    python run_lstm.py sine --live          # watch it learn: redrawn after every epoch
    python run_lstm.py --ticker AAPL        # your own stock, fetched once (needs yfinance)
    python run_lstm.py --csv my_stock.csv   # ... or downloaded (nasdaq.com, MarketWatch, FRED),
                                            # or one price a line (--columns Close,Volume)
    python run_lstm.py --forecast 10        # ... and the next 10 steps (days, weeks, months)
    python run_lstm.py --cell gru           # GRU layers instead of LSTMs (or simple: SimpleRNN)
    python run_lstm.py --help               # every setting

A one-day-ahead prediction that looks perfect on a plot is usually just yesterday's price
shifted by a day, so every result is printed and drawn beside the naive forecast.

The exercises are in lstm.py (build_model; normalise_windows, optional). Test it:
    python -m pytest tests/test_run_lstm.py                 # this solution
    python -m pytest --impl stubs tests/test_run_lstm.py    # your exercise version
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import plumbing
from plumbing import InputError

# lstm.py loads Keras and its backend, which takes seconds, so it is imported inside the
# functions that need it, after the data is read and checked (by series_csv, without Keras):
# a mistyped flag or a bad file is reported at once.

# %% Settings
# In a notebook these are the command line: change one and run the cells below again. On the
# command line they are the flags' defaults. None means "the preset's value".
DATASET = "sp500"  # the preset: "sp500" (the S&P 500), "sine" (the wave of Part 2) or "memory"
CSV = None  # your own stock's CSV instead of the preset's file, such as "my_stock.csv"
TICKER = None  # or a ticker to fetch (prices.py), such as "AAPL" or "fred:SP500"
COLUMNS = None  # the columns to read, the predicted one first, such as "Close,Volume"
SYMBOL = None  # the stock to use from a file of several (told apart by a symbol column)
CELL = "lstm"  # the recurrent layer: "lstm", "gru" or "simple" (a plain RNN, as in Part 2)
EPOCHS = None  # passes over the training windows (None: the preset's: sp500 25, sine 4, memory 20)
MODE = "all"  # predictions to make and draw: "point", "full", "multiple" or "all"
FORECAST = 0  # also predict this many steps past the end of the data
TRAIN_FRAC = 0.9  # the first 90% of the rows train, the last 10% test
VALIDATION_FRAC = 0.1  # the last 10% of the training windows watch for overfitting
FEW_POINTS = 30  # fewer test predictions than this are too few to judge a ratio or a direction
SEED = 0  # same seed, same numbers
LIVE = False  # redraw the loss and the test span after every epoch while it trains
LIVE_SHARE = 0.1  # the live view skips an epoch's redraw when it took more of the training time
PLOT_DIR = None  # folder for the figures and predictions (None: figures/ at the repo's top)
FIGURE_DPI = 100  # resolution of the saved figures
FORECAST_HISTORY = 100  # days of data drawn before a forecast
CELL_NAMES = {"lstm": "LSTM",  # --cell: the Keras layer of each recurrent cell to try
              "gru": "GRU",  # fewer gates than the LSTM: no separate cell state
              "simple": "SimpleRNN"}  # rnn.py's tanh network, in Keras
PRESETS = {  # each dataset's settings; a flag overrides any of them
    "sp500": {
        "csv": "data/sp500.csv",  # daily S&P 500 prices, 1999-2018 (see data/README.md)
        "normalise": True,  # prices drift over years: learn relative moves instead
        "seq_len": 20,  # four weeks of history; longer windows trained slower, no better
        "epochs": 25,  # passes over the training windows
        "batch_size": 128,  # windows per weight update
        "units": (32, 32),  # cells per recurrent layer: small is enough, and fast
        "dropout": 0.0,  # the model is too small to overfit 20 years of days
        "learning_rate": 0.01,  # Adam's first step size, easing down to 5% of it
        "prediction_len": 50,  # days each free-running sequence of `--mode multiple` runs
    },
    "sine": {
        "csv": "data/sinwave.csv",  # 5,000 points of a sine wave, 100 points a cycle
        "normalise": False,  # already in [-1, 1], and it crosses zero
        "seq_len": 50,  # half a cycle of history
        "epochs": 4,  # a smooth wave is learned in a few passes
        "batch_size": 64,  # windows per weight update
        "units": (32, 32),  # cells per recurrent layer
        "dropout": 0.0,  # nothing to overfit: the wave repeats exactly
        "learning_rate": 0.01,  # Adam's first step size, easing down to 5% of it
        "prediction_len": 50,  # points each free-running sequence runs
        "period": 100,  # steps per cycle, known for this file only: "one period back" baseline
    },
    "memory": {  # the adding problem, made in code (lstm.adding_problem): no file, no forecast
        "csv": None,  # sequences of random values, two of them marked; the target is their sum
        "sequences": 10_000,  # made for training (the last 10% validate), 2,000 more for testing
        "normalise": False,  # values already in [0, 1)
        "seq_len": 80,  # steps per sequence: the first mark lies 40 to 80 steps back
        "epochs": 20,  # the gated cells leave the mean guess after 1 to 8 epochs, by seed
        "batch_size": 64,  # sequences per weight update
        "units": (32, 32),  # cells per recurrent layer
        "dropout": 0.0,  # fresh random sequences: nothing to overfit
        "learning_rate": 0.01,  # Adam's first step size, easing down to 5% of it
        "prediction_len": 50,  # unused: a sum is one number, there is nothing to run freely
    },
}


# %% The evening's job: read -> windows -> model -> fit -> predict -> score -> plot
def run(settings):
    """The whole run, step by step; each step is a function below, in this order.

    Inputs:  settings, a preset with the flags laid over it (settings_from), already checked.
    Returns: the test figures, for --json.
    """
    if settings["dataset"] == "memory":
        return run_memory(settings)  # no series: sequences made in code, one sum each
    trained, settings = load_trained(settings)  # --load-model: Keras, then what it was trained on
    series = read_data(settings)  # every check of the data (for a new model, before Keras)
    if trained is None:
        start_keras(settings)  # Keras and its backend load (seconds), then every seed is set
    data = make_datasets(series, settings["seq_len"], settings["train_frac"],
                         settings["normalise"], np.random.default_rng(settings["seed"]))
    describe(series, data, settings)
    model = get_model(settings, len(series.columns), trained)
    model.summary()
    history = fit(model, data, settings, series)
    results = predict_all(model, data, settings, settings["mode"])
    truth = data["test_windows"][:, -1, 0]  # (n_test,) what really came next
    today = data["test_windows"][:, -2, 0]  # (n_test,) the last value each window saw
    baselines = strong_baselines(series, truth, data["split"], settings.get("period"))
    figures = report(truth, today, results, settings, baselines)
    ahead = forecast_ahead(model, series, settings)  # --forecast N: past the end of the data
    drawn = figure_lines(series, results, history, truth, today, settings, ahead)
    plot_all(drawn, settings, ylabel=series.columns[0])
    write_predictions(predictions_table(series, truth, today, results, ahead), settings)
    if settings["save_model"]:
        save_trained(model, series, settings)
    return {"dataset": settings["name"], "cell": settings["cell"], **figures,
            "fit_seconds": history["seconds"], "epochs": settings["epochs"],
            "loss": history["loss"], "val_loss": history["val_loss"]}


# %% The memory task: the sum of two numbers, the first seen 40 to 80 steps back
def run_memory(settings):
    """The adding problem (lstm.adding_problem): train, then judge the test sums against
    always guessing the training targets' mean. A plain RNN cannot carry a number that far
    back (its gradient vanishes on the way); the gates of an LSTM or a GRU can.

    Returns: the test figures, for --json: test_rmse beside baseline_rmse."""
    if settings["live"]:  # (LIVE = True in the Settings cell, or --live)
        print("The live view draws a series over time and this preset has none: it stays off.")
        settings = {**settings, "live": False}
    start_keras(settings)  # Keras and its backend load (seconds), then every seed is set
    import lstm

    data = memory_datasets(settings, np.random.default_rng(settings["seed"]))
    print(f"Data: the adding problem, made in code: {len(data['x']):,} sequences to fit, "
          f"{len(data['x_val']):,} to validate, {len(data['x_test']):,} to test")
    print(f"Windows: x {data['x'].shape} (a value and a marker per step), y {data['y'].shape} "
          "(the sum of the two marked values)")
    mean = float(np.mean(np.concatenate([data["y"], data["y_val"]])))  # the training targets'
    print(f"Starting loss: always guessing the mean, {mean:.3f}, gives MSE "
          f"{np.mean((data['y'] - mean) ** 2):.3g}; a network that cannot remember stays there.")
    model = get_model(settings, 2)
    model.summary()
    history = fit(model, data, settings, None)
    predicted = lstm.fast_predict(model)(data["x_test"])[:, 0]  # (n_test,)
    truth = data["y_test"][:, 0]
    check_finite(predicted, "test predictions", settings)
    figures = memory_report(truth, predicted, mean, settings)
    plot_all(memory_figures(truth, predicted, mean, history, figures, settings), settings,
             ylabel="sum")
    return {"dataset": "memory", "cell": settings["cell"], "seed": settings["seed"], **figures,
            "fit_seconds": history["seconds"], "epochs": settings["epochs"],
            "loss": history["loss"], "val_loss": history["val_loss"]}


def memory_datasets(settings, rng):
    """Training sequences (the last VALIDATION_FRAC of them validate) and test sequences."""
    import lstm

    x, y = lstm.adding_problem(settings["sequences"], settings["seq_len"], rng)
    x_test, y_test = lstm.adding_problem(settings["sequences"] // 5, settings["seq_len"], rng)
    n_val = max(1, int(len(x) * VALIDATION_FRAC))
    return {"x": x[:-n_val], "y": y[:-n_val], "x_val": x[-n_val:], "y_val": y[-n_val:],
            "x_test": x_test, "y_test": y_test}


MEMORY_REMEMBERS, MEMORY_FORGETS = 0.25, 0.8  # error / mean guess: below, remembered; above, not


def memory_report(truth, predicted, mean, settings):
    """The test RMSE beside always guessing the mean, and the verdict; returns the figures."""
    name = CELL_NAMES[settings["cell"]]
    found, baseline = rmse(predicted, truth), rmse(np.full(len(truth), mean), truth)
    share = found / baseline
    print(f"\nTest sums ({len(truth):,} new sequences):")
    print(f"  {name + ' RMSE':28} {found:#10.4g}")
    print(f"  {'always the mean, ' + f'{mean:.3f}':28} {baseline:#10.4g}")
    print(f"  {name} / mean guess: {share:.3f}")
    if share <= MEMORY_REMEMBERS:
        verdict = f"The {name} remembered: its error is {share:.0%} of the mean guess's."
    elif share >= MEMORY_FORGETS:
        verdict = (f"The {name} did not remember: its error is {share:.0%} of the mean "
                   "guess's, hardly better than not reading the sequence at all.")
    else:
        verdict = (f"The {name} remembered in part: its error is {share:.0%} of the mean "
                   "guess's (try more --epochs).")
    print(verdict)
    return {"test_rmse": found, "baseline_rmse": baseline, "rmse_ratio": share,
            "verdict": verdict}


def memory_figures(truth, predicted, mean, history, figures, settings):
    """The memory run's figures, for plot_all: the test sums predicted against the truth, and
    the loss per epoch beside the mean guess's MSE."""
    name, order = CELL_NAMES[settings["cell"]], np.argsort(truth)
    steps = np.arange(1, len(truth) + 1)
    title = (f"The adding problem: {len(truth):,} test sequences, sorted by their true sum\n"
             f"RMSE: {name} {figures['test_rmse']:.3g}, always the mean "
             f"{figures['baseline_rmse']:.3g}, ratio {figures['rmse_ratio']:.3f}")
    sums = [("truth", steps, truth[order], TRUTH),
            ("always the mean", steps, np.full(len(truth), mean), NAIVE),
            (name, steps, predicted[order], {**MODEL, "linestyle": "none", "marker": ".",
                                             "markersize": 2})]
    return [("sums", title, sums),
            loss_figure(history, "Loss per epoch (MSE)", figures["baseline_rmse"] ** 2)]


# %% Data
def read_data(settings):
    """The series to learn, read by series_csv (no Keras) and checked for what this run needs:
    no zero to normalise by, enough rows for the windows, windows that fit in memory."""
    import series_csv

    if settings["ticker"]:
        import prices

        prices.fetch(settings["ticker"], settings["refresh"])  # or the file an earlier run saved
    series = series_csv.read_series(settings["csv"], settings["columns"], settings["symbol"],
                                    flags=True)  # its messages may suggest --columns, --symbol
    if settings["normalise"]:
        check_no_zeros(series, settings["csv"])
    rows, columns = series.values.shape
    check_length(rows, settings["seq_len"], settings["train_frac"], settings["csv"])
    plumbing.check_memory(3 * rows * (settings["seq_len"] + 1) * columns, "--seq-len")
    return series


def check_no_zeros(series, csv):
    """Normalising divides each window by its first row, so no value may be 0: name the first."""
    rows, columns = np.nonzero(series.values == 0)
    if len(rows):
        row, name = rows[0], series.columns[columns[0]]
        where = f"line {series.lines[row]}" if series.lines is not None else f"row {row + 1}"
        when = f" ({series.dates[row]:%Y-%m-%d})" if series.dates is not None else ""
        fix = ("use --no-normalise for data that reaches zero" if columns[0] == 0
               else f"leave {name!r} out of --columns")
        raise InputError(f"{csv}: {where}{when} has {name} = 0, and normalising divides each "
                         f"window by its first value; {fix}.")


def check_length(rows, seq_len, train_frac, csv):
    """Enough rows for training and test windows, or a plain sentence saying what to change."""
    split = int(rows * train_frac)
    if rows < 2 * (seq_len + 1):
        raise InputError(f"{csv} has {rows} usable rows, fewer than two windows of "
                         f"{seq_len + 1} rows; use a longer file or a shorter --seq-len.")
    if split < seq_len + 2 or rows - split < 1:
        raise InputError(f"With --train-frac {train_frac}, {rows} rows give {split} to train "
                         f"and {rows - split} to test, too few for windows of {seq_len + 1} "
                         "rows; change --train-frac or --seq-len.")


def make_datasets(series, seq_len, train_frac, normalise, rng):
    """Split by time, make windows, hold out the last training windows for validation.

    Returns: a dict of x, y (shuffled fit windows), x_val, y_val, test_windows (prices,
             (n_test, seq_len + 1, columns)) and split (the row where the test targets start).
    """
    import lstm

    train_values, test_values = lstm.split_by_time(series.values, train_frac, seq_len)
    train_windows = lstm.make_windows(train_values, seq_len)  # (n_train, seq_len + 1, columns)
    n_val = max(1, int(len(train_windows) * VALIDATION_FRAC))
    fit_windows = train_windows[:-n_val][rng.permutation(len(train_windows) - n_val)]
    test_windows = lstm.make_windows(test_values, seq_len)  # (n_test, seq_len + 1, columns)
    with np.errstate(over="ignore", invalid="ignore"):  # checked just below
        x, y = lstm.inputs_and_targets(fit_windows, normalise)
        x_val, y_val = lstm.inputs_and_targets(train_windows[-n_val:], normalise)
        check_scale(lstm.inputs_and_targets(test_windows, normalise), x, normalise)
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "test_windows": test_windows,
            "split": len(train_values)}


def check_scale(test_inputs, x, normalise):
    """The network computes in 32-bit numbers: refuse windows it cannot even hold."""
    largest = max(np.abs(test_inputs[0]).max(), np.abs(x).max())
    if not largest <= np.finfo(np.float32).max:
        fix = "divide the data by a power of ten" if normalise else \
            "use --normalise, or divide the data by a power of ten"
        raise InputError(f"The windows fed to the network hold values too large for its 32-bit "
                         f"numbers (above {np.finfo(np.float32).max:.2g}); {fix}.")


def describe(series, data, settings):
    """Sanity figures: what was read, how it was cut, what the loss should start near."""
    rows, dates, csv = len(series.values), series.dates, settings["csv"]
    split, n_test = data["split"], len(data["test_windows"])
    unit = data_unit(dates)
    every = f", {unit[1]}" if unit[1] else ""
    print(f"Data: {csv}: {rows:,} rows{span(dates, 0, rows)}{every}, predicting "
          f"{series.columns[0]!r} from {', '.join(map(repr, series.columns))}")
    print(f"Train: {split:,} rows{span(dates, 0, split)} -> {len(data['x']):,} windows to fit "
          f"(shuffled), the last {len(data['x_val']):,} to validate")
    print(f"Test: {n_test:,} rows{span(dates, split, rows)}, each predicted from the "
          f"{settings['seq_len']} before it")
    how = "each window / its first value - 1" if settings["normalise"] else "as they are"
    print(f"Windows: x {data['x'].shape}, y {data['y'].shape}, values {how}")
    print(f"Starting loss: predicting 0 everywhere gives MSE {np.mean(data['y'] ** 2):.3g}; "
          "the untrained model should start near it.")


UNITS = ((4, "trading day", "daily"), (10, "week", "weekly"), (45, "month", "monthly"),
         (135, "quarter", "quarterly"), (400, "year", "yearly"))  # by the median days between rows


def data_unit(dates):
    """What one row is, from the dates: ("week", "weekly"); ("step", "") without dates."""
    if dates is None or len(dates) < 2:
        return "step", ""
    gap = np.median(np.diff(dates.values).astype("timedelta64[s]").astype(float)) / 86400
    unit, every = next(((unit, every) for most, unit, every in UNITS if gap <= most),
                       ("step", ""))
    return ("day", every) if unit == "trading day" and (dates.day_of_week >= 5).any() else (
        unit, every)


def span(dates, start, stop):
    """' (first date .. last date)' of rows start..stop-1, or '' without dates."""
    if dates is None:
        return ""
    return f" ({dates[start]:%Y-%m-%d} .. {dates[stop - 1]:%Y-%m-%d})"


# %% Model
def start_keras(settings):
    """Load Keras and its backend (lstm.py imports them), say which and why, seed everything."""
    started = time.perf_counter()
    import lstm

    backend, why = settings["backend"]
    print(f"Keras {lstm.keras.__version__} on {backend} ({why}), loaded in "
          f"{time.perf_counter() - started:.1f} s")
    lstm.seed_everything(settings["seed"])  # each backend its own way: same seed, same numbers


def load_trained(settings):
    """With --load-model: Keras, the saved model, and the settings with what it was trained on
    laid over them (saved_settings). Returns (model, settings); without --load-model, (None,
    the settings as they were), and Keras is not loaded yet.
    """
    path = settings["load_model"]
    if not path:
        return None, settings
    start_keras(settings)
    import lstm

    model = lstm.load_model(path)
    seq_len = lstm.model_shape(model)[0]
    return model, saved_settings(settings, lstm.read_trained_on(path), path, seq_len)


def saved_settings(settings, trained_on, path, seq_len):
    """The settings with what a loaded model was trained on (`trained_on`, None when the file
    does not say) laid over them: a setting left out takes the saved value, a flag that says
    otherwise is refused. Returns a new dict; `settings` is left as it was.
    """
    if trained_on is None:
        print(f"Note: {path} holds no record of how its model was trained (it was saved by "
              f"Keras alone); assuming {setting_text('normalise', settings['normalise'])}, as "
              "this run is set.")
        trained_on = {"seq_len": seq_len} if seq_len else {}
    elif trained_on["seq_len"] != seq_len:
        raise InputError(f"The settings saved inside {path} say windows of "
                         f"{trained_on['seq_len']} rows, but its model reads {seq_len}: the file "
                         "was changed after saving; train and save the model again.")
    elif trained_on["cell"] not in CELL_NAMES:
        raise InputError(f"The settings saved inside {path} name the cell "
                         f"{trained_on['cell']!r}, which is none of {', '.join(CELL_NAMES)}: "
                         "they are damaged; train and save the model again with --save-model.")
    if trained_on.get("columns") == ["value"]:  # one number a line: any one column will do
        trained_on = {key: value for key, value in trained_on.items() if key != "columns"}
    return {**settings, **{key: adopted(settings, key, saved, path)
                           for key, saved in trained_on.items()}}


def adopted(settings, key, saved, path):
    """The value a loaded model was trained with; a flag that says otherwise is refused."""
    now = settings[key]
    same = now == saved
    if key == "columns" and now is not None:  # column names match in any case
        same = [name.lower() for name in now] == [name.lower() for name in saved]
    if same:
        return now
    if key in settings["given"]:
        flag = {"columns": "--columns", "seq_len": "--seq-len"}.get(key, f"--{key}")
        raise InputError(f"The model in {path} was trained with {setting_text(key, saved)}, so "
                         f"it cannot run with {setting_text(key, settings[key])}; leave out "
                         f"{flag} or train a new model.")
    print(f"The model in {path} was trained with {setting_text(key, saved)}; using that.")
    return saved


def setting_text(key, value):
    """A setting as the flag that gives it: --no-normalise, --seq-len 20, columns Close, Volume."""
    if key == "normalise":
        return "--normalise" if value else "--no-normalise"
    if key == "columns":
        return f"columns {', '.join(value)}"
    return f"--{key.replace('_', '-')} {value}"


def get_model(settings, n_columns, trained=None):
    """The loaded model, if it reads as many columns as the data has, or a fresh one made of
    the recurrent layer that --cell names (CELL_NAMES)."""
    import lstm

    if trained is None:
        return lstm.build_model(settings["seq_len"], n_columns, settings["units"],
                                settings["dropout"], settings["learning_rate"],
                                cell=getattr(lstm.keras.layers, CELL_NAMES[settings["cell"]]))
    model_columns = lstm.model_shape(trained)[1]
    if model_columns != n_columns:
        raise InputError(f"The model in {settings['load_model']} reads {model_columns} "
                         f"columns, but the data has {n_columns}; pick matching --columns.")
    return trained


def save_trained(model, series, settings):
    """--save-model: the model and what it was trained on, in one .keras file."""
    import lstm

    trained_on = {"normalise": bool(settings["normalise"]), "seq_len": settings["seq_len"],
                  "columns": [str(name) for name in series.columns], "cell": settings["cell"]}
    path = lstm.save_model(model, settings["save_model"], trained_on)
    print(f"Saved the model, with what it was trained on, to {path}")


# %% Training
def fit(model, data, settings, series):
    """Train for settings["epochs"] epochs (none for a loaded model with --epochs 0), with the
    live view of --live redrawn after each epoch.

    Returns {"loss", "val_loss": one value per epoch, "seconds": how long it took}.
    """
    import lstm

    started, history = time.perf_counter(), {"loss": [], "val_loss": []}
    if settings["epochs"] > 0:
        progress = 1 if sys.stdout.isatty() else 2  # a live bar in a terminal, a line an epoch
        watch = [live_view(model, data, settings, series)] if settings["live"] else []
        history = lstm.train(model, data["x"], data["y"], data["x_val"], data["y_val"],
                             settings["epochs"], settings["batch_size"],
                             settings["learning_rate"], verbose=progress, callbacks=watch)
    history["seconds"] = time.perf_counter() - started
    print(f"Trained {settings['epochs']} epochs in {history['seconds']:.1f} s")
    finite = np.isfinite(history["loss"])  # TerminateOnNaN ends training at the first blow-up
    if len(finite) < settings["epochs"] or not finite.all():
        epoch = int(np.argmin(finite)) + 1 if not finite.all() else len(finite) + 1
        fix = "divide the data by a power of ten" if settings["normalise"] else \
            "use --normalise, or divide the data by a power of ten"
        raise InputError(f"The training loss stopped being a number in epoch {epoch}: the "
                         f"values grew too large for the network; {fix}.")
    return history


# %% Live view (--live): watch it learn
def live_view(model, data, settings, series):
    """A Keras callback that redraws, after each epoch, the loss so far and the test span's
    one-step prediction beside the truth: in a window, inline in a notebook (one figure,
    updated in place), or off-screen where matplotlib cannot open a window. An epoch's redraw
    is skipped while the view has taken more than LIVE_SHARE of the training time.

    It only reads: the model predicts the same test windows in inference mode (no dropout, no
    random numbers), so --live changes no number of the run.
    """
    import keras

    import lstm

    plt = pyplot(settings)
    windows = data["test_windows"][:, :-1, :]  # (n_test, seq_len, columns), the same each time
    fig, lines = live_figure(settings, test_steps(series, len(windows)),
                             data["test_windows"][:, -1, 0])
    show, predict, spent = plumbing.live_figure(fig), lstm.fast_predict(model), []

    def draw(title):
        started = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is reported by fit
            lines["predicted"].set_ydata(lstm.predict_point_by_point(
                model, windows, settings["normalise"], predict))
        for ax in fig.axes:
            ax.relim()
            ax.autoscale_view()
        fig.axes[1].set_title(f"{title}: the test span, one step ahead")
        show()
        spent.append(time.perf_counter() - started)

    def after_epoch(epoch, logs):
        for key in ("loss", "val_loss"):  # every epoch's loss, drawn now or with the next
            lines[key].set_data([*lines[key].get_xdata(), epoch + 1],
                                [*lines[key].get_ydata(), logs[key]])
        training = time.perf_counter() - began - sum(spent[1:])
        if sum(spent[1:]) <= LIVE_SHARE * training or epoch + 1 == settings["epochs"]:
            draw(f"Epoch {epoch + 1} of {settings['epochs']}")

    def done(logs):
        print(f"Live view: {len(spent)} redraws, {sum(spent):.2f} s in all (the first, before "
              f"training, {spent[0]:.2f} s)")
        if plumbing.in_notebook():
            plt.close(fig)  # its last picture stays above; no second copy at the cell's end

    draw("Before training")  # the untrained model; its first prediction sets the model up
    began = time.perf_counter()
    return keras.callbacks.LambdaCallback(on_epoch_end=after_epoch, on_train_end=done)


def live_figure(settings, x, truth):
    """The live view's figure: the loss per epoch beside the test span's truth. Returns the
    figure and its lines that change: "loss", "val_loss" and "predicted"."""
    fig, (loss_ax, test_ax) = pyplot(settings).subplots(1, 2, figsize=(11, 4.5),
                                                        width_ratios=(1, 2))
    lines = {"loss": loss_ax.plot([], [], label="training", marker=".", **MODEL)[0],
             "val_loss": loss_ax.plot([], [], label="validation", marker=".", **NAIVE)[0]}
    loss_ax.set(xlabel="epoch", ylabel="loss (MSE)", yscale="log", title="Loss per epoch")
    loss_ax.legend(fontsize="small")
    test_ax.plot(x, truth, label="truth", **TRUTH)
    lines["predicted"], = test_ax.plot(x, np.full(len(truth), np.nan), **MODEL,
                                       label=f"{CELL_NAMES[settings['cell']]}, one step ahead")
    test_ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    return fig, lines


# %% Evaluation and plots
def predict_all(model, data, settings, mode):
    """The three kinds of prediction on the test span, with their times, in prices."""
    import lstm

    windows, normalise = data["test_windows"], settings["normalise"]
    inputs = windows[:, :-1, :]  # (n_test, seq_len, columns)
    predict = lstm.fast_predict(model)
    results, started = {}, time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        results["point"] = lstm.predict_point_by_point(model, inputs, normalise, predict)
        if mode in ("full", "all"):
            results["full"] = lstm.predict_sequence_full(model, inputs, normalise, predict)
        if mode in ("multiple", "all") and len(inputs) < settings["prediction_len"]:
            print(f"No restarted free runs: the test span has {len(inputs)} steps, fewer than "
                  f"--prediction-len {settings['prediction_len']}.")
        elif mode in ("multiple", "all"):
            results["multiple"] = lstm.predict_sequences_multiple(
                model, inputs, settings["prediction_len"], normalise, predict)
    steps = 1 + len(results.get("full", [])) + settings["prediction_len"] * ("multiple" in results)
    print(f"Predicted in {time.perf_counter() - started:.2f} s ({steps} batched model calls)")
    for kind, values in results.items():
        check_finite(values, f"{kind} predictions", settings)
    return results


def check_finite(values, what, settings):
    """Refuse NaN or inf among the model's outputs, saying where they came from."""
    if not np.all(np.isfinite(values)):
        source = f"the model in {settings['load_model']}" if settings["load_model"] else \
            "the model"
        raise InputError(f"The {what} of {source} are not all finite numbers: they overflowed, "
                         "or the model's weights are broken; train it again on data of a "
                         "smaller scale.")


def scores(truth, predicted, today):
    """RMSE, MAE, MSE, and how often the predicted move has the sign of the true move."""
    with np.errstate(over="ignore", invalid="ignore"):
        error = predicted - truth
        found = {"rmse": float(np.sqrt(np.mean(error**2))), "mae": float(np.mean(np.abs(error))),
                 "mse": float(np.mean(error**2)),
                 "direction": float(np.mean(np.sign(predicted - today) == np.sign(truth - today)))}
    if not all(np.isfinite(list(found.values()))):
        raise InputError(f"The test errors are too large to square (the data reaches "
                         f"{np.abs(truth).max():.3g}); divide the data by a power of ten.")
    return found


def ratio(value, baseline):
    """value / baseline, or None when the baseline is exactly right (never inf or NaN)."""
    return value / baseline if baseline > 0 else None


def ratio_text(value, baseline):
    """The ratio for a table or a title."""
    found = ratio(value, baseline)
    return "n/a (the baseline is exact)" if found is None else f"{found:.3f}"


def rmse(predicted, truth):
    """Root mean squared error, in the data's units."""
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.mean((np.asarray(predicted) - truth) ** 2)))


def strong_baselines(series, truth, split, period=None):
    """The baselines beyond "tomorrow = today", from the data alone: "seasonal", the value one
    period back (the preset's period; None without one, as for any file of yours: a period is
    never guessed), and "drift", the training span's average move per step."""
    values, n_test = series.values[:, 0], len(truth)
    seasonal = None
    if period and len(values) - n_test >= period:
        seasonal = values[len(values) - n_test - period:len(values) - period]  # (n_test,)
    train = values[:split]  # the training span
    return {"seasonal": seasonal, "period": period,
            "drift": float((train[-1] - train[0]) / max(len(train) - 1, 1))}


def diebold_mariano(model_errors, naive_errors):
    """Is the model's squared error really different from the naive one's, or is it noise?

    The Diebold-Mariano test for one-step forecasts: the mean of d = model error^2 - naive
    error^2 over its standard error is about normal when the two are equally good.
    Returns: (mean of d, two-sided p-value); p below 0.05 is a real difference at 5%."""
    d = np.asarray(model_errors) ** 2 - np.asarray(naive_errors) ** 2  # (n,)
    if len(d) < 2:
        return float(np.mean(d)), 1.0  # one day tells nothing: call it a tie
    spread = np.std(d, ddof=1) / np.sqrt(len(d))
    if not spread > 0:  # the same difference every day: real, unless it is zero
        return float(np.mean(d)), 1.0 if np.mean(d) == 0 else 0.0
    z = np.mean(d) / spread
    return float(np.mean(d)), math.erfc(abs(z) / math.sqrt(2))  # P(|normal| > |z|)


def naive_verdict(name, found, mean_difference, p_value):
    """Beat, tie or worse against "tomorrow = today", at 5%, with the p-value."""
    how = f"its RMSE is {abs(found - 1):.1%} {'below' if found < 1 else 'above'} that of " \
        f"\"tomorrow = today\" (Diebold-Mariano test on the squared errors: p {p_text(p_value)}"
    if p_value >= 0.05:
        return "tie", f"The {name} ties with the naive forecast: {how}, not below 0.05, noise)."
    word = "beat" if mean_difference < 0 else "is worse than"
    return ("beat" if mean_difference < 0 else "worse"), \
        f"The {name} {word} the naive forecast: {how}, a real difference)."


def p_text(p_value):
    """A p-value as the output prints it: "= 0.41", or "< 0.0001" for the tiny ones."""
    return "< 0.0001" if p_value < 1e-4 else f"= {p_value:.2g}"


def direction_line(accuracy, rising, n):
    """The direction score with its standard error, against "always up"; returns (se, line)."""
    se = float(np.sqrt(accuracy * (1 - accuracy) / n))
    better = accuracy > rising + 2 * se
    judged = "better than always up" if better else "no better than always up"
    return se, (f"Direction: {accuracy:.1%} right, standard error {se:.1%}, against {rising:.1%} "
                f"for \"always up\": {judged} (that needs more than two standard errors above).")


def report(truth, today, results, settings, baselines=None):
    """Print the results table; returns the figures for --json."""
    name = CELL_NAMES[settings["cell"]]  # LSTM, GRU or SimpleRNN
    baselines = baselines or {"seasonal": None, "drift": 0.0}
    model, naive = scores(truth, results["point"], today), scores(truth, today, today)
    rising = float(np.mean(truth > today))
    print(f"\nTest span, one step ahead, in the data's own units ({len(truth)} predictions):")
    print(f"  {'':28} {'RMSE':>10} {'MAE':>10} {'MSE':>11} {'direction':>10}")
    rows = [(f"{name}, point by point", model), ("naive: tomorrow = today", naive)]
    if baselines["seasonal"] is not None:
        seasonal = scores(truth, baselines["seasonal"], today)
        rows.append((f"one period back ({baselines['period']} steps)", seasonal))
    for label, row in rows:
        direction = f"{row['direction']:10.1%}" if row is model else "       n/a"
        print(f"  {label:28} {row['rmse']:#10.4g} {row['mae']:#10.4g} {row['mse']:11.3g} "
              f"{direction}")
    print(f"  Rising steps: {rising:.1%} (the direction score to beat: \"always up\" gets it); "
          f"{name} / naive RMSE: {ratio_text(model['rmse'], naive['rmse'])}")
    found = ratio(model["rmse"], naive["rmse"])
    figures = {"test_points": len(truth), "test_rmse": model["rmse"], "test_mae": model["mae"],
               "test_mse": model["mse"],
               "persistence_rmse": naive["rmse"], "rmse_ratio": found,
               "direction_accuracy": model["direction"], "rising_share": rising}
    if found is None:
        print("The naive forecast is exact here (the test span never moves): nothing beats it.")
    else:
        difference, figures["dm_pvalue"] = diebold_mariano(results["point"] - truth,
                                                           today - truth)
        figures["naive_verdict"], line = naive_verdict(name, found, difference,
                                                       figures["dm_pvalue"])
        print(line)
    figures["direction_se"], line = direction_line(model["direction"], rising, len(truth))
    print(line)
    if len(truth) < FEW_POINTS:
        print(f"Only {len(truth)} test predictions: too few to judge these ratios and the "
              f"direction by (under {FEW_POINTS}); use a longer series or a lower --train-frac.")
    if baselines["seasonal"] is not None:
        figures["seasonal_rmse"] = seasonal["rmse"]
        print(f"Repeating the value one period back scores RMSE {seasonal['rmse']:.4g}: this "
              "wave repeats itself, so the sine checks that a network can learn a shape, not "
              "that it forecasts.")
    if "full" in results:
        figures.update(free_run_scores(truth, today, results["full"], settings["seq_len"], name,
                                       baselines["drift"]))
    if "multiple" in results:
        figures.update(restart_scores(truth, today, results["multiple"], name,
                                      baselines["drift"]))
    return figures


def drift_line(start, steps, drift):
    """The last known value carried forward, moving by the average drift each step."""
    return start + drift * np.arange(1, steps + 1)  # (steps,)


def free_run_scores(truth, today, full, seq_len, name="LSTM", drift=0.0):
    """The free run's RMSE over its first steps, beside staying flat at the last known value
    and beside carrying it forward with the training span's average drift."""
    steps = min(seq_len, len(truth))
    flat = np.full(steps, today[0])  # (steps,) the last value the seed window saw, held
    found, flat_found = rmse(full[:steps], truth[:steps]), rmse(flat, truth[:steps])
    drifted = rmse(drift_line(today[0], steps, drift), truth[:steps])
    print(f"Free run: RMSE over its first {steps} steps {found:.4g} (each step built on the "
          f"model's own guesses); flat at the last known value {flat_found:.4g}; with the "
          f"training span's drift ({drift:+.3g} a step) {drifted:.4g}; {name} / flat: "
          f"{ratio_text(found, flat_found)}, / drift: {ratio_text(found, drifted)}.")
    return {"free_run_rmse": found, "free_run_persistence_rmse": flat_found,
            "drift_rmse": drifted}


def restart_flats(today, multiple):
    """For each free run of `multiple` (k, length): the last known value before it, held."""
    length = multiple.shape[1]
    return np.repeat(today[::length][: len(multiple), None], length, axis=1)  # (k, length)


def restart_scores(truth, today, multiple, name="LSTM", drift=0.0):
    """The restarted free runs' RMSE, beside holding the last known value at each restart and
    beside carrying it forward with the training span's average drift."""
    covered = truth[: multiple.size].reshape(multiple.shape)  # (k, length)
    flats = restart_flats(today, multiple)  # (k, length)
    found, flat = rmse(multiple, covered), rmse(flats, covered)
    drifted = rmse(flats + drift * np.arange(1, multiple.shape[1] + 1), covered)
    print(f"Free runs restarted every {multiple.shape[1]} steps: RMSE {found:.4g}; flat at the "
          f"last known value {flat:.4g}; with the drift {drifted:.4g}; {name} / flat: "
          f"{ratio_text(found, flat)}, / drift: {ratio_text(found, drifted)}.")
    return {"multiple_rmse": found, "multiple_persistence_rmse": flat,
            "multiple_drift_rmse": drifted}


def forecast_ahead(model, series, settings):
    """--forecast N: the next N steps past the end of the data, printed; None without it."""
    import lstm

    if not settings["forecast"]:
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        values, dates = lstm.forecast(model, series, settings["forecast"], settings["normalise"])
    check_finite(values, "forecast", settings)
    unit = data_unit(series.dates)[0]
    if dates is not None and unit not in ("trading day", "day"):  # lstm.forecast counts weekdays
        import pandas as pd

        step = {"week": {"weeks": 1}, "month": {"months": 1}, "quarter": {"months": 3},
                "year": {"years": 1}}.get(unit, {"days": 1})
        month_ends = "months" in step and series.dates[-12:].is_month_end.all()  # 31, 30, 28...
        every = pd.offsets.MonthEnd(step["months"]) if month_ends else pd.DateOffset(**step)
        dates = pd.date_range(series.dates[-1], periods=len(values) + 1, freq=every)[1:]
    units = unit if len(values) == 1 else f"{unit}s"
    print(f"\nForecast for the next {len(values)} {units} (each built on the ones before it):")
    places = decimal_places(values)  # one format for all: 38.60 beside 38.55, never 38.6
    for step, value in enumerate(values):
        when = f"{dates[step]:%Y-%m-%d}" if dates is not None else f"step {step + 1}"
        print(f"  {when}  {value:.{places}f}")
    return values, dates


def decimal_places(values, digits=4):
    """The decimal places that show the largest of `values` to `digits` significant digits."""
    largest = float(np.max(np.abs(values)))
    return max(0, digits - 1 - math.floor(math.log10(largest))) if largest > 0 else digits - 1


def test_steps(series, n_test):
    """Where the last n_test rows lie: their dates, or their row numbers without dates."""
    rows = len(series.values)
    return series.dates[-n_test:] if series.dates is not None else np.arange(rows - n_test, rows)


def predictions_table(series, truth, today, results, ahead):
    """Every prediction of the run as a table, in the data's own units, for the CSV.

    One row per test step: `step` (its row in the data, from 0), `date` when the data has
    dates, kind "test", the truth, the naive forecast, and one column per prediction made:
    one_step, free_run, restarted (empty past the last whole restarted run). With --forecast,
    one row per step past the end of the data follows, kind "forecast", with only its step,
    date and forecast.
    """
    import pandas as pd

    rows, n_test = len(series.values), len(truth)
    table = pd.DataFrame({"step": np.arange(rows - n_test, rows), "kind": "test", "truth": truth,
                          "naive": today, "one_step": results["point"]})
    if "full" in results:
        table["free_run"] = results["full"]
    if "multiple" in results:
        restarted = results["multiple"].ravel()  # the runs one after another
        table["restarted"] = np.pad(restarted, (0, n_test - len(restarted)),
                                    constant_values=np.nan)
    if series.dates is not None:
        table.insert(1, "date", series.dates[-n_test:].strftime("%Y-%m-%d"))
    if ahead is not None:
        values, dates = ahead
        more = pd.DataFrame({"step": np.arange(rows, rows + len(values)), "kind": "forecast",
                             "forecast": values})
        if dates is not None:
            more.insert(1, "date", dates.strftime("%Y-%m-%d"))
        table = pd.concat([table, more], ignore_index=True)
    return table


def write_predictions(table, settings):
    """<name>_predictions.csv beside the figures: plain CSV, whole or not at all."""
    path = figure_path(settings, "predictions.csv")
    plumbing.write_text(path, table.to_csv(index=False, float_format="%.10g",
                                           lineterminator="\n"), "--plot-dir")
    kinds = table["kind"].value_counts()
    print(f"Wrote {path.name} ({kinds.get('test', 0)} test rows"
          + (f", {kinds['forecast']} forecast rows)" if "forecast" in kinds else ")"))


TRUTH = {"color": "black", "linewidth": 1.2}  # how each kind of line is drawn
NAIVE = {"color": "tab:orange", "linestyle": ":", "linewidth": 1.5}
MODEL = {"color": "tab:purple", "linewidth": 1}


def figure_lines(series, results, history, truth, today, settings, ahead):
    """For each figure: (file suffix, title, [(label, x, values, style), ...])."""
    name = CELL_NAMES[settings["cell"]]  # LSTM, GRU or SimpleRNN
    rows, split = len(series.values), len(series.values) - len(truth)
    x = test_steps(series, len(truth))  # the test span's dates (or row numbers)
    test_span = f"all {len(truth)} test steps{span(series.dates, split, rows)}"
    point, naive = rmse(results["point"], truth), rmse(today, truth)
    figures = [("point", f"One step ahead, each from true data\nRMSE over {test_span}: {name} "
                f"{point:.4g}, naive {naive:.4g}, ratio {ratio_text(point, naive)}",
                [("truth", x, truth, TRUTH), ("naive: tomorrow = today", x, today, NAIVE),
                 (f"{name}, one step ahead", x, results["point"], MODEL)])]
    if "full" in results:
        figures.append(free_run_figure(x, truth, today, results["full"], settings["seq_len"],
                                       name))
    if "multiple" in results:
        figures.append(restart_figure(x, truth, today, results["multiple"], name))
    if history["loss"]:
        figures.append(loss_figure(history, "Loss per epoch (MSE, in the model's units)"))
    if ahead is not None:
        every_row = series.dates if series.dates is not None else np.arange(rows)
        figures.append(forecast_figure(every_row, series.values[:, 0], *ahead, name))
    return figures


def loss_figure(history, title, guess=None):
    """The loss per epoch, training and validation, beside always guessing the mean (its MSE,
    `guess`) when given."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    lines = [("training", epochs, history["loss"], MODEL),
             ("validation", epochs, history["val_loss"], {**MODEL, "linestyle": "--"})]
    if guess is not None:
        lines.append(("always the mean", epochs, np.full(len(epochs), guess), NAIVE))
    return ("loss", title, lines)


def free_run_figure(x, truth, today, full, seq_len, name):
    """The free run over the whole test span, beside holding the last known value."""
    flat = np.full(len(truth), today[0])  # the last value the seed window saw, held
    steps = min(seq_len, len(truth))
    first, first_flat = rmse(full[:steps], truth[:steps]), rmse(flat[:steps], truth[:steps])
    whole, whole_flat = rmse(full, truth), rmse(flat, truth)
    title = (f"Free run: one seed window, then only its own predictions\nRMSE over the first "
             f"{steps} steps: {name} {first:.4g}, flat at the last known value {first_flat:.4g} "
             f"(ratio {ratio_text(first, first_flat)}); over all {len(truth)}: {whole:.4g} and "
             f"{whole_flat:.4g} (ratio {ratio_text(whole, whole_flat)})")
    return ("full", title, [("truth", x, truth, TRUTH),
                            ("flat at the last known value", x, flat, NAIVE),
                            (f"{name}, free run", x, full, MODEL)])


def restart_figure(x, truth, today, multiple, name):
    """The free runs restarted from true data, each beside holding its last known value."""
    length = multiple.shape[1]
    covered = truth[: multiple.size].reshape(multiple.shape)
    found, flat = rmse(multiple, covered), rmse(restart_flats(today, multiple), covered)
    title = (f"Free runs restarted from true data every {length} steps\nRMSE over "
             f"{multiple.size} steps: {name} {found:.4g}, flat at the last known value "
             f"{flat:.4g}, ratio {ratio_text(found, flat)}")
    lines = [("truth", x, truth, TRUTH)]
    for k, (values, held) in enumerate(zip(multiple, restart_flats(today, multiple),
                                           strict=True)):
        steps = x[k * length:(k + 1) * length]
        lines.append(("flat at the last known value" if k == 0 else None, steps, held, NAIVE))
        lines.append((f"{name}, free runs" if k == 0 else None, steps, values, MODEL))
    return ("multiple", title, lines)


def forecast_figure(rows, values, ahead, dates, name):
    """The last days of data, the forecast past them, and holding the last value."""
    after = dates if dates is not None else np.arange(len(rows), len(rows) + len(ahead))
    title = (f"The next {len(ahead)} steps, past the end of the data\nNo truth yet to score "
             "them: judge the model by its ratios on the test span")
    return ("forecast", title, [
        ("data", rows[-FORECAST_HISTORY:], values[-FORECAST_HISTORY:], TRUTH),
        ("flat at the last known value", after, np.full(len(ahead), values[-1]), NAIVE),
        (f"{name} forecast", after, ahead, MODEL)])


def figure_path(settings, suffix):
    """Where a figure (or, with suffix "predictions.csv", the predictions) is written."""
    return settings["plot_dir"] / f"{settings['name']}_{suffix}"


def pyplot(settings):
    """matplotlib's pyplot, drawing to files only (no window, no display needed) unless the
    figures are to be seen: with --show or --live, or in a notebook."""
    import matplotlib

    if not (settings["show"] or settings["live"] or plumbing.in_notebook()):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_all(figures, settings, ylabel):
    """One PNG per figure, <name>_<suffix>.png under the plot folder; shown inline in a
    notebook, and in windows with --show. Returns the paths."""
    plt, show = pyplot(settings), settings["show"] or plumbing.in_notebook()
    started, paths = time.perf_counter(), []
    for suffix, title, lines in figures:
        fig, ax = plt.subplots(figsize=(11, 4.5))
        for label, x, values, style in lines:
            ax.plot(x, values, label=label, **style)
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel("loss" if suffix == "loss" else ylabel)
        ax.set_xlabel("epoch" if suffix == "loss" else "date" if runs_over_dates(lines) else "step")
        if suffix == "loss" and all(np.min(values) > 0 for _, _, values, _ in lines):
            ax.set_yscale("log")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")  # off the data
        fig.autofmt_xdate()
        paths.append(plumbing.save_figure(fig, figure_path(settings, f"{suffix}.png"),
                                          "--plot-dir",
                                          dpi=FIGURE_DPI, bbox_inches="tight"))
        if not show:
            plt.close(fig)
    print(f"Drew {len(paths)} figures in {time.perf_counter() - started:.1f} s: "
          f"{', '.join(path.name for path in paths)} in {settings['plot_dir']}")
    if show:
        plt.show()
    return paths


def runs_over_dates(lines):
    """True when the first line of a figure runs over dates, not step numbers."""
    return np.issubdtype(np.asarray(lines[0][1]).dtype, np.datetime64)


# %% Plumbing: files and command line
def parse_args(argv=None):
    """The flags; every default is read from the Settings cell when this is called."""
    parser = argparse.ArgumentParser(description="Train two stacked recurrent layers on a "
                                     "series and compare them with the naive forecast.")
    add = parser.add_argument
    add("dataset", nargs="?", default=DATASET, choices=sorted(PRESETS),
        help=f"which preset to start from (default: {DATASET})")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--csv", default=CSV, help="your own CSV instead of the preset's file: "
                        "one number a line, or a header with Date and Close (nasdaq.com, "
                        "MarketWatch, investing.com, FRED)")
    source.add_argument("--ticker", default=TICKER, help="fetch this ticker's daily prices "
                        "once, into downloads/: AAPL (Yahoo, needs yfinance) or fred:SP500")
    add("--refresh", action="store_true", help="with --ticker: download the prices again")
    add("--columns", default=COLUMNS, help="columns to read, the predicted one first, such as "
        "Close,Volume (default: the close, as Close, Close/Last, Adj Close, Price or Last)")
    add("--symbol", default=SYMBOL, help="the stock to use from a file of several stocks")
    add("--cell", choices=list(CELL_NAMES), help=f"the recurrent layer (default: {CELL}, or "
        "the one a --load-model was trained with)")
    add("--normalise", action=argparse.BooleanOptionalAction, default=None, help="scale each "
        "window by its first value (default: on for stocks, off for the sine)")
    add("--epochs", type=int, default=EPOCHS, help="passes over the training windows")
    add("--seq-len", type=int, help="rows of history before each prediction")
    add("--batch-size", type=int, help="windows per weight update")
    add("--train-frac", type=float, default=TRAIN_FRAC, help="fraction of rows that train")
    add("--seed", type=int, default=SEED, help="random seed, 0 to 2**32 - 1")
    add("--mode", choices=["point", "full", "multiple", "all"], default=MODE,
        help=f"which predictions to make and draw (default: {MODE})")
    add("--prediction-len", type=int, help="steps of each free-running sequence in multiple mode")
    add("--forecast", type=int, default=FORECAST, metavar="N",
        help="also predict N steps past the end of the data")
    add("--save-model", metavar="PATH", help="save the model, with what it was trained on (.keras)")
    add("--load-model", metavar="PATH", help="start from a saved model (--epochs 0: no training)")
    add("--plot-dir", type=Path, default=PLOT_DIR,
        help="folder for the figures and <name>_predictions.csv (default: figures/)")
    add("--live", action="store_true", default=LIVE, help="watch it learn, epoch by epoch")
    add("--show", action="store_true", help="also open the figures in windows")
    add("--json", metavar="PATH", help="write the test figures to this file")
    return parser.parse_args(argv)


def settings_from(args):
    """The preset for the dataset, with every flag that was given laid over it."""
    if args.dataset not in PRESETS:  # a notebook's DATASET setting is not checked by argparse
        raise InputError(f"DATASET {args.dataset!r} is not a preset; use one of "
                         f"{', '.join(PRESETS)}.")
    settings = {**PRESETS[args.dataset], "name": args.dataset, "dataset": args.dataset,
                "symbol": args.symbol, "ticker": args.ticker, "refresh": args.refresh}
    if args.dataset == "memory":
        check_memory_flags(args)
    elif args.ticker or args.csv is not None:  # (a notebook's TICKER and CSV: not by argparse)
        if args.ticker:
            import prices

            if args.csv is not None:
                raise InputError("Give --ticker or --csv, not both.")
            args.csv = str(prices.cached_path(args.ticker))  # fetched there by read_data
        settings["csv"], settings["name"] = args.csv, Path(args.csv).stem
        settings.pop("period", None)  # a period is known for the bundled sine only, never guessed
    else:
        settings["csv"] = str(plumbing.repo_root() / settings["csv"])
    if args.symbol:
        settings["name"] += f"_{args.symbol}"
    given = {key for key in ("normalise", "seq_len", "epochs", "batch_size", "prediction_len",
                             "cell", "columns") if getattr(args, key) is not None}
    settings.update({key: getattr(args, key) for key in given}, cell=args.cell or CELL,
                    columns=None if args.columns is None else
                    [name.strip() for name in args.columns.split(",")])
    settings.update(train_frac=args.train_frac, seed=args.seed, mode=args.mode,
                    forecast=args.forecast, save_model=args.save_model, live=args.live,
                    load_model=args.load_model, show=args.show, json=args.json, given=given,
                    plot_dir=Path(args.plot_dir or plumbing.repo_root() / "figures"))
    return settings


def check_memory_flags(args):
    """The memory preset makes its own sequences and predicts one sum each: refuse the flags
    that read a file, run freely or reuse a model."""
    given = [flag for flag, value in (("--csv", args.csv), ("--ticker", args.ticker),
                                      ("--columns", args.columns),
                                      ("--symbol", args.symbol), ("--forecast", args.forecast),
                                      ("--load-model", args.load_model),
                                      ("--save-model", args.save_model),
                                      ("--normalise", args.normalise))
             if value]
    if given:
        raise InputError(f"The memory preset makes its own sequences and predicts one sum for "
                         f"each, so {', '.join(given)} has no meaning there; leave it out, or "
                         "use the sine or sp500 preset.")


def check_settings(settings):
    """Refuse settings that cannot work, and runs whose packages are missing, before any work."""
    if settings["ticker"]:
        import prices

        prices.check_can_fetch(settings["ticker"], settings["refresh"])
    for key in ("seq_len", "batch_size", "prediction_len"):
        plumbing.check_count(f"--{key.replace('_', '-')}", settings[key])
    if settings["epochs"] < (0 if settings["load_model"] else 1):
        raise InputError(f"--epochs must be at least 1 (0 only with --load-model, to use a "
                         f"trained model as it is); got {settings['epochs']}.")
    plumbing.check_fraction("--train-frac", settings["train_frac"], 0.9)
    plumbing.check_count("--forecast", settings["forecast"], minimum=0)
    plumbing.check_seed("--seed", settings["seed"])
    if settings["cell"] not in CELL_NAMES:  # a notebook's CELL setting is not checked by argparse
        raise InputError(f"CELL {settings['cell']!r} is not a recurrent layer here; use one of "
                         f"{', '.join(CELL_NAMES)}.")
    if settings["columns"] is not None and not all(settings["columns"]):
        raise InputError("--columns needs names separated by commas, such as Close,Volume; "
                         f"got {','.join(settings['columns'])!r}.")
    if settings["save_model"] and Path(settings["save_model"]).suffix != ".keras":
        raise InputError(f"--save-model needs a name ending in .keras (Keras's own format); got "
                         f"{settings['save_model']}.")
    plumbing.require("pandas", "matplotlib", "keras")
    settings["backend"] = plumbing.choose_keras_backend()  # (name, why), before Keras loads


def check_outputs(settings):
    """Every file this run writes, checked before any work by plumbing's guard: none may be an
    input, a file of the workshop, or a link to one; --save-model may update --load-model."""
    inputs = {"--csv": settings["csv"], "--load-model": settings["load_model"]}
    plumbing.check_outputs({"--json": settings["json"], "--save-model": settings["save_model"]},
                           inputs, may_update={("--save-model", "--load-model")})
    plumbing.check_output(settings["plot_dir"], "--plot-dir", inputs, folder=True)
    if settings["dataset"] == "memory":
        for name in ("sums.png", "loss.png"):
            plumbing.check_output(figure_path(settings, name), "--plot-dir",
                                  {"--json": settings["json"]})
        return
    mode, others = settings["mode"], {**inputs, "--json": settings["json"],
                                      "--save-model": settings["save_model"]}
    drawn = {"point": True, "full": mode in ("full", "all"),
             "multiple": mode in ("multiple", "all"),
             "loss": settings["epochs"] > 0, "forecast": settings["forecast"] > 0}
    for name in [f"{suffix}.png" for suffix, made in drawn.items() if made] + ["predictions.csv"]:
        plumbing.check_output(figure_path(settings, name), "--plot-dir", others)


def start(args):
    """Check everything, run, and write the JSON (the figures are written by the run)."""
    started = time.perf_counter()
    settings = settings_from(args)
    check_settings(settings)
    check_outputs(settings)
    figures = run(settings)
    figures["seconds"] = time.perf_counter() - started
    print(f"Done in {figures['seconds']:.1f} s")
    if settings["json"]:
        plumbing.write_json(settings["json"], figures)
    plumbing.keep_live_view()  # --live in a window: open till it is closed or Enter is pressed


def main(argv=None):
    """The command line (or, in a notebook, the Settings cell); returns the exit status."""
    return plumbing.run_main(lambda: start(parse_args(argv)))


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

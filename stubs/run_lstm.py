"""Train two stacked LSTM layers on a series and judge them against "tomorrow = today".

Part 4 of the evening, and the repo's main job. The pieces live in lstm.py; this script loads
the data, trains, predicts three ways, prints a results table and saves the figures.

    python run_lstm.py                      # the S&P 500, 1999-2018 (about 20 seconds)
    python run_lstm.py sine                 # the sine wave that rnn.py learned by hand
    python run_lstm.py --csv my_stock.csv   # your own stock: a Yahoo or Stooq download, or
                                            # one price a line (--columns Close,Volume)
    python run_lstm.py --forecast 10        # ... and the next 10 trading days
    python run_lstm.py --help               # every setting

A one-day-ahead prediction that looks perfect on a plot is usually just yesterday's price
shifted by a day, so every result is printed beside the naive forecast "tomorrow = today".

The exercises are in lstm.py (normalise_windows, run_free). Test it:
    python -m pytest tests/test_run_lstm.py                 # this solution
    python -m pytest --impl stubs tests/test_run_lstm.py    # your exercise version
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

# lstm.py loads Keras and its backend, which takes seconds, so it is imported inside the
# functions that need it: a mistyped flag or file is reported at once.

# %% Settings
# PRESETS decide each run: lstm.py's SEQ_LEN, UNITS, DROPOUT, LEARNING_RATE and TRAIN_FRAC are
# only the defaults of its functions, and every value here is passed over them. Any flag
# overrides the preset. (lstm.VALIDATION_FRAC and lstm.OPTIMIZER do apply to every run.)
PRESETS = {  # each dataset's settings
    "sp500": {
        "csv": "data/sp500.csv",  # daily S&P 500 prices, 1999-2018 (see data/README.md)
        "normalise": True,  # prices drift over years: learn relative moves instead
        "seq_len": 20,  # four weeks of history; longer windows trained slower, no better
        "epochs": 25,  # passes over the training windows
        "batch_size": 128,  # windows per weight update
        "units": (32, 32),  # LSTM cells per layer: small is enough, and fast
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
        "units": (32, 32),  # LSTM cells per layer
        "dropout": 0.0,  # nothing to overfit: the wave repeats exactly
        "learning_rate": 0.01,  # Adam's first step size, easing down to 5% of it
        "prediction_len": 50,  # points each free-running sequence runs
    },
}
TRAIN_FRAC = 0.9  # the first 90% of the rows train, the last 10% test
SEED = 0  # same seed, same numbers
FIGURE_DPI = 100  # resolution of the saved figures
FORECAST_HISTORY = 100  # days of data drawn before a forecast


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors as one plain sentence too."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")


def find_repo_root(start=Path(__file__).resolve().parent):
    """The first folder upward from this script that holds data/ (so stubs/ copies work too)."""
    for folder in (start, *start.parents):
        if (folder / "data").is_dir():
            return folder
    return start


def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def settings_from(args):
    """The preset for the dataset, with every flag that was given laid over it."""
    settings = dict(PRESETS[args.dataset])
    settings["name"] = args.dataset
    if args.csv is not None:
        settings["csv"], settings["name"] = args.csv, Path(args.csv).stem
    else:
        settings["csv"] = str(find_repo_root() / settings["csv"])
    for key in ("normalise", "seq_len", "epochs", "batch_size", "prediction_len"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    settings["columns"] = None
    if args.columns is not None:
        settings["columns"] = [name.strip() for name in args.columns.split(",")]
    return settings


def check_settings(settings, args):
    """Refuse settings that cannot work, before anything slow happens."""
    for key in ("seq_len", "batch_size", "prediction_len"):
        if settings[key] < 1:
            raise InputError(f"--{key.replace('_', '-')} must be at least 1; got {settings[key]}.")
    if settings["epochs"] < (0 if args.load_model else 1):
        raise InputError(f"--epochs must be at least 1 (0 only with --load-model, to use a "
                         f"trained model as it is); got {settings['epochs']}.")
    if not 0 < args.train_frac < 1:
        raise InputError(f"--train-frac must be between 0 and 1, such as 0.9; got "
                         f"{args.train_frac}.")
    if args.forecast < 0:
        raise InputError(f"--forecast must be 0 (none) or more days; got {args.forecast}.")
    if settings["columns"] is not None and not all(settings["columns"]):
        raise InputError(f"--columns needs names separated by commas, such as Close,Volume; got "
                         f"{args.columns!r}.")
    if args.save_model and Path(args.save_model).suffix != ".keras":
        raise InputError(f"--save-model needs a name ending in .keras (Keras's own format); got "
                         f"{args.save_model}.")
    for flag, path in (("--save-model", args.save_model), ("--json", args.json)):
        if path and not Path(path).resolve().parent.is_dir():
            raise InputError(f"{flag} {path}: the folder {Path(path).parent} does not exist; "
                             "create it first.")


def check_files(settings, args):
    """The files exist and hold something (the full check comes with loading)."""
    csv = Path(settings["csv"])
    if not csv.is_file():
        raise InputError(f"There is no file at {csv}; check the path (the workshop's own data "
                         "comes back with `python data/make_data.py`).")
    if not csv.read_bytes().strip():
        raise InputError(f"{csv} is empty; give a CSV with one number a line, or a header row "
                         "such as Date,Close and one row a day.")
    if args.load_model and not Path(args.load_model).is_file():
        raise InputError(f"There is no model at {args.load_model}; train one with "
                         f"--save-model {args.load_model}.")


# %% Data
def span(dates, start, stop):
    """' (first date .. last date)' of rows start..stop-1, or '' without dates."""
    if dates is None:
        return ""
    return f" ({dates[start]:%Y-%m-%d} .. {dates[stop - 1]:%Y-%m-%d})"


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
    n_val = max(1, int(len(train_windows) * lstm.VALIDATION_FRAC))
    fit_windows = train_windows[:-n_val][rng.permutation(len(train_windows) - n_val)]
    x, y = lstm.inputs_and_targets(fit_windows, normalise)
    x_val, y_val = lstm.inputs_and_targets(train_windows[-n_val:], normalise)
    test_windows = lstm.make_windows(test_values, seq_len)  # (n_test, seq_len + 1, columns)
    lstm.inputs_and_targets(test_windows, normalise)  # refuses a zero first value up front
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "test_windows": test_windows,
            "split": len(train_values)}


def describe(series, data, settings, csv):
    """Sanity figures: what was read, how it was cut, what the loss should start near."""
    rows, dates = len(series.values), series.dates
    split, n_test = data["split"], len(data["test_windows"])
    print(f"Data: {csv}: {rows:,} rows{span(dates, 0, rows)}, predicting {series.columns[0]!r}"
          f" from {', '.join(map(repr, series.columns))}")
    print(f"Train: {split:,} rows{span(dates, 0, split)} -> {len(data['x']):,} windows to fit "
          f"(shuffled), the last {len(data['x_val']):,} to validate")
    print(f"Test: {n_test:,} rows{span(dates, split, rows)}, each predicted from the "
          f"{settings['seq_len']} before it")
    how = "each window / its first value - 1" if settings["normalise"] else "as they are"
    print(f"Windows: x {data['x'].shape}, y {data['y'].shape}, values {how}")
    print(f"Starting loss: predicting 0 everywhere gives MSE {np.mean(data['y'] ** 2):.3g}; "
          "the untrained model should start near it.")


# %% Model
def get_model(settings, n_columns, load_path):
    """A trained model from disk, or a fresh one built to the settings."""
    import lstm

    if not load_path:
        return lstm.build_model(settings["seq_len"], n_columns, settings["units"],
                                settings["dropout"], settings["learning_rate"])
    model = lstm.load_model(load_path)
    seq_len, model_columns = lstm.model_shape(model)
    if model_columns != n_columns:
        raise InputError(f"The model in {load_path} reads {model_columns} columns, but the data "
                         f"has {n_columns}; pick matching --columns.")
    if seq_len != settings["seq_len"]:
        print(f"The loaded model reads windows of {seq_len} rows; using that for --seq-len.")
        settings["seq_len"] = seq_len
    return model


def match_saved_settings(settings, load_path, normalise_flag):
    """Normalise as a loaded model was trained to; refuse a --normalise flag that contradicts it.

    Inputs: normalise_flag, the --normalise or --no-normalise given (None when neither was).
    """
    import lstm

    saved = lstm.load_model_settings(load_path)
    as_now = "--normalise" if settings["normalise"] else "--no-normalise"
    if saved is None:
        print(f"Note: {lstm.settings_path(load_path)} is missing, so nothing says how the model "
              f"was trained; assuming {as_now}, as this run is set.")
        return
    if saved["normalise"] == settings["normalise"]:
        return
    trained = "--normalise" if saved["normalise"] else "--no-normalise"
    if normalise_flag is not None:
        raise InputError(f"The model in {load_path} was trained with {trained}, so it cannot "
                         f"run with {as_now}; leave out {as_now} or train a new model.")
    print(f"The model in {load_path} was trained with {trained}; using that.")
    settings["normalise"] = saved["normalise"]


# %% Training
def fit(model, data, settings):
    """Train for settings["epochs"] epochs (none for a loaded model with --epochs 0)."""
    import lstm

    if settings["epochs"] == 0:
        return {"loss": [], "val_loss": []}
    progress = 1 if sys.stdout.isatty() else 2  # a live bar in a terminal, a line an epoch in logs
    return lstm.train(model, data["x"], data["y"], data["x_val"], data["y_val"],
                      settings["epochs"], settings["batch_size"], settings["learning_rate"],
                      verbose=progress)


# %% Evaluation and plots
def scores(truth, predicted, today):
    """RMSE, MAE, MSE, and how often the predicted move has the sign of the true move."""
    error = predicted - truth
    return {"rmse": float(np.sqrt(np.mean(error**2))), "mae": float(np.mean(np.abs(error))),
            "mse": float(np.mean(error**2)),
            "direction": float(np.mean(np.sign(predicted - today) == np.sign(truth - today)))}


def predict_all(model, data, settings, mode):
    """The three kinds of prediction on the test span, with their times, in prices."""
    import lstm

    windows, normalise = data["test_windows"], settings["normalise"]
    inputs = windows[:, :-1, :]  # (n_test, seq_len, columns)
    predict = lstm.fast_predict(model)
    results, started = {}, time.perf_counter()
    results["point"] = lstm.predict_point_by_point(model, inputs, normalise, predict)
    if mode in ("full", "all"):
        results["full"] = lstm.predict_sequence_full(model, inputs, normalise, predict)
    if mode in ("multiple", "all"):
        results["multiple"] = lstm.predict_sequences_multiple(
            model, inputs, settings["prediction_len"], normalise, predict)
    steps = 1 + len(results.get("full", [])) + settings["prediction_len"] * ("multiple" in results)
    print(f"Predicted in {time.perf_counter() - started:.2f} s ({steps} batched model calls)")
    return results


def report(truth, today, results, settings):
    """Print the results table; returns the figures for --json."""
    lstm_scores, naive = scores(truth, results["point"], today), scores(truth, today, today)
    ratio = lstm_scores["rmse"] / naive["rmse"] if naive["rmse"] > 0 else float("inf")
    print(f"\nTest span, one step ahead, in the data's own units ({len(truth)} predictions):")
    print(f"  {'':28} {'RMSE':>10} {'MAE':>10} {'MSE':>11} {'direction':>10}")
    for label, row in (("LSTM, point by point", lstm_scores), ("naive: tomorrow = today", naive)):
        direction = f"{row['direction']:10.1%}" if row is lstm_scores else "       n/a"
        print(f"  {label:28} {row['rmse']:#10.4g} {row['mae']:#10.4g} {row['mse']:11.3g} "
              f"{direction}")
    print(f"  Rising steps: {np.mean(truth > today):.1%} (the direction score to beat); "
          f"LSTM / naive RMSE: {ratio:.3f}")
    verdict = "beat" if ratio < 1 else "did not beat"
    print(f"The LSTM {verdict} the naive forecast: its RMSE is {abs(ratio - 1):.1%} "
          f"{'below' if ratio < 1 else 'above'} that of \"tomorrow = today\".")
    figures = {"test_rmse": lstm_scores["rmse"], "test_mae": lstm_scores["mae"],
               "test_mse": lstm_scores["mse"], "persistence_rmse": naive["rmse"],
               "rmse_ratio": ratio, "direction_accuracy": lstm_scores["direction"]}
    if "full" in results:
        figures.update(free_run_scores(truth, today, results["full"], settings["seq_len"]))
    return figures


def free_run_scores(truth, today, full, seq_len):
    """The free run's RMSE over its first steps, beside staying flat at the last known value."""
    steps = min(seq_len, len(truth))
    flat = np.full(steps, today[0])  # (steps,) the last value the seed window saw, held
    rmse = float(np.sqrt(np.mean((full[:steps] - truth[:steps]) ** 2)))
    flat_rmse = float(np.sqrt(np.mean((flat - truth[:steps]) ** 2)))
    ratio = rmse / flat_rmse if flat_rmse > 0 else float("inf")
    print(f"Free run: RMSE over its first {steps} steps {rmse:.4g} (each step built on the "
          f"model's own guesses); flat at the last known value {flat_rmse:.4g}; "
          f"LSTM / flat: {ratio:.3f}.")
    return {"free_run_rmse": rmse, "free_run_persistence_rmse": flat_rmse}


def save_figure(fig, path):
    """Write a PNG under a temporary name, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fig.savefig(temporary, format="png", dpi=FIGURE_DPI)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def figure_lines(series, results, history, truth, today, settings, ahead):
    """For each figure: (file suffix, title, [(label, x, values), ...]), the reference first."""
    split = len(series.values) - len(truth)
    rows = series.dates if series.dates is not None else np.arange(len(series.values))
    x = rows[split:]  # the test span's dates (or row numbers)
    figures = [("point", "One step ahead, each from true data",
                [("truth", x, truth), ("naive: tomorrow = today", x, today),
                 ("LSTM", x, results["point"])])]
    if "full" in results:
        figures.append(("full", "Free run: one seed window, then only its own predictions",
                        [("truth", x, truth), ("LSTM, free run", x, results["full"])]))
    if "multiple" in results:
        length = settings["prediction_len"]
        fan = [("LSTM, free runs" if k == 0 else None, x[k * length:(k + 1) * length], values)
               for k, values in enumerate(results["multiple"])]
        figures.append(("multiple", f"Restarting from true data every {length} steps",
                        [("truth", x, truth), *fan]))
    if history["loss"]:
        epochs = np.arange(1, len(history["loss"]) + 1)
        figures.append(("loss", "Loss per epoch (MSE, in the model's units)",
                        [("training", epochs, history["loss"]),
                         ("validation", epochs, history["val_loss"])]))
    if ahead is not None:
        values, dates = ahead
        after = dates if dates is not None else np.arange(len(rows), len(rows) + len(values))
        figures.append(("forecast", f"The next {len(values)} steps, past the end of the data",
                        [("data", rows[-FORECAST_HISTORY:], series.values[-FORECAST_HISTORY:, 0]),
                         ("forecast", after, values)]))
    return figures


def plot_all(figures, name, ylabel, plot_dir, show):
    """One PNG per figure, named <name>_<suffix>.png; returns the paths."""
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plot_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, title, lines in figures:
        fig, ax = plt.subplots(figsize=(10, 4.5))
        for index, (label, x, values) in enumerate(lines):
            ax.plot(x, values, linewidth=1, label=label, color="black" if index == 0 else None)
        ax.set_title(title)
        ax.set_ylabel("loss" if suffix == "loss" else ylabel)
        if suffix == "loss":
            ax.set_yscale("log")
            ax.set_xlabel("epoch")
        ax.legend(loc="best", fontsize="small")
        fig.autofmt_xdate()
        fig.tight_layout()
        paths.append(save_figure(fig, plot_dir / f"{name}_{suffix}.png"))
        if not show:
            plt.close(fig)
    if show:
        plt.show()
    return paths


def print_forecast(values, dates):
    """The forecast as a small table."""
    print(f"\nForecast for the next {len(values)} steps (each built on the ones before it):")
    for step, value in enumerate(values):
        when = f"{dates[step]:%Y-%m-%d}" if dates is not None else f"step {step + 1}"
        print(f"  {when}  {value:.4g}")


# %% Command line
def parse_args(argv=None):
    parser = ArgumentParser(description="Train two stacked LSTM layers on a series and compare "
                            "them with the naive forecast \"tomorrow = today\".")
    parser.add_argument("dataset", nargs="?", default="sp500", choices=sorted(PRESETS),
                        help="which preset to start from (default: sp500)")
    parser.add_argument("--csv", help="your own CSV instead of the preset's file: one number a "
                        "line, or a header with Date and Close (Yahoo, Stooq)")
    parser.add_argument("--columns", help="columns to read, the predicted one first, such as "
                        "Close,Volume (default: Close, else Adj Close, else the only number)")
    parser.add_argument("--normalise", action=argparse.BooleanOptionalAction, default=None,
                        help="scale each window by its first value (default: on for stocks, "
                        "off for the sine); --no-normalise for data that crosses zero")
    parser.add_argument("--epochs", type=int, help="passes over the training windows (0 only "
                        "with --load-model)")
    parser.add_argument("--seq-len", type=int, help="rows of history before each prediction")
    parser.add_argument("--batch-size", type=int, help="windows per weight update")
    parser.add_argument("--train-frac", type=float, default=TRAIN_FRAC,
                        help=f"fraction of rows, from the start, that train (default: "
                        f"{TRAIN_FRAC})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    parser.add_argument("--mode", choices=["point", "full", "multiple", "all"], default="all",
                        help="which predictions to make and draw (default: all)")
    parser.add_argument("--prediction-len", type=int,
                        help="steps of each free-running sequence in multiple mode")
    parser.add_argument("--forecast", type=int, default=0, metavar="N",
                        help="also predict N steps past the end of the data (default: 0)")
    parser.add_argument("--save-model", metavar="PATH", help="save the trained model (.keras), "
                        "and how it was trained beside it (PATH.json)")
    parser.add_argument("--load-model", metavar="PATH",
                        help="start from a saved model (with --epochs 0: skip training)")
    parser.add_argument("--plot-dir", type=Path, default=find_repo_root() / "figures",
                        help="folder for the figures (default: figures/)")
    parser.add_argument("--show", action="store_true", help="also open the figures in windows")
    parser.add_argument("--json", metavar="PATH", help="write the test figures to this file")
    return parser.parse_args(argv)


def prepare(settings, args):
    """Load the data and the model, and cut the data into windows: (series, model, data)."""
    import lstm

    series = lstm.load_series(settings["csv"], settings["columns"])
    model = get_model(settings, len(series.columns), args.load_model)
    if args.load_model:
        match_saved_settings(settings, args.load_model, args.normalise)
    if settings["normalise"]:
        lstm.check_no_zeros(series, settings["csv"])
    check_length(len(series.values), settings["seq_len"], args.train_frac, settings["csv"])
    data = make_datasets(series, settings["seq_len"], args.train_frac, settings["normalise"],
                         np.random.default_rng(args.seed))
    describe(series, data, settings, settings["csv"])
    return series, model, data


def train_and_evaluate(settings, args, started):
    """Everything after the settings check: returns the figures for --json."""
    import keras

    import lstm

    print(f"Keras {keras.__version__} on {keras.backend.backend()}, loaded in "
          f"{time.perf_counter() - started:.1f} s")
    keras.utils.set_random_seed(args.seed)
    series, model, data = prepare(settings, args)
    model.summary()
    fit_started = time.perf_counter()
    history = fit(model, data, settings)
    fit_seconds = time.perf_counter() - fit_started
    print(f"Trained {settings['epochs']} epochs in {fit_seconds:.1f} s")
    results = predict_all(model, data, settings, args.mode)
    truth = data["test_windows"][:, -1, 0]  # (n_test,) what really came next
    today = data["test_windows"][:, -2, 0]  # (n_test,) the last value each window saw
    figures = report(truth, today, results, settings)
    ahead = lstm.forecast(model, series, args.forecast, settings["normalise"]) if args.forecast \
        else None
    if ahead is not None:
        print_forecast(*ahead)
    plots_started = time.perf_counter()
    figures_to_draw = figure_lines(series, results, history, truth, today, settings, ahead)
    paths = plot_all(figures_to_draw, settings["name"], series.columns[0], args.plot_dir,
                     args.show)
    print(f"Drew {len(paths)} figures in {time.perf_counter() - plots_started:.1f} s: "
          f"{', '.join(path.name for path in paths)} in {args.plot_dir}")
    if args.save_model:
        saved = lstm.save_model(model, args.save_model, settings["normalise"], series.columns)
        print(f"Saved the model to {saved}, and how it was trained to "
              f"{lstm.settings_path(saved).name}")
    return {"dataset": settings["name"], **figures, "fit_seconds": fit_seconds,
            "epochs": settings["epochs"]}


def run(args, started):
    settings = settings_from(args)
    check_settings(settings, args)
    check_files(settings, args)
    import lstm  # Keras starts here

    try:
        figures = train_and_evaluate(settings, args, started)
    except lstm.InputError as error:
        raise InputError(str(error)) from None
    figures["seconds"] = time.perf_counter() - started
    print(f"Done in {figures['seconds']:.1f} s")
    if args.json:
        write_atomically(Path(args.json), json.dumps(figures, indent=2) + "\n")
    return figures


def main(argv=None):
    started = time.perf_counter()
    args = parse_args(argv)
    try:
        run(args, started)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

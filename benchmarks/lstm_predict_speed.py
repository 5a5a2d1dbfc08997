"""How much faster are batched multiple-sequence predictions than one model.predict a step?

The classic way to draw the "multiple sequences" fan calls model.predict once per step for
each window in turn. lstm.py advances all windows together, one predict_on_batch call per step.
This times both on the same model and the same windows (the S&P 500 test span, sequence length
50, prediction length 50), checks that they agree, and prints what one call of each kind costs.

    python benchmarks/lstm_predict_speed.py
    python benchmarks/lstm_predict_speed.py --json speed.json

--json writes {"loop_seconds", "batched_seconds", "speedup", "max_abs_diff", ...}; max_abs_diff
is in the model's own (normalised) units.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import lstm  # noqa: E402  (after the path is set)
import plumbing  # noqa: E402
import run_lstm  # noqa: E402
import series_csv  # noqa: E402

# %% Settings
SEQ_LEN = 50  # days each window reads, as in the classic setup
PREDICTION_LEN = 50  # steps each free-running sequence runs
EPOCHS = 1  # a quick fit, so the model predicts something sensible (speed does not depend on it)
CALL_REPEATS = 20  # calls timed for each way of calling the model


def sp500_setup(seq_len, epochs, seed):
    """The S&P 500 preset's model, briefly trained, and its test-span input windows."""
    lstm.seed_everything(seed)
    preset = run_lstm.PRESETS["sp500"]
    series = series_csv.read_series(REPO_ROOT / preset["csv"])
    settings = {**preset, "seq_len": seq_len}
    data = run_lstm.make_datasets(series, seq_len, run_lstm.TRAIN_FRAC, True,
                                  np.random.default_rng(seed))
    model = lstm.build_model(seq_len, 1, preset["units"], preset["dropout"],
                             preset["learning_rate"], lstm.keras.layers.LSTM)
    if epochs:
        lstm.train(model, data["x"], data["y"], data["x_val"], data["y_val"], epochs,
                   settings["batch_size"], settings["learning_rate"], verbose=0)
    return model, data["test_windows"][:, :-1, :]  # (n_test, seq_len, 1)


def predict_sequences_one_by_one(model, windows, prediction_len, normalise):
    """The classic way: one model.predict call per window per step, each window in turn."""
    def predict(x):
        return model.predict(x, verbose=0)  # sets up a whole data pipeline on every call

    starts = windows[: len(windows) // prediction_len * prediction_len : prediction_len]
    sequences = np.empty((len(starts), prediction_len))  # (n_sequences, prediction_len)
    for k, start in enumerate(starts):
        window = np.array(start[None], dtype=float)  # (1, seq_len, columns)
        for step in range(prediction_len):
            sequences[k, step] = lstm.next_values(predict, window, normalise)[0]
            window = lstm.slide(window, sequences[k, step])
    return sequences


def seconds_per_call(call, x, repeats=CALL_REPEATS):
    """Average wall time of call(x), after one warm-up call."""
    call(x)
    started = time.perf_counter()
    for _ in range(repeats):
        call(x)
    return (time.perf_counter() - started) / repeats


def call_costs(model, windows, prediction_len):
    """Seconds per call of each way to run the model, on one window and on a whole step."""
    import keras

    ways = {
        "model.predict": lambda x: model.predict(x, verbose=0),
        "model.predict_on_batch": model.predict_on_batch,
        "model(x, training=False)": lambda x: keras.ops.convert_to_numpy(model(x,
                                                                          training=False)),
    }
    one = lstm.normalise_windows(windows[:1]).astype("float32")  # (1, seq_len, 1)
    step = lstm.normalise_windows(windows[::prediction_len]).astype("float32")  # (n_seq, ...)
    return {name: {"one_window": seconds_per_call(call, one),
                   "all_sequences": seconds_per_call(call, step)}
            for name, call in ways.items()}


def model_units_difference(loop, batched, starts):
    """Largest gap between the two, in the model's normalised units.

    At step k the model reads a window whose first value is row k of the seed window (or an
    earlier prediction), and its output is price / that value - 1: divide the price gap by it.
    """
    steps = loop.shape[1]
    history = np.concatenate([starts[:, :, 0], batched], axis=1)  # (n_seq, seq_len + steps)
    first_values = history[:, :steps]  # (n_seq, steps)
    return float(np.max(np.abs(loop - batched) / np.abs(first_values)))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time batched against per-window "
                                     "multiple-sequence predictions on the S&P 500 test span.")
    parser.add_argument("--seq-len", type=int, default=SEQ_LEN, help="window length (default: "
                        f"{SEQ_LEN})")
    parser.add_argument("--prediction-len", type=int, default=PREDICTION_LEN,
                        help=f"steps per sequence (default: {PREDICTION_LEN})")
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help=f"training epochs before timing (default: {EPOCHS})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    model, windows = sp500_setup(args.seq_len, args.epochs, args.seed)
    n_seq = len(windows) // args.prediction_len
    print(f"{n_seq} sequences of {args.prediction_len} steps from {len(windows)} test windows "
          f"of {args.seq_len} days; Keras on {__import__('keras').backend.backend()}")

    started = time.perf_counter()
    batched = lstm.predict_sequences_multiple(model, windows, args.prediction_len, True)
    batched_seconds = time.perf_counter() - started
    started = time.perf_counter()
    loop = predict_sequences_one_by_one(model, windows, args.prediction_len, True)
    loop_seconds = time.perf_counter() - started
    starts = windows[: n_seq * args.prediction_len : args.prediction_len]
    figures = {"loop_seconds": loop_seconds, "batched_seconds": batched_seconds,
               "speedup": loop_seconds / batched_seconds,
               "max_abs_diff": model_units_difference(loop, batched, starts),
               "max_price_diff": float(np.max(np.abs(loop - batched))),
               "sequences": n_seq, "prediction_len": args.prediction_len,
               "seq_len": args.seq_len}
    print(f"one model.predict per step per window: {loop_seconds:8.3f} s "
          f"({n_seq * args.prediction_len} calls)")
    print(f"batched, one predict_on_batch a step:  {batched_seconds:8.3f} s "
          f"({args.prediction_len} calls)")
    print(f"speedup {figures['speedup']:.0f}x; largest difference {figures['max_abs_diff']:.2e} "
          f"in the model's units ({figures['max_price_diff']:.2e} in index points)")

    costs = call_costs(model, windows, args.prediction_len)
    print(f"\nCost of one call (milliseconds)          one window   {n_seq} windows")
    for name, cost in costs.items():
        print(f"  {name:38} {cost['one_window'] * 1e3:10.2f} {cost['all_sequences'] * 1e3:12.2f}")
    figures["call_seconds"] = costs
    if args.json:
        plumbing.write_json(args.json, figures)
    return 0 if figures["max_abs_diff"] <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())

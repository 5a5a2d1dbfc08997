# Exercise version of rnn.py, made by stubs/make_stubs.py from the solution one folder up.
# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.
"""Make it recurrent: a numpy RNN learns a sine wave, then draws the wave by itself.

Part 2 of the evening. The network of mlp.py (row vectors, Wxh, bh, Why, by, and the same
forward / backward / update steps) gains Whh, hidden-to-hidden weights, so that each step's
hidden state carries what the earlier steps saw. One value goes in per time step, tanh hidden
units carry the state, and a linear output predicts the next value. Training is
backpropagation through time over whole windows, a mini-batch of windows at once; in the
later epochs the end of each window is fed the network's own predictions (`training_plan`).

    python rnn.py                      # learn data/sinwave.csv, print the RMSEs, save figures/
    python rnn.py --epochs 5 --show    # a shorter run, plots in windows
    python rnn.py --csv my_series.csv  # any one-column series of numbers

After training, the network is seeded with the last training window and then fed its own
predictions for the whole test span ("free running"), next to the usual one-step-ahead
predictions and the naive "next value = this value" baseline. Free running is the fragile
part: a frequency off by half a percent puts the wave out of step within five cycles, which is
why training feeds the network its own predictions (compare seeds with benchmarks/rnn_seeds.py).

The exercises are `rnn_step` (the recurrent forward step), `backward` (backpropagation through
time) and `update` (Adam): open stubs/rnn.py, replace each `raise NotImplementedError` with code
that follows the TODO above it, and run `python stubs/rnn.py`. When

    python -m pytest --impl stubs tests/test_rnn.py

passes, your network learns. (`python -m pytest tests/test_rnn.py` tests the solution here.)
"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

# %% Settings
HIDDEN = 16  # tanh units carried from step to step; Whh alone has HIDDEN**2 weights
SEQ_LEN = 50  # true values at the start of every training window (half a sine cycle); one-step
#               predictions and the free run are given as many true values before they start
EPOCHS = 20  # passes over the shuffled training windows, in three stages (`training_plan`)
TEACHER_SHARE = 0.15  # stage 1, this share of the epochs: every input is a true value
SHORT_HORIZON = 25  # stage 2: the fed-back stretch after the true values grows to this many steps
LONG_SHARE = 0.4  # stage 3, this share of the epochs (the last ones): stretches of LONG_HORIZON
LONG_HORIZON = 100  # ...steps, one sine period: a period 1% off is a clear error only that far
LONG_LR = 0.03  # ...at this fraction of the learning rate (the loss is steep that far out)
FEEDBACK_SHARE = 0.75  # share of the windows with a fed-back stretch; the rest stay true values
BATCH_SIZE = 48  # windows per gradient step, processed together as one matrix
LEARNING_RATE = 0.01  # Adam's starting step size; it falls along a cosine to LR_FLOOR of it
LR_FLOOR = 0.02  # the cosine heads for this fraction of the starting learning rate
CLIP_NORM = 5.0  # gradients longer than this (all parameters together) are scaled down to it
SPREAD = 2.0  # values are scaled to mean 0 and this standard deviation (measured: 2 beats 1)
TRAIN_FRACTION = 0.9  # the first 90% of the series trains; the rest (>= 500 sine points) tests
WEIGHT_SCALE = 1.0  # starting weights ~ normal(0, WEIGHT_SCALE / sqrt(fan-in))
SEED = 0  # seeds the weights, the shuffling and the feedback draws: same seed, same numbers
DPI = 100  # resolution of the saved figures


def find_repo_root(start=Path(__file__).resolve().parent):
    """The first folder upward from this script that holds data/ (so stubs/ copies work too)."""
    for folder in (start, *start.parents):
        if (folder / "data").is_dir():
            return folder
    return start


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


# %% Data
def read_series(path):
    """The numbers of a one-column text file, one a line; a header line on top is allowed."""
    problem = None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = f"There is no file {path}"
    except IsADirectoryError:
        problem = f"{path} is a folder, not a file"
    except UnicodeDecodeError:
        problem = f"{path} is not UTF-8 text"
    if problem:
        raise InputError(f"{problem}; give --csv a one-column file of numbers.")
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, line) for number, line in lines if line]
    if lines and not _is_number(lines[0][1]):
        lines = lines[1:]  # a header such as "value"
    if not lines:
        raise InputError(f"{path} holds no numbers; give --csv a one-column file of numbers.")
    for number, line in lines:
        if not _is_number(line):
            raise InputError(f"Line {number} of {path} is {line[:40]!r}, not a number; "
                             "--csv needs one finite number a line.")
    return np.array([float(line) for _, line in lines])


def _is_number(text):
    """True for text that reads as one finite number."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def split_series(series, train_fraction=TRAIN_FRACTION):
    """Split by time, before any windows are made: (train part, test part)."""
    n_train = int(len(series) * train_fraction)
    return series[:n_train], series[n_train:]


def scaling_of(train_part, spread=SPREAD):
    """The centre and unit that give the training part mean 0 and standard deviation `spread`."""
    return float(np.mean(train_part)), float(np.std(train_part)) / spread


def standardise(values, mean, unit):
    """Centre and scale with the training part's figures (see `scaling_of`)."""
    return (values - mean) / unit


def unstandardise(values, mean, unit):
    """The exact inverse of `standardise`: back to the series' own units."""
    return values * unit + mean


def make_windows(series, seq_len):
    """All windows of seq_len inputs, each with its targets: the same steps, one value later.

    Returns X (windows, seq_len) and T (windows, seq_len) with T[:, t] == X[:, t + 1], so the
    last target of each window, T[:, -1], is the value right after the window.
    """
    n_windows = len(series) - seq_len
    rows = np.arange(n_windows)[:, None] + np.arange(seq_len + 1)  # (windows, seq_len + 1)
    values = series[rows]
    return values[:, :-1], values[:, 1:]


# %% Model
def init_params(n_inputs, n_hidden, n_outputs, rng, scale=WEIGHT_SCALE):
    """Random weights and zero biases. Row vectors: a layer computes x @ W + b."""
    return {
        "Wxh": rng.normal(0.0, scale / math.sqrt(n_inputs), (n_inputs, n_hidden)),  # (in, hid)
        "Whh": rng.normal(0.0, scale / math.sqrt(n_hidden), (n_hidden, n_hidden)),  # (hid, hid)
        "bh": np.zeros((1, n_hidden)),  # (1, hidden)
        "Why": rng.normal(0.0, scale / math.sqrt(n_hidden), (n_hidden, n_outputs)),  # (hid, out)
        "by": np.zeros((1, n_outputs)),  # (1, outputs)
    }


def count_params(params):
    """Number of weights and biases in each matrix, e.g. {"Wxh": 24, "Whh": 576, ...}."""
    return {name: value.size for name, value in params.items()}


def tanh_grad_from_output(h):
    """The tanh's slope, given its output h = tanh(z): dh/dz = 1 - h**2."""
    return 1.0 - h * h


def rnn_step(x, h_prev, params):
    """One time step of the recurrent network.

    Inputs:
    - x: this step's input, one row per window, shape (batch, inputs)
    - h_prev: the hidden state the previous step left, shape (batch, hidden)
    - params: dict with Wxh (inputs, hidden), Whh (hidden, hidden), bh (1, hidden),
      Why (hidden, outputs), by (1, outputs)
    Returns:
    - h: the new hidden state, shape (batch, hidden)
    - y: the prediction of the next value, shape (batch, outputs)
    """
    # TODO: Recurrent forward step
    #   1. h = tanh of (x times Wxh, plus h_prev times Whh, plus the hidden bias bh)
    #   2. y = h times Why, plus the output bias by (linear: the output is a number, not a class)
    raise NotImplementedError('TODO: Recurrent forward step')
    return h, y


def forward(X, params, h0=None, feed_back=None):
    """Run the network over a batch of windows, one time step after another.

    Inputs:
    - X: the input values, shape (batch, steps)
    - params: the weights (see `rnn_step`)
    - h0: the starting hidden state, shape (batch, hidden); zeros when None
    - feed_back: None, or booleans (batch, steps): where True (from step 1 on), that step gets
      the network's own previous prediction instead of the true value
    Returns:
    - Xs: the inputs the steps really saw, shape (batch, steps)
    - H: the hidden states, shape (steps + 1, batch, hidden), H[0] = h0, H[t + 1] after step t
    - Y: the prediction made at each step, shape (batch, steps)
    """
    batch, steps = X.shape
    Xs, Y = X.copy(), np.empty((batch, steps))
    H = np.zeros((steps + 1, batch, params["Whh"].shape[0]))
    if h0 is not None:
        H[0] = h0
    for t in range(steps):
        if feed_back is not None and t > 0:
            Xs[:, t] = np.where(feed_back[:, t], Y[:, t - 1], X[:, t])
        H[t + 1], y = rnn_step(Xs[:, t:t + 1], H[t], params)
        Y[:, t] = y[:, 0]
    return Xs, H, Y


def mean_squared_error(Y, T):
    """The loss: the mean of (prediction - target)**2 over every step of every window."""
    return float(np.mean((Y - T) ** 2))


def backward(Xs, T, H, Y, params, feed_back=None):
    """Backpropagation through time: the gradient of the loss with respect to every parameter.

    Inputs:
    - Xs, H, Y: what `forward` returned (inputs seen, hidden states, predictions)
    - T: the targets, shape (batch, steps)
    - params: the weights used by that forward pass
    - feed_back: the same booleans (batch, steps) that `forward` got, or None. A step that was
      fed the previous prediction passes the error at its input back to that prediction
    Returns:
    - grads: dict with dWxh, dWhh, dbh, dWhy, dby, each the shape of its parameter
    """
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dY = 2.0 * (Y - T) / Y.size  # (batch, steps): slope of the mean squared error
    dh_next = np.zeros_like(H[0])  # (batch, hidden): what step t + 1 sends back to step t
    # TODO: Backward pass through time
    #   for each step t from the last back to the first (h = H[t + 1], h_prev = H[t]):
    #   1. dy = column t of dY, shape (batch, 1); dWhy += h.T times dy; dby += dy summed over rows
    #   2. dh = dy times Why.T, plus dh_next (the error that came back from step t + 1)
    #   3. dz = dh times tanh_grad_from_output(h)   (back through the tanh)
    #   4. dWxh += column t of Xs, as (batch, 1), .T times dz; dWhh += h_prev.T times dz;
    #      dbh += dz summed over rows
    #   5. dh_next = dz times Whh.T   (the error carried to the previous step)
    #   6. only if feed_back is not None and t > 0: where feed_back[:, t] is True, this step's
    #      input was prediction t - 1, so add the error at the input, dz times Wxh.T, to
    #      column t - 1 of dY (which the loop reaches next)
    raise NotImplementedError('TODO: Backward pass through time')
    return grads


def clip_gradients(grads, max_norm=CLIP_NORM):
    """Scale all gradients down together when their joint length exceeds max_norm."""
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    if norm <= max_norm:
        return grads
    return {name: g * (max_norm / norm) for name, g in grads.items()}


def init_adam(params):
    """Adam's memory: running means of each gradient (m) and of its square (v), and a count."""
    zeros = {name: np.zeros_like(value) for name, value in params.items()}
    return {"m": zeros, "v": dict(zeros), "step": 0}


def update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step: returns new parameters and Adam's new memory.

    Plain gradient descent (mlp.py) would need a different step size for Whh than for by, and
    thousands of steps. Adam divides each weight's step by the typical size of its own gradient,
    so one learning rate suits every matrix, and a few hundred steps are enough here.
    """
    # TODO: Update with Adam
    #   1. step = state["step"] + 1
    #   2. for every parameter name (Wxh, Whh, bh, Why, by), with g = grads["d" + name]:
    #      m = beta1 * old m + (1 - beta1) * g        (running mean of the gradient)
    #      v = beta2 * old v + (1 - beta2) * g**2     (running mean of its square)
    #      new value = old value - lr * m_hat / (sqrt(v_hat) + eps),
    #      where m_hat = m / (1 - beta1**step) and v_hat = v / (1 - beta2**step)
    #   3. return the new parameters and {"m": ..., "v": ..., "step": step}
    raise NotImplementedError('TODO: Update with Adam')
    return new_params, {"m": m, "v": v, "step": step}


# %% Training
def learning_rate(epoch, epochs, lr):
    """Cosine decay from lr towards LR_FLOOR * lr: big steps first, fine ones at the end.

    The floor itself would be reached one epoch after the last, so every epoch still learns.
    """
    return lr * (LR_FLOOR + (1.0 - LR_FLOOR) * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs)))


def training_plan(epochs, lr):
    """One (learning rate, fed-back steps) pair per epoch: the three stages of training.

    Free running compounds errors. A period 1% off, too small to see in one step, puts the
    wave out of step within a few cycles, and pure teacher forcing (true inputs only) leaves
    the period to chance. So each window starts with seq_len true values, and in its last
    `steps` the network gets its own previous predictions, with the gradient flowing back
    through them (`backward`, step 6): the loss then measures the drift itself. Stage 1 uses
    true values only; in stage 2 the fed-back stretch grows to SHORT_HORIZON (a long one
    before the network has learnt anything makes training diverge); stage 3 feeds back
    LONG_HORIZON steps at a small learning rate, which pins the period down.
    """
    n_long = round(LONG_SHARE * epochs)
    n_first, n_teacher = epochs - n_long, round(TEACHER_SHARE * epochs)
    plan = []
    for epoch in range(n_first):
        grown = (epoch + 1 - n_teacher) / max(1, n_first - n_teacher)  # <= 0 in stage 1
        plan.append((learning_rate(epoch, n_first, lr), max(0, round(grown * SHORT_HORIZON))))
    for epoch in range(n_long):
        plan.append((learning_rate(epoch, n_long, LONG_LR * lr), LONG_HORIZON))
    return plan


def train_epoch(X, T, params, state, lr, steps, settings, rng):
    """One pass over the shuffled windows in mini-batches; returns params, state, mean loss.

    In FEEDBACK_SHARE of the windows the last `steps` inputs are the network's own
    predictions; the other windows see only true values, which keeps one-step predictions sharp.
    """
    order = rng.permutation(len(X))  # only the training windows are ever shuffled
    losses = []
    for start in range(0, len(X), settings["batch_size"]):
        rows = order[start:start + settings["batch_size"]]
        feed_back = None
        if steps > 0:
            feed_back = np.zeros((len(rows), X.shape[1]), dtype=bool)  # (batch, steps)
            feed_back[:, -steps:] = rng.random((len(rows), 1)) < FEEDBACK_SHARE
        Xs, H, Y = forward(X[rows], params, feed_back=feed_back)
        losses.append(mean_squared_error(Y, T[rows]))
        grads = backward(Xs, T[rows], H, Y, params, feed_back)
        params, state = update(params, clip_gradients(grads, settings["clip"]), state, lr)
    return params, state, float(np.mean(losses))


def train(train_part, settings, log=print):
    """Train a fresh network on the (scaled) training part; returns params and epoch losses.

    Each epoch cuts windows of seq_len true values plus its fed-back steps. Longer windows
    overlap more, so only every (1 + steps // 10)th is used: as much variety, less work.
    """
    rng = np.random.default_rng(settings["seed"])
    params = init_params(1, settings["hidden"], 1, rng)
    state = init_adam(params)
    X, T = make_windows(train_part, settings["seq_len"])
    untrained = mean_squared_error(forward(X, params)[2], T)  # the sanity check before training
    log(f"  epoch   0  loss {untrained:.6f}  (untrained; always predicting 0 scores "
        f"{SPREAD**2:g}, the variance of the scaled values)")
    losses = []
    for epoch, (lr, steps) in enumerate(training_plan(settings["epochs"], settings["lr"])):
        X, T = make_windows(train_part, settings["seq_len"] + steps)
        stride = 1 + steps // 10
        params, state, loss = train_epoch(X[::stride], T[::stride], params, state, lr, steps,
                                          settings, rng)
        losses.append(loss)
        log(f"  epoch {epoch + 1:3d}  loss {loss:.6f}  lr {lr:.5f}  fed-back steps {steps:3d}")
        if not math.isfinite(loss):
            raise InputError(f"The loss became {loss} at epoch {epoch + 1}; "
                             "try a smaller --lr.")
    return params, losses


# %% Evaluation and plots
def predict_one_step(series, first, params, seq_len):
    """Predict each value from `first` on from the seq_len true values just before it."""
    rows = np.arange(first, len(series))[:, None] + np.arange(-seq_len, 0)  # (targets, seq_len)
    _, _, Y = forward(series[rows], params)
    return Y[:, -1]


def free_run(seed_window, steps, params):
    """Seed with true values, then feed each prediction back in as the next input.

    Returns `steps` predictions: the first comes from the seed window, each later one from the
    network's own previous prediction.
    """
    _, H, Y = forward(seed_window[None, :], params)
    h, y = H[-1], Y[:, -1:]  # (1, hidden), (1, 1)
    predictions = np.empty(steps)
    for t in range(steps):
        predictions[t] = y[0, 0]
        h, y = rnn_step(y, h, params)
    return predictions


def rmse(predictions, truth):
    """Root mean squared error, in the units of the values."""
    return float(np.sqrt(np.mean((predictions - truth) ** 2)))


def save_figure(figure, path):
    """Save a PNG through a temporary name, so no half-written file is ever left."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        figure.savefig(temporary, format="png", dpi=DPI)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def save_plots(series, n_train, losses, one_step, free, plot_dir, show=False):
    """Save the split, the loss curve, the one-step and the free-running predictions as PNGs."""
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plot_dir.mkdir(parents=True, exist_ok=True)
    steps, test = np.arange(len(series)), series[n_train:]
    panels = {
        "rnn_split.png": ("Train/test split (by time)", [
            (steps[:n_train], series[:n_train], "train"), (steps[n_train:], test, "test")]),
        "rnn_loss.png": ("Training loss", [(np.arange(1, len(losses) + 1), losses, "loss")]),
        "rnn_one_step.png": ("One step ahead on the test span", [
            (steps[n_train:], test, "truth"), (steps[n_train:], one_step, "predicted")]),
        "rnn_free_run.png": ("Free running: own predictions fed back", [
            (steps[n_train:], test, "truth"), (steps[n_train:], free, "free running")]),
    }
    paths = []
    for name, (title, lines) in panels.items():
        figure, axes = plt.subplots(figsize=(7, 3))
        for x, y, label in lines:
            axes.plot(x, y, label=label, linestyle="--" if label in ("predicted", "free running")
                      else "-")
        axes.set(title=title, xlabel="epoch" if "loss" in name else "time step",
                 yscale="log" if "loss" in name else "linear")
        axes.legend(loc="upper right")
        figure.tight_layout()
        paths.append(save_figure(figure, plot_dir / name))
    if show:
        plt.show()
    plt.close("all")
    return paths


# %% Command line
class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors as one plain sentence too."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")


def parse_args(argv):
    parser = ArgumentParser(description="A numpy RNN learns a sine wave, then free-runs.")
    parser.add_argument("--csv", type=Path, default=find_repo_root() / "data" / "sinwave.csv",
                        help="one-column file of numbers to learn (default: data/sinwave.csv)")
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help=f"passes over the training windows (default {EPOCHS})")
    parser.add_argument("--hidden", type=int, default=HIDDEN,
                        help=f"hidden units (default {HIDDEN})")
    parser.add_argument("--seq-len", type=int, default=SEQ_LEN,
                        help=f"time steps per training window (default {SEQ_LEN})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"Adam's starting learning rate (default {LEARNING_RATE})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--plot-dir", type=Path, default=find_repo_root() / "figures",
                        help="folder for the PNGs (default: figures/)")
    parser.add_argument("--show", action="store_true", help="also open the plots in windows")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    for flag, value in (("--epochs", args.epochs), ("--hidden", args.hidden),
                        ("--seq-len", args.seq_len)):
        if value < 1:
            parser.error(f"{flag} must be at least 1; got {value}")
    if not math.isfinite(args.lr) or args.lr <= 0:
        parser.error(f"--lr must be a positive number; got {args.lr}")
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more; got {args.seed}")
    return args


def load_data(path, seq_len):
    """Read and split the series, checking that there is enough of it; returns (series, n_train)."""
    series = read_series(path)
    train_part, _ = split_series(series)
    if len(series) < 2 * (seq_len + 1) or len(train_part) <= seq_len + LONG_HORIZON:
        raise InputError(f"{path} holds {len(series)} values, too few to train on windows of "
                         f"--seq-len {seq_len} plus {LONG_HORIZON} fed-back steps and test; "
                         "use a longer series or a smaller --seq-len.")
    if np.std(train_part) == 0:
        raise InputError(f"The training part of {path} is one constant value; "
                         "give --csv a series that changes.")
    return series, len(train_part)


def write_json(path, results):
    """Write the results to `path` through a temporary file, so no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def describe(series, n_train, settings):
    """Print the data shapes and the parameter count."""
    print(f"series: {len(series)} values; train {n_train}, test {len(series) - n_train} "
          f"(split by time)")
    shape = (n_train - settings["seq_len"], settings["seq_len"])
    print(f"training windows: X {shape}, targets {shape} (each one step later)")
    print(f"later epochs lengthen them by up to {SHORT_HORIZON}, then {LONG_HORIZON} steps "
          "that get the network's own predictions")
    sizes = count_params(init_params(1, settings["hidden"], 1, np.random.default_rng(0)))
    print("parameters: " + ", ".join(f"{k} {v}" for k, v in sizes.items())
          + f" (total {sum(sizes.values())})")


def evaluate(series, n_train, params, settings, mean, unit):
    """One-step, free-running and naive RMSEs on the test span, in the series' own units."""
    scaled, test = standardise(series, mean, unit), series[n_train:]
    one_step = unstandardise(predict_one_step(scaled, n_train, params, settings["seq_len"]),
                             mean, unit)
    free = unstandardise(free_run(scaled[n_train - settings["seq_len"]:n_train], len(test),
                                  params), mean, unit)
    results = {"one_step_rmse": rmse(one_step, test), "free_run_rmse": rmse(free, test),
               "free_run_steps": len(test),
               "persistence_rmse": rmse(series[n_train - 1:-1], test)}
    return results, one_step, free


def print_summary(results):
    """The table the room looks at: each RMSE beside the naive baseline."""
    naive = results["persistence_rmse"]
    print(f"\n{'test RMSE':44s} {'value':>9s} {'/ naive':>8s}")
    for label, key in (("one step ahead", "one_step_rmse"),
                       (f"free running ({results['free_run_steps']} steps)", "free_run_rmse"),
                       ("naive baseline: next value = this value", "persistence_rmse")):
        print(f"{label:44s} {results[key]:9.5f} {results[key] / naive:8.3f}")


def fit_and_evaluate(series, n_train, settings, log=print):
    """Scale, window, train and evaluate; returns the results and what the plots need."""
    mean, unit = scaling_of(series[:n_train])
    if log:
        describe(series, n_train, settings)
    train_start = time.perf_counter()
    params, losses = train(standardise(series[:n_train], mean, unit), settings,
                           log=log or (lambda *_: None))
    train_seconds = time.perf_counter() - train_start
    results, one_step, free = evaluate(series, n_train, params, settings, mean, unit)
    results["train_seconds"] = train_seconds
    return results, {"params": params, "losses": losses, "one_step": one_step, "free": free}


def default_settings(**changes):
    """The settings block as one dict, with any changes (e.g. seed=3) applied."""
    settings = {"hidden": HIDDEN, "seq_len": SEQ_LEN, "epochs": EPOCHS, "lr": LEARNING_RATE,
                "seed": SEED, "batch_size": BATCH_SIZE, "clip": CLIP_NORM}
    settings.update(changes)
    return settings


def run(args):
    start = time.perf_counter()
    settings = default_settings(hidden=args.hidden, seq_len=args.seq_len, epochs=args.epochs,
                                lr=args.lr, seed=args.seed)
    series, n_train = load_data(args.csv, args.seq_len)
    results, curves = fit_and_evaluate(series, n_train, settings)
    print(f"training took {results['train_seconds']:.2f} s")
    print_summary(results)
    for path in save_plots(series, n_train, curves["losses"], curves["one_step"],
                           curves["free"], args.plot_dir, args.show):
        print(f"saved {path}")
    results["seconds"] = time.perf_counter() - start
    print(f"done in {results['seconds']:.2f} s")
    if args.json:
        write_json(args.json, results)
    return results


def main(argv=None):
    args = parse_args(argv)
    try:
        run(args)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

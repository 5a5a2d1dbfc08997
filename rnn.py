"""Make it recurrent: a numpy RNN learns a sine wave, then draws the wave by itself.

Part 2 of the evening. The network of mlp.py (row vectors, Wxh, bh, Why, by, and the same
forward / backward / update steps) gains Whh, hidden-to-hidden weights, so that each step's
hidden state carries what the earlier steps saw. One value goes in per time step, tanh hidden
units carry the state, and a linear output predicts the next value. Training is
backpropagation through time over whole windows, a mini-batch of windows at once; in the
later epochs the end of each window is fed the network's own predictions (`training_plan`).

    python rnn.py                      # learn data/sinwave.csv, print the RMSEs, save figures/
    python rnn.py --live               # watch the free run bend into the wave as it trains
    python rnn.py --epochs 5 --show    # a shorter run, plots in windows
    python rnn.py --csv my_series.csv  # any series of numbers (one a line, or a Close column);
                                       # its files are named after it: my_series_rnn_*.png

After training, the network gets the last training window and then only its own predictions
for the whole test span ("free running"). Each result stands beside its naive baseline: the
one-step predictions beside "next value = this value", the free run beside "flat at the last
known value". The predictions themselves are kept beside the figures, in
figures/rnn_predictions.csv, in the series' own units.

The exercises (about 20 minutes) are `rnn_step` (one recurrent step) and `backward`
(backpropagation through time); `fed_back_error` is an optional extension. Open stubs/rnn.py,
replace each `raise NotImplementedError` with code that follows the TODO above it, and run
`python stubs/rnn.py`. When

    python -m pytest --impl stubs tests/test_rnn.py

passes, your network learns. (`python -m pytest tests/test_rnn.py` tests the solution here.)
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import plumbing
from plumbing import InputError

# %% Settings (in a notebook, these are the command line: edit them, then run the cells below)
CSV = "data/sinwave.csv"  # the series: one number a line, or a Close column (from the repo)
PERIOD = 100  # steps per cycle of data/sinwave.csv, the "one period back" baseline (never
#               guessed for another file: a series of yours has no known period)
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
LIVE = False  # True: a figure redraws the predictions every LIVE_EVERY epochs as it trains
LIVE_EVERY = 4  # ...epochs between redraws: each costs about 2% of the training time


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
    """Number of weights and biases in each matrix, e.g. {"Wxh": 16, "Whh": 256, ...}."""
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
    # TODO: One step of the recurrent network
    #   (@ is a matrix product; every weight and bias is in params, e.g. params["Whh"])
    #   1. h, the new hidden state: tanh of (x @ Wxh, plus h_prev @ Whh, plus the bias bh):
    #      what this step sees, mixed with what the step before left behind
    #   2. y, the prediction of the next value: h @ Why, plus the bias by (no tanh or sigmoid
    #      here: the output is a number on the series' scale, not a probability)
    ### BEGIN SOLUTION
    h = np.tanh(x @ params["Wxh"] + h_prev @ params["Whh"] + params["bh"])  # (batch, hidden)
    y = h @ params["Why"] + params["by"]  # (batch, outputs)
    ### END SOLUTION
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
    - Y: the prediction made at each step, shape (batch, steps)
    - cache: what `backward` needs, (Xs, H, Y, feed_back): Xs the inputs the steps really saw
      (batch, steps); H the hidden states (steps + 1, batch, hidden), H[0] = h0, H[t + 1]
      after step t
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
    return Y, (Xs, H, Y, feed_back)  # the predictions, and what backward needs


def mean_squared_error(Y, T):
    """The loss: the mean of (prediction - target)**2 over every step of every window."""
    return float(np.mean((Y - T) ** 2))


def backward(targets, cache, params):
    """Backpropagation through time: the gradient of the loss with respect to every parameter.

    Inputs:
    - targets: T, shape (batch, steps)
    - cache: what `forward` returned beside its predictions: (Xs, H, Y, feed_back), the inputs
      seen, the hidden states, the predictions, and the booleans that `forward` got, or None
      (see `fed_back_error`, the optional extension)
    - params: the weights used by that forward pass
    Returns:
    - grads: dict with dWxh, dWhh, dbh, dWhy, dby, each the shape of its parameter
    """
    Xs, H, Y, feed_back = cache
    T = targets  # (batch, steps)
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dY = 2.0 * (Y - T) / Y.size  # (batch, steps): the slope of the mean squared error
    dh_next = np.zeros_like(H[0])  # (batch, hidden): what step t + 1 sends back to step t
    for t in reversed(range(Y.shape[1])):  # from the last step back to the first
        h, h_prev, x = H[t + 1], H[t], Xs[:, t:t + 1]  # (batch, hidden), same, (batch, 1)
        dy = dY[:, t:t + 1]  # (batch, 1): the error of this step's prediction
        # TODO: Back through one time step (the loop above runs from the last step back)
        #   (@ is a matrix product, * multiplies element by element, .T transposes;
        #   add each gradient to its total: grads["dWhy"] += ...)
        #   1. the output layer: dWhy += h.T @ dy; dby += dy summed over the rows, kept as a
        #      row (dy.sum(axis=0, keepdims=True))
        #   2. dh, the error at this step's hidden state, comes from two places: this step's
        #      own prediction (dy @ params["Why"].T) plus what step t + 1 sent back (dh_next)
        #   3. back through the tanh: dz = dh * tanh_grad_from_output(h) (keep the name dz:
        #      the line after your code reads it)
        #   4. the weights into the hidden state: dWxh += x.T @ dz; dWhh += h_prev.T @ dz;
        #      dbh += dz summed over the rows, kept as a row
        #   5. what this step sends back to step t - 1: dh_next = dz @ params["Whh"].T
        ### BEGIN SOLUTION
        grads["dWhy"] += h.T @ dy  # (hidden, 1)
        grads["dby"] += dy.sum(axis=0, keepdims=True)  # (1, 1)
        dh = dy @ params["Why"].T + dh_next  # (batch, hidden): from the output and from t + 1
        dz = dh * tanh_grad_from_output(h)  # (batch, hidden): back through the tanh
        grads["dWxh"] += x.T @ dz  # (1, hidden)
        grads["dWhh"] += h_prev.T @ dz  # (hidden, hidden)
        grads["dbh"] += dz.sum(axis=0, keepdims=True)  # (1, hidden)
        dh_next = dz @ params["Whh"].T  # (batch, hidden)
        ### END SOLUTION
        if feed_back is not None and t > 0:  # this step's input may be prediction t - 1
            dY[:, t - 1] += fed_back_error(dz, params, feed_back[:, t])
    return grads


def fed_back_error(dz, params, fed_back):
    """Optional extension: the error that a fed-back input hands to the prediction it was.

    Where a window's input at step t was the network's own prediction from step t - 1, that
    prediction steers step t, so it is to blame for part of step t's error too: the error at
    step t's input. `backward` adds it to dY[:, t - 1] before its loop reaches step t - 1.
    Without it, training on fed-back stretches ignores how its own errors compound, and the
    free run drifts.

    Inputs:
    - dz: the error before step t's tanh, shape (batch, hidden)
    - params: the weights; Wxh is (1, hidden) for one input value
    - fed_back: booleans, shape (batch,): True where step t's input was prediction t - 1
    Returns:
    - the error to add to prediction t - 1 of each window, shape (batch,): 0 where not fed back
    """
    # TODO (optional): Hand the error at a fed-back input to the prediction it was
    #   1. dx, the error at step t's input: dz @ params["Wxh"].T, shape (batch, 1)
    #   2. return dx's one column where fed_back is True and 0.0 elsewhere, shape (batch,)
    #      (np.where(condition, value_if_true, value_if_false) picks element by element)
    ### BEGIN SOLUTION
    dx = dz @ params["Wxh"].T  # (batch, 1): the error at this step's input
    return np.where(fed_back, dx[:, 0], 0.0)  # (batch,)
    ### END SOLUTION


def clip_gradients(grads, max_norm=CLIP_NORM):
    """Scale all gradients down together when their joint length exceeds max_norm."""
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    if norm <= max_norm:
        return grads
    return {name: g * (max_norm / norm) for name, g in grads.items()}


def init_adam(params):
    """Adam's memory: running means of each gradient (m) and of its square (v), and a count.
    m and v get arrays of their own: no array is shared between them or with params."""
    return {"m": {name: np.zeros_like(value) for name, value in params.items()},
            "v": {name: np.zeros_like(value) for name, value in params.items()}, "step": 0}


def update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step (given code): returns new parameters and Adam's new memory, and changes
    none of its inputs.

    Plain gradient descent (mlp.py) moves each weight by lr times its gradient, so Whh, whose
    gradients are large, and by, whose gradients are small, would each want a learning rate
    of its own. Adam keeps two running means for every weight: m, of its gradient (the
    direction, smoothed over about 1 / (1 - beta1) = 10 steps), and v, of the gradient's
    square (its typical size, over about 1000 steps). Each step moves the weight by about
    lr * m / sqrt(v): near lr whatever the size of its gradient, so one learning rate suits
    every matrix. Both means start at 0, which makes them too small in the first steps;
    dividing by 1 - beta**step undoes that. eps keeps the division finite.
    """
    step = state["step"] + 1
    m, v, new_params = {}, {}, {}
    for name, value in params.items():
        g = grads["d" + name]
        m[name] = beta1 * state["m"][name] + (1.0 - beta1) * g  # running mean of the gradient
        v[name] = beta2 * state["v"][name] + (1.0 - beta2) * g * g  # ...and of its square
        m_hat = m[name] / (1.0 - beta1**step)  # the running means start at 0: undo that bias
        v_hat = v[name] / (1.0 - beta2**step)
        new_params[name] = value - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_params, {"m": m, "v": v, "step": step}


# %% Data: windows and scaling
def split_series(series, train_fraction=TRAIN_FRACTION):
    """Split by time, before any windows are made: (train part, test part)."""
    n_train = int(len(series) * train_fraction)
    return series[:n_train], series[n_train:]


def scaling_of(train_part, spread=SPREAD):
    """The centre and unit that give the training part mean 0 and standard deviation `spread`.

    Worked out on the values divided by a power of two near their size, which is exact: values
    near 1e300, whose squares would overflow, scale exactly as small ones do.
    """
    _, exponent = np.frexp(np.max(np.abs(train_part)))
    small = np.ldexp(train_part, -exponent)  # train_part / 2**exponent, exactly
    return (float(np.ldexp(np.mean(small), exponent)),
            float(np.ldexp(np.std(small) / spread, exponent)))


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


def load_data(path, seq_len):
    """Read the series (series_csv: one number a line, or a stock's Close column) and check
    that it suits training: long enough for the windows, not constant, and small enough to
    scale. Returns (series, n_train, dates), dates being None when the file has none."""
    import series_csv  # pandas loads here, once run() has checked that it is installed

    table = series_csv.read_series(path)
    series = table.values[:, 0]
    train_part, _ = split_series(series)
    if len(series) < 2 * (seq_len + 1) or len(train_part) <= seq_len + LONG_HORIZON:
        raise InputError(f"{path} holds {len(series)} values, too few to train on windows of "
                         f"--seq-len {seq_len} plus {LONG_HORIZON} fed-back steps and test; "
                         "use a longer series or a smaller --seq-len.")
    if np.all(train_part == train_part[0]):
        raise InputError(f"The training part of {path} is one constant value; "
                         "give --csv a series that changes.")
    mean, unit = scaling_of(train_part)
    with np.errstate(over="ignore", invalid="ignore"):  # checked on the next line
        scalable = np.isfinite(standardise(series, mean, unit)).all()
    if not scalable:
        raise InputError(f"The values of {path} are too large to centre and scale within the "
                         "largest number numpy can hold; divide them by a power of ten first.")
    return series, len(train_part), table.dates


# %% Training
def learning_rate(epoch, epochs, lr):
    """Cosine decay from lr towards LR_FLOOR * lr: big steps first, fine ones at the end.

    The floor itself would be reached one epoch after the last, so every epoch still learns.
    """
    return lr * (LR_FLOOR + (1.0 - LR_FLOOR) * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs)))


def training_plan(epochs, lr, feed_back=True):
    """One (learning rate, fed-back steps) pair per epoch: the three stages of training.

    Free running compounds errors. A period 1% off, too small to see in one step, puts the
    wave out of step within a few cycles, and pure teacher forcing (true inputs only) leaves
    the period to chance. So each window starts with seq_len true values, and in its last
    `steps` the network gets its own previous predictions, with the gradient flowing back
    through them (`fed_back_error`): the loss then measures the drift itself. Stage 1 uses
    true values only; in stage 2 the fed-back stretch grows to SHORT_HORIZON (a long one
    before the network has learnt anything makes training diverge); stage 3 feeds back
    LONG_HORIZON steps at a small learning rate, which pins the period down. Without
    feed_back, every epoch uses true values only, along one cosine.
    """
    if not feed_back:
        return [(learning_rate(epoch, epochs, lr), 0) for epoch in range(epochs)]
    n_long = round(LONG_SHARE * epochs)
    n_first, n_teacher = epochs - n_long, round(TEACHER_SHARE * epochs)
    plan = []
    for epoch in range(n_first):
        grown = (epoch + 1 - n_teacher) / max(1, n_first - n_teacher)  # <= 0 in stage 1
        plan.append((learning_rate(epoch, n_first, lr), max(0, round(grown * SHORT_HORIZON))))
    for epoch in range(n_long):
        plan.append((learning_rate(epoch, n_long, LONG_LR * lr), LONG_HORIZON))
    return plan


def fed_back_error_written(params):
    """False while `fed_back_error`, the optional extension, is still its unfinished stub."""
    try:
        fed_back_error(np.zeros((1, params["Whh"].shape[0])), params, np.ones(1, dtype=bool))
    except NotImplementedError as error:
        if "TODO (optional)" in str(error):
            return False
        raise
    return True


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
        Y, cache = forward(X[rows], params, feed_back=feed_back)
        losses.append(mean_squared_error(Y, T[rows]))
        grads = backward(T[rows], cache, params)
        params, state = update(params, clip_gradients(grads, settings["clip"]), state, lr)
    return params, state, float(np.mean(losses))


def train(train_part, settings, log=print, on_epoch=None):
    """Train a fresh network on the (scaled) training part; returns params and epoch losses.

    Each epoch cuts windows of seq_len true values plus its fed-back steps. Longer windows
    overlap more, so only every (1 + steps // 10)th is used: as much variety, less work.
    `on_epoch(epoch, params)`, if given, sees the network before training (epoch 0) and
    after each epoch, as a live view does; it must change neither.
    """
    on_epoch = on_epoch or (lambda epoch, params: None)
    rng = np.random.default_rng(settings["seed"])
    params = init_params(1, settings["hidden"], 1, rng)
    state = init_adam(params)
    X, T = make_windows(train_part, settings["seq_len"])
    untrained = mean_squared_error(forward(X, params)[0], T)  # the sanity check before training
    log(f"  epoch   0  loss {untrained:.6f}  (untrained; always predicting 0 scores "
        f"{SPREAD**2:g}, the variance of the scaled values)")
    feed_back = fed_back_error_written(params)
    if not feed_back:
        log("  fed_back_error (optional) is not written yet: training feeds true values only, "
            "so the free run will drift")
    losses = []
    on_epoch(0, params)
    for epoch, (lr, steps) in enumerate(training_plan(settings["epochs"], settings["lr"],
                                                      feed_back)):
        X, T = make_windows(train_part, settings["seq_len"] + steps)
        stride = 1 + steps // 10
        try:
            with np.errstate(over="raise", invalid="raise"):  # a blow-up stops it right here
                params, state, loss = train_epoch(X[::stride], T[::stride], params, state, lr,
                                                  steps, settings, rng)
        except FloatingPointError:
            raise InputError(f"Training blew up in epoch {epoch + 1}: the weights grew past the "
                             f"largest number numpy can hold at --lr {settings['lr']:g}; try a "
                             f"smaller --lr (LEARNING_RATE), such as {LEARNING_RATE}.") from None
        losses.append(loss)
        log(f"  epoch {epoch + 1:3d}  loss {loss:.6f}  lr {lr:.5f}  fed-back steps {steps:3d}")
        on_epoch(epoch + 1, params)
    return params, losses


def numbers_held(n_values, settings):
    """About how many numbers a run holds at once, for the memory check before it starts: the
    untrained loss's hidden states over every window, a batch of the longest windows with
    their hidden states, and the windows themselves (a float and an index per value)."""
    longest = settings["seq_len"] + LONG_HORIZON + 1  # steps in the longest windows
    return ((settings["seq_len"] + 1) * n_values * (settings["hidden"] + 4)
            + longest * settings["batch_size"] * (settings["hidden"] + 4)
            + 2 * longest * n_values)


def describe(series, n_train, settings):
    """Print the data shapes and the parameter count: what training is about to see."""
    print(f"series: {len(series)} values; train {n_train}, test {len(series) - n_train} "
          f"(split by time)")
    shape = (n_train - settings["seq_len"], settings["seq_len"])
    print(f"training windows: X {shape}, targets {shape} (each one step later)")
    sizes = count_params(init_params(1, settings["hidden"], 1, np.random.default_rng(0)))
    if fed_back_error_written(init_params(1, 1, 1, np.random.default_rng(0))):
        print(f"later epochs lengthen them by up to {SHORT_HORIZON}, then {LONG_HORIZON} steps "
              "that get the network's own predictions")
    print("parameters: " + ", ".join(f"{name} {size}" for name, size in sizes.items())
          + f" (total {sum(sizes.values())})")


# %% Evaluation and plots
def predict_one_step(series, first, params, seq_len):
    """Predict each value from `first` on from the seq_len true values just before it."""
    rows = np.arange(first, len(series))[:, None] + np.arange(-seq_len, 0)  # (targets, seq_len)
    Y, _ = forward(series[rows], params)
    return Y[:, -1]


def free_run(seed_window, steps, params):
    """Seed with true values, then feed each prediction back in as the next input.

    Returns `steps` predictions: the first comes from the seed window, each later one from the
    network's own previous prediction.
    """
    Y, (_, H, _, _) = forward(seed_window[None, :], params)
    h, y = H[-1], Y[:, -1:]  # (1, hidden), (1, 1)
    predictions = np.empty(steps)
    for t in range(steps):
        predictions[t] = y[0, 0]
        h, y = rnn_step(y, h, params)
    return predictions


def rmse(predictions, truth):
    """Root mean squared error, in the units of the values. Worked out on the errors divided
    by a power of two near their size (exact), so that huge values do not overflow."""
    errors = predictions - truth
    _, exponent = np.frexp(np.max(np.abs(errors)))
    return float(np.ldexp(np.sqrt(np.mean(np.ldexp(errors, -exponent) ** 2)), exponent))


def evaluate(series, n_train, params, seq_len, mean, unit):
    """One-step and free-running RMSEs on the test span, in the series' own units, each with
    its naive baseline: "next value = this value" and "flat at the last known value"."""
    scaled, test = standardise(series, mean, unit), series[n_train:]
    one_step = unstandardise(predict_one_step(scaled, n_train, params, seq_len), mean, unit)
    free = unstandardise(free_run(scaled[n_train - seq_len:n_train], len(test), params),
                         mean, unit)
    results = {"one_step_rmse": rmse(one_step, test),
               "persistence_rmse": rmse(series[n_train - 1:-1], test),
               "free_run_rmse": rmse(free, test),
               "free_run_persistence_rmse": rmse(np.full(len(test), series[n_train - 1]), test),
               "free_run_steps": len(test)}
    return results, one_step, free


def seasonal_scores(series, n_train, period):
    """The strongest simple baseline for a series with a known period: each test value
    predicted by the value one period before it (one step ahead), and the last training period
    repeated (free running, from nothing after the training span). {} without a period."""
    if not period or n_train < period:
        return {}
    test = series[n_train:]
    repeated = np.resize(series[n_train - period:n_train], len(test))  # (n_test,)
    return {"period": period,
            "seasonal_rmse": rmse(series[n_train - period:len(series) - period], test),
            "free_run_seasonal_rmse": rmse(repeated, test)}


def print_summary(results):
    """The table the room looks at: each RMSE beside its own naive baseline, and beside one
    period back when the period is known."""
    print(f"\n{'test RMSE, in the series units':40s} {'value':>9s} {'/ naive':>8s}")
    period = results.get("period")
    rows = [("one step ahead", "one_step_rmse", "persistence_rmse"),
            ("  naive: next value = this value", "persistence_rmse", "persistence_rmse"),
            (f"  one period back ({period} steps)", "seasonal_rmse", "persistence_rmse"),
            (f"free running ({results['free_run_steps']} steps)", "free_run_rmse",
             "free_run_persistence_rmse"),
            ("  naive: flat at the last known value", "free_run_persistence_rmse",
             "free_run_persistence_rmse"),
            ("  the last period, repeated", "free_run_seasonal_rmse",
             "free_run_persistence_rmse")]
    for label, key, naive in rows:
        if key in results:
            print(f"{label:40s} {results[key]:9.5f} {results[key] / results[naive]:8.3f}")
    if period:
        print(f"Repeating the value one period back is {results['seasonal_rmse']:.5f} off: the "
              "wave repeats itself exactly, so the sine checks that a network can learn a shape, "
              "not that it forecasts.")


def line_plot(title, xlabel, ylabel, lines, log=False):
    """One figure of labelled lines, each (x, y, style, label), with its legend beside them."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8.5, 3))
    for x, y, style, label in lines:
        axes.plot(x, y, style, label=label)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel, yscale="log" if log else "linear")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the data, not on it
    figure.tight_layout()
    return figure


def plot_results(series, n_train, curves, results):
    """The four figures, by file name (after `output_path`'s prefix): the split, the loss, and
    each kind of prediction beside the truth and its own naive baseline."""
    steps, test = np.arange(len(series)), series[n_train:]
    span, epochs = steps[n_train:], np.arange(1, len(curves["losses"]) + 1)
    one, naive = results["one_step_rmse"], results["persistence_rmse"]
    free, flat = results["free_run_rmse"], results["free_run_persistence_rmse"]
    return {
        "split.png": line_plot("Train/test split (by time)", "time step", "value", [
            (steps[:n_train], series[:n_train], "-", "train"), (span, test, "-", "test")]),
        "loss.png": line_plot("Training loss", "epoch",
                              "mean squared error (scaled)", [
                                  (epochs, curves["losses"], ".-", "loss")], log=True),
        "one_step.png": line_plot(
            f"One step ahead: RMSE {one:.4g} = {one / naive:.3f} x naive ({naive:.4g})",
            "time step", "value", [(span, test, "-", "truth"),
                                   (span, curves["one_step"], "--", "predicted"),
                                   (span, series[n_train - 1:-1], ":", "naive: this value")]),
        "free_run.png": line_plot(
            f"Free running: RMSE {free:.4g} = {free / flat:.3f} x flat baseline ({flat:.4g})",
            "time step", "value", [(span, test, "-", "truth"),
                                   (span, curves["free"], "--", "free running"),
                                   (span, np.full(len(test), series[n_train - 1]),
                                    ":", "naive: flat at the last known value")]),
    }


OUTPUTS = ("split.png", "loss.png", "one_step.png", "free_run.png",
           "predictions.csv")  # what every run writes under --plot-dir, named by output_path


def predictions_table(series, n_train, curves, dates=None):
    """The test span as a table in the series' own units (rnn_predictions.csv): one row per
    step, with the truth, each prediction and its naive baseline, and the date if known."""
    import pandas as pd

    test = series[n_train:]
    table = pd.DataFrame({"step": np.arange(n_train, len(series)), "truth": test,
                          "naive": series[n_train - 1:-1],  # next value = this value
                          "one_step": curves["one_step"], "free_run": curves["free"],
                          "flat": np.full(len(test), series[n_train - 1])})  # the free run's naive
    if dates is not None:
        table.insert(1, "date", dates[n_train:])
    return table


def live_view(series, n_train, settings, every=LIVE_EVERY):
    """--live: the test span redrawn every few epochs with the network's current one-step and
    free-running predictions: a flat line at first, bending into the wave as it learns.

    Returns on_epoch(epoch, params) for `train`. It only reads params, and uses no random
    numbers, so the run's numbers are the same with or without it.
    """
    import matplotlib.pyplot as plt

    mean, unit = scaling_of(series[:n_train])
    scaled, test, seq_len = standardise(series, mean, unit), series[n_train:], settings["seq_len"]
    span = np.arange(n_train, len(series))
    figure, axes = plt.subplots(figsize=(8.5, 3))
    axes.plot(span, test, color="black", label="truth")  # the slides' colours: truth black
    one_line, = axes.plot(span, np.full(len(test), np.nan), "--", label="one step ahead")
    free_line, = axes.plot(span, np.full(len(test), np.nan), "--", label="free running")
    low, high = test.min(), test.max()
    axes.set(xlabel="time step", ylabel="value",
             ylim=(low - 0.25 * (high - low), high + 0.25 * (high - low)))  # fixed: no jumping
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.set_title(f"Live: epoch 0 of {settings['epochs']}")  # room for the title, kept below
    figure.tight_layout()
    redraw = plumbing.live_figure(figure)

    def on_epoch(epoch, params):
        if epoch % every and epoch != settings["epochs"]:
            return
        with np.errstate(all="ignore"):  # a network still far off may overflow: not drawn
            one_line.set_ydata(unstandardise(
                predict_one_step(scaled, n_train, params, seq_len), mean, unit))
            free_line.set_ydata(unstandardise(
                free_run(scaled[n_train - seq_len:n_train], len(test), params), mean, unit))
        axes.set_title(f"Live: epoch {epoch} of {settings['epochs']}")
        redraw()
        if epoch == settings["epochs"] and not plumbing.in_window(figure):
            plt.close(figure)  # the view has done its job; a window stays open till the end

    return on_epoch


def default_settings(**changes):
    """The Settings cell as one dict, with any changes (e.g. seed=3) applied."""
    settings = {"hidden": HIDDEN, "seq_len": SEQ_LEN, "epochs": EPOCHS, "lr": LEARNING_RATE,
                "seed": SEED, "batch_size": BATCH_SIZE, "clip": CLIP_NORM}
    settings.update(changes)
    return settings


def fit_and_evaluate(series, n_train, settings, log=print, on_epoch=None):
    """Scale, window, train and evaluate; returns the results and what the plots need."""
    mean, unit = scaling_of(series[:n_train])
    if log:
        describe(series, n_train, settings)
    train_start = time.perf_counter()
    params, losses = train(standardise(series[:n_train], mean, unit), settings,
                           log=log or (lambda *_: None), on_epoch=on_epoch)
    train_seconds = time.perf_counter() - train_start
    try:
        with np.errstate(over="raise", invalid="raise"):
            results, one_step, free = evaluate(series, n_train, params, settings["seq_len"],
                                               mean, unit)
    except FloatingPointError:
        raise InputError("The predictions overflow when scaled back to the series' units; "
                         "divide the values by a power of ten first.") from None
    results["train_seconds"] = train_seconds
    return results, {"params": params, "losses": losses, "one_step": one_step, "free": free}


def save_results(series, n_train, curves, results, dates, plot_dir, csv):
    """The four figures and the predictions (rnn_predictions.csv), under plot_dir."""
    for name, figure in plot_results(series, n_train, curves, results).items():
        print(f"saved {plumbing.save_figure(figure, output_path(plot_dir, csv, name))}")
    table = predictions_table(series, n_train, curves, dates)
    path = output_path(plot_dir, csv, "predictions.csv")
    plumbing.write_atomically(path, lambda file: table.to_csv(file, index=False), "--plot-dir")
    print(f"saved {path}")


def run(args):
    """Check the outputs, then read, train, evaluate, plot and write what the flags ask for."""
    plumbing.require("pandas", "matplotlib")
    check_outputs(args)
    start = time.perf_counter()
    settings = default_settings(hidden=args.hidden, seq_len=args.seq_len, epochs=args.epochs,
                                lr=args.lr, seed=args.seed, batch_size=args.batch_size)
    series, n_train, dates = load_data(args.csv, args.seq_len)
    plumbing.check_memory(numbers_held(len(series), settings),
                          "--hidden, --seq-len and --batch-size")
    live = live_view(series, n_train, settings) if args.live else None
    results, curves = fit_and_evaluate(series, n_train, settings, on_epoch=live)
    bundled = plumbing.same_file(args.csv, plumbing.repo_root() / "data" / "sinwave.csv")
    results.update(seasonal_scores(series, n_train, PERIOD if bundled else None))
    print(f"training took {results['train_seconds']:.2f} s")
    print_summary(results)
    if not (args.show or args.live):  # (switching would close the live view's window)
        import matplotlib

        matplotlib.use("Agg")  # files only: no window, no display needed
    save_results(series, n_train, curves, results, dates, Path(args.plot_dir), args.csv)
    results["seconds"] = time.perf_counter() - start
    print(f"done in {results['seconds']:.2f} s")
    if args.json:
        plumbing.write_json(args.json, results)
    import matplotlib.pyplot as plt

    if args.show:
        plt.show()  # windows in a terminal; inline in a notebook
    plumbing.keep_live_view()  # --live in a window: open till it is closed or Enter is pressed
    plt.close("all")
    return results


# %% Plumbing: files and command line
def parse_args(argv):
    """The flags, each defaulting to its value in the Settings cell; then the range checks."""
    parser = argparse.ArgumentParser(description="A numpy RNN learns a sine wave, then free-runs.")
    parser.add_argument("--csv", type=Path, default=plumbing.repo_root() / CSV,
                        help=f"file of numbers to learn: one a line, or a Close column "
                             f"(default: {CSV})")
    for flag, default, what in (("--epochs", EPOCHS, "passes over the training windows"),
                                ("--hidden", HIDDEN, "hidden units"),
                                ("--seq-len", SEQ_LEN, "time steps per training window"),
                                ("--batch-size", BATCH_SIZE, "windows per gradient step")):
        parser.add_argument(flag, type=int, default=default, help=f"{what} (default {default})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"Adam's starting learning rate (default {LEARNING_RATE})")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"random seed, 0 to 4294967295 (default {SEED})")
    parser.add_argument("--plot-dir", type=Path, default=plumbing.repo_root() / "figures",
                        help="folder for the PNGs and rnn_predictions.csv (default: "
                             "figures/; with --csv X.csv they are named X_rnn_*)")
    parser.add_argument("--show", action="store_true", help="also open the plots in windows")
    parser.add_argument("--live", action="store_true", default=LIVE,
                        help=f"redraw the predictions every {LIVE_EVERY} epochs while training")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)  # --help's text is flushed by plumbing.run_main
    args.show = args.show or plumbing.in_notebook()  # a notebook shows its figures inline
    for flag in ("--epochs", "--hidden", "--seq-len", "--batch-size"):
        plumbing.check_count(flag, getattr(args, flag[2:].replace("-", "_")))
    plumbing.check_positive("--lr", args.lr, LEARNING_RATE)
    plumbing.check_seed("--seed", args.seed)
    return args


def check_outputs(args):
    """Refuse, before any work, an output that is the --csv, a file of the repo, or unwritable."""
    plumbing.check_outputs({"--json": args.json}, {"--csv": args.csv})
    plumbing.check_output(args.plot_dir, "--plot-dir", folder=True)
    for name in OUTPUTS:
        plumbing.check_output(output_path(args.plot_dir, args.csv, name), "--plot-dir",
                              {"--csv": args.csv, "--json": args.json})


def output_path(plot_dir, csv, name):
    """Where a run writes `name` (OUTPUTS): rnn_<name> for the sine wave of data/; after the
    file for any other series (my_stock.csv: my_stock_rnn_loss.png), so that it overwrites
    neither the sine run's files nor run_lstm.py's (my_stock_loss.png)."""
    sine = plumbing.same_file(csv, plumbing.repo_root() / "data" / "sinwave.csv")
    return Path(plot_dir) / (f"rnn_{name}" if sine else f"{Path(csv).stem}_rnn_{name}")


def main(argv=None):
    """The command line: parse it and run; bad input and Ctrl-C end in one line."""
    return plumbing.run_main(lambda: run(parse_args(argv)))


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

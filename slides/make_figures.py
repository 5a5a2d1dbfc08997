"""Draw every picture of the slides into slides/img/, from the evening's own scripts.

    python slides/make_figures.py                 # all of them (under two minutes on a laptop)
    python slides/make_figures.py mlp_gates       # only the ones named
    python slides/make_figures.py --list          # the names, and what each picture shows

The network diagrams are drawn with matplotlib; the results (decision boundaries, sine waves,
verse, stock prices) come from calling the functions of mlp.py, rnn.py, min_char_rnn.py,
lstm.py and run_lstm.py with fixed seeds, so running this again gives the same pictures. They
use each script's default settings; the char-RNN's last sample comes after as many chunks as
`python min_char_rnn.py` trains.
"""

import argparse
import contextlib
import functools
import io
import math
import os
import sys
import time
from pathlib import Path

import numpy as np


def find_repo_root(start=Path(__file__).resolve().parent):
    """The first folder upward from this file that holds data/: where the scripts live."""
    for folder in (start, *start.parents):
        if (folder / "data").is_dir():
            return folder
    return start


REPO_ROOT = find_repo_root()
sys.path.insert(0, str(REPO_ROOT))  # the evening's scripts are imported as modules

# %% Settings
IMG_DIR = Path(__file__).resolve().parent / "img"  # where the deck looks for its pictures
DPI = 100  # resolution of the PNGs: sharp on a projector, small in the repo
SEED = 0  # every network starts from this seed, so the pictures are repeatable
NODE_RADIUS = 0.32  # size of a unit in the network diagrams
COLOURS = {  # one colour per kind of weight, the same in every diagram
    "Wxh": "tab:blue",
    "Why": "tab:green",
    "Whh": "tab:orange",
}
CHAR_STAGES = (0, 2_000)  # char-RNN chunks trained before a sample; the last sample comes
#                          after the default run's min_char_rnn.ITERATIONS
CHAR_SAMPLE_LENGTH = 1_000  # characters in each char-RNN sample (a book's length)
CHAR_SAMPLE_LINES = 5  # lines of the last sample shown on the slide (two of the others)
LSTM_SHOWN_DAYS = 60  # the last test days shown in the S&P 500 picture, so moves are visible


# %% Drawing helpers
def save_figure(figure, path):
    """Save a PNG through a temporary name, so no half-written picture is ever left."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        figure.savefig(temporary, format="png", dpi=DPI)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    plt.close(figure)
    return path


def layer_positions(count, x, spread=1.0):
    """Centres of `count` units stacked in a column at `x`, centred on y = 0."""
    return [(x, spread * (count - 1) / 2 - spread * i) for i in range(count)]


def draw_units(axes, positions, label, colour):
    """Circles for the units of one layer, each with its label inside."""
    from matplotlib.patches import Circle

    for i, (x, y) in enumerate(positions):
        axes.add_patch(Circle((x, y), NODE_RADIUS, facecolor=colour, edgecolor="black", zorder=3))
        text = label if len(positions) == 1 else f"{label}{i + 1}"
        axes.text(x, y, text, ha="center", va="center", fontsize=12, zorder=4)


def draw_connections(axes, sources, targets, colour):
    """An arrow from every unit of one layer to every unit of the next."""
    for xs, ys in sources:
        for xt, yt in targets:
            dx, dy = xt - xs, yt - ys
            scale = NODE_RADIUS / math.hypot(dx, dy)
            axes.annotate("", xy=(xt - dx * scale, yt - dy * scale),
                          xytext=(xs + dx * scale, ys + dy * scale),
                          arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.2})


# %% Network diagrams
def weight_counts(recurrent):
    """The lines printed under a diagram: each kind of weight, its shape and count, in colour."""
    counts = [("Wxh: 2 x 4 = 8", COLOURS["Wxh"]), ("Why: 4 x 1 = 4", COLOURS["Why"])]
    if recurrent:
        counts.insert(1, ("Whh: 4 x 4 = 16", COLOURS["Whh"]))
    return counts


def network_figure(recurrent, counted=True):
    """The 2-4-1 network of the evening, with or without its hidden-to-hidden weights.

    The recurrent one draws Whh the way the code computes it, h_prev @ Whh: a faded copy of the
    hidden layer (its values at the previous step) feeds every hidden unit, like an input.
    counted=False leaves out the weight counts under it, for the slide that asks the room.
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    hidden, output = layer_positions(4, 2.6), layer_positions(1, 5.2)
    inputs = [(0.0, 2.3), (0.0, 1.5)] if recurrent else layer_positions(2, 0.0)
    if recurrent:
        previous = [(0.0, 0.3 - 0.8 * i) for i in range(4)]  # the hidden layer one step back
        draw_connections(axes, previous, hidden, COLOURS["Whh"])
        draw_units(axes, previous, "h", "#fff3e6")
        axes.text(-0.5, -0.9, "h at the\nprevious\nstep", ha="right", va="center", fontsize=11,
                  color=COLOURS["Whh"])
    draw_connections(axes, inputs, hidden, COLOURS["Wxh"])
    draw_connections(axes, hidden, output, COLOURS["Why"])
    draw_units(axes, inputs, "x", "#dbe9f6")
    draw_units(axes, hidden, "h", "#fde3c8" if recurrent else "#e8e8e8")
    draw_units(axes, output, "y", "#d9f0d3")
    labels = weight_counts(recurrent) if counted else []
    for row, (text, colour) in enumerate(labels):
        axes.text(2.6, -2.45 - 0.38 * row, text, color=colour, ha="center", fontsize=12,
                  fontweight="bold")
    axes.set_title("Recurrent network (RNN) 2-4-1" if recurrent else "Multilayer perceptron 2-4-1",
                   fontsize=14)
    bottom = -2.6 - 0.38 * len(labels) if labels else -2.5
    axes.set(xlim=(-1.7, 5.8), ylim=(bottom, 2.75), aspect="equal")
    axes.axis("off")
    figure.tight_layout()
    return figure


def make_rnn_unrolled():
    """The recurrent network unrolled in time: the same Wxh, Whh and Why at every step."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 3.9))
    steps = 4
    for t in range(steps):
        x = 1.6 + 2.0 * t
        axes.text(x, 0.0, f"x{t + 1}", ha="center", va="center", fontsize=14,
                  bbox={"boxstyle": "round", "facecolor": "#dbe9f6"})
        axes.text(x, 1.5, f"h{t + 1}", ha="center", va="center", fontsize=14,
                  bbox={"boxstyle": "round", "facecolor": "#fde3c8"})
        axes.text(x, 3.0, f"y{t + 1}", ha="center", va="center", fontsize=14,
                  bbox={"boxstyle": "round", "facecolor": "#d9f0d3"})
        arrow(axes, (x, 0.3), (x, 1.2), COLOURS["Wxh"], "Wxh")
        arrow(axes, (x, 1.8), (x, 2.7), COLOURS["Why"], "Why")
        arrow(axes, (x - 1.55, 1.5), (x - 0.4, 1.5), COLOURS["Whh"], "Whh", above=True)
    axes.text(-0.25, 1.5, "h0 = 0", ha="center", va="center", fontsize=12)
    arrow(axes, (1.6 + 2.0 * steps - 1.55, 1.5), (1.6 + 2.0 * steps - 0.6, 1.5),
          COLOURS["Whh"], "", above=True)
    axes.text(1.6 + 2.0 * steps - 0.35, 1.5, "...", ha="center", va="center", fontsize=16)
    axes.set_title("Unrolled in time: one copy of the network per step, the same weights in "
                   "every copy", fontsize=13)
    axes.set(xlim=(-0.6, 2.0 * steps + 1.0), ylim=(-0.5, 3.5))
    axes.axis("off")
    figure.tight_layout()
    return figure


def arrow(axes, start, end, colour, label, above=False):
    """An arrow with the name of its weights beside it."""
    axes.annotate("", xy=end, xytext=start,
                  arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2})
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    offset = (0.0, 0.25) if above else (0.35, 0.0)
    axes.text(middle[0] + offset[0], middle[1] + offset[1], label, color=colour, fontsize=11,
              ha="center", va="center", fontweight="bold")


def make_rnn_network():
    """The same network made recurrent: every hidden unit also reads the previous hidden state."""
    return network_figure(recurrent=True)


def make_mlp_network_question():
    """The MLP diagram without its weight counts, for the room to count them."""
    return network_figure(recurrent=False, counted=False)


def make_rnn_network_question():
    """The RNN diagram without its weight counts, for the room to count them."""
    return network_figure(recurrent=True, counted=False)


def make_lstm_cell():
    """An LSTM cell: the cell state runs along the top; three gates decide what passes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    figure, axes = plt.subplots(figsize=(8, 4.2))
    axes.add_patch(FancyBboxPatch((0.6, 0.4), 8.0, 4.0, boxstyle="round,pad=0.1",
                                  facecolor="#f4f4f4", edgecolor="grey"))

    def arrow(start, end, colour="black"):
        axes.annotate("", xy=end, xytext=start,
                      arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.5})

    def box(x, y, text, colour):
        axes.text(x, y, text, ha="center", va="center", fontsize=12,
                  bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "black"})

    def operation(x, y, symbol):
        axes.text(x, y, symbol, ha="center", va="center", fontsize=14, fontweight="bold",
                  bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": "black"})

    arrow((-0.2, 3.8), (2.05, 3.8), "tab:red")  # the cell state flows straight through
    arrow((2.35, 3.8), (4.45, 3.8), "tab:red")
    arrow((4.75, 3.8), (9.4, 3.8), "tab:red")
    operation(2.2, 3.8, "x")
    operation(4.6, 3.8, "+")
    axes.text(-0.2, 4.05, "c (previous)", color="tab:red", fontsize=11)
    axes.text(8.6, 4.05, "c (next)", color="tab:red", fontsize=11)
    gates = [(2.2, "forget\nsigmoid", "#fde3c8"), (3.3, "input\nsigmoid", "#fde3c8"),
             (4.9, "candidate\ntanh", "#dbe9f6"), (6.5, "output\nsigmoid", "#fde3c8")]
    for x, text, colour in gates:
        arrow((x, 1.0), (x, 1.55))
        box(x, 1.95, text, colour)
    arrow((2.2, 2.35), (2.2, 3.55))
    operation(4.1, 2.9, "x")
    arrow((3.3, 2.35), (3.95, 2.78))
    arrow((4.9, 2.35), (4.25, 2.78))
    arrow((4.1, 3.05), (4.45, 3.6))
    operation(7.6, 2.6, "x")
    arrow((6.5, 2.35), (7.42, 2.58))
    axes.plot([7.6, 7.6], [3.8, 3.55], color="black", lw=1.5)
    box(7.6, 3.25, "tanh", "#dbe9f6")
    arrow((7.6, 3.0), (7.6, 2.78))
    arrow((7.78, 2.6), (9.4, 2.6))
    axes.text(8.4, 2.25, "h (next)", fontsize=11)
    axes.plot([-0.2, 6.5], [1.0, 1.0], color="black", lw=1.5)
    axes.text(-0.2, 0.6, "x (this step) and h (previous)", fontsize=11)
    axes.set(xlim=(-0.4, 9.8), ylim=(0.1, 4.6))
    axes.set_title("An LSTM cell: gates (0 to 1) decide what to forget, add and show",
                   fontsize=13)
    axes.axis("off")
    figure.tight_layout()
    return figure


# %% Small explanatory plots
def make_activations():
    """The sigmoid and the tanh with their slopes, which backpropagation multiplies."""
    import matplotlib.pyplot as plt

    import mlp

    z = np.linspace(-6, 6, 241)
    sigmoid, tanh = mlp.sigmoid(z), np.tanh(z)
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharex=True)
    axes[0].plot(z, sigmoid, label="sigmoid(z)")
    axes[0].plot(z, mlp.sigmoid_grad_from_output(sigmoid), "--", label="slope: a (1 - a)")
    axes[0].set(title="sigmoid: 0 to 1 (MLP)", ylim=(-0.1, 1.1))
    axes[1].plot(z, tanh, label="tanh(z)")
    axes[1].plot(z, 1 - tanh**2, "--", label="slope: 1 - h\u00b2")
    axes[1].set(title="tanh: -1 to 1 (RNN)", ylim=(-1.1, 1.1))
    for panel in axes:
        panel.set(xlabel="z, the weighted sum", ylabel="output, and its slope")
        panel.axhline(0, color="grey", lw=0.5)
        panel.legend(loc="upper left")
    figure.tight_layout()
    return figure


def gradient_sizes(scale, steps, hidden, rng):
    """How big the error stays as it is carried back `steps` steps through a random tanh RNN.

    The same step as rnn.py's backward pass, dh_prev = (dh * (1 - h**2)) @ Whh.T, repeated with
    one Whh whose weights have spread scale / sqrt(hidden). Returns the length of dh per step.
    """
    Whh = rng.normal(0.0, scale / math.sqrt(hidden), (hidden, hidden))  # (hidden, hidden)
    h = np.tanh(rng.normal(0.0, 0.5, (steps, hidden)))  # (steps, hidden): typical states
    dh = np.ones(hidden) / math.sqrt(hidden)  # (hidden,): an error of length 1 at the last step
    sizes = [1.0]
    for t in range(steps - 1, 0, -1):
        dh = (dh * (1.0 - h[t] ** 2)) @ Whh.T  # one step further back in time
        sizes.append(float(np.linalg.norm(dh)))
    return sizes


def make_vanishing_gradients():
    """The error carried back through time shrinks or grows geometrically with Whh's size."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 3.6))
    for scale, verdict in ((0.7, "vanishes"), (1.1, "roughly kept"), (2.0, "explodes")):
        sizes = gradient_sizes(scale, 40, 24, np.random.default_rng(SEED))
        axes.plot(sizes, label=f"Whh spread {scale}: the error {verdict}")
    axes.set(yscale="log", xlabel="steps back in time", ylabel="size of the carried error",
             title="Backpropagation through time multiplies by Whh once per step")
    axes.axhline(1.0, color="grey", lw=0.5)
    axes.legend()
    figure.tight_layout()
    return figure


# %% Results of the evening's scripts
def make_mlp_gates():
    """The decision boundary mlp.py learns for each gate, with the truth table's four points."""
    import matplotlib.pyplot as plt

    import mlp

    grid = np.linspace(-0.25, 1.25, 121)
    a, b = np.meshgrid(grid, grid)
    points = np.column_stack([a.ravel(), b.ravel()])
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.7))
    for panel, gate in zip(axes, mlp.GATES, strict=True):
        targets = mlp.GATES[gate]
        params, errors = mlp.train(mlp.INPUTS, targets, seed=SEED)
        _, yp = mlp.forward(points, params)
        panel.contourf(a, b, yp.reshape(a.shape), levels=20, cmap="coolwarm", vmin=0, vmax=1)
        panel.contour(a, b, yp.reshape(a.shape), levels=[0.5], colors="black")
        panel.scatter(mlp.INPUTS[:, 0], mlp.INPUTS[:, 1], c=targets[:, 0], cmap="coolwarm",
                      vmin=0, vmax=1, s=160, edgecolors="black")
        panel.set(title=f"{gate.upper()} after {len(errors)} epochs", xlabel="A", ylabel="B",
                  aspect="equal", xticks=[0, 1], yticks=[0, 1])
    figure.suptitle("mlp.py: red = 1, blue = 0, black line = the boundary (p = 0.5)")
    figure.tight_layout()
    return figure


def make_rnn_sine():
    """rnn.py's one-step and free-running predictions, each beside its naive baseline."""
    import matplotlib.pyplot as plt

    import rnn

    series, n_train = rnn.load_data(REPO_ROOT / "data" / "sinwave.csv", rnn.SEQ_LEN)
    settings = rnn.default_settings(seed=SEED)  # what `python rnn.py` uses
    results, curves = rnn.fit_and_evaluate(series, n_train, settings, log=None)  # quietly
    steps, truth = np.arange(n_train, len(series)), series[n_train:]
    panels = (("one step ahead", curves["one_step"], "one_step_rmse", "persistence_rmse",
               series[n_train - 1:-1], "naive: next value = this value"),
              ("free running", curves["free"], "free_run_rmse", "free_run_persistence_rmse",
               np.full(len(truth), series[n_train - 1]), "naive: flat at the last known value"))
    figure, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    for panel, (label, predicted, key, naive_key, naive, naive_label) in zip(axes, panels,
                                                                               strict=True):
        panel.plot(steps, truth, color="grey", lw=3, alpha=0.5, label="truth")
        panel.plot(steps, naive, ":", color="tab:blue", label=naive_label)
        panel.plot(steps, predicted, "--", color="tab:orange", label=label)
        ratio = results[key] / results[naive_key]
        panel.set_title(f"{label}: RMSE {results[key]:.4f}, {ratio:.3f} x its naive baseline "
                        f"({results[naive_key]:.4f})", fontsize=11)
        panel.set_ylabel("value")
        panel.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    axes[1].set_xlabel("time step (test span)")
    figure.suptitle(f"python rnn.py: {settings['epochs']} epochs, "
                    f"{settings['hidden']} hidden units")
    figure.tight_layout()
    return figure


def verse_panel(axes, title, lines, rows):
    """The first `rows` lines of a sample (long ones wrapped), in type large enough for the
    back of the room."""
    import textwrap

    wrapped = [part for line in lines for part in textwrap.wrap(line, 72)]
    axes.text(0.015, 0.88, "\n".join(wrapped[:rows]), fontsize=19, va="top",
              linespacing=1.25, transform=axes.transAxes)
    axes.set_title(title, loc="left", fontsize=17, fontweight="bold")
    axes.set(xticks=[], yticks=[])


def new_passage(sample, text, count=CHAR_SAMPLE_LINES):
    """The first `count` lines in a row of the sample of which none is copied from the text
    (a line counts as copied as in min_char_rnn.copied_line_rate: 15 characters or more that
    the text holds word for word)."""
    lines = [line.rstrip() for line in sample.splitlines() if line.strip()]
    copied = [len(line.strip()) >= 15 and line.strip() in text for line in lines]
    for start in range(len(lines) - count + 1):
        if not any(copied[start:start + count]):
            return lines[start:start + count]
    raise RuntimeError("no passage of new lines in the sample: draw a longer one")


def char_rnn_samples():
    """Train min_char_rnn.py's network on data/rhymes.txt as `python min_char_rnn.py` does;
    write a sample at each of CHAR_STAGES and after the default run's length.

    Returns (iterations, loss per character, lines to show) for each stage: the first lines
    of the sample, and at the end a passage in which no line is copied from the verse.
    """
    import min_char_rnn as chars

    text = chars.load_text(REPO_ROOT / "data" / "rhymes.txt", chars.SEQ_LEN)
    vocabulary = chars.build_vocabulary(text)
    data = chars.encode(text, vocabulary)
    state = chars.new_state(len(vocabulary), chars.HIDDEN, chars.SEQ_LEN, SEED)
    stages = []
    for stage in (*CHAR_STAGES, chars.ITERATIONS):
        while state.iteration < stage:
            chars.train_step(state, data, chars.SEQ_LEN, chars.LEARNING_RATE)
        _, sample = chars.make_book(state.params, vocabulary, text[0], chars.TEMPERATURE,
                                    np.random.default_rng(SEED), stage, CHAR_SAMPLE_LENGTH)
        loss = state.smooth_loss / chars.SEQ_LEN  # nats per character
        lines = (new_passage(sample, text) if stage == chars.ITERATIONS
                 else [line for line in sample.splitlines() if line.strip()])
        stages.append((stage, loss, lines))
    return stages


def make_char_rnn_stages():
    """min_char_rnn.py's samples at three stages of training, from noise to new verse."""
    import matplotlib.pyplot as plt

    stages = char_rnn_samples()
    figure, axes = plt.subplots(len(stages), 1, figsize=(13, 7.6),
                                gridspec_kw={"height_ratios": [2.4, 2.4, 5]})
    for panel, (iterations, loss, lines) in zip(axes, stages, strict=True):
        when = "untrained" if iterations == 0 else f"after {iterations:,} chunks"
        note = ": a passage with no line copied from the verse" if panel is axes[-1] else ""
        verse_panel(panel, f"{when}, loss {loss:.2f} nats per character{note}", lines,
                    rows=CHAR_SAMPLE_LINES if panel is axes[-1] else 2)
    figure.tight_layout()
    return figure


def make_sp500_prices():
    """The S&P 500 closing price, day by day, as data/sp500.csv holds it."""
    import matplotlib.pyplot as plt

    import lstm

    series = lstm.load_series(REPO_ROOT / "data" / "sp500.csv")
    figure, axes = plt.subplots(figsize=(10, 3.6))
    axes.plot(series.dates, series.values[:, 0], lw=1)
    axes.set(title=f"S&P 500, daily close, {series.dates[0]:%Y} to {series.dates[-1]:%Y}",
             xlabel="date", ylabel="index points")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure


@functools.cache
def run_preset(name):
    """Train and predict exactly as `python run_lstm.py NAME` does, quietly, with seed SEED.

    Returns (settings, series, data, results): run_lstm.py's preset settings, the loaded
    series, its windows (data["test_windows"] in the data's own units, (n, seq_len + 1,
    columns)) and the point, full and multiple predictions on the test span.
    """
    import lstm  # noqa: F401  (first: it hides the backend's start-up notes as Keras loads)
    import run_lstm

    settings = run_lstm.settings_from(run_lstm.parse_args([name, "--seed", str(SEED)]))
    with contextlib.redirect_stdout(io.StringIO()):  # the run's own report and Keras's lines
        run_lstm.start_keras(SEED)
        series = run_lstm.read_data(settings)
        data = run_lstm.make_datasets(series, settings["seq_len"], settings["train_frac"],
                                      settings["normalise"], np.random.default_rng(SEED))
        model = run_lstm.get_model(settings, len(series.columns))
        run_lstm.fit(model, data, settings)
        results = run_lstm.predict_all(model, data, settings, "all")
    return settings, series, data, results


def rmse(predicted, truth):
    """Root mean squared error, in the units of the data."""
    return float(np.sqrt(np.mean((np.asarray(predicted) - truth) ** 2)))


def baseline_panel(panel, x, truth, predicted, naive, labels):
    """Truth, a naive baseline and a prediction on one panel; returns their two RMSEs."""
    label, naive_label = labels
    panel.plot(x, truth, color="grey", lw=3, alpha=0.5, label="truth")
    panel.plot(x, naive, ":", color="tab:orange", lw=1.5, label=naive_label)
    panel.plot(x, predicted, "--", color="tab:purple", label=label)
    panel.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return rmse(predicted, truth), rmse(naive, truth)


def preset_test_span(name):
    """The preset's run and its test span: settings, x (dates or steps), truth, today, results.

    truth is what really came after each test window, today the last value each window saw.
    """
    settings, series, data, results = run_preset(name)
    truth = data["test_windows"][:, -1, 0]  # (test,)
    today = data["test_windows"][:, -2, 0]  # (test,)
    x = (series.dates[data["split"]:] if series.dates is not None
         else np.arange(data["split"], data["split"] + len(truth)))
    return settings, x, truth, today, results


def make_lstm_sine():
    """run_lstm.py sine: two LSTM layers one step ahead and free running, each beside its
    naive baseline."""
    import matplotlib.pyplot as plt

    settings, steps, truth, today, results = preset_test_span("sine")
    figure, axes = plt.subplots(2, 1, figsize=(9.5, 5), sharex=True)
    for panel, predicted, naive, labels in (
            (axes[0], results["point"], today, ("LSTM, one step ahead",
                                                "naive: next value = this value")),
            (axes[1], results["full"], np.full(len(truth), today[0]),
             ("LSTM, free running", "naive: flat at the last known value"))):
        found, base = baseline_panel(panel, steps, truth, predicted, naive, labels)
        panel.set_title(f"{labels[0]}: RMSE {found:.4f}, {found / base:.3f} x its naive "
                        f"baseline ({base:.4f})", fontsize=11)
        panel.set_ylabel("value")
    axes[1].set_xlabel("time step (test span)")
    figure.suptitle(f"python run_lstm.py sine: two LSTM layers, {settings['epochs']} epochs")
    figure.tight_layout()
    return figure


def make_lstm_sp500():
    """run_lstm.py on the S&P 500, one day ahead beside "tomorrow = today"."""
    import matplotlib.pyplot as plt

    settings, dates, truth, today, results = preset_test_span("sp500")
    shown = slice(-LSTM_SHOWN_DAYS, None)
    figure, axes = plt.subplots(figsize=(11, 4.6))
    baseline_panel(axes, dates[shown], truth[shown], results["point"][shown], today[shown],
                   ("LSTM, one day ahead", "naive: tomorrow = today"))
    found, base = rmse(results["point"], truth), rmse(today, truth)  # the whole test span
    axes.set_title(f"The last {LSTM_SHOWN_DAYS} test days; RMSE over all {len(truth)} test "
                   f"days: LSTM {found:.2f}, naive {base:.2f} (ratio {found / base:.3f})",
                   fontsize=11)
    axes.set(xlabel="date (end of the test span)", ylabel="index points")
    figure.suptitle(f"python run_lstm.py: the S&P 500 one day ahead, {settings['epochs']} epochs")
    figure.tight_layout()
    return figure


def make_lstm_sp500_free():
    """run_lstm.py on the S&P 500, free runs restarted from true data, beside staying flat."""
    import matplotlib.pyplot as plt

    settings, dates, truth, today, results = preset_test_span("sp500")
    runs, length = results["multiple"], settings["prediction_len"]  # (k, length) free runs
    covered = runs.size
    flats = np.repeat(today[:covered:length, None], length, axis=1)  # the last known close
    figure, axes = plt.subplots(figsize=(11, 4.6))
    axes.plot(dates[:covered], truth[:covered], color="grey", lw=3, alpha=0.5, label="truth")
    for k, (run, flat) in enumerate(zip(runs, flats, strict=True)):
        days = dates[k * length:(k + 1) * length]
        axes.plot(days, flat, ":", color="tab:orange", lw=2,
                  label="naive: flat at the last known close" if k == 0 else None)
        axes.plot(days, run, "--", color="tab:purple", lw=2,
                  label=f"LSTM, {length} days on its own" if k == 0 else None)
    found, base = rmse(runs.ravel(), truth[:covered]), rmse(flats.ravel(), truth[:covered])
    axes.set_title(f"Restarted from true data every {length} days: RMSE {found:.1f}, flat at the "
                   f"last known close {base:.1f} (ratio {found / base:.3f})", fontsize=11)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    axes.set(xlabel="date (test span)", ylabel="index points")
    figure.suptitle(f"python run_lstm.py: the S&P 500 on its own, {settings['epochs']} epochs")
    figure.tight_layout()
    return figure


# %% Command line
FIGURES = {  # name of the PNG: the function that draws it
    "rnn_network": make_rnn_network,
    "mlp_network_question": make_mlp_network_question,
    "rnn_network_question": make_rnn_network_question,
    "rnn_unrolled": make_rnn_unrolled,
    "activations": make_activations,
    "mlp_gates": make_mlp_gates,
    "rnn_sine": make_rnn_sine,
    "char_rnn_stages": make_char_rnn_stages,
    "vanishing_gradients": make_vanishing_gradients,
    "lstm_cell": make_lstm_cell,
    "sp500_prices": make_sp500_prices,
    "lstm_sine": make_lstm_sine,
    "lstm_sp500": make_lstm_sp500,
    "lstm_sp500_free": make_lstm_sp500_free,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Draw the slides' pictures into slides/img/.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="pictures to draw (default: all; see --list)")
    parser.add_argument("--out", type=Path, default=IMG_DIR,
                        help="folder for the PNGs (default: slides/img/)")
    parser.add_argument("--list", action="store_true", help="list the pictures and stop")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(FIGURES))
    if unknown:
        parser.error(f"no picture called {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        for name, make in FIGURES.items():
            print(f"{name:22s} {make.__doc__.splitlines()[0]}")
        return 0
    import matplotlib

    matplotlib.use("Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notes, hidden
    start = time.perf_counter()
    for name in args.names or FIGURES:
        began = time.perf_counter()
        path = save_figure(FIGURES[name](), args.out / f"{name}.png")
        print(f"{time.perf_counter() - began:6.1f} s  {path}")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

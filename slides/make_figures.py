"""Draw every picture of the slides into slides/img/, from the evening's own scripts.

    python slides/make_figures.py                 # all of them (under two minutes on a laptop)
    python slides/make_figures.py mlp_gates       # only the ones named
    python slides/make_figures.py --list          # the names, and what each picture shows

The network diagrams are drawn with matplotlib; the results (decision boundaries, sine waves,
verse, stock prices) come from calling the functions of mlp.py, rnn.py, min_char_rnn.py,
lstm.py and run_lstm.py with fixed seeds, so running this again gives the same pictures. They
use each script's default settings; the char-RNN's last sample comes after as many chunks as
`python min_char_rnn.py` trains.

Every figure is sized in inches of the 1280x720 slide (1 inch = 100 px there) and shown at that
size (`w:1160` in slides.md is 11.6 inches), so a label of SLIDE_TEXT_PT points is as large as
the slide's body text. Truth, model and naive baseline keep one colour each in every figure.
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
SLIDE_PX_PER_INCH = 100  # one inch of a figure is 100 px of the 1280x720 slide
SHARPNESS = 2  # PNG pixels per slide pixel: crisp on a projector sharper than 1280x720
SLIDE_TEXT_PT = 18  # the slide's body text (25 px at 1280x720) in points: 25 * 72 / 100
SLIDE_WIDTH = 11.6  # inches: the width of the slide's text column (1160 px), for full-width plots
SEED = 0  # every network starts from this seed, so the pictures are repeatable
NODE_RADIUS = 0.27  # inches: a unit in the network diagrams (54 px across on the slide)
COLOURS = {  # one colour per kind of weight, the same in every diagram
    "Wxh": "tab:blue",
    "Why": "tab:green",
    "Whh": "tab:orange",
}
SERIES = {  # one colour per series, the same in every plot of a prediction
    "truth": "black",
    "model": "tab:blue",
    "naive": "tab:orange",
}
CHAR_STAGES = (0, 2_000)  # char-RNN chunks trained before a sample; the last sample comes
#                          after the default run's min_char_rnn.ITERATIONS
CHAR_SAMPLE_LENGTH = 1_000  # characters in each char-RNN sample (a book's length)
CHAR_SAMPLE_LINES = 5  # lines of the last sample shown on the slide (two of the others)
LSTM_SHOWN_DAYS = 60  # the last test days shown in the S&P 500 picture, so moves are visible


# %% Drawing helpers
def pyplot():
    """matplotlib.pyplot, with every text at least as large as the slide's body text."""
    import matplotlib.pyplot as plt

    plt.rcParams.update({key: SLIDE_TEXT_PT for key in (
        "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
        "legend.fontsize", "figure.titlesize")})
    return plt


def save_figure(figure, path):
    """Save a PNG through a temporary name, so no half-written picture is ever left."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        figure.savefig(temporary, format="png", dpi=SLIDE_PX_PER_INCH * SHARPNESS)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    plt.close(figure)
    return path


def inch_canvas(width, height):
    """A figure of width x height inches whose one axes is measured in inches, without frame."""
    plt = pyplot()
    figure = plt.figure(figsize=(width, height))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    axes.axis("off")
    return figure, axes


def draw_units(axes, positions, label, colour):
    """Circles for the units of one layer, each with its label inside."""
    from matplotlib.patches import Circle

    for i, (x, y) in enumerate(positions):
        axes.add_patch(Circle((x, y), NODE_RADIUS, facecolor=colour, edgecolor="black", zorder=3))
        text = label if len(positions) == 1 else f"{label}{i + 1}"
        axes.text(x, y, text, ha="center", va="center", fontsize=SLIDE_TEXT_PT, zorder=4)


def draw_connections(axes, sources, targets, colour):
    """An arrow from every unit of one layer to every unit of the next."""
    for xs, ys in sources:
        for xt, yt in targets:
            dx, dy = xt - xs, yt - ys
            scale = NODE_RADIUS / math.hypot(dx, dy)
            axes.annotate("", xy=(xt - dx * scale, yt - dy * scale),
                          xytext=(xs + dx * scale, ys + dy * scale),
                          arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3,
                                      "mutation_scale": 14})


def column(count, x, top, spacing):
    """Centres of `count` units stacked downward from `top` at `x`, in inches."""
    return [(x, top - spacing * i) for i in range(count)]


# %% Network diagrams
def weight_counts(recurrent):
    """The lines printed under a diagram: each kind of weight, its shape and count, in colour."""
    counts = [("Wxh: 2 x 4 = 8", COLOURS["Wxh"]), ("Why: 4 x 1 = 4", COLOURS["Why"])]
    if recurrent:
        counts.insert(1, ("Whh: 4 x 4 = 16", COLOURS["Whh"]))
    return counts


def network_figure(recurrent, counted=True):
    """The 2-4-1 network of the evening, with or without its hidden-to-hidden weights.

    The recurrent one draws Whh the way the code computes it, h_prev @ Whh: a copy of the
    hidden layer (its values at the previous step) feeds every hidden unit, like an input.
    counted=False leaves out the weight counts under it, for the slide that asks the room.
    4.6 inches wide: two fit side by side, and one fills the right 36% of a slide.
    """
    counts = weight_counts(recurrent) if counted else []
    below = 0.42 * len(counts) + (0.2 if counts else 0.0)  # inches of counts under the network
    figure, axes = inch_canvas(4.6, 4.6 + below)
    top = 3.75 + below  # the first unit of the left column
    hidden, output = column(4, 2.6, top - 0.68, 0.65), [(4.05, top - 1.655)]
    if recurrent:
        inputs = column(2, 0.95, top, 0.62)
        previous = column(4, 0.95, top - 1.49, 0.62)  # the hidden layer one step back
        draw_connections(axes, previous, hidden, COLOURS["Whh"])
        draw_units(axes, previous, "h", "#fff3e6")
        axes.text(0.3, top - 2.42, "h, one step back", rotation=90, ha="center", va="center",
                  fontsize=SLIDE_TEXT_PT, color=COLOURS["Whh"])
    else:
        inputs = column(2, 0.95, top - 1.33, 0.65)
    draw_connections(axes, inputs, hidden, COLOURS["Wxh"])
    draw_connections(axes, hidden, output, COLOURS["Why"])
    draw_units(axes, inputs, "x", "#dbe9f6")
    draw_units(axes, hidden, "h", "#fde3c8" if recurrent else "#e8e8e8")
    draw_units(axes, output, "y", "#d9f0d3")
    for row, (text, colour) in enumerate(counts):
        axes.text(2.3, below - 0.3 - 0.42 * row, text, color=colour, ha="center", va="center",
                  fontsize=SLIDE_TEXT_PT, fontweight="bold")
    axes.text(2.3, top + 0.55, "Recurrent network 2-4-1" if recurrent
              else "Multilayer perceptron 2-4-1", ha="center", va="center",
              fontsize=SLIDE_TEXT_PT, fontweight="bold")
    return figure


def arrow(axes, start, end, colour, label, above=False, left=False):
    """An arrow with the name of its weights beside it (right, or left), or above it."""
    axes.annotate("", xy=end, xytext=start,
                  arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.5,
                              "mutation_scale": 20})
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    offset = (0.0, 0.27) if above else (-0.45 if left else 0.45, 0.0)
    axes.text(middle[0] + offset[0], middle[1] + offset[1], label, color=colour,
              fontsize=SLIDE_TEXT_PT, ha="center", va="center", fontweight="bold")


def make_rnn_unrolled():
    """The recurrent network unrolled in time: the same Wxh, Whh and Why at every step, a loss
    at every prediction, and the error flowing back from each loss against the arrows."""
    figure, axes = inch_canvas(SLIDE_WIDTH, 3.75)
    steps, red, h_row = 4, "tab:red", 1.5  # inches: the height of the hidden row
    rows = {"x": (0.35, "#dbe9f6"), "h": (h_row, "#fde3c8"), "y": (2.55, "#d9f0d3"),
            "L": (3.4, "#f6d0d0")}
    back = {"arrowstyle": "-|>", "color": red, "lw": 2.5, "ls": "--", "mutation_scale": 20}
    for t in range(steps):
        x = 2.0 + 2.3 * t
        for name, (y, colour) in rows.items():
            axes.text(x, y, f"{name}{t + 1}", ha="center", va="center", fontsize=20,
                      bbox={"boxstyle": "round", "facecolor": colour})
        arrow(axes, (x, 0.63), (x, 1.18), COLOURS["Wxh"], "Wxh")
        arrow(axes, (x, 1.82), (x, 2.23), COLOURS["Why"], "Why", left=True)
        arrow(axes, (x, 2.85), (x, 3.1), "black", "")  # the prediction meets its target
        axes.annotate("", xy=(x + 0.4, 1.82), xytext=(x + 0.45, 3.1), arrowprops=back)
        start = 1.05 if t == 0 else x - 1.9
        arrow(axes, (start, h_row + 0.07), (x - 0.42, h_row + 0.07), COLOURS["Whh"],
              "Whh" if t else "", above=True)
        if t > 0:  # the error of every later step flows back through Whh
            axes.annotate("", xy=(x - 1.88, h_row - 0.17), xytext=(x - 0.42, h_row - 0.17),
                          arrowprops=back)
    axes.text(0.6, h_row, "h0 = 0", ha="center", va="center", fontsize=SLIDE_TEXT_PT)
    last = 2.0 + 2.3 * (steps - 1)
    arrow(axes, (last + 0.42, h_row + 0.07), (last + 1.4, h_row + 0.07), COLOURS["Whh"], "",
          above=True)
    axes.text(last + 1.75, h_row, "...", ha="center", va="center", fontsize=20)
    axes.text(0.1, 3.4, "loss", ha="left", va="center", fontsize=SLIDE_TEXT_PT)
    axes.text(0.1, 2.55, "error", ha="left", va="center", fontsize=SLIDE_TEXT_PT, color=red,
              fontweight="bold")
    axes.annotate("", xy=(1.1, 2.4), xytext=(1.1, 3.1), arrowprops=back)
    return figure


def make_rnn_network():
    """The same network made recurrent: every hidden unit also reads the previous hidden state."""
    return network_figure(recurrent=True)


def make_mlp_network_question():
    """The MLP diagram without its weight counts, for the room to count them."""
    return network_figure(recurrent=False, counted=False)


def make_rnn_network_question():
    """The RNN diagram without its weight counts, for the room to count them."""
    return network_figure(recurrent=True, counted=False)


def lstm_parts(axes):
    """Three drawing helpers on the LSTM canvas: an arrow, a labelled box and an operation."""

    def line(start, end, colour="black", head=True):
        axes.annotate("", xy=end, xytext=start,
                      arrowprops={"arrowstyle": "-|>" if head else "-", "color": colour,
                                  "lw": 2.5 if colour != "black" else 1.8,
                                  "mutation_scale": 18, "shrinkA": 0, "shrinkB": 0})

    def box(x, y, text, colour):
        axes.text(x, y, text, ha="center", va="center", fontsize=SLIDE_TEXT_PT, linespacing=1.1,
                  bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "edgecolor": "black"})

    def operation(x, y, symbol):
        axes.text(x, y, symbol, ha="center", va="center", fontsize=20, fontweight="bold",
                  bbox={"boxstyle": "circle,pad=0.1", "facecolor": "white", "edgecolor": "black"})

    return line, box, operation


def make_lstm_cell():
    """An LSTM cell: the cell state runs along the top; three gates decide what passes.

    The layout (cell state along the top, gates in a row below it, inputs entering from the
    bottom left) follows the diagrams of Christopher Olah's "Understanding LSTM Networks"; every
    label sits outside the cell's border or well inside it."""
    from matplotlib.patches import FancyBboxPatch

    figure, axes = inch_canvas(SLIDE_WIDTH, 3.1)
    line, box, operation = lstm_parts(axes)
    axes.add_patch(FancyBboxPatch((2.1, 0.2), 7.5, 2.7, boxstyle="round,pad=0.1",
                                  facecolor="#f4f4f4", edgecolor="grey", lw=1.5))
    cell, gates_y, inputs_y, write_y = 2.6, 1.2, 0.45, 1.95  # heights of the rows, in inches
    red = "tab:red"
    line((1.95, cell), (3.08, cell), red)  # the cell state flows straight through
    line((3.52, cell), (5.18, cell), red)
    line((5.62, cell), (10.3, cell), red)
    operation(3.3, cell, "\u00d7")
    operation(5.4, cell, "+")
    axes.text(1.85, cell, "$C_{t-1}$", ha="right", va="center", color=red,
              fontsize=SLIDE_TEXT_PT)
    axes.text(10.4, cell, "$C_t$", ha="left", va="center", color=red, fontsize=SLIDE_TEXT_PT)
    axes.text(7.05, cell - 0.3, "cell state", ha="center", va="center", color=red,
              fontsize=SLIDE_TEXT_PT)
    gates = [(3.3, "forget\n$f_t$ \u03c3", "#fde3c8"), (4.7, "input\n$i_t$ \u03c3", "#fde3c8"),
             (6.1, "candidate\n$\\tilde{C}_t$ tanh", "#dbe9f6"),
             (7.7, "output\n$o_t$ \u03c3", "#fde3c8")]
    for x, text, colour in gates:
        line((x, inputs_y), (x, gates_y - 0.42))
        box(x, gates_y, text, colour)
    line((1.95, inputs_y), (7.7, inputs_y), head=False)
    axes.text(1.85, inputs_y + 0.1, "$x_t$ (now)\n$h_{t-1}$ (before)", ha="right",
              va="center", fontsize=SLIDE_TEXT_PT, linespacing=1.1)
    line((3.3, gates_y + 0.42), (3.3, cell - 0.2))  # forget: how much of c to keep
    operation(5.4, write_y, "\u00d7")  # input gate times candidate: what to write
    line((4.7, gates_y + 0.42), (5.22, write_y - 0.08))
    line((6.1, gates_y + 0.42), (5.58, write_y - 0.08))
    line((5.4, write_y + 0.2), (5.4, cell - 0.2))
    line((8.75, cell), (8.75, 2.15), head=False)  # what to show: output gate times tanh(c)
    box(8.75, 1.92, "tanh", "#dbe9f6")
    line((8.75, 1.68), (8.75, gates_y + 0.2))
    operation(8.75, gates_y, "\u00d7")
    line((7.7 + 0.45, gates_y), (8.55, gates_y))
    line((8.95, gates_y), (10.3, gates_y))
    axes.text(10.4, gates_y, "$h_t$", ha="left", va="center", fontsize=SLIDE_TEXT_PT)
    return figure


# %% Small explanatory plots
def make_activations():
    """The sigmoid and the tanh with their slopes, which backpropagation multiplies."""
    plt = pyplot()

    import mlp

    z = np.linspace(-6, 6, 241)
    sigmoid, tanh = mlp.sigmoid(z), np.tanh(z)
    figure, axes = plt.subplots(1, 2, figsize=(SLIDE_WIDTH, 3.8), sharex=True)
    axes[0].plot(z, sigmoid, color="tab:green", lw=2.5, label="sigmoid(z)")
    axes[0].plot(z, mlp.sigmoid_grad_from_output(sigmoid), "--", color="tab:red", lw=2.5,
                 label="slope: a (1 - a)")
    axes[0].set(title="sigmoid: 0 to 1 (MLP)", ylim=(-0.1, 1.1))
    axes[1].plot(z, tanh, color="tab:green", lw=2.5, label="tanh(z)")
    axes[1].plot(z, 1 - tanh**2, "--", color="tab:red", lw=2.5, label="slope: 1 - h\u00b2")
    axes[1].set(title="tanh: -1 to 1 (RNN)", ylim=(-1.1, 1.1))
    for panel, corner in zip(axes, ("upper left", "lower right"), strict=True):
        panel.set(xlabel="z, the weighted sum")
        panel.axhline(0, color="grey", lw=0.5)
        panel.legend(loc=corner, frameon=False, handlelength=1.2)  # where no curve runs
    figure.tight_layout()
    return figure


def random_rnn(spread, steps, hidden, rng):
    """A random tanh RNN with Whh of the given spread, run forward on random inputs.

    Whh's weights are drawn with standard deviation spread / sqrt(hidden), so that one multiply
    by Whh stretches a vector by about `spread`. Returns Whh (hidden, hidden) and the states
    (steps, hidden) that the network goes through, saturated units (h near +-1) included.
    """
    Whh = rng.normal(0.0, spread / math.sqrt(hidden), (hidden, hidden))  # (hidden, hidden)
    Wxh = rng.normal(0.0, 0.5, (1, hidden))  # (1, hidden): one input value a step
    x = rng.normal(0.0, 1.0, (steps, 1))  # (steps, 1): a random input sequence
    h, states = np.zeros(hidden), []
    for t in range(steps):
        h = np.tanh(x[t] @ Wxh + h @ Whh)  # (hidden,): rnn.py's step
        states.append(h)
    return Whh, np.array(states)  # (steps, hidden)


def gradient_sizes(Whh, slopes):
    """How big the error stays as it is carried back through time, one step at a time.

    The same step as rnn.py's backward pass, dh_prev = (dh * (1 - h**2)) @ Whh.T, with the tanh
    slope 1 - h**2 of each step given as slopes (steps, hidden). Returns the length of dh for
    each step back, from an error of length 1 at the last step.
    """
    hidden = len(Whh)
    dh = np.ones(hidden) / math.sqrt(hidden)  # (hidden,): an error of length 1 at the last step
    sizes = [1.0]
    for t in range(len(slopes) - 1, 0, -1):
        dh = (dh * slopes[t]) @ Whh.T  # one step further back in time
        sizes.append(float(np.linalg.norm(dh)))
    return sizes


def make_vanishing_gradients():
    """The error carried back through time: Whh alone, then with the tanh slopes (saturation)."""
    plt = pyplot()

    figure, axes = plt.subplots(1, 2, figsize=(SLIDE_WIDTH, 3.3), sharey=True)
    spreads = ((0.7, "tab:green"), (1.0, "tab:purple"), (2.0, "tab:red"))
    for spread, colour in spreads:
        Whh, states = random_rnn(spread, 40, 24, np.random.default_rng(SEED))
        for panel, slopes in zip(axes, (np.ones_like(states), 1.0 - states**2), strict=True):
            panel.plot(gradient_sizes(Whh, slopes), color=colour, lw=2.5,
                       label=f"Whh spread {spread}")
    axes[0].set(title="every tanh slope taken as 1", ylabel="size of the error",
                yscale="log", yticks=[1e-10, 1.0, 1e10])
    axes[1].set_title("the real tanh slopes, 1 - h\u00b2")
    for panel in axes:
        panel.set_xlabel("time steps back")
        panel.axhline(1.0, color="grey", lw=0.5)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=3, frameon=False,
                  bbox_to_anchor=(0.5, 1.0))
    figure.tight_layout(rect=(0, 0, 1, 0.86))
    return figure


# %% Results of the evening's scripts
def make_mlp_gates():
    """The decision boundary mlp.py learns for each gate, with the truth table's four points."""
    plt = pyplot()

    import mlp

    grid = np.linspace(-0.25, 1.25, 121)
    a, b = np.meshgrid(grid, grid)
    points = np.column_stack([a.ravel(), b.ravel()])
    figure, axes = plt.subplots(1, 3, figsize=(SLIDE_WIDTH, 4.1))
    for panel, gate in zip(axes, mlp.GATES, strict=True):
        targets = mlp.GATES[gate]
        params, errors = mlp.train(mlp.INPUTS, targets, seed=SEED)
        yp, _ = mlp.forward(points, params)
        panel.contourf(a, b, yp.reshape(a.shape), levels=20, cmap="coolwarm", vmin=0, vmax=1)
        panel.contour(a, b, yp.reshape(a.shape), levels=[0.5], colors="black", linewidths=2)
        panel.scatter(mlp.INPUTS[:, 0], mlp.INPUTS[:, 1], c=targets[:, 0], cmap="coolwarm",
                      vmin=0, vmax=1, s=220, edgecolors="black")
        panel.set(title=f"{gate.upper()}, {len(errors)} epochs", xlabel="A", ylabel="B",
                  aspect="equal", xticks=[0, 1], yticks=[0, 1])
    figure.suptitle("mlp.py: red = 1, blue = 0, black line = the boundary (p = 0.5)")
    figure.tight_layout()
    return figure


def series_legend(figure, model_label, naive_label="naive baseline"):
    """One legend for the whole figure, across its top: truth, the model, the naive baseline."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=SERIES["truth"], lw=2.5),
               Line2D([], [], color=SERIES["model"], lw=2.5),
               Line2D([], [], color=SERIES["naive"], lw=2.5, ls="--")]
    figure.legend(handles, ["truth", model_label, naive_label], loc="upper center", ncol=3,
                  frameon=False, bbox_to_anchor=(0.5, 1.0))


def errors_panel(panel, x, truth, predicted, naive):
    """The one-step errors, prediction minus truth, of the model and of the naive baseline:
    where the price lines lie on top of each other, the errors show how far apart they are."""
    panel.axhline(0.0, color=SERIES["truth"], lw=1.5)  # the truth makes no error
    panel.plot(x, np.asarray(predicted) - truth, color=SERIES["model"], lw=2)
    panel.plot(x, np.asarray(naive) - truth, "--", color=SERIES["naive"], lw=2)  # dashed, on top
    panel.set_ylabel("error")


def sine_figure(steps, truth, predictions, baselines, rmses, model_label, scored, number):
    """Two panels side by side: the free run beside staying flat, and the one-step errors
    beside those of "next = this".

    predictions: (free run, one step ahead); baselines: (flat, next = this), each (steps,);
    rmses: (free run, flat, one step, next = this) on the test span, as the script prints
    them: the free run's two over its first `scored` steps (shaded when not all of them), in
    the script's number format `number`.
    """
    plt = pyplot()

    (free, one_step), (flat, naive) = predictions, baselines
    free_rmse, flat_rmse, step_rmse, naive_rmse = rmses
    figure, axes = plt.subplots(1, 2, figsize=(SLIDE_WIDTH, 4.4))
    if scored < len(truth):
        axes[0].axvspan(steps[0], steps[scored - 1], color="0.88", lw=0)  # the scored span
    axes[0].plot(steps, truth, color=SERIES["truth"], lw=3)
    axes[0].plot(steps, flat, "--", color=SERIES["naive"], lw=2.5)
    axes[0].plot(steps, free, color=SERIES["model"], lw=2)
    span = f"all {scored} steps" if scored == len(truth) else f"first {scored} steps (grey)"
    axes[0].set(title=f"Free running, {span}:\nRMSE {free_rmse:{number}}, flat "
                      f"{flat_rmse:{number}}, ratio {free_rmse / flat_rmse:.3f}", ylabel="value")
    errors_panel(axes[1], steps, truth, one_step, naive)
    axes[1].set_title(f"One step ahead, the errors: RMSE\n{step_rmse:{number}}, naive "
                      f"{naive_rmse:{number}}, ratio {step_rmse / naive_rmse:.3f}")
    for panel in axes:
        panel.set_xlabel("time step (test span)")
    series_legend(figure, model_label)
    figure.tight_layout(rect=(0, 0, 1, 0.9))
    return figure


def make_rnn_sine():
    """rnn.py's one-step and free-running predictions, each beside its naive baseline."""
    import rnn

    series, n_train = rnn.load_data(REPO_ROOT / "data" / "sinwave.csv", rnn.SEQ_LEN)[:2]
    settings = rnn.default_settings(seed=SEED)  # what `python rnn.py` uses
    results, curves = rnn.fit_and_evaluate(series, n_train, settings, log=None)  # quietly
    steps, truth = np.arange(n_train, len(series)), series[n_train:]
    baselines = (np.full(len(truth), series[n_train - 1]), series[n_train - 1:-1])
    rmses = (results["free_run_rmse"], results["free_run_persistence_rmse"],
             results["one_step_rmse"], results["persistence_rmse"])
    return sine_figure(steps, truth, (curves["free"], curves["one_step"]), baselines, rmses,
                       f"rnn.py, {settings['hidden']} tanh units", results["free_run_steps"],
                       ".5f")  # rnn.py's table: every free-running step, five decimals


def verse_panel(axes, title, lines, rows):
    """The first `rows` lines of a sample (long ones wrapped), in type as large as the slide's."""
    import textwrap

    wrapped = [part for line in lines for part in textwrap.wrap(line, 66)]
    axes.text(0.01, 0.9, "\n".join(wrapped[:rows]), fontsize=SLIDE_TEXT_PT, va="top",
              linespacing=1.25, transform=axes.transAxes)
    axes.set_title(title, loc="left", fontsize=SLIDE_TEXT_PT, fontweight="bold")
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
    plt = pyplot()

    stages = char_rnn_samples()
    figure, axes = plt.subplots(len(stages), 1, figsize=(SLIDE_WIDTH, 5.6),
                                gridspec_kw={"height_ratios": [2.3, 2.3, 5]})
    for panel, (iterations, loss, lines) in zip(axes, stages, strict=True):
        when = "untrained" if iterations == 0 else f"after {iterations:,} chunks"
        note = ": no line copied from the verse" if panel is axes[-1] else ""
        verse_panel(panel, f"{when}, loss {loss:.2f} nats/character{note}", lines,
                    rows=CHAR_SAMPLE_LINES if panel is axes[-1] else 2)
    figure.tight_layout()
    return figure


def date_axis(axes):
    """Short date labels that stay apart at the slide's text size."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def make_sp500_prices():
    """The S&P 500 closing price, day by day, as data/sp500.csv holds it."""
    plt = pyplot()

    import series_csv

    series = series_csv.read_series(REPO_ROOT / "data" / "sp500.csv")
    figure, axes = plt.subplots(figsize=(SLIDE_WIDTH, 3.4))
    axes.plot(series.dates, series.values[:, 0], color=SERIES["truth"], lw=1.5)
    axes.set(title=f"S&P 500, daily close, {series.dates[0]:%Y} to {series.dates[-1]:%Y}",
             ylabel="index points")
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
    run_lstm.check_settings(settings)  # as run_lstm.start does: it also picks Keras's backend
    with contextlib.redirect_stdout(io.StringIO()):  # the run's own report and Keras's lines
        series = run_lstm.read_data(settings)  # the steps of run_lstm.run, in its order
        run_lstm.start_keras(settings)
        data = run_lstm.make_datasets(series, settings["seq_len"], settings["train_frac"],
                                      settings["normalise"], np.random.default_rng(SEED))
        model = run_lstm.get_model(settings, len(series.columns))
        run_lstm.fit(model, data, settings, series)
        results = run_lstm.predict_all(model, data, settings, "all")
    return settings, series, data, results


def rmse(predicted, truth):
    """Root mean squared error, in the units of the data."""
    return float(np.sqrt(np.mean((np.asarray(predicted) - truth) ** 2)))


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
    settings, steps, truth, today, results = preset_test_span("sine")
    flat = np.full(len(truth), today[0])  # the last value before the test span
    scored = min(settings["seq_len"], len(truth))  # run_lstm.py scores the free run's first
    rmses = (rmse(results["full"][:scored], truth[:scored]), rmse(flat[:scored], truth[:scored]),
             rmse(results["point"], truth), rmse(today, truth))  # ...steps, as it prints
    return sine_figure(steps, truth, (results["full"], results["point"]), (flat, today), rmses,
                       f"LSTM, {settings['epochs']} epochs", scored, ".4g")


def make_lstm_sp500():
    """run_lstm.py on the S&P 500, one day ahead beside "tomorrow = today", and their errors."""
    plt = pyplot()

    settings, dates, truth, today, results = preset_test_span("sp500")
    shown = slice(-LSTM_SHOWN_DAYS, None)
    days, point = dates[shown], results["point"][shown]
    figure, (prices, errors) = plt.subplots(2, 1, figsize=(SLIDE_WIDTH, 5.0), sharex=True,
                                            gridspec_kw={"height_ratios": [3, 2]})
    prices.plot(days, truth[shown], color=SERIES["truth"], lw=3)
    prices.plot(days, point, color=SERIES["model"], lw=2)
    prices.plot(days, today[shown], "--", color=SERIES["naive"], lw=2)  # dashed, on top
    prices.set_ylabel("index points")
    errors_panel(errors, days, truth[shown], point, today[shown])
    date_axis(errors)
    found, base = rmse(results["point"], truth), rmse(today, truth)  # the whole test span
    prices.set_title(f"The last {LSTM_SHOWN_DAYS} test days. RMSE over all {len(truth)}: "
                     f"LSTM {found:.2f}, naive {base:.2f}, ratio {found / base:.3f}")
    series_legend(figure, f"LSTM, one day ahead ({settings['epochs']} epochs)",
                  "naive: tomorrow = today")
    figure.tight_layout(rect=(0, 0, 1, 0.92))
    return figure


def make_lstm_sp500_free():
    """run_lstm.py on the S&P 500, free runs restarted from true data, beside staying flat."""
    plt = pyplot()

    settings, dates, truth, today, results = preset_test_span("sp500")
    runs, length = results["multiple"], settings["prediction_len"]  # (k, length) free runs
    covered = runs.size
    flats = np.repeat(today[:covered:length, None], length, axis=1)  # the last known close
    figure, axes = plt.subplots(figsize=(SLIDE_WIDTH, 4.2))
    axes.plot(dates[:covered], truth[:covered], color=SERIES["truth"], lw=2)
    for k, (run, flat) in enumerate(zip(runs, flats, strict=True)):
        days = dates[k * length:(k + 1) * length]
        axes.plot(days, flat, "--", color=SERIES["naive"], lw=2.5)
        axes.plot(days, run, color=SERIES["model"], lw=2.5)
    found, base = rmse(runs.ravel(), truth[:covered]), rmse(flats.ravel(), truth[:covered])
    axes.set_title(f"Restarted from true data every {length} trading days: RMSE {found:.1f}, "
                   f"flat {base:.1f}, ratio {found / base:.3f}")
    axes.set_ylabel("index points")
    date_axis(axes)
    series_legend(figure, f"LSTM, {length} trading days on its own",
                  "naive: flat at the last close")
    figure.tight_layout(rect=(0, 0, 1, 0.9))
    return figure


def make_memory_cells():
    """run_lstm.py memory for each cell: the validation loss per epoch beside the mean guess."""
    import json
    import tempfile

    import lstm  # noqa: F401  (first: it hides the backend's start-up notes as Keras loads)
    import run_lstm

    plt = pyplot()
    figure, axes = plt.subplots(figsize=(SLIDE_WIDTH, 4.4))
    colours = {"simple": SERIES["naive"], "lstm": SERIES["model"], "gru": "tab:green"}
    with tempfile.TemporaryDirectory() as folder:
        for cell, colour in colours.items():
            path = Path(folder) / f"{cell}.json"
            with contextlib.redirect_stdout(io.StringIO()):  # the run's own report
                run_lstm.main(["memory", "--cell", cell, "--seed", str(SEED),
                               "--plot-dir", folder, "--json", str(path)])
            run = json.loads(path.read_text(encoding="utf-8"))
            epochs = np.arange(1, len(run["val_loss"]) + 1)
            axes.plot(epochs, run["val_loss"], color=colour, lw=3, marker="o",
                      label=f"{run_lstm.CELL_NAMES[cell]} {run['rmse_ratio']:.2f}")
    axes.axhline(run["baseline_rmse"] ** 2, color=SERIES["truth"], ls="--", lw=2,
                 label="mean guess")
    axes.set(yscale="log", xlabel="epoch", ylabel="validation loss (MSE)")
    axes.xaxis.get_major_locator().set_params(integer=True)  # whole epochs
    axes.set_title("The sum of two numbers, the first marked 40 to 80 steps back")
    axes.legend(title="error / mean guess", loc="upper left", bbox_to_anchor=(1.01, 1))
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
    "memory_cells": make_memory_cells,
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

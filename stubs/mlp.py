# Exercise version of mlp.py, made by stubs/make_stubs.py from the solution one folder up.
# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.
# make_stubs: sha256 99f811b67094a109ba94467ccacb182450c16628c73dcc794f96c23ec4e7e534
"""A neural net from scratch: a numpy multilayer perceptron learns the AND, OR and XOR gates.

Part 1 of the evening. Two inputs, four hidden sigmoid units and one sigmoid output learn one
logic gate at a time. Training follows the talk's pseudo-code: for each epoch, for each row of
the truth table, feed forward, back-propagate, and take a gradient-descent step.

    python mlp.py                  # AND, then OR, then XOR
    python mlp.py --gate xor       # one gate
    python mlp.py --plot           # also save the error curve and decision boundary to figures/

The exercises are `forward`, `backward` and `update` (about 25 minutes): open stubs/mlp.py, replace
each `raise NotImplementedError` with code that follows the TODO above it, and run
`python stubs/mlp.py --gate and`. When

    python -m pytest --impl stubs tests/test_mlp.py

passes, your network learns. (`python -m pytest tests/test_mlp.py` tests the solution here.)
"""

import sys  # these three lines, made by stubs/make_stubs.py, put the repo's folder (the
from pathlib import Path  # one that holds data/) on the import path, after stubs/
sys.path.append(str(next((folder for folder in Path(globals().get("__file__", "x")).resolve().parents if (folder / "data").is_dir()), Path.cwd())))
import argparse
import sys
import time
from pathlib import Path

import numpy as np

import plumbing
from plumbing import InputError

# %% Settings (in a notebook, these are the command line: edit them, then run the cells below)
GATE = "all"  # the gate to learn: "and", "or", "xor", or "all" for the three, one after another
HIDDEN = 4  # hidden units; the talk counts Wxh = 2 x 4 = 8 and Why = 4 x 1 = 4 weights
EPOCHS = 2000  # the most passes over the truth table; training stops sooner once it has learned
LEARNING_RATE = 0.5  # size of each gradient-descent step
TARGET_ERROR = 0.02  # stop once the error over the whole table falls below this ("good enough")
SEED = 0  # seeds the random starting weights, so every run prints the same numbers
WEIGHT_SCALE = 1.0  # spread (standard deviation) of the random starting weights

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)  # (4, 2): A, B
GATES = {  # the target column of each truth table, (4, 1)
    "and": np.array([[0], [0], [0], [1]], dtype=float),
    "or": np.array([[0], [1], [1], [1]], dtype=float),
    "xor": np.array([[0], [1], [1], [0]], dtype=float),
}


# %% Model
def sigmoid(z):
    """1 / (1 + e^-z), written so that no input overflows: log(1 + e^-z) is logaddexp(0, -z)."""
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_grad_from_output(a):
    """The sigmoid's slope, given its output a = sigmoid(z): da/dz = a * (1 - a)."""
    return a * (1.0 - a)


def init_params(n_inputs, n_hidden, n_outputs, rng, scale=WEIGHT_SCALE):
    """Random weights and zero biases. Row vectors: a layer computes x @ W + b."""
    return {
        "Wxh": rng.normal(0.0, scale, (n_inputs, n_hidden)),  # (inputs, hidden)
        "bh": np.zeros((1, n_hidden)),  # (1, hidden)
        "Why": rng.normal(0.0, scale, (n_hidden, n_outputs)),  # (hidden, outputs)
        "by": np.zeros((1, n_outputs)),  # (1, outputs)
    }


def count_params(params):
    """Number of weights and biases in each matrix, e.g. {"Wxh": 8, ...}."""
    return {name: value.size for name, value in params.items()}


def forward(X, params):
    """Feed forward.

    Inputs:
    - X: inputs, one row per example, shape (rows, inputs)
    - params: dict with Wxh (inputs, hidden), bh (1, hidden), Why (hidden, outputs), by (1, outputs)
    Returns:
    - yp: predicted probabilities, shape (rows, outputs)
    - cache: what `backward` needs, (X, H, yp), H the hidden activations (rows, hidden)
    """
    # TODO: Feed forward through the network
    #   (@ is a matrix product; every weight and bias is in params, e.g. params["Wxh"])
    #   1. H, the hidden units: sigmoid of (X @ params["Wxh"], plus the hidden bias params["bh"])
    #   2. yp, the prediction: sigmoid of (H @ params["Why"], plus the output bias params["by"])
    raise NotImplementedError('TODO: Feed forward through the network')
    return yp, (X, H, yp)  # the prediction, and what backward needs


def cross_entropy(yp, y):
    """Mean cross-entropy between predicted probabilities yp and 0/1 targets y (the error)."""
    yp = np.clip(yp, 1e-12, 1.0 - 1e-12)  # log(0) would be -infinity
    return float(-np.mean(y * np.log(yp) + (1.0 - y) * np.log(1.0 - yp)))


def backward(targets, cache, params):
    """Back-propagate: the gradient of the mean cross-entropy with respect to every parameter.

    Inputs:
    - targets: y, shape (rows, outputs)
    - cache: what `forward` returned beside its prediction: (X, H, yp)
    - params: the weights used by that forward pass
    Returns:
    - grads: dict with dWxh, dbh, dWhy, dby, each the shape of its parameter
    """
    X, H, yp = cache  # inputs (rows, inputs), hidden (rows, hidden), prediction (rows, outputs)
    y = targets  # (rows, outputs)
    # TODO: Back-propagate from the error to every weight and bias
    #   (@ is a matrix product, * multiplies element by element, .T transposes)
    #   1. rows = len(X), the number of examples. The error at the output, before its sigmoid:
    #      dZy = (yp - y) / rows (the error is a mean over the rows, hence the / rows)
    #   2. the output layer: dWhy = H.T @ dZy; dby = dZy summed over the rows, kept as a row:
    #      dZy.sum(axis=0, keepdims=True), shape (1, outputs) like by
    #   3. the error sent back to the hidden units: dH = dZy @ params["Why"].T
    #   4. back through the hidden sigmoid: dZh = dH * sigmoid_grad_from_output(H)
    #   5. the hidden layer: dWxh = X.T @ dZh; dbh = dZh summed over the rows, kept as a row
    #   6. grads = {"dWxh": dWxh, "dbh": dbh, "dWhy": dWhy, "dby": dby}
    raise NotImplementedError('TODO: Back-propagate from the error to every weight and bias')
    return grads


def update(params, grads, state, lr):
    """One gradient-descent step: returns new parameters, each moved against its gradient, and
    the optimiser's state (None: plain gradient descent remembers nothing; Adam in rnn.py does).

    `params` itself is left unchanged (a new dict of new arrays comes back).
    """
    # TODO: One step of gradient descent
    #   1. for every name in params (loop over params' own names: a test may pass fewer than
    #      four), the new value is params[name] - lr * grads["d" + name]
    #   2. new_params = a new dict of those new values, by name
    raise NotImplementedError('TODO: One step of gradient descent')
    return new_params, state


# %% Training
def train(X, y, hidden=HIDDEN, epochs=EPOCHS, lr=LEARNING_RATE, seed=SEED,
          target_error=TARGET_ERROR):
    """Stochastic gradient descent, one row at a time, as in the talk's pseudo-code.

    Returns the trained parameters and, after each epoch, the error over the whole table.
    """
    rng = np.random.default_rng(seed)
    params = init_params(X.shape[1], hidden, y.shape[1], rng)
    errors = []
    try:
        with np.errstate(over="raise", invalid="raise"):  # a number out of range stops it here
            for _ in range(epochs):
                for row in range(len(X)):
                    x_row, y_row = X[row:row + 1], y[row:row + 1]  # (1, inputs), (1, outputs)
                    _, cache = forward(x_row, params)
                    params, _ = update(params, backward(y_row, cache, params), None, lr)
                errors.append(cross_entropy(forward(X, params)[0], y))  # the whole table
                if errors[-1] < target_error:  # learned well enough: stop, as the talk says
                    break
    except FloatingPointError:
        raise InputError(f"Training blew up in epoch {len(errors) + 1}: the weights grew past "
                         f"the largest number numpy can hold at --lr {lr:g}; try a smaller "
                         f"--lr (LEARNING_RATE), such as the default {LEARNING_RATE}.") from None
    return params, errors


# %% Evaluation and plots
def accuracy(yp, y):
    """Share of rows where the rounded prediction equals the target (0 to 1)."""
    return float(np.mean((yp >= 0.5) == (y >= 0.5)))


def truth_table(X, y, yp):
    """The rows `A B target predicted probability` as printable text."""
    lines = ["   A  B  target  predicted  probability"]
    for (a, b), target, prob in zip(X, y[:, 0], yp[:, 0], strict=True):
        lines.append(f"   {a:.0f}  {b:.0f}  {target:6.0f}  {prob >= 0.5:9d}  {prob:11.3f}")
    return "\n".join(lines)


def print_progress(errors):
    """The error at every tenth of the epochs that ran, and at the last one."""
    step = max(1, len(errors) // 10)
    shown = [*range(0, len(errors) - 1, step), len(errors) - 1]
    for epoch in shown:
        print(f"  epoch {epoch + 1:5d}  error {errors[epoch]:.4f}")


def learn_gate(gate, hidden, epochs, lr, seed):
    """Train one gate, print its progress and truth table; return results, params, errors."""
    print(f"\n=== {gate.upper()} gate ===")
    print(f"  error: cross-entropy over the whole table; a 50/50 guess scores ln 2 = "
          f"{np.log(2):.3f}")
    y = GATES[gate]
    params, errors = train(INPUTS, y, hidden, epochs, lr, seed)
    print_progress(errors)
    yp, _ = forward(INPUTS, params)
    print(truth_table(INPUTS, y, yp))
    result = {"accuracy": accuracy(yp, y), "final_error": errors[-1], "epochs": len(errors)}
    print(f"  accuracy {result['accuracy']:.0%} after {len(errors)} epochs")
    return result, params, errors


def plot_gate(gate, errors, params):
    """The training-error curve and the learned decision boundary, side by side."""
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(np.arange(1, len(errors) + 1), errors)
    left.set(title=f"{gate.upper()}: training error", xlabel="epoch",
             ylabel="error (cross-entropy, whole table)", yscale="log")
    grid = np.linspace(-0.25, 1.25, 121)
    a, b = np.meshgrid(grid, grid)
    yp, _ = forward(np.column_stack([a.ravel(), b.ravel()]), params)
    shading = right.contourf(a, b, yp.reshape(a.shape), levels=20, cmap="coolwarm", vmin=0, vmax=1)
    right.contour(a, b, yp.reshape(a.shape), levels=[0.5], colors="black")
    right.scatter(INPUTS[:, 0], INPUTS[:, 1], c=GATES[gate][:, 0], cmap="coolwarm",
                  edgecolors="black", s=120, vmin=0, vmax=1)
    right.set(title=f"{gate.upper()}: decision boundary (black line: p = 0.5)",
              xlabel="input A", ylabel="input B")
    figure.colorbar(shading, ax=right, label="predicted probability")
    figure.tight_layout()
    return figure


def save_figures(trained, plot_dir, show):
    """Draw each gate's figure and save it as a PNG; they stay open when they are to be shown.

    `trained` maps each gate to its (errors, params). The figures are saved only once every
    gate has trained, so a run stopped early writes nothing.
    """
    import matplotlib

    if not show:
        matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    for gate, (errors, params) in trained.items():
        figure = plot_gate(gate, errors, params)
        path = Path(plot_dir) / f"mlp_{gate}.png"
        print(f"  saved {plumbing.save_figure(figure, path, '--plot-dir')}")
        if not show:
            plt.close(figure)


def run(args):
    """Learn the gates the flags (or, in a notebook, the Settings cell) ask for."""
    gates = list(GATES) if args.gate == "all" else [args.gate]
    if args.plot or args.show:
        plumbing.require("matplotlib")  # before any training, not after it
    check_outputs(args, gates)
    start = time.perf_counter()
    sizes = count_params(init_params(INPUTS.shape[1], args.hidden, 1, np.random.default_rng(0)))
    print(f"network 2-{args.hidden}-1; parameters: " + ", ".join(
        f"{name} {size}" for name, size in sizes.items()) + f" (total {sum(sizes.values())})")
    results, trained = {"gates": {}}, {}
    for gate in gates:
        results["gates"][gate], params, errors = learn_gate(
            gate, args.hidden, args.epochs, args.lr, args.seed)
        trained[gate] = errors, params
    if args.plot or args.show:
        save_figures(trained, args.plot_dir, args.show)
    results["seconds"] = time.perf_counter() - start
    print(f"\ndone in {results['seconds']:.2f} s")
    if args.json:
        plumbing.write_json(args.json, results)
    if args.show:
        import matplotlib.pyplot as plt

        plt.show()  # a window per gate in a terminal; inline in a notebook
        plt.close("all")
    return results


# %% Plumbing: files and command line
def parse_args(argv):
    """The flags, each defaulting to its value in the Settings cell; then the range checks."""
    parser = argparse.ArgumentParser(description="A numpy MLP learns the AND, OR and XOR gates.")
    parser.add_argument("--gate", choices=[*GATES, "all"], default=GATE,
                        help=f"the gate to learn, or all three (default {GATE})")
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help=f"most passes over the truth table (default {EPOCHS})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"learning rate (default {LEARNING_RATE})")
    parser.add_argument("--hidden", type=int, default=HIDDEN,
                        help=f"hidden units (default {HIDDEN})")
    parser.add_argument("--seed", type=int, default=SEED,
                        help=f"random seed, 0 to 4294967295 (default {SEED})")
    parser.add_argument("--plot", action="store_true",
                        help="save the error curve and decision boundary of each gate as PNG")
    parser.add_argument("--plot-dir", type=Path, default=plumbing.repo_root() / "figures",
                        help="folder for the PNGs (default: figures/)")
    parser.add_argument("--show", action="store_true", help="also open the plots in a window")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)  # --help's text is flushed by plumbing.run_main
    args.show = args.show or plumbing.in_notebook()  # a notebook shows its figures inline
    plumbing.check_count("--epochs", args.epochs)
    plumbing.check_count("--hidden", args.hidden)
    plumbing.check_positive("--lr", args.lr, LEARNING_RATE)
    plumbing.check_seed("--seed", args.seed)
    grid = 121**2 if args.plot or args.show else 0  # the decision boundary's points
    plumbing.check_memory(args.hidden * (16 + 3 * grid), "--hidden")  # weights, steps, grid
    return args


def check_outputs(args, gates):
    """Refuse, before any training, a --json or figure this run must not or cannot write."""
    plumbing.check_outputs({"--json": args.json}, {})
    if args.plot or args.show:
        plumbing.check_output(args.plot_dir, "--plot-dir", folder=True)
        for gate in gates:
            plumbing.check_output(Path(args.plot_dir) / f"mlp_{gate}.png", "--plot-dir",
                                  {"--json": args.json})


def main(argv=None):
    """The command line: parse it and run; bad input and Ctrl-C end in one line."""
    return plumbing.run_main(lambda: run(parse_args(argv)))


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

"""How much faster min_char_rnn.py is than the classic step-by-step version of the same model.

Both run in this one process on the same text, settings and initial weights. The classic
version (tests/reference_char_rnn.py) builds a one-hot vector and multiplies it by Wxh at
every step, computes the output layer and softmax step by step, and sums per-step outer
products in the backward pass; the fast one looks up rows of Wxh and does the output layer,
the softmax and their gradients for the whole chunk in one product each. Clipping and
Adagrad are the same code in both. The two train in alternating rounds and each keeps its
fastest round, so the ratio holds even on a machine that is busy with something else.

    python benchmarks/char_rnn_speed.py
    python benchmarks/char_rnn_speed.py --iters 3000 --json speed.json
"""

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))

min_char_rnn = importlib.import_module("min_char_rnn")  # the script, as a module
plumbing = importlib.import_module("plumbing")  # the scripts' shared files and checks
reference_char_rnn = importlib.import_module("reference_char_rnn")  # the classic version


def best_seconds(functions, repeats, rounds=5):
    """For each function, the fastest of several rounds of `repeats` calls, in seconds per
    call; the functions take turns in every round, so a busy machine slows them alike."""
    best = [float("inf")] * len(functions)
    for _ in range(rounds):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            for _ in range(repeats):
                function()
            best[index] = min(best[index], (time.perf_counter() - start) / repeats)
    return best


def time_loss_functions(params, data, seq_len, repeats):
    """Seconds per call of each loss/gradient function on the same chunk and state."""
    X, targets, _, _ = min_char_rnn.next_chunk(data, 0, seq_len)
    h_prev = np.zeros((1, params["Whh"].shape[0]))
    fast, classic = best_seconds(
        [lambda: min_char_rnn.loss_and_gradients(X, targets, params, h_prev),
         lambda: reference_char_rnn.loss_and_gradients(X, targets, params, h_prev)], repeats)
    return fast, classic


def training_rates(data, vocab_size, args):
    """Characters per second of each version's training iterations, from the same weights.

    The two versions train in alternating rounds, and each keeps its fastest round, so that
    a busy machine slows both alike and the ratio stays meaningful.
    Returns: {"fast": (chars/s, smoothed loss), "classic": (chars/s, smoothed loss)}.
    """
    fast = min_char_rnn.new_state(vocab_size, args.hidden, args.seq_len, args.seed)
    start = min_char_rnn.new_state(vocab_size, args.hidden, args.seq_len, args.seed)
    classic = {"params": start.params, "memory": start.memory, "h_prev": start.h_prev,
               "position": 0, "smooth_loss": start.smooth_loss}
    lr, per_round = min_char_rnn.LEARNING_RATE, max(1, args.iters // args.rounds)
    best = {"fast": 0.0, "classic": 0.0}
    for _ in range(args.rounds):
        began = time.perf_counter()
        for _ in range(per_round):
            min_char_rnn.train_step(fast, data, args.seq_len, lr)
        best["fast"] = max(best["fast"], per_round / (time.perf_counter() - began))
        began = time.perf_counter()
        for _ in range(per_round):
            loss, classic["params"], classic["memory"], classic["position"], \
                classic["h_prev"] = reference_char_rnn.train_step(
                    min_char_rnn, classic["params"], classic["memory"], data,
                    classic["position"], classic["h_prev"], args.seq_len, lr)
            classic["smooth_loss"] = 0.999 * classic["smooth_loss"] + 0.001 * loss
        best["classic"] = max(best["classic"], per_round / (time.perf_counter() - began))
    return {"fast": (best["fast"] * args.seq_len, fast.smooth_loss),
            "classic": (best["classic"] * args.seq_len, classic["smooth_loss"])}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time min_char_rnn against the classic "
                                     "step-by-step version of the same model.")
    parser.add_argument("--text", type=Path, default=REPO_ROOT / "data" / "rhymes.txt",
                        help="text to train on (default: data/rhymes.txt)")
    parser.add_argument("--iters", type=int, default=2000,
                        help="training iterations timed for each version (default 2000)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="alternating rounds the iterations are split into (default 5)")
    parser.add_argument("--hidden", type=int, default=min_char_rnn.HIDDEN,
                        help="hidden units (default: the script's)")
    parser.add_argument("--seq-len", type=int, default=min_char_rnn.SEQ_LEN,
                        help="characters per chunk (default: the script's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.iters < 1 or args.rounds < 1:
        parser.error(f"--iters and --rounds must be at least 1; got {args.iters}, {args.rounds}")
    text = min_char_rnn.load_text(args.text, args.seq_len)
    vocabulary = min_char_rnn.build_vocabulary(text)
    data = min_char_rnn.encode(text, vocabulary)
    params = min_char_rnn.new_state(len(vocabulary), args.hidden, args.seq_len, args.seed).params
    print(f"{args.text.name}: {len(text):,} characters, vocabulary {len(vocabulary)}, "
          f"hidden {args.hidden}, chunks of {args.seq_len}")
    fast, classic = time_loss_functions(params, data, args.seq_len, repeats=200)
    print(f"loss and gradients, one chunk: classic {classic * 1e6:8.1f} us   "
          f"fast {fast * 1e6:8.1f} us   speedup {classic / fast:.1f}x")
    rates = training_rates(data, len(vocabulary), args)
    (fast_rate, fast_loss), (classic_rate, classic_loss) = rates["fast"], rates["classic"]
    print(f"training, {args.iters} iterations, best of {args.rounds} alternating rounds: "
          f"classic {classic_rate:9,.0f} chars/s   "
          f"fast {fast_rate:9,.0f} chars/s   speedup {fast_rate / classic_rate:.1f}x")
    print(f"smoothed loss after them: classic {classic_loss:.3f}   fast {fast_loss:.3f} (the "
          "same maths; rounding differences of 1e-16 grow over many Adagrad steps)")
    figures = {"reference_chars_per_second": classic_rate, "chars_per_second": fast_rate,
               "speedup": fast_rate / classic_rate, "loss_fn_speedup": classic / fast}
    if args.json is not None:
        plumbing.write_json(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Exercise version of min_char_rnn.py, made by stubs/make_stubs.py from the solution one folder up.
# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.
"""A character-level vanilla RNN in numpy that learns rhyming verse and writes a new book.

Text is a sequence too. The network reads a text one character at a time and learns to guess
the next one: one-hot characters in, a tanh hidden layer of 100 units, a softmax over the
vocabulary out, trained on chunks of 25 characters with backpropagation through time and
Adagrad. As the loss falls, the samples it prints go from gibberish to verse. At the end it
writes "a new book" (a title and about 1,000 sampled characters) to figures/new_book.txt.

Run it:

    python min_char_rnn.py                         # learn data/rhymes.txt (under a minute)
    python min_char_rnn.py my_text.txt --iters 100000
    python min_char_rnn.py --temperature 1.0       # wilder book; 0.3 is safer and more repetitive
    python min_char_rnn.py --resume figures/min_char_rnn.npz --iters 0 --prime "The Zibble"

Press Ctrl-C at any moment: training stops, the checkpoint is saved and the book is written.

Exercises (the functions with a `# TODO:` inside):
    draw_next_char       the sampling step: softmax with temperature, draw the next character
    backward             the backward pass through time

Test it:

    python -m pytest tests/test_min_char_rnn.py                 # this solution
    python -m pytest --impl stubs tests/test_min_char_rnn.py    # your version under stubs/
"""

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# %% Settings
HIDDEN_SIZE = 100  # size of the hidden layer (tanh units)
SEQ_LENGTH = 25  # characters per chunk: how far back in time the gradient flows
LEARNING_RATE = 0.1  # Adagrad step size
ITERATIONS = 90_000  # training chunks in a default run (about 35-50 s on a 2-core laptop)
SAMPLE_EVERY = 5_000  # print the loss and a sample, and save the checkpoint, this often
SAMPLE_LENGTH = 200  # characters in each sample printed while training
BOOK_LENGTH = 1_000  # characters in the new book, after its title
TEMPERATURE = 0.3  # below 1: safer, more repetitive text; above 1: wilder text
SEED = 0  # seeds the initial weights and every sample
CLIP_LIMIT = 5.0  # gradients are clipped to [-CLIP_LIMIT, CLIP_LIMIT] against exploding steps
LOSS_SMOOTHING = 0.999  # weight of the old value in the smoothed loss that is printed
INIT_SCALE = 0.01  # standard deviation of the initial weights
PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")  # the model's weights and biases


def find_repo_root(start=Path(__file__).resolve().parent):
    """The first folder upward from this script that holds data/ (so stubs/ copies work too)."""
    for folder in (start, *start.parents):
        if (folder / "data").is_dir():
            return folder
    return start


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# %% Data
def load_text(path, seq_length):
    """The training text, refused with a plain sentence if it cannot be used."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No text file at {path}; give the path of a plain UTF-8 text file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text (byte {error.start} cannot be read); "
                         "save it as UTF-8 plain text and try again.") from None
    if not text:
        raise InputError(f"{path} is empty; give a text file with some writing in it.")
    if len(text) < seq_length + 1:
        raise InputError(f"{path} has {len(text)} characters, fewer than one chunk of "
                         f"{seq_length} plus one; use a longer text or a smaller --seq-len.")
    return text


def build_vocabulary(text):
    """The characters of the text, sorted, so a seed gives the same samples everywhere."""
    return sorted(set(text))


def encode(text, vocabulary):
    """The text as an array of character indices."""
    char_to_ix = {char: ix for ix, char in enumerate(vocabulary)}
    return np.array([char_to_ix[char] for char in text], dtype=np.intp)  # (characters,)


def decode(indices, vocabulary):
    """Character indices back to text."""
    return "".join(vocabulary[ix] for ix in indices)


def next_chunk(data, position, seq_length):
    """Inputs and targets of the chunk at `position`, and whether a new pass starts there.

    A chunk that would run past the end of the text starts again at the beginning.
    Returns: inputs (seq_length,), targets (seq_length,), its position, new_pass
    """
    new_pass = position == 0 or position + seq_length + 1 > len(data)
    if new_pass:
        position = 0
    inputs = data[position:position + seq_length]  # (seq_length,)
    targets = data[position + 1:position + seq_length + 1]  # (seq_length,) one step ahead
    return inputs, targets, position, new_pass


# %% Model
def init_params(vocab_size, hidden_size, rng):
    """Small random weights and zero biases, in the row-vector layout."""
    return {
        "Wxh": rng.standard_normal((vocab_size, hidden_size)) * INIT_SCALE,  # (vocab, hidden)
        "Whh": rng.standard_normal((hidden_size, hidden_size)) * INIT_SCALE,  # (hidden, hidden)
        "Why": rng.standard_normal((hidden_size, vocab_size)) * INIT_SCALE,  # (hidden, vocab)
        "bh": np.zeros(hidden_size),  # (hidden,)
        "by": np.zeros(vocab_size),  # (vocab,)
    }


def softmax_rows(logits):
    """Each row of scores turned into probabilities (shifted by its maximum, so exp is safe)."""
    exps = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def forward(params, inputs, h_prev):
    """Run one chunk through the network.

    Inputs: params; inputs (T,) character indices; h_prev (hidden,) state before the chunk.
    Returns: hs (T, hidden) the hidden states; probs (T, vocab) the next-character guesses.
    """
    # x @ Wxh for a one-hot row x is row ix of Wxh, so the input part of every step is a lookup
    x_parts = params["Wxh"][inputs] + params["bh"]  # (T, hidden)
    hs = np.empty_like(x_parts)  # (T, hidden)
    h, Whh = h_prev, params["Whh"]
    for t in range(len(inputs)):  # the recurrence: each step needs the state before it
        h = hs[t] = np.tanh(x_parts[t] + h @ Whh)  # (hidden,)
    logits = hs @ params["Why"] + params["by"]  # (T, vocab) every step's output in one product
    return hs, softmax_rows(logits)


def backward(params, inputs, targets, h_prev, hs, probs):
    """Gradients of the chunk's loss with respect to every weight and bias.

    Inputs: params; inputs, targets (T,); h_prev (hidden,); hs (T, hidden); probs (T, vocab).
    Returns: a dict of gradients with the same names and shapes as params.
    """
    T = len(inputs)
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    dlogits = probs.copy()  # (T, vocab) softmax with cross-entropy: probs minus one-hot targets
    dlogits[np.arange(T), targets] -= 1
    dWhy = hs.T @ dlogits  # (hidden, vocab) summed over the chunk in one product
    dby = dlogits.sum(axis=0)  # (vocab,)
    dhs = dlogits @ Why.T  # (T, hidden) what each step's own output sends back to its h
    # TODO: backward pass through time
    #   1. tanh_grad = 1 - hs**2, the tanh derivative written with its output   (T, hidden)
    #   2. dh_next = zeros (nothing flows back from after the chunk); draws = empty (T, hidden)
    #   3. for t from T-1 down to 0:
    #        draws[t] = tanh_grad[t] * (dhs[t] + dh_next)   gradient before the tanh
    #        dh_next = draws[t] @ Whh.T                      what step t sends to step t-1
    #   4. h_before = h_prev stacked on hs[:-1], the state each step started from (T, hidden)
    #      dWhh = h_before.T @ draws;  dbh = draws summed over time
    #   5. dWxh = zeros like Wxh, then add draws[t] to row inputs[t] (np.add.at)
    raise NotImplementedError('TODO: backward pass through time')
    return {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}


def loss_and_gradients(params, inputs, targets, h_prev):
    """Cross-entropy loss of one chunk (nats, summed), its gradients and the last state.

    Inputs: params; inputs, targets (T,) character indices; h_prev (hidden,).
    Returns: loss (float), grads (dict like params), h_last (hidden,).
    """
    hs, probs = forward(params, inputs, h_prev)
    with np.errstate(divide="ignore"):  # a probability of 0 gives an infinite loss, caught later
        loss = -np.log(probs[np.arange(len(targets)), targets]).sum()
    grads = backward(params, inputs, targets, h_prev, hs, probs)
    return float(loss), grads, hs[-1].copy()


def hidden_step(params, h, ix):
    """The state after reading character `ix`: one step of the recurrence."""
    return np.tanh(params["Wxh"][ix] + h @ params["Whh"] + params["bh"])  # (hidden,)


def draw_next_char(params, h, temperature, rng):
    """Draw the index of the next character from the network's guess at state `h`.

    Inputs: params; h (hidden,); temperature > 0 (below 1 sharpens, above 1 flattens); rng.
    Returns: an index into the vocabulary (int).
    """
    # TODO: sampling step
    #   1. logits = h @ Why + by, the score of each character   (vocab,)
    #   2. divide the logits by the temperature
    #   3. softmax: subtract the largest score, exp, divide by the sum
    #   4. return rng.choice(vocab size, p=probabilities) as an int
    raise NotImplementedError('TODO: sampling step')


def warm_up(params, h, indices):
    """The state after reading a start text (the `--prime` text)."""
    for ix in indices:
        h = hidden_step(params, h, ix)
    return h


def sample(params, h, n, temperature, rng):
    """Write `n` characters from state `h`, feeding each one back in.

    The hidden state runs on from character to character and is never reset while
    writing, so the whole text is one continuous thought of the network.
    Returns: the drawn indices (list) and the state after the last one.
    """
    indices = []
    for _ in range(n):
        ix = draw_next_char(params, h, temperature, rng)
        indices.append(ix)
        h = hidden_step(params, h, ix)
    return indices, h


# %% Training
def clip_gradients(grads, limit=CLIP_LIMIT):
    """Clip every gradient to [-limit, limit] in place, against exploding steps."""
    for grad in grads.values():
        np.clip(grad, -limit, limit, out=grad)


def adagrad_update(params, grads, memory, learning_rate):
    """One Adagrad step in place: each weight's step shrinks with its past squared gradients."""
    for name, param in params.items():
        grad, mem = grads[name], memory[name]
        mem += grad * grad  # running sum of squared gradients
        param -= learning_rate * grad / np.sqrt(mem + 1e-8)


@dataclass
class TrainingState:
    """Everything a training run needs to continue exactly where it stopped."""

    params: dict  # the weights and biases
    memory: dict  # Adagrad's sums of squared gradients, one per parameter
    h_prev: np.ndarray  # (hidden,) state carried from the last chunk to the next
    position: int  # where the next chunk starts in the text
    iteration: int  # chunks trained so far
    smooth_loss: float  # exponentially smoothed chunk loss (nats per chunk)
    initial_loss: float  # the loss of iteration 0 (nan before it)
    rng: np.random.Generator  # draws every sample


def new_state(vocab_size, hidden_size, seq_length, seed):
    """A fresh model; the smoothed loss starts at the loss of a uniform guess."""
    rng = np.random.default_rng(seed)
    params = init_params(vocab_size, hidden_size, rng)
    memory = {name: np.zeros_like(value) for name, value in params.items()}
    expected = -np.log(1 / vocab_size) * seq_length
    return TrainingState(params, memory, np.zeros(hidden_size), 0, 0, expected, np.nan, rng)


def train_step(state, data, seq_length, learning_rate):
    """Train on the next chunk; returns its loss (the state is left alone if it is not finite).

    The hidden state is carried from chunk to chunk, so the network can remember across
    chunk borders, and reset to zeros when a new pass through the text begins.
    """
    inputs, targets, position, new_pass = next_chunk(data, state.position, seq_length)
    h_prev = np.zeros_like(state.h_prev) if new_pass else state.h_prev
    loss, grads, h_last = loss_and_gradients(state.params, inputs, targets, h_prev)
    if not np.isfinite(loss):
        return loss
    clip_gradients(grads)
    adagrad_update(state.params, grads, state.memory, learning_rate)
    if state.iteration == 0:
        state.initial_loss = loss
    state.smooth_loss = LOSS_SMOOTHING * state.smooth_loss + (1 - LOSS_SMOOTHING) * loss
    state.h_prev, state.position = h_last, position + seq_length
    state.iteration += 1
    return loss


def training_sample(state, data, vocabulary, temperature):
    """A sample that starts from the training state, which it leaves untouched."""
    first = data[state.position if state.position + 1 < len(data) else 0]
    h = hidden_step(state.params, state.h_prev, first)
    indices, _ = sample(state.params, h, SAMPLE_LENGTH, temperature, state.rng)
    return decode([first, *indices], vocabulary)


def report_progress(state, data, vocabulary, args, seconds):
    """Print the smoothed loss (per chunk and per character) and a sample."""
    per_char = state.smooth_loss / args.seq_len
    print(f"iter {state.iteration:6d}  smoothed loss {state.smooth_loss:7.3f} "
          f"({per_char:.3f} nats/char)  {seconds:5.1f} s")
    text = training_sample(state, data, vocabulary, args.temperature)
    print("----\n" + text + "\n----", flush=True)


def train(state, data, vocabulary, args):
    """Run `args.iters` training chunks; Ctrl-C stops cleanly. Returns (seconds, stopped)."""
    start, stop_at = time.perf_counter(), state.iteration + args.iters
    try:
        while state.iteration < stop_at:
            loss = train_step(state, data, args.seq_len, args.lr)
            if not np.isfinite(loss):
                kept = (f"the last checkpoint, {args.checkpoint}, was kept"
                        if args.checkpoint.exists() else "no checkpoint had been saved yet")
                raise InputError(f"The loss became {loss} at iteration {state.iteration}, so "
                                 f"training stopped and {kept}; try a lower learning rate, "
                                 "such as --lr 0.05.")
            if state.iteration == 1:
                expected = -np.log(1 / len(vocabulary)) * args.seq_len
                print(f"iter      0  loss {loss:.3f}  (expected for a uniform guess: "
                      f"-log(1/{len(vocabulary)}) * {args.seq_len} = {expected:.3f})")
            if state.iteration % args.sample_every == 0:
                report_progress(state, data, vocabulary, args, time.perf_counter() - start)
                save_checkpoint(args.checkpoint, state, vocabulary, args)
    except KeyboardInterrupt:
        print(f"\nStopped by Ctrl-C after iteration {state.iteration}; saving the checkpoint "
              "and writing the book.")
        return time.perf_counter() - start, True
    return time.perf_counter() - start, False


def seed_of(args):
    """The seed of this run: --seed, or the default."""
    return SEED if args.seed is None else args.seed


def save_checkpoint(path, state, vocabulary, args):
    """Save the whole training state as .npz (no pickles), written to a temporary name first."""
    arrays = {name: value for name, value in state.params.items()}
    arrays.update({f"memory_{name}": value for name, value in state.memory.items()})
    settings = {"hidden": args.hidden, "seq_len": args.seq_len, "lr": args.lr,
                "seed": seed_of(args)}
    arrays.update(
        vocabulary=np.array("".join(vocabulary)), settings=np.array(json.dumps(settings)),
        iteration=np.array(state.iteration), position=np.array(state.position),
        h_prev=state.h_prev, smooth_loss=np.array(state.smooth_loss),
        initial_loss=np.array(state.initial_loss),
        rng_state=np.array(json.dumps(state.rng.bit_generator.state)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_checkpoint(path):
    """The arrays of a checkpoint file, refused with a plain sentence if it cannot be read."""
    if not Path(path).is_file():
        raise InputError(f"No checkpoint at {path}; give the path a --checkpoint run wrote.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise InputError(f"{path} is not a checkpoint this script can read ({error}); "
                         "give a .npz file written by --checkpoint.") from None


def load_checkpoint(path, vocabulary, hidden_size):
    """A training state from a checkpoint that matches this text's vocabulary and hidden size."""
    arrays = read_checkpoint(path)
    needed = {*PARAM_NAMES, *(f"memory_{name}" for name in PARAM_NAMES), "vocabulary",
              "settings", "iteration", "position", "h_prev", "smooth_loss", "initial_loss",
              "rng_state"}
    missing = ", ".join(sorted(needed - arrays.keys()))
    if missing:
        raise InputError(f"{path} lacks parts of a checkpoint ({missing}); "
                         "give a .npz file written by --checkpoint.")
    if str(arrays["vocabulary"]) != "".join(vocabulary):
        raise InputError(f"{path} was trained on a text with another vocabulary "
                         f"({len(str(arrays['vocabulary']))} characters, this one has "
                         f"{len(vocabulary)}); resume with the text it was trained on.")
    if arrays["Whh"].shape[0] != hidden_size:
        raise InputError(f"{path} has a hidden size of {arrays['Whh'].shape[0]}, not "
                         f"{hidden_size}; pass --hidden {arrays['Whh'].shape[0]} to resume it.")
    rng = np.random.default_rng()
    rng.bit_generator.state = json.loads(str(arrays["rng_state"]))
    return TrainingState(
        params={name: arrays[name].copy() for name in PARAM_NAMES},
        memory={name: arrays[f"memory_{name}"].copy() for name in PARAM_NAMES},
        h_prev=arrays["h_prev"].copy(), position=int(arrays["position"]),
        iteration=int(arrays["iteration"]), smooth_loss=float(arrays["smooth_loss"]),
        initial_loss=float(arrays["initial_loss"]), rng=rng,
    )


# %% Evaluation and plots
def make_book(params, vocabulary, prime, temperature, rng, iterations, length=BOOK_LENGTH):
    """A new book: its title, and its text (the start text and `length` sampled characters).

    The book starts the way each pass through the text does, from a blank hidden state
    reading a start text (by default the text's first character), and the state then runs
    on unbroken to the last character.
    """
    char_to_ix = {char: ix for ix, char in enumerate(vocabulary)}
    h = np.zeros(params["Whh"].shape[0])  # (hidden,) a blank state, as at the start of a pass
    h = warm_up(params, h, [char_to_ix[char] for char in prime])
    indices, _ = sample(params, h, length, temperature, rng)
    title = (f"A NEW BOOK\nwritten by a character-level RNN after {iterations:,} chunks of "
             f"training, at temperature {temperature}")
    return title, prime + decode(indices, vocabulary)


def word_list(text):
    """The words of a text, lower case (letters and apostrophes)."""
    return re.findall(r"[a-z']+", text.lower())


def real_word_rate(book, training_text):
    """The share of the book's words that also occur in the training text (0-1)."""
    known = set(word_list(training_text))
    words = word_list(book)
    return sum(word in known for word in words) / len(words) if words else 0.0


def shuffled_word_rate(training_text, rng):
    """Naive baseline: the real-word rate of the training text's letters shuffled."""
    letters = np.array(list(training_text))
    return real_word_rate("".join(rng.permutation(letters)), training_text)


# %% Command line
class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors as one plain sentence too."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")


def parse_args(argv):
    """Read and check the command line."""
    root = find_repo_root()
    parser = ArgumentParser(description="Train a character-level RNN on a text and let it "
                            "write a new book in that style.")
    parser.add_argument("text", nargs="?", type=Path, default=root / "data" / "rhymes.txt",
                        help="UTF-8 text file to learn (default: data/rhymes.txt)")
    parser.add_argument("--iters", type=int, default=ITERATIONS,
                        help=f"training chunks to run (default {ITERATIONS}); 0 only with --resume")
    parser.add_argument("--hidden", type=int, default=HIDDEN_SIZE,
                        help=f"hidden units (default {HIDDEN_SIZE})")
    parser.add_argument("--seq-len", type=int, default=SEQ_LENGTH,
                        help=f"characters per chunk (default {SEQ_LENGTH})")
    parser.add_argument("--lr", type=float, default=LEARNING_RATE,
                        help=f"Adagrad learning rate (default {LEARNING_RATE})")
    parser.add_argument("--seed", type=int, help=f"random seed (default {SEED}); with --resume, "
                        "a new seed for the samples and the book (default: carry on the "
                        "checkpoint's random stream)")
    parser.add_argument("--temperature", type=float, default=TEMPERATURE,
                        help=f"sampling temperature (default {TEMPERATURE}): lower is safer "
                        "and more repetitive, higher is wilder")
    parser.add_argument("--prime", default="",
                        help="start text that warms the hidden state before the book is "
                        "written (default: the first character of the text)")
    parser.add_argument("--sample-every", type=int, default=SAMPLE_EVERY,
                        help=f"print loss and a sample every N iterations (default {SAMPLE_EVERY})")
    parser.add_argument("--checkpoint", type=Path, default=root / "figures" / "min_char_rnn.npz",
                        help="checkpoint file, saved at intervals and at the end "
                        "(default: figures/min_char_rnn.npz)")
    parser.add_argument("--resume", type=Path, help="continue training from this checkpoint")
    parser.add_argument("--book", type=Path, default=root / "figures" / "new_book.txt",
                        help="where to write the new book (default: figures/new_book.txt)")
    parser.add_argument("--json", type=Path, help="write the run's figures to this JSON file")
    args = parser.parse_args(argv)
    check_settings(parser, args)
    return args


def check_settings(parser, args):
    """Refuse settings that cannot work, with one plain sentence."""
    for flag, value in (("--hidden", args.hidden), ("--seq-len", args.seq_len),
                        ("--sample-every", args.sample_every)):
        if value < 1:
            parser.exit(2, f"{flag} must be at least 1; got {value}.\n")
    if args.iters < 0 or (args.iters == 0 and args.resume is None):
        parser.exit(2, f"--iters must be at least 1 (0 is allowed only with --resume, to "
                    f"sample without training); got {args.iters}.\n")
    for flag, value in (("--lr", args.lr), ("--temperature", args.temperature)):
        if not value > 0 or not np.isfinite(value):
            parser.exit(2, f"{flag} must be a positive number; got {value}.\n")


def prepare(args):
    """Load the text and the starting state; print the sanity figures."""
    text = load_text(args.text, args.seq_len)
    vocabulary = build_vocabulary(text)
    unknown = sorted(set(args.prime) - set(vocabulary))
    if unknown:
        raise InputError(f"--prime uses characters the text never has ({''.join(unknown)!r}); "
                         "use only characters from the training text.")
    data = encode(text, vocabulary)
    if args.resume is not None:
        state = load_checkpoint(args.resume, vocabulary, args.hidden)
        if args.seed is not None:  # a new seed on resume: new samples and a new book
            state.rng = np.random.default_rng(args.seed)
    else:
        state = new_state(len(vocabulary), args.hidden, args.seq_len, seed_of(args))
    sizes = {name: value.size for name, value in state.params.items()}
    print(f"text: {len(text):,} characters, {len(vocabulary)} distinct; "
          f"{len(text) // args.seq_len:,} chunks of {args.seq_len} per pass")
    print("parameters: " + ", ".join(f"{name} {state.params[name].shape} = {size:,}"
                                     for name, size in sizes.items())
          + f"; total {sum(sizes.values()):,}")
    return text, vocabulary, data, state


def run(args):
    """Train, save, write the book, report."""
    run_start = time.perf_counter()
    text, vocabulary, data, state = prepare(args)
    first_iteration = state.iteration
    seconds, _ = train(state, data, vocabulary, args)
    trained = state.iteration - first_iteration
    chars_per_second = trained * args.seq_len / seconds if trained else 0.0
    print(f"trained {trained:,} iterations in {seconds:.1f} s ({chars_per_second:,.0f} chars/s)")
    save_checkpoint(args.checkpoint, state, vocabulary, args)
    prime = args.prime or text[0]  # by default, start the way the text starts
    title, story = make_book(state.params, vocabulary, prime, args.temperature, state.rng,
                             state.iteration)
    book = f"{title}\n\n{story.rstrip()}\n"
    args.book.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(args.book, book)
    rate = real_word_rate(story, text)
    baseline = shuffled_word_rate(text, np.random.default_rng(seed_of(args)))
    uniform = np.log(len(vocabulary))
    print(f"\n{book}\nwrote {args.book}; checkpoint {args.checkpoint}")
    print(f"loss per character {state.smooth_loss / args.seq_len:.3f} nats (uniform guess "
          f"{uniform:.3f}); real-word rate {rate:.2f} (shuffled letters {baseline:.2f})")
    figures = {"iterations": state.iteration,
               "loss_per_char": state.smooth_loss / args.seq_len,
               "initial_loss_per_char": state.initial_loss / args.seq_len,
               "real_word_rate": rate, "chars_per_second": chars_per_second,
               "seconds": time.perf_counter() - run_start}
    if args.json is not None:
        write_atomically(args.json, json.dumps(figures, indent=2) + "\n")
    return figures


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

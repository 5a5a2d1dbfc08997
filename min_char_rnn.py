"""A character-level vanilla RNN in numpy that learns rhyming verse and writes a new book.

Text is a sequence too. This is rnn.py's network with one-hot characters in and a softmax over
the characters out: it reads a text one character at a time and learns to guess the next one
(100 tanh units, chunks of 25 characters, backpropagation through time, Adagrad). As the loss
falls, its samples go from gibberish to verse; at the end it writes "a new book" (a title and
about 1,000 sampled characters) to figures/new_book.txt and says how much of it is copied.

Run it (in a notebook, the Settings cell below is the command line):

    python min_char_rnn.py                         # learn data/rhymes.txt (under a minute)
    python min_char_rnn.py my_text.txt --iters 100000
    python min_char_rnn.py --temperature 1.0       # wilder book; 0.3 is safer and more repetitive
    python min_char_rnn.py --resume figures/min_char_rnn.npz --iters 0 --prime "The Zibble"

Press Ctrl-C at any moment: training stops, the checkpoint is saved and the book is written.
A second Ctrl-C stops those too; no file is ever left half-written.

Exercises (optional, about 20 minutes; the functions with a `# TODO:` inside):
    backward         from the probabilities back to every gradient, through time
    draw_next_char   the sampling step: softmax with temperature, draw the next character

Test it:

    python -m pytest tests/test_min_char_rnn.py                 # this solution
    python -m pytest --impl stubs tests/test_min_char_rnn.py    # your version under stubs/
"""

import argparse
import contextlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import plumbing
from plumbing import InputError

# %% Settings
TEXT = "data/rhymes.txt"  # the text to learn (a relative path starts at the repo's folder)
HIDDEN = 100  # hidden units (tanh)
SEQ_LEN = 25  # characters per chunk: how far back in time the gradient flows
LEARNING_RATE = 0.1  # Adagrad's step size
ITERATIONS = 50_000  # training chunks (about 25-55 s on a 2-core laptop)
SEED = 0  # seeds the initial weights and every sample
TEMPERATURE = 0.3  # sampling: below 1 safer and more repetitive, above 1 wilder
SAMPLE_EVERY = 5_000  # print the loss and a sample, and save the checkpoint, this often
SAMPLE_LENGTH = 200  # characters in each sample printed while training
BOOK_LENGTH = 1_000  # characters of the new book, after its title
CHECKPOINT = "figures/min_char_rnn.npz"  # the whole training state, saved as it goes
BOOK = "figures/new_book.txt"  # where the new book is written
CLIP_LIMIT = 5.0  # every gradient is clipped to [-5, 5] against exploding steps
LOSS_SMOOTHING = 0.999  # weight of the old value in the smoothed loss that is printed
INIT_SCALE = 0.01  # standard deviation of the initial weights
COPY_MIN_LENGTH = 15  # a book's line this long or longer counts as copied if the text has it


# %% Model: one-hot characters in, a tanh hidden layer, a softmax over characters out
def init_params(n_inputs, n_hidden, n_outputs, rng):
    """Small random weights and zero biases, in the row-vector layout of Parts 1 and 2.

    For text, the inputs and the outputs are both the vocabulary: one per character.
    """
    return {
        "Wxh": rng.standard_normal((n_inputs, n_hidden)) * INIT_SCALE,  # (vocab, hidden)
        "Whh": rng.standard_normal((n_hidden, n_hidden)) * INIT_SCALE,  # (hidden, hidden)
        "bh": np.zeros((1, n_hidden)),  # (1, hidden)
        "Why": rng.standard_normal((n_hidden, n_outputs)) * INIT_SCALE,  # (hidden, vocab)
        "by": np.zeros((1, n_outputs)),  # (1, vocab)
    }


def softmax_rows(logits):
    """Each row of scores turned into probabilities (shifted by its maximum, so exp is safe)."""
    exps = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def forward(X, params, h_prev):
    """Run one chunk of text through the network.

    Inputs: X (T,) the chunk's character indices; params; h_prev (1, hidden) the state
    the chunk starts from.
    Returns: probs (T, vocab) each step's guess of the character that comes next; and the
    cache, what backward needs: (X, h_prev, hs, probs), hs (T, hidden) the state after each
    character.
    """
    # x @ Wxh for a one-hot row x is row ix of Wxh: every step's input part is a lookup
    x_parts = params["Wxh"][X] + params["bh"]  # (T, hidden) x @ Wxh + bh, every step at once
    hs = np.empty_like(x_parts)  # (T, hidden)
    h, Whh = h_prev[0], params["Whh"]  # (hidden,) the one row of h_prev
    for t in range(len(X)):  # the recurrence: each step needs the state before it
        h = hs[t] = np.tanh(x_parts[t] + h @ Whh)  # (hidden,)
    logits = hs @ params["Why"] + params["by"]  # (T, vocab) every step's output at once
    probs = softmax_rows(logits)  # (T, vocab)
    return probs, (X, h_prev, hs, probs)  # the guesses, and what backward needs


def backward(targets, cache, params):
    """Gradients of the chunk's loss (summed over its steps) for every weight and bias.

    Inputs: targets (T,) character indices, one step ahead of the chunk's X; cache, what
    forward returned beside its guesses: X (T,), h_prev (1, hidden), hs (T, hidden) and probs
    (T, vocab); params.
    Returns: {"dWxh", "dWhh", "dbh", "dWhy", "dby"}, each the shape of its parameter.
    """
    X, h_prev, hs, probs = cache
    # TODO: Back through time, from the probabilities to every gradient
    #   (@ is a matrix product, * multiplies element by element, .T transposes; every name
    #   below is an input of backward, unpacked from the cache above, or made by an earlier step)
    #   1. T = len(X), the steps of the chunk. The error of each step's output scores
    #      (softmax with cross-entropy): dlogits = probs.copy(), then
    #      dlogits[np.arange(T), targets] -= 1                                   (T, vocab)
    #   2. the output layer, all steps in one product: dWhy = hs.T @ dlogits;
    #      dby = dlogits.sum(axis=0, keepdims=True)                              (1, vocab)
    #   3. what each step's own output sends back to its state: dhs = dlogits @ params["Why"].T
    #   4. tanh_grad = 1 - hs * hs (tanh's derivative, from its output); dz = np.empty_like(hs);
    #      dh_next = np.zeros(hs.shape[1]) (nothing comes back after the last step)
    #   5. for t in reversed(range(T)):
    #          dz[t] = tanh_grad[t] * (dhs[t] + dh_next)    back through step t's tanh
    #          dh_next = dz[t] @ params["Whh"].T            what step t sends to step t - 1
    #   6. the hidden layer, all steps at once: h_before = np.vstack([h_prev, hs[:-1]]) (the
    #      state each step started from); dWhh = h_before.T @ dz;
    #      dbh = dz.sum(axis=0, keepdims=True)
    #   7. dWxh = np.zeros_like(params["Wxh"]), then np.add.at(dWxh, X, dz): row X[t] gets
    #      dz[t], twice for a character read twice (dWxh[X] += dz would add only one of them)
    ### BEGIN SOLUTION
    dlogits = probs.copy()  # (T, vocab) softmax with cross-entropy: probs minus one-hot targets
    dlogits[np.arange(len(X)), targets] -= 1
    dWhy = hs.T @ dlogits  # (hidden, vocab) summed over the chunk in one product
    dby = dlogits.sum(axis=0, keepdims=True)  # (1, vocab)
    dhs = dlogits @ params["Why"].T  # (T, hidden) what each step's own output sends back
    tanh_grad = 1 - hs * hs  # (T, hidden) the derivative of tanh, from its output
    dz = np.empty_like(hs)  # (T, hidden) the gradient before the tanh, per step
    dh_next = np.zeros(hs.shape[1])  # (hidden,) nothing comes back after the last step
    WhhT = params["Whh"].T  # (hidden, hidden) looked up once, outside the loop
    for t in reversed(range(len(X))):
        dz[t] = tanh_grad[t] * (dhs[t] + dh_next)  # (hidden,) back through step t's tanh
        dh_next = dz[t] @ WhhT  # (hidden,) what step t sends back to step t - 1
    h_before = np.vstack([h_prev, hs[:-1]])  # (T, hidden) the state each step started from
    dWhh = h_before.T @ dz  # (hidden, hidden)
    dbh = dz.sum(axis=0, keepdims=True)  # (1, hidden)
    dWxh = np.zeros_like(params["Wxh"])  # (vocab, hidden) only the rows read get a gradient
    np.add.at(dWxh, X, dz)  # row X[t] += dz[t] for every t, so repeats add up
    ### END SOLUTION
    return {"dWxh": dWxh, "dWhh": dWhh, "dbh": dbh, "dWhy": dWhy, "dby": dby}


def loss_and_gradients(X, targets, params, h_prev):
    """Cross-entropy of one chunk (nats, summed over its steps), its gradients, the last state.

    Returns: loss (float), grads (keyed "d" + name), h_last (1, hidden).
    """
    probs, cache = forward(X, params, h_prev)
    loss = -np.log(probs[np.arange(len(targets)), targets]).sum()
    grads = backward(targets, cache, params)
    hs = cache[2]  # (T, hidden)
    return float(loss), grads, hs[-1:].copy()


def clip_gradients(grads, limit=CLIP_LIMIT):
    """Every gradient clipped to [-limit, limit], against exploding steps (new arrays)."""
    return {name: np.clip(grad, -limit, limit) for name, grad in grads.items()}


def update(params, grads, state, lr):
    """One Adagrad step: each weight's step shrinks as its squared gradients add up.

    Inputs: params; grads (keyed "d" + name); state, Adagrad's memory: the sums of squared
    gradients (like params); lr, the learning rate. Returns new params and new memory; neither
    input is changed.
    """
    new_params, new_memory = {}, {}
    for name, param in params.items():
        grad = grads["d" + name]
        new_memory[name] = state[name] + grad * grad  # its own new array: nothing is shared
        new_params[name] = param - lr * grad / np.sqrt(new_memory[name] + 1e-8)
    return new_params, new_memory


# %% Writing: one character at a time
def hidden_step(params, h, ix):
    """The state after reading character `ix`: one step of forward's recurrence."""
    return np.tanh(params["Wxh"][ix] + h @ params["Whh"] + params["bh"])  # (1, hidden)


def draw_next_char(params, h, temperature, rng):
    """Draw the index of the next character from the network's guess at state `h`.

    Inputs: params; h (1, hidden); temperature > 0 (below 1 sharpens, above 1 flattens);
    rng, a numpy Generator (the same seed gives the same book).
    Returns: an index into the vocabulary (int).
    """
    # TODO: sampling step: draw the next character from the network's guess
    #   1. The output scores of state h, one per character, as in forward's output layer.
    #   2. Divide the scores by the temperature: below 1 the favourites stand out more.
    #   3. Turn the scores into probabilities that sum to 1 (softmax_rows does it).
    #   4. Draw one index: rng.choice(number of characters, p=probabilities as a flat array);
    #      the number of characters is the width of Why. Return it as an int.
    ### BEGIN SOLUTION
    logits = (h @ params["Why"] + params["by"]) / temperature  # (1, vocab)
    probs = softmax_rows(logits)[0]  # (vocab,)
    return int(rng.choice(len(probs), p=probs))
    ### END SOLUTION


def warm_up(params, h, indices):
    """The state after reading a start text (the `--prime` text)."""
    for ix in indices:
        h = hidden_step(params, h, ix)
    return h


def sample(params, h, n, temperature, rng):
    """Write `n` characters from state `h`, feeding each one back in.

    The state runs on from character to character and is never reset while writing, so
    the whole text is one continuous thought of the network.
    Returns: the drawn indices (list) and the state after the last one.
    """
    indices = []
    for _ in range(n):
        ix = draw_next_char(params, h, temperature, rng)
        indices.append(ix)
        h = hidden_step(params, h, ix)
    return indices, h


# %% Data: text as numbers
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


def next_chunk(data, position, seq_len):
    """Inputs and targets of the chunk at `position`, and whether a new pass starts there.

    A chunk that would run past the end of the text starts again at the beginning.
    Returns: X (seq_len,), targets (seq_len,) one step ahead, its position, new_pass
    """
    new_pass = position == 0 or position + seq_len + 1 > len(data)
    if new_pass:
        position = 0
    X = data[position:position + seq_len]  # (seq_len,)
    targets = data[position + 1:position + seq_len + 1]  # (seq_len,) one step ahead
    return X, targets, position, new_pass


# %% Training
@dataclass
class TrainingState:
    """Everything a training run needs to continue exactly where it stopped."""

    params: dict  # the weights and biases
    memory: dict  # Adagrad's sums of squared gradients, one array per parameter
    h_prev: np.ndarray  # (1, hidden) state carried from the last chunk to the next
    position: int  # where the next chunk starts in the text
    iteration: int  # chunks trained so far
    smooth_loss: float  # exponentially smoothed chunk loss (nats per chunk)
    initial_loss: float  # the loss of iteration 0 (a uniform guess's until it is measured)
    rng: np.random.Generator  # draws every sample


def new_state(vocab_size, hidden, seq_len, seed):
    """A fresh model; the losses start at that of a uniform guess, -log(1/vocab) per step."""
    rng = np.random.default_rng(seed)
    params = init_params(vocab_size, hidden, vocab_size, rng)
    memory = {name: np.zeros_like(value) for name, value in params.items()}
    expected = -np.log(1 / vocab_size) * seq_len
    return TrainingState(params, memory, np.zeros((1, hidden)), 0, 0, expected, expected, rng)


def arrays_needed(vocab_size, hidden, seq_len):
    """About how many numbers a training run holds at once: eight copies of the weights (the
    weights, Adagrad's memory, the gradients clipped and not, the new weights and memory,
    and update's temporaries) and, per step of a chunk, the states and errors of backward."""
    n_params = 2 * vocab_size * hidden + hidden * hidden + hidden + vocab_size
    return 8 * n_params + seq_len * (5 * hidden + 2 * vocab_size)


def train_step(state, data, seq_len, learning_rate):
    """Train on the next chunk; returns its loss (the state is left alone if it is not finite).

    The hidden state is carried from chunk to chunk, so the network can remember across
    chunk borders, and reset to zeros when a new pass through the text begins.
    """
    X, targets, position, new_pass = next_chunk(data, state.position, seq_len)
    h_prev = np.zeros_like(state.h_prev) if new_pass else state.h_prev
    loss, grads, h_last = loss_and_gradients(X, targets, state.params, h_prev)
    if not np.isfinite(loss):
        return loss
    state.params, state.memory = update(state.params, clip_gradients(grads), state.memory,
                                        learning_rate)
    if state.iteration == 0:
        state.initial_loss = loss
    state.smooth_loss = LOSS_SMOOTHING * state.smooth_loss + (1 - LOSS_SMOOTHING) * loss
    state.h_prev, state.position = h_last, position + seq_len
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
    """Run `args.iters` training chunks; Ctrl-C stops cleanly. Returns the seconds taken."""
    start, stop_at = time.perf_counter(), state.iteration + args.iters
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # caught below
            while state.iteration < stop_at:
                loss = train_step(state, data, args.seq_len, args.lr)
                if not np.isfinite(loss):
                    raise blown_up(state.iteration, args.checkpoint, args.lr)
                if state.iteration == 1:
                    expected = -np.log(1 / len(vocabulary)) * args.seq_len
                    print(f"iter      0  loss {loss:.3f}  (expected for a uniform guess: "
                          f"-log(1/{len(vocabulary)}) * {args.seq_len} = {expected:.3f})")
                if state.iteration % args.sample_every == 0:
                    report_progress(state, data, vocabulary, args, time.perf_counter() - start)
                    save_checkpoint(args.checkpoint, state, vocabulary, args)
    except KeyboardInterrupt:
        print(f"\nStopped by Ctrl-C after iteration {state.iteration}; saving the checkpoint "
              "and writing the book (Ctrl-C again skips them).")
    return time.perf_counter() - start


def blown_up(iteration, checkpoint, lr):
    """The sentence that stops a run whose loss or weights stopped being finite numbers."""
    kept = (f"the last checkpoint, {checkpoint}, was kept" if checkpoint.exists()
            else "no checkpoint had been saved yet")
    return InputError(f"The loss stopped being a finite number at iteration {iteration} (the "
                      f"weights blew up), so training stopped and {kept}; try a lower learning "
                      f"rate than {lr:g}, such as --lr {min(lr, LEARNING_RATE) / 2:g}.")


# %% Evaluation: the new book, and how much of it is real words or copied lines
def make_book(params, vocabulary, prime, temperature, rng, iterations, length=BOOK_LENGTH):
    """A new book: its title, and its text (the start text and `length` sampled characters).

    The book starts the way each pass through the text does, from a blank state reading a
    start text (by default the text's first character); the state then runs on unbroken.
    """
    char_to_ix = {char: ix for ix, char in enumerate(vocabulary)}
    h = np.zeros((1, params["Whh"].shape[0]))  # (1, hidden) a blank state
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


def copied_line_rate(book, training_text, min_length=COPY_MIN_LENGTH):
    """The share of the book's lines (stripped, `min_length` characters or more) that occur
    word for word anywhere in the training text: how much is memorised (0 if none qualify)."""
    lines = [line.strip() for line in book.splitlines()]
    long_lines = [line for line in lines if len(line) >= min_length]
    if not long_lines:
        return 0.0
    return sum(line in training_text for line in long_lines) / len(long_lines)


def trigram_nats(data, vocab_size, seq_len):
    """Baseline for the loss: a character trigram model with add-one smoothing, fitted on the
    whole text, P(c | a, b) = (n(a, b, c) + 1) / (n(a, b) + vocab_size), where a and b are the
    two characters before c (a blank marker before the text's start).

    Scored on the characters the network's loss is measured on: the targets of every
    training chunk of one pass (characters 1 .. chunks * seq_len of the text).
    Returns: its mean loss in nats per character (the network's loss per character beside it).
    """
    blank = vocab_size  # an index no character has
    padded = np.concatenate([[blank, blank], data])  # (len(data) + 2,)
    context = padded[:-2] * (vocab_size + 1) + padded[1:-1]  # (len(data),) the pair (a, b)
    triple = context * vocab_size + data  # (len(data),) the triple (a, b, c)
    n_pair = np.bincount(context, minlength=(vocab_size + 1) ** 2)
    n_triple = np.bincount(triple, minlength=(vocab_size + 1) ** 2 * vocab_size)
    probability = (n_triple[triple] + 1) / (n_pair[context] + vocab_size)  # (len(data),)
    chunks = (len(data) - 1) // seq_len  # chunks per pass (next_chunk)
    return float(-np.mean(np.log(probability[1:1 + chunks * seq_len])))


# %% The run: train, save the checkpoint, write the book, report
def seed_of(args):
    """The seed of this run: --seed, or the Settings cell's."""
    return SEED if args.seed is None else args.seed


def prepare(args):
    """Load the text and the starting state; print the sanity figures."""
    text = load_text(args.text, args.seq_len)
    vocabulary = build_vocabulary(text)
    unknown = sorted(set(args.prime) - set(vocabulary))
    if unknown:
        raise InputError(f"--prime uses characters the text never has ({''.join(unknown)!r}); "
                         "use only characters from the training text.")
    plumbing.check_memory(arrays_needed(len(vocabulary), args.hidden, args.seq_len),
                          "--hidden and --seq-len")
    if args.resume is not None:
        state = load_checkpoint(args.resume, vocabulary, args)
    else:
        state = new_state(len(vocabulary), args.hidden, args.seq_len, seed_of(args))
    print(f"text: {len(text):,} characters, {len(vocabulary)} distinct; "
          f"{len(text) // args.seq_len:,} chunks of {args.seq_len} per pass")
    sizes = {name: value.size for name, value in state.params.items()}
    print("parameters: " + ", ".join(f"{name} {state.params[name].shape} = {size:,}"
                                     for name, size in sizes.items())
          + f"; total {sum(sizes.values()):,}")
    return text, vocabulary, encode(text, vocabulary), state


def write_book(args, state, text, vocabulary):
    """Write the new book (whole or not at all) and print it."""
    prime = args.prime or text[0]  # by default, start the way the text starts
    title, story = make_book(state.params, vocabulary, prime, args.temperature, state.rng,
                             state.iteration)
    book = f"{title}\n\n{story.rstrip()}\n"
    plumbing.write_text(args.book, book, "--book")
    print(f"\n{book}\nwrote {args.book}; checkpoint {args.checkpoint}")
    return story


def run(args):
    """The whole job: train, save, write the book, report the figures."""
    run_start = time.perf_counter()
    text, vocabulary, data, state = prepare(args)
    first_iteration = state.iteration
    seconds = train(state, data, vocabulary, args)
    trained = state.iteration - first_iteration
    chars_per_second = trained * args.seq_len / seconds if trained else 0.0
    print(f"trained {trained:,} iterations in {seconds:.1f} s ({chars_per_second:,.0f} chars/s)")
    save_checkpoint(args.checkpoint, state, vocabulary, args)
    story = write_book(args, state, text, vocabulary)
    figures = {"iterations": state.iteration,
               "loss_per_char": state.smooth_loss / args.seq_len,
               "initial_loss_per_char": state.initial_loss / args.seq_len,
               "real_word_rate": real_word_rate(story, text),
               "copied_line_rate": copied_line_rate(story, text),
               "chars_per_second": chars_per_second}
    figures["ngram_nats"] = trigram_nats(data, len(vocabulary), args.seq_len)
    baseline = shuffled_word_rate(text, np.random.default_rng(seed_of(args)))
    print(f"loss per character {figures['loss_per_char']:.3f} nats (uniform guess "
          f"{np.log(len(vocabulary)):.3f}; a character trigram model, add-one smoothed, fitted "
          f"on the text and scored on the same characters, {figures['ngram_nats']:.3f}); "
          f"real-word rate {figures['real_word_rate']:.2f} (shuffled letters {baseline:.2f}); "
          f"copied lines {figures['copied_line_rate']:.2f} (lines of {COPY_MIN_LENGTH}+ "
          "characters found word for word in the text)")
    if figures["copied_line_rate"] > 0.5:
        print("More than half of the book's lines are copied: the network has memorised a text "
              "too short for it (give it a longer text, or fewer --iters).")
    figures["seconds"] = time.perf_counter() - run_start
    if args.json is not None:
        plumbing.write_json(args.json, figures)
    return figures


# %% Checkpoints: the whole training state, saved as it goes and resumed exactly
CHECKPOINT_FORMAT = "min_char_rnn checkpoint 2"  # 2: biases and states are rows (1, n)
GIVE, RETRAIN = "give the .npz file a --checkpoint run wrote", "train again without --resume"


def checkpoint_arrays(state, vocabulary, args):
    """What a checkpoint holds: the weights, Adagrad's memory, where training stands, the
    random stream, and the text's vocabulary and the settings, saved as text."""
    settings = {"hidden": args.hidden, "seq_len": args.seq_len, "lr": args.lr,
                "seed": seed_of(args)}
    parts = {"format": CHECKPOINT_FORMAT, "vocabulary": "".join(vocabulary),
             "settings": json.dumps(settings),
             "rng_state": json.dumps(state.rng.bit_generator.state),
             "iteration": state.iteration, "position": state.position, "h_prev": state.h_prev,
             "smooth_loss": state.smooth_loss, "initial_loss": state.initial_loss}
    return {**state.params, **{f"memory_{name}": value for name, value in state.memory.items()},
            **{name: np.array(value) for name, value in parts.items()}}


def save_checkpoint(path, state, vocabulary, args):
    """Save the whole training state as .npz (arrays and text, no pickles), whole or not."""
    if not all(np.all(np.isfinite(value)) for value in [*state.params.values(),
                                                        *state.memory.values()]):
        raise blown_up(state.iteration, path, args.lr)  # never save weights that blew up
    arrays = checkpoint_arrays(state, vocabulary, args)
    plumbing.write_atomically(path, lambda file: np.savez(file, **arrays), "--checkpoint")


def load_checkpoint(path, vocabulary, args):
    """A training state from a checkpoint of this text and --hidden. Its losses are sums over
    chunks of its --seq-len: rescaled to this run's, the loss per character carries on."""
    arrays = read_checkpoint(path)
    state = new_state(len(vocabulary), args.hidden, args.seq_len, seed=0)  # filled in below
    check_checkpoint(path, arrays, vocabulary, checkpoint_arrays(state, vocabulary, args))
    state.rng = np.random.default_rng(args.seed)  # --seed N: a new random stream from N
    if args.seed is None:  # no --seed: the checkpoint's stream carries on where it stopped
        saved = checkpoint_json(path, arrays, "rng_state")
        try:
            state.rng.bit_generator.state = saved
        except (TypeError, ValueError, KeyError):
            raise InputError(f"{path} holds the state of a {saved.get('bit_generator')} random "
                             "generator, which numpy's PCG64 cannot take on; resume with "
                             "--seed N to start a new random stream.") from None
    chunk = checkpoint_json(path, arrays, "settings").get("seq_len")
    scale = args.seq_len / chunk if isinstance(chunk, int) and chunk > 0 else 1.0
    if scale != 1.0:
        print(f"{path} trained on chunks of {chunk} characters; its losses are rescaled to "
              f"this run's --seq-len {args.seq_len}, so the loss per character carries on.")
    state.params = {name: arrays[name].astype(float) for name in state.params}
    state.memory = {name: arrays[f"memory_{name}"].astype(float) for name in state.memory}
    state.h_prev, state.position = arrays["h_prev"].astype(float), int(arrays["position"])
    state.iteration = int(arrays["iteration"])
    state.smooth_loss = float(arrays["smooth_loss"]) * scale
    state.initial_loss = float(arrays["initial_loss"]) * scale
    return state


def check_checkpoint(path, arrays, vocabulary, expected):
    """Refuse a checkpoint of another text or --hidden, or without the parts, kinds and shapes
    of `expected` (what this run would save), or with numbers a run never saves."""
    missing = [name for name in expected if name not in arrays]
    if missing or str(arrays["format"]) != CHECKPOINT_FORMAT:
        found = (f"lacks {', '.join(missing)}" if missing
                 else f"is marked {str(arrays['format'])[:60]!r}")
        raise InputError(f"{path} was made by another version of min_char_rnn.py, or is not a "
                         f"checkpoint (it {found}); {RETRAIN}.")
    saved = str(arrays["vocabulary"])
    hidden = checkpoint_json(path, arrays, "settings").get("hidden")
    if saved != "".join(vocabulary):
        raise InputError(f"{path} was trained on a text with another vocabulary ({len(saved)} "
                         f"characters, this one has {len(vocabulary)}); resume with the text it "
                         "was trained on.")
    if isinstance(hidden, int) and hidden != expected["Whh"].shape[0]:
        raise InputError(f"{path} has a hidden size of {hidden}, not {expected['Whh'].shape[0]}; "
                         f"pass --hidden {hidden} to resume it.")
    for name, want in expected.items():
        value, kind = arrays[name], want.dtype.kind  # U text, i whole numbers, f numbers
        if value.dtype.kind not in {"U": "U", "i": "iu", "f": "iuf"}[kind]:
            problem = f"is not {({'U': 'text', 'i': 'a whole number'}).get(kind, 'numbers')}"
        elif value.shape != want.shape:
            problem = f"has shape {value.shape}, but this text and --hidden need {want.shape}"
        elif kind != "U" and not np.all(np.isfinite(value)):
            problem = "holds NaN or infinite numbers (the run that saved it blew up)"
        elif (kind == "i" or name.startswith("memory_")) and value.min() < 0:
            problem = "holds negative numbers, which a run never saves"
        else:
            continue
        raise InputError(f"{path} cannot be resumed: its {name} {problem}; {RETRAIN}.")


# %% Plumbing: files and command line
def load_text(path, seq_len):
    """The training text (a byte-order mark dropped), or one sentence on why it cannot be."""
    plumbing.check_input(path, "text file", "give the path of a plain UTF-8 text file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # UTF-8; a byte-order mark is not text
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text (byte {error.start} cannot be read); "
                         "save it as UTF-8 plain text and try again.") from None
    if not text:
        raise InputError(f"{path} is empty; give a text file with some writing in it.")
    if len(text) < seq_len + 1:
        raise InputError(f"{path} has {len(text)} characters, fewer than one chunk of "
                         f"{seq_len} plus one; use a longer text or a smaller --seq-len.")
    return text


def read_checkpoint(path):
    """The arrays of a checkpoint file (never a pickle), or one sentence on why it is not."""
    plumbing.check_input(path, "checkpoint", GIVE)
    with open(path, "rb") as file:
        start = file.read(6)
    problem = ("is empty (a save that never finished?)" if not start
               else "holds a single array (a .npy file renamed?)" if start[:1] == b"\x93"
               else "is not a checkpoint (not a .npz archive)" if start[:2] != b"PK" else "")
    if problem:
        raise InputError(f"{path} {problem}; {GIVE}.")
    arrays, name = {}, None
    try:
        with np.load(path, allow_pickle=False) as archive:  # never runs code from the file
            for name in archive.files:
                arrays[name] = archive[name]
    except ValueError:  # intact bytes (the archive checks them), but not plain numbers
        raise InputError(f"{path} holds Python objects, not plain numbers, in {name}, which "
                         f"are not loaded; {GIVE}.") from None
    except Exception:  # any other failure to read an archive means its bytes are damaged
        part = f" (its part {name} fails its checksum)" if name else ""
        raise InputError(f"{path} is damaged{part}; resume from another copy or "
                         f"{RETRAIN}.") from None
    return arrays


def checkpoint_json(path, arrays, name):
    """A JSON object saved as text in a checkpoint (settings, rng_state)."""
    with contextlib.suppress(ValueError):  # not JSON
        parsed = json.loads(str(arrays[name]))
        if arrays[name].dtype.kind == "U" and isinstance(parsed, dict):
            return parsed
    raise InputError(f"{path} holds unreadable JSON in {name}; {RETRAIN}.")


def parse_args(argv):
    """The command line; every default is read from the Settings cell at call time."""
    root = plumbing.repo_root()
    parser = argparse.ArgumentParser(description="Train a character-level RNN on a text and "
                                     "let it write a new book in that style.")
    add = parser.add_argument
    add("text", nargs="?", type=Path, default=root / TEXT, help=f"UTF-8 text (default {TEXT})")
    add("--iters", type=int, default=ITERATIONS,
        help=f"training chunks to run (default {ITERATIONS}); 0 only with --resume")
    add("--hidden", type=int, default=HIDDEN, help=f"hidden units (default {HIDDEN})")
    add("--seq-len", type=int, default=SEQ_LEN, help=f"characters per chunk (default {SEQ_LEN})")
    add("--lr", type=float, default=LEARNING_RATE,
        help=f"Adagrad learning rate (default {LEARNING_RATE})")
    add("--seed", type=int, help=f"random seed, 0 to 2**32-1 (default {SEED}); with --resume, "
        "a new seed for the samples and the book (default: carry on the checkpoint's stream)")
    add("--temperature", type=float, default=TEMPERATURE, help=f"sampling temperature "
        f"(default {TEMPERATURE}): lower is safer and more repetitive, higher is wilder")
    add("--prime", default="", help="start text that warms the hidden state before the book "
        "is written (default: the first character of the text)")
    add("--sample-every", type=int, default=SAMPLE_EVERY,
        help=f"print loss and a sample every N iterations (default {SAMPLE_EVERY})")
    add("--checkpoint", type=Path, default=root / CHECKPOINT,
        help=f"checkpoint, saved as training goes (default {CHECKPOINT})")
    add("--resume", type=Path, help="continue training from this checkpoint")
    add("--book", type=Path, default=root / BOOK, help=f"the new book (default {BOOK})")
    add("--json", type=Path, help="write the run's figures to this JSON file")
    args = parser.parse_args(argv)  # --help's text is flushed by plumbing.run_main
    check_settings(args)
    plumbing.check_outputs({"--checkpoint": args.checkpoint, "--book": args.book,
                            "--json": args.json},
                           {"the training text": args.text, "--resume": args.resume},
                           may_update={("--checkpoint", "--resume")})
    return args


def check_settings(args):
    """Refuse settings that cannot work, with one plain sentence naming the flag."""
    for flag, value in (("--hidden", args.hidden), ("--seq-len", args.seq_len),
                        ("--sample-every", args.sample_every)):
        plumbing.check_count(flag, value)
    if args.iters < 0 or (args.iters == 0 and args.resume is None):
        raise InputError(f"--iters must be at least 1 (0 is allowed only with --resume, to "
                         f"sample without training); got {args.iters}.")
    plumbing.check_positive("--lr", args.lr, LEARNING_RATE)
    plumbing.check_positive("--temperature", args.temperature, TEMPERATURE)
    if args.seed is not None:
        plumbing.check_seed("--seed", args.seed)


def main(argv=None):
    """Run the script; returns the exit status (0 done, 2 bad input, 130 stopped by Ctrl-C)."""
    return plumbing.run_main(lambda: run(parse_args(argv)), interrupted="no file was left "
                             "half-written: the checkpoint and the book on disk are the last "
                             "ones written in full")


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: the Settings cell is the command line
    else:
        sys.exit(main())

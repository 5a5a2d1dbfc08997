"""The classic, step-by-step formulation of min_char_rnn's model: the trusted reference.

Per time step: a one-hot row vector, products with Wxh, Whh and Why, a softmax by exp and
sum, and in the backward pass the per-step outer products, all inside the time loop. It is
slow on purpose and easy to check by eye. The tests compare the fast script against it, and
benchmarks/char_rnn_speed.py times the two side by side.

Clipping and the Adagrad update are not repeated here: `train_step` takes the loaded script
module and uses its `clip_gradients` and `adagrad_update`, so both versions share that code.
"""

import numpy as np


def loss_and_gradients(params, inputs, targets, h_prev):
    """Loss of one chunk (nats, summed), gradients (dict like params) and the last state."""
    Wxh, Whh, Why, bh, by = (params[name] for name in ("Wxh", "Whh", "Why", "bh", "by"))
    vocab_size = Wxh.shape[0]
    xs, hs, ps = {}, {-1: h_prev}, {}
    loss = 0.0
    for t in range(len(inputs)):  # forward, one character at a time
        xs[t] = np.zeros(vocab_size)  # (vocab,) one-hot input
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(xs[t] @ Wxh + hs[t - 1] @ Whh + bh)  # (hidden,)
        ys = hs[t] @ Why + by  # (vocab,)
        ps[t] = np.exp(ys) / np.sum(np.exp(ys))  # (vocab,) probabilities
        loss += -np.log(ps[t][targets[t]])
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros_like(h_prev)
    for t in reversed(range(len(inputs))):  # backward, one character at a time
        dy = ps[t].copy()
        dy[targets[t]] -= 1  # softmax with cross-entropy
        grads["Why"] += np.outer(hs[t], dy)
        grads["by"] += dy
        dh = dy @ Why.T + dh_next  # from this step's output and from the step after
        dh_raw = (1 - hs[t] * hs[t]) * dh  # through the tanh
        grads["bh"] += dh_raw
        grads["Wxh"] += np.outer(xs[t], dh_raw)
        grads["Whh"] += np.outer(hs[t - 1], dh_raw)
        dh_next = dh_raw @ Whh.T
    return loss, grads, hs[len(inputs) - 1]


def train_step(script, params, memory, data, position, h_prev, seq_length, learning_rate):
    """One classic training iteration; returns (loss, next position, carried state).

    Chunking, the reset of the state at each new pass, clipping and Adagrad come from
    `script` (the loaded min_char_rnn module), so only the loss function differs.
    """
    inputs, targets, position, new_pass = script.next_chunk(data, position, seq_length)
    if new_pass:
        h_prev = np.zeros_like(h_prev)
    loss, grads, h_last = loss_and_gradients(params, inputs, targets, h_prev)
    script.clip_gradients(grads)
    script.adagrad_update(params, grads, memory, learning_rate)
    return loss, position + seq_length, h_last

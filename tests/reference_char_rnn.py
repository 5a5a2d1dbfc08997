"""The classic, step-by-step formulation of min_char_rnn's model: the trusted reference.

Per time step: a one-hot row, products with Wxh, Whh and Why, a softmax by exp and sum, and
in the backward pass the per-step outer products, all inside the time loop. It is slow on
purpose and easy to check by eye. The tests compare the fast script against it, and
benchmarks/char_rnn_speed.py times the two side by side.

Clipping and the Adagrad update are not repeated here: `train_step` takes the loaded script
module and uses its `clip_gradients` and `update`, so both versions share that code.
"""

import numpy as np


def loss_and_gradients(X, targets, params, h_prev):
    """Loss of one chunk (nats, summed), gradients (keyed "d" + name) and the last state.

    X, targets (T,) character indices; h_prev (1, hidden); biases and states are rows.
    """
    Wxh, Whh, bh, Why, by = (params[name] for name in ("Wxh", "Whh", "bh", "Why", "by"))
    vocab_size = Wxh.shape[0]
    xs, hs, ps = {}, {-1: h_prev}, {}
    loss = 0.0
    for t in range(len(X)):  # forward, one character at a time
        xs[t] = np.zeros((1, vocab_size))  # (1, vocab) one-hot input
        xs[t][0, X[t]] = 1
        hs[t] = np.tanh(xs[t] @ Wxh + hs[t - 1] @ Whh + bh)  # (1, hidden)
        ys = hs[t] @ Why + by  # (1, vocab)
        ps[t] = np.exp(ys) / np.sum(np.exp(ys))  # (1, vocab) probabilities
        loss += -np.log(ps[t][0, targets[t]])
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dh_next = np.zeros_like(h_prev)
    for t in reversed(range(len(X))):  # backward, one character at a time
        dy = ps[t].copy()
        dy[0, targets[t]] -= 1  # softmax with cross-entropy
        grads["dWhy"] += hs[t].T @ dy
        grads["dby"] += dy
        dh = dy @ Why.T + dh_next  # from this step's output and from the step after
        dh_raw = (1 - hs[t] * hs[t]) * dh  # through the tanh
        grads["dbh"] += dh_raw
        grads["dWxh"] += xs[t].T @ dh_raw
        grads["dWhh"] += hs[t - 1].T @ dh_raw
        dh_next = dh_raw @ Whh.T
    return loss, grads, hs[len(X) - 1]


def train_step(script, params, memory, data, position, h_prev, seq_len, learning_rate):
    """One classic training iteration; returns (loss, params, memory, next position, state).

    Chunking, the reset of the state at each new pass, clipping and Adagrad come from
    `script` (the loaded min_char_rnn module), so only the loss function differs.
    """
    X, targets, position, new_pass = script.next_chunk(data, position, seq_len)
    if new_pass:
        h_prev = np.zeros_like(h_prev)
    loss, grads, h_last = loss_and_gradients(X, targets, params, h_prev)
    params, memory = script.update(params, script.clip_gradients(grads), memory, learning_rate)
    return loss, params, memory, position + seq_len, h_last

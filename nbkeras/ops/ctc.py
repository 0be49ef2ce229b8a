"""Connectionist temporal classification: Keras 3's `ops.ctc_loss` (differentiable, through
the forward-backward recursions in log space) and `ops.ctc_decode` (greedy).

Example:
    >>> logits = np.zeros((1, 3, 3), "float32")
    >>> ops.ctc_loss(np.array([[1]]), logits, np.array([1]), np.array([3])).shape
    (1,)
"""

import numpy as np

from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops.nn import log_softmax

__all__ = ["ctc_decode", "ctc_loss"]


def _lse(*xs):
    m = np.maximum.reduce(xs)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(sum(np.exp(x - safe) for x in xs))


def _alpha_beta(lp, labels, blank):
    """Log forward and backward variables of one sequence: lp (T, K) log-probabilities,
    labels (L,). Returns (alpha, beta, log-likelihood, extended labels)."""
    t_len = lp.shape[0]
    ext = np.full(2 * len(labels) + 1, blank, np.int64)
    ext[1::2] = labels
    s_len = len(ext)
    skip = np.zeros(s_len, bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    em = lp[:, ext]  # (T, S)
    ninf = -np.inf
    alpha = np.full((t_len, s_len), ninf)
    alpha[0, 0] = em[0, 0]
    if s_len > 1:
        alpha[0, 1] = em[0, 1]
    for t in range(1, t_len):
        prev = alpha[t - 1]
        a1 = np.concatenate([[ninf], prev[:-1]])
        a2 = np.where(skip, np.concatenate([[ninf, ninf], prev[:-2]]), ninf)
        alpha[t] = _lse(prev, a1, a2) + em[t]
    beta = np.full((t_len, s_len), ninf)
    beta[-1, -1] = em[-1, -1]
    if s_len > 1:
        beta[-1, -2] = em[-1, -2]
    skip_next = np.zeros(s_len, bool)
    skip_next[:-2] = skip[2:]
    for t in range(t_len - 2, -1, -1):
        nxt = beta[t + 1]
        b1 = np.concatenate([nxt[1:], [ninf]])
        b2 = np.where(skip_next, np.concatenate([nxt[2:], [ninf, ninf]]), ninf)
        beta[t] = _lse(nxt, b1, b2) + em[t]
    ll = _lse(alpha[-1, -1], alpha[-1, -2]) if s_len > 1 else alpha[-1, -1]
    return alpha, beta, ll, ext


def _ctc_core(logprobs, target, target_length, output_length, blank):
    """The negative log-likelihood per sequence of log-probabilities (B, T, K), and the
    gradient function."""
    host = [_device.to_numpy(unwrap(a)) for a in (logprobs, target, target_length,
                                                  output_length)]
    lp_all = np.asarray(host[0], np.float64)
    tgt = np.asarray(host[1]).astype(np.int64)
    tl = np.asarray(host[2]).astype(np.int64).reshape(-1)
    ol = np.asarray(host[3]).astype(np.int64).reshape(-1)
    batch = lp_all.shape[0]
    losses = np.zeros(batch)
    grads = np.zeros_like(lp_all)
    for b in range(batch):
        t_len, n = int(ol[b]), int(tl[b])
        if t_len == 0:
            losses[b] = 0.0 if n == 0 else np.inf
            continue
        lp = lp_all[b, :t_len]
        alpha, beta, ll, ext = _alpha_beta(lp, tgt[b, :n], blank)
        losses[b] = -ll
        if not np.isfinite(ll):
            continue
        occ = alpha + beta - lp[:, ext] - ll  # log occupation of (t, s)
        with np.errstate(over="ignore"):
            w = np.exp(occ)
        g = np.zeros_like(lp)
        for s, k in enumerate(ext):
            g[:, k] -= w[:, s]
        grads[b, :t_len] = g
    return losses, grads


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """The CTC loss of each sequence: `-log p(target | output)`, with `output` the logits
    (a log-softmax is applied over the classes) and `mask_index` the blank class.

    Args:
        target: integer labels, shape `(batch, max_label_length)`.
        output: logits, shape `(batch, max_length, num_classes)`.
        target_length: the label lengths, shape `(batch,)`.
        output_length: the output lengths, shape `(batch,)`.
        mask_index: the blank class.

    Returns:
        The losses, shape `(batch,)` (inf where no alignment exists).

    Example:
        >>> float(ops.ctc_loss(np.array([[1]]), np.zeros((1, 2, 2), "float32"),
        ...                    np.array([1]), np.array([2]))[0])
        0.2876820...
    """
    so, st = knp.shape(output), knp.shape(target)
    if not getattr(output, "_keras_symbolic", False):
        if len(so) != 3 or len(st) != 2 or so[0] != st[0]:
            raise ValueError("`ctc_loss` expects `output` of shape (batch, max_length, "
                             "num_classes) and `target` of shape (batch, max_label_length). "
                             f"Received: output.shape={so}, target.shape={st}")

    def run(target, output, target_length, output_length):
        lp = log_softmax(output, axis=-1)
        cache = {}

        def forward(xp, lpv):
            losses, grads = _ctc_core(lpv, target, target_length, output_length, mask_index)
            cache["g"] = grads
            dt = np.dtype(lpv.dtype)
            return xp.asarray(losses.astype(dt if dt.kind == "f" else np.float32))

        def backward(xp, g, needs, arrays, out):
            return (xp.asarray(cache["g"].astype(out.dtype)) * g[:, None, None],)

        return op("ctc_loss", forward, (lp,), backward)

    return composite("ctc_loss", run, (target, output, target_length, output_length),
                     {"mask_index": mask_index})


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode CTC outputs greedily: the best class at each step, repeats merged, blanks
    (`mask_index`) removed. Returns `(decoded, scores)`: decoded of shape
    `(1, batch, max_length)` padded with -1, and scores `(batch, 1)`, the negated sum of
    the best entries over each sequence, as Keras returns them.

    Args:
        inputs: scores (usually log-probabilities), shape `(batch, max_length, classes)`.
        sequence_lengths: the valid lengths, shape `(batch,)`.
        strategy: 'greedy' ('beam_search' is not implemented here).
        beam_width, top_paths: Keras's beam-search arguments (unused by 'greedy').
        merge_repeated: merge repeated classes before removing blanks.
        mask_index: the blank class.

    Example:
        >>> x = np.log(np.array([[[0.1, 0.9], [0.1, 0.9], [0.9, 0.1]]], "float32"))
        >>> ops.ctc_decode(x, np.array([3]))[0]
        array([[[ 1, -1, -1]]])
    """
    if strategy == "beam_search":
        raise NotImplementedError("nbkeras's ctc_decode implements strategy='greedy' only. "
                                  f"Received: strategy={strategy!r}")
    if strategy != "greedy":
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                         f"'beam_search'. Received: strategy={strategy!r}")

    def run(inputs, sequence_lengths):
        x = _device.to_numpy(unwrap(inputs))
        x = x if x.dtype.kind == "f" else x.astype(np.float32)
        lengths = _device.to_numpy(unwrap(sequence_lengths)).astype(np.int64).reshape(-1)
        batch, t_max, _ = x.shape
        idx = np.argmax(x, axis=-1)
        best = np.max(x, axis=-1)
        pad = np.arange(t_max)[None, :] >= lengths[:, None]
        idx = np.where(pad, mask_index, idx)
        best = np.where(pad, 0.0, best)
        if merge_repeated:
            rep = np.zeros_like(pad)
            rep[:, 1:] = idx[:, 1:] == idx[:, :-1]
            idx = np.where(rep, mask_index, idx)
        out = np.full((batch, t_max), -1, np.int64)
        for b in range(batch):
            keep = idx[b][idx[b] != mask_index]
            out[b, :len(keep)] = keep
        scores = -np.sum(best, axis=1, keepdims=True).astype(x.dtype)
        return op("ctc_decode", lambda xp, a: xp.asarray(out[None]), (inputs,)), \
            op("ctc_decode", lambda xp, a: xp.asarray(scores), (inputs,))

    return composite("ctc_decode", run, (inputs, sequence_lengths),
                     {"strategy": strategy, "beam_width": beam_width, "top_paths": top_paths,
                      "merge_repeated": merge_repeated, "mask_index": mask_index})

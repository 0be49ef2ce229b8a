"""Gradient accumulation and the exponential moving average (EMA) of weights, as Keras 3 runs them.

Both are driven by the base `Optimizer`: `accumulate` before the update, `update_moving_average`
after it, and `overwrite` when `fit` ends (`Optimizer.finalize_variable_values`).
"""

import numpy as np


def accumulate(optimizer, grads, variables):
    """Add `grads` to the accumulators; on every n-th step return the mean gradients instead.

    Args:
        optimizer: an optimizer with `gradient_accumulation_steps` = n.
        grads: this step's gradients.
        variables: their variables.

    Returns:
        None on an accumulating step (the variables are left alone), else the mean of the
        last n gradients (the accumulators are reset).

    Example:
        >>> opt = nbkeras.optimizers.SGD(gradient_accumulation_steps=2)
    """
    steps = optimizer.gradient_accumulation_steps
    accs = [optimizer._accumulated_gradients[optimizer._index[id(v)]] for v in variables]
    if (int(optimizer._iterations.data) + 1) % steps:
        for g, acc in zip(grads, accs):
            acc.data += g
        return None
    out = [(g + acc.data) / g.dtype.type(steps) for g, acc in zip(grads, accs)]
    for acc in accs:
        acc.data[...] = 0
    return out


def update_moving_average(optimizer):
    """average = m * average + (1 - m) * weight (m = 0 on the first step), then every
    `ema_overwrite_frequency` steps copy the averages into the weights.

    Args:
        optimizer: an optimizer with `use_ema=True`.

    Example:
        >>> opt = nbkeras.optimizers.Adam(use_ema=True, ema_momentum=0.9)
    """
    step = optimizer._step()
    momentum = optimizer.ema_momentum if step != 0 else 0.0
    pairs = list(zip(optimizer._trainable_variables, optimizer._model_variables_moving_average))
    for v, avg in pairs:
        m = v.dtype.type(momentum)
        avg.data[...] = m * avg.data + (v.dtype.type(1) - m) * v.data
    freq = optimizer.ema_overwrite_frequency
    if freq and (step + 1) % freq == 0:
        overwrite(*zip(*pairs))


def overwrite(variables, averages):
    """Copy each average into its variable.

    Args:
        variables: the model variables.
        averages: their moving averages, in the same order.

    Example:
        >>> overwrite(model.trainable_weights, opt._model_variables_moving_average)
    """
    for v, avg in zip(variables, averages):
        v.data[...] = avg.data

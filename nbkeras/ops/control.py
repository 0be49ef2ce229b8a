"""Control flow with Keras 3 names, run eagerly: `cond`, `while_loop`, `fori_loop`, `scan`,
`map`, and `custom_gradient`.

Loops are Python loops over the ops, so gradients flow through every step the tape
records (a loop of 100 steps records 100 steps' ops).

Example:
    >>> ops.fori_loop(0, 4, lambda i, s: s + i, 0)
    6
"""

from nbkeras.ops.core import record, recording, unwrap
from nbkeras.ops import numpy as knp

__all__ = ["cond", "custom_gradient", "fori_loop", "map", "scan", "while_loop"]


def _truth(pred, name):
    value = unwrap(pred)
    if getattr(value, "_keras_symbolic", False):
        raise ValueError(f"`{name}` runs eagerly and needs a concrete predicate, not a "
                         f"symbolic tensor. Received: pred={pred!r}")
    try:
        return bool(value)
    except ValueError:
        raise ValueError(f"`{name}` expects a scalar boolean predicate. Received: "
                         f"pred with shape {knp.shape(value)}") from None


def cond(pred, true_fn, false_fn):
    """Call `true_fn()` when `pred` holds, else `false_fn()`.

    Args:
        pred: a scalar boolean (a number or a 0-d tensor).
        true_fn, false_fn: functions of no arguments.

    Example:
        >>> ops.cond(np.array(True), lambda: 1, lambda: 2)
        1
    """
    return true_fn() if _truth(pred, "cond") else false_fn()


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds.

    Args:
        cond: returns a scalar boolean from the loop variables.
        body: returns new loop variables (same structure) from them.
        loop_vars: a tuple or list of loop variables, or a single one.
        maximum_iterations: stop after this many steps (no limit when None).

    Returns:
        The final loop variables, in the structure of `loop_vars`.

    Example:
        >>> ops.while_loop(lambda i: i < 5, lambda i: i + 2, 0)
        6
    """
    single = not isinstance(loop_vars, (tuple, list))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and _truth(
            cond(*state), "while_loop"):
        new = body(*state)
        if single:
            new = (new,)
        elif not isinstance(new, (tuple, list)):
            new = (new,)
        if len(new) != len(state):
            raise ValueError(f"`body` must return {len(state)} loop variables, as many as "
                             f"`loop_vars`. Received: {len(new)}")
        state = tuple(new)
        steps += 1
    if single:
        return state[0]
    return type(loop_vars)(state)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i from `lower` to `upper - 1`; returns the final val.

    Args:
        lower, upper: the index range.
        body_fun: `body_fun(i, val) -> val`.
        init_val: the initial value.

    Example:
        >>> ops.fori_loop(0, 3, lambda i, x: x * 2.0, 1.0)
        8.0
    """
    val = init_val
    for i in range(int(unwrap(lower)), int(unwrap(upper))):
        val = body_fun(i, val)
    return val


def _length(xs, length):
    leaves = [x for x in (xs if isinstance(xs, (tuple, list)) else [xs]) if x is not None]
    if not leaves:
        if length is None:
            raise ValueError("`scan` needs `xs` or `length`. Received: xs=None, length=None")
        return int(length)
    n = knp.shape(leaves[0])[0]
    if length is not None and int(length) != n:
        raise ValueError(f"`length` must match the leading axis of `xs` ({n}). "
                         f"Received: length={length!r}")
    return n


def _pick(xs, i):
    if xs is None:
        return None
    if isinstance(xs, (tuple, list)):
        return type(xs)(_pick(x, i) for x in xs)
    return knp.getitem(xs, i)


def _stack(ys):
    first = ys[0]
    if first is None:
        return None
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([y[j] for y in ys]) for j in range(len(first)))
    return knp.stack(ys, axis=0)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`; returns `(carry, stacked ys)`.

    Args:
        f: `f(carry, x) -> (carry, y)`.
        init: the initial carry.
        xs: tensors scanned along their first axis (a tensor, a tuple/list, or None).
        length: the number of steps when `xs` is None.
        reverse: scan from the last entry to the first (ys stay in xs's order).
        unroll: kept for Keras's signature (the loop runs eagerly).

    Example:
        >>> carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, np.array([1.0, 2.0]))
        >>> carry, ys
        (array(3.), array([0., 1.]))
    """
    n = _length(xs, length)
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, [None] * n
    for i in order:
        carry, ys[i] = f(carry, _pick(xs, i))
    return carry, (_stack(ys) if n else None)


def map(f, xs):
    """`f` applied to each entry of `xs` along its first axis, results stacked.

    Example:
        >>> ops.map(lambda x: x * 2.0, np.array([1.0, 2.0]))
        array([2., 4.])
    """
    return scan(lambda c, x: (c, f(x)), None, xs)[1]


def custom_gradient(f):
    """Decorate `f(*args) -> (y, grad_fn)` so that the gradient of y is `grad_fn(upstream)`.

    `grad_fn` receives the upstream gradient (positionally; Keras's `upstream=` keyword
    form `def grad(*args, upstream=None)` works too) and returns one gradient per
    argument of `f` (a single one when f has one argument).

    Example:
        >>> @ops.custom_gradient
        ... def log1pexp(x):
        ...     e = ops.exp(x)
        ...     return ops.log(1 + e), lambda g: g * (1 - 1 / (1 + e))
        >>> log1pexp(np.array([0.0]))
        array([0.69314718])
    """
    def wrapper(*args):
        y, grad_fn = f(*[unwrap(a) for a in args])
        y = unwrap(y)
        if not recording():
            return y

        def backward(g, needs):
            grads = grad_fn(g)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            if len(grads) != len(args):
                raise ValueError(f"The gradient function must return {len(args)} gradients, "
                                 f"one per argument. Received: {len(grads)}")
            return tuple(None if gi is None else knp.convert_to_tensor(unwrap(gi))
                         for gi in grads)

        return record(y, args, backward)

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    wrapper.__wrapped__ = f
    return wrapper


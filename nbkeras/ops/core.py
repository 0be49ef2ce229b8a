"""Reverse-mode autodiff: `Tensor`, the recording `GradientTape`, `record` and `op`.

`op` is the one entry point of the ops: it takes the array namespace from the active
device, records on the tape, and is the one place where symbolic inputs (KerasTensors
of the functional API) are handled.

Ops take NumPy arrays, Python numbers or Tensors. While a tape is recording
and an input is *tracked* (a trainable Variable, a watched tensor, or the
output of a recorded op), an op returns a tracked `Tensor` and appends one node
to the tape. Otherwise it returns a plain NumPy array, so inference pays
nothing for autodiff. The tape is a list in execution order, so the backward
pass is a single reversed walk with no topological sort.
"""

import numpy as np

from nbkeras.backend import active as _device

_tapes = []
# While `nbkeras.trainers.step_plan` traces a training step, it sees every op call here
# inside the tape (a forward trace of `forward_plan`, with `untaped` set, sees every call).
_tracer = None


class Tensor:
    """An array that takes part in automatic differentiation.

    Args:
        data: the array value.
        tracked: whether gradients flow to this tensor.

    Example:
        >>> from nbkeras import ops
        >>> with ops.GradientTape() as tape:
        ...     x = tape.watch(np.array([1.0, 2.0], "float32"))
        ...     y = ops.sum(x * x)
        >>> tape.gradient(y, x)
        array([2., 4.], dtype=float32)
    """

    __slots__ = ("data", "_tracked", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` defer to Tensor.__radd__

    def __init__(self, data, tracked=False):
        self.data = data
        self._tracked = tracked

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)

    def numpy(self):
        """Return the value as a NumPy array (copied to the host from a GPU device)."""
        return _device.to_numpy(self.data)

    def __array__(self, dtype=None, copy=None):
        # NumPy 2's protocol: `np.array(t)` asks for a copy (a snapshot that later in-place
        # updates of a Variable do not change); `np.asarray(t)` may share the buffer.
        if copy is False and dtype is not None and np.dtype(dtype) != self.data.dtype:
            raise ValueError("A copy is needed to convert the tensor to dtype "
                             f"{np.dtype(dtype)}. Received: copy=False")
        host = _device.to_numpy(self.data)  # a copy from a GPU device, else self.data
        out = np.asarray(host, dtype=dtype)
        return out.copy() if copy and out is self.data else out

    def __len__(self):
        return len(self.data)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    def __repr__(self):
        return f"<Tensor shape={self.shape}, dtype={self.dtype}, numpy=\n{self.data!r}>"

    # Operators dispatch to the differentiable ops (bound in ops/__init__).
    def __getitem__(self, key):
        return _OPS.getitem(self, key)

    def __neg__(self):
        return _OPS.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _OPS.abs(self)

    def __add__(self, o):
        return _OPS.add(self, o)

    def __radd__(self, o):
        return _OPS.add(o, self)

    def __sub__(self, o):
        return _OPS.subtract(self, o)

    def __rsub__(self, o):
        return _OPS.subtract(o, self)

    def __mul__(self, o):
        return _OPS.multiply(self, o)

    def __rmul__(self, o):
        return _OPS.multiply(o, self)

    def __truediv__(self, o):
        return _OPS.divide(self, o)

    def __rtruediv__(self, o):
        return _OPS.divide(o, self)

    def __pow__(self, o):
        return _OPS.power(self, o)

    def __rpow__(self, o):
        return _OPS.power(o, self)

    def __matmul__(self, o):
        return _OPS.matmul(self, o)

    def __rmatmul__(self, o):
        return _OPS.matmul(o, self)

    def __lt__(self, o):
        return self.data < unwrap(o)

    def __le__(self, o):
        return self.data <= unwrap(o)

    def __gt__(self, o):
        return self.data > unwrap(o)

    def __ge__(self, o):
        return self.data >= unwrap(o)

    @property
    def T(self):
        return _OPS.transpose(self)

    def reshape(self, *shape):
        """Return the tensor reshaped (differentiable)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return _OPS.reshape(self, shape)

    def sum(self, axis=None, keepdims=False):
        return _OPS.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _OPS.mean(self, axis=axis, keepdims=keepdims)

    def astype(self, dtype):
        return _OPS.cast(self, dtype)


class _OpsRef:
    """Late-bound reference to `nbkeras.ops`, which imports this module."""

    def __getattr__(self, name):
        from nbkeras import ops

        return getattr(ops, name)


_OPS = _OpsRef()


def unwrap(x):
    """Return the array behind a Tensor, or x itself."""
    return x.data if isinstance(x, Tensor) else x


def is_tracked(x):
    """Whether gradients flow to x while a tape records."""
    return isinstance(x, Tensor) and x._tracked


def record(out, inputs, backward):
    """Return `out`, wrapped and recorded when a tape records and an input is tracked.

    Args:
        out: the op's result array.
        inputs: the op's differentiable inputs, in order.
        backward: `backward(g, needs)` returning one gradient per input
            (None where `needs[i]` is False or no gradient exists).
    """
    if not _tapes:
        return out
    needs = tuple([isinstance(t, Tensor) and t._tracked for t in inputs])
    if True not in needs:
        return out
    t = Tensor(out if type(out) is np.ndarray else _device.xp.asarray(out), True)
    node = (t, inputs, needs, backward)
    for tape in _tapes:
        tape._nodes.append(node)
    return t


def op(name, forward, inputs, backward=None, config=None):
    """Run one op: the entry point every differentiable op goes through.

    Args:
        name: the op's Keras name (`'add'`, `'mean'`, ...).
        forward: `forward(xp, *arrays)` returning the result, with `xp` the active
            device's array namespace and `arrays` the inputs unwrapped.
        inputs: the op's tensor inputs (arrays, numbers, Tensors or KerasTensors).
        backward: `backward(xp, g, needs, arrays, out)` returning one gradient per
            input (None where `needs[i]` is False); None for ops with no gradient.
        config: the op's other arguments, by name (kept by symbolic nodes).

    Returns:
        The result array; a tracked `Tensor` while a tape records a tracked input; a
        symbolic tensor when an input is symbolic.

    Example:
        >>> op("negative", lambda xp, a: xp.negative(a), (np.ones(2),),
        ...    lambda xp, g, needs, arrays, out: (-g,))
        array([-1., -1.])
    """
    arrays = []
    xp = _device.xp
    for x in inputs:
        if isinstance(x, Tensor):
            x = x.data
            if xp is not np and type(x) is np.ndarray:
                _host_tensor_error(name, x)
        elif type(x) is np.ndarray:
            if xp is not np:  # a host array (a batch's targets) enters a GPU device here
                x = _device.asarray(x)
        elif getattr(x, "_keras_symbolic", False):
            return _symbolic_op(name, forward, inputs, config)
        arrays.append(x)
    out = forward(xp, *arrays)
    if _tracer is not None and (_tapes or _tracer.untaped):
        return _tracer.op(name, forward, backward, inputs, arrays, out, xp, config)
    if backward is None or not _tapes:
        return out
    return record(out, inputs, lambda g, needs: backward(xp, g, needs, arrays, out))


def untracked_op(name, fn, inputs):
    """Run `fn(*inputs)`, a function of arrays with no gradient (a check or conversion of
    labels), as an op that a traced training step replays.

    Args:
        name: what the step's trace calls it.
        fn: a function of the arrays as given (host or device), the same for every batch.
        inputs: its array arguments.

    Example:
        >>> untracked_op("labels", lambda y: y.astype("int64"), (np.array([1.0, 2.0]),))
        array([1, 2])
    """
    out = fn(*inputs)
    if _tracer is not None and (_tapes or _tracer.untaped):
        _tracer.op(name, lambda xp, *arrays: fn(*arrays), None, inputs, list(inputs), out, np)
    return out


def _host_tensor_error(name, x):
    """A variable made on the CPU met a GPU device: say how to move the model."""
    raise ValueError(
        f"`ops.{name}` got a variable (or tensor) that lives on the CPU while the active "
        f"device is {_device.device!r}. Build the model after `config.set_device(...)`, or "
        "move it: `model.save(path)` then `models.load_model(path)` on the new device, or "
        "`get_weights()` / `set_weights()`. "
        f"Received: a host array of shape {x.shape} and dtype {x.dtype}")


def composite(name, fn, inputs, config=None):
    """Run a public op built from other ops: `fn(*inputs)`, or one symbolic node.

    Args:
        name: the op's Keras name (`'var'`, `'tensordot'`, ...).
        fn: computes the op from `inputs` with other ops (differentiable through them).
        inputs: the op's tensor inputs.
        config: the op's other arguments, by name.

    Example:
        >>> composite("square_sum", lambda x: ops.sum(x * x), (np.ones(3),))
        array(3.)
    """
    for x in inputs:
        if type(x) is not np.ndarray and getattr(x, "_keras_symbolic", False):
            return _symbolic_op(name, None, inputs, config)
        if isinstance(x, (list, tuple)) and any(getattr(t, "_keras_symbolic", False) for t in x):
            return _symbolic_op(name, None, inputs, config)
    return fn(*inputs)


def _symbolic_op(name, forward, inputs, config):
    """The one place where ops meet symbolic (functional-API) inputs: the call becomes a
    graph node that reruns the public op when the model runs."""
    from nbkeras.ops.symbolic import symbolic_call

    return symbolic_call(name, inputs, config)


def recording():
    """Whether a GradientTape is recording."""
    return bool(_tapes)


class GradientTape:
    """Records differentiable ops so that gradients can be computed.

    Args:
        persistent: allow several `gradient` calls on the same tape.

    Example:
        >>> v = nbkeras.Variable(np.ones(3, "float32"))
        >>> with ops.GradientTape() as tape:
        ...     loss = ops.sum(ops.square(v))
        >>> tape.gradient(loss, [v])
        [array([2., 2., 2.], dtype=float32)]
    """

    def __init__(self, persistent=False):
        self.persistent = persistent
        self._nodes = []

    def __enter__(self):
        _tapes.append(self)
        return self

    def __exit__(self, *exc):
        _tapes.remove(self)
        return False

    def watch(self, x):
        """Track x (a Tensor is marked in place; an array is wrapped) and return it."""
        if isinstance(x, Tensor):
            x._tracked = True
            return x
        return Tensor(_device.xp.asarray(x), True)

    def gradient(self, target, sources):
        """Return d(sum of target)/d(source) for each source (None when unconnected)."""
        single = not isinstance(sources, (list, tuple))
        srcs = [sources] if single else list(sources)
        grads = backward(self._nodes, target, keep={id(s) for s in srcs})
        if not self.persistent:
            self._nodes = []
        out = hand_out([grads.get(id(s)) for s in srcs], srcs)
        return out[0] if single else out


def hand_out(grads, sources):
    """The gradients `tape.gradient` returns: `grads[i]` shaped like `sources[i]`, each in a
    buffer of its own (a broadcast or shared gradient is copied)."""
    out, handed = [], set()
    for g, s in zip(grads, sources):
        if g is not None:
            if isinstance(s, Tensor) and g.shape != s.shape:
                g = _device.xp.broadcast_to(g, s.shape).copy()
            elif id(g) in handed or not g.flags.writeable:
                g = g.copy()  # never hand the same buffer to two sources
            handed.add(id(g))
        out.append(g)
    return out


def backward(nodes, target, seed=None, keep=()):
    """Walk the recorded nodes backwards from `target`; return {id(tensor): grad}.

    Gradients of intermediate tensors are dropped once used, except those in `keep`.
    """
    if not isinstance(target, Tensor):
        return {}
    if seed is None:
        seed = _device.xp.ones_like(target.data)
    grads = {id(target): seed}
    for out, inputs, needs, fn in reversed(nodes):
        k = id(out)
        g = grads.get(k) if k in keep else grads.pop(k, None)
        if g is None:
            continue
        in_grads = fn(g, needs)
        for t, need, gi in zip(inputs, needs, in_grads):
            if not need or gi is None:
                continue
            k = id(t)
            prev = grads.get(k)
            grads[k] = gi if prev is None else prev + gi
    return grads

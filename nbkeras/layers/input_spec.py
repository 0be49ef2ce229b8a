"""`InputSpec`: what a layer accepts (rank and fixed axis sizes), checked on every call."""


class InputSpec:
    """Constraints on a layer's input.

    Args:
        ndim: the exact rank, or None.
        min_ndim: the minimum rank, or None.
        max_ndim: the maximum rank, or None.
        axes: {axis: size} that the input must have.
        shape: a full shape (None for free dimensions).

    Example:
        >>> spec = InputSpec(min_ndim=2, axes={-1: 20})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.name = name
        self.optional = optional

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def assert_input_compatibility(spec, shape, layer_name, index=0, argument="input"):
    """Raise ValueError when `shape` breaks `spec`, naming the layer and both shapes
    (and `argument`, the name of what the user passed, in the `Received:` part)."""
    if spec is None:
        return
    rank = len(shape)
    head = f'Input {index} of layer "{layer_name}" is incompatible with the layer: '
    shown = tuple(shape)
    if spec.ndim is not None and rank != spec.ndim:
        raise ValueError(
            f"{head}expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {shown}. "
            f"Received: {argument}.shape={shown}"
        )
    if spec.min_ndim is not None and rank < spec.min_ndim:
        raise ValueError(
            f"{head}expected min_ndim={spec.min_ndim}, found ndim={rank}. "
            f"Received: {argument}.shape={shown}"
        )
    if spec.max_ndim is not None and rank > spec.max_ndim:
        raise ValueError(
            f"{head}expected max_ndim={spec.max_ndim}, found ndim={rank}. "
            f"Received: {argument}.shape={shown}"
        )
    for axis, size in spec.axes.items():
        if size is None:
            continue
        if -rank <= axis < rank and shape[axis] not in (None, size):
            raise ValueError(
                f"{head}expected axis {axis} of input shape to have value {size}, "
                f"but received input with shape {shown}. Received: {argument}.shape={shown}"
            )
    if spec.shape is not None:
        for want, got in zip(spec.shape, shape):
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{head}expected shape={spec.shape}, found shape={shown}. "
                    f"Received: {argument}.shape={shown}"
                )


def adjust_input_rank(x, ref_shape):
    """Keras 3's input-rank adjustment of a model input: `x` (an array or Tensor) whose rank
    is one more than the `Input`'s, with a last axis of size 1, loses that axis; one whose
    rank is one less, fed to an `Input` whose last axis is 1, gains it (`(N, 28, 28)` data
    into `Input((28, 28, 1))`). Any other `x` is returned as it is (and checked later).

    Example:
        >>> adjust_input_rank(np.zeros((5, 28, 28)), (None, 28, 28, 1)).shape
        (5, 28, 28, 1)
    """
    shape = getattr(x, "shape", None)
    if shape is None:
        return x
    rank, ref = len(shape), len(ref_shape)
    if rank == ref + 1 and shape[-1] == 1:
        from nbkeras import ops

        return ops.squeeze(x, axis=-1)
    if rank == ref - 1 and ref and ref_shape[-1] == 1:
        from nbkeras import ops

        return ops.expand_dims(x, axis=-1)
    return x


def adjusted_shape(shape, ref_shape):
    """The shape that `adjust_input_rank` gives data of `shape` (for checks before a call)."""
    shape, rank, ref = tuple(shape), len(shape), len(ref_shape)
    if rank == ref + 1 and shape[-1] == 1:
        return shape[:-1]
    if rank == ref - 1 and ref and ref_shape[-1] == 1:
        return shape + (1,)
    return shape

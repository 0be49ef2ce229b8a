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

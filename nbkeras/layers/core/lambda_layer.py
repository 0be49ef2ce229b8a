"""`Lambda`: wraps any function of tensors as a layer."""

import inspect
import textwrap

from nbkeras.layers.layer import Layer


class Lambda(Layer):
    """Wraps a function built from `nbkeras.ops` (or tensor slicing) as a layer.

    Gradients flow through the function, since the ops it uses are differentiable.

    Args:
        function: the function, `function(inputs, **arguments)`.
        output_shape: the output shape (without batch axis), or a function of the
            input shape; inferred by a dry run when omitted.
        mask: an optional mask or mask function.
        arguments: extra keyword arguments for `function`.

    Example:
        >>> last = nbkeras.layers.Lambda(lambda x: x[:, -1, :])
        >>> last(np.zeros((2, 5, 3))).shape
        (2, 3)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Argument `function` of Lambda must be callable. Received: function={function!r}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        params = _params(self.function)
        if "mask" in params:
            kwargs["mask"] = mask
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_spec(self, inputs, *args, **kwargs):
        from nbkeras.layers.layer import _shape_of, _spec_from_shape

        if self._output_shape is None:
            return super().compute_output_spec(inputs, *args, **kwargs)
        shape = _shape_of(inputs)
        if callable(self._output_shape):
            return _spec_from_shape(self._output_shape(shape), self.dtype)
        batch = shape[0] if isinstance(shape, tuple) else shape[0][0]
        return _spec_from_shape((batch,) + tuple(self._output_shape), self.dtype)

    def get_config(self):
        cfg = super().get_config()
        try:
            source = textwrap.dedent(inspect.getsource(self.function)).strip()
        except (OSError, TypeError):
            source = repr(self.function)
        cfg.update({"function": {"class_name": "__lambda__", "config": {"code": source}},
                    "arguments": self.arguments})
        if self._output_shape is not None and not callable(self._output_shape):
            cfg["output_shape"] = tuple(self._output_shape)
        return cfg


def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}

"""`Merge`: the base of layers that combine a list of tensors elementwise."""

from nbkeras.layers.layer import Layer


def broadcast_shape(a, b):
    """The broadcast of two shapes (None stays unknown), or None when incompatible."""
    a, b = tuple(a), tuple(b)
    if len(a) < len(b):
        a = (1,) * (len(b) - len(a)) + a
    b = (1,) * (len(a) - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(y if x is None else x)
        else:
            return None
    return tuple(out)


class Merge(Layer):
    """Combines a list of same-shaped tensors (with broadcasting) into one."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge(self, inputs):
        raise NotImplementedError

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        for other in input_shape[1:]:
            merged = broadcast_shape(shape[1:], tuple(other)[1:])
            if merged is None:
                raise ValueError(
                    f"Inputs to layer '{self.name}' have incompatible shapes: "
                    f"{tuple(input_shape[0])} and {tuple(other)}. "
                    f"Received: input_shape={[tuple(s) for s in input_shape]}"
                )
            shape = (shape[0],) + merged
        return shape

    def call(self, inputs):
        return self._merge(list(inputs))

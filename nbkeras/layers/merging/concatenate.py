"""`Concatenate`: joins a list of tensors along one axis."""

from nbkeras import ops
from nbkeras.layers.layer import Layer


class Concatenate(Layer):
    """Concatenates tensors that agree on every axis except `axis`.

    Args:
        axis: the axis to join along (-1).

    Example:
        >>> nbkeras.layers.Concatenate()([np.ones((2, 3)), np.ones((2, 4))]).shape
        (2, 7)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 1 or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank
        for s in shapes[1:]:
            bad = len(s) != rank or any(
                a is not None and b is not None and a != b
                for i, (a, b) in enumerate(zip(shapes[0], s)) if i != axis
            )
            if bad:
                raise ValueError(
                    f"A `Concatenate` layer requires inputs with matching shapes except for the "
                    f"concatenation axis {self.axis}. Received: input_shape={shapes}"
                )
        sizes = [s[axis] for s in shapes]
        out = list(shapes[0])
        out[axis] = None if any(v is None for v in sizes) else sum(sizes)
        return tuple(out)

    def call(self, inputs):
        return ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)

"""`Dot`: batched dot products between two tensors."""

from nbkeras import ops
from nbkeras.layers.layer import Layer


def _l2_normalize(x, axis):
    norm = ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12))
    return ops.divide(x, norm)


class Dot(Layer):
    """Dot product of samples of two tensors along the given axes.

    Args:
        axes: an int, or a pair of ints (one axis per input); axis 0 is the batch axis.
        normalize: L2-normalize along the dot axes first (cosine proximity).

    Example:
        >>> nbkeras.layers.Dot(axes=1)([np.ones((2, 3)), np.ones((2, 3))])
        array([[3.],
               [3.]], dtype=float32)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, shapes):
        axes = self.axes if isinstance(self.axes, (list, tuple)) else [self.axes, self.axes]
        return [a % len(s) for a, s in zip(axes, shapes)]

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        a, b = (tuple(s) for s in input_shape)
        ax = self._resolve_axes([a, b])
        if a[ax[0]] is not None and b[ax[1]] is not None and a[ax[0]] != b[ax[1]]:
            raise ValueError(
                f"Incompatible input shapes for layer '{self.name}': axis {ax[0]} of {a} has "
                f"size {a[ax[0]]} but axis {ax[1]} of {b} has size {b[ax[1]]}. "
                f"Received: input_shape={[a, b]}"
            )
        out = [d for i, d in enumerate(a) if i != ax[0]] + [d for i, d in enumerate(b) if i not in (0, ax[1])]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def call(self, inputs):
        x1, x2 = inputs
        ax = self._resolve_axes([x1.shape, x2.shape])
        if self.normalize:
            x1, x2 = _l2_normalize(x1, ax[0]), _l2_normalize(x2, ax[1])
        # Move the dot axis last in x1 and second in x2, then batch-matmul.
        x1 = _move(x1, ax[0], -1)
        x2 = _move(x2, ax[1], 1)
        r1, r2 = len(x1.shape), len(x2.shape)
        a = ops.reshape(x1, (x1.shape[0], -1, x1.shape[-1]))
        b = ops.reshape(x2, (x2.shape[0], x2.shape[1], -1))
        out = ops.matmul(a, b)
        shape = (x1.shape[0],) + tuple(x1.shape[1:r1 - 1]) + tuple(x2.shape[2:r2])
        if len(shape) == 1:
            shape = shape + (1,)
        return ops.reshape(out, shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axes": self.axes, "normalize": self.normalize})
        return cfg


def _move(x, src, dst):
    rank = len(x.shape)
    src, dst = src % rank, dst % rank
    perm = [i for i in range(rank) if i != src]
    perm.insert(dst, src)
    return ops.transpose(x, perm) if perm != list(range(rank)) else x


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of `Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)

"""`PReLU`: a leaky ReLU whose negative slopes are learned weights."""

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class PReLU(Layer):
    """Parametric ReLU: `x` for `x >= 0`, `alpha * x` otherwise, with `alpha` learned.

    `alpha` has the input's shape without the batch axis; `shared_axes` gives the
    axes (counted with the batch axis as 0) along which one slope is shared.

    Args:
        alpha_initializer: initializer of `alpha` (zeros by default).
        alpha_regularizer: optional penalty on `alpha`.
        alpha_constraint: optional projection of `alpha` after each update.
        shared_axes: an int or a list of ints, e.g. `[1, 2]` for one slope per
            channel of `(batch, height, width, channels)` feature maps.
        **kwargs: base layer arguments such as `name` and `dtype`.

    Example:
        >>> layer = nbkeras.layers.PReLU(alpha_initializer=nbkeras.initializers.Constant(0.1))
        >>> layer(np.array([[-10.0, 5.0]], "float32"))
        array([[-1.,  5.]], dtype=float32)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for i in self.shared_axes or ():
            if not 1 <= i < len(input_shape):
                raise ValueError(
                    "Each of `shared_axes` must be an axis of the input other than the batch "
                    f"axis. Received: shared_axes={self.shared_axes}, input_shape={input_shape}"
                )
            param_shape[i - 1] = 1
        self.alpha = self.add_weight(
            shape=param_shape, name="alpha", initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
        )
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        pos = ops.relu(inputs)
        neg = ops.multiply(ops.negative(self.alpha), ops.relu(ops.negative(inputs)))
        return ops.add(pos, neg)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return cfg

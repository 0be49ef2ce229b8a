"""`ReLU`: the rectified linear unit as a layer, with Keras's cap, slope and threshold."""

from nbkeras import activations
from nbkeras.layers.layer import Layer


def _check_non_negative(value, name, allow_none):
    if value is None and allow_none:
        return
    if value is None or value < 0.0:
        what = "a negative value" if allow_none else "None or a negative value"
        raise ValueError(
            f"{name} of a ReLU layer cannot be {what}. Received: {name}={value!r}"
        )


class ReLU(Layer):
    """Rectified linear unit: `max_value` if `x >= max_value`, `x` if
    `threshold <= x < max_value`, else `negative_slope * (x - threshold)`.

    Args:
        max_value: float >= 0, the largest output; None means no cap.
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float >= 0, the value below which the slope applies.
        **kwargs: base layer arguments such as `name` and `dtype`.

    Example:
        >>> layer = nbkeras.layers.ReLU(max_value=10, negative_slope=0.5)
        >>> layer(np.array([-10.0, -5.0, 0.0, 5.0, 10.0], "float32"))
        array([-5. , -2.5,  0. ,  5. , 10. ], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        _check_non_negative(max_value, "max_value", allow_none=True)
        _check_non_negative(negative_slope, "negative_slope", allow_none=False)
        _check_non_negative(threshold, "threshold", allow_none=False)
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                    "threshold": self.threshold})
        return cfg

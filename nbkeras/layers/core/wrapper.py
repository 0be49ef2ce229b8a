"""`Wrapper`: the base of layers that wrap another layer (TimeDistributed, Bidirectional)."""

from nbkeras.layers.layer import Layer


class Wrapper(Layer):
    """A layer around another layer, saved with it (config key `layer`).

    Subclass it and write `call`; `build` builds the wrapped layer on the input shape.

    Args:
        layer: the `Layer` instance to wrap.

    Example:
        >>> class Twice(nbkeras.layers.Wrapper):
        ...     def call(self, x):
        ...         return self.layer(self.layer(x))
        >>> Twice(nbkeras.layers.Dense(3))(np.zeros((2, 3))).shape
        (2, 3)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please "
                "ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self):
        from nbkeras.layers import serialize

        cfg = super().get_config()
        cfg["layer"] = serialize(self.layer)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nbkeras.layers import deserialize

        config = dict(config)
        config["layer"] = deserialize(config["layer"], custom_objects=custom_objects)
        return cls(**config)

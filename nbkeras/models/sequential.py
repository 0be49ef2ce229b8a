"""`Sequential`: a linear stack of layers."""

from nbkeras.layers.core.input_layer import InputLayer
from nbkeras.layers.input_spec import adjust_input_rank, adjusted_shape, assert_input_compatibility
from nbkeras.layers.layer import Layer, _shape_of
from nbkeras.layers.node import KerasTensor
from nbkeras.models.model import Model
from nbkeras.utils import naming


class Sequential(Model):
    """A model whose layers each take the previous layer's output.

    The input shape comes from an `Input(...)` first entry, from the first layer's
    `input_shape=`/`input_dim=` argument, or from the first data it sees.

    Args:
        layers: the layers, in order.
        trainable: whether its weights are trained.
        name: the model's name (`sequential`, `sequential_1`, ...).

    Example:
        >>> model = nbkeras.Sequential([
        ...     nbkeras.Input(shape=(20,)),
        ...     nbkeras.layers.Dense(16, activation="relu"),
        ...     nbkeras.layers.Dense(1, activation="sigmoid"),
        ... ])
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._output_shapes = {}
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Append a layer (or an `Input(...)` tensor as the first entry)."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `nbkeras.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer) and self._layers:
            if isinstance(self._layers[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use an input "
                    f"of shape {self._layers[0].batch_shape}. You cannot add a different Input "
                    f"layer to it. Received: {layer.batch_shape}"
                )
            self._layers.insert(0, layer)
        else:
            if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
                self._layers.append(InputLayer(batch_shape=layer._input_shape_arg))
            names = {l.name for l in self._layers if l is not layer}
            if layer.name in names:
                raise ValueError(
                    "All layers added to a Sequential model should have unique names. "
                    f"Name '{layer.name}' is already the name of a layer in this model. "
                    f"Received: layer.name={layer.name!r}"
                )
            self._layers.append(layer)
        self.built = False
        self._invalidate_caches()
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model. Received: layers=[]")
        layer = self._layers.pop()
        self.built = False
        self._invalidate_caches()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        if self._layers and isinstance(self._layers[0], InputLayer) and len(self._layers) > 1:
            self.build(self._layers[0].batch_shape)

    @property
    def input_shape(self):
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[0].batch_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    def build(self, input_shape=None):
        """Build every layer for inputs of `input_shape` (with the batch axis)."""
        if input_shape is None:
            raise ValueError(f"You must provide an `input_shape` to build '{self.name}'. Received: None")
        if not self._layers or not isinstance(self._layers[0], InputLayer):
            self._layers.insert(0, InputLayer(batch_shape=tuple(input_shape)))
        naming.get_uid("functional")  # Keras builds an inner functional model here; names follow.
        x = self._layers[0].output
        self._output_shapes = {}
        for layer in self.layers:
            x = layer(x)
            self._output_shapes[id(layer)] = _shape_of(x)
        self._symbolic_output = x
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = getattr(inputs, "shape", None)
        if shape is not None and shape != self._checked_shape:
            self._check_data_shape(tuple(shape))
            self._checked_shape = shape
        x = inputs
        if self._layers and isinstance(self._layers[0], InputLayer):
            x = adjust_input_rank(x, self._layers[0].batch_shape)
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    def _check_data_shape(self, shape, argument="input"):
        if self._layers and isinstance(self._layers[0], InputLayer):
            first = self._layers[0]
            # Any batch size: a Sequential built from a dry run of its parent (a custom
            # layer's sub-model) saw a batch of 1.
            spec_shape = (None,) + tuple(first.batch_shape[1:])
            from nbkeras.layers.input_spec import InputSpec

            target = self.layers[0].name if self.layers else self.name
            assert_input_compatibility(InputSpec(shape=spec_shape),
                                       adjusted_shape(shape, spec_shape), target,
                                       argument=argument)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self._layers and isinstance(self._layers[0], InputLayer):
            shape = adjusted_shape(shape, self._layers[0].batch_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def output_shape(self):
        """The output shape, with None for the batch axis (once built)."""
        if not self.built or not self.layers:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")
        return self._symbolic_output.shape

    @property
    def inputs(self):
        """The symbolic input tensors (once the input shape is known)."""
        if not self._layers or not isinstance(self._layers[0], InputLayer):
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")
        return [self._layers[0].output]

    @property
    def outputs(self):
        """The symbolic output tensors (once built)."""
        if not self.built or not self.layers:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return [self._symbolic_output]

    @property
    def output_names(self):
        return [self.layers[-1].name] if self.layers else []

    def get_config(self):
        """Keras 3's config: the serialized layers (InputLayer first) and the build shape."""
        from nbkeras.saving.serialization import serialize_layer

        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config(),
                  "layers": [serialize_layer(l) for l in self._layers]}
        if self.built and self._layers and isinstance(self._layers[0], InputLayer):
            config["build_input_shape"] = list(self._layers[0].batch_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreate the model from `get_config()`'s dict (Keras 3's or Keras 2's form)."""
        from nbkeras.saving.registration import custom_object_scope
        from nbkeras.saving.serialization import _deserialize

        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError("A Sequential model configuration must be a dictionary containing "
                             f"the 'name' and 'layers' keys. Received: config={str(config)[:200]}")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        with custom_object_scope(custom_objects):
            for layer_config in config["layers"]:
                layer = _deserialize(layer_config)
                if not isinstance(layer, Layer):
                    raise ValueError("Each entry of a Sequential config must be a layer. "
                                     f"Received: {type(layer).__name__}")
                model.add(layer, rebuild=False)
        model._maybe_rebuild()
        shape = config.get("build_input_shape")
        if not model.built and isinstance(shape, (list, tuple)) and model._layers:
            model.build(tuple(shape))
        return model

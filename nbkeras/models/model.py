"""`Model`: a Layer that trains (compile/fit/evaluate/predict) and summarizes itself."""

from nbkeras.layers.layer import Layer
from nbkeras.metrics.metric import Metric
from nbkeras.trainers.trainer import Trainer
from nbkeras.utils import summary_utils


class Model(Trainer, Layer):
    """A trainable model. Subclass it and define `call`, or use `Sequential`.

    Args:
        name: the model's name.
        trainable: whether its weights are trained.

    `Model(inputs, outputs)` builds a functional model (see `Functional`), and so does a
    subclass called with `inputs` and `outputs` (it keeps its own `train_step` & co.).
    Metrics kept as attributes of the model join `model.metrics`.

    Example:
        >>> class MLP(nbkeras.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nbkeras.layers.Dense(16, activation="relu")
        ...         self.out = nbkeras.layers.Dense(1, activation="sigmoid")
        ...     def call(self, x):
        ...         return self.out(self.hidden(x))
    """

    @property
    def _accepts_strings(self):
        """Whether the model takes text: an input declared with `dtype="string"` (for its
        string preprocessing layers; a subclassed model may always take it)."""
        try:
            inputs = self.inputs
        except (AttributeError, ValueError):
            return True
        if inputs is None:
            return True
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        return any(getattr(t, "dtype", None) == "string" for t in inputs)

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from nbkeras.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # Keras's functional subclass: `CustomModel(inputs, outputs)` becomes a
            # Functional model whose class keeps the subclass's methods.
            from nbkeras.models.functional import Functional

            _inject_functional(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        self._init_base(**kwargs)

    def __setattr__(self, name, value):
        if isinstance(value, Metric):
            tracked = self.__dict__.setdefault("_tracked_metrics", [])
            if not any(value is m for m in tracked):
                tracked.append(value)
        super().__setattr__(name, value)

    def _init_base(self, **kwargs):
        Layer.__init__(self, **kwargs)
        self._init_trainer()

    @property
    def layers(self):
        """The model's layers, in order."""
        return [l for l in self._layers if type(l).__name__ != "InputLayer"]

    def get_layer(self, name=None, index=None):
        """Return a layer by name or by index."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}"
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers. Received: index={index}"
                )
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}. "
            f"Received: name={name!r}"
        )

    def _summary_has_connections(self):
        return False

    def _summary_rows(self):
        shapes = getattr(self, "_output_shapes", {})
        return [(layer, shapes.get(id(layer)), "") for layer in self.layers]

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers, their output shapes and parameter counts.

        Args:
            print_fn: the function that prints each line (`print` by default).

        Example:
            >>> model.summary()
        """
        lines = summary_utils.summary_lines(self, line_length, positions, show_trainable)
        if print_fn is None:
            print("\n".join(lines))
        else:
            for line in lines:
                print_fn(line)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter display (filled by the front end): the text summary, HTML and a JSON payload."""
        from nbkeras.utils import display_hooks

        return display_hooks.mimebundle("model", self, include, exclude)

    def build(self, input_shape=None):
        """Mark the model built; the input shape is kept for `get_build_config()`."""
        if input_shape is not None and self._build_input_shape is None:
            self._build_input_shape = input_shape
        self.built = True

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config()}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Create a model from its config; a functional config gives a functional model."""
        if isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config):
            from nbkeras.models.functional import Functional

            target = cls if issubclass(cls, Functional) else Functional
            return Functional.from_config.__func__(target, config, custom_objects)
        return cls(**config)

    # ------------------------------------------------------------ saving
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the model: `.keras` (Keras 3's zip) or `.h5` (legacy), written atomically.

        Args:
            filepath: the destination; its extension picks the format.
            overwrite: whether an existing file may be replaced.

        Example:
            >>> model.save("model.keras")
        """
        from nbkeras.saving import saving_api

        return saving_api.save_model(self, filepath, overwrite, zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save every variable (and the optimizer's) to a `.weights.h5` file, atomically.

        Args:
            filepath: the destination, ending in `.weights.h5`.
            overwrite: whether an existing file may be replaced.
            max_shard_size: not supported (sharded weights); must be None.

        Example:
            >>> model.save_weights("model.weights.h5")
        """
        import os

        from nbkeras.saving import weights_file

        if max_shard_size is not None:
            raise ValueError("Sharded weights files are not supported. "
                             f"Received: max_shard_size={max_shard_size!r}")
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError("The filename must end in `.weights.h5`. "
                             f"Received: filepath={filepath}")
        if not overwrite and os.path.exists(filepath):
            raise ValueError(f"The file '{filepath}' exists and overwrite=False. "
                             f"Received: overwrite={overwrite}")
        return weights_file.save_weights(self, filepath)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load variables from a `.weights.h5`, `.keras` or legacy `.h5` file.

        Example:
            >>> model.load_weights("model.weights.h5")
        """
        from nbkeras.saving import weights_file

        kwargs.pop("by_name", None)
        if kwargs:
            raise ValueError(f"Invalid keyword arguments: {kwargs}. Received: {kwargs}")
        return weights_file.load_weights(self, filepath, skip_mismatch)

    def to_json(self, **kwargs):
        """Return the model's config as Keras 3's JSON (`nbkeras.models.model_from_json` reads it).

        Example:
            >>> text = model.to_json()
        """
        from nbkeras.saving import saving_api

        return saving_api.model_to_json(self, **kwargs)

    def get_build_config(self):
        """The input shape the model was built with (`{'input_shape': ...}`), or None."""
        from nbkeras.saving import build_config

        return build_config.get_build_config(self)

    def build_from_config(self, config):
        """Build the model from `get_build_config()`'s dict."""
        from nbkeras.saving import build_config

        build_config.build_from_config(self, config)

    def get_compile_config(self):
        """The arguments of `compile()` in Keras 3's serialized form (`{}` if not compiled)."""
        from nbkeras.saving import compile_config

        return compile_config.get_compile_config(self)

    def compile_from_config(self, config):
        """Compile the model from `get_compile_config()`'s dict."""
        from nbkeras.saving import compile_config

        compile_config.compile_from_config(self, config)


def _inject_functional(cls):
    """Put `Functional` in place of `Model` among the bases of the subclass `cls` (as Keras)."""
    from nbkeras.models.functional import Functional

    if issubclass(cls, Functional):
        return
    if cls.__bases__ == (Model,):
        cls.__bases__ = (Functional,)
        return
    for base in cls.__bases__:
        if issubclass(base, Model) and base is not Model:
            _inject_functional(base)
    cls.__bases__ = tuple(Functional if b is Model else b for b in cls.__bases__)

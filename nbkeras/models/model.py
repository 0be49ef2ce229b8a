"""`Model`: a Layer that trains (compile/fit/evaluate/predict) and summarizes itself."""

from nbkeras.layers.layer import Layer
from nbkeras.trainers.trainer import Trainer
from nbkeras.utils import summary_utils


class Model(Trainer, Layer):
    """A trainable model. Subclass it and define `call`, or use `Sequential`.

    Args:
        name: the model's name.
        trainable: whether its weights are trained.

    `Model(inputs, outputs)` builds a functional model (see `Functional`).

    Example:
        >>> class MLP(nbkeras.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nbkeras.layers.Dense(16, activation="relu")
        ...         self.out = nbkeras.layers.Dense(1, activation="sigmoid")
        ...     def call(self, x):
        ...         return self.out(self.hidden(x))
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from nbkeras.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise ValueError(
                "Subclassed models take no `inputs`/`outputs`; use `Model(inputs, outputs)` "
                f"for a functional model. Received: arguments {list(kwargs) or 'positional'}"
            )
        self._init_base(**kwargs)

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

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}

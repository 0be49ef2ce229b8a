"""`build_config`: the input shape a layer was built with, so loading can create its weights."""

import numpy as np


def _shape_list(shape):
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) for s in shape):
        return [list(s) for s in shape]
    return list(shape)


def get_build_config(layer):
    """Keras's `{'input_shape': ...}` for a built layer or model, or None.

    Args:
        layer: a layer or model.

    Example:
        >>> get_build_config(model)
        {'input_shape': [None, 4]}
    """
    from nbkeras.layers.core.input_layer import InputLayer
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    if isinstance(layer, Functional):
        return {"input_shape": None}
    shapes = getattr(layer, "_build_shapes", None)
    if layer.built and isinstance(shapes, dict):  # built from several named shapes (MHA)
        return {"shapes_dict": {k: _shape_list(v) for k, v in shapes.items()}}
    if isinstance(layer, Sequential):
        layers = layer._layers
        if layer.built and layers and isinstance(layers[0], InputLayer):
            return {"input_shape": list(layers[0].batch_shape)}
        return None
    shape = getattr(layer, "_build_input_shape", None)
    if layer.built and shape is not None:
        return {"input_shape": _shape_list(shape)}
    return None


def _as_shape(value):
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"A build input shape must be a list. Received: {value!r}")
    if value and all(isinstance(v, (list, tuple)) for v in value):
        return [_as_shape(v) for v in value]
    for d in value:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise ValueError(f"A build input shape must hold non-negative ints or None. "
                             f"Received: {value!r}")
    return tuple(value)


def build_from_config(layer, config):
    """Create `layer`'s weights from a `build_config` (what Keras's `build_from_config` does).

    Args:
        layer: an unbuilt layer or model.
        config: `{'input_shape': shape}` (or Keras's `{'shapes_dict': {...}}`).
    """
    from nbkeras.layers.layer import Layer
    from nbkeras.models.functional import Functional
    from nbkeras.models.model import Model
    from nbkeras.models.sequential import Sequential

    if not isinstance(config, dict):
        raise ValueError(f"A build_config must be a dict. Received: {config!r}")
    shape = config.get("input_shape")
    shapes_dict = config.get("shapes_dict")
    if shape is None and isinstance(shapes_dict, dict) and len(shapes_dict) > 1 \
            and not layer.built and _takes_shapes(layer, shapes_dict):
        # Keras's build(**shapes_dict): MultiHeadAttention's query_shape, value_shape, ...
        layer.build(**{k: _as_shape(v) for k, v in shapes_dict.items()})
        return
    if shape is None and isinstance(config.get("shapes_dict"), dict) and config["shapes_dict"]:
        shapes = list(config["shapes_dict"].values())
        shape = shapes[0] if len(shapes) == 1 else shapes
    if shape is None or layer.built and not isinstance(layer, Sequential):
        return
    shape = _as_shape(shape)
    if isinstance(layer, Functional):
        return
    if isinstance(layer, Sequential):
        if not layer.built:
            layer.build(shape)
        return
    if isinstance(layer, Model) and type(layer).build in (Layer.build, Model.build):
        # A subclassed model creates its weights by running once.
        dummy = np.zeros(tuple(1 if d is None else d for d in shape), dtype=layer.dtype)
        layer(dummy, training=False)
        return
    layer._maybe_build(shape)


def _takes_shapes(layer, shapes_dict):
    """Whether `layer.build` takes every key of `shapes_dict` as a keyword."""
    import inspect

    params = inspect.signature(type(layer).build).parameters
    return all(k in params for k in shapes_dict)

"""`clone_model`: a new model with the same architecture and fresh weights."""


def clone_model(model, input_tensors=None, clone_function=None, custom_objects=None):
    """Return a copy of a Sequential or Functional model with newly initialized weights.

    The clone is built from the model's config, so its layers are new objects
    (with the same names); the weights are not copied (use `set_weights`).

    Args:
        model: a Sequential or Functional model.
        input_tensors: not supported (must be None).
        clone_function: not supported (must be None).
        custom_objects: `{name: class}` for custom layers.

    Example:
        >>> clone = nbkeras.models.clone_model(model)
        >>> clone.set_weights(model.get_weights())
    """
    from nbkeras.saving.serialization import deserialize_keras_object, serialize_layer

    if input_tensors is not None or clone_function is not None:
        raise ValueError("nbkeras's clone_model supports only the default cloning. Received: "
                         f"input_tensors={input_tensors!r}, clone_function={clone_function!r}")
    config = serialize_layer(model)
    config.pop("compile_config", None)
    return deserialize_keras_object(config, custom_objects, safe_mode=False)

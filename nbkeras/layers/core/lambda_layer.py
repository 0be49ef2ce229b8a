"""`Lambda`: wraps any function of tensors as a layer."""

import inspect

from nbkeras.layers.layer import Layer


class Lambda(Layer):
    """Wraps a function built from `nbkeras.ops` (or tensor slicing) as a layer.

    Gradients flow through the function, since the ops it uses are differentiable.

    Args:
        function: the function, `function(inputs, **arguments)`.
        output_shape: the output shape (without batch axis), or a function of the
            input shape; inferred by a dry run when omitted.
        mask: an optional mask or mask function.
        arguments: extra keyword arguments for `function`.

    Example:
        >>> last = nbkeras.layers.Lambda(lambda x: x[:, -1, :])
        >>> last(np.zeros((2, 5, 3))).shape
        (2, 3)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(
                f"Argument `function` of Lambda must be callable. Received: function={function!r}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        params = _params(self.function)
        if "mask" in params:
            kwargs["mask"] = mask
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_spec(self, inputs, *args, **kwargs):
        from nbkeras.layers.layer import _shape_of, _spec_from_shape

        if self._output_shape is None:
            return super().compute_output_spec(inputs, *args, **kwargs)
        shape = _shape_of(inputs)
        if callable(self._output_shape):
            return _spec_from_shape(self._output_shape(shape), self.dtype)
        batch = shape[0] if isinstance(shape, tuple) else shape[0][0]
        return _spec_from_shape((batch,) + tuple(self._output_shape), self.dtype)

    def get_config(self):
        """Keras 3's config: a lambda is stored as bytecode (`__lambda__`), a named function by
        name; loading bytecode needs `safe_mode=False`."""
        from nbkeras.saving.serialization import serialize_keras_object

        cfg = super().get_config()
        cfg["function"] = _function_config(self.function)
        if self._output_shape is not None:
            cfg["output_shape"] = (_function_config(self._output_shape)
                                   if callable(self._output_shape)
                                   else serialize_keras_object(self._output_shape))
        if self.mask is not None:
            cfg["mask"] = (_function_config(self.mask) if callable(self.mask)
                           else serialize_keras_object(self.mask))
        cfg["arguments"] = serialize_keras_object(self.arguments)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Create the layer from `get_config()`'s dict (Keras 3's or Keras 2's form).

        Args:
            config: the config dict.
            custom_objects: `{name: function}` for functions stored by name.
            safe_mode: refuse bytecode (the default, also when loading inside
                `load_model(safe_mode=True)`); False loads it.
        """
        from nbkeras.saving.registration import custom_object_scope
        from nbkeras.saving.safe_mode import safe_mode_scope
        from nbkeras.saving.serialization import _deserialize

        config = dict(config)
        name = config.get("name")
        function_type = config.pop("function_type", None)
        shape_type = config.pop("output_shape_type", None)
        for key in ("module", "output_shape_module"):
            config.pop(key, None)
        with custom_object_scope(custom_objects), safe_mode_scope(safe_mode):
            config["function"] = _load_function(config.get("function"), function_type, name)
            if "output_shape" in config:
                shape = config["output_shape"]
                if shape_type == "lambda" or _is_stored_code(shape):
                    config["output_shape"] = _load_function(shape, "lambda", name)
                elif isinstance(shape, dict):
                    config["output_shape"] = _deserialize(shape)
                elif isinstance(shape, list) and all(
                        isinstance(d, int) or d is None for d in shape):
                    config["output_shape"] = tuple(shape)
            if isinstance(config.get("mask"), dict):
                config["mask"] = _load_function(config["mask"], None, name)
            config["arguments"] = _deserialize(config.get("arguments") or {})
        return cls(**config)


def _function_config(fn):
    from nbkeras.saving import lambdas
    from nbkeras.saving.serialization import serialize_keras_object

    if getattr(fn, "__name__", None) == "<lambda>" and hasattr(fn, "__code__"):
        code, defaults, closure = lambdas.dump_function(fn)
        return {"class_name": "__lambda__", "config": {
            "code": code, "defaults": serialize_keras_object(defaults),
            "closure": serialize_keras_object(closure)}}
    return serialize_keras_object(fn)


def _is_stored_code(value):
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _load_function(value, function_type, layer_name):
    """The function of a Lambda config: bytecode (only outside safe mode) or a name."""
    from nbkeras.saving import lambdas
    from nbkeras.saving.safe_mode import in_safe_mode, refuse_code
    from nbkeras.saving.serialization import _deserialize

    if _is_stored_code(value) or (function_type == "lambda" and isinstance(value, (list, tuple))):
        if in_safe_mode():
            refuse_code(f"the function of Lambda layer '{layer_name}'")
        if isinstance(value, dict):
            inner = value.get("config") or {}
            code = inner.get("code", inner.get("value"))
            return lambdas.load_function(code, _deserialize(inner.get("defaults")),
                                         _deserialize(inner.get("closure")))
        return lambdas.load_function(list(value))
    if isinstance(value, str):
        value = {"module": "builtins", "class_name": "function", "config": value,
                 "registered_name": "function"}
    function = _deserialize(value)
    if not callable(function):
        raise ValueError(f"The function of Lambda layer '{layer_name}' could not be restored. "
                         f"Received: {value!r}")
    return function


def _params(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}

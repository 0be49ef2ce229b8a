"""`serialize_keras_object` / `deserialize_keras_object`: objects as Keras 3's JSON dicts.

An object is written as `{'module', 'class_name', 'config', 'registered_name'}`
(plus `build_config` for built layers and `compile_config` for models), with
the module names Keras itself writes ('keras.layers', 'keras', ...). Reading
accepts what Keras 3 writes, and the Keras 2 form without `module`.
"""

import types

import numpy as np

from nbkeras.saving import class_lookup, lambdas, registration
from nbkeras.saving.safe_mode import in_safe_mode, refuse_code, safe_mode_scope

# The Keras release whose file format nbkeras writes (in metadata.json and .h5 attributes).
KERAS_VERSION = "3.15.1"
PLAIN_TYPES = (str, int, float, bool)


def _function_config(fn):
    registered = registration.get_registered_name(fn)
    if registered:
        return {"module": fn.__module__, "class_name": "function", "config": registered,
                "registered_name": registered}
    return {"module": "builtins", "class_name": "function", "config": fn.__name__,
            "registered_name": "function"}


# During one serialization, each layer's dict carries a temporary marker with the layer's id;
# when the outermost call ends, a layer written more than once gets Keras's `shared_object_id`
# in every copy (and is rebuilt once on load). During deserialization the scope maps
# `shared_object_id` to the object already rebuilt.
_MARK = "__nbkeras_object_id__"
_sharing = []


class _SharingScope:
    def __enter__(self):
        self.outermost = not _sharing
        if self.outermost:
            _sharing.append({})
        return _sharing[0]

    def __exit__(self, *exc):
        if self.outermost:
            _sharing.pop()


def _finalize_sharing(tree):
    counts = {}

    def count(node):
        if isinstance(node, dict):
            if _MARK in node:
                counts[node[_MARK]] = counts.get(node[_MARK], 0) + 1
            for v in node.values():
                count(v)
        elif isinstance(node, list):
            for v in node:
                count(v)

    def mark(node):
        if isinstance(node, dict):
            obj_id = node.pop(_MARK, None)
            if obj_id is not None and counts[obj_id] > 1:
                node["shared_object_id"] = obj_id
            for v in node.values():
                mark(v)
        elif isinstance(node, list):
            for v in node:
                mark(v)

    count(tree)
    mark(tree)
    return tree


def serialize_keras_object(obj):
    """Return the JSON-ready Keras form of `obj` (a layer, model, optimizer, loss, ...).

    Args:
        obj: the object; plain values, lists and dicts are converted recursively.

    Example:
        >>> serialize_keras_object(nbkeras.layers.Dense(2))["module"]
        'keras.layers'
    """
    scope = _SharingScope()
    with scope:
        out = _serialize(obj)
        return _finalize_sharing(out) if scope.outermost else out


def _serialize(obj):
    from nbkeras.layers.layer import Layer
    from nbkeras.layers.node import KerasTensor
    from nbkeras.ops.core import Tensor, unwrap

    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, Tensor):
        value = np.asarray(unwrap(obj))
        return {"class_name": "__tensor__",
                "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, KerasTensor):
        history = list(obj._keras_history) if obj._keras_history else None
        if history:
            history[0] = history[0].name
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype, "keras_history": history}}
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return {"class_name": "__lambda__", "config": {"value": list(lambdas.dump_function(obj))}}
    if isinstance(obj, types.FunctionType):
        return _function_config(obj)
    if isinstance(obj, Layer):
        return serialize_layer(obj)
    if hasattr(obj, "get_config"):
        return _class_config(type(obj), serialize_keras_object(obj.get_config()))
    if isinstance(obj, type) or callable(obj):
        name = getattr(obj, "__name__", None)
        if name:
            return _function_config(obj)
    raise ValueError(f"Cannot serialize {obj!r}: it has no `get_config()` method. "
                     f"Received: object of type {type(obj).__name__}")


def _class_config(cls, config):
    registered = registration.get_registered_name(cls)
    module = class_lookup.public_module(cls)
    if registered is None and module is None:
        module = None if cls.__module__ == "__main__" else cls.__module__
        registered = cls.__name__
    elif module is None:  # a registered custom class: Keras names its Python module
        module = cls.__module__
    return {"module": module, "class_name": cls.__name__, "config": config,
            "registered_name": registered}


def serialize_layer(layer):
    """Keras's dict for a layer or model, with its `build_config` (and `compile_config`)."""
    scope = _SharingScope()
    with scope:
        out = _layer_config(layer)
        out[_MARK] = id(layer)
        return _finalize_sharing(out) if scope.outermost else out


def _layer_config(layer):
    from nbkeras.models.functional import Functional
    from nbkeras.models.model import Model
    from nbkeras.models.sequential import Sequential
    from nbkeras.saving import build_config, compile_config

    config = serialize_keras_object(layer.get_config())
    if type(layer) is Functional:
        out = {"module": "keras.src.models.functional", "class_name": "Functional",
               "config": config, "registered_name": "Functional"}
    elif type(layer) is Sequential:
        out = {"module": "keras", "class_name": "Sequential", "config": config,
               "registered_name": None}
    else:
        out = _class_config(type(layer), config)
    build = build_config.get_build_config(layer)
    if build is not None:
        out["build_config"] = serialize_keras_object(build)
    if isinstance(layer, Model):
        out["compile_config"] = compile_config.get_compile_config(layer)
    return out


class SerializedTensor:
    """A `__keras_tensor__` read from a config: its shape, dtype and `keras_history`."""

    def __init__(self, shape, dtype, history):
        self.shape, self.dtype, self.history = shape, dtype, history


def deserialize_keras_object(config, custom_objects=None, safe_mode=None):
    """Rebuild the object `serialize_keras_object` (or Keras 3) wrote.

    Args:
        config: the dict (or plain value / list).
        custom_objects: `{name: class or function}` for custom objects.
        safe_mode: refuse stored Python bytecode (True by default; None keeps the
            setting of the load in progress).

    Example:
        >>> layer = deserialize_keras_object(serialize_keras_object(Dense(2)))
    """
    with safe_mode_scope(safe_mode), registration.custom_object_scope(custom_objects), \
            _SharingScope():
        return _deserialize(config)


_SPECIAL = {}


def _special(name):
    def deco(fn):
        _SPECIAL[name] = fn
        return fn
    return deco


@_special("__keras_tensor__")
def _tensor(cfg):
    return SerializedTensor(cfg.get("shape"), cfg.get("dtype"), cfg.get("keras_history"))


@_special("__numpy__")
def _numpy(cfg):
    return np.array(cfg["value"], dtype=cfg["dtype"])


_special("__tensor__")(_numpy)


@_special("__bytes__")
def _bytes(cfg):
    return cfg["value"].encode("utf-8")


@_special("__slice__")
def _slice(cfg):
    return slice(_deserialize(cfg.get("start")), _deserialize(cfg.get("stop")),
                 _deserialize(cfg.get("step")))


@_special("__ellipsis__")
def _ellipsis(cfg):
    return Ellipsis


@_special("__lambda__")
def _lambda(cfg):
    if in_safe_mode():
        refuse_code("a Python lambda")
    value = cfg.get("value", cfg.get("code"))
    if isinstance(value, str):
        return lambdas.load_function(value, cfg.get("defaults"), cfg.get("closure"))
    return lambdas.load_function(value)


def _deserialize(config):
    if config is None or isinstance(config, PLAIN_TYPES):
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(x) for x in config]
    if not isinstance(config, dict):
        raise ValueError(f"Cannot deserialize a value of type {type(config).__name__}. "
                         f"Received: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: _deserialize(v) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    if not isinstance(class_name, str):
        raise ValueError(f"'class_name' must be a string. Received: class_name={class_name!r}")
    if class_name in _SPECIAL:
        if not isinstance(inner, dict):
            raise ValueError(f"The config of '{class_name}' must be a dict. Received: {inner!r}")
        return _SPECIAL[class_name](inner)
    module = config.get("module")
    registered_name = config.get("registered_name")
    if class_name == "function":
        fn = class_lookup.find_function(inner if isinstance(inner, str) else None,
                                        registered_name)
        if fn is None:
            raise ValueError(
                f"Unknown function '{inner}'. If it is a custom function, pass it to the loader "
                f"in `custom_objects={{'{inner}': {inner}}}`. Received: {config}")
        return fn
    return instantiate(config, class_name, module, registered_name, inner)


def instantiate(config, class_name, module, registered_name, inner):
    """Create the object of a class config, then build and compile it as the config says."""
    shared_id = config.get("shared_object_id")
    with _SharingScope() as seen:
        if shared_id is not None and ("obj", shared_id) in seen:
            return seen[("obj", shared_id)]
        obj = _instantiate(config, class_name, module, registered_name, inner)
        if shared_id is not None:
            seen[("obj", shared_id)] = obj
        return obj


def _instantiate(config, class_name, module, registered_name, inner):
    from nbkeras.saving import build_config, compile_config

    cls = class_lookup.find_class(class_name, module, registered_name)
    keras_module = isinstance(module, str) and (module == "keras" or module.startswith("keras."))
    if cls is None and keras_module:
        raise ValueError(
            f"nbkeras does not implement Keras's '{class_name}' (module {module!r}); a custom "
            f"replacement can be passed in `custom_objects={{'{class_name}': ...}}`. "
            f"Received: class_name={class_name!r}")
    if cls is None:
        raise ValueError(
            f"Unknown object '{class_name}' (module {module!r}). If it is a custom class, pass it "
            f"to the loader in `custom_objects={{'{class_name}': {class_name}}}` or register it "
            f"with `nbkeras.saving.register_keras_serializable()`. Received: class_name="
            f"{class_name!r}")
    if isinstance(cls, types.FunctionType):
        return cls
    if not isinstance(inner, dict):
        raise ValueError(f"The config of '{class_name}' must be a dict. Received: {inner!r}")
    if not hasattr(cls, "from_config"):
        raise ValueError(f"'{class_name}' has no `from_config()` method. Received: {cls!r}")
    try:
        obj = cls.from_config(dict(inner))
    except TypeError as exc:
        raise ValueError(f"'{class_name}' could not be created from its config: {exc}. "
                         f"Received: config keys {sorted(inner)}") from exc
    build = config.get("build_config")
    if build:
        build_config.build_from_config(obj, build)
    compile_cfg = config.get("compile_config")
    if compile_cfg:
        compile_config.compile_from_config(obj, compile_cfg)
    return obj

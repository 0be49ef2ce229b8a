"""Which nbkeras class or function a Keras config's `module` and `class_name` refer to."""

import functools
import types

from nbkeras.saving import registration

# nbkeras package -> the Keras module name Keras writes for its public objects.
PUBLIC_PACKAGES = (
    ("nbkeras.layers", "keras.layers"),
    ("nbkeras.losses", "keras.losses"),
    ("nbkeras.metrics", "keras.metrics"),
    ("nbkeras.optimizers.schedules", "keras.optimizers.schedules"),
    ("nbkeras.optimizers", "keras.optimizers"),
    ("nbkeras.initializers", "keras.initializers"),
    ("nbkeras.regularizers", "keras.regularizers"),
    ("nbkeras.constraints", "keras.constraints"),
)


def _package(name):
    import importlib

    return importlib.import_module(name)


def public_module(cls):
    """The Keras module Keras writes for `cls` ('keras.layers', ...), or None for other classes."""
    for package, keras_name in PUBLIC_PACKAGES:
        if getattr(_package(package), cls.__name__, None) is cls:
            return keras_name
    return None


@functools.lru_cache(maxsize=None)
def _classes_of(package):
    mod = _package(package)
    table = {}
    for name in dir(mod):
        obj = getattr(mod, name)
        if isinstance(obj, type) and obj.__module__.startswith("nbkeras"):
            table[name] = obj
    return table


class DTypePolicy:
    """Keras's dtype policy config; nbkeras layers take the policy's dtype name."""

    @classmethod
    def from_config(cls, config):
        return config.get("name")


def _model_classes():
    from nbkeras.models import Functional, Model, Sequential

    return {"Sequential": Sequential, "Functional": Functional, "Model": Model,
            "DTypePolicy": DTypePolicy}


def _tables_for(module):
    """The nbkeras class tables to search for a Keras `module`, most specific first."""
    layers = ("nbkeras.layers",)
    by_prefix = (
        ("keras.optimizers.schedules", ("nbkeras.optimizers.schedules",)),
        ("keras.optimizers", ("nbkeras.optimizers",)),
        ("keras.layers", layers), ("keras.src.layers", layers),
        ("keras.losses", ("nbkeras.losses",)), ("keras.src.losses", ("nbkeras.losses",)),
        ("keras.metrics", ("nbkeras.metrics",)), ("keras.src.metrics", ("nbkeras.metrics",)),
        ("keras.initializers", ("nbkeras.initializers",)),
        ("keras.regularizers", ("nbkeras.regularizers",)),
        ("keras.constraints", ("nbkeras.constraints",)),
    )
    for prefix, packages in by_prefix:
        if module == prefix or module.startswith(prefix + "."):
            return [_classes_of(p) for p in packages]
    if module in ("keras", "keras.models") or module.startswith("keras.src.models"):
        return [_model_classes(), _classes_of("nbkeras.layers")]
    return [_model_classes(), _classes_of("nbkeras.layers")] + [
        _classes_of(p) for p, _ in PUBLIC_PACKAGES[1:]]


def find_class(class_name, module=None, registered_name=None):
    """Return the class for a serialized object, or None when nothing matches.

    Custom objects (passed to `load_model`, in a `custom_object_scope` or
    registered) take precedence over nbkeras's classes.

    Args:
        class_name: e.g. 'Dense'.
        module: e.g. 'keras.layers'; None or a non-Keras module means a custom class.
        registered_name: e.g. 'my_pkg>Scale'.
    """
    for key in (registered_name, class_name):
        obj = registration.get_registered_object(key, registration.active_custom_objects())
        if obj is not None:
            return obj
    if isinstance(module, str) and module.startswith("keras.src.ops."):
        from nbkeras.ops.symbolic import operation_class

        try:
            return operation_class(class_name)
        except ValueError:
            return None
    if module is None or module == "keras" or module.startswith("keras."):
        for table in _tables_for(module or "keras.*"):
            if class_name in table:
                return table[class_name]
        if module is None or module.startswith("keras.optimizers"):
            lowered = {k.lower(): v for k, v in _classes_of("nbkeras.optimizers").items()}
            return lowered.get(str(class_name).lower())
    return None


def _function_tables():
    from nbkeras import activations, losses, metrics

    tables = [getattr(activations, "ALL_OBJECTS_DICT", {}), getattr(losses, "ALL_OBJECTS", {}),
              getattr(metrics, "_FUNCTIONS", {})]
    return [{k: v for k, v in t.items() if isinstance(v, types.FunctionType)} for t in tables]


def find_function(name, registered_name=None):
    """Return the function a serialized `{'class_name': 'function', ...}` names, or None."""
    for key in (registered_name, name):
        obj = registration.get_registered_object(key, registration.active_custom_objects())
        if obj is not None:
            return obj
    for table in _function_tables():
        if name in table:
            return table[name]
    return None

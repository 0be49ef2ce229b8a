"""Identifier lookup shared by `activations.get`, `losses.get`, `optimizers.get`, ..., and the
`get`/`serialize`/`deserialize` of the packages of configurable objects (`constraints`,
`initializers`, `regularizers`)."""

import inspect
import re
import types

from nbkeras.utils.function_config import find_function, serialize_function


def to_snake_case(name):
    """'BinaryCrossentropy' -> 'binary_crossentropy'."""
    s = re.sub(r"\W+", "", name)
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", s)
    # As in Keras, a digit does not start a new word: Conv2D -> conv2d.
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def lookup(identifier, table, kind, arg="identifier"):
    """Return `table[identifier]`, or raise a ValueError that lists the valid names.

    Args:
        identifier: a string key.
        table: the mapping of valid names.
        kind: what is being looked up, for the message (e.g. 'activation').
        arg: the argument name shown in the message.
    """
    try:
        return table[identifier]
    except (KeyError, TypeError):
        names = ", ".join(sorted(repr(k) for k in table))
        raise ValueError(
            f"Unknown {kind}: {identifier!r}. Expected one of: {names}. "
            f"Received: {arg}={identifier!r}"
        ) from None


def serialize(obj):
    """Return Keras's `{'module', 'class_name', 'config', 'registered_name'}` dict for obj."""
    if obj is None:
        return None
    cls = type(obj)
    return {
        "module": cls.__module__.replace("nbkeras", "keras", 1),
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize(config, classes, kind):
    """Build an object from a config dict (`class_name` + `config`) or a class name."""
    if isinstance(config, str):
        return lookup(config, classes, kind)()
    cls = lookup(config.get("class_name"), classes, kind)
    return cls.from_config(config.get("config", {}))


def serialize_member(obj, classes, module):
    """`serialize(obj)` for a package of objects: a plain function by name (as Keras
    writes it), the package's own classes under Keras's `module`.

    Args:
        obj: the object (or a plain function, or None).
        classes: the package's built-in classes.
        module: their Keras package, such as `'keras.constraints'`.

    Example:
        >>> serialize_member(MaxNorm(2.0), (MaxNorm,), "keras.constraints")["module"]
        'keras.constraints'
    """
    if isinstance(obj, types.FunctionType):
        return serialize_function(obj)
    out = serialize(obj)
    if out is not None and type(obj) in classes:
        out["module"] = module
    return out


def deserialize_member(config, objects, kind, custom_objects=None):
    """The object that `serialize_member`'s dict (or a name) describes.

    Args:
        config: a dict with `class_name` and `config`, or a name.
        objects: the package's {name: class} table.
        kind: what the errors call the object (`'constraint'`).
        custom_objects: optional {name: class or function} for custom objects.

    Example:
        >>> deserialize_member({"class_name": "NonNeg", "config": {}}, ALL_OBJECTS, "constraint")
        <NonNeg ...>
    """
    objects = {**objects, **(custom_objects or {})}
    if isinstance(config, dict) and config.get("class_name") == "function":
        found = find_function(config.get("config"), custom_objects)
        return found if found is not None else lookup(config.get("config"), objects, kind)
    return deserialize(config, objects, kind)


def get_member(identifier, objects, kind, deserialize, functions=True):
    """`get(identifier)` for a package of objects: None, a config dict, a name (a new object
    of the class it names; with `functions`, a registered custom function of that name),
    a class (a new object of it) or a callable (itself).

    Args:
        identifier: the name, dict, class, object or function.
        objects: the package's {name: class} table.
        kind: what the errors call the object (`'regularizer'`).
        deserialize: the package's `deserialize`, for dicts.
        functions: whether a name may give a custom function.

    Example:
        >>> get_member("non_neg", ALL_OBJECTS, "constraint", deserialize)
        <NonNeg ...>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if functions and identifier not in objects and find_function(identifier) is not None:
            return find_function(identifier)
        return lookup(identifier, objects, kind)()
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError(
        f"Could not interpret {kind} identifier. Expected a string, a dict or a callable. "
        f"Received: identifier={identifier!r}"
    )

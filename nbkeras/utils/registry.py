"""Identifier lookup shared by `activations.get`, `losses.get`, `optimizers.get`, ..."""

import re


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

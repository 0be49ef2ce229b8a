"""Keras's config for a plain (custom) function passed as an activation, regularizer
or constraint, and the lookup that turns it back into the function."""


def _registration():
    try:
        from nbkeras.saving import registration
    except ImportError:  # saving is optional for these helpers
        return None
    return registration


def serialize_function(fn):
    """`{'module': 'builtins', 'class_name': 'function', 'config': name, ...}` as Keras writes
    it; `name` is the registered name (`'package>name'`) when the function is registered.

    Example:
        >>> serialize_function(my_penalty)["config"]
        'my_penalty'
    """
    reg = _registration()
    name = reg.get_registered_name(fn) if reg is not None else None
    return {"module": "builtins", "class_name": "function",
            "config": name or getattr(fn, "__name__", repr(fn)), "registered_name": "function"}


def find_function(name, custom_objects=None):
    """The custom function called `name` (in `custom_objects`, a custom-object scope or
    the registry), or None."""
    if name in (custom_objects or {}):
        return custom_objects[name]
    reg = _registration()
    return reg.get_registered_object(name) if reg is not None else None

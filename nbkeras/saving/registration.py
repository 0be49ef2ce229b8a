"""Custom classes and functions: `register_keras_serializable` and custom-object scopes.

A registered class is written with `registered_name` `'<package>>Name'` and
found again by that name on load; `custom_objects={'Name': cls}` passed to
`load_model` (or a `custom_object_scope`) does the same for one load.
"""

import contextlib

_BY_NAME = {}
_NAME_OF = {}
_scopes = []


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function for saving and loading.

    Args:
        package: the package part of the registered name.
        name: the name (the class or function name by default).

    Example:
        >>> @nbkeras.saving.register_keras_serializable(package="my_pkg")
        ... class Scale(nbkeras.layers.Layer):
        ...     ...
    """
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register a class that does not define `get_config()`. "
                             f"Received: {obj!r}")
        _BY_NAME[key] = obj
        _NAME_OF[obj] = key
        return obj

    return decorator


def get_registered_name(obj):
    """The registered name of a class or function, or None if it is not registered."""
    return _NAME_OF.get(obj)


def get_registered_object(name, custom_objects=None):
    """Look `name` up in `custom_objects`, the active scopes, then the registry (None if absent)."""
    if name is None:
        return None
    for table in [custom_objects or {}] + list(reversed(_scopes)):
        if name in table:
            return table[name]
    return _BY_NAME.get(name)


def get_custom_objects():
    """The global registry `{registered name: class or function}`."""
    return _BY_NAME


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Make `custom_objects` visible to every deserialization inside the block.

    Args:
        custom_objects: `{name: class or function}`.

    Example:
        >>> with custom_object_scope({"Scale": Scale}):
        ...     model = nbkeras.models.load_model("m.keras")
    """
    _scopes.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _scopes.pop()


def active_custom_objects():
    """All custom objects of the active scopes, innermost last."""
    merged = {}
    for table in _scopes:
        merged.update(table)
    return merged

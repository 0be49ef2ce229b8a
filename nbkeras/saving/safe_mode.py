"""`safe_mode`: whether loading may turn stored Python bytecode back into functions.

Loading is safe by default: a `Lambda` layer whose function is stored as
bytecode is refused. `safe_mode=False` (or `enable_unsafe_deserialization()`)
opts in for files you trust.
"""

import contextlib

_state = {"scope": None, "global_unsafe": False}


def in_safe_mode():
    """True unless the loading in progress (or the whole session) opted out of safe mode."""
    if _state["global_unsafe"]:
        return False
    return _state["scope"] is not False


@contextlib.contextmanager
def safe_mode_scope(safe_mode=True):
    """Set the safe-mode flag for the deserialization inside the block.

    Args:
        safe_mode: True to refuse stored bytecode, False to allow it.

    Example:
        >>> with safe_mode_scope(False):
        ...     layer = Lambda.from_config(config)
    """
    outer = _state["scope"]
    _state["scope"] = bool(safe_mode) if safe_mode is not None else outer
    try:
        yield
    finally:
        _state["scope"] = outer


def enable_unsafe_deserialization():
    """Allow loading stored Python bytecode (Lambda functions) for the rest of the session,
    whatever `safe_mode` a loader is given (as in Keras).

    Example:
        >>> nbkeras.saving.enable_unsafe_deserialization()
    """
    _state["global_unsafe"] = True


def refuse_code(what):
    """Raise the error that tells the user how to opt in to loading code.

    Args:
        what: what would be loaded, e.g. "the function of Lambda layer 'lambda'".
    """
    raise ValueError(
        f"Refusing to load {what}: it is stored as Python bytecode, and loading it would run "
        "code from the file. This is disallowed by default (safe_mode=True). If you trust the "
        "source of the file, pass `safe_mode=False` to `load_model()` (or call "
        "`nbkeras.config.enable_unsafe_deserialization()`). Received: safe_mode=True"
    )

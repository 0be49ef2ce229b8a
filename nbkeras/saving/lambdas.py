"""Python lambdas as Keras stores them: base64 of `marshal`-ed bytecode, defaults, closure.

This is the format of Keras 3's `Lambda.get_config()` (`{'code', 'defaults',
'closure'}`) and of Keras 2 (`[code, defaults, closure]`). Bytecode is specific
to the Python version that wrote it, and loading it runs code from the file, so
`load_function` is only called under `safe_mode=False`.
"""

import base64
import binascii
import builtins
import marshal
import types


def dump_function(fn):
    """Return `(code, defaults, closure)` for a Python function, as Keras writes them.

    Args:
        fn: a Python function (usually a lambda).

    Example:
        >>> code, defaults, closure = dump_function(lambda x: x * 2)
    """
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def _globals():
    import numpy as np

    import nbkeras
    from nbkeras import ops

    return {"__builtins__": builtins, "keras": nbkeras, "nbkeras": nbkeras, "ops": ops, "np": np}


def _cell(value):
    return (lambda: value).__closure__[0]


def load_function(code, defaults=None, closure=None):
    """Rebuild a function from `dump_function`'s output (runs code from the file: unsafe).

    Args:
        code: the base64 bytecode, or a `[code, defaults, closure]` list.
        defaults: the default argument values.
        closure: the closure cell values.

    Returns:
        A function whose globals offer `keras` (nbkeras), `ops` and `np`.
    """
    if isinstance(code, (list, tuple)):
        code, defaults, closure = (list(code) + [None, None])[:3]
    if not isinstance(code, str):
        raise ValueError(f"the stored function code should be a base64 string. "
                         f"Received: {type(code).__name__}")
    try:
        raw = base64.decodebytes(code.encode("ascii"))
        fn_code = marshal.loads(raw)
    except (binascii.Error, UnicodeEncodeError, EOFError, ValueError, TypeError) as exc:
        raise ValueError(
            "the stored function bytecode cannot be read; it may come from another Python "
            f"version than this one. Received: {type(exc).__name__}: {exc}") from exc
    if not isinstance(fn_code, types.CodeType):
        raise ValueError(f"the stored function is not Python bytecode. "
                         f"Received: {type(fn_code).__name__}")
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    cells = tuple(_cell(v) for v in closure) if closure is not None else None
    if len(fn_code.co_freevars) != len(cells or ()):
        raise ValueError(f"the stored function needs {len(fn_code.co_freevars)} closure values. "
                         f"Received: {len(cells or ())}")
    return types.FunctionType(fn_code, _globals(), fn_code.co_name, defaults, cells)

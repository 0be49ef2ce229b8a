"""Whether code runs in a Jupyter kernel that can show widgets (without importing IPython)."""

import importlib.util
import sys

_FORCED = None


def set_notebook_mode(value):
    """Force the notebook display on (True) or off (False); None detects it again.

    Example:
        >>> nbkeras.notebook.set_notebook_mode(False)  # text progress bars in Jupyter
    """
    global _FORCED
    _FORCED = None if value is None else bool(value)


def in_notebook():
    """True inside a Jupyter kernel (ZMQ shell) with ipywidgets installed."""
    if _FORCED is not None:
        return _FORCED
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return False
    return importlib.util.find_spec("ipywidgets") is not None


def display(obj, **kwargs):
    """IPython's `display`, imported only when called."""
    from IPython.display import display as _display

    return _display(obj, **kwargs)

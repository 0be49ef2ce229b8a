"""Whether code runs in a Jupyter kernel that shows rich outputs (without importing IPython)."""

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
    """True inside a Jupyter kernel (a ZMQ shell: a front end that shows rich outputs)."""
    if _FORCED is not None:
        return _FORCED
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def display(obj, **kwargs):
    """IPython's `display`, imported only when called."""
    from IPython.display import display as _display

    return _display(obj, **kwargs)

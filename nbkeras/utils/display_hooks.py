"""The hooks between the core and a front end: the default progress callback of `fit` and the
rich display of models and histories.

The core asks these hooks and never imports a front end itself. A front end (the Jupyter
side, `nbkeras.notebook`) fills them with `set_progress_factory` and `register_display` when
it is imported; it is imported by `load_frontend()` only once IPython is running, so a plain
`import nbkeras` in a script loads no UI code. Without a front end, `fit` prints Keras's text
progress bar and objects display as text.

Example:
    >>> from nbkeras.utils import display_hooks
    >>> display_hooks.register_display("history", lambda h, include, exclude: {"text/plain": repr(h)})
"""

import importlib
import sys

FRONTEND_MODULE = "nbkeras.notebook"  # imported by load_frontend() inside IPython

_progress_factory = None
_displays = {}
_loaded = False


def set_progress_factory(factory):
    """Install the function that picks `fit`'s progress callback.

    Args:
        factory: `factory(verbose, batch_size, samples, callbacks)` returning the list of
            callbacks to add, or NotImplemented to fall back to the text progress bar.
    """
    global _progress_factory
    _progress_factory = factory


def register_display(kind, fn):
    """Install `fn(obj, include, exclude) -> mimebundle` as the display of `kind` ("model",
    "history")."""
    _displays[kind] = fn


def load_frontend():
    """Import the front end once, when running under IPython (it registers its hooks)."""
    global _loaded
    if _loaded or "IPython" not in sys.modules:
        return
    _loaded = True
    importlib.import_module(FRONTEND_MODULE)


def progress_callbacks(verbose, batch_size, samples, callbacks):
    """The progress callbacks `fit` adds: the front end's, else Keras's text bar
    (`ProgbarLogger`, unless the callbacks given already hold one)."""
    from nbkeras.callbacks.progbar_logger import ProgbarLogger

    load_frontend()
    if _progress_factory is not None:
        chosen = _progress_factory(verbose, batch_size, samples, callbacks)
        if chosen is not NotImplemented:
            return list(chosen)
    if verbose and not any(isinstance(c, ProgbarLogger) for c in callbacks):
        return [ProgbarLogger()]
    return []


def mimebundle(kind, obj, include=None, exclude=None):
    """The display bundle of `obj` from the front end registered for `kind`; text otherwise."""
    load_frontend()
    fn = _displays.get(kind)
    if fn is None:
        return {"text/plain": repr(obj)}
    return fn(obj, include, exclude)

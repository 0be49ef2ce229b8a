"""Traceback filtering, as Keras does it: an error raised inside `fit`, `evaluate`, `predict` or
a layer call shows the user's frames and the message, not nbkeras's own frames; and for the
common label mistakes (one-hot labels with a sparse loss, and the reverse) a hint is added.

`nbkeras.config.disable_traceback_filtering()` shows every frame again.
"""

import functools
import os
import types

_ENABLED = True
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_enabled():
    return _ENABLED


def set_enabled(value):
    global _ENABLED
    _ENABLED = bool(value)


def _internal(frame):
    return frame.f_code.co_filename.startswith(_ROOT)


def filtered(tb):
    """The traceback without nbkeras's frames; when all are nbkeras's, only the innermost one
    (where the error was raised) is kept, as Keras does."""
    kept, last = [], None
    node = tb
    while node is not None:
        if not _internal(node.tb_frame):
            kept.append(node)
        last = node
        node = node.tb_next
    if not kept and last is not None:
        kept = [last]
    out = None
    for node in reversed(kept):
        out = types.TracebackType(out, node.tb_frame, node.tb_lasti, node.tb_lineno)
    return out


def _function_names(tb):
    names = set()
    while tb is not None:
        names.add(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return names


_HINTS = (
    ("sparse_categorical_crossentropy", "same shape up until the last dimension",
     "Hint: the labels look one-hot (one column per class), but the loss is "
     "`sparse_categorical_crossentropy`, which expects integer class indices. Use "
     "`loss='categorical_crossentropy'`, or pass `y.argmax(axis=-1)`."),
    ("categorical_crossentropy", "must have the same shape",
     "Hint: the labels look like integer class indices, but the loss is "
     "`categorical_crossentropy`, which expects one-hot labels (one column per class). Use "
     "`loss='sparse_categorical_crossentropy'`, or pass `keras.utils.to_categorical(y)`."),
)


def hint_for(error, tb):
    """A hint for a common mistake behind `error`, or None."""
    if not isinstance(error, ValueError):
        return None
    names, message = _function_names(tb), str(error)
    for loss, pattern, hint in _HINTS:
        if loss in names and pattern in message:
            return hint
    return None


def filter_traceback(fn):
    """Decorate a public entry point so that its errors show the user's frames only."""
    @functools.wraps(fn)
    def error_handler(*args, **kwargs):
        if not _ENABLED:
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            tb = e.__traceback__
            if not getattr(e, "_nbkeras_hinted", False):  # once, where it is first caught
                hint = hint_for(e, tb)
                if hint is not None and hasattr(e, "add_note"):
                    e.add_note(hint)
                try:
                    e._nbkeras_hinted = True
                except AttributeError:
                    pass
            raise e.with_traceback(filtered(tb))
    return error_handler

"""Callbacks: hooks into `fit`, `evaluate` and `predict`.

Example:
    >>> model.fit(x, y, callbacks=[nbkeras.callbacks.History()])
"""

from nbkeras.callbacks.callback import Callback  # noqa: F401
from nbkeras.callbacks.callback_list import CallbackList  # noqa: F401
from nbkeras.callbacks.history import History  # noqa: F401
from nbkeras.callbacks.progbar_logger import ProgbarLogger  # noqa: F401

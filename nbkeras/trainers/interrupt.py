"""Deferred Ctrl-C (and Jupyter's Stop button) so training stops only between batches."""

import _signal
import threading

# `signal.signal` wraps the C function to convert handlers to and from enums (several
# microseconds a call, twice per `predict`); the C function takes and returns the same
# handlers, so the guard calls it directly.
_SIGINT = _signal.SIGINT


class DeferredInterrupt:
    """Within this context, a first SIGINT only sets `requested`; a second one raises at once.

    Outside the main thread (where signals cannot be caught) it does nothing.

    Example:
        >>> with DeferredInterrupt() as guard:
        ...     for batch in batches:
        ...         step(batch)
        ...         if guard.requested:
        ...             break
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        self.requested = False
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = _signal.signal(_SIGINT, self._handler)
            except ValueError:
                self._previous = None
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            _signal.signal(_SIGINT, self._previous)
            self._previous = None
        return False

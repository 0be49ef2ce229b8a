"""Deferred Ctrl-C (and Jupyter's Stop button) so training stops only between batches."""

import signal
import threading


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
                self._previous = signal.signal(signal.SIGINT, self._handler)
            except ValueError:
                self._previous = None
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False

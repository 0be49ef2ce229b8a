"""`RemoteMonitor`: not available in nbkeras (see `nbkeras.callbacks`)."""

from nbkeras.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Not available: creating one raises NotImplementedError.

    Keras's RemoteMonitor POSTs every epoch's logs to an HTTP server; nbkeras targets local
    notebooks and makes no network requests. Use a `LambdaCallback` that sends the logs
    where you need them.

    Example:
        >>> nbkeras.callbacks.RemoteMonitor(root="http://localhost:9000")
        Traceback (most recent call last):
        NotImplementedError: ...
    """

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "nbkeras has no RemoteMonitor callback: nbkeras makes no network requests. Send "
            "the logs yourself with nbkeras.callbacks.LambdaCallback(on_epoch_end=lambda "
            f"epoch, logs: ...). Received: args={args}, kwargs={kwargs}")

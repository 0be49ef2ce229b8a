"""`TensorBoard`: not available in nbkeras (see `nbkeras.callbacks`)."""

from nbkeras.callbacks.callback import Callback


class TensorBoard(Callback):
    """Not available: creating one raises NotImplementedError.

    Keras's TensorBoard callback writes TensorFlow event files through TensorFlow's
    summary API; nbkeras runs on NumPy and Numba and never imports TensorFlow. Use
    `CSVLogger` or the `History` returned by `fit` (plot `history.history`) instead.

    Example:
        >>> nbkeras.callbacks.TensorBoard(log_dir="./logs")
        Traceback (most recent call last):
        NotImplementedError: ...
    """

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "nbkeras has no TensorBoard callback: TensorBoard logs are TensorFlow event files "
            "written with TensorFlow, which nbkeras does not use. Log with "
            "nbkeras.callbacks.CSVLogger('log.csv') or plot the History that fit() returns. "
            f"Received: args={args}, kwargs={kwargs}")

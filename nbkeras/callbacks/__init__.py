"""Callbacks: hooks into `fit`, `evaluate` and `predict`, as in Keras 3.

Available: `Callback`, `CallbackList`, `History`, `ProgbarLogger`, `EarlyStopping`,
`ModelCheckpoint`, `LearningRateScheduler`, `ReduceLROnPlateau`, `TerminateOnNaN`,
`CSVLogger`, `LambdaCallback`, `BackupAndRestore` and `LivePlot` (live curves in Jupyter).

Not available: `TensorBoard` (its event files are written by TensorFlow, which nbkeras does
not use) and `RemoteMonitor` (nbkeras makes no network requests). Both names exist so that
Keras code fails clearly: creating one raises NotImplementedError saying what to use instead
(`CSVLogger`, the `History` returned by `fit`, or a `LambdaCallback`).

Example:
    >>> stop = nbkeras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    >>> model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[stop])
"""

from nbkeras.callbacks.backup_and_restore import BackupAndRestore  # noqa: F401
from nbkeras.callbacks.callback import Callback  # noqa: F401
from nbkeras.callbacks.callback_list import CallbackList  # noqa: F401
from nbkeras.callbacks.csv_logger import CSVLogger  # noqa: F401
from nbkeras.callbacks.early_stopping import EarlyStopping  # noqa: F401
from nbkeras.callbacks.history import History  # noqa: F401
from nbkeras.callbacks.lambda_callback import LambdaCallback  # noqa: F401
from nbkeras.callbacks.learning_rate_scheduler import LearningRateScheduler  # noqa: F401
from nbkeras.callbacks.model_checkpoint import ModelCheckpoint  # noqa: F401
from nbkeras.callbacks.progbar_logger import ProgbarLogger  # noqa: F401
from nbkeras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau  # noqa: F401
from nbkeras.callbacks.remote_monitor import RemoteMonitor  # noqa: F401
from nbkeras.callbacks.tensorboard import TensorBoard  # noqa: F401
from nbkeras.callbacks.terminate_on_nan import TerminateOnNaN  # noqa: F401


def __getattr__(name):
    # LivePlot is a notebook display: it lives in nbkeras.notebook and loads on first use.
    if name == "LivePlot":
        from nbkeras.notebook.live_plot import LivePlot

        return LivePlot
    raise AttributeError(f"module 'nbkeras.callbacks' has no attribute {name!r}")

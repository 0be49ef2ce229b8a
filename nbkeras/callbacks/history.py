"""`History`: records the logs of every epoch; `fit` returns it."""

from nbkeras.callbacks.callback import Callback


class History(Callback):
    """Records per-epoch logs in `history.history` ({'loss': [...], 'val_loss': [...]}).

    `fit` returns its History; `history.epoch` lists the epochs run.

    Example:
        >>> h = model.fit(x, y, epochs=3, verbose=0)
        >>> len(h.history["loss"])
        3
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.interrupted = False

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.interrupted = False

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter display (filled by the front end): the interactive chart, a PNG and text."""
        from nbkeras.utils import display_hooks

        return display_hooks.mimebundle("history", self, include, exclude)

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"<History epochs={len(self.epoch)} keys=[{keys}]>"

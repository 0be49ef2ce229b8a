"""`ProgbarLogger`: the text progress display behind `verbose=1` and `verbose=2`."""

from nbkeras.callbacks.callback import Callback
from nbkeras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a progress bar (verbose=1) or one line per epoch (verbose=2).

    On a terminal the bar redraws in place, throttled; elsewhere one line per
    epoch is printed, so output never floods.

    Example:
        >>> model.fit(x, y, epochs=2, callbacks=[nbkeras.callbacks.ProgbarLogger()])
    """

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.steps = None
        self._bar = None

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1) or 1
        self.epochs = params.get("epochs", 1)
        self.steps = params.get("steps")

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self._bar = Progbar(self.steps, verbose=self.verbose)
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None and self._bar.dynamic and self.verbose == 1:
            self._bar.update(self._seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self._seen, list((logs or {}).items()), finalize=True)
            self._bar = None

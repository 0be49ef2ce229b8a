"""`WidgetProgbar`: the compact one-row progress display of `fit(verbose=1)` in Jupyter.

One row: the epoch bar, the batch bar, ETA and samples/s, and the latest loss and metrics
(train and validation). The widgets are updated at most `1 / interval` times a second,
whatever the number of batches, so the training loop stays lean. If `fit` raises, the
row turns red and shows the error.
"""

import html
import time

from nbkeras.callbacks.progbar_logger import ProgbarLogger
from nbkeras.utils.progbar import format_value


def _fmt_eta(seconds):
    seconds = int(round(max(seconds, 0)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class WidgetProgbar(ProgbarLogger):
    """The ipywidgets progress row used by `fit(verbose=1)` in Jupyter.

    Args:
        batch_size: samples per batch (for samples/s).
        samples: training samples per epoch (the last batch may be short).
        interval: the minimum seconds between widget updates (0.25: at most 4 a second).

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[WidgetProgbar(batch_size=32)])
    """

    def __init__(self, batch_size=None, samples=None, interval=0.25):
        super().__init__()
        self.batch_size = batch_size
        self.samples = samples
        self.interval = interval
        self.box = None
        self.updates = 0  # widget refreshes so far (tests check the throttle)
        self._next = 0.0
        self._train_logs = {}
        self._val_logs = {}

    # ------------------------------------------------------------ widgets
    def _build(self):
        import ipywidgets as widgets

        self.title = widgets.Label(value="")
        self.epoch_bar = widgets.IntProgress(value=0, min=0, max=max(int(self.epochs), 1),
                                             description="epoch",
                                             layout=widgets.Layout(width="170px"))
        self.batch_bar = widgets.IntProgress(value=0, min=0, max=max(int(self.steps or 1), 1),
                                             description="batch",
                                             layout=widgets.Layout(width="210px"))
        self.info = widgets.HTML(value="")
        self.box = widgets.HBox([self.title, self.epoch_bar, self.batch_bar, self.info],
                                layout=widgets.Layout(align_items="center"))

    def on_train_begin(self, logs=None):
        self._build()
        from nbkeras.notebook.environment import display

        display(self.box)
        self._fit_start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = time.perf_counter()
        self._seen_steps = 0
        self._next = 0.0
        self.title.value = f"Epoch {epoch + 1}/{self.epochs}"
        self.batch_bar.value = 0
        self.batch_bar.bar_style = ""

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self._seen_steps = batch + 1
        if now < self._next:
            return
        self._next = now + self.interval
        self._train_logs = logs or {}
        self._refresh(now)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        self._val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        self.epoch_bar.value = epoch + 1
        self._refresh(time.perf_counter(), epoch_done=True)

    def on_train_end(self, logs=None):
        if self.box is None:
            return
        if getattr(self.model, "history", None) is not None and self.model.history.interrupted:
            self.epoch_bar.bar_style = self.batch_bar.bar_style = "warning"
            self.title.value = "Interrupted"
        else:
            self.epoch_bar.bar_style = self.batch_bar.bar_style = "success"

    def on_fit_error(self, error):
        """Called by `fit` when it raises: turn the row red and show the error."""
        if self.box is None:
            return
        self.epoch_bar.bar_style = self.batch_bar.bar_style = "danger"
        self.title.value = "Failed"
        msg = html.escape(f"{type(error).__name__}: {error}")
        self.info.value = f'<span style="color:#c62828"><b>{msg}</b></span>'

    # ------------------------------------------------------------- text
    def _refresh(self, now, epoch_done=False):
        self.updates += 1
        known = bool(self.steps)  # a generator without steps_per_epoch: unknown until it ends
        steps = self.steps if known else max(self._seen_steps, 1)
        if not known:
            self.batch_bar.max = max(self.batch_bar.max, steps)
        done = steps if epoch_done else self._seen_steps
        self.batch_bar.value = done
        elapsed = now - self._epoch_start
        parts = []
        if known and not epoch_done and done:  # this epoch's batches left, then the epochs left
            left = (steps - done) + (int(self.epochs) - self._epoch - 1) * steps
            parts.append(f"ETA {_fmt_eta(elapsed / done * left)}")
        if elapsed > 0 and done:
            seen = done * self.batch_size if self.batch_size else done
            if self.samples and epoch_done:
                seen = min(seen, self.samples)
            unit = "samples/s" if self.batch_size else "steps/s"
            parts.append(f"{seen / elapsed:,.0f} {unit}")
        text = " · ".join(parts)
        metrics = " ".join(f"{html.escape(k)} <b>{format_value(v)}</b>"
                           for k, v in self._train_logs.items())
        val = " ".join(f"{html.escape(k)} <b>{format_value(v)}</b>"
                       for k, v in self._val_logs.items())
        pieces = [p for p in (text, metrics, val) if p]
        self.info.value = '<span style="font-family:monospace">' + " │ ".join(pieces) + "</span>"

    def __repr__(self):
        return f"<WidgetProgbar epochs={self.epochs} steps={self.steps}>"

"""`LivePlot`: training curves redrawn during `fit` in Jupyter (matplotlib Agg PNGs)."""

import time

from nbkeras.callbacks.callback import Callback


class LivePlot(Callback):
    """Draws the training curves while `fit` runs, in Jupyter.

    One panel per quantity (train vs validation), the best epoch marked, the learning
    rate when it changes, and optionally every batch's values as faint points. The figure
    is a matplotlib Agg PNG drawn into an `ipywidgets.Image`; redraws are throttled so that
    drawing costs at most about `max_overhead` of the training time. When `fit` ends the
    widget is replaced by a plain PNG output, so saved notebooks show the final figure.
    Outside Jupyter it draws nothing (unless `to_file` is given, written at the end).
    `nbkeras.config.set_live_plot(True)` adds one to every `fit`.

    Args:
        per_batch: also plot each batch's values.
        min_interval: the minimum seconds between redraws.
        max_overhead: the largest fraction of the training time spent on redraws during
            `fit` (0.015); the final figure is drawn once more at the end.
        to_file: a path to save the final PNG to.

    Example:
        >>> model.fit(x, y, epochs=20, validation_split=0.2,
        ...           callbacks=[nbkeras.callbacks.LivePlot()])
    """

    def __init__(self, per_batch=False, min_interval=1.0, max_overhead=0.015, to_file=None,
                 dpi=72):
        super().__init__()
        self.per_batch = per_batch
        self.min_interval = min_interval
        self.max_overhead = max_overhead
        self.to_file = to_file
        self.dpi = dpi
        self.image = None
        self.draws = 0
        self.draw_seconds = 0.0
        self.png = None
        if per_batch:  # bound on the instance only when asked: the hot loop stays lean
            self.on_train_batch_end = self._on_batch_end

    def on_train_begin(self, logs=None):
        from nbkeras.notebook.environment import in_notebook

        self.history, self.epochs_seen, self.learning_rates = {}, [], []
        self.batch_points = {}
        self.steps = self.params.get("steps") or 1
        self._epoch = 0
        self._next = 0.0
        self._start = time.perf_counter()
        self._last_took = 0.0
        self._dirty = False
        self.draws, self.draw_seconds = 0, 0.0
        self.image = None
        if in_notebook():
            import ipywidgets as widgets

            from nbkeras.notebook.environment import display

            self.image = widgets.Image(format="png")
            display(self.image)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _on_batch_end(self, batch, logs=None):
        x = self._epoch + (batch + 1) / self.steps
        for k, v in (logs or {}).items():
            xs, ys = self.batch_points.setdefault(k, ([], []))
            xs.append(x)
            ys.append(float(v))
        self._maybe_draw()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_seen.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        rate = self._learning_rate()
        if rate is not None:
            self.learning_rates.append(rate)
        self._dirty = True
        self._maybe_draw()

    def _learning_rate(self):
        try:
            from nbkeras.callbacks._utils import get_lr

            return float(get_lr(self.model.optimizer))
        except Exception:
            return None

    def _maybe_draw(self):
        if self.image is None:
            return
        now = time.perf_counter()
        # Draw only when the time spent drawing, this draw included, stays within budget.
        budget = self.max_overhead * (now - self._start)
        if now < self._next or self.draw_seconds + self._last_took > budget:
            self._dirty = True
            return
        self._draw()
        self._last_took = time.perf_counter() - now
        self._next = now + self._last_took + self.min_interval

    def _draw(self):
        from nbkeras.notebook.plotting import curves_png

        t0 = time.perf_counter()
        if not self.history and not self.batch_points:
            return
        self.png = curves_png(self.history, epochs=self.epochs_seen,
                              learning_rates=self.learning_rates,
                              batch_points=self.batch_points or None, dpi=self.dpi)
        if self.image is not None:
            self.image.value = self.png
        self._dirty = False
        self.draws += 1
        self.draw_seconds += time.perf_counter() - t0

    def on_train_end(self, logs=None):
        if self.image is None and not self.to_file:
            return
        if self._dirty or self.png is None:
            self._draw()
        if self.to_file and self.png:
            with open(self.to_file, "wb") as f:
                f.write(self.png)
        if self.image is not None:
            from nbkeras.notebook.environment import display

            self.image.close()
            self.image = None
            if self.png:
                from IPython.display import Image

                display(Image(data=self.png, format="png"))

    def __repr__(self):
        return f"<LivePlot per_batch={self.per_batch}>"

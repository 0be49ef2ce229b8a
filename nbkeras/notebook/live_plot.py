"""`LivePlot`: live training curves in Jupyter, drawn in the browser from streamed data."""

from nbkeras.notebook.live_training import LiveTraining


class LivePlot(LiveTraining):
    """Shows the training curves while `fit` runs, in Jupyter (also `nbkeras.callbacks.LivePlot`).

    One panel per quantity (train vs validation), the best epoch marked, the learning rate
    when it changes, and optionally every batch's values as faint points; the curves sit
    under the progress row in the fit's one output. JupyterLab with the nbkeras extension
    draws them interactively (hover values, zoom, log scale, legend toggles); elsewhere the
    output ends as a PNG. A LivePlot shows its output even with `verbose=0`, and
    `nbkeras.config.set_live_plot(True)` adds one to every `fit`. Outside Jupyter it shows
    nothing, and writes the final PNG when `to_file` is given.

    Args:
        per_batch: also plot each batch's values.
        min_interval: the minimum seconds between two updates of the chart.
        max_overhead: the largest share of the training time spent on updates (0.01).
        to_file: a path to save the final PNG to.

    Example:
        >>> model.fit(x, y, epochs=20, validation_split=0.2,
        ...           callbacks=[nbkeras.callbacks.LivePlot(per_batch=True)])
    """

    def __init__(self, per_batch=False, min_interval=0.25, max_overhead=0.01, to_file=None):
        from nbkeras.notebook.environment import in_notebook

        super().__init__(per_batch=per_batch, interval=min_interval, max_overhead=max_overhead,
                         display=in_notebook())
        self.to_file = to_file

    def on_train_begin(self, logs=None):
        from nbkeras.notebook.environment import in_notebook

        self.show = in_notebook()
        super().on_train_begin(logs)

    def _finish(self, status, error=""):
        finished = self._finished
        super()._finish(status, error)
        if finished or not self.to_file or not self.epochs_seen:
            return
        from nbkeras.notebook.plotting import curves_png

        points = {k: (self.batch_x, v) for k, v in self.batch_series.items()} or None
        png = curves_png(self.history, epochs=self.epochs_seen,
                         learning_rates=self.learning_rates, batch_points=points)
        with open(self.to_file, "wb") as f:
            f.write(png)

    def __repr__(self):
        return f"<LivePlot per_batch={self.per_batch}>"

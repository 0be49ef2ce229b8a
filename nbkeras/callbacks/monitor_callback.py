"""`MonitorCallback`: the shared base of callbacks that watch one logged quantity."""

import operator
import warnings

from nbkeras.callbacks.callback import Callback

# Keras's metric directions ("up": larger is better), by metric class name.
_UP = {
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "AUC", "Precision", "Recall",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
    "SpecificityAtSensitivity", "CosineSimilarity", "R2Score", "PearsonCorrelation",
    "ConcordanceCorrelation", "FBetaScore", "F1Score", "IoU", "BinaryIoU", "MeanIoU",
    "OneHotIoU", "OneHotMeanIoU",
}
_DOWN = {
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "LogCoshError", "Hinge",
    "SquaredHinge", "CategoricalHinge", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
}


def metric_direction(metric):
    """'up', 'down' or None: whether larger or smaller values of `metric` are better."""
    direction = getattr(metric, "_direction", None)
    if direction in ("up", "down"):
        return direction
    for cls in type(metric).__mro__:
        if cls.__name__ in _UP:
            return "up"
        if cls.__name__ in _DOWN:
            return "down"
    if type(metric).__name__ == "MeanMetricWrapper":
        from nbkeras import losses

        fn = getattr(metric, "_fn", None)
        if getattr(fn, "__module__", "").startswith("nbkeras.losses") or callable(
                getattr(losses, metric.name, None)):
            return "down"
    return None


class MonitorCallback(Callback):
    """Base of `EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau`: tracks `monitor`.

    Args:
        monitor: the logged quantity to watch (`'val_loss'`).
        mode: `'min'`, `'max'`, or `'auto'` (guessed from the metric: losses and errors
            go down, accuracies and AUC go up).
        baseline: the starting best value, or None to take the first value seen.
        min_delta: how much better than the best a value must be to count as better.

    Example:
        >>> class Best(MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         if self.monitor_op is None:
        ...             self._set_monitor_op()
        ...         if self._is_improvement(logs[self.monitor], self.best):
        ...             self.best = logs[self.monitor]
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Choose `<` or `>` from `mode` (or the metric); for `<`, `min_delta` turns negative."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in _compile_metrics(self.model):
                if metric.name == name:
                    direction = metric_direction(metric)
                    if direction is not None:
                        self.monitor_op = operator.gt if direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "nbkeras can't tell whether that metric should be maximized or minimized. "
                    "Pass `mode='max'` to keep its highest values or `mode='min'` to keep its "
                    f"lowest. Received: monitor={self.monitor!r}, mode='auto'"
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _compile_metrics(model):
    """The compiled metrics of `model` (not its loss trackers), as Keras's `auto` mode sees them."""
    state = getattr(model, "_compiled_state", None)
    if state is None or not getattr(state, "built", False):
        return []
    metrics = []
    for ms, ws in zip(state.metrics, state.weighted):
        metrics.extend(ms)
        metrics.extend(ws)
    return metrics

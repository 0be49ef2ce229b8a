"""`LiveTraining`: the one output of `fit` in Jupyter: the progress row and the live curves.

The kernel shows one display (`application/vnd.nbkeras.training+json` plus a `text/plain`
line) and updates it in place through its display id, throttled: at most every `interval`
seconds, and never more often than keeps the update cost under `max_overhead` of the training
time. JupyterLab with the nbkeras extension draws the row and the charts from that data in
the browser; classic Notebook, VS Code and nbconvert show (and update) the text line. When
`fit` ends, fails or is interrupted, the display becomes the static record: the history as
`application/vnd.nbkeras.history+json`, a PNG of the curves and a text summary, so a saved
notebook needs neither a kernel nor widget state to show the result.
"""

import time

from nbkeras.callbacks.callback import Callback
from nbkeras.notebook.training_record import (TRAINING_MIME, best_of, history_payload,
                                              record_bundle, summary_text)

BATCH_POINTS = 2000  # per-batch points kept per series; older ones are thinned by half


class LiveTraining(Callback):
    """The progress row and live training curves of `fit(verbose=1)` in Jupyter.

    Args:
        per_batch: also stream each batch's values as faint points.
        interval: the minimum seconds between two updates of the display.
        max_overhead: the largest share of the training time spent on updates (0.01).
        callbacks: the fit's other callbacks (to say why training stopped early).
        batch_size: samples per batch, for samples/s.
        samples: training samples per epoch.
        display: show the live output (False: only record, e.g. outside Jupyter).

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[LiveTraining(per_batch=True)])
    """

    def __init__(self, per_batch=False, interval=0.25, max_overhead=0.01, callbacks=None,
                 batch_size=None, samples=None, display=True):
        super().__init__()
        self.per_batch = per_batch
        self.interval = interval
        self.max_overhead = max_overhead
        self.callbacks = list(callbacks or [])
        self.batch_size = batch_size
        self.samples = samples
        self.show = display
        self.handle = None
        self.updates = 0  # display updates sent so far
        self.update_seconds = 0.0
        self.payload = None
        self._reset()

    def _reset(self):
        self.history, self.epochs_seen, self.learning_rates = {}, [], []
        self.batch_x, self.batch_series, self._stride = [], {}, 1
        self._epoch, self._step, self._logs = 0, 0, {}
        self._next = 0.0
        self._finished = False

    # ----------------------------------------------------------- hooks
    def set_params(self, params):
        super().set_params(params)
        self.epochs = params.get("epochs", 1)
        self.steps = params.get("steps")

    def on_train_begin(self, logs=None):
        self._reset()
        self.updates, self.update_seconds = 0, 0.0
        self._start = self._epoch_start = time.perf_counter()
        if self.show:
            from nbkeras.notebook.environment import display

            payload = self._payload("running")
            self.handle = display({TRAINING_MIME: payload, "text/plain": summary_text(payload)},
                                  raw=True, display_id=True)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._step = epoch, 0
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._step = batch + 1
        self._logs = logs or {}
        if self.per_batch:
            self._record_batch(batch)
        if self.handle is not None and time.perf_counter() >= self._next:
            self._push()

    def _record_batch(self, batch):
        if batch % self._stride:
            return
        steps = self.steps or max(self._step, 1)
        self.batch_x.append(self._epoch + (batch + 1) / steps)
        for k, v in self._logs.items():
            self.batch_series.setdefault(k, []).append(float(v))
        if len(self.batch_x) >= BATCH_POINTS:  # thin: every other point, and record half as often
            self.batch_x = self.batch_x[::2]
            self.batch_series = {k: v[::2] for k, v in self.batch_series.items()}
            self._stride *= 2

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_seen.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))
        rate = self._learning_rate()
        if rate is not None:
            self.learning_rates.append(rate)
        self._step = self.steps or self._step
        if self.handle is not None and time.perf_counter() >= self._next:
            self._push()

    def on_train_end(self, logs=None):
        history = getattr(self.model, "history", None)
        if history is not None and getattr(history, "interrupted", False):
            self._finish("interrupted")
        elif getattr(self.model, "stop_training", False) and self._epochs_left():
            self._finish("stopped_early")
        else:
            self._finish("completed")

    def on_fit_error(self, error):
        """Called by `fit` when it raises: the record says so, with the error text."""
        if isinstance(error, KeyboardInterrupt):  # a second Ctrl-C: stopped, not broken
            self._finish("interrupted")
        else:
            self._finish("failed", error=f"{type(error).__name__}: {error}")

    # --------------------------------------------------------- payload
    def _epochs_left(self):
        done = self.epochs_seen[-1] + 1 if self.epochs_seen else 0
        return done < int(self.epochs)

    def _learning_rate(self):
        try:
            from nbkeras.callbacks._utils import get_lr

            return float(get_lr(self.model.optimizer))
        except Exception:
            return None

    def _progress(self, now, running=True):
        steps = self.steps
        elapsed = now - self._epoch_start
        eta = None
        if running and steps and self._step:
            left = (steps - self._step) + (int(self.epochs) - self._epoch - 1) * steps
            eta = elapsed / self._step * left
        rate = ""
        if elapsed > 0 and self._step:
            if self.batch_size:
                seen = self._step * self.batch_size
                if self.samples:
                    seen = min(seen, self.samples)
                rate = f"{seen / elapsed:,.0f} samples/s"
            else:
                rate = f"{self._step / elapsed:,.1f} steps/s"
        return {"epoch": self._epoch, "epochs": int(self.epochs), "step": self._step,
                "steps": steps, "eta": eta, "rate": rate,
                "logs": {k: float(v) for k, v in self._logs.items()}}

    def _stop_reason(self):
        """(reason, monitor, restored epoch) from the callback that stopped training."""
        for cb in self.callbacks:
            name = type(cb).__name__
            if name == "EarlyStopping":
                restored = cb.best_epoch if cb.restore_best_weights and cb.best_weights is not None \
                    else None
                if getattr(cb, "stopped_epoch", 0) > 0:
                    n = cb.patience
                    return (f"EarlyStopping: {cb.monitor} did not improve for {n} "
                            f"epoch{'' if n == 1 else 's'}", cb.monitor, restored)
                return "", cb.monitor, restored
            if name == "TerminateOnNaN" and self.history.get("loss") and \
                    self.history["loss"][-1] != self.history["loss"][-1]:
                return "TerminateOnNaN: the loss became NaN", None, None
        return "", None, None

    def _payload(self, status, error=""):
        now = time.perf_counter()
        reason, monitor, restored = self._stop_reason() if status != "running" else ("", None,
                                                                                     None)
        if status == "stopped_early" and not reason:
            reason = "A callback set model.stop_training."
        batches = {"x": self.batch_x, "series": self.batch_series} if self.batch_x else None
        return history_payload(
            self.history, epochs=self.epochs_seen, learning_rates=self.learning_rates,
            batches=batches, status=status, reason=reason,
            best=best_of(self.history, monitor), restored_epoch=restored,
            elapsed=now - self._start, epochs_requested=int(self.epochs), error=error,
            progress=self._progress(now, running=status == "running"))

    def _push(self):
        t0 = time.perf_counter()
        payload = self._payload("running")
        self.handle.update({TRAINING_MIME: payload, "text/plain": summary_text(payload)},
                           raw=True)
        took = time.perf_counter() - t0
        self.updates += 1
        self.update_seconds += took
        self._next = time.perf_counter() + max(self.interval, took / self.max_overhead)

    def _finish(self, status, error=""):
        if self._finished:
            return
        self._finished = True
        self.payload = self._payload(status, error)
        if self.handle is None:
            return
        points = None
        if self.batch_x:
            points = {k: (self.batch_x, v) for k, v in self.batch_series.items()}
        data, metadata = record_bundle(self.payload, batch_points=points)
        self.handle.update(data, metadata=metadata, raw=True)
        self.handle = None

    def __repr__(self):
        return f"<LiveTraining per_batch={self.per_batch}>"

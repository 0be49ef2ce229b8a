"""`Trainer`: compile, fit, evaluate and predict, mixed into `Model`."""

import contextlib
import inspect
import sys
import time

import numpy as np

from nbkeras import config
from nbkeras import optimizers as optimizers_module
from nbkeras.callbacks.callback import Callback
from nbkeras.callbacks.callback_list import CallbackList
from nbkeras.layers import layer as layer_module
from nbkeras.callbacks.history import History
from nbkeras.callbacks.progbar_logger import ProgbarLogger
from nbkeras.utils import display_hooks
from nbkeras.utils.traceback_utils import filter_traceback
from nbkeras.ops import core
from nbkeras.backend import active as _device
from nbkeras.ops.core import GradientTape, unwrap
from nbkeras.trainers import data as data_utils
from nbkeras.trainers import forward_plan, step_plan
from nbkeras.trainers import data_validation
from nbkeras.trainers.compile_utils import CompileMetrics, CompiledState, as_list
from nbkeras.trainers.data import (pack_x_y_sample_weight, pythonify_logs,
                                   unpack_x_y_sample_weight)
from nbkeras.backend.memory import release_free_memory
from nbkeras.layers.node import KerasTensor
from nbkeras.trainers.batch_sources import ArrayBatches, DatasetBatches, is_dataset
from nbkeras.trainers.interrupt import DeferredInterrupt
from nbkeras.trainers.steady import steady_training


class Trainer:
    """Training loop methods shared by every model."""

    _governs_threads = True  # `model(x)` sizes the GEMM lanes (see `Layer.__call__`)

    def __call__(self, inputs, *args, **kwargs):
        # An inference `model(x)` of one array replays the forward plan `predict` uses
        # (the same kernels on the same arrays: the same numbers), else Layer.__call__.
        # (A layer's or a tape's call passes a Tensor: one type check.)
        if type(inputs) is np.ndarray and not args and (not kwargs or (
                len(kwargs) == 1 and kwargs.get("training", 1) in (None, False))):
            out = forward_plan.call(self, inputs)
            if out is not forward_plan.NOT_ROUTED:
                return out
        return super().__call__(inputs, *args, **kwargs)

    def _init_trainer(self):
        self.compiled = False
        self.optimizer = None
        self._compiled_state = None
        self.stop_training = False
        self.history = None
        self._invalidate_caches()

    # ------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configure the model for training.

        Args:
            optimizer: a name (`'rmsprop'`, `'adam'`, `'sgd'`) or an Optimizer.
            loss: a name, function or Loss (or a list/dict of them, one per output).
            loss_weights: scalars weighting each output's loss.
            metrics: names, functions or Metric objects (`'accuracy'` is resolved to
                binary, categorical or sparse accuracy from the data's shapes).
            weighted_metrics: metrics that also take `sample_weight` / `class_weight`.

        Example:
            >>> model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        """
        kwargs.pop("sample_weight_mode", None)
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `compile()`: {kwargs}. Received: {kwargs}")
        self.optimizer = optimizers_module.get(optimizer)
        self._compiled_state = CompiledState(loss, loss_weights, metrics, weighted_metrics)
        self.compiled = True
        self.loss = loss
        self._invalidate_caches()

    def _takes_text(self):
        """Whether the data may be text (`_accepts_strings`), asked only when it is."""
        return self._accepts_strings

    def _invalidate_caches(self):
        """Forget the cached variable lists (after layers or trainability change)."""
        self._train_vars_cache = None
        self._weight_regs = None

    def _assert_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f"You must call `compile()` before using the model in `{what}()`. "
                "Received: compiled=False"
            )

    @property
    def metrics(self):
        """The metric objects, in Keras's order: the loss tracker, `compile_metrics` (the
        metrics given to `compile()`, as one metric), each output's loss tracker, then the
        metrics kept as attributes of the model. `fit` and `evaluate` reset them
        (`reset_metrics`) and log them (`get_metrics_result`); override this property to
        choose which ones.

        Example:
            >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
            >>> [m.name for m in model.metrics]
            ['loss', 'compile_metrics']
        """
        out = []
        state = self._compiled_state
        if self.compiled and state is not None:
            out.append(state.loss_tracker)
            if state.compile_metrics is not None:
                out.append(state.compile_metrics)
            out.extend(state.output_loss_trackers)
        out.extend(self.__dict__.get("_tracked_metrics", ()))
        return out

    @property
    def metrics_variables(self):
        """The state variables of every metric in `metrics`.

        Example:
            >>> [v.path for v in model.metrics_variables][:2]
            ['loss/total', 'loss/count']
        """
        return [v for m in self.metrics for v in m.variables]

    @property
    def metrics_names(self):
        """Names of the values `evaluate` returns, in its list order."""
        if not self.compiled:
            return []
        return self._names_in_order(self.get_metrics_result())

    def reset_metrics(self):
        """Reset the state of every metric in `self.metrics` (`fit` does it each epoch).

        Example:
            >>> model.reset_metrics()
        """
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """The result of every metric in `self.metrics`, as a dict of Python floats
        (`compile_metrics`' dict is merged in).

        Example:
            >>> model.get_metrics_result()
            {'loss': 0.25, 'mae': 0.4}
        """
        logs = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[m.name] = result
        return pythonify_logs(logs)

    def _get_metrics_result_or_logs(self, logs):
        """The metrics' results when a step's logs carry the same keys, else those logs
        (a custom step that logs other values keeps them), as Keras does."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _names_in_order(self, logs):
        """The keys of `logs` in `evaluate`'s list order (Keras's `_flatten_metrics_in_order`):
        each metric's name in `metrics` order (a compiled metric by its own, unprefixed name;
        a repeated name repeats), then the other keys, sorted."""
        names = []
        for m in self.metrics:
            names.extend(m.own_names() if isinstance(m, CompileMetrics) else [m.name])
        head = [n for n in names if n in logs]
        return head + sorted(set(logs) - set(names))

    @property
    def _step_path(self):
        """Which path `fit`'s last step took: `'replay'` (a traced plan), `'trace'` (a tape
        step recorded to make one), `'tape: <why not>'`, or None before any step (see
        `nbkeras.trainers.step_plan`)."""
        return step_plan.step_path(self)

    @property
    def _predict_path(self):
        """Which path the last inference forward pass (predict, evaluate, their batch
        methods, fit's validation) took: `'replay'`, `'trace'`, `'direct: <why not>'`, or
        None before any (see `nbkeras.trainers.forward_plan`)."""
        return forward_plan.predict_path(self)

    # ----------------------------------------------------------- one step
    def _prepare_state(self, x, y):
        state = self._compiled_state
        if not state.built:
            specs = self._output_specs(x)
            preds = [np.zeros(tuple(1 if d is None else d for d in p.shape), p.dtype) for p in specs]
            names = self._output_names(len(preds))
            ys = as_list(data_utils.take(y, slice(0, 1))) if y is not None else [None] * len(preds)
            if y is not None and isinstance(y, dict):
                ys = [y[n][:1] if n in y else None for n in names]
            state.build(names, ys, preds, dict_outputs=self._dict_outputs())

    def _dict_outputs(self):
        """Whether the model's outputs are a dict (Keras then lets a loss dict leave some
        out; for a list of outputs it must name them all)."""
        return isinstance(getattr(self, "_outputs_struct", None), dict)

    def _output_specs(self, x):
        """KerasTensors of the outputs for inputs shaped like `x` (a list, one per output)."""
        # The model's output spec gives them without running a batch through it (a model
        # that can only tell by a dry run must still leave stateful RNNs' states alone).
        with _stateful_states_kept(self):
            return as_list(self.compute_output_spec(_input_specs(x)))

    def _output_names(self, n):
        names = getattr(self, "output_names", None)
        if names and len(names) == n:
            return list(names)
        if n == 1:
            last = self.layers[-1].name if getattr(self, "layers", None) else "output"
            return [last]
        return [f"output_{i}" for i in range(n)]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch: the compiled losses plus `self.losses` (regularizers and
        `add_loss` terms of the forward pass just run). Differentiable; override it to change
        the loss (then `compile()` needs no `loss`).

        Args:
            x: the inputs (unused by the default).
            y: the targets.
            y_pred: the model's outputs for `x`.
            sample_weight: per-sample weights of the loss.
            training: whether `fit` (True) or `evaluate` (False) asks.

        Returns:
            The scalar loss (a Tensor while a GradientTape records).

        Example:
            >>> class Distiller(nbkeras.Model):
            ...     def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
            ...                      training=True):
            ...         soft = ops.softmax(self.teacher(x, training=False))
            ...         return self.loss_fn(y, y_pred) + self.kl(soft, ops.softmax(y_pred))
        """
        total = self._compiled_loss_value(y, y_pred, sample_weight)
        for term in self._step_losses():
            total = term if total is None else core._OPS.add(total, term)
        if total is None:
            raise ValueError(
                "No loss to compute. Provide a `loss` argument in `compile()`, or override "
                "`compute_loss`. Received: loss=None"
            )
        return total

    def _compiled_loss_value(self, y, y_pred, sample_weight):
        """The weighted sum of the losses given to `compile()` (None without one); each
        output's loss tracker gets its value."""
        state = self._compiled_state
        if state is None or state.loss_spec is None:
            return None
        preds = as_list(y_pred)
        if not state.built:  # called outside fit/evaluate (a hand-written loop)
            names = self._output_names(len(preds))
            ys = [y[n] for n in names] if isinstance(y, dict) else as_list(y)
            state.build(names, ys, [unwrap(p) for p in preds], dict_outputs=self._dict_outputs())
        total, per_output = state.total_loss(state.ys(y), preds, sample_weight)
        batch = len(unwrap(preds[0]))
        trackers = state.loss_tracker_of
        for i, value in per_output:
            if i in trackers:  # Keras's per-output loss trackers weigh by batch size
                trackers[i].add_weighted(float(unwrap(value)), batch)
                if core._tracer is not None:
                    core._tracer.note_tracker(trackers[i], value, batch)
        return total

    def compiled_loss(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """Keras 2's `self.compiled_loss(...)` in a custom `train_step`: the compiled losses
        plus `regularization_losses`, also added to the `loss` tracker (Keras 3 spells this
        `compute_loss` and updates the tracker in `train_step`).

        Example:
            >>> loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        """
        total = self._compiled_loss_value(y_true, y_pred, sample_weight)
        if total is None:
            raise ValueError("`compiled_loss` needs a `loss` argument in `compile()`. "
                             "Received: loss=None")
        for term in regularization_losses or ():
            total = core._OPS.add(total, term)
        self._track_loss(total, y_pred)
        return total

    @property
    def compiled_metrics(self):
        """Keras 2's `self.compiled_metrics` (`update_state(y, y_pred, sample_weight)`): the
        metrics given to `compile()`, Keras 3's `compile_metrics` (None without metrics).

        Example:
            >>> self.compiled_metrics.update_state(y, y_pred)
        """
        state = self._compiled_state
        return None if state is None else state.compile_metrics

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """`compute_loss`, passing `training` only to an override that takes it (as Keras)."""
        if _accepts(type(self).compute_loss, "training"):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with a batch and return every metric's result.

        Args:
            x: the inputs (unused by the default).
            y: the targets.
            y_pred: the model's outputs.
            sample_weight: per-sample weights for the weighted metrics.

        Returns:
            The logs: `get_metrics_result()`.

        Example:
            >>> logs = model.compute_metrics(x, y, model(x), sample_weight=None)
        """
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_compiled_metrics(self, y, y_pred, sample_weight):
        """The update half of `compute_metrics`: the compiled metrics see the batch."""
        state = self._compiled_state
        if state is not None and state.compile_metrics is not None and state.built:
            # Device metrics (accuracy, mean, MAE/MSE) take y_pred as it is; the
            # others get one host copy per batch (`CompiledState.update_metrics`).
            state.compile_metrics.update_state(y, y_pred, sample_weight)

    def _step_losses(self):
        """`self.losses` for the forward pass just run, without walking every layer each step."""
        if self._weight_regs is None:
            self._weight_regs = [v for v in self.trainable_weights
                                 if getattr(v, "regularizer", None)]
        terms = [v.regularizer(v) for v in self._weight_regs]
        for layer in layer_module._layers_with_losses:
            terms.extend(layer._losses)
        return terms

    def _trainable_vars(self):
        if self._train_vars_cache is None:
            self._train_vars_cache = self.trainable_weights
        return self._train_vars_cache

    def _track_loss(self, loss, x):
        """Add a batch's loss to the loss tracker, weighted by the batch size (as Keras)."""
        batch = len(data_utils.flat(x)[0])
        value = unwrap(loss)
        if np.ndim(value) == 0:  # stays on the device: no host wait per batch
            self._compiled_state.loss_tracker.add_weighted(value, batch)
        else:
            self._compiled_state.loss_tracker.update_state(value, sample_weight=batch)

    def train_step(self, data):
        """One gradient step on one batch; returns the logs. `fit` calls it for every batch.

        Override it to customize what `fit` does (`super().train_step(data)` runs the
        default; what the override returns reaches the callbacks and the History).

        Args:
            data: the batch as Keras packs it: `x`, `(x, y)` or `(x, y, sample_weight)`
                (see `nbkeras.utils.unpack_x_y_sample_weight`).

        Returns:
            A dict of logs, e.g. `{"loss": 0.3, "mae": 0.4}` (nested dicts are flattened).

        Example:
            >>> class CustomModel(nbkeras.Model):
            ...     def train_step(self, data):
            ...         x, y = data
            ...         with nbkeras.ops.GradientTape() as tape:
            ...             y_pred = self(x, training=True)
            ...             loss = self.compute_loss(y=y, y_pred=y_pred)
            ...         grads = tape.gradient(loss, self.trainable_variables)
            ...         self.optimizer.apply(grads, self.trainable_variables)
            ...         for metric in self.metrics:
            ...             if metric.name == "loss":
            ...                 metric.update_state(loss)
            ...             else:
            ...                 metric.update_state(y, y_pred)
            ...         return {m.name: m.result() for m in self.metrics}
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        if type(self).train_step is Trainer.train_step:  # not an override's super() call
            return step_plan.train_step(self, x, y, sample_weight)
        return self._tape_train_step(x, y, sample_weight)

    def _tape_train_step(self, x, y, sample_weight, trace=None):
        """The default training step on a GradientTape (`trace`: a step_plan tracer)."""
        with layer_module.deferred_state_updates():
            with GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self._compute_loss(x=x, y=y, y_pred=y_pred,
                                          sample_weight=sample_weight, training=True)
                scaled = self.optimizer.scale_loss(loss)
                if trace is not None:
                    trace.finish(tape, y_pred, loss, scaled)
            self._track_loss(loss, x)
            variables = self._trainable_vars()
            grads = tape.gradient(scaled, variables)
            # Like Keras, weights the loss does not reach get zero gradients (and still
            # see momentum and weight decay).
            grads = [_device.xp.zeros_like(v.data) if g is None else g
                     for g, v in zip(grads, variables)]
            self.optimizer.apply(grads, variables)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """The loss and metrics of one batch, without training; returns the logs.
        `evaluate` (and validation in `fit`) call it for every batch; override it to customize.

        Args:
            data: the batch as Keras packs it: `x`, `(x, y)` or `(x, y, sample_weight)`.

        Example:
            >>> class CustomModel(nbkeras.Model):
            ...     def test_step(self, data):
            ...         x, y = data
            ...         y_pred = self(x, training=False)
            ...         self.loss_tracker.update_state(self.compute_loss(y=y, y_pred=y_pred))
            ...         return {"loss": self.loss_tracker.result()}
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        # self(x, training=False) and its loss, maybe replayed
        y_pred, loss = forward_plan.forward_loss(self, x, y, sample_weight)
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch; `predict` calls it for every batch.

        Args:
            data: the batch: `x` (or `(x,)`, `(x, y)`, ... whose `x` is used).

        Example:
            >>> class Rounded(nbkeras.Model):
            ...     def predict_step(self, data):
            ...         return ops.round(super().predict_step(data))
        """
        x, _, _ = unpack_x_y_sample_weight(data)
        return forward_plan.forward(self, x)  # self(x, training=False), maybe replayed

    # ----------------------------------------------------------------- fit
    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Train the model for a number of epochs.

        Args:
            x: input data (an array, or a list/dict of arrays for several inputs).
            y: target data.
            batch_size: samples per gradient step (32).
            epochs: the epoch to stop at.
            verbose: 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch).
            callbacks: a list of Callbacks.
            validation_split: the fraction of the data, taken from the end, held out.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, val_sample_weight)`.
            shuffle: whether to shuffle the training data before each epoch.
            class_weight: {class: weight}, turned into sample weights.
            sample_weight: per-sample weights of the training data.
            initial_epoch: the epoch to start from (to resume training).

        Returns:
            A `History` whose `history` dict holds the per-epoch logs.

        Example:
            >>> history = model.fit(X, Y, epochs=10, batch_size=32, validation_split=0.2)
        """
        self._assert_compiled("fit")
        if "nb_epoch" in kwargs:
            epochs = kwargs.pop("nb_epoch")
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `fit()`: {kwargs}. Received: {kwargs}")
        if batch_size is None:
            batch_size = 32
        _check_batch_size(batch_size)
        split_off = False
        if is_dataset(x):
            _check_no_arrays_with_dataset(y=y, sample_weight=sample_weight,
                                          validation_split=validation_split)
            source = DatasetBatches(x, steps_per_epoch, shuffle, class_weight,
                                    check=data_validation.batch_check(self))
            x, y = source.peek()
            n, batch_size = None, None
        else:
            x, y, sample_weight, n = data_utils.standardize(
                x, y, sample_weight, strings=self._takes_text)
            data_validation.check_data(self, x, y, sample_weight)
            if validation_split and validation_data is None:
                at = data_utils.validation_split_point(n, validation_split)
                x, vx = data_utils.split_at(x, at)
                y, vy = data_utils.split_at(y, at)
                sample_weight, vsw = data_utils.split_at(sample_weight, at)
                validation_data = (vx, vy, vsw)
                n = at
                split_off = True
                if n == 0:
                    raise ValueError(
                        f"`validation_split={validation_split}` leaves no training samples out of "
                        f"the {len(data_utils.flat(vx)[0])} given. Received: "
                        f"validation_split={validation_split}")
            sample_weight = data_utils.apply_class_weight(y, sample_weight, class_weight)
            source = ArrayBatches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        val = None
        if is_dataset(validation_data):
            val = DatasetBatches(validation_data, validation_steps, name="validation_data",
                                 check=data_validation.batch_check(self, "validation_data"))
        elif validation_data is not None:
            vx, vy, vsw = data_utils.unpack_validation_data(validation_data)
            names = ("x_val", "y_val", "val_sample_weight")
            vx, vy, vsw, _ = data_utils.standardize(vx, vy, vsw, names,
                                                    strings=self._takes_text)
            if not split_off:  # the data split off from `x` is checked already
                data_validation.check_data(self, vx, vy, vsw, names)
            val = ArrayBatches(vx, vy, vsw, validation_batch_size or batch_size or 32,
                               steps=validation_steps)
        counter = _announce_first_compile(verbose)
        self._maybe_build_from_data(x)
        self._prepare_state(x, y)
        self._invalidate_caches()
        steps = source.steps
        verbose = _resolve_verbose(verbose)
        history = History()
        cbs = list(callbacks or [])
        if counter is not None:
            cbs.insert(0, counter)
        cbs += display_hooks.progress_callbacks(verbose, batch_size, n, cbs)
        cbs.append(history)
        cb = CallbackList(cbs, model=self, epochs=epochs, steps=steps, verbose=verbose)
        self.stop_training = False
        self.history = history
        try:
            return self._fit_loop(cb, history, source, val, epochs, initial_epoch,
                                  validation_freq)
        except BaseException as error:
            _notify_error(cbs, error)
            raise
        finally:
            release_free_memory()

    def _fit_loop(self, cb, history, source, val, epochs, initial_epoch, validation_freq):
        logs = {}
        cb.on_train_begin()
        resume, self._initial_epoch = getattr(self, "_initial_epoch", None), None
        initial_epoch = resume or initial_epoch  # BackupAndRestore sets `_initial_epoch`
        epoch = initial_epoch
        # Between two epochs only fit's own History and text bar run (no validation, and
        # arrays, whose epoch end calls nothing of the user's): nothing there changes the
        # model, so an epoch's first fused step may trust the checks of the previous epoch's
        # steps too (`step_plan._fused_again`).
        between = val is None and type(source) is ArrayBatches and all(
            type(c) in _SILENT_BETWEEN_EPOCHS for c in cb.callbacks)
        with DeferredInterrupt() as guard, steady_training() as resize_threads:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cb.on_epoch_begin(epoch)
                default = self._default_train_logs()
                quiet = default and "on_train_batch_end" not in cb.active
                # no callback between two steps: a fused step may trust the previous one's checks
                alone = quiet and "on_train_batch_begin" not in cb.active
                step = -1
                for step, (xb, yb, swb) in enumerate(_device.prefetch(source.epoch())):
                    resize_threads()  # GEMM lanes for the cores free now (throttled)
                    cb.on_train_batch_begin(step)
                    if quiet:  # nobody reads this batch's logs: no metric results per batch
                        step_plan.train_step(self, xb, yb, swb, logs=False,
                                             trusted=alone and (step > 0 or (
                                                 between and epoch > initial_epoch)))
                    else:
                        logs = self.train_step(pack_x_y_sample_weight(xb, yb, swb))
                        logs = logs if default else pythonify_logs(logs)
                        cb.on_train_batch_end(step, logs)
                    if self.stop_training or guard.requested:
                        break
                settled = quiet and step >= 0  # the metrics' results, as the last step's logs
                if settled:
                    logs = self.get_metrics_result()
                if step < 0 and source.exhausted:
                    break  # a generator ran out of data (Keras warns and stops too)
                source.on_epoch_end()
                steps = source.steps or step + 1
                if guard.requested:
                    history.interrupted = True
                    _report_interrupt(epoch, epochs, step, steps, logs)
                    break
                if not settled:
                    logs = self._get_metrics_result_or_logs(logs)
                epoch_logs = dict(logs)
                if val is not None and (epoch + 1) % validation_freq == 0:
                    cb.on_test_begin()
                    val_logs = self._evaluate_source(val, cb, guard=guard)
                    cb.on_test_end(val_logs)
                    if guard.requested:  # stopped inside validation: this epoch is not logged
                        history.interrupted = True
                        _report_interrupt(epoch, epochs, steps - 1, steps, logs)
                        break
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                    epoch_logs = dict(sorted(epoch_logs.items()))
                cb.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                if self.stop_training:
                    break
        if epochs > initial_epoch:
            self.optimizer.finalize_variable_values(self.trainable_weights)
        cb.on_train_end(logs)
        return history

    def _maybe_build_from_data(self, x):
        first = data_utils.flat(x)[0]
        if not self.built:
            self.build((None,) + tuple(first.shape[1:]))
        else:  # the data's length is not a batch size: each batch is checked when it runs
            key = (tuple(first.shape[1:]), len(getattr(self, "layers", ())))
            if self.__dict__.get("_data_shape_checked") == key:
                return  # predict of one sample in a loop: checked once, not every call
            try:
                self._check_data_shape((None,) + key[0])
            except ValueError:
                self._check_data_shape(tuple(first.shape))  # the error names the data's shape
                raise
            self._data_shape_checked = key

    def _check_data_shape(self, shape, argument="input"):
        """Raise a Keras-style ValueError when data of `shape` (the user's `argument`)
        cannot enter the model."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's name for `fit` on a generator or `Sequence` (Keras 3 folded it into `fit`).

        Example:
            >>> model.fit_generator(batches(), steps_per_epoch=100, epochs=5)
        """
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's name for `evaluate` on a generator or `Sequence`.

        Example:
            >>> loss = model.evaluate_generator(batches(), steps=10)
        """
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's name for `predict` on a generator or `Sequence`.

        Example:
            >>> probs = model.predict_generator(batches(), steps=10)
        """
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    # ------------------------------------------------------------ evaluate
    def _evaluate_source(self, source, callbacks=None, guard=None):
        """Loss and metrics over every batch of `source`; the step count is kept in
        `self._last_eval_steps`."""
        self._prepare_state(*source.peek())
        self.reset_metrics()
        cb = callbacks if callbacks is not None and (
            {"on_test_batch_begin", "on_test_batch_end"} & callbacks.active) else None
        step, logs = -1, {}
        for step, (xb, yb, swb) in enumerate(_device.prefetch(source.epoch())):
            if cb:
                cb.on_test_batch_begin(step)
            logs = pythonify_logs(self.test_step(pack_x_y_sample_weight(xb, yb, swb)))
            if cb:
                cb.on_test_batch_end(step, logs)
            if guard is not None and guard.requested:
                break
        source.on_epoch_end()
        self._last_eval_steps = step + 1
        if cb is None and step >= 0 and self._default_test_logs():
            return logs  # the metrics' results already, and nothing ran since
        return pythonify_logs(self._get_metrics_result_or_logs(logs))

    def _default_train_logs(self):
        """Whether `train_step` is Trainer's own, and so are `compute_metrics` and
        `get_metrics_result`: a step's logs are then `get_metrics_result()` (Python floats
        already), which `fit` may evaluate only when a callback reads them."""
        cls, own = type(self), self.__dict__  # (a method set on the instance counts too)
        return (cls.train_step is Trainer.train_step and cls.compute_metrics is
                Trainer.compute_metrics and cls.get_metrics_result is Trainer.get_metrics_result
                and not {"train_step", "compute_metrics", "get_metrics_result"} & own.keys())

    def _default_test_logs(self):
        """Whether `test_step` returns `get_metrics_result()` (Trainer's own `test_step`
        and `compute_metrics`), so evaluating the metrics again would give the same logs."""
        cls = type(self)
        return cls.test_step is Trainer.test_step and cls.compute_metrics is Trainer.compute_metrics

    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Return the loss (and metrics) on the given data, batch by batch.

        Returns:
            A scalar loss when there are no metrics, else `[loss, *metrics]`
            (or a dict when `return_dict=True`).

        Example:
            >>> score = model.evaluate(X_test, y_test, batch_size=32)
        """
        self._assert_compiled("evaluate")
        batch_size = 32 if batch_size is None else batch_size
        _check_batch_size(batch_size)
        if is_dataset(x):
            _check_no_arrays_with_dataset(y=y, sample_weight=sample_weight)
            source = DatasetBatches(x, steps, check=data_validation.batch_check(self))
        else:
            x, y, sample_weight, _ = data_utils.standardize(
                x, y, sample_weight, strings=self._takes_text)
            data_validation.check_data(self, x, y, sample_weight)
            source = ArrayBatches(x, y, sample_weight, batch_size, steps=steps)
        self._maybe_build_from_data(source.peek()[0])
        verbose = _resolve_verbose(verbose)
        cb = CallbackList(callbacks, model=self, verbose=verbose)
        cb.on_test_begin()
        start = time.perf_counter()
        with DeferredInterrupt() as guard, _device.threads_for_inference():
            logs = self._evaluate_source(source, cb, guard=guard)
        if guard.requested:
            _raise_interrupted("evaluate")
        cb.on_test_end(logs)
        if verbose:  # Keras's line: "4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.3"
            from nbkeras.utils.progbar import Progbar

            steps = max(1, self._last_eval_steps)
            bar = Progbar(steps, verbose=verbose)
            bar._start = start
            bar.update(steps, list(logs.items()), finalize=True)
        if return_dict:
            return dict(logs)
        return self._in_metrics_order(logs)

    # ------------------------------------------------------------- predict
    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Return the model's outputs for x, computed in batches (32 by default).

        Example:
            >>> probs = model.predict(X_test)
        """
        batch_size = 32 if batch_size is None else batch_size
        _check_batch_size(batch_size)
        if (type(x) is np.ndarray and callbacks is None and verbose in (0, False)
                and steps in (None, 1) and x.ndim and 0 < len(x) <= batch_size
                and x.dtype == config.floatx()):
            # one silent batch of floats (what to_array keeps as it is): checked, then run
            data_validation.check_data(self, x)
            self._maybe_build_from_data(x)
            return self._predict_batch(x)
        if is_dataset(x):
            source = DatasetBatches(x, steps, check=data_validation.batch_check(self))
        else:
            x = data_utils.to_array(x, "x", strings=self._takes_text)
            n = len(data_utils.flat(x)[0])
            if n == 0:  # no samples: no outputs, of the right shape
                data_validation.check_inputs(self, x)
                self._maybe_build_from_data(x)
                return _empty_outputs(self._output_specs(x))
            data_validation.check_data(self, x)
            if n <= batch_size and (steps is None or steps == 1) and not _given(callbacks):
                self._maybe_build_from_data(x)
                if not _resolve_verbose(verbose):  # one silent batch: no loop around it
                    return self._predict_batch(x)
            source = ArrayBatches(x, None, None, batch_size, steps=steps)
        self._maybe_build_from_data(source.peek()[0])
        verbose = _resolve_verbose(verbose)
        cb = CallbackList(callbacks, model=self)
        cb.on_predict_begin()
        chunks = []
        bar = None
        if verbose:  # Keras's bar: "4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 5ms/step"
            from nbkeras.utils.progbar import Progbar

            bar = Progbar(source.steps, verbose=verbose)
        step = -1
        with DeferredInterrupt() as guard, _device.threads_for_inference():
            for step, (xb, _, _) in enumerate(_device.prefetch(source.epoch())):
                cb.on_predict_batch_begin(step)
                out = self.predict_step(pack_x_y_sample_weight(xb))
                chunks.append(out)
                cb.on_predict_batch_end(step, {"outputs": out})
                if bar is not None and bar.dynamic:
                    bar.update(step + 1, finalize=False)
                if guard.requested:
                    break
        if guard.requested:
            _raise_interrupted("predict")
        if bar is not None:
            bar.update(step + 1, finalize=True)
        cb.on_predict_end()
        return _concatenate_outputs(chunks)

    # ------------------------------------------------------- batch methods
    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """Run one gradient step on one batch and return its loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight, _ = data_utils.standardize(
                x, y, sample_weight, strings=self._takes_text)
        data_validation.check_data(self, x, y, sample_weight)
        sample_weight = data_utils.apply_class_weight(y, sample_weight, class_weight)
        self._maybe_build_from_data(x)
        self._prepare_state(x, y)
        self._invalidate_caches()
        self.reset_metrics()
        logs = pythonify_logs(self.train_step(pack_x_y_sample_weight(x, y, sample_weight)))
        return self._batch_result(logs, return_dict)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Return the loss (and metrics) of one batch, without training."""
        self._assert_compiled("test_on_batch")
        x, y, sample_weight, _ = data_utils.standardize(
                x, y, sample_weight, strings=self._takes_text)
        data_validation.check_data(self, x, y, sample_weight)
        self._maybe_build_from_data(x)
        self._prepare_state(x, y)
        self.reset_metrics()
        with _device.threads_for_inference():
            logs = pythonify_logs(self.test_step(pack_x_y_sample_weight(x, y, sample_weight)))
        if self._default_test_logs():  # the metrics' results already
            return logs if return_dict else self._in_metrics_order(logs)
        return self._batch_result(logs, return_dict)

    @filter_traceback
    def predict_on_batch(self, x):
        """Return the model's outputs for one batch."""
        x = data_utils.to_array(x, "x", strings=self._takes_text)
        self._maybe_build_from_data(x)
        return self._predict_batch(x)

    def _predict_batch(self, x):
        """`predict_step` on the one batch `x` (checked already), as `predict` returns it:
        what `predict_on_batch` does, and `predict` when all of its data is one batch and
        nobody watches (no callbacks, `verbose=0`). One batch has no boundary to stop at,
        so no Ctrl-C guard is installed."""
        if (type(x) is np.ndarray and _device.xp is np and type(self).predict_step
                is Trainer.predict_step and "predict_step" not in self.__dict__):
            # Trainer's own step on a host array: the forward pass alone (a replayed plan,
            # or model(x, training=False), sizes the threads as this scope would)
            return _concatenate_outputs([forward_plan.forward(self, x)])
        with _device.threads_for_inference():
            xb = next(iter(_device.prefetch(((x, None, None),))))[0]  # (on a GPU: copied)
            out = self.predict_step(pack_x_y_sample_weight(xb))
        return _concatenate_outputs([out])

    def _batch_result(self, logs, return_dict):
        logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
        if return_dict:
            return logs
        return self._in_metrics_order(logs)

    def _in_metrics_order(self, logs):
        """Logs as a list in `metrics_names` order, or the value alone when there is one."""
        values = [logs[n] for n in self._names_in_order(logs)]
        return values[0] if len(values) == 1 else values


_SILENT_BETWEEN_EPOCHS = (History, ProgbarLogger)  # fit's own: they only record and print


def _concatenate_outputs(chunks):
    """`predict`'s result: the batches' outputs joined along the batch axis, in the outputs'
    structure (a dict stays a dict; a single output, or a list of one, is one array)."""
    if not chunks:
        return []
    first = chunks[0]

    def join(parts):
        if len(parts) == 1:  # one batch (predict of one sample): a copy, as concatenate gives
            src = unwrap(parts[0])
            a = _device.to_numpy(src)
            if type(a) is np.ndarray and a.ndim:  # (a GPU's output is on the host already)
                return a if a is not src and a.base is None else a.copy()
        return np.concatenate([_device.to_numpy(unwrap(p)) for p in parts], axis=0)

    if isinstance(first, dict):
        return {k: join([c[k] for c in chunks]) for k in first}
    if isinstance(first, (list, tuple)):
        merged = [join(parts) for parts in zip(*chunks)]
        return merged[0] if len(merged) == 1 else merged
    return join(chunks)


_ACCEPTS = {}


def _accepts(fn, arg):
    """Whether `fn` takes the argument `arg` (cached per function)."""
    key = (fn, arg)
    if key not in _ACCEPTS:
        params = inspect.signature(fn).parameters
        _ACCEPTS[key] = arg in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return _ACCEPTS[key]


def _check_no_arrays_with_dataset(**given):
    """Keras's rule: with a dataset or generator as `x`, the batches hold everything."""
    for name, value in given.items():
        if value is None or (isinstance(value, (int, float)) and not value):
            continue
        shown = f"array of shape {np.shape(value)}" if hasattr(value, "shape") else repr(value)
        raise ValueError(
            f"`{name}` is not supported when `x` is a dataset, a generator or a PyDataset: "
            f"its batches hold `(x, y, sample_weight)`. Received: {name}={shown}")


def _empty_outputs(specs):
    """`predict`'s result for no samples: empty arrays shaped like the outputs."""
    out = [np.zeros((0,) + tuple(0 if d is None else d for d in s.shape[1:]), s.dtype)
           for s in specs]
    return out[0] if len(out) == 1 else out


def _input_specs(x):
    """KerasTensors (batch size unknown) shaped like the arrays of `x`."""
    if isinstance(x, dict):
        return {k: _input_specs(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_input_specs(v) for v in x]
    return KerasTensor((None,) + tuple(x.shape[1:]), dtype=str(x.dtype))


@contextlib.contextmanager
def _stateful_states_kept(model):
    """Restore the states of every stateful recurrent layer inside `model` on exit."""
    saved, stack, seen = [], [model], set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        stack.extend(getattr(layer, "_layers", []))
        states = getattr(layer, "states", None) if getattr(layer, "stateful", False) else None
        if isinstance(states, list):
            saved.append((layer, [_device.xp.array(unwrap(s), copy=True)
                                  for s in _flat_states(states)]))
    try:
        yield
    finally:
        for layer, copies in saved:
            for var, value in zip(_flat_states(layer.states), copies):
                var[...] = value


def _flat_states(states):
    out = []
    for s in states:
        out.extend(_flat_states(s) if isinstance(s, (list, tuple)) else [s])
    return out


def _notify_error(cbs, error):
    """Let display callbacks show that fit raised (the progress row turns red)."""
    for c in cbs:
        hook = getattr(c, "on_fit_error", None)
        if hook is not None:
            try:
                hook(error)
            except Exception:
                pass


_compile_announced = False


def _announce_first_compile(verbose):
    """Say why the first fit on a machine pauses, and count the kernels as Numba compiles them.

    Returns a callback that ends the count after the first training batch, or None.
    """
    global _compile_announced
    from nbkeras import backend

    if not verbose or _compile_announced or not backend.kernels.kernel_cache_is_cold():
        return None
    _compile_announced = True
    print("nbkeras: compiling kernels for this machine, one time only; later runs load "
          "them from the cache (`%nbkeras warmup` compiles them ahead).", flush=True)
    return _CompileCounter(backend)


class _CompileCounter(Callback):
    """Shows `compiled N functions` while the first batch compiles, then finishes the line."""

    def __init__(self, backend):
        super().__init__()
        self.count = 0
        self.start = time.perf_counter()
        self.shown = 0.0
        self.partial = False
        self.stop = backend.kernels.on_kernel_compiled(self._one_more)

    def _one_more(self):
        self.count += 1
        now = time.perf_counter()
        if now - self.shown > 0.25:
            self.shown = now
            self.partial = True
            sys.stdout.write(f"\r  compiled {self.count} functions ({now - self.start:.1f} s)")
            sys.stdout.flush()

    def on_epoch_begin(self, epoch, logs=None):
        if self.partial:  # let the progress display start on its own line
            sys.stdout.write("\n")
            self.partial = False

    def on_train_batch_end(self, batch, logs=None):
        self.finish()

    def on_train_end(self, logs=None):
        self.finish()

    def finish(self):
        if self.stop is not None:
            self.stop()
            self.stop = None
            took = time.perf_counter() - self.start
            sys.stdout.write(f"\r  compiled {self.count} functions in {took:.1f} s; "
                             "they are cached now.\n")
            sys.stdout.flush()


def _report_interrupt(epoch, epochs, step, steps, logs):
    from nbkeras.utils.progbar import format_value

    values = "".join(f" - {k}: {format_value(v)}" for k, v in logs.items())
    print(f"Training interrupted at epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}{values}. "
          "The weights and history so far are kept; call fit() again to continue.", flush=True)


def _raise_interrupted(what):
    """evaluate/predict stopped at a batch boundary after a first Ctrl-C: no partial result."""
    raise KeyboardInterrupt(f"{what}() interrupted at a batch boundary; the model is unchanged.")


def _given(callbacks):
    """Whether `callbacks` holds any callback (None and an empty list hold none)."""
    return callbacks is not None and not (isinstance(callbacks, (list, tuple)) and not callbacks)


def _check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, False, True):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)

"""Resolution of `compile`'s loss and metrics arguments into per-output objects."""

import numpy as np

from nbkeras import losses as losses_module
from nbkeras import metrics as metrics_module
from nbkeras import ops
from nbkeras.losses.loss import Loss, LossFunctionWrapper
from nbkeras.metrics.metric import Mean, MeanMetricWrapper, Metric


def is_binary_or_sparse(y_true, y_pred):
    """(is_binary, is_sparse_categorical) from the target and prediction shapes, as Keras decides."""
    t, p = np.shape(y_true), np.shape(y_pred)
    is_binary = p[-1:] == (1,)
    is_sparse = len(t) < len(p) or (t[-1:] == (1,) and p[-1:] != (1,))
    return is_binary, is_sparse


def _name_of(obj):
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def resolve_loss(identifier, y_true, y_pred):
    """A Loss object for one output."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse(y_true, y_pred)
        fn = (losses_module.binary_crossentropy if is_binary else
              losses_module.sparse_categorical_crossentropy if is_sparse else
              losses_module.categorical_crossentropy)
        return LossFunctionWrapper(fn, name=identifier)
    obj = losses_module.get(identifier)
    if isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else _name_of(obj)
    return LossFunctionWrapper(obj, name=name)


def resolve_metric(identifier, y_true, y_pred):
    """A Metric object for one output."""
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse(y_true, y_pred)
        cls = (metrics_module.BinaryAccuracy if is_binary else
               metrics_module.SparseCategoricalAccuracy if is_sparse else
               metrics_module.CategoricalAccuracy)
        return cls(name=identifier)
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        loss = resolve_loss(identifier, y_true, y_pred)
        return MeanMetricWrapper(loss.fn, name=identifier)
    obj = metrics_module.get(identifier)
    if isinstance(obj, Metric):
        return obj
    if isinstance(obj, Loss):
        return MeanMetricWrapper(lambda t, p, _l=obj: ops.convert_to_numpy(_l.call(t, p)),
                                 name=obj.name)
    name = identifier if isinstance(identifier, str) else _name_of(obj)
    return MeanMetricWrapper(lambda t, p, _f=obj: ops.convert_to_numpy(_f(t, p)), name=name)


def per_output(spec, output_names, what):
    """Spread a loss / loss_weights / metrics argument over the outputs, by position or name."""
    n = len(output_names)
    if spec is None:
        return [None] * n
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            raise ValueError(
                f"In the dict argument `{what}`, key '{unknown[0]}' does not correspond to any "
                f"model output. Received: {what}={spec}. The model's outputs are named: "
                f"{list(output_names)}"
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)):
        if what == "metrics" and (n == 1 or not any(isinstance(m, (list, tuple, dict)) for m in spec)):
            if n == 1:
                return [list(spec)]
        if len(spec) != n:
            raise ValueError(
                f"`{what}` should have one entry per model output ({n}). "
                f"Received: {what} of length {len(spec)}"
            )
        return list(spec)
    return [spec] * n


class CompiledState:
    """The losses, loss weights and metrics of a compiled model, resolved lazily per output."""

    def __init__(self, loss, loss_weights, metrics, weighted_metrics):
        self.loss_spec = loss
        self.loss_weights_spec = loss_weights
        self.metrics_spec = metrics
        self.weighted_metrics_spec = weighted_metrics
        self.built = False
        self.loss_tracker = Mean(name="loss")
        self._flat = None

    def build(self, output_names, y_true, y_pred):
        self.output_names = list(output_names)
        n = len(self.output_names)
        loss_specs = per_output(self.loss_spec, self.output_names, "loss")
        self.losses = [resolve_loss(s, t, p) for s, t, p in zip(loss_specs, y_true, y_pred)]
        weights = per_output(self.loss_weights_spec, self.output_names, "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.output_loss_trackers = [Mean(name=f"{name}_loss") for name in self.output_names] if n > 1 else []
        self.metrics = self._resolve(self.metrics_spec, "metrics", y_true, y_pred)
        self.weighted = self._resolve(self.weighted_metrics_spec, "weighted_metrics", y_true, y_pred)
        self._flat = None
        self.built = True

    def _resolve(self, spec, what, y_true, y_pred):
        out = []
        for name, s, t, p in zip(self.output_names, per_output(spec, self.output_names, what), y_true, y_pred):
            items = [] if s is None else (list(s) if isinstance(s, (list, tuple)) else [s])
            ms = [resolve_metric(m, t, p) for m in items]
            if len(self.output_names) > 1:
                for m in ms:
                    m.name = f"{name}_{m.name}"
            out.append(ms)
        return out

    def total_loss(self, y_true, y_pred, sample_weight):
        """The weighted sum of the output losses (differentiable), and each output's value."""
        total = None
        values = []
        for i, fn in enumerate(self.losses):
            if fn is None:
                continue
            value = fn(y_true[i], y_pred[i], sample_weight)
            values.append((i, value))
            w = self.loss_weights[i]
            term = value if w == 1.0 else ops.multiply(value, w)
            total = term if total is None else ops.add(total, term)
        return total, values

    def all_metrics(self):
        if self._flat is not None:
            return self._flat
        flat = [self.loss_tracker] + self.output_loss_trackers
        for ms, ws in zip(self.metrics, self.weighted):
            flat.extend(ms)
            flat.extend(ws)
        self._flat = flat
        return flat

    def update_metrics(self, y_true, y_pred, sample_weight):
        for i, (ms, ws) in enumerate(zip(self.metrics, self.weighted)):
            for m in ms:
                m.update_state(y_true[i], y_pred[i])
            for m in ws:
                m.update_state(y_true[i], y_pred[i], sample_weight)

    def reset(self):
        for m in self.all_metrics():
            m.reset_state()

    def results(self):
        """The logs: every metric's result, keys sorted as Keras's `pythonify_logs` sorts them."""
        return dict(sorted((m.name, m.result()) for m in self.all_metrics()))

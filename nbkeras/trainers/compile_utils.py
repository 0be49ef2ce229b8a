"""Resolution of `compile`'s loss and metrics arguments into per-output objects."""

import numpy as np

from nbkeras import losses as losses_module
from nbkeras import metrics as metrics_module
from nbkeras import ops
from nbkeras.backend import active as _device
from nbkeras.losses.loss import Loss, LossFunctionWrapper
from nbkeras.metrics.metric import Metric
from nbkeras.metrics.reduction import Mean, MeanMetricWrapper
from nbkeras.ops.core import unwrap
from nbkeras.utils.registry import to_snake_case


def as_list(y):
    """The outputs (or targets) `y` as a list: a dict's values, a sequence, or `[y]`."""
    if isinstance(y, dict):
        return list(y.values())
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y]


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


def _metric_name(obj):
    """Keras's `get_object_name`: `.name`, else the snake-cased function or class name."""
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def resolve_metric(identifier, y_true, y_pred):
    """A Metric object for one output, named as Keras names the logged value.

    'accuracy' / 'acc' pick the accuracy class from the shapes; any other string
    goes through `metrics.get` ('mse' -> MeanSquaredError) and names the metric
    itself; a Metric keeps its name; a loss object or a function is averaged per
    batch by a MeanMetricWrapper named after it.
    """
    if identifier is None:
        raise ValueError(f"Expected metric, received `None`. Received: metric={identifier!r}")
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse(y_true, y_pred)
        cls = (metrics_module.BinaryAccuracy if is_binary else
               metrics_module.SparseCategoricalAccuracy if is_sparse else
               metrics_module.CategoricalAccuracy)
        return cls(name=str(identifier))
    obj = metrics_module.get(identifier)
    name = identifier if isinstance(identifier, str) else _metric_name(obj)
    if not isinstance(obj, Metric):
        obj = MeanMetricWrapper(lambda t, p, _f=obj: ops.convert_to_numpy(_f(t, p)))
    obj.name = name
    return obj


def per_output(spec, output_names, what, require_all=False):
    """Spread a loss / loss_weights / metrics argument over the outputs, by position or name.

    With `require_all` (a model whose outputs are a list, as Keras checks), a loss dict
    must name every output."""
    n = len(output_names)
    is_metrics = what in ("metrics", "weighted_metrics")
    if spec is None or (is_metrics and not spec):
        return [None] * n
    if is_metrics and n == 1:
        # A single output takes every metric given, however nested.
        flat = spec if not isinstance(spec, dict) else list(spec.values())
        flat = flat if isinstance(flat, (list, tuple)) else [flat]
        return [[m for item in flat for m in (item if isinstance(item, (list, tuple)) else [item])]]
    if isinstance(spec, dict):
        if require_all and what == "loss" and n > 1 and set(spec) != set(output_names):
            missing = [k for k in output_names if k not in spec]
            if missing and not [k for k in spec if k not in output_names]:
                raise ValueError(
                    f"Expected keys {list(output_names)} in loss dict, but found "
                    f"loss.keys()={list(spec)}. Received: loss={spec}")
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            raise ValueError(
                f"In the dict argument `{what}`, key '{unknown[0]}' does not correspond to any "
                f"model output. Received: {what}={spec}. The model's outputs are named: "
                f"{list(output_names)}"
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != n:
            raise ValueError(
                f"For a model with {n} outputs, `{what}` given as a list should have one entry "
                f"per output. Received: {what}={spec!r}"
            )
        return list(spec)
    if is_metrics:
        raise ValueError(
            f"For a model with {n} outputs, pass `{what}` as a list or a dict keyed by output "
            f"name. Received: {what}={spec!r}"
        )
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
        # Keras creates `compile_metrics` only when compile() is given metrics.
        given = metrics is not None or weighted_metrics is not None
        self.compile_metrics = CompileMetrics(self) if given else None
        self.output_loss_trackers = []
        self.loss_tracker_of = {}
        self._flat = None

    def build(self, output_names, y_true, y_pred, dict_outputs=False):
        self.output_names = list(output_names)
        n = len(self.output_names)
        loss_specs = per_output(self.loss_spec, self.output_names, "loss",
                                require_all=not dict_outputs)
        self.losses = [resolve_loss(s, t, p) for s, t, p in zip(loss_specs, y_true, y_pred)]
        weights = per_output(self.loss_weights_spec, self.output_names, "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        # Keras logs `<output>_loss` for the outputs that have a loss, and only when more
        # than one has.
        with_loss = [i for i, fn in enumerate(self.losses) if fn is not None]
        self.loss_tracker_of = ({i: Mean(name=f"{self.output_names[i]}_loss") for i in with_loss}
                                if n > 1 and len(with_loss) > 1 else {})
        self.output_loss_trackers = list(self.loss_tracker_of.values())
        self.metrics = self._resolve(self.metrics_spec, "metrics", y_true, y_pred)
        self.weighted = self._resolve(self.weighted_metrics_spec, "weighted_metrics", y_true, y_pred)
        self._flat = None
        self._log_names = None
        self.built = True

    def _resolve(self, spec, what, y_true, y_pred):
        out = []
        for name, s, t, p in zip(self.output_names, per_output(spec, self.output_names, what), y_true, y_pred):
            items = [] if s is None else (list(s) if isinstance(s, (list, tuple)) else [s])
            ms = [resolve_metric(m, t, p) for m in items]
            if len(self.output_names) > 1:
                for m in ms:
                    m._log_prefix = f"{name}_"
                    m.name = f"{name}_{m.name}"
            out.append(ms)
        return out

    def ys(self, y):
        """The targets as a list in output order (a dict is read by output name; an output
        without a loss may have no target)."""
        if isinstance(y, dict):
            return [y.get(n) for n in self.output_names]
        return as_list(y)

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
        """Update every output's metrics. A metric that computes on the device gets the
        arrays as they are; the others get host (NumPy) copies, each made once per batch."""
        copies = {}

        def host(x):
            if x is None:
                return None
            if id(x) not in copies:
                copies[id(x)] = (x, _device.to_numpy(unwrap(x)))  # x kept: its id stays
            return copies[id(x)][1]

        def update(m, *arrays):
            m.update_state(*(arrays if m._updates_on_device() else map(host, arrays)))

        for i, (ms, ws) in enumerate(zip(self.metrics, self.weighted)):
            for m in ms:
                update(m, y_true[i], y_pred[i])
            for m in ws:
                update(m, y_true[i], y_pred[i], sample_weight)

    def log_names(self):
        """The logged name of each metric in `all_metrics()`, made unique as Keras does:
        a repeated name gets `_1`, `_2`, ...; a weighted metric repeating a name
        becomes `weighted_<name>`."""
        flat = self.all_metrics()
        if getattr(self, "_log_names", None) is not None and len(self._log_names) == len(flat):
            return self._log_names
        weighted = {id(m) for ws in self.weighted for m in ws}
        counters, names = {}, []
        for m in flat:
            name = m.name
            if name in counters and id(m) in weighted:
                prefix = getattr(m, "_log_prefix", "")
                name = f"{prefix}weighted_{m.name[len(prefix):]}"
            if name in counters:
                counters[name] += 1
                name = f"{name}_{counters[name] - 1}"
            else:
                counters[name] = 1
            names.append(name)
        self._log_names = names
        return names


class CompileMetrics(Metric):
    """The metrics given to `compile()`, seen as one metric named `compile_metrics`, as in Keras.

    `model.metrics` lists it after the loss tracker; `update_state(y, y_pred,
    sample_weight)` updates every compiled metric of every output and `result()`
    returns their values as a dict keyed by the logged names.

    Args:
        state: the model's `CompiledState`.

    Example:
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> [m.name for m in model.metrics]
        ['loss', 'compile_metrics']
    """

    def __init__(self, state):
        super().__init__(name="compile_metrics")
        self._state = state
        self._named_for = None
        self._named = []

    def _named_metrics(self):
        """`(logged name, metric)` of each compiled metric, recomputed when the state rebuilds."""
        state = self._state
        if not state.built:
            return []
        flat = state.all_metrics()
        if self._named_for is not flat:
            names = dict(zip(map(id, flat), state.log_names()))
            members = ([m for ms in state.metrics for m in ms]
                       + [m for ws in state.weighted for m in ws])
            self._named = [(names[id(m)], m) for m in members]
            self._named_for = flat
        return self._named

    @property
    def metrics(self):
        """The compiled metrics: every output's metrics, then the weighted ones (Keras's order)."""
        return [m for _, m in self._named_metrics()]

    @property
    def variables(self):
        return [v for m in self.metrics for v in m.variables]

    def own_names(self):
        """Each compiled metric's own name (without an output's prefix), in `metrics` order."""
        return [m.name[len(getattr(m, "_log_prefix", "")):] for m in self.metrics]

    def update_state(self, y_true, y_pred, sample_weight=None):
        state = self._state
        if not state.built:
            raise ValueError("The compiled metrics are built by the first call of `fit`, "
                             "`evaluate` or `train_on_batch`. Received: compile_metrics unbuilt")
        state.update_metrics(state.ys(y_true), [unwrap(p) for p in as_list(y_pred)],
                             sample_weight)

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()

    def result(self):
        return {name: m.result() for name, m in self._named_metrics()}

"""Compile a training step once, replay it every batch: the fast path of `fit`.

The first two batches of a given input signature (shapes and dtypes of x, y and
sample_weight) run the ordinary tape step while a tracer records every call of the ops'
entry point (`ops.core.op`): the op's `forward(xp, *arrays)`, where each input came from
(a batch array, a Variable, an earlier op's output, or a constant), and its backward
function. When both traces agree (the same ops, the same inputs, the same values bound in
every closure) and everything the step touches is known to be static, later batches replay
the plan: the forward functions in order, the backward functions in the tape's reversed
order with the same accumulation, then the optimizer and the metrics as the tape step
calls them. No Layer.__call__, no Tensor, no tape: the same kernels on the same arrays, so
the numbers are bit-identical to the tape path.

Anything the tracer cannot prove static runs on the tape path; `model._step_path` says
which path the last step took and why (`"replay"`, `"trace"`, or `"tape: <reason>"`).
`nbkeras.config.set_step_replay(False)` (or `NBKERAS_STEP_REPLAY=0`) forces the tape path.
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops import core
from nbkeras.trainers import step_static, step_trace

_MAX_PLANS = 8  # signatures kept per model (a partial last batch is one more)
_TRACES = 2  # traced steps that must agree before a plan replays


def train_step(model, x, y, sample_weight):
    """One training step of `model` (the default `train_step`): replayed when a plan for
    this batch's signature is ready, else the tape step (traced while a plan is made).

    Args:
        model: a compiled model whose `train_step` is the default one.
        x, y, sample_weight: the batch, unpacked.

    Returns:
        The logs of `compute_metrics`, as the tape step returns them.

    Example:
        >>> logs = step_plan.train_step(model, xb, yb, None)
        >>> model._step_path
        'trace'
    """
    owner = _owner(model)
    reason = _static_model_reason(model, owner)
    if reason is not None:
        return _tape(model, x, y, sample_weight, reason)
    x = model._convert_inputs(x)  # what the model's __call__ does first: the same arrays
    if type(x) is np.ndarray and type(y) is np.ndarray and sample_weight is None:
        leaves = [x, y]
        key = (x.shape, x.dtype.str, y.shape, y.dtype.str, x is y)
    else:
        leaves, key = _batch_key(x, y, sample_weight)
        if key is None:
            return _tape(model, x, y, sample_weight, "a batch that is not arrays")
    plans = model.__dict__.get("_step_plans")
    if plans is None or not _same(plans.owner, owner):
        plans = model._step_plans = _Plans(owner)
    entry = plans.get(key)
    if entry is None:
        if len(plans) >= _MAX_PLANS:
            return _tape(model, x, y, sample_weight, f"more than {_MAX_PLANS} batch shapes")
        entry = plans[key] = _Entry()
    if entry.plan is not None:
        reason = entry.plan.stale_reason(model)
        if reason is None:
            model._last_step_path = "replay"
            return entry.plan.run(model, x, y, sample_weight, leaves)
        entry.reset()  # weights or trainability changed: trace again
    if entry.failed is not None:
        return _tape(model, x, y, sample_weight, entry.failed)
    logs, trace = _traced_step(model, x, y, sample_weight, leaves)
    if trace.reason is not None:
        entry.failed = trace.reason
        model._last_step_path = "tape: " + trace.reason
        return logs
    entry.traces.append(trace)
    model._last_step_path = "trace"
    if len(entry.traces) >= _TRACES:
        first, last = entry.traces[0], entry.traces[-1]
        try:
            same = first.fingerprint() == last.fingerprint()
        except step_trace.Unstatic as error:
            entry.failed = str(error)
        else:
            if same:
                entry.plan = _Plan(last, model)
            else:
                entry.failed = ("the step's ops differ between batches (data-dependent control "
                                "flow, or a value drawn per step such as a seeded Dropout's)")
        entry.traces = []
    return logs


def step_path(model):
    """Which path the last training step of `model` took: `'replay'`, `'trace'` (a tape step
    recorded to build a plan), `'tape: <reason>'`, or None before any step.

    Args:
        model: a model.

    Example:
        >>> model.fit(x, y, epochs=3, verbose=0)
        >>> step_path(model)
        'replay'
    """
    from nbkeras.trainers.trainer import Trainer

    if type(model).train_step is not Trainer.train_step:
        return f"tape: {type(model).__name__} overrides `train_step`"
    return model.__dict__.get("_last_step_path")


def forget(model):
    """Drop the plans of `model` and what was proved about its classes (its next steps
    check and trace again): call it after patching a layer's methods.

    Args:
        model: a model.

    Example:
        >>> step_plan.forget(model)
    """
    model.__dict__.pop("_step_plans", None)
    model.__dict__.pop("_step_static", None)


# ----------------------------------------------------------------- the tape step
def _tape(model, x, y, sample_weight, reason):
    model._last_step_path = "tape: " + reason
    return model._tape_train_step(x, y, sample_weight)


def _traced_step(model, x, y, sample_weight, leaves):
    """The tape step, with the tracer watching the ops inside the tape."""
    variables = model._trainable_vars()
    trace = step_trace.Trace(leaves, variables)
    core._tracer = trace
    try:
        logs = model._tape_train_step(x, y, sample_weight, trace)
    finally:
        core._tracer = None
    return logs, trace


def _static_model_reason(model, owner):
    """Why `model` cannot replay a traced step (None when it can, as far as its classes go)."""
    if not config._STEP_REPLAY:
        return "replay turned off (nbkeras.config.set_step_replay)"
    if _device.xp is not np:
        return f"replay runs on the CPU device only (device {_device.device!r})"
    cached = model.__dict__.get("_step_static")
    if cached is not None and _same(cached[0], owner):
        return cached[1]
    reason = step_static.static_reason(model)
    if model._compiled_state is not None and model._compiled_state.built:
        model._step_static = (owner, reason)  # (its losses are known once it is built)
    return reason


def _owner(model):
    """What a plan was made for: the compiled state, the optimizer and the layers."""
    layers = model.__dict__.get("_layers")
    return (model._compiled_state, model.optimizer,
            tuple(layers) if layers is not None else tuple(getattr(model, "layers", ())))


def _same(a, b):
    return len(a) == len(b) and all(
        len(p) == len(q) and all(u is v for u, v in zip(p, q)) if isinstance(p, tuple) else p is q
        for p, q in zip(a, b))


def _batch_key(x, y, sample_weight):
    """(the batch's arrays, a key of their structure, shapes, dtypes and aliasing)."""
    leaves, shape = [], []
    for part in (x, y, sample_weight):
        if not _flatten(part, leaves, shape):
            return leaves, None
    first = {}
    alias = tuple(first.setdefault(id(a), i) for i, a in enumerate(leaves))
    return leaves, (tuple(shape), alias)


def _flatten(v, leaves, shape):
    if v is None:
        shape.append(None)
        return True
    if type(v) is np.ndarray:
        leaves.append(v)
        shape.append((v.shape, v.dtype.str))
        return True
    if isinstance(v, (list, tuple)):
        shape.append((type(v), len(v)))
        return all(_flatten(t, leaves, shape) for t in v)
    if isinstance(v, dict):
        shape.append((dict, tuple(v)))
        return all(_flatten(v[k], leaves, shape) for k in v)
    return False


def _rebuild(template, vals):
    """The structure of `template` with each slot number replaced by its value."""
    kind = template[0]
    if kind == "slot":
        return vals[template[1]]
    if kind == "dict":
        return {k: _rebuild(t, vals) for k, t in template[1]}
    return template[1](_rebuild(t, vals) for t in template[2])


# ----------------------------------------------------------------- the plan
class _Plans(dict):
    """A model's plans, by batch signature, for one compiled state and optimizer."""

    def __init__(self, owner):
        super().__init__()
        self.owner = owner


class _Entry:
    """One signature's state: traces so far, the plan once they agree, or why not."""

    def __init__(self):
        self.traces = []
        self.plan = None
        self.failed = None

    def reset(self):
        self.traces = []
        self.plan = None


class _Plan:
    """The replayable step: forward calls, the backward walk, and the step's bookkeeping."""

    def __init__(self, trace, model):
        self.template = [src[1] if src[0] == "const" else None for src in trace.source]
        self.batch = [(s, src[1]) for s, src in enumerate(trace.source) if src[0] == "batch"]
        self.variables = list(trace.variables)
        self.var_slots = [s for s, src in enumerate(trace.source) if src[0] == "var"]
        self.tracked = [v._tracked for v in self.variables]
        self.seen_vars = model._trainable_vars()
        self.train_vars = list(self.seen_vars)
        self.layers = step_static.all_layers(model)
        self.settings = step_static.settings(self.layers)
        self.train_slots = [trace.slot_of[id(v)] for v in self.train_vars]
        needed = {i for i, _ in trace.nodes}
        # (forward, in_slots, out_slot, wrapped, keep the arrays for the backward)
        self.forward = [(f, ins, s, w, i in needed)
                        for i, (_, f, _, ins, s, w, _, _) in enumerate(trace.ops)]
        # The tape's reversed walk: (op index, needs, backward, in_slots, out_slot)
        self.backward = [(i, needs, trace.ops[i][2], trace.ops[i][3], trace.ops[i][4])
                         for i, needs in reversed(trace.nodes)]
        self.keep = set(self.train_slots)
        self.y_pred = trace.y_pred
        self.loss = trace.loss
        self.scaled = trace.scaled
        self.trackers = trace.trackers
        self.n_ops = len(trace.ops)

    def stale_reason(self, model):
        """Why the plan no longer fits the model (None when it does)."""
        tv = model._trainable_vars()
        if tv is not self.seen_vars:  # a new fit, compile or train_on_batch: check it all
            if len(tv) != len(self.train_vars) or any(
                    a is not b for a, b in zip(tv, self.train_vars)):
                return "the trainable weights changed"
            if step_static.settings(self.layers) != self.settings:
                return "a layer's settings changed"
            self.seen_vars = tv
        for v, t in zip(self.variables, self.tracked):
            if v._tracked is not t:
                return "a weight's trainable flag changed"
        return None

    def run(self, model, x, y, sample_weight, leaves):
        """One replayed step on the batch `leaves` (x, y and sample_weight's arrays)."""
        xp = np
        vals = self.template.copy()  # the constants are in place already
        for s, i in self.batch:
            vals[s] = leaves[i]
        for s, v in zip(self.var_slots, self.variables):
            vals[s] = v.data
        saved = [None] * self.n_ops
        # No state update waits for the step's end: the trace proved there is none.
        for i, (fwd, ins, s, wrapped, keep) in enumerate(self.forward):
            args = [vals[k] for k in ins]
            out = fwd(xp, *args)
            if keep:
                saved[i] = (args, out)
            vals[s] = xp.asarray(out) if wrapped and type(out) is not np.ndarray else out
        for tracker, s, batch in self.trackers:
            tracker.add_weighted(float(vals[s]), batch)
        model._track_loss(vals[self.loss], x)
        grads = self._gradients(xp, vals, saved)
        variables = self.train_vars
        grads = core.hand_out([grads.get(s) for s in self.train_slots], variables)
        grads = [xp.zeros_like(v.data) if g is None else g for g, v in zip(grads, variables)]
        model.optimizer.apply(grads, variables)
        y_pred = _rebuild(self.y_pred, vals)
        return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def _gradients(self, xp, vals, saved):
        """`ops.core.backward` over the plan: the same walk, the same sums, in the same order."""
        keep = self.keep
        grads = {self.scaled: xp.ones_like(vals[self.scaled])}
        for i, needs, bwd, ins, s in self.backward:
            g = grads.get(s) if s in keep else grads.pop(s, None)
            if g is None:
                continue
            args, out = saved[i]
            in_grads = bwd(xp, g, needs, args, out)
            for k, need, gi in zip(ins, needs, in_grads):
                if not need or gi is None:
                    continue
                prev = grads.get(k)
                grads[k] = gi if prev is None else prev + gi
        return grads

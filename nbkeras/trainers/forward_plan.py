"""Trace the inference forward pass once, replay it every call: the fast path of `predict`,
`predict_on_batch`, `evaluate`, `test_on_batch` and fit's validation.

The first two calls of a given input signature (the structure, shapes and dtypes of x) run
`model(x, training=False)` while a tracer records every call of the ops' entry point
(`ops.core.op`, with no tape recording): the op's `forward(xp, *arrays)` and where each
input came from (an input array, a Variable, an earlier op's output, or a constant). When
both traces agree (the same ops, the same inputs, the same values bound in every closure)
and the model's classes are known to be static at inference (`step_static.forward_reason`),
later calls replay the plan: the forward functions in order, compiled to one straight-line
Python function that reads each variable's current `.data` (so `set_weights`,
`load_weights` and training between calls are seen). No Layer.__call__, no input checks of
every layer: the same kernels on the same arrays, so the numbers are bit-identical to the
direct call. evaluate's step (`forward_loss`) traces and replays its loss in the same plan
where the loss is a built-in one the tracer can follow (else only its forward pass
replays); its metrics run as they do after a direct call.

Anything not proved static runs the direct call; `model._predict_path` says which path the
last forward pass took and why (`"replay"`, `"trace"`, or `"direct: <reason>"`).
`nbkeras.config.set_step_replay(False)` (or `NBKERAS_STEP_REPLAY=0`) turns replay off here
too, and `step_plan.forget(model)` drops the plans.
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.layers import layer as layer_module
from nbkeras.ops import core
from nbkeras.trainers import step_plan, step_static, step_trace

_MAX_PLANS = 8  # input signatures kept per model (a partial last batch is one more)
# Larger batches stay direct: the per-call saving is negligible there, and a trace kept
# until its signature's second call holds the arrays of its call.
_MAX_BATCH = 1024
_TRACES = step_plan._TRACES  # traced calls that must agree before a plan replays


def forward(model, x):
    """`model(x, training=False)`: replayed when a plan for this input signature is ready,
    else the direct call (traced while a plan is made).

    Args:
        model: a model.
        x: its inputs (an array, or a list or dict of arrays).

    Returns:
        The model's outputs, as the direct call returns them.

    Example:
        >>> y = forward_plan.forward(model, x)
        >>> model._predict_path
        'trace'
    """
    plan = ready(model, x) if type(x) is np.ndarray else None
    if plan is not None:
        return plan.run([x])
    plans, x, reason = _prepare(model, x)
    if reason is None:
        leaves, key = step_plan.batch_key(x, None, None)
        reason = _batch_reason(leaves, key)
    if reason is not None:
        return _direct(model, x, reason)
    return _replay(model, plans, key, leaves, lambda: model(x, training=False), False,
                   lambda why: _direct(model, x, why))


def call(model, x):
    """`model(x)` (or `model(x, training=False)`) of one array from outside any layer:
    replayed as `forward` does when the model's classes are proved static at inference
    (where `training=None` and `training=False` are the same call), else `NOT_ROUTED`, and
    the caller runs its direct call as it was written.

    Args:
        model: a built model.
        x: an array of the model's dtype.

    Returns:
        The model's outputs, or `NOT_ROUTED`.

    Example:
        >>> y = model(x)  # (Trainer.__call__ routes it here)
        >>> model._predict_path
        'replay'
    """
    plan = ready(model, x)
    if plan is not None:
        return plan.run([x])
    if not routes_call(model, x):
        return NOT_ROUTED
    plans, x, reason = _prepare(model, x)
    if reason is None:
        leaves, key = step_plan.batch_key(x, None, None)
        reason = _batch_reason(leaves, key)
    if reason is not None:
        return NOT_ROUTED
    return _replay(model, plans, key, leaves, lambda: model(x, training=False), False,
                   lambda why: NOT_ROUTED)


NOT_ROUTED = object()


def ready(model, x):
    """The plan that replays `model(x, training=False)` now for the host array `x` (its
    signature traced already, the model and its weights' list unchanged since, nothing
    recording, replay on, no Keras mask on `x`), or None: the one lookup a steady
    one-sample `predict`, `predict_on_batch` or `model(x)` makes before replaying.

    Args:
        model: a model.
        x: a NumPy array.

    Returns:
        A plan (`plan.run([x])` gives the outputs, and the path is noted), or None.

    Example:
        >>> plan = forward_plan.ready(model, x)
        >>> y = model(x) if plan is None else plan.run([x])
    """
    plans = model.__dict__.get("_forward_plans")
    if plans is None:
        return None
    entry = plans.get((x.shape, x.dtype.str))
    plan = None if entry is None else entry.plan
    if (plan is None or core._tapes or core._tracer is not None or not config._STEP_REPLAY
            or layer_module._training_stack or _device.xp is not np
            or (layer_module._MASKS and layer_module.get_mask(x) is not None)
            or not plans.serves(model)
            or (model._trainable_vars() is not plan.seen_vars and not plan.fits(model))):
        return None
    model.__dict__["_last_predict_path"] = "replay"
    return plan


def routes_call(model, x):
    """Whether `model(x)` may go to `call` to be traced: one array of the model's dtype, at
    entry (no layer calls, no tape records, no trace), the model built, replay on."""
    return (type(x) is np.ndarray and x.dtype == model.dtype and model.built
            and config._STEP_REPLAY and not core._tapes and core._tracer is None
            and not layer_module._training_stack
            and (not layer_module._MASKS or layer_module.get_mask(x) is None))


def forward_loss(model, x, y, sample_weight):
    """`test_step`'s outputs and loss: `model(x, training=False)` and
    `model._compute_loss(..., training=False)`, replayed as one plan when the loss is a
    built-in one (the per-output loss trackers updated as the direct call does), else the
    forward pass (replayed where it can) and the loss as they are.

    Args:
        model: a compiled model.
        x, y, sample_weight: the batch, unpacked.

    Returns:
        (outputs, loss).

    Example:
        >>> y_pred, loss = forward_plan.forward_loss(model, x, y, None)
    """
    plans, cx, reason = _prepare(model, x)
    if reason is None:
        reason = plans.loss_reason
        if reason is _UNKNOWN:
            reason = step_static.loss_reason(model)
            state = model._compiled_state
            if state is not None and state.built:  # (its losses are known once it is built)
                plans.loss_reason = reason
    if reason is None:
        leaves, key = step_plan.batch_key(cx, y, sample_weight)
        key = None if key is None else ("loss", key)
        reason = _batch_reason(leaves, key)
    if reason is not None:
        return _forward_then_loss(model, x, y, sample_weight)

    def call():
        y_pred = model(cx, training=False)
        return y_pred, model._compute_loss(x=cx, y=y, y_pred=y_pred,
                                           sample_weight=sample_weight, training=False)

    return _replay(model, plans, key, leaves, call, True,
                   lambda why: _forward_then_loss(model, x, y, sample_weight))


def _forward_then_loss(model, x, y, sample_weight):
    y_pred = forward(model, x)
    return y_pred, model._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                       training=False)


def _prepare(model, x):
    """(the model's plans, x as its `__call__` converts it, why no plan may run now)."""
    if (not config._STEP_REPLAY or core._tapes or core._tracer is not None
            or layer_module._training_stack or _device.xp is not np):
        return None, x, _context_reason()
    plans = model.__dict__.get("_forward_plans")
    if plans is None or not plans.serves(model):
        plans = _Plans(step_plan._owner(model), step_static.forward_reason(model))
        if plans.reason is None or not layer_module._MASKS:  # (a proof that read the masks
            model.__dict__["_forward_plans"] = plans  # alive now is not kept)
    if plans.reason is not None:
        return plans, x, plans.reason
    if type(x) is not np.ndarray or x.dtype != model.dtype:
        x = model._convert_inputs(x)  # what the model's __call__ does first: the same arrays
    return plans, x, None


def _batch_reason(leaves, key):
    if key is None:
        return "inputs that are not arrays"
    if leaves and leaves[0].ndim and len(leaves[0]) > _MAX_BATCH:
        return f"a batch of more than {_MAX_BATCH} samples"
    return None


def _replay(model, plans, key, leaves, call, with_loss, fallback):
    """`call()` replayed from the plan of `key` when it is ready, else traced (or, when no
    plan can be made, `fallback(reason)`)."""
    entry = plans.get(key)
    if entry is None:
        if len(plans) >= _MAX_PLANS:
            return fallback(f"more than {_MAX_PLANS} input shapes")
        entry = plans[key] = step_plan._Entry()
    plan = entry.plan
    if plan is not None:
        if model._trainable_vars() is plan.seen_vars or plan.fits(model):
            model.__dict__["_last_predict_path"] = "replay"
            return plan.run(leaves)
        entry.reset()  # the weights or a layer's settings changed: trace again
    if entry.failed is not None:
        return fallback(entry.failed)
    trace = _Trace(leaves, model.weights)
    core._tracer = trace
    try:
        out = call()
    finally:
        core._tracer = None
    trace.finish(out, with_loss)
    if trace.reason is not None:
        entry.failed = trace.reason
        model.__dict__["_last_predict_path"] = "direct: " + trace.reason
        return out
    model.__dict__["_last_predict_path"] = "trace"
    entry.add(trace, lambda last: _Plan(last, model),
              "the forward pass's ops differ between calls (data-dependent control flow, or "
              "a value drawn per call)")
    return out


def predict_path(model):
    """Which path the last inference forward pass of `model` took: `'replay'`, `'trace'` (a
    direct call recorded to build a plan), `'direct: <reason>'`, or None before any.

    Args:
        model: a model.

    Example:
        >>> for _ in range(3):
        ...     model.predict(x, verbose=0)
        >>> predict_path(model)
        'replay'
    """
    return model.__dict__.get("_last_predict_path")


# ----------------------------------------------------------------- the direct call
def _direct(model, x, reason):
    model.__dict__["_last_predict_path"] = "direct: " + reason
    return model(x, training=False)


def _context_reason():
    """Why no forward pass can replay now (the switch, a tape, a layer's call, the device)."""
    if not config._STEP_REPLAY:
        return "replay turned off (nbkeras.config.set_step_replay)"
    if core._tapes or core._tracer is not None:
        return "a GradientTape records (or a training step is traced)"
    if layer_module._training_stack:
        return "called inside a layer's call"
    return f"replay runs on the CPU device only (device {_device.device!r})"


_UNKNOWN = object()


class _Plans(step_plan._Plans):
    """A model's forward plans, by input signature (and evaluate's, with the loss, by batch
    signature), why its classes allow none, and why not with the loss."""

    def __init__(self, owner, reason):
        super().__init__(owner)
        self.reason = reason
        self.loss_reason = _UNKNOWN


class _Trace(step_trace.Trace):
    """What one direct forward call did: every op in order (none records on a tape)."""

    untaped = True

    loss = None

    def finish(self, out, with_loss):
        """Called after the traced call: its outputs (and loss), and what a replay would
        not redo."""
        if self.reason is not None:
            return
        y = out
        if with_loss:
            y, loss = out
            self.loss = self.slot_of.get(id(loss))
            if self.loss is None:
                self.fail("a loss that no traced op made")
                return
        if layer_module._layers_with_losses:
            self.fail("add_loss terms in the forward pass (an activity regularizer)")
            return
        if layer_module._MASKS and any(
                isinstance(a, np.ndarray) and layer_module.get_mask(a) is not None
                for a in self.alive):
            self.fail("Keras masks in the forward pass")
            return
        self.y_pred = self._template(y)
        if self.y_pred is None:
            self.fail("outputs that no traced op made")

    def fingerprint(self):
        """What must be the same in two traces for the forward pass to be static."""
        trackers = tuple((id(t), s, b) for t, s, b in self.trackers)
        return self.ops_key() + (repr(self.y_pred), self.loss, trackers,
                                 tuple(id(v) for v in self.variables))


class _Plan:
    """The replayable forward pass: the ops' forward functions in order."""

    def __init__(self, trace, model):
        self.variables = list(trace.variables)
        self.seen_vars = model._trainable_vars()
        self.weights = model.weights
        self.layers = step_static.all_layers(model)
        self.settings = step_static.settings(self.layers)
        self.y_pred = trace.y_pred
        self.slots = step_plan._slots_of(trace.y_pred)
        self.single = trace.y_pred[0] == "slot"
        self.with_loss = trace.loss is not None
        self.trackers = trace.trackers
        self.forward = _compile(trace, self.slots + [trace.loss] * self.with_loss
                                + [s for _, s, _ in trace.trackers])

    def fits(self, model):
        """Whether the plan still fits the model, checked when its trainable weights' list
        is new (after compile, fit or train_on_batch): the same weights and settings."""
        weights = model.weights
        if len(weights) != len(self.weights) or any(
                a is not b for a, b in zip(weights, self.weights)):
            return False
        if step_static.settings(self.layers) != self.settings:
            return False
        self.seen_vars = model._trainable_vars()
        return True

    def run(self, leaves):
        """The outputs for the input arrays `leaves` (with the loss: (outputs, loss), the
        per-output loss trackers updated)."""
        if layer_module._layers_with_losses:  # what the direct call's entry clears
            layer_module._clear_losses()
        with _device.threads_for_inference():  # as the direct call (nested: a no-op)
            out = self.forward(np, leaves, [v.data for v in self.variables])
        n = len(self.slots)
        y_pred = out[0] if self.single else step_plan._rebuild(
            self.y_pred, dict(zip(self.slots, out[:n])))
        if not self.with_loss:
            return y_pred
        for (tracker, _, batch), value in zip(self.trackers, out[n + 1:]):
            tracker.add_weighted(float(value), batch)
        return y_pred, out[n]


def _compile(trace, out_slots):
    """The plan as one straight-line Python function `forward(xp, leaves, variables)`
    returning the outputs' arrays; each op's output is dropped after its last reader."""
    env, lines = {}, ["def forward(xp, L, V):"]
    put = lines.append
    step_plan.bind_sources(trace, env, put)
    last = {}
    for i, op in enumerate(trace.ops):
        for k in op[3]:
            last[k] = i
    keep = set(out_slots)
    for i, (_, f, _, ins, s, _, _, _) in enumerate(trace.ops):
        env[f"f{i}"] = getattr(f, "infer", f)  # (an op's lean inference twin, if any)
        put(f"    v{s} = f{i}(xp, {', '.join(f'v{k}' for k in ins)})")
        dead = sorted(k for k in set(ins) if last[k] == i and k not in keep
                      and trace.source[k][0] == "op")
        if dead:
            put(f"    del {', '.join(f'v{k}' for k in dead)}")
    put(f"    return ({''.join(f'v{s}, ' for s in out_slots)})")
    exec(compile("\n".join(lines), f"<forward plan of {len(trace.ops)} ops>", "exec"), env)
    return env["forward"]

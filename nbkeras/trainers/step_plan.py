"""Compile a training step once, replay it every batch: the fast path of `fit`.

The first two batches of a given input signature (shapes and dtypes of x, y and
sample_weight) run the ordinary tape step while a tracer records every call of the ops'
entry point (`ops.core.op`): the op's `forward(xp, *arrays)`, where each input came from
(a batch array, a Variable, an earlier op's output, or a constant), and its backward
function. When both traces agree (the same ops, the same inputs, the same values bound in
every closure) and everything the step touches is known to be static, later batches replay
the plan: the forward functions in order, the backward functions in the tape's reversed
order with the same accumulation, then the optimizer and the metrics as the tape step
calls them. The plan is compiled to one straight-line Python function (the forward calls,
then the backward walk unrolled). No Layer.__call__, no Tensor, no tape: the same kernels
on the same arrays, so the numbers are bit-identical to the tape path.

Anything the tracer cannot prove static runs on the tape path; `model._step_path` says
which path the last step took and why (`"replay"`, `"trace"`, or `"tape: <reason>"`).
`nbkeras.config.set_step_replay(False)` (or `NBKERAS_STEP_REPLAY=0`) forces the tape path.
"""

import operator

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.layers import layer as layer_module
from nbkeras.ops import core
from nbkeras.trainers import data as data_utils
from nbkeras.trainers import step_static, step_trace

_MAX_PLANS = 8  # signatures kept per model (a partial last batch is one more)
_TRACES = 2  # traced steps that must agree before a plan replays


def train_step(model, x, y, sample_weight, logs=True, trusted=False):
    """One training step of `model` (the default `train_step`): replayed when a plan for
    this batch's signature is ready, else the tape step (traced while a plan is made).

    Args:
        model: a compiled model whose `train_step` is the default one.
        x, y, sample_weight: the batch, unpacked.
        logs: False when the caller does not read the logs (`fit` with no callback
            reading a batch's logs): a replayed step then returns None, without
            evaluating the metrics' results (their state is updated all the same).
        trusted: True when nothing but the caller's loop ran since this model's previous
            step (`fit`'s batches of one epoch with no batch callback): when that step was
            fused, a batch of a signature fused before skips the checks it passed.

    Returns:
        The logs of `compute_metrics`, as the tape step returns them.

    Example:
        >>> logs = step_plan.train_step(model, xb, yb, None)
        >>> model._step_path
        'trace'
    """
    own = model.__dict__
    fast = own.get("_fused_fast")
    if fast is not None and not logs and _fused_again(model, fast, x, y, sample_weight,
                                                      trusted):
        return None
    own["_fused_checked"] = None  # (set again below when this step is fused)
    plans = own.get("_step_plans")
    if plans is None or not plans.serves(model) or not config._STEP_REPLAY or \
            _device.xp is not np:  # (plans are made only where the model's reason was None)
        owner = _owner(model)
        reason = _static_model_reason(model, owner)
        if reason is not None:
            return _tape(model, x, y, sample_weight, reason)
        if plans is None or not _same(plans.owner, owner):
            plans = model._step_plans = _Plans(owner)
    x = model._convert_inputs(x)  # what the model's __call__ does first: the same arrays
    leaves, key = batch_key(x, y, sample_weight)
    if key is None:
        return _tape(model, x, y, sample_weight, "a batch that is not arrays")
    entry = plans.get(key)
    if entry is None:
        if len(plans) >= _MAX_PLANS:
            return _tape(model, x, y, sample_weight, f"more than {_MAX_PLANS} batch shapes")
        entry = plans[key] = _Entry()
    if entry.plan is not None:
        reason = entry.plan.stale_reason(model)
        if reason is None:
            model.__dict__["_last_step_path"] = "replay"  # (a str: no layer to track)
            out = entry.plan.run(model, x, y, sample_weight, leaves, logs)
            if not logs and own["_last_step_path"] == "replay (fused)" and \
                    len(leaves) == 2 and model._compiled_state.compile_metrics is None:
                if fast is None or fast["plans"] is not plans:
                    fast = own["_fused_fast"] = {"plans": plans, "quick": {}}
                fast[key] = (entry, entry.plan)
                fast["quick"][(x.shape, y.shape, x is y)] = (x.dtype, y.dtype, entry,
                                                              entry.plan)
                own["_fused_checked"] = {entry.plan}
            return out
        entry.reset()  # weights or trainability changed: trace again
    if entry.failed is not None:
        return _tape(model, x, y, sample_weight, entry.failed)
    logs, trace = _traced_step(model, x, y, sample_weight, leaves)
    trace.release()
    if trace.reason is not None:
        entry.failed = trace.reason
        model._last_step_path = "tape: " + trace.reason
        return logs
    model._last_step_path = "trace"
    entry.add(trace, lambda last: _Plan(last, model),
              "the step's ops differ between batches (data-dependent control flow, or a "
              "value drawn per step such as a seeded Dropout's)")
    return logs


def _fused_again(model, fast, x, y, sample_weight, trusted):
    """The fused step of a batch signature fused before (`fast`: the plans, and per batch
    key its entry and plan), with the checks of the path above in a few comparisons, or
    none when `trusted` and this very plan passed them earlier in the current run of
    trusted steps: True when it ran, False when anything differs (then the path above
    decides, as for any batch).

    `model._fused_checked` is the set of plans checked since the last untrusted step (a
    step with no trust, or one that was not fused, starts it again). The trust is granted by
    `fit` when nothing but its loop ran since the previous step (no batch callback): it
    assumes that no other thread changes the model, its optimizer or `config` while an
    epoch runs (Keras's fit makes the same assumption). A change made from a callback is
    always seen: an epoch's first step is checked unless only fit's own History and text
    bar ran since the previous epoch (`Trainer._fit_loop`). An epoch's full batches and
    its partial last batch are two plans: each is checked once in a run of trusted steps.

    `fast["quick"]` finds the plan by the shapes alone, its dtypes compared by identity
    (a batch's dtype is NumPy's one object for it), without making the key's strings."""
    if sample_weight is not None or type(x) is not np.ndarray or type(y) is not np.ndarray:
        return False
    known = fast["quick"].get((x.shape, y.shape, x is y))
    if known is not None and known[0] is x.dtype and known[1] is y.dtype:
        entry, plan = known[2], known[3]
    else:
        known = fast.get((x.shape, x.dtype.str, y.shape, y.dtype.str, x is y))
        if known is None:
            return False
        entry, plan = known
    own = model.__dict__
    seen = own.get("_fused_checked") if trusted else None
    checked = seen is not None and plan in seen
    if not checked and (
            model.__dict__.get("_step_plans") is not fast["plans"] or entry.plan is not plan
            or not config._STEP_REPLAY or not config._STEP_FUSED or _device.xp is not np
            or not fast["plans"].serves(model) or model._convert_inputs(x) is not x
            or model._compiled_state.compile_metrics is not None
            or plan.stale_reason(model) is not None):
        return False
    out = plan.fused.run([x, y], checked)
    if out is None:
        return False
    own["_last_step_path"] = "replay (fused)"
    if seen is None:
        own["_fused_checked"] = {plan}
    elif not checked:
        seen.add(plan)
    plan.loss_tracker.add_weighted(out[0], plan.batch)
    model.optimizer._end_step(plan.train_vars)
    return True


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
    """Drop the plans of `model` (its training steps' and its forward passes', see
    `forward_plan`) and what was proved about its classes (its next steps check and trace
    again): call it after patching a layer's methods or settings.

    Args:
        model: a model.

    Example:
        >>> step_plan.forget(model)
    """
    for name in ("_step_plans", "_step_static", "_forward_plans", "_fused_fast",
                 "_fused_checked"):
        model.__dict__.pop(name, None)


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
    """Whether two `_owner`s hold the same objects (by identity)."""
    return (a[0] is b[0] and a[1] is b[1] and len(a[2]) == len(b[2])
            and all(map(operator.is_, a[2], b[2])))


def batch_key(x, y, sample_weight):
    """(the batch's arrays, a key of their structure, shapes, dtypes and aliasing), or
    (arrays, None) when a part is not arrays; y and sample_weight may be None.

    Args:
        x, y, sample_weight: the batch, unpacked.

    Example:
        >>> batch_key(np.zeros((4, 3), "float32"), None, None)[1]
        ((4, 3), '<f4')
    """
    if type(x) is np.ndarray and sample_weight is None:  # the usual batches, keyed quickly
        if y is None:
            return [x], (x.shape, x.dtype.str)
        if type(y) is np.ndarray:
            return [x, y], (x.shape, x.dtype.str, y.shape, y.dtype.str, x is y)
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


def _slots_of(template):
    """The slot numbers in a `_rebuild` template, in order."""
    kind = template[0]
    if kind == "slot":
        return [template[1]]
    parts = [t for _, t in template[1]] if kind == "dict" else template[2]
    return [s for t in parts for s in _slots_of(t)]


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

    def serves(self, model):
        """Whether `model` still has the compiled state, optimizer and layers of `owner`
        (`_owner`'s tuple, compared by identity without building a new one)."""
        state, optimizer, layers = self.owner
        if model._compiled_state is not state or model.optimizer is not optimizer:
            return False
        now = model.__dict__.get("_layers")
        if now is None:
            now = getattr(model, "layers", ())
        return len(now) == len(layers) and all(map(operator.is_, now, layers))


class _Entry:
    """One signature's state: traces so far, the plan once they agree, or why not."""

    def __init__(self):
        self.traces = []
        self.plan = None
        self.failed = None

    def reset(self):
        self.traces = []
        self.plan = None

    def add(self, trace, make_plan, differ):
        """Keep `trace`; once `_TRACES` are kept, make the plan (`make_plan(trace)`) if the
        first and last agree, else note why not (`differ`: what their difference means)."""
        self.traces.append(trace)
        if len(self.traces) < _TRACES:
            return
        first, last = self.traces[0], self.traces[-1]
        self.traces = []
        try:
            same = first.fingerprint() == last.fingerprint()
        except step_trace.Unstatic as error:
            self.failed = str(error)
            return
        if same:
            self.plan = make_plan(last)
        else:
            self.failed = differ


class _Plan:
    """The replayable step: forward calls, the backward walk, and the step's bookkeeping."""

    def __init__(self, trace, model):
        self.variables = list(trace.variables)
        self.tracked = [v._tracked for v in self.variables]
        self.seen_vars = model._trainable_vars()
        self.train_vars = list(self.seen_vars)
        self.layers = step_static.all_layers(model)
        self.settings = step_static.settings(self.layers)
        self.train_slots = [trace.slot_of[id(v)] for v in self.train_vars]
        self.y_pred = trace.y_pred
        self.trackers = trace.trackers
        self.n_trackers = len(trace.trackers)
        self.pred_slots = _slots_of(trace.y_pred)
        self.n_preds = len(self.pred_slots)
        self.step = _compile(self, trace)
        self.updates = trace.updates
        self.short = None  # whether the short bookkeeping applies (`_proves_short`)
        self.fused = None  # the fused program (`step_fused`), or why there is none
        if config._STEP_FUSED and not self.updates and not self.n_trackers:
            from nbkeras.trainers import step_fused  # (when a plan is made, not at import)

            self.fused = step_fused.compile_program(self, trace, model)

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

    def run(self, model, x, y, sample_weight, leaves, logs=True):
        """One replayed step on the batch `leaves` (x, y and sample_weight's arrays); the
        logs of `compute_metrics`, or None when `logs` is False."""
        if self.updates:  # the ops' state updates (BatchNormalization's moving statistics)
            with layer_module.deferred_state_updates():  # wait for the step's end, as on the tape
                out = self._train(model, x, leaves)
        else:  # the trace proved that no state update waits for the step's end
            out = self._train(model, x, leaves)
        state = model._compiled_state
        if not logs and state.compile_metrics is None:
            return None
        n, p = self.n_trackers, self.n_preds
        y_pred = _rebuild(self.y_pred, dict(zip(self.pred_slots, out[n + 1:n + p + 1])))
        if logs:
            return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        model._update_compiled_metrics(y, y_pred, sample_weight)
        return None

    def _train(self, model, x, leaves):
        """The replayed forward and backward passes, the loss trackers and the optimizer;
        what the plan's function returned."""
        fused = self.fused
        if self.short and fused is not None and type(fused) is not str and config._STEP_FUSED:
            out = fused.run(leaves)  # the whole step in one kernel call, the update included
            if out is not None:
                model.__dict__["_last_step_path"] = "replay (fused)"
                self.loss_tracker.add_weighted(out[0], self.batch)
                model.optimizer._end_step(self.train_vars)
                return out
        out = self.step(np, leaves, [v.data for v in self.variables])
        n, p = self.n_trackers, self.n_preds
        if n:
            for (tracker, _, batch), value in zip(self.trackers, out[1:n + 1]):
                tracker.add_weighted(float(value), batch)
        loss, grads, variables = out[0], out[n + p + 1:], self.train_vars
        if self.short is None:
            self.short = self._proves_short(model, x, loss, grads)
        # Like Keras, weights the loss does not reach get zero gradients.
        grads = [np.zeros_like(v.data) if g is None else g for g, v in zip(grads, variables)]
        if self.short:  # what `model._track_loss` and `optimizer.apply` do, checks proved
            self.loss_tracker.add_weighted(loss, self.batch)
            if not model.optimizer._apply_flat(grads, variables):
                model.optimizer.apply(core.hand_out(grads, variables), variables)
        else:
            model._track_loss(loss, x)
            model.optimizer.apply(core.hand_out(grads, variables), variables)
        return out

    def _proves_short(self, model, x, loss, grads):
        """Whether every replay of this plan may skip the checks of `model._track_loss` and
        `optimizer.apply` (decided on the first replay: the plan's arrays keep their types,
        shapes and dtypes): the loss is a 0-d array, and each gradient None or an array
        shaped and typed like its weight. Keeps the batch size and the loss tracker."""
        self.batch = len(data_utils.flat(x)[0])
        self.loss_tracker = model._compiled_state.loss_tracker
        return type(loss) is np.ndarray and loss.ndim == 0 and all(
            g is None or (type(g) is np.ndarray and g.dtype == v.dtype and g.shape == v.shape)
            for g, v in zip(grads, self.train_vars))


def bind_sources(trace, env, put):
    """The lines of a compiled plan that bind each slot a trace did not compute: `v<slot>`
    from the batch's arrays `L` or the variables' arrays `V`, constants put in `env`.

    Args:
        trace: a `step_trace.Trace`.
        env: the globals of the plan's function, where constants go.
        put: appends one line of the function's source.

    Example:
        >>> lines, env = ["def step(xp, L, V):"], {}
        >>> bind_sources(trace, env, lines.append)
        >>> lines[1]
        '    v0 = L[0]'
    """
    for s, src in enumerate(trace.source):
        if src[0] == "batch":
            put(f"    v{s} = L[{src[1]}]")
        elif src[0] == "var":
            put(f"    v{s} = V[{src[1]}]")
        elif src[0] == "const":
            env[f"v{s}"] = src[1]


def _compile(plan, trace):
    """The plan as one straight-line Python function `step(xp, leaves, variables)` returning
    (loss, per-output losses..., outputs..., gradients of the trainable weights...):
    `ops.core.backward`'s walk unrolled, with its sums in the same order."""
    env, lines = {}, ["def step(xp, L, V):"]
    put = lines.append
    bind_sources(trace, env, put)
    needed = {i for i, _ in trace.nodes}
    for i, (_, f, _, ins, s, wrapped, _, _) in enumerate(trace.ops):
        env[f"f{i}"] = f
        args = ", ".join(f"v{k}" for k in ins)
        put(f"    a{i} = [{args}]")
        put(f"    o{i} = f{i}(xp, *a{i})")
        if wrapped:
            put(f"    v{s} = xp.asarray(o{i}) if type(o{i}) is not _ndarray else o{i}")
        else:
            put(f"    v{s} = o{i}")
        if i not in needed:
            put(f"    a{i} = None")
    env["_ndarray"] = np.ndarray
    keep = set(plan.train_slots)
    targets = {trace.scaled} | {s for i, _ in trace.nodes for s in trace.ops[i][3]} | {
        trace.ops[i][4] for i, _ in trace.nodes}  # (an output the loss never reads too)
    for k in sorted(targets):
        put(f"    g{k} = None")
    put(f"    g{trace.scaled} = _ones_like(xp, v{trace.scaled})")
    env["_ones_like"] = _ones_like
    for i, needs in reversed(trace.nodes):
        _, _, b, ins, s, _, _, _ = trace.ops[i]
        env[f"b{i}"], env[f"n{i}"] = b, needs
        put(f"    if g{s} is not None:")
        put(f"        r = b{i}(xp, g{s}, n{i}, a{i}, o{i})")
        if s not in keep:
            put(f"        g{s} = None")
        for j, (k, need) in enumerate(zip(ins, needs)):
            if need:
                put(f"        t = r[{j}] if len(r) > {j} else None")
                put(f"        if t is not None:")
                put(f"            g{k} = t if g{k} is None else g{k} + t")
    outs = [f"v{trace.loss}"] + [f"v{s}" for _, s, _ in trace.trackers] + \
        [f"v{s}" for s in plan.pred_slots] + [f"g{s}" if s in targets else "None"
                                              for s in plan.train_slots]
    put(f"    return ({', '.join(outs)},)")
    exec(compile("\n".join(lines), f"<step plan of {len(trace.ops)} ops>", "exec"), env)
    return env["step"]


def _ones_like(xp, v):
    """`xp.ones_like(v)`, the seed of the backward walk; for the usual 0-d loss, NumPy's
    `ones_like` result built without that function's wrappers."""
    if xp is np and type(v) is np.ndarray and v.ndim == 0:
        return np.array(1, v.dtype)
    return xp.ones_like(v)

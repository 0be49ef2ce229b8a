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

import types

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.layers import layer as layer_module
from nbkeras.ops import core
from nbkeras.ops.core import GradientTape, Tensor, unwrap

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
        except _Unstatic as error:
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
    trace = _Trace(leaves, variables)
    core._tracer = trace
    try:
        logs = model._tape_train_step(x, y, sample_weight, trace)
    finally:
        core._tracer = None
    return logs, trace


# ----------------------------------------------------------------- static checks
def _static_model_reason(model, owner):
    """Why `model` cannot replay a traced step (None when it can, as far as its classes go)."""
    if not config._STEP_REPLAY:
        return "replay turned off (nbkeras.config.set_step_replay)"
    if _device.xp is not np:
        return f"replay runs on the CPU device only (device {_device.device!r})"
    cached = model.__dict__.get("_step_static")
    if cached is not None and _same(cached[0], owner):
        return cached[1]
    reason = _model_reason(model)
    model._step_static = (owner, reason)
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


def _model_reason(model):
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential
    from nbkeras.trainers.trainer import Trainer

    cls = type(model)
    if not isinstance(model, (Sequential, Functional)):
        return f"a subclassed model ({cls.__name__} defines its own `call`)"
    base = Sequential if isinstance(model, Sequential) else Functional
    if cls.call is not base.call or cls.__call__ is not base.__call__:
        return f"{cls.__name__} overrides `call`"
    for name in ("train_step", "compute_loss", "_compute_loss", "compute_metrics", "_track_loss",
                 "_compiled_loss_value", "_step_losses"):
        if getattr(cls, name) is not getattr(Trainer, name):
            return f"{cls.__name__} overrides `{name}`"
    state = model._compiled_state
    if state is None or not state.built or state.loss_spec is None:
        return "no compiled loss"
    for loss in state.losses:
        if loss is not None and not _builtin_loss(loss):
            return f"a custom loss ({type(loss).__name__})"
    layers = _all_layers(model)
    for layer in layers:
        reason = _layer_reason(layer)
        if reason is not None:
            return reason
    return None


def _builtin(obj):
    """Whether `obj` (a function, or an object by its class) is defined inside nbkeras."""
    if obj is None:
        return True
    mod = getattr(obj, "__module__", None) if isinstance(obj, (types.FunctionType, type)) \
        else type(obj).__module__
    return bool(mod) and (mod == "nbkeras" or mod.startswith("nbkeras."))


def _builtin_loss(loss):
    from nbkeras.losses.loss import LossFunctionWrapper

    if not _builtin(loss) or type(loss).__call__ is not _loss_call():
        return False
    return not isinstance(loss, LossFunctionWrapper) or _builtin(loss.fn)


def _loss_call():
    from nbkeras.losses.loss import Loss

    return Loss.__call__


def _all_layers(model):
    out, stack, seen = [], list(getattr(model, "layers", ())), set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        stack.extend(getattr(layer, "_layers", ()) or ())
    return out


_WHITELIST = None


def _whitelist():
    """The built-in layer classes whose `call` is known static: the same ops for every batch
    of a shape (their random draws, if any, happen inside an op's forward)."""
    global _WHITELIST
    if _WHITELIST is None:
        from nbkeras import layers as L

        names = ("Dense", "Activation", "Dropout", "Flatten", "Reshape", "InputLayer", "ReLU",
                 "LeakyReLU", "ELU", "Softmax", "PReLU", "Identity", "LayerNormalization",
                 "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
                 "Dot", "Permute", "RepeatVector", "EinsumDense", "UnitNormalization")
        _WHITELIST = {getattr(L, n) for n in names if hasattr(L, n)}
    return _WHITELIST


_CALLABLE_ATTRS = ("activation", "kernel_regularizer", "bias_regularizer",
                   "activity_regularizer", "kernel_constraint", "bias_constraint",
                   "gamma_regularizer", "beta_regularizer", "alpha_regularizer")


def _layer_reason(layer):
    from nbkeras.layers.layer import Layer
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    cls = type(layer)
    if "call" in layer.__dict__:  # a `call` set on the instance (the profiler's timers)
        return f"layer '{layer.name}' has its own `call` attribute"
    if isinstance(layer, (Sequential, Functional)):
        return _nested_model_reason(layer)
    base = next((c for c in cls.__mro__ if c in _whitelist()), None)
    if base is None or cls.call is not base.call or cls.__call__ is not Layer.__call__:
        return f"layer '{layer.name}' ({cls.__name__}) is not on the replay whitelist"
    if getattr(layer, "supports_masking", False) and layer_module._MASKS:
        return "Keras masks in the step"
    for attr in _CALLABLE_ATTRS:
        fn = layer.__dict__.get(attr)
        if fn is not None and not _builtin(fn):
            return f"layer '{layer.name}' has a custom {attr}"
    for v in layer.weights:
        if not _builtin(getattr(v, "regularizer", None)):
            return f"a custom regularizer on '{v.path}'"
    return None


def _nested_model_reason(model):
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    cls = type(model)
    base = Sequential if isinstance(model, Sequential) else Functional
    if cls.call is not base.call or cls.__call__ is not base.__call__:
        return f"the inner model '{model.name}' overrides `call`"
    return None


_SETTING_TYPES = (int, float, bool, str, type(None), tuple)


def _settings(layers):
    """The layers' plain settings (a Dropout's rate, an activation's name...), which the ops of
    a plan have bound: a change between fits makes the plan trace again."""
    return [tuple((k, v) for k, v in vars(layer).items()
                  if type(v) in _SETTING_TYPES and k != "_checked_shape")
            for layer in layers]


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


# ----------------------------------------------------------------- the tracer
class _Trace:
    """What one tape step did: every op in order, where its inputs came from, and what the
    rest of the step (loss tracker, backward, metrics) read from it."""

    def __init__(self, leaves, variables):
        self.reason = None
        self.slot_of = {}  # id(object) -> slot
        self.alive = []  # keeps every traced object (so ids stay unique)
        self.source = []  # per slot: ("batch", i) | ("var", j) | ("op", i) | ("const", value)
        self.variables = []  # Variable per "var" slot, in order
        self.ops = []  # (name, forward, backward, in_slots, out_slot, wrapped, arrays, out)
        self.op_of_tensor = {}  # id(recorded Tensor) -> op index
        self.trackers = []  # (tracker, slot, batch) of per-output loss trackers
        for i, a in enumerate(leaves):
            if id(a) not in self.slot_of:
                self._new(a, ("batch", i))
        for v in variables:
            self._variable(v)

    def _new(self, obj, source):
        s = len(self.source)
        self.source.append(source)
        self.slot_of[id(obj)] = s
        self.alive.append(obj)
        return s

    def _variable(self, v):
        s = self._new(v, ("var", len(self.variables)))
        self.variables.append(v)
        self.slot_of[id(v.data)] = s
        self.alive.append(v.data)
        return s

    def fail(self, reason):
        if self.reason is None:
            self.reason = reason

    def op(self, name, forward, backward, inputs, arrays, out, xp):
        """Called by `ops.core.op` for every op inside the traced tape."""
        from nbkeras.variables import Variable

        if backward is None:
            res = out
        else:
            res = core.record(out, inputs, lambda g, needs: backward(xp, g, needs, arrays, out))
        if self.reason is not None:
            return res
        in_slots = []
        for x in inputs:
            s = self.slot_of.get(id(x))
            if s is None:
                if isinstance(x, Variable):
                    s = self._variable(x)
                elif type(x) is np.ndarray and x.ndim == 0:
                    # A number made as an array (a batch size): a constant, which the
                    # comparison of two traces checks is the same in both.
                    s = self._new(x, ("const", x))
                elif isinstance(x, (Tensor, np.ndarray)) or not _constant(x):
                    self.fail(f"op '{name}' reads an array that no traced op, variable or "
                              "batch made")
                    return res
                else:
                    s = self._new(x, ("const", x))
            in_slots.append(s)
        i = len(self.ops)
        wrapped = isinstance(res, Tensor)
        s = self._new(res, ("op", i))
        self.alive.append(out)
        if wrapped:
            self.slot_of[id(res.data)] = s
            self.op_of_tensor[id(res)] = i
        self.slot_of[id(out)] = s
        self.ops.append((name, forward, backward, tuple(in_slots), s, wrapped, arrays, out))
        return res

    def note_tracker(self, tracker, value, batch):
        """A per-output loss tracker read `value` (an op's output) with weight `batch`."""
        s = self.slot_of.get(id(value))
        if s is None:
            self.fail("a per-output loss that no traced op made")
        else:
            self.trackers.append((tracker, s, batch))

    def finish(self, tape, y_pred, loss, scaled):
        """Called at the end of the traced tape block: what the rest of the step reads."""
        if self.reason is not None:
            return
        if layer_module._deferred_updates:
            self.fail("state updates in the step (BatchNormalization's moving statistics)")
            return
        self.y_pred = self._template(y_pred)
        self.loss = self.slot_of.get(id(loss))
        self.scaled = self.slot_of.get(id(scaled))
        if self.y_pred is None or self.loss is None or self.scaled is None:
            self.fail("outputs or a loss that no traced op made")
            return
        if not isinstance(scaled, Tensor):
            self.fail("a loss that no trainable weight reaches")
            return
        nodes = []
        for t, inputs, needs, fn in tape._nodes:
            i = self.op_of_tensor.get(id(t))
            if i is None:
                self.fail("an op that records on the tape outside the ops' entry point "
                          "(convolutions, pooling, RNNs, Embedding)")
                return
            nodes.append((i, needs))
        self.nodes = nodes

    def _template(self, y):
        if isinstance(y, dict):
            parts = [(k, self._template(v)) for k, v in y.items()]
            return None if any(p is None for _, p in parts) else ("dict", parts)
        if isinstance(y, (list, tuple)):
            parts = [self._template(v) for v in y]
            return None if any(p is None for p in parts) else ("seq", type(y), parts)
        s = self.slot_of.get(id(y))
        return None if s is None else ("slot", s)

    def fingerprint(self):
        """What must be the same in two traces for the step to be static."""
        src = tuple(_value_key(s, self.slot_of) if s[0] == "const" else s for s in self.source)
        ops = []
        for name, f, b, ins, s, w, _, _ in self.ops:
            scratch = _scratch_cells(f)
            try:
                ops.append((name, _fn_key(f, self.slot_of, scratch),
                            _fn_key(b, self.slot_of, scratch), ins, s, w))
            except _Unstatic as error:
                raise _Unstatic(f"op '{name}': {error}") from None
        ops = tuple(ops)
        trackers = tuple((id(t), s, b) for t, s, b in self.trackers)
        return (src, ops, tuple(self.nodes), self.loss, self.scaled, repr(self.y_pred),
                trackers, tuple(id(v) for v in self.variables))


class _Unstatic(Exception):
    """The trace binds something that a replay could not refresh."""


_SCALARS = (int, float, bool, complex, str, bytes, type(None), np.generic, np.dtype, slice,
            type(Ellipsis))


def _constant(x):
    """Whether x can be a constant input of a replayed op (numbers, shapes, dtypes)."""
    if isinstance(x, _SCALARS):
        return True
    if isinstance(x, (tuple, list)):
        return all(_constant(t) for t in x)
    return False


def _value_key(v, slot_of, depth=0):
    """A comparable key of a value bound in a closure (or an op's constant input)."""
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "const":
        c = v[1]
        if type(c) is np.ndarray:
            return ("const", c.dtype.str, c.shape, c.tobytes())
        return ("const", _value_key(c, slot_of, depth))
    if _is_variable(v):  # a Variable is read afresh (`.data`) whenever an op runs
        return ("variable", id(v))
    if isinstance(v, (np.ndarray, Tensor)):
        if isinstance(v, Tensor) or id(v) in slot_of:  # replay would read a stale value
            raise _Unstatic("an op keeps a tensor of the step in its closure")
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (float, np.floating, complex)):
        return (type(v).__name__, repr(v))
    if isinstance(v, _SCALARS):
        return (type(v).__name__, v)
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_value_key(t, slot_of, depth) for t in v))
    if isinstance(v, dict):  # an op's scratch (the mask a forward keeps for its backward)
        return ("dict", tuple(v))
    if isinstance(v, types.FunctionType):
        return _fn_key(v, slot_of, depth=depth + 1) if depth < 4 else ("fn", v.__code__)
    if isinstance(v, (types.ModuleType, type, types.BuiltinFunctionType)):
        return ("obj", id(v))
    return ("obj", id(v))


def _is_variable(v):
    from nbkeras.variables import Variable

    return isinstance(v, Variable)


def _fn_key(fn, slot_of, scratch=frozenset(), depth=0):
    if fn is None:
        return None
    if not isinstance(fn, types.FunctionType):
        return ("callable", id(fn))
    cells = tuple(("scratch",) if id(c) in scratch else _value_key(_cell(c), slot_of, depth)
                  for c in fn.__closure__ or ())
    defaults = tuple(_value_key(d, slot_of, depth) for d in fn.__defaults__ or ())
    return (fn.__code__, cells, defaults)


_WRITTEN = {}


def _scratch_cells(forward):
    """The closure cells that `forward` assigns (`nonlocal a; a = ...`): the op's scratch,
    refreshed by every call, which its backward reads."""
    if not isinstance(forward, types.FunctionType) or not forward.__closure__:
        return frozenset()
    code = forward.__code__
    names = _WRITTEN.get(code)
    if names is None:
        import dis

        names = _WRITTEN[code] = frozenset(
            i.argval for i in dis.get_instructions(code) if i.opname == "STORE_DEREF")
    return frozenset(id(c) for c, n in zip(forward.__closure__, code.co_freevars) if n in names)


def _cell(c):
    try:
        return c.cell_contents
    except ValueError:  # an empty cell
        return None


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
        self.layers = _all_layers(model)
        self.settings = _settings(self.layers)
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
            if _settings(self.layers) != self.settings:
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

"""The tracer of a training step: every call of the ops' entry point inside the tape,
where each input came from, and a fingerprint that two traces of a static step share
(nbkeras/trainers/step_plan.py builds its plans from it)."""

import types

import numpy as np

from nbkeras.layers import layer as layer_module
from nbkeras.ops import core
from nbkeras.ops.core import Tensor


class Trace:
    """What one tape step did: every op in order, where its inputs came from, and what the
    rest of the step (loss tracker, backward, metrics) read from it."""

    untaped = False  # whether `ops.core.op` reports the calls made with no tape recording

    def __init__(self, leaves, variables):
        self.reason = None
        self.updates = 0  # state updates that ops made (BatchNormalization's moving stats)
        self.slot_of = {}  # id(object) -> slot
        self.alive = []  # keeps every traced object (so ids stay unique)
        self.source = []  # per slot: ("batch", i) | ("var", j) | ("op", i) | ("const", value)
        self.variables = []  # Variable per "var" slot, in order
        self.ops = []  # (name, forward, backward, in_slots, out_slot, wrapped, arrays, out)
        self.configs = []  # per op: the config `ops.core.op` got (step_fused reads it)
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

    def op(self, name, forward, backward, inputs, arrays, out, xp, config=None):
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
        if not wrapped and not isinstance(out, (np.ndarray, np.generic)):
            self.fail(f"op '{name}' returned {type(out).__name__}, not an array")
            return res
        s = self._new(res, ("op", i))
        self.alive.append(out)
        if wrapped:
            self.slot_of[id(res.data)] = s
            self.op_of_tensor[id(res)] = i
        self.slot_of[id(out)] = s
        self.ops.append((name, forward, backward, tuple(in_slots), s, wrapped, arrays, out))
        self.configs.append(config)
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
        self.updates, in_ops = layer_module.deferred_updates_in_ops()
        if not in_ops:
            self.fail("state updates in the step made outside an op")
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
                          "(custom gradients)")
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

    def release(self):
        """After the traced step (its backward has run): let go of what each op's forward
        kept for its backward (an im2col matrix, an argmax), which a replay's forward sets
        afresh; the scratch is not compared between traces, so the first trace need not
        hold a second step's buffers while the next one runs."""
        for _, f, *_ in self.ops:
            for cell in _scratch(f):
                cell.cell_contents = None

    def fingerprint(self):
        """What must be the same in two traces for the step to be static."""
        src, ops = self.ops_key()
        trackers = tuple((id(t), s, b) for t, s, b in self.trackers)
        return (src, ops, tuple(self.nodes), self.loss, self.scaled, repr(self.y_pred),
                trackers, tuple(id(v) for v in self.variables), self.updates)

    def ops_key(self):
        """(the slots' sources, the ops with the values their functions bind): what two
        traces of a static computation share."""
        src = tuple(_value_key(s, self.slot_of) if s[0] == "const" else s for s in self.source)
        ops = []
        for name, f, b, ins, s, w, _, _ in self.ops:
            scratch = _scratch_cells(f)
            try:
                ops.append((name, _fn_key(f, self.slot_of, scratch),
                            _fn_key(b, self.slot_of, scratch), ins, s, w))
            except Unstatic as error:
                raise Unstatic(f"op '{name}': {error}") from None
        return src, tuple(ops)


class Unstatic(Exception):
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
    if isinstance(v, tuple) and len(v) == 2 and type(v[0]) is str and v[0] == "const":
        c = v[1]
        if type(c) is np.ndarray:
            return ("const", c.dtype.str, c.shape, c.tobytes())
        return ("const", _value_key(c, slot_of, depth))
    if _is_variable(v):  # a Variable is read afresh (`.data`) whenever an op runs
        return ("variable", id(v))
    if isinstance(v, (np.ndarray, Tensor)):
        if isinstance(v, Tensor) or id(v) in slot_of:  # replay would read a stale value
            raise Unstatic("an op keeps a tensor of the step in its closure")
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
    if isinstance(v, types.MethodType):  # `obj.method` is a new object at each access
        return ("method", id(v.__self__), _value_key(v.__func__, slot_of, depth + 1))
    return ("obj", id(v))  # modules, classes, builtins and other objects: by identity


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
    """The ids of the closure cells that `forward` assigns: see `_scratch`."""
    return frozenset(id(c) for c in _scratch(forward))


def _scratch(forward):
    """The closure cells that `forward` assigns (`nonlocal a; a = ...`): the op's scratch,
    refreshed by every call, which its backward reads."""
    if not isinstance(forward, types.FunctionType) or not forward.__closure__:
        return ()
    code = forward.__code__
    names = _WRITTEN.get(code)
    if names is None:
        import dis

        names = _WRITTEN[code] = frozenset(
            i.argval for i in dis.get_instructions(code) if i.opname == "STORE_DEREF")
    return tuple(c for c, n in zip(forward.__closure__, code.co_freevars) if n in names)


def _cell(c):
    try:
        return c.cell_contents
    except ValueError:  # an empty cell
        return None

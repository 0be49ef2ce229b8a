"""The fused training step: a replayed plan run as one call of a Numba step interpreter.

When every op of a traced step has a fused form (`dense`, the elementwise activations,
an unseeded `dropout`, the per-row losses, the loss `mean`) and its optimizer is SGD,
RMSprop or Adam on the flat buffers, `compile_program` turns the trace into a program
(`nbkeras.backend.cpu.step_program`): integer instructions over one preallocated arena,
the optimizer's flat parameter and gradient buffers, made once per plan. Each step then
runs the ops that only read the batch (a label cast) in Python as the plan would, and the
forward pass, the loss, the backward walk (the tape's order and sums) and the update in
one kernel call. The instructions call the kernels the ops call, and BLAS with the very
arguments NumPy's matmul passes, so the numbers are bit-identical to the replay's.

`NBKERAS_STEP_FUSED=0` (or `config.set_step_fused(False)`) keeps the Python replay;
`NBKERAS_FUSED_COMPILE=0` never compiles the interpreter in a child process (`kernel_ready`).

Example:
    >>> program = compile_program(plan, trace, model)
    >>> program if isinstance(program, str) else "fused"
    'fused'
"""

import os
import threading

import numpy as np

from nbkeras.backend.activation_codes import NEEDS_INPUT
from nbkeras.optimizers.adam import Adam
from nbkeras.optimizers.optimizer import Optimizer as _Optimizer
from nbkeras.optimizers.rmsprop import RMSprop
from nbkeras.optimizers.sgd import SGD

_RULES = {"sgd": 0, "sgd_momentum": 1, "rmsprop": 2, "adam": 3}
_OPTIMIZERS = (SGD, RMSprop, Adam)
_LOSSES = {"bce_forward": 0, "mse_forward": 1, "sparse_cce_forward": 2, "cce_forward": 3}
_ROWWISE = {"softmax_forward": 0, "log_softmax_forward": 1}
_NO_TRANS, _TRANS, _ROW_MAJOR, _COL_MAJOR = 111, 112, 101, 102
_WIDTH = 16
# When the kernel cache lacks the step interpreter, its compile (10-30 s of a core) runs in
# a child process at the lowest CPU priority, started at the first fusable step: in a thread
# it held the GIL for most of that time (100 tutorial steps: 0.03 s quiet, up to 1.6 s beside
# it). The child writes the kernel cache; the steps replay in Python (the same numbers) until
# it has exited, then the next step loads the interpreter from the cache (tens of ms).
# `NBKERAS_FUSED_COMPILE=0` starts no child (then only a cached interpreter is used).
COMPILE_ENV = "NBKERAS_FUSED_COMPILE"
_KERNELS = {}  # dtype -> True / False (failed), a _Child compiling it, or _NO_CHILD
_NO_CHILD = "no child"  # no compile in the background: the replay stays (wait=True compiles)


class _Child:
    """The low-priority process compiling the interpreter for one dtype into the kernel
    cache, and the thread that reaps it (blocked in waitpid, without the GIL)."""

    __slots__ = ("proc", "done")

    def __init__(self, dtype):
        import subprocess
        import sys

        import nbkeras

        root = os.path.dirname(os.path.dirname(os.path.abspath(nbkeras.__file__)))
        env = dict(os.environ, NBKERAS_PRELOAD="0", OMP_NUM_THREADS="1",
                   OPENBLAS_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH"))
                                              if p))
        code = ("import os\nos.nice(19)\nfrom nbkeras.backend.cpu import step_program\n"
                f"step_program.compile_locked({np.dtype(dtype).name!r})\n")
        self.done = False
        # Its own process group (a Ctrl-C in the terminal leaves it compiling, for the next
        # process) in the same session (the same autogroup, so that nice 19 counts).
        group = {"process_group": 0} if sys.version_info >= (3, 11) else {}
        self.proc = subprocess.Popen([sys.executable, "-c", code], env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=True, **group)
        threading.Thread(target=self._reap, name="nbkeras-fused-compile", daemon=True).start()

    def _reap(self):
        self.proc.wait()
        self.done = True

    def wait(self):
        self.proc.wait()
        self.done = True


def _start_child(dtype):
    if os.environ.get(COMPILE_ENV, "").strip().lower() in ("0", "off", "no", "false"):
        return _NO_CHILD
    try:
        return _Child(dtype)
    except Exception:  # noqa: BLE001 -- no interpreter to start: the replay stays
        return _NO_CHILD


def _after_fork():
    """A forked process has neither its parent's child nor the thread reaping it: it asks
    again (a second child waits on the compile lock, then loads what the first wrote)."""
    for dtype, state in list(_KERNELS.items()):
        if type(state) is _Child:
            del _KERNELS[dtype]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def kernel_ready(dtype, wait=False):
    """Whether the step interpreter for `dtype` is compiled (or loaded from the kernel
    cache). The first call loads it when the kernel cache holds it (tens of milliseconds):
    a short fit is fused from its first replay. Otherwise it starts the compile in a
    low-priority child process (`_Child`) and returns False (the Python replay, the same
    numbers, runs) until that child has exited; the call after that loads it.

    Args:
        dtype: the weights' float dtype.
        wait: compile it now if needed (or wait for the child), and block until it is
            ready (tests).

    Example:
        >>> kernel_ready(np.float32, wait=True)
        True
    """
    state = _KERNELS.get(dtype)
    if state is True or state is False:  # (False: it failed to compile)
        return state
    if not wait and (state is _NO_CHILD or (type(state) is _Child and not state.done)):
        return False  # (each step while the child compiles: a flag read)
    from nbkeras.backend.cpu import step_program

    if state is None:
        if wait or step_program.cached(dtype):
            return _load(dtype)
        state = _KERNELS[dtype] = _start_child(dtype)
    if type(state) is _Child:
        if wait:
            state.wait()
        if not state.done:
            return False
        if step_program.cached(dtype):
            return _load(dtype)
        state = _KERNELS[dtype] = _NO_CHILD  # it failed or was killed: never stall a step
    return _load(dtype) if wait else False


def _load(dtype):
    from nbkeras.backend.cpu import step_program

    try:
        step_program.warm(dtype)
        _KERNELS[dtype] = True
    except Exception:  # noqa: BLE001 - no fused step then: the Python replay stays
        _KERNELS[dtype] = False
    return _KERNELS[dtype]


class Unfused(Exception):
    """Why a plan keeps the Python replay."""


def compile_program(plan, trace, model):
    """The fused program of a replayed plan, or a str saying why there is none.

    Args:
        plan: the `step_plan._Plan` made from `trace`.
        trace: the last `step_trace.Trace` of the step.
        model: the model.

    Example:
        >>> compile_program(plan, trace, model)
        <step_fused.Program of 9 ops>
    """
    try:
        return Program(plan, trace, model)
    except Unfused as why:
        return str(why)


def optimizer_reason(opt):
    """Why `opt`'s update cannot run in the fused step (None when it can): the checks of
    `Optimizer._apply_flat`, plus an update rule of its own and no weight decay."""
    if type(opt) not in _OPTIMIZERS:
        return f"the optimizer {type(opt).__name__} has no fused update"
    if (opt.loss_scale_factor is not None or opt.gradient_accumulation_steps
            or opt.clipnorm is not None or opt.clipvalue is not None
            or opt.global_clipnorm is not None or type(opt).apply is not _Optimizer.apply
            or opt.weight_decay is not None):
        return "the optimizer scales, clips, accumulates or decays the gradients"
    return None


def flat_of(opt, variables):
    """The flat buffers of `opt` that a fused step updates: the optimizer's own
    (`Optimizer._flat_for`), or, where the optimizer keeps per-variable updates because
    copying the gradients into one buffer would not pay (the fused step writes them there
    directly), buffers made for the fused step, shared by its plans. None when neither
    holds `variables`.

    Example:
        >>> flat_of(model.optimizer, model.trainable_variables).params.size
        269322
    """
    from nbkeras.optimizers import flat_buffer

    flat = opt._flat_for(variables)
    if flat is None and opt.__dict__.get("_flat") is False:
        flat = opt.__dict__.get("_fused_flat")
        if flat is None:
            flat = opt._fused_flat = flat_buffer.build(opt, max_params=None) or False
        if not flat or not flat.covers(variables):
            return None
    return flat


class _Loc:
    """Where a value lives: buffer (0 arena, 1 parameters, 2 gradients), offset, shape."""

    __slots__ = ("bid", "off", "shape")

    def __init__(self, bid, off, shape):
        self.bid, self.off, self.shape = bid, off, tuple(shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))


class Program:
    """A plan's fused step: the instructions, their buffers, and how to call them."""

    def __init__(self, plan, trace, model):
        from nbkeras.backend.cpu import blas

        opt = model.optimizer
        why = optimizer_reason(opt)
        if why:
            raise Unfused(why)
        flat = flat_of(opt, plan.train_vars)
        if flat is None:
            raise Unfused("the optimizer's weights do not fit one flat buffer")
        self.dtype = np.dtype(flat.dtype)
        if self.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise Unfused(f"weights of dtype {self.dtype}")
        from nbkeras.backend.cpu import step_program

        self.fns = np.array([blas.gemm_address(self.dtype), blas.gemm_address(self.dtype, "gemv"),
                             step_program.lane_update_address(self.dtype)], np.int64)
        if not self.fns[:2].all():
            raise Unfused("NumPy's BLAS is not the OpenBLAS whose GEMM the kernel calls")
        self.flat, self.optimizer = flat, opt
        self.ip, self.fp, self.size = [], [], 0
        self.zero = self._alloc(())
        self.pre = []  # (op index, forward, input slots, out slot): run in Python
        self.pre_arrays = {}  # their outputs in the trace, by slot
        self.inputs = []  # per float input: the slot whose array is passed
        self.labels = None  # the int64 input's slot
        self.loc = {}
        self._bind(trace, plan)
        self._forward(trace)
        self._backward(trace, plan)
        rule, flag, slot_lists = opt._fused_rule()
        self.n_scalars = len(opt._rule_scalars(self.dtype.type, 0.0))
        self.scalars = self._alloc((self.n_scalars,))
        self._emit(_op().SCALAR, self.n_scalars, 0, self.scalars.off)
        self._emit(_op().UPDATE, _RULES[rule], int(bool(flag)), self.scalars.off)
        self.slot_lists = slot_lists
        self._finish(trace, plan)

    def __repr__(self):
        return f"<step_fused.Program of {self.n_ops} ops>"

    # ------------------------------------------------------------ building
    def _alloc(self, shape):
        loc = _Loc(0, self.size, shape)
        self.size += max(1, loc.size)
        return loc

    def _const(self, value):
        self.fp.append(float(value))
        return len(self.fp) - 1

    def _emit(self, *words):
        words = [int(w) for w in words]
        if len(words) > _WIDTH:
            raise AssertionError(f"an instruction of {len(words)} words")
        self.ip.extend(words + [0] * (_WIDTH - len(words)))

    def _bind(self, trace, plan):
        offsets = {id(v): lo for v, lo in zip(self.flat._variables, self.flat.offsets)}
        self.train = {}
        for s, src in enumerate(trace.source):
            if src[0] == "var":
                v = trace.variables[src[1]]
                if id(v) not in offsets or s not in plan.train_slots:
                    raise Unfused("the step reads a weight that the optimizer does not train")
                self.loc[s] = _Loc(1, offsets[id(v)], v.shape)
                self.train[s] = self.loc[s]
        self.batch = {s: src[1] for s, src in enumerate(trace.source) if src[0] == "batch"}

    def _input(self, slot, array):
        """A float array the step reads from outside (a batch array, a cast label)."""
        if array.dtype != self.dtype or len(self.inputs) >= 3:
            raise Unfused(f"an input of dtype {array.dtype}, or more than three inputs")
        loc = self._alloc(array.shape)
        self._emit(_op().COPY_IN, len(self.inputs), loc.off, loc.size)
        self.inputs.append(slot)
        self.loc[slot] = loc
        return loc

    def _arg(self, trace, slot, array):
        loc = self.loc.get(slot)
        if loc is not None:
            return loc
        if slot in self.batch or slot in self.pre_arrays:
            if type(array) is not np.ndarray:
                raise Unfused("a batch that is not arrays")
            return self._input(slot, array)
        raise Unfused("an op reads a value that the fused step does not hold")

    def _forward(self, trace):
        needed = {i for i, _ in trace.nodes}
        self.state = {}
        self.n_ops = len(trace.ops)
        for i, (name, f, _, ins, s, _, arrays, out) in enumerate(trace.ops):
            kind = _kind(f)
            if kind is None and i not in needed and all(
                    trace.source[k][0] in ("batch", "const") or k in self.pre_out for k in ins):
                self._pre(i, f, ins, s, out)
                continue
            if kind is None:
                raise Unfused(f"op '{name}' has no fused form")
            getattr(self, "_fwd_" + kind)(i, trace, f, ins, s, arrays, out, trace.configs[i])

    @property
    def pre_out(self):
        return self.pre_arrays

    def _pre(self, i, f, ins, s, out):
        """An op of the batch alone (a label cast or check): run in Python each step; its
        output is passed in where a fused op reads it."""
        if type(out) is not np.ndarray:
            raise Unfused("an op of the batch that returns no array")
        self.pre.append((i, f, ins, s))
        self.pre_arrays[s] = out

    def _fwd_dense(self, i, trace, f, ins, s, arrays, out, config):
        code, alpha = _cell(f, "code"), float(config["alpha"])
        xa, w, b = arrays
        if b is not None and trace.source[ins[2]][0] == "const":
            raise Unfused("a dense bias that is a constant")
        x = self._arg(trace, ins[0], xa)
        if np.asarray(xa).dtype != self.dtype:
            raise Unfused("a dense input of another dtype")
        wl = self.loc[ins[1]]
        rows, units = x.size // xa.shape[-1], w.shape[1]
        x2 = _Loc(x.bid, x.off, (rows, xa.shape[-1]))
        z = self._alloc((rows, units))
        self._matmul(x2, _strides(x2.shape), wl, _strides(wl.shape), z)
        y = z
        if code != 0 or b is not None:
            y = self._alloc((rows, units)) if code in NEEDS_INPUT else z
            bl = self.loc[ins[2]] if b is not None else self.zero
            self._emit(_op().BIAS_ACT, rows, units, z.bid, z.off, bl.bid, bl.off,
                       units if b is not None else 0, y.bid, y.off, code, self._const(alpha))
        self.loc[s] = _Loc(y.bid, y.off, out.shape)
        self.state[i] = (x2, z, y, wl, code, alpha, b is not None)

    def _fwd_act(self, i, trace, f, ins, s, arrays, out, config):
        code, alpha = _cell(f, "code"), float(_cell(f, "alpha"))
        x = self._arg(trace, ins[0], arrays[0])
        if np.asarray(arrays[0]).dtype != self.dtype:
            raise Unfused("an activation of another dtype")
        y = self._alloc(out.shape)
        self._emit(_op().ACT_FWD, x.size, x.bid, x.off, y.bid, y.off, code, self._const(alpha))
        self.loc[s] = y
        self.state[i] = (x, y, code, alpha)

    def _fwd_dropout(self, i, trace, f, ins, s, arrays, out, config):
        if config["noise_shape"] is not None or config["seed"] != -1:
            raise Unfused("a dropout with a noise shape or a seed")
        x = self._arg(trace, ins[0], arrays[0])
        if np.asarray(arrays[0]).dtype != self.dtype:
            raise Unfused("a dropout of another dtype")
        mask, y = self._alloc(out.shape), self._alloc(out.shape)
        self._emit(_op().DROPOUT, x.size, x.bid, x.off, mask.bid, mask.off, y.bid, y.off,
                   self._const(float(config["rate"])))
        self.loc[s] = y
        self.state[i] = (mask,)

    def _fwd_loss(self, i, trace, f, ins, s, arrays, out, config):
        kind = _LOSSES.get(_cell(f, "fwd"))
        extra, sparse = _cell(f, "extra"), _cell(f, "sparse")
        if kind is None or (kind == 2) != bool(sparse):
            raise Unfused(f"the loss '{trace.ops[i][0]}' has no fused form")
        t_arr, p_arr = arrays
        p = self._arg(trace, ins[1], p_arr)
        if np.asarray(p_arr).dtype != self.dtype or np.ndim(p_arr) == 0:
            raise Unfused("a loss of another dtype")
        cols = p_arr.shape[-1]
        rows = p.size // cols
        if kind == 2:
            labels = self.pre_arrays.get(ins[0])
            if self.labels not in (None, ins[0]) or labels is None or \
                    labels.dtype != np.int64 or labels.ndim != 1:
                raise Unfused("sparse labels that are not the step's one int64 input")
            self.labels = ins[0]
            t = _Loc(0, 0, (rows,))
        else:
            t = self._arg(trace, ins[0], t_arr)
            if np.asarray(t_arr).dtype != self.dtype or t.size != p.size:
                raise Unfused("a loss target of another dtype or shape")
        lo, hi, logits = extra if extra else (0.0, 0.0, False)
        y = self._alloc(out.shape)
        consts = (self._const(lo), self._const(hi), int(bool(logits)))
        self._emit(_op().LOSS_FWD, kind, rows, cols, 0, 0, t.bid, t.off, p.bid, p.off,
                   y.bid, y.off, *consts)
        self.loc[s] = y
        self.state[i] = (kind, rows, cols, t, p, y, consts)

    def _fwd_rowwise(self, i, trace, f, ins, s, arrays, out, config):
        kind, a = _ROWWISE.get(_cell(f, "forward_kernel")), np.asarray(arrays[0])
        if kind is None or a.dtype != self.dtype or a.ndim == 0 or \
                _cell(f, "axis") not in (-1, a.ndim - 1):
            raise Unfused(f"op '{trace.ops[i][0]}' over an axis that is not the last")
        x = self._arg(trace, ins[0], a)
        rows, cols = a.size // a.shape[-1], a.shape[-1]
        y = self._alloc(out.shape)
        self._emit(_op().ROWWISE_FWD, kind, rows, cols, x.bid, x.off, 0, 0, 0, 0, y.bid, y.off)
        self.loc[s] = y
        self.state[i] = (kind, rows, cols, y)

    def _fwd_mean(self, i, trace, f, ins, s, arrays, out, config):
        a = np.asarray(arrays[0])
        if config["axis"] is not None or config["keepdims"] or not a.size or a.dtype != self.dtype:
            raise Unfused("a mean over some axes")
        x = self._arg(trace, ins[0], a)
        y = self._alloc(())
        self._emit(_op().MEAN, x.size, x.bid, x.off, y.off, self.zero.off)
        self.loc[s] = y
        self.state[i] = (x,)

    # ------------------------------------------------------------ backward
    def _backward(self, trace, plan):
        keep = set(plan.train_slots)
        g = {}
        one = self._alloc(())
        self._emit(_op().FILL, 1, one.bid, one.off, self._const(1.0))
        g[trace.scaled] = one
        self.grad_written = set()
        for i, needs in reversed(trace.nodes):
            name, f, _, ins, s, _, arrays, out = trace.ops[i]
            gs = g.get(s)
            if gs is None:
                continue
            if s not in keep:
                g.pop(s)
            kind = _kind(f)
            outs = getattr(self, "_bwd_" + kind)(i, trace, gs, needs, ins, arrays, out)
            for k, need, (shape, emit) in zip(ins, needs, outs):
                if not need or emit is None:
                    continue
                dest = self.train.get(k)
                if dest is not None and k not in self.grad_written:
                    emit(_Loc(2, dest.off, dest.shape))
                    self.grad_written.add(k)
                    g[k] = dest
                    continue
                tmp = self._alloc(shape)
                emit(tmp)
                prev = g.get(k)
                if prev is None:
                    g[k] = tmp
                else:  # `g + t`, into g's own buffer (no other value shares it)
                    self._emit(_op().ADD, tmp.size, prev.bid, prev.off, tmp.bid, tmp.off,
                               prev.bid, prev.off)
        for k, dest in self.train.items():
            if k not in self.grad_written:  # Keras's zero gradient for an unreached weight
                self._emit(_op().FILL, dest.size, 2, dest.off, self._const(0.0))

    def _bwd_dense(self, i, trace, g, needs, ins, arrays, out):
        x2, z, y, w, code, alpha, has_bias = self.state[i]
        rows, units = y.shape
        dz = _Loc(g.bid, g.off, (rows, units))
        if code != 0:
            dz = self._alloc((rows, units))
            self._emit(_op().ACT_BWD, rows * units, g.bid, g.off, z.bid, z.off, y.bid, y.off,
                       dz.bid, dz.off, code, self._const(alpha))
        wt = _Loc(w.bid, w.off, (w.shape[1], w.shape[0]))
        x2t = _Loc(x2.bid, x2.off, (x2.shape[1], x2.shape[0]))

        def gx(dest):
            self._matmul(dz, _strides(dz.shape), wt, _strides(w.shape)[::-1],
                         _Loc(dest.bid, dest.off, (rows, w.shape[0])))

        def gw(dest):
            self._matmul(x2t, _strides(x2.shape)[::-1], dz, _strides(dz.shape), dest)

        def gb(dest):
            self._emit(_op().COL_SUM, rows, units, dz.bid, dz.off, dest.bid, dest.off)

        xa = arrays[0]
        return [(np.shape(xa), gx), (w.shape, gw), ((units,), gb if has_bias else None)]

    def _bwd_act(self, i, trace, g, needs, ins, arrays, out):
        x, y, code, alpha = self.state[i]

        def gx(dest):
            self._emit(_op().ACT_BWD, x.size, g.bid, g.off, x.bid, x.off, y.bid, y.off,
                       dest.bid, dest.off, code, self._const(alpha))

        return [(x.shape, gx)]

    def _bwd_dropout(self, i, trace, g, needs, ins, arrays, out):
        (mask,) = self.state[i]

        def gx(dest):
            self._emit(_op().MUL, mask.size, g.bid, g.off, mask.bid, mask.off, dest.bid,
                       dest.off)

        return [(mask.shape, gx)]

    def _bwd_loss(self, i, trace, g, needs, ins, arrays, out):
        kind, rows, cols, t, p, y, consts = self.state[i]
        if g.size != y.size:
            raise Unfused("a loss whose gradient is broadcast")

        def gp(dest):
            self._emit(_op().LOSS_BWD, kind, rows, cols, g.bid, g.off, t.bid, t.off, p.bid,
                       p.off, dest.bid, dest.off, *consts)

        if needs[0]:
            raise Unfused("a loss differentiated in its target")
        return [(t.shape, None), (p.shape, gp)]

    def _bwd_rowwise(self, i, trace, g, needs, ins, arrays, out):
        kind, rows, cols, y = self.state[i]

        def gx(dest):
            self._emit(_op().ROWWISE_BWD, kind, rows, cols, 0, 0, g.bid, g.off, y.bid, y.off,
                       dest.bid, dest.off)

        return [(y.shape, gx)]

    def _bwd_mean(self, i, trace, g, needs, ins, arrays, out):
        (x,) = self.state[i]

        if g.bid != 0:
            raise Unfused("a mean whose gradient is a weight's")

        def gx(dest):
            self._emit(_op().FILL_DIV, x.size, g.off, x.size, dest.bid, dest.off,
                       self._alloc(()).off)

        return [(x.shape, gx)]

    # ------------------------------------------------------------ GEMMs
    def _matmul(self, a, sa, b, sb, c):
        """The BLAS calls of `K.matmul(a, b)` into the C-contiguous `c` (element strides
        `sa`, `sb`): its blocks (`gemm.plan`), each as NumPy's matmul calls BLAS."""
        from nbkeras.backend.cpu import gemm, spin_lane

        (m, k), n = a.shape, b.shape[1]
        how = gemm.plan(a.shape, b.shape) if m * k * n >= gemm.SPLIT_MIN_WORK else None
        if how is None:
            return self._np_matmul(a, sa, b, sb, c, (n, 1), m, k, n)
        kind, edges = how
        if kind == "batch":
            raise Unfused("a batched matmul")
        blocks = []
        for lo, hi in zip(edges, edges[1:]):
            if kind == "rows":
                blocks.append((_Loc(a.bid, a.off + lo * sa[0], (hi - lo, k)), sa, b, sb,
                               _Loc(c.bid, c.off + lo * n, (hi - lo, n)), (n, 1), hi - lo, k, n))
            else:
                blocks.append((a, sa, _Loc(b.bid, b.off + lo * sb[1], (k, hi - lo)), sb,
                               _Loc(c.bid, c.off + lo, (m, hi - lo)), (n, 1), m, k, hi - lo))
        # As `spin_lane.run` for the replay: every block one gemm call, handed to the lanes
        # (TASKs, then SHARE); else NumPy's call for each block, one after the other.
        words = [self._np_matmul(*block, emit=False) for block in blocks]
        if any(w is None for w in words) or len(words) > spin_lane.MAX_TASKS:
            for block in blocks:
                self._np_matmul(*block)
            return
        for j, w in enumerate(words):
            self._emit(_op().TASK, *w, j)
        self._emit(_op().SHARE, len(words))

    def _np_matmul(self, a, sa, b, sb, c, sc, dm, dn, dp, emit=True):
        """NumPy's matmul loop (`FLOAT_matmul`) for one (dm, dn) @ (dn, dp) product. With
        `emit` False: nothing is emitted; the GEMM instruction's operand words when NumPy
        makes one gemm call for it, else None."""
        op = _op()
        if not (dm and dn and dp):
            raise Unfused("an empty matmul")
        if not emit:
            if dm == 1 or dn == 1 or dp == 1:
                return None
        (is1_m, is1_n), (is2_n, is2_p), (os_m, os_p) = sa, sb, sc
        i1c, i1f = _blasable(is1_m, is1_n, dm, dn), _blasable(is1_n, is1_m, dn, dm)
        i2c, i2f = _blasable(is2_n, is2_p, dn, dp), _blasable(is2_p, is2_n, dp, dn)
        if dm == 1 or dn == 1 or dp == 1:
            if dm == 1 and dp == 1:
                raise Unfused("a matmul to one number")
            if dn == 1:  # NumPy's loop without BLAS
                self._emit(op.OUTER, dm, dp, a.bid, a.off, is1_m, b.bid, b.off, is2_p,
                           c.bid, c.off, os_m, os_p, self.zero.off)
            elif dm == 1 and (i2c or i2f) and _blasable(is1_n, 1, dn, 1):
                self._gemv(b, is2_p, is2_n, a, is1_n, c, os_p, dp, dn)
            elif dp == 1 and (i1c or i1f) and _blasable(is2_n, 1, dn, 1):
                self._gemv(a, is1_m, is1_n, b, is2_n, c, os_m, dm, dn)
            else:
                raise Unfused("a matmul that NumPy runs without BLAS")
            return
        if not ((i1c or i1f) and (i2c or i2f) and _blasable(os_m, os_p, dm, dp)):
            raise Unfused("a matmul that NumPy copies first")
        ta, lda = (_NO_TRANS, is1_m) if i1c else (_TRANS, is1_n)
        tb, ldb = (_NO_TRANS, is2_n) if i2c else (_TRANS, is2_p)
        if a.bid == b.bid and a.off == b.off:
            raise Unfused("a matmul of an array with itself (NumPy's syrk)")
        words = (ta, tb, dm, dp, dn, a.bid, a.off, lda, b.bid, b.off, ldb, c.bid, c.off, os_m)
        if not emit:
            return words
        self._emit(op.GEMM, *words)

    def _gemv(self, a, is_m, is_n, x, incx, y, incy, m, n):
        order, lda = (_COL_MAJOR, is_m) if _blasable(is_m, is_n, m, n) else (_ROW_MAJOR, is_n)
        self._emit(_op().GEMV, order, n, m, a.bid, a.off, lda, x.bid, x.off, incx, y.bid,
                   y.off, incy)

    # ------------------------------------------------------------ running
    def _finish(self, trace, plan):
        self.ip = np.array(self.ip, np.int64)
        self.fp = np.array(self.fp, np.float64)
        self.fs = np.zeros(max(1, self.n_scalars), np.float64)
        self.arena = np.zeros(self.size, self.dtype)
        self.scratch = np.zeros(max(1, max((loc.shape[-1] for loc in self.loc.values()
                                            if len(loc.shape) >= 1), default=1)) + 1, np.float64)
        self.views = {s: self._view(loc) for s, loc in self.loc.items() if loc.bid == 0}
        self.dummy = np.zeros(1, self.dtype)
        self.out_slots = [trace.loss] + [s for _, s, _ in trace.trackers] + plan.pred_slots
        for s in self.out_slots:
            if s not in self.views:
                raise Unfused("an output that the fused step does not hold")
        self.ops = trace.ops
        self.slot_args = (self.flat.views(self.slot_lists)[1:] + (self.dummy,) * 3)[:3]
        self.outs = tuple(self.views[s] for s in self.out_slots)
        self.prep = self._prep_function()
        # whether the update's scalars depend on the learning rate and settings alone (not
        # on the step, as Adam's do), and the rate they were last computed for
        self.lr_only, self.lr = type(self.optimizer) in (SGD, RMSprop), None
        from nbkeras.backend.cpu import gemm, step_program

        self.kernel = step_program.run_program
        self.lanes = gemm.kernel_lanes()
        self.has_tasks = bool(_op().TASK in self.ip[::_WIDTH])
        if self.has_tasks and not gemm.kernel_lanes.available():
            raise Unfused("a split GEMM, and no spinning lane for its blocks")
        none = np.zeros(1, np.int64)
        self.no_lane = (none, np.zeros((1, 12), np.int64), none, 0)

    def _view(self, loc):
        view = self.arena[loc.off:loc.off + max(1, loc.size)]
        return view.reshape(loc.shape)

    def _prep_function(self):
        """`prep(leaves)`: the ops of the batch alone (`self.pre`) and the kernel's batch
        arguments (labels, three inputs), as one straight-line function made once."""
        env, lines = {"np": np, "_flat": _flat, "dummy": self.dummy, "fns": self.fns}, []
        for i, f, ins, s in self.pre:
            env[f"f{i}"] = f
            args = []
            for j, k in enumerate(ins):
                if k in self.batch:
                    args.append(f"L[{self.batch[k]}]")
                elif k in self.pre_arrays:
                    args.append(f"v{k}")
                else:  # a value of the trace (a constant)
                    env[f"c{i}_{j}"] = self.ops[i][6][j]
                    args.append(f"c{i}_{j}")
            lines.append(f"    v{s} = f{i}(np, {', '.join(args)})")
        ins = [f"_flat(L[{self.batch[k]}])" if k in self.batch else f"_flat(v{k})"
               for k in self.inputs]
        ins += ["dummy"] * (3 - len(ins))
        labels = f"_flat(v{self.labels})" if self.labels is not None else "fns"
        lines.append(f"    return {labels}, {', '.join(ins)}")
        code = "def prep(L):\n" + "\n".join(lines) + "\n"
        exec(compile(code, "<fused step inputs>", "exec"), env)  # noqa: S102 -- our own code
        return env["prep"]

    def run(self, leaves, checked=False):
        """One fused step on the batch `leaves`; (loss, per-output losses..., outputs...)
        as views of the arena (valid until the next step), or None when the optimizer's
        buffers or settings changed (the caller replays in Python). `checked`: nothing
        but the training loop ran since the previous step, which passed the checks (the
        kernel, the optimizer's settings and buffers: unchanged)."""
        opt, flat = self.optimizer, self.flat
        if not checked:
            if _KERNELS.get(self.dtype) is not True and not kernel_ready(self.dtype):
                return None
            if optimizer_reason(opt) is not None or flat_of(opt, flat._variables) is not flat:
                return None
        labels, f0, f1, f2 = self.prep(leaves)
        # A checked step of SGD or RMSprop without a schedule: the rate is the one of the
        # step that was checked (nothing ran since), so are the update's scalars.
        if not (checked and self.lr_only and opt._schedule is None and self.lr is not None):
            lr = opt._current_lr()
            if not (checked and self.lr_only and lr == self.lr):  # (else: the same scalars)
                # Python floats: the kernel casts them to the dtype as `dt(value)` would
                # (rounding the same double to nearest), without making NumPy scalars first.
                self.fs[:self.n_scalars] = opt._rule_scalars(float, lr)
                self.lr = lr
        s0, s1, s2 = self.slot_args
        if self.has_tasks:
            with self.lanes as lane:
                ctrl, tasks, lane_fns, share = lane or self.no_lane
                self.kernel(self.ip, self.fp, self.fs, self.arena, flat.params, flat.grads, s0,
                            s1, s2, self.scratch, labels, f0, f1, f2, self.fns, ctrl, tasks,
                            lane_fns, share)
        else:
            self.kernel(self.ip, self.fp, self.fs, self.arena, flat.params, flat.grads, s0, s1,
                        s2, self.scratch, labels, f0, f1, f2, self.fns, *self.no_lane)
        return self.outs


def _flat(a):
    """`a` as the writable C-contiguous 1-D array the compiled kernel takes."""
    flags = a.flags
    if flags.c_contiguous and flags.writeable:
        return a.reshape(-1)
    return np.array(a, order="C").reshape(-1)


def _op():
    from nbkeras.backend.cpu import step_program

    return step_program


def _blasable(s1, s2, d1, d2):
    """NumPy's `is_blasable2d` in element strides: `matmul_rules.blasable`, the rule that
    `spin_lane` compiles too (`d1` unused, as in NumPy)."""
    from nbkeras.backend.cpu.matmul_rules import blasable

    return blasable(s1, s2, d2, 1)


def _strides(shape):
    """The element strides of a C-contiguous array of `shape` (2-D)."""
    return (shape[1], 1)


_KINDS = {
    "dense.<locals>.forward": "dense",
    "activation.<locals>.forward": "act",
    "dropout.<locals>.forward": "dropout",
    "_per_row_loss.<locals>.forward": "loss",
    "_rowwise.<locals>.forward": "rowwise",
}


def _kind(f):
    """Which fused form the op whose forward is `f` has (None: none)."""
    code = getattr(f, "__code__", None)
    if code is None:
        return None
    if f.__module__ == "nbkeras.ops.nn":
        return _KINDS.get(code.co_qualname)
    if f.__module__ == "nbkeras.ops.numpy" and code.co_qualname == "_reduction.<locals>.<lambda>":
        return "mean" if _cell(f, "value").__name__ == "_mean_value" else None
    return None


def _cell(f, name):
    """The value bound to `name` in the closure of `f`."""
    return f.__closure__[f.__code__.co_freevars.index(name)].cell_contents

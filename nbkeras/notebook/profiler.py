"""`profile_fit`: one epoch of training, timed per layer (forward, backward), optimizer and the
rest, with FLOP estimates for layers that hold a kernel (Dense, convolutions); then one epoch
as `fit` runs it (a replayed step plan where the model allows it), timed whole, with the path
each step took and why a model stays on the tape; and the path predict's forward pass takes."""

import time

import numpy as np


def _leaf_layers(model):
    out = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer is not model:
            out.extend(_leaf_layers(layer))
        else:
            out.append(layer)
    return out


def _forward_flops(layer, output):
    """2 * (output elements / channels) * kernel elements: exact for Dense and convolutions."""
    kernel = getattr(layer, "kernel", None)
    if kernel is None or output is None:
        return 0
    out = np.asarray(getattr(output, "data", output))
    if out.ndim == 0 or out.shape[-1] == 0:
        return 0
    return 2 * (out.size // out.shape[-1]) * int(np.prod(kernel.shape))


class _Stats:
    def __init__(self, name, kind):
        self.name, self.kind = name, kind
        self.forward = self.backward = 0.0
        self.flops = 0
        self.calls = 0


def profile_fit(model, x, y, batch_size=32, **fit_kwargs):
    """Train `model` for one epoch (after one untimed step) and return per-layer timings.

    Returns:
        A dict: `rows` [(name, kind, forward_s, backward_s, flops)], `optimizer_s`,
        `total_s`, `steps`.

    Example:
        >>> report = profile_fit(model, x, y, batch_size=32)
    """
    from nbkeras.ops import core
    from nbkeras.trainers import data as data_utils

    # An untimed step first, so that kernel compilation (or cache loading) is not counted.
    warm = slice(0, batch_size)
    model.train_on_batch(data_utils.take(x, warm), data_utils.take(y, warm))
    stats = {}
    patched = []
    for layer in _leaf_layers(model):
        if type(layer).__name__ == "InputLayer":
            continue
        st = stats[id(layer)] = _Stats(layer.name, type(layer).__name__)
        original = layer.call

        def timed(*args, __orig=original, __st=st, __layer=layer, **kwargs):
            tapes = list(core._tapes)
            starts = [len(t._nodes) for t in tapes]
            t0 = time.perf_counter()
            out = __orig(*args, **kwargs)
            __st.forward += time.perf_counter() - t0
            __st.calls += 1
            __st.flops += 3 * _forward_flops(__layer, out) if tapes else 0
            for tape, start in zip(tapes, starts):  # time this layer's backward functions
                for i in range(start, len(tape._nodes)):
                    t, inputs, needs, fn = tape._nodes[i]
                    tape._nodes[i] = (t, inputs, needs, _timed_backward(fn, __st))
            return out

        layer.__dict__["call"] = timed
        patched.append(layer)
    opt = model.optimizer
    opt_time = [0.0]
    original_apply = opt.apply

    def timed_apply(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original_apply(*args, **kwargs)
        finally:
            opt_time[0] += time.perf_counter() - t0

    opt.__dict__["apply"] = timed_apply
    from nbkeras.trainers import step_plan

    step_plan.forget(model)
    try:  # the layers' timed `call` keep this epoch on the tape (the per-layer table)
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, **fit_kwargs)
        total = time.perf_counter() - t0
    finally:
        for layer in patched:
            layer.__dict__.pop("call", None)
        opt.__dict__.pop("apply", None)
        step_plan.forget(model)
    n = len(np.asarray(x if not isinstance(x, (list, tuple, dict)) else
                       (list(x.values()) if isinstance(x, dict) else x)[0]))
    steps = -(-n // batch_size)
    # Then the epoch as `fit` runs it: a few steps to trace a plan, one timed epoch.
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0,
              steps_per_epoch=min(steps, 3), **fit_kwargs)
    paths = {}
    with _counting_paths(paths):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, **fit_kwargs)
        fit_total = time.perf_counter() - t0
    rows = [(s.name, s.kind, s.forward, s.backward, s.flops) for s in stats.values()]
    return {"rows": rows, "optimizer_s": opt_time[0], "total_s": total,
            "steps": steps, "path": step_path(model, paths), "fit_s": fit_total,
            "step_paths": paths, "predict_path": predict_path(model, data_utils.take(x, warm))}


def predict_path(model, x):
    """Which path `model.predict(x)` takes once warm: `'replay'` (its forward pass replays
    a traced plan) or `'direct: <why not>'`.

    Args:
        model: a model.
        x: a batch of its inputs.

    Example:
        >>> predict_path(model, x[:32])
        'replay'
    """
    from nbkeras.trainers import forward_plan

    for _ in range(forward_plan._TRACES + 1):  # the traced calls, then the path it stays on
        model.predict(x, verbose=0)
    return model._predict_path


class _counting_paths:
    """Count, per path (`'replay'`, `'trace'`, `'tape: ...'`), the training steps run inside."""

    def __init__(self, counts):
        self.counts = counts

    def __enter__(self):
        from nbkeras.trainers import step_plan

        self.module, self.original = step_plan, step_plan.train_step

        def counted(model, *args, __orig=self.original, **kwargs):
            out = __orig(model, *args, **kwargs)
            path = model._step_path
            self.counts[path] = self.counts.get(path, 0) + 1
            return out

        step_plan.train_step = counted
        return self

    def __exit__(self, *exc):
        self.module.train_step = self.original
        return False


def step_path(model, counts=None):
    """Which path the training step ran (a replayed plan or the tape, and why), the
    optimizer's update calls and the GEMM lanes (threads running a large GEMM's fixed
    blocks; OpenBLAS itself runs one).

    Args:
        model: a model that has trained.
        counts: {path: steps} of an epoch, if counted.

    Example:
        >>> step_path(model)
        'replay; optimizer: one flat-buffer kernel call per step; GEMM lanes: 2 (BLAS: 1 thread)'
    """
    from nbkeras.backend.cpu.gemm import lanes
    from nbkeras.backend.cpu.threads import blas_threads
    from nbkeras.optimizers.flat_buffer import FlatParameters

    opt = model.optimizer
    if isinstance(getattr(opt, "_flat", None), FlatParameters):
        update = "one flat-buffer kernel call per step"
    else:
        update = f"per variable, {len(getattr(opt, '_trainable_variables', ()))} calls per step"
    blas = blas_threads()
    if counts:
        path = ", ".join(f"{p} ({n} steps)" for p, n in
                         sorted(counts.items(), key=lambda kv: -kv[1]))
    else:
        path = model._step_path or "tape"
    blas = f"{blas} thread" + ("s" if blas != 1 else "") if blas is not None else "not OpenBLAS"
    return f"{path}; optimizer: {update}; GEMM lanes: {lanes()} (BLAS: {blas})"


def _timed_backward(fn, st):
    def backward(g, needs):
        t0 = time.perf_counter()
        try:
            return fn(g, needs)
        finally:
            st.backward += time.perf_counter() - t0

    return backward


def format_profile(report):
    """The profile as a text table."""
    rows = report["rows"]
    total = report["total_s"]
    layer_time = sum(f + b for _, _, f, b, _ in rows)
    table = [("layer (type)", "forward ms", "backward ms", "% time", "GFLOP", "GFLOP/s")]
    for name, kind, f, b, flops in rows:
        rate = f"{flops / (f + b) / 1e9:.2f}" if flops and f + b > 0 else "-"
        table.append((f"{name} ({kind})", f"{1e3 * f:.1f}", f"{1e3 * b:.1f}",
                      f"{100 * (f + b) / total:.1f}", f"{flops / 1e9:.3f}" if flops else "-", rate))
    opt = report["optimizer_s"]
    table.append(("optimizer", f"{1e3 * opt:.1f}", "", f"{100 * opt / total:.1f}", "", ""))
    other = max(total - layer_time - opt, 0.0)
    table.append(("loss, metrics, data, callbacks", f"{1e3 * other:.1f}", "",
                  f"{100 * other / total:.1f}", "", ""))
    flops = sum(r[4] for r in rows)
    table.append(("total (one epoch)", f"{1e3 * total:.1f}", "", "100.0",
                  f"{flops / 1e9:.3f}", f"{flops / total / 1e9:.2f}"))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = []
    for j, r in enumerate(table):
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells))
        if j == 0 or j == len(rows):
            lines.append("  ".join("-" * w for w in widths))
    if report.get("fit_s") is not None:
        lines.append(f"as fit runs it (the table's epoch is on the tape): one epoch "
                     f"{1e3 * report['fit_s']:.1f} ms")
    if report.get("path"):
        lines.append(f"path: {report['path']}")
    if report.get("predict_path"):
        lines.append(f"predict path: {report['predict_path']}")
    lines.append(f"{report['steps']} steps after one untimed warm-up step; FLOPs = 3x forward (forward + two backward GEMMs) "
                 "for layers with a kernel")
    return "\n".join(lines)

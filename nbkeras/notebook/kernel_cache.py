"""Numba's on-disk kernel cache: where it is, how big, and clearing it; ahead-of-time warm-up."""

import os


def cache_dirs():
    """Folders holding nbkeras's compiled kernels (`NUMBA_CACHE_DIR`, else `__pycache__`)."""
    from nbkeras.backend import device

    return [device().kernel_cache_dir()]


def _cache_files():
    for root in cache_dirs():
        if not os.path.isdir(root):
            continue
        for dirpath, _, files in os.walk(root):
            for f in files:
                if f.endswith((".nbi", ".nbc")):
                    yield os.path.join(dirpath, f)


def cache_info():
    """(number of cached kernel files, bytes, folders)."""
    files = list(_cache_files())
    return len(files), sum(os.path.getsize(f) for f in files), cache_dirs()


def clear_cache():
    """Delete the cached kernels (they are recompiled when next used). Returns files removed."""
    removed = 0
    for f in list(_cache_files()):
        try:
            os.remove(f)
            removed += 1
        except OSError:
            pass
    return removed


def compiled_signatures():
    """How many kernel signatures are compiled in this process."""
    import sys

    count = 0
    for name, mod in list(sys.modules.items()):
        if not name.startswith("nbkeras.backend.") or mod is None:
            continue
        for obj in vars(mod).values():
            sigs = getattr(obj, "signatures", None)
            if isinstance(sigs, list) and hasattr(obj, "py_func"):
                count += len(sigs)
    return count


def _workloads():
    """Tiny models that, trained one step each, compile the kernels of the usual layers."""
    import numpy as np

    import nbkeras as keras

    L = keras.layers
    rng = np.random.default_rng(0)

    def fit(layers, shape, loss="mse", out=None, optimizer="adam", y=None):
        def run():
            model = keras.Sequential([keras.Input(shape)] + layers)
            model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"] if y is not None
                          else None)
            x = rng.random((8,) + shape).astype("float32")
            target = y if y is not None else rng.random((8,) + tuple(
                model.compute_output_shape((8,) + shape)[1:])).astype("float32")
            model.fit(x, target, batch_size=4, epochs=1, verbose=0)
            model.predict(x, verbose=0)
        return run

    labels = rng.integers(0, 3, 8)
    return [
        ("Dense, relu, softmax, Adam", fit([L.Dense(8, activation="relu"),
                                            L.Dense(3, activation="softmax")], (5,),
                                           loss="sparse_categorical_crossentropy", y=labels)),
        ("Dense, sigmoid, SGD", fit([L.Dense(1, activation="sigmoid")], (5,),
                                    loss="binary_crossentropy", optimizer="sgd",
                                    y=(labels > 0).astype("float32")[:, None])),
        ("Dense, tanh, RMSprop, MSE", fit([L.Dense(4, activation="tanh")], (5,),
                                          optimizer="rmsprop")),
        ("Dropout, BatchNormalization", fit([L.Dense(4), L.BatchNormalization(), L.Dropout(0.5)],
                                            (5,))),
        ("Conv2D, MaxPooling2D, Flatten", fit([L.Conv2D(2, 3, activation="relu"),
                                               L.MaxPooling2D(), L.Flatten(), L.Dense(2)],
                                              (8, 8, 1))),
        ("Conv1D, GlobalAveragePooling1D", fit([L.Conv1D(2, 3), L.GlobalAveragePooling1D()],
                                               (6, 2))),
        ("LSTM", fit([L.LSTM(3)], (4, 2))),
        ("GRU", fit([L.GRU(3)], (4, 2))),
    ]


def warmup(progress=None):
    """Compile the kernels of the common layers, losses and optimizers ahead of time.

    Args:
        progress: `progress(i, n, label)` called before each workload and at the end.

    Returns:
        (kernel signatures compiled, [(label, error message)] of workloads that failed).
    """
    before = compiled_signatures()
    work = _workloads()
    failed = []
    for i, (label, run) in enumerate(work):
        if progress:
            progress(i, len(work), label)
        try:
            run()
        except Exception as e:  # one missing layer must not stop the others
            failed.append((label, f"{type(e).__name__}: {e}"))
    if progress:
        progress(len(work), len(work), "done")
    return compiled_signatures() - before, failed

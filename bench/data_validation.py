"""Cost of the up-front data check of `fit` against one epoch, on bench/mlp.py's data.

    python bench/data_validation.py              # 60,000 x 784, Dense 256-256-10, Adam
    python bench/data_validation.py --repeats 5

`fit` checks the whole of x, y and sample_weight once before the first step
(nbkeras/trainers/data_validation.py: shapes, dict keys, one min/max pass over the
sparse labels). This times that check (median of --repeats) next to a timed
fit(epochs=1) (at batch 256; `--batches 32,256` for both) in the same process, and the per-batch check that a
PyDataset's batches get, next to one training step.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402
from mlp import DIMS, make_data  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batches", default="256", help="batch sizes of the timed epochs")
    args = parser.parse_args(argv)

    import numpy as np

    import nbkeras as keras
    from nbkeras.trainers import data as data_utils
    from nbkeras.trainers import data_validation

    x, y = make_data()
    model = keras.Sequential([keras.Input((DIMS[0],))]
                             + [keras.layers.Dense(d, activation="relu") for d in DIMS[1:-1]]
                             + [keras.layers.Dense(DIMS[-1], activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:2400], y[:2400], batch_size=256, verbose=0)  # compile every kernel

    def timed(fn, repeats):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    def full_check():
        xs, ys, sw, _ = data_utils.standardize(x, y, None)
        data_validation.check_data(model, xs, ys, sw)

    check = timed(full_check, args.repeats)
    batch_check = timed(lambda: data_validation.check_data(model, x[:32], y[:32]),
                        args.repeats * 20)
    step = timed(lambda: model.train_on_batch(x[:32], y[:32]), args.repeats * 20)
    C.print_header("fit's up-front data check vs an epoch", C.env_info())
    print(f"load average at start: {C.loadavg()}")
    print(f"up-front check of {len(x):,} x {DIMS[0]} + labels: {check * 1e3:.2f} ms")
    for batch in map(int, args.batches.split(",")):
        epoch = timed(lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0), 1)
        print(f"one epoch at batch {batch}: {epoch:.2f} s; the check is "
              f"{100 * check / epoch:.3f}% of it")
    print(f"per-batch check (PyDataset, batch 32): {batch_check * 1e6:.0f} us; one "
          f"train_on_batch step: {step * 1e6:.0f} us ({100 * batch_check / step:.1f}%)")


if __name__ == "__main__":
    main()

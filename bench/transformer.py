"""Train-step time of keras.io's small transformer text classifier (tests/transformer_models.py).

keras.io's sizes: maxlen 200, vocab 20000, embed 32, 2 heads, ff 32, batch 32. Prints the
best per-step time of 5 epochs of 20 steps (after one warm-up epoch).

Run: PYTHONPATH=. python bench/transformer.py
"""

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

import nbkeras as keras  # noqa: E402
import transformer_models  # noqa: E402


def main(steps=20, batch=32, maxlen=200):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20000, size=(steps * batch, maxlen))
    y = rng.integers(0, 2, size=(steps * batch,))
    model = transformer_models.classifier(keras, maxlen=maxlen, vocab_size=20000, embed_dim=32,
                                          num_heads=2, ff_dim=32, rate=0.1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        best = min(best, (time.perf_counter() - t0) / steps)
    print(f"transformer classifier (maxlen {maxlen}, batch {batch}): {best * 1e3:.1f} ms/step, "
          f"{batch / best:,.0f} samples/s")


if __name__ == "__main__":
    main()

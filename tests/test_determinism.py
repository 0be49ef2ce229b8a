"""Every seed is honoured: after `utils.set_random_seed`, training every layer that draws
random numbers (dropouts, noise, recurrent dropouts, random initializers, shuffling)
gives the same weights bit for bit in two fresh processes, and a different seed differs.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r'''
import sys
import numpy as np
import nbkeras as keras
from nbkeras import layers

def train(seed):
    keras.utils.clear_session()
    keras.utils.set_random_seed(seed)
    return build_and_fit()


def build_and_fit():
    rs = np.random.RandomState(0)  # the data is fixed; only nbkeras's draws depend on the seed
    seq = keras.Input((5, 4))
    h = layers.GaussianNoise(0.3)(seq)
    h = layers.GaussianDropout(0.3)(h)
    h = layers.SpatialDropout1D(0.3)(h)
    a = layers.LSTM(6, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)(h)
    b = layers.GRU(6, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)(h)
    c = layers.SimpleRNN(6, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)(h)
    h = layers.Concatenate()([a, b, c])
    h = layers.Bidirectional(layers.LSTM(3, dropout=0.2))(h)
    img = keras.Input((6, 6, 2))
    g = layers.Conv2D(3, 3, kernel_initializer="he_normal")(img)
    g = layers.SpatialDropout2D(0.3)(g)
    g = layers.Flatten()(g)
    g = layers.Dropout(0.4)(g)
    out = layers.Dense(2, kernel_initializer="random_normal", activation="softmax")(
        layers.Concatenate()([h, g]))
    model = keras.Model([seq, img], out)
    model.compile("adam", "sparse_categorical_crossentropy")
    x = [rs.rand(16, 5, 4).astype("float32"), rs.rand(16, 6, 6, 2).astype("float32")]
    y = rs.randint(2, size=16)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=True)
    return model.get_weights()


for i, seed in enumerate(sys.argv[2:]):
    np.savez(f"{sys.argv[1]}_{i}.npz", *train(int(seed)))
'''


def _train(tmp_path, tag, *seeds):
    """The weights after training with each seed in turn, in one fresh process."""
    out = tmp_path / tag
    subprocess.run([sys.executable, "-c", SCRIPT, str(out), *map(str, seeds)], cwd=ROOT,
                   check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                    "HOME": str(Path.home())}, timeout=600)
    runs = []
    for i in range(len(seeds)):
        with np.load(f"{out}_{i}.npz") as z:
            runs.append([z[k] for k in sorted(z.files, key=lambda k: int(k.split("_")[1]))])
    return runs


def test_every_random_layer_is_repeatable_across_processes(tmp_path):
    (first,) = _train(tmp_path, "a", 7)
    second, other = _train(tmp_path, "b", 7, 8)
    assert len(first) == len(second) > 10
    for i, (u, v) in enumerate(zip(first, second)):
        assert u.tobytes() == v.tobytes(), f"weight {i} differs between two runs with seed 7"
    assert any(u.tobytes() != v.tobytes() for u, v in zip(first, other))

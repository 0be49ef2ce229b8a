"""The main demo (`make demo` or `python -m nbkeras.demo`).

Trains the tutorial's model on random data, then an MLP on the bundled 8x8
digits, printing summaries, per-epoch metrics and the held-out accuracy, and
writes the MLP's training curves to `demo_training.png`.
"""

import sys
import time

import numpy as np

import nbkeras as keras
from nbkeras.layers import Activation, Dense, Dropout
from nbkeras.models import Sequential


def tutorial_model():
    """The tutorial's first model, on its random data (100 samples of 20 features)."""
    print("== The tutorial's model (random data, so accuracy stays near chance) ==")
    X = np.random.rand(100, 20)
    y = np.random.randint(2, size=100)
    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(Activation("relu"))
    model.add(Dropout(rate=0.5))
    model.add(Dense(units=1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(X, y, epochs=5, batch_size=32, verbose=2)


def digits_mlp(png_path="demo_training.png"):
    """An MLP on the bundled digits; returns the held-out accuracy."""
    print("\n== An MLP on the 8x8 handwritten digits (1,797 real samples) ==")
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        Dense(64, activation="relu"),
        Dropout(0.2),
        Dense(32, activation="relu"),
        Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=2)
    took = time.perf_counter() - start
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"\nHeld-out accuracy: {acc:.4f} (loss {loss:.4f}) on {len(x_test)} test digits; "
          f"training took {took:.2f} s")
    _plot(history, png_path)
    return acc


def _plot(history, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key in zip(axes, ("loss", "accuracy")):
        ax.plot(history.history[key], label=f"train {key}")
        ax.plot(history.history["val_" + key], label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Training curves written to {path}")


def main():
    keras.utils.set_random_seed(1)
    tutorial_model()
    acc = digits_mlp()
    return 0 if acc > 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())

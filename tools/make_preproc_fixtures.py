"""Write tests/fixtures/preproc/ with real Keras 3 (dev-only; TensorFlow installed too, for
Keras's string layers): `<name>.keras` of each model of tests/preproc_models.py (the image
model after one epoch of fit), and `<name>.npz` with its inputs and inference predictions.

Run: KERAS_BACKEND=jax python tools/make_preproc_fixtures.py
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
OUT = os.path.join(ROOT, "tests", "fixtures", "preproc")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import preproc_models  # noqa: E402


def _predict(keras, model, x):
    """Inference predictions; Keras's JAX backend cannot run a Functional on strings, so
    the text model's layers are applied one by one (its graph is a fixed chain)."""
    if model.name != "text":
        return np.asarray(model.predict(x, verbose=0))
    by_type = {}
    for layer in model.layers:
        by_type.setdefault(type(layer).__name__, []).append(layer)
    vec, tfidf = by_type["TextVectorization"]
    emb = by_type["Embedding"][0](np.asarray(vec(x)))
    pooled = by_type["GlobalAveragePooling1D"][0](emb)
    whole = np.asarray(by_type["StringLookup"][0](x))
    merged = by_type["Concatenate"][0]([pooled, np.asarray(tfidf(x)), whole.astype("float32")])
    return np.asarray(by_type["Dense"][0](merged))


def main():
    os.makedirs(OUT, exist_ok=True)
    data = preproc_models.data()
    for name in ("images", "categorical", "text"):
        keras.utils.clear_session()
        keras.utils.set_random_seed(3)
        x, y = data[name]
        model = (preproc_models.images(keras, x / 255.0) if name == "images"
                 else getattr(preproc_models, name)(keras))
        if name == "images":  # Keras's string / hashing layers do not run in a JAX fit
            model.fit(x, y, epochs=1, batch_size=3, verbose=0)
        model.save(os.path.join(OUT, name + ".keras"))
        xs = x if isinstance(x, list) else [x]
        np.savez_compressed(os.path.join(OUT, name + ".npz"),
                            **{f"x{i}": a for i, a in enumerate(xs)},
                            pred=_predict(keras, model, x))
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()

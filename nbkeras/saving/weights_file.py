"""`.weights.h5` files: every variable of a model (and its optimizer) in Keras 3's layout."""

import os

from nbkeras.saving import integrity, keras_zip, legacy_h5, weights_store
from nbkeras.saving.atomic import atomic_write
from nbkeras.saving.errors import reading
from nbkeras.saving.h5_access import _h5py


def save_weights(model, filepath):
    """Write `model`'s variables to `filepath` (ending in `.weights.h5`), atomically.

    Args:
        model: a built model.
        filepath: the destination.

    Example:
        >>> save_weights(model, "model.weights.h5")
    """
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`. "
                         f"Received: model '{model.name}' with built=False")
    with atomic_write(filepath) as tmp:
        with _h5py().File(tmp, "w", userblock_size=integrity.USERBLOCK_SIZE) as f:
            weights_store.write_state(model, f)
        integrity.seal(tmp)


def load_weights(model, filepath, skip_mismatch=False):
    """Assign `model`'s variables from a `.weights.h5`, `.keras` or legacy `.h5` file.

    Args:
        model: a built model with the same architecture.
        filepath: the file.
        skip_mismatch: warn and skip mismatched layers instead of failing.
    """
    filepath = os.fspath(filepath)
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. Try "
                         "building the model first by calling it on some data or by using "
                         f"`build()`. Received: model '{model.name}' with built=False")
    if filepath.endswith(".keras"):
        with reading(filepath):
            with keras_zip.open_archive(filepath) as zf:
                keras_zip.read_weights_into(model, zf, filepath, skip_mismatch)
        return
    if filepath.endswith(".weights.h5"):
        with reading(filepath):
            legacy_h5.check_h5(filepath)
            with _h5py().File(filepath, "r") as f:
                if "layer_names" in f.attrs or "model_weights" in f:
                    legacy_h5.load_weights_group(
                        f if "layer_names" in f.attrs else f["model_weights"], model, skip_mismatch)
                else:
                    weights_store.read_state(model, f, skip_mismatch)
        return
    if filepath.endswith((".h5", ".hdf5")):
        legacy_h5.load_legacy_weights(model, filepath, skip_mismatch)
        return
    raise ValueError("File format not supported: the file name must end in `.weights.h5`, "
                     f"`.keras`, `.h5` or `.hdf5`. Received: filepath={filepath!r}")

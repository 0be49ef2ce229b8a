"""`save_model`, `load_model`, `model_from_json`: choose the format from the file name."""

import json
import os
import warnings

from nbkeras.saving import keras_zip, legacy_h5
from nbkeras.saving.errors import reading
from nbkeras.saving.serialization import deserialize_keras_object


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save a model: `.keras` (Keras 3's format) or `.h5` / `.hdf5` (legacy), atomically.

    Args:
        model: the model.
        filepath: the destination; its extension picks the format.
        overwrite: whether to replace an existing file (if False, an existing file is kept
            and a ValueError is raised).
        zipped: only True (the `.keras` zip) is supported.
        include_optimizer: for `.h5`, whether to save the optimizer state (True).

    Example:
        >>> nbkeras.saving.save_model(model, "model.keras")
    """
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}. "
                         f"Received: {kwargs}")
    filepath = os.fspath(filepath)
    if save_format and not filepath.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                         "this argument and pass a file path with either `.keras` or `.h5` "
                         f"extension. Received: save_format={save_format!r}")
    if zipped is False:
        raise ValueError("Saving to an unzipped folder is not supported; use a `.keras` file. "
                         "Received: zipped=False")
    if not overwrite and os.path.exists(filepath):
        raise ValueError(f"The file '{filepath}' exists and overwrite=False. "
                         f"Received: overwrite={overwrite}")
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not contain "
                      "any weights yet. Consider building the model first by calling it on some "
                      "data.", stacklevel=3)
    if filepath.endswith(".keras"):
        return keras_zip.save_keras_zip(model, filepath)
    if filepath.endswith((".h5", ".hdf5")):
        return legacy_h5.save_legacy_h5(model, filepath, include_optimizer)
    raise ValueError(
        "Invalid filepath extension for saving. Please add either a `.keras` extension for the "
        "native Keras format (recommended) or a `.h5` extension. "
        f"Received: filepath={filepath}")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with `model.save()` by nbkeras or Keras (`.keras`, `.h5`, `.hdf5`).

    Args:
        filepath: the file.
        custom_objects: `{name: class or function}` for custom layers, losses, metrics.
        compile: whether to restore the compiled state (optimizer with its variables, loss,
            metrics), so that training resumes where it stopped.
        safe_mode: True (default) refuses Python bytecode stored in the file (Lambda
            functions); pass False only for files you trust.

    Returns:
        The model.

    Raises:
        ValueError: naming the file, if it is missing, damaged, or holds code in safe mode.

    Example:
        >>> model = nbkeras.models.load_model("model.keras")
    """
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        return legacy_h5.load_legacy_h5(filepath, custom_objects, compile, safe_mode)
    if filepath.endswith(".keras") or (os.path.isfile(filepath) and _is_zip(filepath)):
        return keras_zip.load_keras_zip(filepath, custom_objects, compile, safe_mode)
    if not os.path.exists(filepath):
        raise ValueError(f"Could not load '{filepath}': the file does not exist. "
                         f"Received: filepath={filepath!r}")
    raise ValueError(f"Could not load '{filepath}': file format not supported; nbkeras loads "
                     "`.keras` files and legacy `.h5` / `.hdf5` files. "
                     f"Received: filepath={filepath!r}")


def _is_zip(filepath):
    import zipfile

    return zipfile.is_zipfile(filepath)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """Create a model (without weights) from `model.to_json()`'s string.

    Args:
        json_string: the JSON text (Keras 3's model config, or the legacy form).
        custom_objects: `{name: class or function}` for custom objects.
        safe_mode: refuse stored Python bytecode (Lambda functions) unless False.

    Example:
        >>> clone = nbkeras.models.model_from_json(model.to_json())
    """
    from nbkeras.saving import legacy_config

    with reading("<json string>"):
        config = json.loads(json_string)
        if isinstance(config, dict) and "module" not in config:
            config = legacy_config.normalize_keras2(config)
        return deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)


def model_to_json(model, **kwargs):
    """Return the model's config as Keras 3's JSON (what `config.json` holds).

    Args:
        model: the model.
        **kwargs: passed to `json.dumps` (e.g. `indent=2`).
    """
    return json.dumps(keras_zip.model_to_json_dict(model), **kwargs)

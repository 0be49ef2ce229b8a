"""The `.keras` format: a zip of `metadata.json`, `config.json` and `model.weights.h5`.

`config.json` is the model serialized as Keras 3 writes it (with its
`build_config` and `compile_config`); `model.weights.h5` holds every layer's
and the optimizer's variables in Keras's HDF5 layout. Files written here load
in Keras 3, and Keras 3's files load here.
"""

import datetime
import io
import json
import os
import tempfile
import zipfile

from nbkeras.saving import weights_store
from nbkeras.saving.atomic import atomic_write
from nbkeras.saving.errors import file_error, reading
from nbkeras.saving.h5_access import _h5py
from nbkeras.saving.object_walk import walk
from nbkeras.saving.serialization import (
    KERAS_VERSION, deserialize_keras_object, serialize_keras_object,
)

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_MAX_MEMBER_BYTES = 1 << 34  # 16 GiB: a larger member is a damaged or hostile size field
_MAX_EXPANSION = 100


def model_to_json_dict(model):
    """The dict written as `config.json` (and by `model.to_json()`)."""
    return serialize_keras_object(model)


def weights_bytes(model):
    """The `model.weights.h5` bytes of `model` (Keras's layout)."""
    buffer = io.BytesIO()
    with _h5py().File(buffer, "w") as f:
        weights_store.write_state(model, f)
    return buffer.getvalue()


def save_keras_zip(model, filepath):
    """Write `model` to `filepath` (a `.keras` file), atomically.

    Args:
        model: a built model.
        filepath: the destination, ending in `.keras`.

    Example:
        >>> save_keras_zip(model, "model.keras")
    """
    from nbkeras import __version__

    config_json = json.dumps(model_to_json_dict(model))
    metadata_json = json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "nbkeras_version": __version__,
    })
    weights = weights_bytes(model)
    members = [(METADATA, metadata_json.encode()), (CONFIG, config_json.encode()),
               (WEIGHTS, weights)] + assets_members(model)
    with atomic_write(filepath) as tmp:
        with open(tmp, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
                for name, data in members:
                    zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
            fh.flush()
            os.fsync(fh.fileno())


def _asset_objects(model):
    """(object, path) of every layer with Keras's `save_assets` / `load_assets` hooks."""
    found = []
    walk(model, lambda obj, path: found.append((obj, path))
         if getattr(type(obj), "save_assets", None) is not None else None)
    return found


def assets_members(model):
    """The `assets/<object path>/<file>` members of the archive (e.g. a lookup layer's
    adapted vocabulary), written by each layer's `save_assets(dir)` as in Keras."""
    members = []
    for obj, path in _asset_objects(model):
        with tempfile.TemporaryDirectory() as tmp:
            obj.save_assets(tmp)
            for fname in sorted(os.listdir(tmp)):
                with open(os.path.join(tmp, fname), "rb") as f:
                    members.append((f"assets/{path}/{fname}", f.read()))
    return members


def read_assets_into(model, zf, filepath):
    """Hand each layer with `load_assets` the files of its `assets/<path>/` folder."""
    names = zf.namelist()
    for obj, path in _asset_objects(model):
        prefix = f"assets/{path}/"
        files = [n for n in names if n.startswith(prefix) and "/" not in n[len(prefix):]]
        if not files:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for name in files:
                with open(os.path.join(tmp, name[len(prefix):]), "wb") as f:
                    f.write(_read_member(zf, name, filepath))
            obj.load_assets(tmp)


def _read_member(zf, name, path):
    info = zf.getinfo(name)
    if info.file_size > _MAX_MEMBER_BYTES or (
            info.file_size > (1 << 28) and info.file_size > _MAX_EXPANSION * info.compress_size):
        raise file_error(path, f"its member '{name}' declares an implausible size",
                         f"{info.file_size} bytes ({info.compress_size} stored)")
    with zf.open(name, "r") as f:
        return f.read()


def open_archive(filepath):
    """Open `filepath` as a `.keras` zip, or raise a ValueError naming the file."""
    if not os.path.exists(filepath):
        raise file_error(filepath, "the file does not exist", f"filepath={filepath!r}")
    if not os.path.isfile(filepath) or not zipfile.is_zipfile(filepath):
        raise file_error(filepath, "it is not a `.keras` zip archive (truncated or damaged?)",
                         f"size={os.path.getsize(filepath) if os.path.isfile(filepath) else None}")
    return zipfile.ZipFile(filepath, "r")


def read_weights_into(model, zf, filepath, skip_mismatch=False):
    """Load `model.weights.h5` of the open archive `zf` into `model`."""
    names = zf.namelist()
    if WEIGHTS not in names:
        hint = " (the npz weights format is not supported)" if "model.weights.npz" in names else ""
        raise file_error(filepath, f"it has no '{WEIGHTS}'{hint}", f"members {names}")
    data = _read_member(zf, WEIGHTS, filepath)
    with _h5py().File(io.BytesIO(data), "r") as f:
        weights_store.read_state(model, f, skip_mismatch=skip_mismatch)


def load_keras_zip(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model from a `.keras` file written by nbkeras or Keras 3.

    Args:
        filepath: the `.keras` file.
        custom_objects: `{name: class or function}` for custom layers, losses, ...
        compile: whether to compile the model as it was saved (optimizer state included).
        safe_mode: refuse stored Python bytecode (Lambda functions) unless False.

    Returns:
        The model.

    Raises:
        ValueError: naming the file, when it is missing, damaged or refused.
    """
    from nbkeras.layers.layer import Layer

    filepath = os.fspath(filepath)
    with reading(filepath):
        with open_archive(filepath) as zf:
            names = zf.namelist()
            if CONFIG not in names:
                raise file_error(filepath, f"it has no '{CONFIG}'", f"members {names}")
            if METADATA in names:
                json.loads(_read_member(zf, METADATA, filepath))
            config = json.loads(_read_member(zf, CONFIG, filepath))
            if not isinstance(config, dict) or "class_name" not in config:
                raise file_error(filepath, f"its '{CONFIG}' does not describe a model",
                                 f"{str(config)[:200]}")
            if not compile:
                config["compile_config"] = None
            model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
            if not isinstance(model, Layer):
                raise file_error(filepath, "its config does not describe a model",
                                 f"{type(model).__name__}")
            read_weights_into(model, zf, filepath)
            read_assets_into(model, zf, filepath)
    return model

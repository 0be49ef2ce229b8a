"""The legacy HDF5 format of Keras 2 (`model.save('m.h5')`), as Keras 3 reads and writes it.

The root's `model_config` attribute holds the JSON model config and
`training_config` the compile arguments; the group `model_weights` lists its
layers in the attribute `layer_names`, and each layer's group lists its
weights (trainable first) in `weight_names`; `optimizer_weights` holds the
optimizer's variables.
"""

import json
import os
import warnings

from nbkeras.saving import h5_access, integrity, legacy_config
from nbkeras.saving.atomic import atomic_write
from nbkeras.saving.errors import file_error, reading
from nbkeras.saving.h5_access import _h5py
from nbkeras.saving.serialization import (
    KERAS_VERSION, deserialize_keras_object, serialize_keras_object,
)

BACKEND = "numpy"


def _legacy_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _write_weights(group, weights):
    names, used = [], set()
    for v in weights:
        name = v.path
        k = 1
        while name in used:
            name, k = f"{v.path}_{k}", k + 1
        used.add(name)
        names.append(name)
    h5_access.write_string_list(group, "weight_names", names)
    for name, v in zip(names, weights):
        group.create_dataset(name, data=v.numpy())


def save_weights_group(group, model):
    """Write `model`'s weights into `group` in the legacy layout."""
    h5_access.write_string_list(group, "layer_names", [layer.name for layer in model.layers])
    group.attrs["backend"] = BACKEND.encode("utf8")
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    for layer in sorted(model.layers, key=lambda l: l.name):
        _write_weights(group.create_group(layer.name), _legacy_weights(layer))
    own = list(model._own_trainable) + list(model._own_non_trainable)
    _write_weights(group.create_group("top_level_model_weights"), own)


def _training_config(model):
    from nbkeras.saving.compile_config import get_compile_config

    config = get_compile_config(model)
    if not config:
        return None
    optimizer = config.pop("optimizer")
    config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


def save_legacy_h5(model, filepath, include_optimizer=True):
    """Write `model` to a legacy `.h5` file, atomically.

    Args:
        model: a built model.
        filepath: the destination (`.h5` or `.hdf5`).
        include_optimizer: whether to write the compile arguments and optimizer state.
    """
    h5py = _h5py()
    model_config = legacy_config.to_legacy(serialize_keras_object(model))
    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w", userblock_size=integrity.USERBLOCK_SIZE) as f:
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = BACKEND
            f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
            training = _training_config(model) if include_optimizer else None
            if training is not None:
                f.attrs["training_config"] = json.dumps(training).encode("utf8")
            save_weights_group(f.create_group("model_weights"), model)
            if training is not None and model.optimizer.variables:
                group = f.create_group("optimizer_weights")
                variables = model.optimizer.variables
                h5_access.write_string_list(group, "weight_names", [v.path for v in variables])
                for v in variables:
                    group.create_dataset(v.path, data=v.numpy())
        integrity.seal(tmp)


def _layer_values(group, name):
    layer_group = h5_access.get_group(group, name)
    if layer_group is None:
        raise ValueError(f"the weights group of layer '{name}' is missing. "
                         f"Received: layer_names lists '{name}'")
    return layer_group, h5_access.read_string_list(layer_group, "weight_names")


def load_weights_group(group, model, skip_mismatch=False):
    """Assign `model`'s weights from a legacy `model_weights` group, layer by layer in order."""
    layers = [layer for layer in model.layers if _legacy_weights(layer)]
    saved = []
    for name in h5_access.read_string_list(group, "layer_names"):
        layer_group, names = _layer_values(group, name)
        if names:
            saved.append((name, layer_group, names))
    if len(saved) != len(layers):
        raise ValueError(f"the file holds weights for {len(saved)} layers but the model has "
                         f"{len(layers)} layers with weights. Received: saved layers "
                         f"{[s[0] for s in saved][:20]}")
    assignments = []
    for (name, layer_group, names), layer in zip(saved, layers):
        variables = _legacy_weights(layer)
        if len(names) != len(variables):
            raise ValueError(f"layer '{layer.name}' expects {len(variables)} weights but the "
                             f"file's layer '{name}' holds {len(names)}. Received: {names}")
        for v, wname in zip(variables, names):
            try:
                assignments.append((v, h5_access.read_dataset(layer_group, wname, v.shape)))
            except ValueError as exc:
                if not skip_mismatch:
                    raise ValueError(f"layer '{layer.name}': {exc}") from None
                warnings.warn(f"Skipping weight {v.path} of layer '{layer.name}': {exc}",
                              stacklevel=3)
    top = h5_access.get_group(group, "top_level_model_weights")
    if top is not None:
        own = list(model._own_trainable) + list(model._own_non_trainable)
        names = h5_access.read_string_list(top, "weight_names")
        if len(names) != len(own):
            raise ValueError(f"the model expects {len(own)} top-level weights but the file holds "
                             f"{len(names)}. Received: {names}")
        assignments.extend((v, h5_access.read_dataset(top, n, v.shape)) for v, n in zip(own, names))
    for v, value in assignments:
        v.assign(value)


def _load_optimizer_weights(model, f):
    group = h5_access.get_group(f, "optimizer_weights")
    if group is None:
        return
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_weights)
    names = h5_access.read_string_list(group, "weight_names")
    variables = optimizer.variables
    if len(names) != len(variables):
        warnings.warn("Error in loading the saved optimizer state: it has "
                      f"{len(names)} variables but the optimizer has {len(variables)}. As a "
                      "result, your model is starting with a freshly initialized optimizer.",
                      stacklevel=3)
        return
    values = [h5_access.read_dataset(group, n, v.shape) for v, n in zip(variables, names)]
    for v, value in zip(variables, values):
        v.assign(value)


def check_h5(filepath):
    """Raise a ValueError naming `filepath` if it is missing or fails its integrity check."""
    if not os.path.exists(filepath):
        raise file_error(filepath, "the file does not exist", f"filepath={filepath!r}")
    problem = integrity.check(filepath)
    if problem:
        raise file_error(filepath, problem, f"size={os.path.getsize(filepath)} bytes")


def load_legacy_h5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model from a legacy `.h5` file (Keras 2, Keras 3 or nbkeras).

    Args:
        filepath: the `.h5` / `.hdf5` file.
        custom_objects: `{name: class or function}` for custom objects.
        compile: whether to compile it with the saved training config and optimizer state.
        safe_mode: refuse stored Python bytecode (Lambda functions) unless False.

    Returns:
        The model.
    """
    from nbkeras.saving.compile_config import compile_from_config

    filepath = os.fspath(filepath)
    with reading(filepath):
        check_h5(filepath)
        with _h5py().File(filepath, "r") as f:
            text = h5_access.read_text_attr(f, "model_config")
            if text is None:
                raise file_error(filepath, "it has no model config (it may hold weights only; "
                                 "use `model.load_weights()`)", f"attributes {list(f.attrs)}")
            config = legacy_config.normalize_keras2(json.loads(text))
            model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
            weights = h5_access.get_group(f, "model_weights")
            if weights is None:
                raise file_error(filepath, "it has no 'model_weights' group", f"{list(f.keys())}")
            load_weights_group(weights, model)
            training = h5_access.read_text_attr(f, "training_config") if compile else None
            if training is not None:
                training = json.loads(training)
                optimizer = legacy_config.normalize_optimizer_config(
                    training.get("optimizer_config"))
                compile_config = {k: v for k, v in training.items() if k != "optimizer_config"}
                compile_config["optimizer"] = optimizer
                with _scoped(custom_objects, safe_mode):
                    compile_from_config(model, compile_config)
                _load_optimizer_weights(model, f)
    return model


def _scoped(custom_objects, safe_mode):
    import contextlib

    from nbkeras.saving.registration import custom_object_scope
    from nbkeras.saving.safe_mode import safe_mode_scope

    stack = contextlib.ExitStack()
    stack.enter_context(custom_object_scope(custom_objects))
    stack.enter_context(safe_mode_scope(safe_mode))
    return stack


def load_legacy_weights(model, filepath, skip_mismatch=False):
    """Load weights from a legacy `.h5` file (a full model file or a weights-only file)."""
    filepath = os.fspath(filepath)
    with reading(filepath):
        check_h5(filepath)
        with _h5py().File(filepath, "r") as f:
            group = f
            if "layer_names" not in f.attrs and "model_weights" in f:
                group = h5_access.get_group(f, "model_weights")
            load_weights_group(group, model, skip_mismatch)

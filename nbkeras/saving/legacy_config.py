"""Keras's legacy config form (HDF5 `model_config`): `{'class_name', 'config'}` without `module`.

Keras 3 writes legacy `.h5` files with this form for the model and its layers
(nested objects such as initializers keep their `module`). Keras 2 files also
use it, with a few older spellings that `normalize_keras2` translates.
"""

_KERAS2_OPTIMIZER_KEYS = ("is_legacy_optimizer", "jit_compile")


def to_legacy(layer_dict):
    """Turn a serialized layer or model into the legacy form, recursing into models."""
    config = dict(layer_dict["config"])
    if layer_dict["class_name"] in ("Sequential", "Functional") and "layers" in config:
        layers = []
        for entry in config["layers"]:
            legacy = to_legacy(entry)
            if "inbound_nodes" in entry:
                legacy["name"] = entry["name"]
                legacy["inbound_nodes"] = entry["inbound_nodes"]
            layers.append(legacy)
        config["layers"] = layers
    out = {"class_name": layer_dict["class_name"], "config": config}
    module = layer_dict.get("module")
    if isinstance(module, str) and module.startswith("keras.src.ops."):
        # An op node (Keras cannot load these from .h5 at all): keep its module so that
        # `Add` the op is not read back as `Add` the merge layer.
        out["module"] = module
    return out


def _normalize_layer(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        return entry
    config = entry["config"]
    if entry.get("class_name") == "Model" and "input_layers" in config:
        entry["class_name"] = "Functional"
    if isinstance(config.get("layers"), list):
        config["layers"] = [_normalize_layer(dict(e)) for e in config["layers"]]
    return entry


def normalize_keras2(model_config):
    """Translate Keras 2 spellings of a legacy model config (e.g. `Model` for `Functional`)."""
    return _normalize_layer(dict(model_config))


def normalize_optimizer_config(config):
    """Drop Keras 2 optimizer keys that Keras 3 optimizers do not take."""
    if isinstance(config, dict) and isinstance(config.get("config"), dict):
        config = dict(config)
        config["config"] = {k: v for k, v in config["config"].items()
                            if k not in _KERAS2_OPTIMIZER_KEYS}
    return config

"""Saving and loading models, in Keras 3's formats.

`model.save('m.keras')` writes Keras 3's zip format (`config.json`,
`metadata.json`, `model.weights.h5`); `model.save('m.h5')` the legacy HDF5
format; `model.save_weights('m.weights.h5')` only the variables. Every write is
atomic. Loading accepts files written by nbkeras or by Keras, refuses stored
Python code unless `safe_mode=False`, and reports damaged files as ValueErrors
naming the file.

Example:
    >>> model.save("model.keras")
    >>> model = nbkeras.saving.load_model("model.keras")
"""

from nbkeras.saving.registration import (  # noqa: F401
    custom_object_scope, get_custom_objects, get_registered_name, get_registered_object,
    register_keras_serializable,
)
from nbkeras.saving.safe_mode import enable_unsafe_deserialization  # noqa: F401
from nbkeras.saving.saving_api import load_model, model_from_json, save_model  # noqa: F401
from nbkeras.saving.serialization import (  # noqa: F401
    deserialize_keras_object, serialize_keras_object,
)
from nbkeras.saving.weights_file import load_weights, save_weights  # noqa: F401

CustomObjectScope = custom_object_scope

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_from_json",
           "serialize_keras_object", "deserialize_keras_object", "register_keras_serializable",
           "custom_object_scope", "CustomObjectScope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "enable_unsafe_deserialization"]

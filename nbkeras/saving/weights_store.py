"""Reading and writing object state in Keras 3's HDF5 layout (`model.weights.h5`).

Each layer, model and optimizer has a group `<path>/vars` (the model's is
`vars`) whose `name` attribute is the object's name and whose datasets `0`,
`1`, ... are its own variables in creation order: for a layer its trainable
then non-trainable weights, for an optimizer `iterations`, `learning_rate`
and then its slots.
"""

import warnings

import numpy as np

from nbkeras.saving import h5_access
from nbkeras.saving.object_walk import walk


def own_variables(obj):
    """The variables an object stores in its own `vars` group, in Keras's order."""
    from nbkeras.optimizers.optimizer import Optimizer

    if isinstance(obj, Optimizer):
        return list(obj.variables)
    return list(obj._own_trainable) + list(obj._own_non_trainable)


def custom_state(obj, hook):
    """The object's own `save_own_variables` / `load_own_variables` (Keras's hooks for state
    that is not a variable, such as a lookup layer's IDF weights), or None."""
    fn = getattr(type(obj), hook, None)
    return None if fn is None else getattr(obj, hook)


def _vars_path(path):
    return f"{path}/vars" if path else "vars"


def write_state(model, h5file):
    """Write every layer's and the optimizer's variables into the open h5py file `h5file`."""
    def visit(obj, path):
        group = h5file.require_group(_vars_path(path))
        group.attrs["name"] = obj.name
        save = custom_state(obj, "save_own_variables")
        if save is not None:
            store = {}
            save(store)
            for key, value in store.items():
                group.create_dataset(str(key), data=np.asarray(value))
            return
        for i, v in enumerate(own_variables(obj)):
            group.create_dataset(str(i), data=np.asarray(v.numpy()))

    walk(model, visit)


def _describe(obj, path):
    return f"{type(obj).__name__} '{obj.name}' (at '{_vars_path(path)}')"


def read_state(model, h5file, skip_mismatch=False):
    """Assign every layer's and the optimizer's variables from the open h5py file `h5file`.

    Args:
        model: the model to fill.
        h5file: an open h5py File in Keras 3's layout.
        skip_mismatch: warn and skip objects whose variables do not match, instead of failing.

    Raises:
        ValueError: naming the object whose variables are missing or mismatched.
    """
    from nbkeras.optimizers.optimizer import Optimizer

    pending = []

    def visit(obj, path):
        variables = own_variables(obj)
        group = h5_access.get_group(h5file, _vars_path(path))
        keys = [] if group is None else list(group.keys())
        load = custom_state(obj, "load_own_variables")
        if load is not None:
            store = {k: np.asarray(group[k]) for k in keys}
            pending.append((load, store))
            return
        if isinstance(obj, Optimizer):
            if not obj.built and len(keys) > len(variables) and obj is model.optimizer:
                obj.build(model.trainable_weights)  # create the slots the file holds
                variables = own_variables(obj)
            if len(keys) != len(variables):
                warnings.warn(
                    f"Skipping variable loading for optimizer '{obj.name}', because it has "
                    f"{len(variables)} variables whereas the saved optimizer has {len(keys)} "
                    "variables.", stacklevel=4)
                return
        elif len(keys) != len(variables):
            message = (f"{_describe(obj, path)} expects {len(variables)} variables "
                       f"{[v.name for v in variables]}, but the file holds {len(keys)}. "
                       f"Received: {sorted(keys)[:10]}")
            if skip_mismatch:
                warnings.warn(f"Skipping {message}", stacklevel=4)
                return
            raise ValueError(message)
        values = []
        for i, v in enumerate(variables):
            try:
                values.append(h5_access.read_dataset(group, str(i), shape=v.shape))
            except ValueError as exc:
                if skip_mismatch:
                    warnings.warn(f"Skipping {_describe(obj, path)}: {exc}", stacklevel=4)
                    return
                raise ValueError(f"{_describe(obj, path)}: {exc}") from None
        pending.extend(zip(variables, values))

    walk(model, visit)
    for v, value in pending:  # assign only once the whole file has been read
        if callable(v):
            v(value)
        else:
            v.assign(value)

"""One check of the data given to `fit`, `evaluate` and `predict`, before any state changes.

`check_data` looks once at the whole of `x`, `y` and `sample_weight` (or one batch of a
generator or PyDataset, before its step): that there are samples, that a dict or list
`x` matches the model's inputs (keys and count) and each array its input's shape, that
`y` matches the outputs, that sparse-crossentropy labels are class indices (no NaN, inf,
negative or too large value), that embedding indices fit the table, and that the sample
weights have one weight per sample. The errors name the argument, what was expected and
what was received, with the sample index of a bad value; the costly part is one min/max
pass over the labels and the embedded inputs.
"""

import warnings

import numpy as np

from nbkeras.layers.input_spec import InputSpec, adjusted_shape, assert_input_compatibility
from nbkeras.trainers import data as data_utils

_X, _Y, _SW = 0, 1, 2


def check_data(model, x, y=None, sample_weight=None, names=("x", "y", "sample_weight"),
               offset=0):
    """Raise a Keras-style error if `x`/`y`/`sample_weight` cannot train or test `model`.

    Builds an unbuilt model from x's shape (as the first batch would), but changes no
    weight. What depends only on the data's structure and shapes (not on its values) is
    checked once per model state and data signature (see `_state_cache`); the checks of
    values (label ranges, embedding indices) run every call.

    Args:
        model: the compiled (or, for predict, any) model.
        x, y, sample_weight: arrays as `data.standardize` returns them.
        names: how the errors call the three arguments.
        offset: the index of x's first sample in the user's data.

    Example:
        >>> check_data(model, x, np.array([0, 1, -1]))
        ValueError: Labels in `y` must be integers in [0, 3) ... Received: y with a label of -1 at sample 2
    """
    flat_x = data_utils.flat(x)
    n = len(flat_x[0]) if flat_x else 0
    if not flat_x or n == 0:
        shown = (f"{names[_X]} with shape {_shapes(x)}" if flat_x
                 else f"{names[_X]}={x!r}")
        raise ValueError(f"Expected `{names[_X]}` to hold at least one sample; it is "
                         f"empty. Received: {shown}")
    key = ("checked", _data_key(x), _data_key(y), _data_key(sample_weight),
           None if sample_weight is None else (n, np.shape(sample_weight)), names)
    value_checks = _state_cache(model).get(key)
    if value_checks is not None:
        for check in value_checks:
            check(x, y, offset)
        return
    value_checks = _check_structure(model, x, y, sample_weight, names, n, offset)
    if value_checks is not None:  # None: checked, but not remembered
        _remember(_state_cache(model), key, value_checks)  # (the check may have built it)


def _check_structure(model, x, y, sample_weight, names, n, offset):
    """Every check of `check_data` (in its order); returns the checks of values to run
    again on later data of the same signature, or None when the result must not be kept."""
    value_checks = []
    if _overrides(model, "train_step", "test_step", "predict_step"):
        return value_checks  # a custom step reads the batch its own way
    check_inputs(model, x, names[_X])
    _check_input_shapes(model, x, names[_X])
    model._maybe_build_from_data(x)
    _check_embedded_inputs(model, x, names[_X], offset)
    if _has_embedded_checks(model):
        value_checks.append(
            lambda x, y, offset: _check_embedded_inputs(model, x, names[_X], offset))
    remember = not _ignored_keys(model, x)
    if (y is None and sample_weight is None) or _overrides(model, "compute_loss") or (
            getattr(getattr(model, "_compiled_state", None), "loss_spec", None) is None):
        return value_checks if remember else None
    specs, output_names = _outputs(model, x)
    ys = _targets(model, y, output_names, names[_Y]) if y is not None else None
    if ys is not None:
        _check_labels(model, ys, specs, output_names, names[_Y], offset)
        if any(t is not None and _sparse_loss(model, i, output_names, t, spec)[0]
               for i, (t, spec) in enumerate(zip(ys, specs))):
            value_checks.append(lambda x, y, offset: _check_labels(
                model, _targets(model, y, output_names, names[_Y]), specs, output_names,
                names[_Y], offset))
    if sample_weight is not None:
        _check_sample_weight(sample_weight, specs, names[_SW], n)
    return value_checks if remember else None


def _data_key(a):
    """What the structural checks see of `a`: its container, keys, and each array's
    shape after the batch axis and dtype."""
    if a is None:
        return None
    if type(a) is np.ndarray:
        return (a.shape[1:], a.dtype.str)
    return (type(a),) + _signature(a)


class _StateCache:
    """What the checks remember of one model in one state. An object, not a tuple or dict:
    the weight-file walk, which visits a model's containers, passes it over."""

    __slots__ = ("token", "refs", "table")

    def __init__(self, token, refs):
        # It holds `refs`, so their ids cannot be reused by new objects meanwhile.
        self.token, self.refs, self.table = token, refs, {}


def _state_cache(model):
    """What the checks remember of `model` in its current state (the data signatures
    already checked, with their checks of values; what `_cached` made): a dict, emptied
    when the model's state changes (compiled again, rebuilt, layers added or removed)."""
    d = model.__dict__
    layers = d.get("_layers") or ()
    first = layers[0] if layers else None
    refs = (d.get("_compiled_state"), d.get("_symbolic_output"), d.get("_nodes"), first)
    token = tuple(map(id, refs)) + (len(layers), d.get("built"),
                                    None if first is None else getattr(first, "batch_shape", None))
    entry = d.get("_data_checks")
    if entry is None or entry.token != token:
        entry = d["_data_checks"] = _StateCache(token, refs)
    return entry.table


def _remember(cache, key, value):
    if len(cache) > 128:
        cache.clear()
    cache[key] = value
    return value


def _has_embedded_checks(model):
    return any(getattr(layer, "check_input_data", None) is not None
               for layers in _cached(model, ("readers",), lambda: _readers_of_inputs(model))
               for layer in layers)


def _ignored_keys(model, x):
    """Whether `x` is a dict with keys the model ignores (`check_inputs` warns each time)."""
    if not isinstance(x, dict):
        return False
    declared = _model_inputs(model)
    return declared is not None and any(k not in declared[0] for k in x)


def batch_check(model, name="x"):
    """The check a dataset source runs on each batch before its step (see `check_data`).

    Args:
        model: the model the batches feed.
        name: what the errors call the dataset (`x` or `validation_data`).

    Example:
        >>> source = DatasetBatches(generator, check=batch_check(model))
    """
    names = (name, "y", "sample_weight") if name == "x" else (
        f"{name} x", f"{name} y", f"{name} sample_weight")

    def check(x, y, sample_weight, index):
        try:
            check_data(model, x, y, sample_weight, names)
        except (ValueError, IndexError) as error:
            raise type(error)(f"In batch {index} of `{name}`: {error}") from None

    return check


def _overrides(model, *methods):
    """Whether the model's class replaces any of Trainer's `methods` (Keras's model contract)."""
    from nbkeras.trainers.trainer import Trainer

    return any(getattr(type(model), m, None) is not getattr(Trainer, m) for m in methods)


def _signature(x):
    return tuple((k, a.shape[1:], a.dtype.str) for k, a in (
        x.items() if isinstance(x, dict) else enumerate(data_utils.flat(x))))


def _cached(model, key, make):
    """`make()`, remembered for the model's state per `key` (see `_state_cache`), so that
    checking each batch of a dataset does not re-trace the model."""
    cache = _state_cache(model)
    return cache[key] if key in cache else _remember(cache, key, make())


def _outputs(model, x):
    """(output specs, output names) for inputs shaped like x."""
    def make():
        specs = model._output_specs(x)
        return specs, model._output_names(len(specs))

    return _cached(model, ("outputs", _signature(x)), make)


def _shapes(x):
    if isinstance(x, dict):
        return {k: tuple(np.shape(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [tuple(np.shape(v)) for v in x]
    return tuple(np.shape(x))


def _model_inputs(model):
    """`(names, shapes, keyed)` of the model's inputs, or None when it does not declare them
    (a subclassed model, or a Sequential model without an Input)."""
    flat = getattr(model, "_flat_inputs", None)
    if flat:
        struct = getattr(model, "_inputs_struct", None)
        keyed = isinstance(struct, dict)
        names = list(struct) if keyed else list(model.input_names)
        return names, [t.shape for t in flat], keyed
    layers = getattr(model, "_layers", None)
    first = layers[0] if layers else None
    if first is not None and type(first).__name__ == "InputLayer":
        return [first.name], [tuple(first.batch_shape)], False
    return None


def check_inputs(model, x, name="x"):
    """Raise unless the structure of `x` (dict keys, list length) fits the model's inputs.

    Args:
        model: the model.
        x: an array, a list of arrays or a dict of arrays.
        name: the argument's name in the messages.

    Example:
        >>> check_inputs(model, {"a": xa})  # a model with inputs 'a' and 'b'
        ValueError: Missing data for input "b" in `x`. ... Expected the following keys: ['a', 'b']...
    """
    declared = _model_inputs(model)
    if declared is None:
        return
    expected, _, keyed = declared
    if isinstance(x, dict):
        given = list(x)
        missing = [k for k in expected if k not in x]
        if missing:
            raise ValueError(
                f'Missing data for input "{missing[0]}" in `{name}`. You passed a data '
                f"dictionary with keys {given}. Expected the following keys: {expected}. "
                f"Received: {name} with keys {given}")
        unknown = [k for k in given if k not in expected]
        if unknown:  # Keras ignores them, with this warning
            warnings.warn(
                f"The structure of `{name}` doesn't match the model's inputs: the keys "
                f"{unknown} are not inputs of model '{model.name}' and are ignored. Expected "
                f"the following keys: {expected}. Received: {name} with keys {given}",
                stacklevel=4)
        return
    count = len(x) if isinstance(x, list) else 1
    if count != len(expected):
        shown = f"a list of {count} array(s)" if isinstance(x, list) else "a single array"
        form = "a dict with keys" if keyed else f"{len(expected)} arrays (a list) for the inputs"
        raise ValueError(
            f"Model '{model.name}' has {len(expected)} input(s): expected `{name}` to be {form} "
            f"{expected}. Received: {name} as {shown} of shape(s) {_shapes(x)}")


def _check_input_shapes(model, x, name):
    declared = _model_inputs(model)
    if declared is None:
        return
    expected, shapes, _ = declared
    arrays = ([x[k] for k in expected] if isinstance(x, dict)
              else x if isinstance(x, list) else [x])
    for i, (input_name, want, arr) in enumerate(zip(expected, shapes, arrays)):
        if len(expected) == 1:  # the model's own check names its first layer, as Keras does
            def check(shape, argument="input"):
                model._check_data_shape(shape, argument=argument)
            label = name
        else:
            def check(shape, argument="input", want=want, i=i):
                assert_input_compatibility(InputSpec(shape=want), adjusted_shape(shape, want),
                                           model.name, index=i,
                                           argument=argument)
            label = f"{name}[{input_name!r}]" if isinstance(x, dict) else f"{name}[{i}]"
        try:
            check((None,) + tuple(arr.shape[1:]))
        except ValueError:
            check(tuple(arr.shape), argument=label)  # the error names the data's shape
            raise


def _check_embedded_inputs(model, x, name, offset):
    """Let the layers that read a model input directly (an Embedding's index range) check
    the whole array, so a bad index stops `fit` before the first step."""
    declared = _model_inputs(model)
    if declared is None:
        return
    expected = declared[0]
    arrays = ([x[k] for k in expected] if isinstance(x, dict)
              else x if isinstance(x, list) else [x])
    for i, layers in enumerate(_cached(model, ("readers",), lambda: _readers_of_inputs(model))):
        for layer in layers:
            check = getattr(layer, "check_input_data", None)
            if check is not None and i < len(arrays):
                label = name if len(arrays) == 1 else f"{name}[{i}]"
                check(arrays[i], label, offset)


def _readers_of_inputs(model):
    """For each model input, the layers called directly on it."""
    flat = getattr(model, "_flat_inputs", None)
    if flat:
        from nbkeras.layers.layer import _flatten

        ids = {id(t): i for i, t in enumerate(flat)}
        readers = [[] for _ in flat]
        for node in getattr(model, "_nodes", []):
            for t in _flatten(node.inputs_structure):
                if id(t) in ids and node.layer not in readers[ids[id(t)]]:
                    readers[ids[id(t)]].append(node.layer)
        return readers
    layers = getattr(model, "layers", [])
    return [layers[:1]] if layers else [[]]


def _needing_targets(model, output_names):
    """The outputs that a target must be given for: those with a loss or metrics (Keras
    lets `y` leave out the others)."""
    from nbkeras.trainers.compile_utils import per_output

    state = getattr(model, "_compiled_state", None)
    if state is None:
        return list(output_names)
    strict = not isinstance(getattr(model, "_outputs_struct", None), dict)
    try:
        specs = [per_output(spec, output_names, what, require_all=strict) for spec, what in (
            (state.loss_spec, "loss"), (state.metrics_spec, "metrics"),
            (state.weighted_metrics_spec, "weighted_metrics"))]
    except ValueError as e:
        if str(e).startswith("Expected keys"):  # a loss dict that leaves outputs out
            raise
        return list(output_names)  # compile's structure is reported where it is resolved
    return [n for i, n in enumerate(output_names) if any(s[i] for s in specs)]


def _targets(model, y, output_names, name):
    """The targets as one array (or None) per output, in output order; raises on a wrong
    structure."""
    n = len(output_names)
    needed = _cached(model, ("needed", tuple(output_names)),
                     lambda: _needing_targets(model, output_names))
    if isinstance(y, dict):
        given = list(y)
        missing = [k for k in needed if k not in y]
        unknown = [k for k in given if k not in output_names]
        if missing or unknown:
            what = (f'Missing data for output "{missing[0]}"' if missing
                    else f'The key "{unknown[0]}" is not an output of the model')
            raise ValueError(
                f"{what} in `{name}`. You passed a data dictionary with keys {given}. Expected "
                f"the following keys: {list(output_names)}. Received: {name} with keys {given}")
        return [y.get(k) for k in output_names]
    ys = y if isinstance(y, list) else [y]
    # Keras also takes one target per output with a loss when those come first.
    prefix = len(ys) == len(needed) and list(output_names[:len(ys)]) == list(needed)
    if len(ys) != n and not prefix:
        shown = f"a list of {len(ys)} array(s)" if isinstance(y, list) else "a single array"
        raise ValueError(
            f"The model has {n} outputs {list(output_names)}: expected `{name}` to be a list "
            f"of {n} arrays or a dict with those keys. Received: {name} as {shown} of "
            f"shape(s) {_shapes(y)}")
    return list(ys) + [None] * (n - len(ys))


def _check_labels(model, ys, specs, output_names, name, offset):
    from nbkeras.utils import index_utils

    for i, (t, spec) in enumerate(zip(ys, specs)):
        if t is None:
            continue
        sparse, ignore_class = _sparse_loss(model, i, output_names, t, spec)
        if not sparse:
            continue
        label = name if len(ys) == 1 else f"{name}[{output_names[i]!r}]"
        classes = spec.shape[-1]
        bad = index_utils.first_out_of_range(t, classes, allowed=ignore_class)
        if bad is not None:
            pos, value = bad
            pos = (pos[0] + offset,) + pos[1:]
            raise ValueError(
                f"Labels in `{label}` must be integers in [0, {classes}) for output "
                f"'{output_names[i]}' with {classes} classes (sparse categorical crossentropy). "
                f"Received: {label} with a label of {index_utils.describe(value)} "
                f"{index_utils.where(pos)}")


def _sparse_loss(model, i, output_names, y_true, spec):
    """(whether output i's loss takes sparse labels, its ignore_class)."""
    state = getattr(model, "_compiled_state", None)
    if state is None:
        return False, None
    key = ("sparse", i, tuple(output_names), np.shape(y_true)[1:], tuple(spec.shape))
    return _cached(model, key, lambda: _resolve_sparse(state, i, output_names, y_true, spec))


def _resolve_sparse(state, i, output_names, y_true, spec):
    from nbkeras.losses import losses
    from nbkeras.losses.loss import LossFunctionWrapper
    from nbkeras.trainers.compile_utils import per_output, resolve_loss

    try:
        spec_i = per_output(state.loss_spec, output_names, "loss")[i]
    except ValueError:
        return False, None  # compile's loss structure is reported where it is resolved
    pred = np.zeros((1,) + tuple(1 if d is None else d for d in spec.shape[1:]), spec.dtype)
    loss = resolve_loss(spec_i, y_true[:1], pred)
    if isinstance(loss, LossFunctionWrapper) and loss.fn is losses.sparse_categorical_crossentropy:
        return True, loss._fn_kwargs.get("ignore_class")
    return False, None


def _check_sample_weight(sample_weight, specs, name, n):
    sw = np.asarray(sample_weight)
    # One weight per sample, or (for sequence outputs) per sample and time step.
    allowed = [(n,), (n, 1)] + [(n,) + tuple(s.shape[1:k]) for s in specs
                                for k in range(2, len(s.shape))]
    fits = any(len(sw.shape) == len(a) and all(
        d is None or d == e for d, e in zip(a, sw.shape)) for a in allowed)
    if not fits:
        raise ValueError(
            f"Expected `{name}` to hold one weight per sample: an array of shape ({n},) "
            "(or one weight per time step for sequence outputs). "
            f"Received: {name}.shape={tuple(sw.shape)}")

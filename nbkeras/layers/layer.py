"""`Layer`: the base class of every layer and model, with Keras 3's contract.

`__init__` stores the configuration, `build(input_shape)` creates weights with
`add_weight`, `call(inputs, training=None)` computes with `nbkeras.ops`, and
`get_config()` returns what `from_config` needs. Gradients come from the ops,
so a custom layer needs no gradient code.
"""

import functools
import inspect
import weakref

import numpy as np

from nbkeras import config, initializers, regularizers
from nbkeras import constraints as constraints_module
from nbkeras.layers.input_spec import assert_input_compatibility
from nbkeras.layers.node import KerasTensor, Node, is_symbolic
from nbkeras.ops import core
from nbkeras.backend import active as _device
from nbkeras.ops.core import Tensor, unwrap
from nbkeras.utils.traceback_utils import filter_traceback
from nbkeras.utils import naming
from nbkeras.variables import Variable

# Training flags of the layer calls in progress (outermost first).
_training_stack = []
# Layers holding losses from add_loss() since the outermost call began.
_layers_with_losses = []
_CALL_TAKES = {}
# While a training step runs, state updates (BatchNormalization's moving statistics)
# wait here and are applied only once the step has succeeded.
_deferred_updates = None
# Keras masks of eager outputs: id(output) -> (weak reference to it, mask).
_MASKS = {}


def get_mask(x):
    """The Keras mask attached to the output `x` of a layer (None when it has none)."""
    if not _MASKS:
        return None
    if isinstance(x, (list, tuple)):
        masks = [get_mask(t) for t in x]
        return masks if any(m is not None for m in masks) else None
    entry = _MASKS.get(id(x))
    if entry is None or entry[0]() is not x:
        return None
    return entry[1]


def set_mask(x, mask):
    """Attach `mask` to `x` (a layer output) for the next layer's call."""
    if isinstance(x, (list, tuple)):
        for t, m in zip(x, mask if isinstance(mask, (list, tuple)) else [mask] * len(x)):
            set_mask(t, m)
        return
    key = id(x)
    if mask is None:  # e.g. a layer that returned its input and does not support masking
        entry = _MASKS.get(key)
        if entry is not None and entry[0]() is x:
            del _MASKS[key]
        return

    def drop(ref, key=key):
        if _MASKS.get(key, (None,))[0] is ref:
            del _MASKS[key]

    try:
        _MASKS[key] = (weakref.ref(x, drop), mask)
    except TypeError:
        pass


def update_state(fn, in_op=False):
    """Run the state update `fn` now, or after the training step in progress succeeds.

    Args:
        fn: the update, a function of no arguments.
        in_op: whether an op's forward (`ops.core.op`) makes the update with the arrays it
            was given: a replayed training step calls that forward again, so the step's
            tracer (nbkeras/trainers/step_trace.py) accepts it.

    Example:
        >>> update_state(lambda: counter.append(1))  # no step in progress: runs now
    """
    if _deferred_updates is None:
        fn()
    else:
        _deferred_updates.append((fn, in_op))


def deferred_updates_in_ops():
    """(how many state updates wait for the training step in progress, whether ops made
    them all); (0, True) outside a step."""
    updates = _deferred_updates or ()
    return len(updates), all(in_op for _, in_op in updates)


class deferred_state_updates:
    """Collect `update_state` calls; apply them on success, drop them if the step raises."""

    def __enter__(self):
        global _deferred_updates
        self._outer = _deferred_updates
        _deferred_updates = []
        return self

    def __exit__(self, exc_type, *exc):
        global _deferred_updates
        updates, _deferred_updates = _deferred_updates, self._outer
        if exc_type is None:
            for fn, _ in updates:
                fn()
        return False


def _takes(cls, arg):
    """Whether `cls.call` accepts the keyword `arg` (cached per class)."""
    key = (cls, arg)
    cached = _CALL_TAKES.get(key)
    if cached is None:
        params = inspect.signature(cls.call).parameters
        cached = _CALL_TAKES[key] = arg in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        )
    return cached


def dtype_name(dtype):
    """Accept a dtype, a name, or a Keras DTypePolicy config dict; return the name."""
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, dict):
        return dtype.get("config", {}).get("name", config.floatx())
    name = getattr(dtype, "name", dtype)
    if name in ("string", "str"):  # text inputs of the string preprocessing layers
        return "string"
    name = "float16" if name in ("mixed_float16", "mixed_bfloat16", "bfloat16") else str(np.dtype(name))
    if name == "float16":
        raise TypeError(
            "nbkeras kernels compute in float32 or float64; float16 and mixed precision are "
            f"not supported. Received: dtype={dtype!r}"
        )
    return name


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(t) for t in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return tuple(x.shape)


# Keras's name scope: while a layer builds, the weights created (by it or by sublayers it
# builds) get paths under its name, e.g. `sequential/lstm/lstm_cell/kernel`.
_SCOPE_NAMES = []
_SCOPE_OWNERS = []


def _scoped_build(build):
    """Run `build` under the layer's name scope (once, even when `super().build` nests)."""
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        if _SCOPE_OWNERS and _SCOPE_OWNERS[-1] is self:
            return build(self, *args, **kwargs)
        _SCOPE_NAMES.append(self.name)
        _SCOPE_OWNERS.append(self)
        try:
            return build(self, *args, **kwargs)
        finally:
            _SCOPE_NAMES.pop()
            _SCOPE_OWNERS.pop()

    wrapper._name_scoped = True
    return wrapper


def weight_path(layer, name):
    """The path Keras gives a weight `name` that `layer` creates now."""
    own = bool(_SCOPE_OWNERS) and _SCOPE_OWNERS[-1] is layer
    return "/".join(_SCOPE_NAMES + ([] if own else [layer.name]) + [name])


class Layer:
    """Base class for layers.

    Args:
        trainable: whether the layer's weights are trained.
        name: the layer's name (automatic by default, e.g. `dense_1`).
        dtype: the dtype of the weights and computations (floatx by default).
        activity_regularizer: a penalty on the layer's output.
        input_shape / input_dim / batch_input_shape / batch_size: the input's
            shape, for the first layer of a `Sequential` (Keras 2 style).

    Example:
        >>> class Scale(nbkeras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.w
    """

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
                 autocast=True, name=None, **kwargs):
        d = self.__dict__
        d.setdefault("_layers", [])
        d["_own_trainable"] = []
        d["_own_non_trainable"] = []
        d["_losses"] = []
        d["_inbound_nodes"] = []
        d["_trainable"] = bool(trainable)
        d["built"] = False
        self._build_input_shape = None
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self._input_shape_arg = (batch_size, int(input_dim))
        else:
            self._input_shape_arg = None
        self.name = name or naming.auto_name(type(self).__name__)
        self.dtype = dtype_name(dtype)
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = None
        self._checked_shape = None
        self.supports_masking = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_name_scoped", False):
            cls.build = _scoped_build(build)

    def __setattr__(self, name, value):
        if isinstance(value, Layer) and name != "_parent":
            layers = self.__dict__.setdefault("_layers", [])
            if not any(value is l for l in layers):
                layers.append(value)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], Layer):
            layers = self.__dict__.setdefault("_layers", [])
            for v in value:
                if isinstance(v, Layer) and not any(v is l for l in layers):
                    layers.append(v)
        object.__setattr__(self, name, value)

    # ----------------------------------------------------------------- weights
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Create a weight variable owned by this layer.

        Args:
            shape: the shape (a tuple of ints).
            initializer: a name, an Initializer or a callable (glorot_uniform by default
                for floats, zeros otherwise).
            dtype: the dtype (the layer's by default).
            trainable: whether optimizers update it.
            regularizer: an optional penalty added to `layer.losses`.
            constraint: an optional projection applied after each update.
            name: the variable's name.

        Returns:
            The new `Variable`.
        """
        dtype = np.dtype(dtype_name(dtype) if dtype is not None else self.dtype)
        shape = () if shape is None else tuple(int(s) for s in shape)
        if initializer is None:
            initializer = "glorot_uniform" if np.issubdtype(dtype, np.floating) else "zeros"
        init = initializers.get(initializer)
        var = Variable(init, shape=shape, dtype=dtype, trainable=trainable and self._trainable,
                       name=name or "variable")
        var.path = weight_path(self, var.name)
        var.regularizer = regularizers.get(regularizer)
        var.constraint = constraints_module.get(constraint)
        (self._own_trainable if trainable else self._own_non_trainable).append(var)
        return var

    @property
    def weights(self):
        """Every weight: own trainable, own non-trainable, then those of sublayers."""
        out, seen = [], set()
        for v in self._own_trainable + self._own_non_trainable:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        """The weights that training updates."""
        if not self._trainable:
            return []
        return [v for v in self.weights if v.trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        """The weights that training does not update by gradient."""
        if not self._trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self.__dict__["_trainable"] = value
        for v in self._own_trainable:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    def get_weights(self):
        """Return the weights as a list of NumPy arrays (copies)."""
        return [v.numpy().copy() for v in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays, in the order of `get_weights()`."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights. "
                f"Received: len(weights)={len(weights)}"
            )
        for v, w in zip(params, weights):
            w = _device.to_numpy(unwrap(w))
            if v.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {v.shape} is not compatible with provided "
                    f"weight shape {w.shape}. Received: weights[i].shape={w.shape}"
                )
        for v, w in zip(params, weights):
            v.assign(w)

    def count_params(self):
        """Return the number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer "
                "isn't built. You can build it manually via: `layer.build(input_shape)`. "
                "Received: built=False"
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss):
        """Add a scalar loss term (kept until the next outermost call)."""
        if not self._losses:
            _layers_with_losses.append(self)
        self._losses.append(loss)

    @property
    def losses(self):
        """Losses from `add_loss` in the last call (this layer's, then its sublayers'),
        then the penalties of the trainable weights' regularizers, as in Keras."""
        out = []
        self._collect_added_losses(out, set())
        for v in self.trainable_weights:
            reg = getattr(v, "regularizer", None)
            if reg is not None:
                out.append(reg(v))
        return out

    def _collect_added_losses(self, out, seen):
        if id(self) in seen:
            return
        seen.add(id(self))
        out.extend(self._losses)
        for layer in self._layers:
            layer._collect_added_losses(out, seen)

    # ------------------------------------------------------------------- build
    def build(self, input_shape):
        """Create the layer's weights for inputs of `input_shape` (override this)."""
        self.built = True

    def _maybe_build(self, shape):
        if not self.built:
            self._build_input_shape = shape
            self.build(shape)
            self.built = True

    def compute_mask(self, inputs, previous_mask):
        """Return the mask of the output: the input's when the layer supports masking."""
        return previous_mask if self.supports_masking else None

    def compute_output_shape(self, input_shape):
        """Return the output shape for `input_shape` (computed by a dry run if not overridden)."""
        return _shape_of(self.compute_output_spec(_placeholders(input_shape)))

    def compute_output_spec(self, inputs, *args, **kwargs):
        """Return KerasTensors describing the output (from `compute_output_shape` when the
        layer overrides it, else by running `call` on zeros)."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            return _spec_from_shape(self.compute_output_shape(_shape_of(inputs)), self.dtype)
        dummy = _dummy_inputs(inputs, self.dtype)
        if _takes(type(self), "training"):
            kwargs["training"] = False
        out = self.call(dummy, *args, **kwargs)
        return _to_spec(out, inputs)

    # -------------------------------------------------------------------- call
    def call(self, inputs, *args, **kwargs):
        """The computation (override this)."""
        return inputs

    @filter_traceback
    def __call__(self, inputs, *args, **kwargs):
        if type(inputs) is not np.ndarray and not isinstance(inputs, Tensor):
            if is_symbolic(inputs):
                return self._symbolic_call(inputs, *args, **kwargs)
            inputs = self._convert_inputs(inputs)
        elif inputs.dtype != self.dtype and (inputs.dtype.kind not in "biu" or type(inputs) is not np.ndarray):
            inputs = self._convert_inputs(inputs)
        if not self.built:
            if self.input_spec is not None:
                self._check_input(inputs)  # reject bad input before creating weights
            self._maybe_build(_shape_of(inputs))
        if self.input_spec is not None:
            shape = inputs.shape if hasattr(inputs, "shape") else None
            if shape is None or shape != self._checked_shape:
                self._check_input(inputs)
                self._checked_shape = shape
        training = kwargs.get("training")
        entry = not _training_stack
        if training is None and not entry:
            training = _training_stack[-1]
        if entry:
            _clear_losses()
        takes = _CALL_TAKES.get((type(self), "training"))
        if takes is None:
            takes = _takes(type(self), "training")
        if takes:
            kwargs["training"] = training
        elif "training" in kwargs:
            del kwargs["training"]
        mask = get_mask(inputs) if _MASKS else None
        if mask is not None and kwargs.get("mask") is None and _takes(type(self), "mask"):
            kwargs["mask"] = mask
        _training_stack.append(training)
        try:
            if entry and not training and self._governs_threads:  # inference `model(x)`:
                # GEMM lanes for the free cores (fit's steps are sized by fit)
                with _device.threads_for_inference():
                    outputs = self.call(inputs, *args, **kwargs)
            else:
                outputs = self.call(inputs, *args, **kwargs)
        finally:
            _training_stack.pop()
        if mask is not None or type(self).compute_mask is not Layer.compute_mask:
            prev = kwargs.get("mask") if kwargs.get("mask") is not None else mask
            set_mask(outputs, self.compute_mask(inputs, prev))
        if self.activity_regularizer is not None:
            self._add_activity_loss(outputs)
        return outputs

    def _add_activity_loss(self, outputs):
        from nbkeras import ops

        for out in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
            penalty = self.activity_regularizer(out)
            if np.ndim(core.unwrap(out)) > 0:
                penalty = ops.divide_no_nan(penalty, np.asarray(out.shape[0], dtype=self.dtype))
            self.add_loss(penalty)

    # Models pass text on to their string preprocessing layers, which check it themselves.
    _accepts_strings = False
    # Whether an inference call from outside any layer sizes the device's threads to the
    # free cores (`threads_for_inference`): models do, so `model(x)` waits on no busy core.
    _governs_threads = False

    def _convert_inputs(self, x):
        if isinstance(x, Tensor):
            return x
        if isinstance(x, np.ndarray):
            if x.dtype.kind in "US" and self._accepts_strings:
                return x
            if x.dtype.kind not in "biuf":
                raise TypeError(
                    f"Layer '{self.name}' expects numeric (real) input. "
                    f"Received: inputs of dtype {x.dtype}"
                )
            if self.autocast and x.dtype.kind == "f" and x.dtype != self.dtype:
                return x.astype(self.dtype)
            return x
        if isinstance(x, (list, tuple)):
            return type(x)(self._convert_inputs(t) for t in x)
        if isinstance(x, dict):
            return {k: self._convert_inputs(v) for k, v in x.items()}
        # A device array passes as it is; anything else becomes an array first.
        arr = x if isinstance(x, _device.xp.ndarray) else np.asarray(x)
        if arr.dtype.kind in "OUS":
            raise TypeError(
                f"Layer '{self.name}' expects numeric input. Received: inputs of dtype {arr.dtype}"
            )
        return arr.astype(self.dtype) if arr.dtype.kind == "f" else arr

    def _check_input(self, inputs):
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        xs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        for i, (spec, x) in enumerate(zip(specs, xs)):
            assert_input_compatibility(spec, tuple(x.shape), self.name, i)

    def _symbolic_call(self, inputs, *args, **kwargs):
        shapes = _shape_of(inputs)
        if not self.built:
            self._maybe_build(shapes)
        if self.input_spec is not None:
            self._check_input(inputs)
        kwargs.pop("training", None)
        # Symbolic tensors passed as other arguments (an RNN's initial_state, say) are
        # inputs of the node too; the output spec is computed with zeros in their place.
        extra = [t for t in _flatten([list(args), list(kwargs.values())]) if isinstance(t, KerasTensor)]
        if extra:
            outputs = self.compute_output_spec(inputs, *_dummy_inputs(args, self.dtype),
                                               **_dummy_inputs(kwargs, self.dtype))
        else:
            outputs = self.compute_output_spec(inputs, *args, **kwargs)
        flat_in = _flatten(inputs)
        flat_out = _flatten(outputs)
        node = Node(self, flat_in + extra, flat_out, args, kwargs, inputs_structure=inputs)
        node.tensor_arguments = bool(extra)
        self._inbound_nodes.append(node)
        index = len(self._inbound_nodes) - 1
        for i, t in enumerate(flat_out):
            t._keras_history = (self, index, i)
        return outputs

    # --------------------------------------------------------------- graph info
    @property
    def input(self):
        """The symbolic input of the layer's first call."""
        return self._node_tensors("input_tensors", "input")

    @property
    def output(self):
        """The symbolic output of the layer's first call."""
        return self._node_tensors("output_tensors", "output")

    def _node_tensors(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input and thus "
                f"has no defined {what}. Received: inbound nodes=0"
            )
        ts = getattr(self._inbound_nodes[0], attr)
        return ts[0] if len(ts) == 1 else ts

    # ------------------------------------------------------------------ config
    def _dtype_config(self):
        return {"module": "keras", "class_name": "DTypePolicy",
                "config": {"name": self.dtype}, "registered_name": None}

    def get_config(self):
        """Return the constructor arguments as a JSON-friendly dict."""
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_config()}
        if self.activity_regularizer is not None:
            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config):
        """Create a layer from the dict `get_config()` returned."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _clear_losses():
    while _layers_with_losses:
        _layers_with_losses.pop()._losses.clear()


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [t for item in x for t in _flatten(item)]
    if isinstance(x, dict):
        return [t for k in x for t in _flatten(x[k])]
    return [x]


def _placeholders(shape):
    if isinstance(shape, list):
        return [_placeholders(s) for s in shape]
    return KerasTensor(shape)


def _dummy_inputs(inputs, dtype):
    if isinstance(inputs, (list, tuple)):
        return type(inputs)(_dummy_inputs(t, dtype) for t in inputs)
    if isinstance(inputs, dict):
        return {k: _dummy_inputs(v, dtype) for k, v in inputs.items()}
    if isinstance(inputs, KerasTensor):
        shape = tuple(1 if d is None else d for d in inputs.shape)
        return np.zeros(shape, dtype=inputs.dtype)
    return inputs


def _spec_from_shape(shape, dtype):
    if isinstance(shape, list):
        return [_spec_from_shape(s, dtype) for s in shape]
    return KerasTensor(shape, dtype=dtype)


def _to_spec(out, inputs):
    first = _flatten(inputs)[0] if _flatten(inputs) else None
    batch_unknown = isinstance(first, KerasTensor) and first.shape[:1] == (None,)

    def spec(t):
        if isinstance(t, (list, tuple)):
            return type(t)(spec(s) for s in t)
        if isinstance(t, dict):
            return {k: spec(v) for k, v in t.items()}
        arr = core.unwrap(t)
        shape = tuple(arr.shape)
        if batch_unknown and shape:
            shape = (None,) + shape[1:]
        return KerasTensor(shape, dtype=str(arr.dtype))

    return spec(out)

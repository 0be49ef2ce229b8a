"""Ops on symbolic tensors: each call becomes an `Operation` node of the functional graph.

`ops.core.op` (and `ops.core.composite`) send every op call with a KerasTensor input
here. The call becomes a node of an `Operation`, a weightless layer named as Keras 3
names its operations (`relu`, `add_1`, `get_item`; class `Relu`, `Add`, `GetItem`), so
functional models built from ops train, print Keras's summary and save and load in the
`.keras` format as Keras writes them (`module` 'keras.src.ops.numpy' or '...nn').

The output's shape and dtype come from running the op on zeros, twice, with each
unknown dimension set to 2 and then to 3: a dimension that differs between the two
runs is unknown (None) in the result.

Example:
    >>> x = nbkeras.Input((3,))
    >>> y = ops.mean(ops.relu(x) * 0.5, axis=-1)
    >>> y.shape
    (None,)
"""

import re

import numpy as np

from nbkeras.layers.layer import Layer, _flatten
from nbkeras.layers.node import KerasTensor, Node

# Keras's module of each op that is not in `keras.src.ops.numpy`.
_NN_OPS = frozenset((
    "relu", "relu6", "sigmoid", "elu", "selu", "softplus", "softsign", "silu",
    "gelu", "leaky_relu", "hard_sigmoid", "hard_silu", "mish", "softmax", "log_softmax",
    "one_hot", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "batch_normalization", "moments", "conv",
    "max_pool", "average_pool", "dropout", "dot_product_attention", "celu", "glu", "hard_shrink", "hard_tanh",
    "layer_normalization", "log_sigmoid", "normalize", "psnr", "rms_normalization",
    "soft_shrink", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink",
    "threshold", "depthwise_conv", "separable_conv", "conv_transpose", "multi_hot",
    "ctc_loss", "ctc_decode", "adaptive_average_pool", "adaptive_max_pool", "fold", "unfold",
    "depth_to_space", "space_to_depth"))
_CORE_OPS = frozenset(("cast", "convert_to_tensor", "stop_gradient", "slice", "slice_update",
                       "scatter", "scatter_update", "saturate_cast", "switch",
                       "vectorized_map"))
_IMAGE_OPS = frozenset(("resize", "extract_patches", "crop_images", "gaussian_blur", "hsv_to_rgb",
                        "pad_images",
                        "rgb_to_grayscale", "rgb_to_hsv"))
_MATH_OPS = frozenset(("logsumexp", "top_k", "erf", "erfc", "erfinv", "in_top_k", "cdist",
                       "logdet", "extract_sequences", "stft", "istft",
                       "segment_min", "segment_prod", "segment_sum", "segment_max", "fft", "fft2",
                       "ifft2", "rfft", "irfft"))
_LINALG_OPS = frozenset(("norm", "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv",
                         "lstsq", "lu_factor", "matrix_rank", "pinv", "qr", "solve",
                         "solve_triangular", "svd"))
# Ops whose tensor inputs come as one list (Keras writes them as one argument).
_LIST_INPUTS = frozenset(("concatenate", "stack", "hstack", "vstack", "fft", "fft2", "ifft2",
                          "irfft"))
# Op arguments Keras passes at call time (written in `args`), not to the constructor.
_CALL_ARGUMENTS = {"get_item": ("key",), "take": ("indices",), "clip": ("x_min", "x_max"),
                   "slice_update": ("start_indices",), "scatter_update": ("indices",),
                   "scatter": ("indices",), "dot_product_attention": ("scale",)}
# Where the call arguments go among the tensor inputs (after them when not listed).
_CALL_POSITION = {"slice_update": 1, "scatter_update": 1, "scatter": 0}
_CLASS_NAMES = {"get_item": "GetItem", "absolute": "Absolute", "true_divide": "TrueDivide",
                "svd": "SVD", "layer_normalization": "LayerNorm", "rms_normalization": "RMSNorm",
                "psnr": "PSNR", "searchsorted": "SearchSorted", "isin": "IsIn",
                "ctc_loss": "CTCLoss", "ctc_decode": "CTCDecode"}
_OP_NAMES = {v: k for k, v in _CLASS_NAMES.items()}


def class_name(name):
    """Keras's Operation class name of op `name`: 'log_softmax' -> 'LogSoftmax'."""
    return _CLASS_NAMES.get(name) or "".join(p.capitalize() for p in name.split("_"))


def op_name(cls_name):
    """The op name behind a Keras Operation class name: 'GetItem' -> 'get_item'."""
    if cls_name in _OP_NAMES:
        return _OP_NAMES[cls_name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls_name).lower()


def keras_module(name):
    """The module Keras writes for op `name`."""
    if name in _NN_OPS:
        return "keras.src.ops.nn"
    if name in _CORE_OPS:
        return "keras.src.ops.core"
    if name in _IMAGE_OPS:
        return "keras.src.ops.image"
    if name in _MATH_OPS:
        return "keras.src.ops.math"
    if name in _LINALG_OPS:
        return "keras.src.ops.linalg"
    return "keras.src.ops.numpy"


def public_op(name):
    """The public function of op `name` in `nbkeras.ops`."""
    from nbkeras import ops

    space = ops.image if name in _IMAGE_OPS else ops
    fn = getattr(space, "getitem" if name == "get_item" else name, None)
    if fn is None or not callable(fn):
        raise ValueError(f"nbkeras has no op named {name!r}. Received: op={name!r}")
    return fn


class Operation(Layer):
    """One op of `nbkeras.ops` as a node of a functional graph (Keras 3's `Operation`).

    Args:
        op: the op's name in `nbkeras.ops` (`'add'`, `'mean'`, `'get_item'`, ...).
        name: the node's name (default: the op's name, made unique).
        **config: the op's other arguments (`axis=1`, `keepdims=False`, ...).

    Example:
        >>> mean = Operation("mean", axis=1)
        >>> mean(np.ones((2, 3), "float32"))
        array([1., 1.], dtype=float32)
    """

    _op_name = None  # set on the per-op subclasses (`Relu`, `GetItem`, ...)
    _is_operation = True  # not listed in `Model.layers`, as in Keras

    def __init__(self, op=None, name=None, **config):
        super().__init__(name=name)
        op = op or self._op_name
        self.op = op
        self.op_config = config
        self._fn = public_op(op)
        self.built = True

    def __call__(self, *args, **kwargs):
        kwargs.pop("training", None)
        kwargs.pop("mask", None)
        if any(isinstance(t, KerasTensor) for t in _flatten([list(args), list(kwargs.values())])):
            return self._node(args, kwargs)
        return self._fn(*args, **kwargs, **self.op_config)

    def call(self, *args, **kwargs):
        return self._fn(*args, **kwargs, **self.op_config)

    def _node(self, args, kwargs):
        outputs = _output_spec(self._fn, args, {**kwargs, **self.op_config})
        flat_in = [t for t in _flatten([list(args), list(kwargs.values())])
                   if isinstance(t, KerasTensor)]
        flat_out = _flatten(outputs)
        first = args[0] if args else None
        node = Node(self, flat_in, flat_out, tuple(args[1:]), kwargs, inputs_structure=first)
        node.tensor_arguments = True
        self._inbound_nodes.append(node)
        index = len(self._inbound_nodes) - 1
        for i, t in enumerate(flat_out):
            t._keras_history = (self, index, i)
        return outputs

    def count_params(self):
        return 0

    def get_config(self):
        """`{'name', **the op's constructor arguments}`, as Keras writes an Operation."""
        return {"name": self.name, **self.op_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_CLASSES = {}


def operation_class(cls_name):
    """The `Operation` subclass Keras's class name `cls_name` ('Relu', 'GetItem') loads as."""
    cls = _CLASSES.get(cls_name)
    if cls is None:
        name = op_name(cls_name)
        public_op(name)  # raises for an op nbkeras lacks
        cls = type(cls_name, (Operation,), {
            "__doc__": f"The `{name}` op as a functional-graph node.", "_op_name": name})
        cls.__module__ = keras_module(name)
        _CLASSES[cls_name] = cls
    return cls


def symbolic_call(name, inputs, config):
    """Make the node of one op call on symbolic inputs; returns its output KerasTensor(s)."""
    config = dict(config or {})
    args = [list(inputs)] if name in _LIST_INPUTS else list(inputs)
    at = _CALL_POSITION.get(name, len(args))
    for key in _CALL_ARGUMENTS.get(name, ()):
        if key in config:
            args.insert(at, config.pop(key))
            at += 1
    return operation_class(class_name(name))(**config)(*args)


def _eye(shape, dtype):
    """Identity matrices over the last two axes (ones for rank < 2)."""
    if len(shape) < 2:
        return np.ones(shape, dtype)
    return np.broadcast_to(np.eye(shape[-2], shape[-1], dtype=dtype), shape).copy()


def _zeros(x, unknown, fill=np.zeros):
    if isinstance(x, KerasTensor):
        return fill(tuple(unknown if d is None else d for d in x.shape), x.dtype)
    if isinstance(x, (list, tuple)):
        return type(x)(_zeros(t, unknown, fill) for t in x)
    if isinstance(x, dict):
        return {k: _zeros(v, unknown, fill) for k, v in x.items()}
    return x


def _output_spec(fn, args, kwargs):
    from nbkeras.ops.core import unwrap

    with np.errstate(all="ignore"):  # zeros may divide by zero: only shapes matter here
        try:
            runs = [fn(*_zeros(list(args), u), **_zeros(kwargs, u)) for u in (2, 3)]
        except ValueError:  # an op that rejects zeros (inv, cholesky): identity matrices
            runs = [fn(*_zeros(list(args), u, _eye), **_zeros(kwargs, u, _eye)) for u in (2, 3)]

    def spec(a, b):
        if isinstance(a, (list, tuple)):
            return type(a)(spec(x, y) for x, y in zip(a, b))
        a, b = np.asarray(unwrap(a)), np.asarray(unwrap(b))
        shape = tuple(da if da == db else None for da, db in zip(a.shape, b.shape))
        return KerasTensor(shape, dtype=str(a.dtype))

    return spec(*runs)

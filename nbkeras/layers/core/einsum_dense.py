"""`EinsumDense`: a dense layer whose product is any einsum of the input and the kernel."""

import re

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.initializers.variance_scaling import VarianceScaling
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.einsum import parse_subscripts


def analyze_einsum_string(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape, kernel input axes, kernel output
    axes) of `equation` on inputs of `input_shape`, as Keras's EinsumDense computes them."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    left = False
    match = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", dotted)
    if not match:
        match = re.match("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", dotted)
        left = bool(match)
    if not match:
        match = re.match("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", dotted)
    if not match:
        raise ValueError(
            f"Invalid einsum equation '{equation}'. Equations must be in the form "
            "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    in_spec, w_spec, out_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    out_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out_shape.insert(0, input_shape[0])
    if elided > 0 and left:
        # In input order (Keras 3.15 reverses them in its symbolic shape; its eager
        # output has them in order).
        out_shape[1:1] = input_shape[1:elided]
    elif elided > 0:
        out_shape.extend(input_shape[len(input_shape) - elided:])
    if left:
        in_map = {d: i + elided - len(input_shape) for i, d in enumerate(in_spec)}
        out_map = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_map = {d: i for i, d in enumerate(in_spec)}
        out_map = {d: i for i, d in enumerate(out_spec)}
    for d in in_spec:
        if d in out_map and out_shape[out_map[d]] is not None \
                and out_shape[out_map[d]] != input_shape[in_map[d]]:
            raise ValueError(
                f"Input shape and output shape do not match at shared dimension '{d}'. Input "
                f"shape is {input_shape[in_map[d]]}, and output shape is "
                f"{out_shape[out_map[d]]}. Received: equation={equation!r}, "
                f"input_shape={input_shape}, output_shape={output_shape}")
        if d in out_map and out_shape[out_map[d]] is None:
            out_shape[out_map[d]] = input_shape[in_map[d]]  # known from the input
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(
                f"Dimension '{d}' was specified in the output '{out_spec}' but has no "
                f"corresponding dim in the input spec '{in_spec}' or weight spec "
                f"'{w_spec}'. Received: equation={equation!r}")
    kernel, in_axes, out_axes = [], [], []
    for i, d in enumerate(w_spec):
        if d in out_map:
            kernel.append(out_shape[out_map[d]])
            out_axes.append(i)
        elif d in in_map:
            kernel.append(input_shape[in_map[d]])
            in_axes.append(i)
        else:
            raise ValueError(
                f"Weight dimension '{d}' did not have a match in either the input spec "
                f"'{in_spec}' or the output spec '{out_spec}'. For this layer, the weight "
                f"must be fully specified. Received: equation={equation!r}")
    bias = None
    if bias_axes is not None:
        lead = elided if left else 0
        sizes = {c: out_shape[i + lead] for i, c in enumerate(out_spec)}
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(
                    f"Bias dimension '{c}' was requested, but is not part of the output spec "
                    f"'{out_spec}'. Received: bias_axes={bias_axes!r}")
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left:
            bias += [1] * max(elided, 0)
    return kernel, bias, out_shape, in_axes, out_axes


class EinsumDense(Layer):
    """A dense layer computing `activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: `'ab,bc->ac'`-style, with the input first and the kernel second; `...`
            may stand for leading (or trailing) input axes.
        output_shape: the output's shape without the batch axis (None for axes the input
            gives); an int for one axis.
        activation: an activation name or function.
        bias_axes: the output letters that get a bias (None: no bias).
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> layer = nbkeras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8),
        ...                                    bias_axes="de")
        >>> layer(np.zeros((2, 5, 16))).shape
        (2, 5, 4, 8)
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if quantization_config is not None:
            raise ValueError("nbkeras does not support quantized layers. "
                             f"Received: quantization_config={quantization_config!r}")
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.full_output_shape = None

    def build(self, input_shape):
        kernel_shape, bias_shape, full, in_axes, out_axes = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.full_output_shape = tuple(full)
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, VarianceScaling) and (init.input_axes is None
                                                  or init.output_axes is None):
            # Keras sizes the fans from the kernel's input and output axes.
            cfg = {**init.get_config(), "input_axes": in_axes, "output_axes": out_axes}
            init = type(init).from_config(cfg)
        self.kernel = self.add_weight(
            name="kernel", shape=tuple(kernel_shape), initializer=init,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias", shape=tuple(bias_shape), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs, training=None):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        if self.activation is not None:
            x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        # The einsum's own output shape (Keras 3.15's symbolic shape misplaces elided axes).
        kernel = analyze_einsum_string(self.equation, self.bias_axes, input_shape,
                                       self.partial_output_shape)[0]
        subs, out = parse_subscripts(self.equation, [tuple(input_shape), tuple(kernel)])
        sizes = {}
        for sub, shape in zip(subs, (tuple(input_shape), tuple(kernel))):
            for c, d in zip(sub, shape):
                if sizes.get(c) is None:
                    sizes[c] = d
        return tuple(sizes[c] for c in out)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        cfg.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        })
        if self.lora_rank:
            cfg["lora_rank"] = self.lora_rank
            cfg["lora_alpha"] = self.lora_alpha
        return cfg

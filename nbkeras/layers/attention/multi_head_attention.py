"""`MultiHeadAttention`: Keras's multi-head attention, on EinsumDense projections.

The projections are `EinsumDense` sublayers named query, key, value and
attention_output, with Keras's equations and weight shapes. As in Keras, with no
attention dropout, no scores returned and (batch, time, features) inputs, attention runs
as the fused `ops.dot_product_attention` (one op: BLAS products around one softmax
kernel). Otherwise the scores are explicit: batched BLAS products (`ops.matmul` over
(batch, heads)) with the default attention axes, Keras's einsums for other axes.
"""

import math
import string

import numpy as np

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.activations.softmax import Softmax
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.layer import Layer, get_mask, set_mask
from nbkeras.layers.node import KerasTensor, is_symbolic
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.ops.core import unwrap


def _letters(i):
    return string.ascii_lowercase[i]


def build_attention_equation(rank, attn_axes):
    """(dot-product equation, combine equation, rank of the scores), as Keras builds them."""
    target = "".join(_letters(i) for i in range(rank))
    batch = tuple(i for i in range(rank) if i not in attn_axes + (rank - 1,))
    offset, source = rank, ""
    for i in range(rank):
        if i in batch or i == rank - 1:
            source += target[i]
        else:
            source += _letters(offset)
            offset += 1
    product = "".join([target[i] for i in batch] + [target[i] for i in attn_axes]
                      + [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def build_proj_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes, output rank) of a projection, as Keras builds them."""
    inp = kernel = out = bias = ""
    for i in range(free_dims):
        inp += _letters(i)
        out += _letters(i)
    for i in range(bound_dims):
        c = _letters(free_dims + i)
        inp += c
        kernel += c
    for i in range(output_dims):
        c = _letters(free_dims + bound_dims + i)
        kernel += c
        out += c
        bias += c
    return f"{inp},{kernel}->{out}", bias, len(out)


def _output_shape(rank, known_last):
    return [None] * (rank - len(known_last)) + list(known_last)


def _positive_int(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        extra = " or `None`" if allow_none else ""
        raise ValueError(
            f"Received an invalid value for argument `{name}`, expected a positive "
            f"integer{extra}. Received: {name}={value}")
    return int(value)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), Keras 3's layer.

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each head for query and key.
        value_dim: the size of each head for value (`key_dim` when None).
        dropout: the dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output's last dimension(s) (the query's last one when None).
        attention_axes: the axes attention runs over (all but batch, heads and features
            when None).
        sliding_window: attend only to keys less than this many positions away.
        use_gate: multiply the attention output by a sigmoid gate of the query.
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: of the
            projections.
        seed: the seed of the dropout.

    Call arguments:
        query: (B, T, dim); value: (B, S, dim); key: (B, S, dim), `value` when None.
        attention_mask: boolean (B, T, S), True where attention is allowed.
        return_attention_scores: also return the (B, heads, T, S) probabilities.
        training: dropout on when True.
        use_causal_mask: forbid attending to later positions.
        query_mask, value_mask, key_mask: (B, T) / (B, S) masks (Keras masks of the
            inputs are used when not given).

    Example:
        >>> mha = nbkeras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.zeros((3, 5, 8), "float32")
        >>> mha(x, x).shape
        (3, 5, 8)
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        self._num_heads = _positive_int(num_heads, "num_heads")
        self._key_dim = _positive_int(key_dim, "key_dim")
        value_dim = _positive_int(value_dim, "value_dim", allow_none=True)
        super().__init__(**kwargs)
        self.supports_masking = True
        self._value_dim = value_dim or self._key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    f"Invalid `output_shape`: {output_shape}. When specified, the "
                    "`output_shape` should be of type tuple, list, or int.") from None
        self._output_shape = output_shape or None
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (isinstance(sliding_window, bool) or not isinstance(
                sliding_window, int) or sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------ build
    def _sublayer_kwargs(self):
        return dict(
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self._kernel_constraint, bias_constraint=self._bias_constraint,
            kernel_initializer=type(self._kernel_initializer).from_config(
                self._kernel_initializer.get_config()),
            bias_initializer=type(self._bias_initializer).from_config(
                self._bias_initializer.get_config()),
            dtype=self.dtype)

    def _projection(self, shape, name, dim, activation=None):
        eq, bias_axes, rank = build_proj_equation(len(shape) - 1, 1, 2)
        layer = EinsumDense(eq, output_shape=_output_shape(rank - 1, [self._num_heads, dim]),
                            bias_axes=bias_axes if self._use_bias else None, name=name,
                            activation=activation, **self._sublayer_kwargs())
        layer._maybe_build(tuple(shape))
        return layer

    def build(self, query_shape, value_shape=None, key_shape=None):
        # Saved as Keras's build_config {'shapes_dict': {...}} (saving/build_config.py).
        self._build_shapes = {"query_shape": tuple(query_shape),
                              "value_shape": tuple(query_shape if value_shape is None
                                                   else value_shape)}
        if key_shape is not None:
            self._build_shapes["key_shape"] = tuple(key_shape)
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (tuple(query_shape), tuple(value_shape),
                                               tuple(key_shape))
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}")
        self._query_dense = self._projection(query_shape, "query", self._key_dim)
        self._key_dense = self._projection(key_shape, "key", self._key_dim)
        if self._use_gate:
            self._gate_dense = self._projection(query_shape, "gate", self._value_dim, "sigmoid")
        self._value_dense = self._projection(value_shape, "value", self._value_dim)
        rank = len(value_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a
                                         for a in self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = \
            build_attention_equation(rank, self._attention_axes)
        n_axes = len(self._attention_axes)
        self._softmax = Softmax(axis=tuple(range(scores_rank - n_axes, scores_rank)),
                                dtype=self.dtype)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype, seed=self.seed)
        out_dims = self._output_shape or (query_shape[-1],)
        eq, bias_axes, out_rank = build_proj_equation(len(query_shape) - 1, 2, len(out_dims))
        self._output_dense = EinsumDense(
            eq, output_shape=_output_shape(out_rank - 1, out_dims),
            bias_axes=bias_axes if self._use_bias else None, name="attention_output",
            **self._sublayer_kwargs())
        inner = list(self._query_dense.compute_output_shape(query_shape))
        inner[-1] = self._value_dim
        self._output_dense._maybe_build(tuple(inner))
        # Keras's public names of the projections; its weights files use them as paths.
        self.query_dense, self.key_dense = self._query_dense, self._key_dense
        self.value_dense, self.output_dense = self._value_dense, self._output_dense
        self.built = True

    # ------------------------------------------------------------------- call
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError("MultiHeadAttention needs `value` (pass it as the second "
                             "argument). Received: value=None")
        if not self.built:
            shape = lambda t: tuple(t.shape) if hasattr(t, "shape") else np.shape(t)  # noqa
            self.build(shape(query), shape(value), None if key is None else shape(key))
        if not is_symbolic(query):
            # As in Keras: the inputs' Keras masks become query/value/key masks (the query's
            # always wins) and are then taken off the inputs, so later layers reading the
            # same tensors no longer see them.
            for name, t in (("value_mask", value), ("key_mask", key)):
                if t is not None and kwargs.get(name) is None:
                    kwargs[name] = get_mask(t)
            kwargs["query_mask"] = get_mask(query)
            for t in (query, value, key):
                if t is not None:
                    set_mask(t, None)
            query, value = self._convert_inputs(query), self._convert_inputs(value)
            key = None if key is None else self._convert_inputs(key)
        if key is not None:
            kwargs["key"] = key
        return super().__call__(query, value, **kwargs)

    def _compute_causal_mask(self, t, s):
        return np.tril(np.ones((1, t, s), bool))

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        t, s = query.shape[1], value.shape[1]
        auto = None

        def both(a, b):
            return b if a is None else a & b

        if query_mask is not None:
            auto = np.asarray(unwrap(query_mask)).astype(bool)[..., None]
        if value_mask is not None:
            auto = both(auto, np.asarray(unwrap(value_mask)).astype(bool)[..., None, :])
        if key_mask is not None:
            auto = both(auto, np.asarray(unwrap(key_mask)).astype(bool)[..., None, :])
        if use_causal_mask:
            auto = both(auto, self._compute_causal_mask(t, s))
        if self._sliding_window is not None:
            rows, cols = np.arange(t)[None, :, None], np.arange(s)[None, None, :]
            auto = both(auto, np.abs(rows - cols) < self._sliding_window)
        if attention_mask is not None:
            attention_mask = np.asarray(unwrap(attention_mask)).astype(bool)
        if auto is not None:
            attention_mask = auto if attention_mask is None else attention_mask & auto
        return attention_mask

    def _masked_softmax(self, scores, attention_mask=None):
        """Softmax over the attention axes through Keras's Softmax layer, which zeroes
        masked entries (so fully masked rows are all zero). The fused path of
        `_compute_attention` does not (such rows are uniform there, as in Keras)."""
        if attention_mask is not None:
            axis = -len(self._attention_axes) * 2 - 1
            for _ in range(scores.ndim - attention_mask.ndim):
                attention_mask = np.expand_dims(attention_mask, axis)
            attention_mask = np.broadcast_to(attention_mask, scores.shape)
        return self._softmax(scores, mask=attention_mask)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False):
        """(output, probabilities) of the projected (B, T, N, K) query, key and value.

        As in Keras, with no dropout, no scores asked for and (B, T, N, K) projections,
        the fused `ops.dot_product_attention` runs (probabilities are then None)."""
        fused = not (self._dropout > 0 or return_attention_scores or query.ndim != 4)
        if fused:
            if attention_mask is not None:
                for _ in range(4 - attention_mask.ndim):  # (B, T, S) -> (B, 1, T, S)
                    attention_mask = np.expand_dims(attention_mask, -3)
            out = ops.dot_product_attention(query, key, value, mask=attention_mask,
                                            scale=self._inverse_sqrt_key_dim)
            return out, None
        query = ops.multiply(query, np.asarray(self._inverse_sqrt_key_dim, query.dtype))
        standard = query.ndim == 4 and self._attention_axes == (1,)
        if standard:  # (B, N, T, K) @ (B, N, K, S): batched BLAS products
            scores = ops.matmul(ops.transpose(query, (0, 2, 1, 3)),
                                ops.transpose(key, (0, 2, 3, 1)))
        else:
            scores = ops.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        final = self._dropout_layer(scores, training=training) if self._dropout > 0 else scores
        if standard:
            out = ops.transpose(ops.matmul(final, ops.transpose(value, (0, 2, 1, 3))),
                                (0, 2, 1, 3))
        else:
            out = ops.einsum(self._combine_equation, final, value)
        return out, scores

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        out, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        if gate is not None:
            out = ops.multiply(out, gate)
        out = self._output_dense(out)
        if query_mask is not None:
            set_mask(out, query_mask)
        if return_attention_scores:
            return out, scores
        return out

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            value_shape = tuple(value_shape)
            key_shape = value_shape if key_shape is None else tuple(key_shape)
            if value_shape[1:-1] != key_shape[1:-1]:
                raise ValueError(
                    "All dimensions of `value` and `key`, except the last one, must be "
                    f"equal. Received: value_shape={value_shape} and key_shape={key_shape}")
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False,
                            **kwargs):
        out = KerasTensor(self.compute_output_shape(
            query.shape, value.shape, None if key is None else key.shape), dtype=self.dtype)
        if return_attention_scores:
            q = tuple(query.shape[:-1]) + (self._num_heads,)
            v = tuple(value.shape[:-1]) + (self._num_heads,)
            rank = len(q) + 1
            axes = self._attention_axes or tuple(range(1, rank - 2))
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in axes)
            batch = [i for i in range(rank - 1) if i not in axes]
            shape = tuple(q[i] for i in batch) + tuple(q[i] for i in axes) + tuple(
                v[i] for i in axes)
            return out, KerasTensor(shape, dtype=self.dtype)
        return out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return cfg

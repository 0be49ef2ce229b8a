"""`Attention` (Luong-style dot-product) and `AdditiveAttention` (Bahdanau-style)."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.ops.core import unwrap


class Attention(Layer):
    """Dot-product attention over `[query, value]` or `[query, value, key]`.

    Args:
        use_scale: learn a scalar that multiplies the scores.
        score_mode: `'dot'` (query . key) or `'concat'` (sum of tanh(query + key)).
        dropout: the dropout rate on the attention probabilities.
        seed: the seed of the dropout.

    Call arguments:
        inputs: `[query (B, Tq, dim), value (B, Tv, dim)]`, optionally with `key`.
        mask: `[query_mask (B, Tq), value_mask (B, Tv)]` (Keras masks of the inputs by
            default).
        return_attention_scores: also return the (B, Tq, Tv) probabilities.
        use_causal_mask: forbid attending to later positions.

    Example:
        >>> q, v = np.ones((2, 3, 4), "float32"), np.ones((2, 5, 4), "float32")
        >>> nbkeras.layers.Attention()([q, v]).shape
        (2, 3, 4)
    """

    _records_mask = False  # Keras writes no `mask` into the config of its calls

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self._dropout_layer = Dropout(dropout, seed=seed) if dropout > 0 else None
        self.supports_masking = True

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] "
                f"or [query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def _check_input(self, inputs):
        self._validate_inputs(inputs if isinstance(inputs, list) else
                              list(inputs) if isinstance(inputs, tuple) else inputs)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        self._validate_inputs(inputs, kwargs.get("mask"))
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, _swap_last(key)))
            return scores * self.scale if self.scale is not None else scores
        q, k = ops.expand_dims(query, -2), ops.expand_dims(key, -3)
        inner = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * ops.sum(ops.tanh(inner), axis=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        if scores_mask is not None:
            pad = np.logical_not(scores_mask)
            if pad.ndim == 2:
                pad = pad[:, None, :]
            scores = ops.where(pad, scores - np.asarray(1e9, unwrap(scores).dtype), scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self._dropout_layer is not None:
            weights = self._dropout_layer(weights, training=True)
        return ops.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = None if v_mask is None else np.asarray(unwrap(v_mask)).astype(bool)
        if use_causal_mask:
            t, s = scores.shape[-2], scores.shape[-1]
            causal = np.tril(np.ones((1, t, s), bool))
            scores_mask = causal if scores_mask is None else scores_mask[..., None, :] & causal
        out, weights = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            keep = np.asarray(unwrap(q_mask)).astype(bool)[..., None]
            out = ops.where(keep, out, np.zeros((), unwrap(out).dtype))
        if return_attention_scores:
            return out, weights
        return out

    def compute_mask(self, inputs, previous_mask):
        if not previous_mask or previous_mask[0] is None:
            return None
        return previous_mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False, **kwargs):
        from nbkeras.layers.node import KerasTensor

        shape = self.compute_output_shape([tuple(t.shape) for t in inputs])
        out = KerasTensor(shape, dtype=self.dtype)
        if return_attention_scores:
            key = inputs[2] if len(inputs) > 2 else inputs[1]
            return out, KerasTensor(tuple(inputs[0].shape[:-1]) + (key.shape[-2],),
                                    dtype=self.dtype)
        return out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                    "dropout": self.dropout, "seed": self.seed})
        return cfg


def _swap_last(x):
    n = np.ndim(unwrap(x))
    return tuple(range(n - 2)) + (n - 1, n - 2)


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores sum(scale * tanh(query + key)).

    Args:
        use_scale: learn a per-feature scale (glorot_uniform) of the tanh terms.
        dropout: the dropout rate on the attention probabilities.

    Call arguments: as in `Attention`.

    Example:
        >>> q, v = np.ones((2, 3, 4), "float32"), np.ones((2, 5, 4), "float32")
        >>> nbkeras.layers.AdditiveAttention()([q, v]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        q, k = ops.expand_dims(query, -2), ops.expand_dims(key, -3)
        t = ops.tanh(q + k)
        return ops.sum(self.scale * t if self.use_scale else t, axis=-1)

    def get_config(self):
        cfg = super().get_config()
        del cfg["score_mode"]
        return cfg

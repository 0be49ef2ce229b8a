"""`StringLookup` and `IntegerLookup`: map strings or integers to vocabulary indices."""

import numpy as np

from nbkeras.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to integer indices (or encodings) through a vocabulary.

    Index 0 is the mask token when one is set, then `num_oov_indices` out-of-vocabulary
    indices, then the vocabulary (given, or learned by `adapt`, most frequent first).

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: the number of OOV indices (1).
        mask_token: a token mapped to 0 (None).
        oov_token: the OOV token ('[UNK]').
        vocabulary: a list of strings or a file with one string a line.
        idf_weights: for output_mode 'tf_idf' with a given vocabulary.
        invert: map indices back to strings.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        pad_to_max_tokens: encode to `max_tokens` columns.
        sparse: must be False.
        encoding: the text encoding of bytes inputs ('utf-8').
        salt: a key for SipHash bucketing of OOV strings (FarmHash without it).

    Example:
        >>> lookup = nbkeras.layers.StringLookup(vocabulary=["a", "b", "c"])
        >>> lookup(np.array([["a", "c"], ["d", "b"]]))
        array([[1, 3],
               [0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary_dtype="string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens,
                         sparse=sparse, name=name, **kwargs)

    def _to_token(self, value):
        return value.decode(self.encoding) if isinstance(value, bytes) else str(value)

    def get_config(self):
        cfg = super().get_config()
        cfg["encoding"] = self.encoding
        cfg.pop("vocabulary_dtype", None)
        return cfg


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices (or encodings) through a vocabulary.

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: the number of OOV indices (1).
        mask_token: an integer mapped to 0 (None).
        oov_token: the integer that OOV indices invert to (-1).
        vocabulary: a list of integers or a file with one integer a line.
        vocabulary_dtype: 'int64' (or 'int32').
        idf_weights: for output_mode 'tf_idf' with a given vocabulary.
        invert: map indices back to integers.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        sparse: must be False.
        pad_to_max_tokens: encode to `max_tokens` columns.

    Example:
        >>> lookup = nbkeras.layers.IntegerLookup(vocabulary=[12, 36, 1138])
        >>> lookup(np.array([12, 1138, 42]))
        array([1, 3, 0])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater "
                             f"than 1. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for `IntegerLookup` must "
                             f">= 0. Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"`vocabulary_dtype` must be an integer dtype. "
                             f"Received: vocabulary_dtype={vocabulary_dtype!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=None if mask_token is None else int(mask_token),
                         oov_token=None if oov_token is None else int(oov_token),
                         vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name, **kwargs)

    def _to_token(self, value):
        return int(np.int64(value))

"""`pad_sequences`: lists of sequences to one padded array, as Keras does it."""

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (or truncate) sequences to the same length.

    Args:
        sequences: a list of sequences (lists or arrays; the elements may be scalars
            or arrays of one common shape).
        maxlen: the output length; None pads to the longest sequence.
        dtype: the output dtype (`'int32'`; use `object` or a string dtype for text).
        padding: `'pre'` or `'post'`: where the padding goes.
        truncating: `'pre'` or `'post'`: which end loses values when a sequence is
            longer than `maxlen`.
        value: the padding value.

    Returns:
        An array of shape `(len(sequences), maxlen) + element shape`.

    Example:
        >>> nbkeras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
        array([[2, 3],
               [0, 4]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable. Received: sequences={sequences!r}")
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ValueError(f"{name} type '{v}' not understood: expected 'pre' or 'post'. "
                             f"Received: {name}={v!r}")
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(f"`maxlen` must be a non-negative integer or None. Received: maxlen={maxlen!r}")
    lengths, sample_shape, found = [], (), False
    for i, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError("`sequences` must be a list of iterables. Found a non-iterable "
                             f"at index {i}. Received: {seq!r}") from None
        if not found and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
            found = True
    maxlen = int(np.max(lengths)) if maxlen is None and lengths else (maxlen or 0)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type "
                         f"{type(value)}. Use dtype=object for a string padding value. "
                         f"Received: value={value!r}")
    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        trunc = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {trunc.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {sample_shape}. "
                             f"Received: sequences[{i}] of shape {np.asarray(seq).shape}")
        if padding == "post":
            out[i, :len(trunc)] = trunc
        else:
            out[i, maxlen - len(trunc):] = trunc
    return out

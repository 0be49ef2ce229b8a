"""`keras.preprocessing.sequence`: `pad_sequences` (also `nbkeras.utils.pad_sequences`).

Example:
    >>> from nbkeras.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1, 2], [3]]).tolist()
    [[1, 2], [0, 3]]
"""

from nbkeras.utils.sequence_utils import pad_sequences  # noqa: F401

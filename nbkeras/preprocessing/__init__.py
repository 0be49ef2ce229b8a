"""`keras.preprocessing` names kept by Keras 3: `sequence.pad_sequences`.

Example:
    >>> from nbkeras.preprocessing.sequence import pad_sequences
"""

from nbkeras.preprocessing import sequence  # noqa: F401

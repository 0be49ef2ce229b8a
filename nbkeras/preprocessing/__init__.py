"""`keras.preprocessing` names kept by Keras 3: `sequence.pad_sequences` and the `image`
file helpers.

Example:
    >>> from nbkeras.preprocessing.sequence import pad_sequences
"""

from nbkeras.preprocessing import image, sequence  # noqa: F401

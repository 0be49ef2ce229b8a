"""Look-ahead over batches: batch k+1's copy to the device starts before batch k is used.

`look_ahead(batches, start, finish)` is the order every device follows; a device brings
the copy itself: `start(batch)` begins copying a batch's host arrays and returns a
handle at once, `finish(handle)` waits for that copy and returns the batch with device
arrays. On a GPU (`nbkeras.backend.cuda.transfer`) the copies run on a side CUDA stream
while the current step computes; on the CPU and under the simulator nothing is copied.

Example:
    >>> list(look_ahead(iter([1, 2, 3]), lambda b: b, lambda h: h))
    [1, 2, 3]
"""


def look_ahead(batches, start, finish):
    """Yield `finish(start(b))` for each batch b, starting b's successor before yielding b.

    Args:
        batches: an iterable of batches.
        start: start(batch) -> handle; begins the batch's copy and returns at once.
        finish: finish(handle) -> the batch on the device, once its copy is done.

    Example:
        >>> copied = []
        >>> gen = look_ahead(iter("ab"), lambda b: copied.append(b) or b, lambda h: h)
        >>> next(gen), copied
        ('a', ['a', 'b'])
    """
    it = iter(batches)
    try:
        pending = start(next(it))
    except StopIteration:
        return
    while True:
        try:
            following = start(next(it))
        except StopIteration:
            yield finish(pending)
            return
        yield finish(pending)
        pending = following


def map_arrays(batch, fn, array_type):
    """`batch` (nested tuples, lists and dicts) with `fn(a)` for each leaf of `array_type`.

    Example:
        >>> import numpy as np
        >>> map_arrays((np.ones(2), None, {"w": [np.zeros(1)]}), len, np.ndarray)
        (2, None, {'w': [1]})
    """
    if isinstance(batch, array_type):
        return fn(batch)
    if isinstance(batch, dict):
        return {k: map_arrays(v, fn, array_type) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(map_arrays(v, fn, array_type) for v in batch)
    return batch

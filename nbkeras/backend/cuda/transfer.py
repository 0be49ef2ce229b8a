"""Batch prefetch for the CUDA device: batch k+1 is copied to the GPU while step k computes.

On a GPU each batch's host arrays are staged in pinned (page-locked) host memory and
copied on a side, non-blocking CuPy stream; the step's stream waits for that copy (an
event, not a host wait) before it reads the batch, and each copy waits for the steps
queued before it started. Not yet run on a GPU (no machine this session). Under the simulator the arrays stay
NumPy arrays and nothing is copied, but the batches pass through the same look-ahead.
"""

import numpy as _np

from nbkeras.backend.cuda_check import simulated
from nbkeras.backend.prefetch import look_ahead, map_arrays


class _StreamCopier:
    """Copies host batches to the GPU on one side stream, each ended by an event."""

    def __init__(self):
        import cupy
        import cupyx

        self._cupy, self._cupyx = cupy, cupyx
        self._stream = cupy.cuda.Stream(non_blocking=True)
        self._staged = []  # pinned buffers of copies that may still run

    def _copy(self, host):
        host = _np.ascontiguousarray(host)
        pinned = self._cupyx.empty_pinned(host.shape, host.dtype)
        pinned[...] = host
        dev = self._cupy.empty(host.shape, host.dtype)
        dev.set(pinned, stream=self._stream)
        self._pinned.append(pinned)
        return dev

    def start(self, batch):
        self._pinned = []
        # The device arrays come from the step stream's memory pool, where a block freed on
        # the host may still be read by kernels queued before: the copies wait for those
        # (so batch k+2's copy overlaps step k+1, queued behind step k).
        self._stream.wait_event(self._cupy.cuda.get_current_stream().record())
        dev = map_arrays(batch, self._copy, _np.ndarray)
        event = self._stream.record()
        self._staged.append((event, self._pinned))
        return dev, event

    def finish(self, handle):
        dev, event = handle
        self._cupy.cuda.get_current_stream().wait_event(event)
        # The copies before this one are done once the step that read them was queued
        # behind their events and this event is recorded after them: free their staging.
        while len(self._staged) > 2:
            old_event, _ = self._staged.pop(0)
            old_event.synchronize()
        return dev


def prefetch(batches):
    """The batches with their host (NumPy) arrays on the device, batch k+1's copy running
    while batch k is used; nested tuples, lists and dicts keep their structure.

    Args:
        batches: an iterable of batches of NumPy arrays (and None).

    Example:
        >>> for x, y, sw in prefetch(source.epoch()):
        ...     model.train_step((x, y, sw))
    """
    if simulated():  # NumPy arrays are the device's arrays: no copy, same order
        return look_ahead(batches, lambda b: b, lambda b: b)
    copier = _StreamCopier()
    return look_ahead(batches, copier.start, copier.finish)

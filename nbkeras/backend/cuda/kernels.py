"""The CUDA device's kernels (numba.cuda launch wrappers), with the CPU kernels' names and
arguments: every name of `interface.KERNELS` (and `seed`), gathered from the modules below."""

from nbkeras.backend.cuda import (
    activations, attention, conv, gather, losses, metrics_kernels, normalization, optimizers,
    pooling, random, rnn, softmax,
)
from nbkeras.backend.interface import KERNELS as _KERNELS

__all__ = sorted(_KERNELS) + ["seed"]

_MODULES = (activations, attention, conv, gather, losses, metrics_kernels, normalization,
            optimizers, pooling, random, rnn, softmax)
for _name in __all__:
    _found = [m for m in _MODULES if _name in vars(m) and callable(vars(m)[_name])]
    if len(_found) != 1:
        raise ImportError(f"The CUDA device needs exactly one kernel named {_name!r}. "
                          f"Received: {len(_found)} definitions")
    globals()[_name] = getattr(_found[0], _name)

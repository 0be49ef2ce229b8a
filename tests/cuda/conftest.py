"""The CUDA tests run on Numba's CUDA simulator unless NBKERAS_CUDA_REAL=1 (a real GPU).

The simulator must be switched on before Numba is imported, so run this folder in its
own pytest process: `pytest tests/cuda` (the Makefile's `test` target does). In a
process that imported Numba without it, the folder is skipped with that advice.
"""

import os
import sys

REAL_GPU = os.environ.get("NBKERAS_CUDA_REAL") == "1"
if not REAL_GPU:
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

import pytest  # noqa: E402


def _simulating():
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


def pytest_collection_modifyitems(config, items):
    if REAL_GPU or _simulating():
        return
    skip = pytest.mark.skip(reason="Numba was imported before the CUDA simulator was enabled: "
                                   "run `pytest tests/cuda` in its own process")
    for item in items:
        if os.sep + "cuda" + os.sep in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def cuda_kernels():
    """The CUDA kernel module (simulated unless NBKERAS_CUDA_REAL=1)."""
    from nbkeras.backend import cuda

    return cuda


sys.path.insert(0, os.path.dirname(__file__))

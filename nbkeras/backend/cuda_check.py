"""Is the CUDA device usable here? One probe, one clear error, and the GPU's description.

The probe runs when `set_device("cuda")` is called, never at `import nbkeras`. It accepts
Numba's CUDA simulator (`NUMBA_ENABLE_CUDASIM=1`, where device arrays are NumPy arrays);
otherwise it needs the `numba-cuda` package, CuPy, an NVIDIA driver and a GPU, and says
which one is missing and how to install it.

Example:
    >>> from nbkeras.backend.cuda_check import cuda_status
    >>> cuda_status()["available"]
    False
"""

import importlib.util
import os
import sys

INSTALL = "pip install 'nbkeras[cuda]'"


class CUDAUnavailableError(ValueError, RuntimeError):
    """`set_device("cuda")` on a machine where the CUDA device cannot run (a ValueError,
    as the device registry's factories raise, and a RuntimeError: it is the machine)."""


def simulated():
    """True when Numba's CUDA simulator is on (it must be set before Numba is imported)."""
    if "numba" in sys.modules:
        from numba.core import config

        return bool(config.ENABLE_CUDASIM)
    return os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


def _probe():
    """(problem or None, device description dict)."""
    if simulated():
        return None, {"name": "Numba CUDA simulator", "memory_bytes": None,
                      "compute_capability": None, "simulator": True}
    if importlib.util.find_spec("numba_cuda") is None:
        return (f"the numba-cuda package is not installed (the CUDA kernels are compiled by it): "
                f"{INSTALL}"), {}
    try:
        import cupy
    except ImportError as e:
        return (f"CuPy is not installed (it holds the GPU arrays and runs cuBLAS): {INSTALL}, "
                f"or the CuPy wheel of your CUDA version, e.g. pip install cupy-cuda13x "
                f"({type(e).__name__}: {e})"), {}
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # CUDARuntimeError: no driver, or one too old for this CuPy
        text = str(e)
        if "InsufficientDriver" in text or "driver" in text.lower():
            return (f"no usable NVIDIA driver: install the NVIDIA driver for your GPU (CUDA 13 "
                    f"needs driver 580 or newer), or use a CuPy wheel for an older CUDA "
                    f"({text})"), {}
        return f"no NVIDIA GPU is visible ({text})", {}
    if count == 0:
        return "no NVIDIA GPU is visible (the driver reports 0 devices)", {}
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    return None, {"name": name, "memory_bytes": int(props["totalGlobalMem"]),
                  "compute_capability": f"{props['major']}.{props['minor']}", "simulator": False}


def cuda_status():
    """Describe the CUDA device: available, problem, name, memory_bytes, compute_capability.

    Example:
        >>> cuda_status()
        {'available': False, 'problem': 'CuPy is not installed ...', ...}
    """
    problem, info = _probe()
    return {"available": problem is None, "problem": problem, **info}


def check_cuda():
    """Raise `CUDAUnavailableError` naming what is missing, unless the CUDA device can run."""
    problem, _ = _probe()
    if problem is not None:
        raise CUDAUnavailableError(
            f"The CUDA device is not available: {problem}. Received: device='cuda'")


def describe():
    """One line for `%nbkeras info`: the GPU's name, memory and compute capability."""
    s = cuda_status()
    if not s["available"]:
        return f"CUDA: unavailable ({s['problem']})"
    if s["simulator"]:
        return "CUDA: Numba CUDA simulator (NumPy arrays; slow, for tests)"
    return (f"CUDA: {s['name']}, {s['memory_bytes'] / 2**30:.1f} GiB, "
            f"compute capability {s['compute_capability']}")

"""Kernel backends: the only package of nbkeras that imports Numba.

`kernels` is a lazy namespace: the first attribute access imports the active
device's kernel module (and with it Numba), so `import nbkeras` stays fast.
Every backend (`cpu`, later `cuda`) exposes the same kernel names.

Example:
    >>> from nbkeras.backend import kernels
    >>> kernels.name
    'cpu'
"""

import importlib
import os

# Numba's OpenMP pool and OpenBLAS's must not spin against each other on
# small machines (see the thread trap in the Numba recipe).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_DEVICES = ("cpu", "cuda")


class _Kernels:
    """Attribute namespace that resolves kernels from the active device."""

    def __init__(self):
        object.__setattr__(self, "_device", "cpu")
        object.__setattr__(self, "_module", None)

    def _load(self):
        from nbkeras.backend.memory import keep_freed_memory

        keep_freed_memory()
        module = importlib.import_module(f"nbkeras.backend.{self._device}")
        object.__setattr__(self, "_module", module)
        return module

    def __getattr__(self, name):
        module = self._module or self._load()
        try:
            value = getattr(module, name)
        except AttributeError:
            raise AttributeError(
                f"Backend '{self._device}' has no kernel named '{name}'."
            ) from None
        # Cache on the instance so later lookups skip __getattr__.
        object.__setattr__(self, name, value)
        return value

    def set_device(self, device):
        """Switch the device whose kernels are returned."""
        if device not in _DEVICES:
            raise ValueError(
                f"Unknown device. Expected one of {list(_DEVICES)}. "
                f"Received: device={device!r}"
            )
        for key in list(self.__dict__):
            if key not in ("_device", "_module"):
                del self.__dict__[key]
        object.__setattr__(self, "_device", device)
        object.__setattr__(self, "_module", None)

    @property
    def device(self):
        return self._device

    @property
    def loaded(self):
        """Whether the kernel module (and Numba) has been imported."""
        return self._module is not None


kernels = _Kernels()


def kernel_cache_dir():
    """Where Numba keeps nbkeras's compiled CPU kernels (`NUMBA_CACHE_DIR`, else `__pycache__`)."""
    return os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.path.dirname(__file__), "cpu", "__pycache__")


def on_kernel_compiled(callback):
    """Call `callback()` each time Numba finishes compiling a function; returns a stop function.

    Example:
        >>> stop = on_kernel_compiled(lambda: print("compiled one"))
        >>> stop()
    """
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, ev):
            pass

        def on_end(self, ev):
            callback()

    listener = _Listener()
    event.register("numba:compile", listener)
    return lambda: event.unregister("numba:compile", listener)


def kernel_cache_is_cold():
    """True when the training kernels (the fused activations) are not cached yet."""
    for _, _, files in os.walk(kernel_cache_dir()):
        if any(f.startswith("activations.") and f.endswith(".nbi") for f in files):
            return False
    return True


def get_device():
    """Return the active device name, such as `'cpu'`."""
    return kernels.device


def set_device(device):
    """Select the device that runs kernels.

    Args:
        device: `'cpu'` or `'cuda'` (an NVIDIA GPU through numba-cuda and CuPy, or
            Numba's CUDA simulator when `NUMBA_ENABLE_CUDASIM=1`).

    Raises:
        CUDAUnavailableError: for `'cuda'` when numba-cuda, CuPy, the driver or a GPU
            is missing (the message says which, and how to install it).

    Example:
        >>> from nbkeras import backend
        >>> backend.set_device("cpu")
    """
    if device == "cuda":
        from nbkeras.backend.cuda_check import check_cuda

        check_cuda()
    kernels.set_device(device)


def clear_session(free_memory=True):
    """Reset automatic layer names, as `keras.backend.clear_session()` does.

    Example:
        >>> nbkeras.backend.clear_session()
    """
    from nbkeras.utils.naming import clear_session as _clear

    _clear()


def floatx():
    """Return the default float type (see `nbkeras.config.floatx`)."""
    from nbkeras import config

    return config.floatx()


def epsilon():
    """Return the fuzz factor (see `nbkeras.config.epsilon`)."""
    from nbkeras import config

    return config.epsilon()

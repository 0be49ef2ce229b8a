"""Devices: the only package of nbkeras that imports Numba (or, later, CuPy).

A device is an object exporting exactly the names of `nbkeras.backend.interface`:
its array namespace `xp`, array primitives and kernels. Devices are registered by
name in a registry of factories; `set_device(name)` makes one active and `device()`
returns it. `kernels` (alias `active`) is a lazy namespace over the active device:
the first attribute access creates the device, so `import nbkeras` stays fast.

Plugging in a device (the CUDA backend does this in `nbkeras/backend/cuda/`):
write a module exporting `interface.NAMES` and register a factory returning it,

    register_device("cuda", lambda: importlib.import_module("nbkeras.backend.cuda"))

The factory runs on `set_device("cuda")`; it raises a clear error (a `ValueError`
naming what is missing) when the device cannot run here.

Example:
    >>> from nbkeras.backend import device, kernels
    >>> device().name, kernels.name
    ('cpu', 'cpu')
"""

import importlib


def _module(path):
    return lambda: importlib.import_module(path)


def _cuda():
    """The CUDA device, after the probe that names what is missing (numba-cuda, CuPy,
    driver, GPU); Numba's CUDA simulator also passes it."""
    from nbkeras.backend.cuda_check import check_cuda

    check_cuda()
    return importlib.import_module("nbkeras.backend.cuda")


# name -> factory() returning the device object (see `register_device`).
_FACTORIES = {"cpu": _module("nbkeras.backend.cpu"), "cuda": _cuda}
_state = {"name": "cpu", "device": None, "preload": None}


def register_device(name, factory):
    """Register a device factory under `name` (replacing one of the same name).

    Args:
        name: the device name passed to `set_device`, such as `'cuda'`.
        factory: `factory()` returning the device object (exporting
            `nbkeras.backend.interface.NAMES`); called on first use.

    Example:
        >>> register_device("cpu", lambda: importlib.import_module("nbkeras.backend.cpu"))
    """
    if not isinstance(name, str) or not callable(factory):
        raise ValueError("Expected a device name (str) and a callable factory. "
                         f"Received: name={name!r}, factory={factory!r}")
    _FACTORIES[name] = factory
    if _state["name"] == name:
        _state["device"] = None
        active._reset()


def registered_devices():
    """Names of the registered devices, such as `['cpu']`."""
    return sorted(_FACTORIES)


def device():
    """Return the active device object (created by its factory on first use).

    Example:
        >>> device().xp.__name__
        'numpy'
    """
    dev = _state["device"]
    if dev is None:
        dev = _state["device"] = _FACTORIES[_state["name"]]()
    return dev


class _ActiveDevice:
    """Attribute namespace resolving names on the active device; caches each lookup."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = getattr(device(), name)
        except AttributeError:
            raise AttributeError(
                f"Device '{_state['name']}' has no kernel named '{name}'."
            ) from None
        # Cache on the instance so later lookups skip __getattr__.
        object.__setattr__(self, name, value)
        return value

    def _reset(self):
        self.__dict__.clear()

    @property
    def device(self):
        """The active device's name."""
        return _state["name"]

    @property
    def loaded(self):
        """Whether the active device has been created."""
        return _state["device"] is not None


active = kernels = _ActiveDevice()


def preload_wanted(environ, modules):
    """Whether `import nbkeras` should preload the CPU kernels in a background thread.

    `NBKERAS_PRELOAD=1` or `0` decides; unset, it preloads inside a Jupyter (IPython)
    kernel, where the next cell comes seconds later, and not in scripts, where the thread
    would only compete for the GIL with the code that follows the import.

    Args:
        environ: the environment (`os.environ`).
        modules: the loaded modules (`sys.modules`).

    Example:
        >>> preload_wanted({"NBKERAS_PRELOAD": "1"}, {})
        True
        >>> preload_wanted({}, {})
        False
    """
    value = str(environ.get("NBKERAS_PRELOAD", "")).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return "ipykernel" in modules


def start_preload(environ=None, modules=None):
    """Start loading the CPU kernels in a daemon thread (see `preload_wanted`); returns the
    thread, or None when it is not wanted or another device is active.

    The thread imports Numba and the kernel modules and sets up Numba's CPU target, the
    0.45 s that the first `fit` of a process otherwise waits for. It starts no Numba
    import in the calling thread. An error in it is left for the first kernel call to
    raise, with its traceback.

    Args:
        environ: the environment to read `NBKERAS_PRELOAD` from (`os.environ`).
        modules: the loaded modules (`sys.modules`).

    Example:
        >>> start_preload({"NBKERAS_PRELOAD": "0"}, {}) is None
        True
    """
    import os
    import sys

    if _state["preload"] is not None:
        return _state["preload"]
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if _state["name"] != "cpu" or not preload_wanted(environ, modules):
        return None
    import threading

    def run():
        try:
            importlib.import_module("nbkeras.backend.cpu").preload()
        except Exception:  # noqa: BLE001 -- the first kernel call raises it properly
            pass

    thread = threading.Thread(target=run, name="nbkeras-preload", daemon=True)
    _state["preload"] = thread
    thread.start()
    return thread


def preload_thread():
    """The thread `start_preload` started in this process, or None."""
    return _state["preload"]


def get_device():
    """Return the active device name, such as `'cpu'`."""
    return _state["name"]


def set_device(name):
    """Select the device that runs ops and kernels.

    Args:
        name: a registered device name: `'cpu'`, or `'cuda'` (an NVIDIA GPU through
            numba-cuda and CuPy, or Numba's CUDA simulator when `NUMBA_ENABLE_CUDASIM=1`).

    Raises:
        ValueError: for an unknown name, and for `'cuda'` when numba-cuda, CuPy, the
            driver or a GPU is missing (a `CUDAUnavailableError` that says which, and
            how to install it).

    Example:
        >>> from nbkeras import backend
        >>> backend.set_device("cpu")
    """
    if name not in _FACTORIES:
        raise ValueError(
            f"Unknown device. Expected one of {registered_devices()}. "
            f"Received: device={name!r}"
        )
    if name == _state["name"] and _state["device"] is not None:
        return
    dev = _FACTORIES[name]()  # raises before anything changes when the device cannot run
    _state["name"], _state["device"] = name, dev
    active._reset()


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

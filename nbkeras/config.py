"""Global settings: the default float type, the fuzz factor, the image layout and the device.

Example:
    >>> import nbkeras
    >>> nbkeras.config.floatx()
    'float32'
"""

_FLOATX = "float32"
_EPSILON = 1e-7
_ALLOWED_FLOATX = ("float32", "float64")
_IMAGE_DATA_FORMAT = "channels_last"


def floatx():
    """Return the default float type, as a string (`'float32'` unless changed)."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type.

    Args:
        value: `'float32'` or `'float64'` (the kernels have no float16 path).

    Example:
        >>> nbkeras.config.set_floatx("float64")
    """
    global _FLOATX
    value = str(value)
    if value not in _ALLOWED_FLOATX:
        raise ValueError(
            f"Unknown `floatx` value. Expected one of {list(_ALLOWED_FLOATX)}. "
            f"Received: value={value!r}"
        )
    _FLOATX = value


def epsilon():
    """Return the fuzz factor used in numeric expressions (default 1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor used in numeric expressions.

    Args:
        value: a small float.

    Example:
        >>> nbkeras.config.set_epsilon(1e-7)
    """
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Return the default image layout, `'channels_last'` unless changed.

    Example:
        >>> nbkeras.config.image_data_format()
        'channels_last'
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Set the default image layout used when a layer's `data_format` is None.

    Args:
        data_format: `'channels_last'` or `'channels_first'`.

    Example:
        >>> nbkeras.config.set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format!r}")
    _IMAGE_DATA_FORMAT = value


def backend():
    """Return the backend name. nbkeras has one: `'numba'`."""
    return "numba"


def device():
    """Return the device that runs kernels, such as `'cpu'`."""
    from nbkeras.backend import get_device

    return get_device()


def set_device(name):
    """Select the device that runs kernels: `'cpu'` or `'cuda'` (see `backend.set_device`).

    Args:
        name: the device name.

    Example:
        >>> nbkeras.config.set_device("cpu")
    """
    from nbkeras.backend import set_device as _set

    _set(name)


def enable_unsafe_deserialization():
    """Allow loading Python bytecode stored in model files (Lambda functions) for this session.

    Example:
        >>> nbkeras.config.enable_unsafe_deserialization()
    """
    from nbkeras.saving.safe_mode import enable_unsafe_deserialization as _enable

    _enable()


_LIVE_PLOT = False


def live_plot():
    """Whether every `fit` adds a `LivePlot` callback (False unless `set_live_plot(True)`)."""
    return _LIVE_PLOT


def set_live_plot(value=True):
    """Add a `nbkeras.callbacks.LivePlot` to every `fit` (it draws only in Jupyter).

    Args:
        value: True to turn live plots on, False to turn them off.

    Example:
        >>> nbkeras.config.set_live_plot(True)
    """
    global _LIVE_PLOT
    _LIVE_PLOT = bool(value)


def enable_traceback_filtering():
    """Hide nbkeras's own frames in the tracebacks of `fit`, `evaluate`, `predict` and layer
    calls, as Keras hides its own (the default).

    Example:
        >>> nbkeras.config.enable_traceback_filtering()
    """
    from nbkeras.utils import traceback_utils

    traceback_utils.set_enabled(True)


def disable_traceback_filtering():
    """Show every frame of an error's traceback, nbkeras's own included (to debug nbkeras).

    Example:
        >>> nbkeras.config.disable_traceback_filtering()
    """
    from nbkeras.utils import traceback_utils

    traceback_utils.set_enabled(False)


def is_traceback_filtering_enabled():
    """Whether tracebacks hide nbkeras's own frames (True unless disabled).

    Example:
        >>> nbkeras.config.is_traceback_filtering_enabled()
        True
    """
    from nbkeras.utils import traceback_utils

    return traceback_utils.is_enabled()


def _env_step_replay(name="NBKERAS_STEP_REPLAY"):
    import os

    return os.environ.get(name, "1").strip().lower() not in ("0", "false", "off", "no")


_STEP_REPLAY = _env_step_replay()
_STEP_FUSED = _env_step_replay("NBKERAS_STEP_FUSED")


def step_replay():
    """Whether `fit` may replay a traced training step, and predict / evaluate a traced
    forward pass (True unless turned off).

    A model that the tracer proves static trains on a replayed plan of its step, with the
    same numbers as the tape path; `model._step_path` says which path ran and why
    (`model._predict_path` for the forward pass of inference).
    The environment variable `NBKERAS_STEP_REPLAY=0` turns it off at start-up.

    Example:
        >>> nbkeras.config.step_replay()
        True
    """
    return _STEP_REPLAY


def set_step_replay(value=True):
    """Allow (True) or forbid (False) the replayed training step and inference forward
    pass; False forces the tape path and the direct `model(x, training=False)`.

    Args:
        value: True to let `fit` replay traced steps (and predict / evaluate traced forward
            passes), False to run every step on the tape and every forward pass directly.

    Example:
        >>> nbkeras.config.set_step_replay(False)  # every step records a GradientTape
    """
    global _STEP_REPLAY
    _STEP_REPLAY = bool(value)


def step_fused():
    """Whether a replayed training step may run fused: forward, loss, backward and the
    optimizer's update in one kernel call (True unless turned off).

    The fused step computes the same numbers as the Python replay; `model._step_path`
    says `'replay (fused)'` when it ran. `NBKERAS_STEP_FUSED=0` turns it off at start-up.

    Example:
        >>> nbkeras.config.step_fused()
        True
    """
    return _STEP_FUSED


def set_step_fused(value=True):
    """Allow (True) or forbid (False) the fused training step (see `step_fused`); False
    keeps the replayed step in Python.

    Args:
        value: True to let a replayed step run as one kernel call, False to keep the
            Python replay.

    Example:
        >>> nbkeras.config.set_step_fused(False)
    """
    global _STEP_FUSED
    _STEP_FUSED = bool(value)

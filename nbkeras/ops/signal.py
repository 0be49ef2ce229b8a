"""Signal processing with Keras 3's names: the windows (`bartlett`, `blackman`, `hamming`,
`hanning`, `kaiser`), `extract_sequences`, `stft` / `istft` (as Keras's (real, imag)
pairs, with Keras's framing, centering and window padding) and `correlate`.

`extract_sequences`, `stft`, `istft` and `correlate` are built from differentiable ops
(`take`, `pad`, `rfft` / `irfft`, `matmul`), so gradients flow through them.

Example:
    >>> real, imag = ops.stft(np.ones(16, "float32"), 8, 4, 8)
    >>> real.shape
    (5, 5)
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import flip, pad
from nbkeras.ops.core import composite, unwrap
from nbkeras.ops.math import irfft, rfft

__all__ = ["bartlett", "blackman", "correlate", "extract_sequences", "hamming", "hanning",
           "istft", "kaiser", "stft"]


def _window(fn, x, *args):
    return _device.xp.asarray(fn(int(unwrap(x)), *args), dtype=config.floatx())


def bartlett(x):
    """The Bartlett (triangular) window of `x` points.

    Example:
        >>> ops.bartlett(3)
        array([0., 1., 0.], dtype=float32)
    """
    return _window(np.bartlett, x)


def blackman(x):
    """The Blackman window of `x` points.

    Example:
        >>> ops.blackman(3).shape
        (3,)
    """
    return _window(np.blackman, x)


def hamming(x):
    """The (symmetric) Hamming window of `x` points.

    Example:
        >>> ops.hamming(3)
        array([0.08, 1.  , 0.08], dtype=float32)
    """
    return _window(np.hamming, x)


def hanning(x):
    """The (symmetric) Hann window of `x` points.

    Example:
        >>> ops.hanning(3)
        array([0., 1., 0.], dtype=float32)
    """
    return _window(np.hanning, x)


def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta`.

    Example:
        >>> ops.kaiser(3, 0.0)
        array([1., 1., 1.], dtype=float32)
    """
    return _window(np.kaiser, x, float(beta))


def _frames_index(length, size, stride):
    n = 1 + (length - size) // stride
    return np.arange(n)[:, None] * stride + np.arange(size)[None, :]


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of length `sequence_length` every `sequence_stride` steps along the last axis:
    shape `(..., num_sequences, sequence_length)`.

    Example:
        >>> ops.extract_sequences(np.arange(6.0), 3, 2)
        array([[0., 1., 2.],
               [2., 3., 4.]])
    """
    def run(x):
        length = knp.shape(x)[-1]
        if length < sequence_length:
            raise ValueError("`sequence_length` must be at most the signal's length. Received: "
                             f"sequence_length={sequence_length}, x.shape={tuple(knp.shape(x))}")
        return knp.take(x, _frames_index(length, sequence_length, sequence_stride), axis=-1)

    return composite("extract_sequences", run, (x,),
                     {"sequence_length": sequence_length, "sequence_stride": sequence_stride})


def _periodic(name, n, dtype):
    k = np.arange(n)
    if name == "hann":
        w = 0.5 - 0.5 * np.cos(2 * np.pi * k / n)
    else:
        w = 0.54 - 0.46 * np.cos(2 * np.pi * k / n)
    return w.astype(dtype)


def _stft_window(window, sequence_length, fft_length, dtype):
    """The analysis window padded to fft_length (scipy's periodic 'hann' / 'hamming')."""
    l_pad = (fft_length - sequence_length) // 2
    r_pad = fft_length - sequence_length - l_pad
    if window is None:
        return np.ones(fft_length, dtype), False
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError("If a string is passed to `window`, it must be one of "
                             f'`"hann"`, `"hamming"`. Received: window={window}')
        win = _periodic(window, sequence_length, dtype)
    else:
        win = np.asarray(_device.to_numpy(unwrap(window)), dtype)
    if win.ndim != 1 or win.shape[-1] != sequence_length:
        raise ValueError("The shape of `window` must be equal to [sequence_length]. "
                         f"Received: window shape={win.shape}")
    return np.pad(win, (l_pad, r_pad)), True


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform along the last axis, as `(real, imag)` of shape
    `(..., num_sequences, fft_length // 2 + 1)`.

    Args:
        x: a float32 / float64 signal, shape `(..., length)`.
        sequence_length: the window length.
        sequence_stride: the hop between windows.
        fft_length: the FFT size (>= sequence_length; the window is centred in it).
        window: 'hann', 'hamming' (periodic), a 1-D tensor of `sequence_length`, or None.
        center: pad the signal by `fft_length // 2` on both sides (reflecting).

    Example:
        >>> ops.stft(np.ones(16, "float32"), 8, 4, 8)[0].shape
        (5, 5)
    """
    a = unwrap(x)
    dt = np.dtype(a.dtype) if hasattr(a, "dtype") else np.dtype(np.float64)
    if dt.name not in ("float32", "float64"):
        raise TypeError("Invalid input type. Expected `float32` or `float64`. "
                        f"Received: input type={dt}")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must equal or larger than `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    win, _ = _stft_window(window, sequence_length, fft_length, dt)

    def run(x):
        if center:
            widths = [[0, 0]] * (len(knp.shape(x)) - 1) + [[fft_length // 2, fft_length // 2]]
            x = pad(x, widths, mode="reflect")
        frames = extract_sequences(x, fft_length, sequence_stride)
        return rfft(knp.multiply(frames, win), fft_length=fft_length)

    cfg = {"sequence_length": sequence_length, "sequence_stride": sequence_stride,
           "fft_length": fft_length, "window": window if isinstance(window, str) or
           window is None else _device.to_numpy(unwrap(window)).tolist(), "center": center}
    return composite("stft", run, (x,), cfg)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """The inverse of `stft`: overlap-added inverse FFTs of the `(real, imag)` frames,
    normalized by the overlapping squared window, as Keras computes it.

    Args:
        x: `(real, imag)`, each of shape `(..., num_sequences, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: as given to `stft`.
        length: crop the result to this many samples.

    Example:
        >>> sig = np.random.default_rng(0).normal(size=32).astype("float32")
        >>> np.allclose(ops.istft(ops.stft(sig, 8, 2, 8), 8, 2, 8), sig, atol=1e-5)
        True
    """
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Input `x` should be a tuple of two tensors - real and imaginary. "
                         f"Received: x={x!r}")
    real = unwrap(x[0])
    shape = tuple(x[0].shape) if getattr(x[0], "_keras_symbolic", False) else np.shape(real)
    if len(shape) < 2:
        raise ValueError("Input `x` must have at least 2 dimensions. "
                         f"Received: x[0].shape={shape}")
    dt = np.dtype(getattr(real, "dtype", np.float32))
    win, windowed = _stft_window(window, sequence_length, fft_length, dt)

    def run(pair):
        frames = irfft(pair, fft_length=fft_length)  # (..., n, fft_length)
        n = knp.shape(frames)[-2]
        total = fft_length + sequence_stride * (n - 1)
        idx = _frames_index(total, fft_length, sequence_stride)  # (n, fft_length)
        place = np.zeros((n * fft_length, total), dt)
        place[np.arange(n * fft_length), idx.reshape(-1)] = 1.0
        if windowed:
            frames = knp.multiply(frames, win)
        lead = tuple(knp.shape(frames)[:-2])
        out = knp.matmul(knp.reshape(frames, lead + (n * fft_length,)), place)
        norm = np.zeros(total, dt)
        np.add.at(norm, idx.reshape(-1), np.tile(win * win, n))
        norm = np.where(norm > 1e-10, norm, 1.0).astype(dt)
        out = knp.divide(out, norm)
        # Keras divides by the window's sum, then scipy's istft multiplies it back
        start = fft_length // 2 if center else 0
        if length is not None:
            end = start + length
        elif center:
            end = total - fft_length // 2
        else:
            end = total
        return out[..., start:end]

    cfg = {"sequence_length": sequence_length, "sequence_stride": sequence_stride,
           "fft_length": fft_length, "length": length,
           "window": window if isinstance(window, str) or window is None
           else _device.to_numpy(unwrap(window)).tolist(), "center": center}
    return composite("istft", run, ((x[0], x[1]),), cfg)


def correlate(x1, x2, mode="valid"):
    """The cross-correlation of two 1-D tensors: `out[k] = sum_n x1[n + k] * x2[n]`.

    Args:
        x1, x2: 1-D tensors.
        mode: 'valid', 'same' or 'full', as NumPy.

    Example:
        >>> ops.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0]))
        array([2., 3.])
    """
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"`mode` must be 'valid', 'same' or 'full'. Received: mode={mode!r}")

    def run(a, v):
        na, nv = knp.shape(a)[0], knp.shape(v)[0]
        if len(knp.shape(a)) != 1 or len(knp.shape(v)) != 1:
            raise ValueError("`correlate` takes 1-D tensors. Received: "
                             f"x1.shape={tuple(knp.shape(a))}, x2.shape={tuple(knp.shape(v))}")
        swap = nv > na
        if swap:
            a, v, na, nv = v, a, nv, na
        if mode == "valid":
            left = right = 0
        elif mode == "full":
            left = right = nv - 1
        else:
            left, right = nv // 2, nv - 1 - nv // 2
        if left or right:
            a = pad(a, [[left, right]])
        frames = knp.take(a, _frames_index(na + left + right, nv, 1), axis=0)
        out = knp.matmul(frames, v)
        return flip(out, axis=0) if swap else out

    return composite("correlate", run, (x1, x2), {"mode": mode})

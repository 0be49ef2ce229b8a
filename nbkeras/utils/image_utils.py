"""Image files and arrays with Keras's names: `load_img`, `img_to_array`, `array_to_img`,
`save_img` (through Pillow, which matplotlib brings)."""

import io
import pathlib
import warnings

import numpy as np

from nbkeras import config

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow ships with matplotlib
        raise ImportError("Could not import PIL.Image. The image utilities require Pillow "
                          "(pip install pillow). Received: ImportError") from e
    return Image


def _data_format(data_format):
    from nbkeras.layers.preprocessing.base import standardize_data_format

    return standardize_data_format(data_format)


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Convert a 3-D array (height, width, channels) into a Pillow image.

    Args:
        x: the array; 1, 3 or 4 channels (grayscale, RGB, RGBA).
        data_format: 'channels_last' (default) or 'channels_first'.
        scale: rescale the values to [0, 255] (min to 0, max to 255).
        dtype: the dtype the array is read as (floatx by default).

    Example:
        >>> img = nbkeras.utils.array_to_img(np.random.rand(8, 8, 3))
        >>> img.size
        (8, 8)
    """
    Image = _pil()
    x = np.array(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). "
                         f"Received: x.shape={x.shape}")
    if _data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}. Expected 1, 3 or 4. "
                     f"Received: x.shape={x.shape}")


def img_to_array(img, data_format=None, dtype=None):
    """Convert a Pillow image into a 3-D float array (height, width, channels).

    Args:
        img: a Pillow image.
        data_format: 'channels_last' (default) or 'channels_first'.
        dtype: the array's dtype (floatx by default).

    Example:
        >>> nbkeras.utils.img_to_array(nbkeras.utils.array_to_img(np.ones((4, 5, 3)))).shape
        (4, 5, 3)
    """
    x = np.asarray(img, dtype=dtype or config.floatx())
    first = _data_format(data_format) == "channels_first"
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if first else x
    if x.ndim == 2:
        return x.reshape((1,) + x.shape) if first else x.reshape(x.shape + (1,))
    raise ValueError(f"Unsupported image shape: {x.shape}. Expected a 2-D or 3-D image. "
                     f"Received: img of shape {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save a 3-D array as an image file (the format from the extension by default).

    Args:
        path: the file path (or a file object with `file_format`).
        x: the array.
        data_format: 'channels_last' (default) or 'channels_first'.
        file_format: e.g. 'png' or 'jpeg'.
        scale: rescale the values to [0, 255].
        **kwargs: passed to Pillow's `Image.save`.

    Example:
        >>> nbkeras.utils.save_img("out.png", np.random.rand(8, 8, 3))
    """
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format or None, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Load an image file into a Pillow image.

    Args:
        path: a path (str or pathlib.Path) or an `io.BytesIO`.
        color_mode: 'rgb' (default), 'rgba' or 'grayscale'.
        target_size: None, or (height, width) to resize to.
        interpolation: 'nearest' (default), 'bilinear', 'bicubic', 'hamming', 'box' or
            'lanczos'.
        keep_aspect_ratio: crop the centered window of the target's aspect ratio first.

    Example:
        >>> img = nbkeras.utils.load_img("cat.png", target_size=(64, 64))
        >>> x = nbkeras.utils.img_to_array(img)
    """
    Image = _pil()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}. "
                        f"Received: path={path!r}")
    modes = {"grayscale": ("L", ("L", "I;16", "I")), "rgba": ("RGBA", ("RGBA",)),
             "rgb": ("RGB", ("RGB",))}
    if color_mode not in modes:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba". '
                         f"Received: color_mode={color_mode!r}")
    mode, keep = modes[color_mode]
    if img.mode not in keep:
        img = img.convert(mode)
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            if interpolation not in _RESAMPLING:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. "
                                 f"Supported methods are {', '.join(_RESAMPLING)}. "
                                 f"Received: interpolation={interpolation!r}")
            resample = getattr(Image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                width, height = img.size
                tw, th = width_height
                crop_h = min(height, (width * th) // tw)
                crop_w = min(width, (height * tw) // th)
                top, left = (height - crop_h) // 2, (width - crop_w) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize(width_height, resample)
    return img

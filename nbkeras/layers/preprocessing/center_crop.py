"""`CenterCrop`: the central (height, width) window of each image."""

from nbkeras import ops
from nbkeras.layers.preprocessing.base import image_axes
from nbkeras.layers.preprocessing.resizing import Resizing, crop, resize_images


class CenterCrop(Resizing):
    """Crops the central `(height, width)` window; smaller images are resized instead
    (cropped to the target's aspect ratio first, as Keras's `smart_resize` does).

    Args:
        height, width: the output size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> nbkeras.layers.CenterCrop(2, 2)(np.ones((1, 4, 4, 3), "float32")).shape
        (1, 2, 2, 3)
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(height, width, data_format=data_format, **kwargs)

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        shape = ops.shape(x)
        axes = image_axes(shape, self.data_format, self.name)
        dh, dw = shape[axes[0]] - self.height, shape[axes[1]] - self.width
        if dh >= 0 and dw >= 0:
            return crop(x, axes, dh // 2, dw // 2, self.height, self.width)
        return resize_images(x, (self.height, self.width), axes, self.data_format,
                             crop_to_aspect_ratio=True)

    def get_config(self):
        cfg = super().get_config()
        keep = ("name", "trainable", "dtype", "height", "width", "data_format")
        return {k: v for k, v in cfg.items() if k in keep or k == "activity_regularizer"}

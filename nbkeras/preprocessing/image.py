"""`keras.preprocessing.image` names kept by Keras 3: the image file and array helpers.

Example:
    >>> from nbkeras.preprocessing.image import img_to_array, load_img
"""

from nbkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401

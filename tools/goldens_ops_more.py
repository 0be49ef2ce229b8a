"""Golden group 'ops_more': linear algebra, NaN reductions, NumPy's long tail, scatter and
the extra nn ops of keras.ops on fixed inputs, recorded like group 'ops_extra' (its case
format and helpers). tests/test_parity_ops_more.py replays each case at rtol 1e-4;
cases marked `sign` hold eigen/singular vectors, compared up to each column's sign.
"""

import numpy as np

from goldens_common import Recorder, keras_meta, to_np
from goldens_ops_extra import _arg, _call, _flat

RNG = np.random.RandomState(11)


def f(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype("float32")


A = f(3, 3) + 3 * np.eye(3, dtype="float32")
AB = f(2, 3, 3) + 3 * np.eye(3, dtype="float32")
_M = f(2, 3, 3)
SPD = (_M @ _M.transpose(0, 2, 1) + 2 * np.eye(3)).astype("float32")
RECT = f(4, 3)
WIDE = f(2, 3, 5)
B = f(3)
BM = f(2, 3, 2)
X = f(3, 4)
X3 = f(2, 3, 4)
NANX = X.copy()
NANX[0, 1] = NANX[2, 3] = NANX[1, 0] = np.nan
INT = RNG.randint(0, 64, (3, 4)).astype("int32")
INT2 = RNG.randint(0, 5, (3, 4)).astype("int32")
LOW = np.tril(A)
UP = np.triu(A)

CASES = [
    # linear algebra
    ("inv", "inv", [AB], {}),
    ("det", "det", [AB], {}),
    ("logdet", "logdet", [SPD], {}),
    ("solve-vector", "solve", [A, B], {}),
    ("solve-batch", "solve", [AB, BM], {}),
    ("solve_triangular-lower", "solve_triangular", [LOW, f(3, 2)], {"lower": True}),
    ("solve_triangular-upper", "solve_triangular", [UP, B], {}),
    ("cholesky", "cholesky", [SPD], {}),
    ("cholesky-upper", "cholesky", [SPD], {"upper": True}),
    ("cholesky_inverse", "cholesky_inverse", [np.linalg.cholesky(SPD[0]).astype("float32")], {}),
    ("svd-values", "svd", [WIDE], {"compute_uv": False}),
    ("svd", "svd", [RECT], {"full_matrices": False}, False, True),
    ("svd-full", "svd", [RECT], {}, False, True),
    ("eigh", "eigh", [SPD], {}, False, True),
    ("qr", "qr", [RECT], {}, False, True),
    ("qr-complete", "qr", [RECT], {"mode": "complete"}, False, True),
    ("lu_factor", "lu_factor", [AB], {}),
    ("lu_factor-rect", "lu_factor", [RECT], {}),
    ("pinv", "pinv", [RECT], {}),
    ("pinv-batch", "pinv", [WIDE], {}),
    ("lstsq", "lstsq", [RECT, f(4)], {}),
    ("lstsq-matrix", "lstsq", [RECT, f(4, 2)], {}),
    ("matrix_rank", "matrix_rank", [np.array([[1.0, 2.0], [2.0, 4.0]], "float32")], {}),
    ("matrix_rank-batch", "matrix_rank", [WIDE], {}),
    ("norm-nuc", "norm", [X], {"ord": "nuc"}),
    ("norm-2", "norm", [X3], {"ord": 2, "axis": (1, 2)}),
    ("norm--2", "norm", [X3], {"ord": -2, "axis": (-1, -2), "keepdims": True}),
    # NaN reductions
    ("nansum", "nansum", [NANX], {"axis": 1}),
    ("nansum-all", "nansum", [NANX], {}),
    ("nanmean", "nanmean", [NANX], {"axis": 0}),
    ("nanmax", "nanmax", [NANX], {"axis": 1, "keepdims": True}),
    ("nanmin", "nanmin", [NANX], {}),
    ("nanprod", "nanprod", [NANX], {"axis": 1}),
    ("nanvar", "nanvar", [NANX], {"axis": 1}),
    ("nanstd", "nanstd", [NANX], {"axis": 0}),
    ("nancumsum", "nancumsum", [NANX], {"axis": 1}),
    ("nancumprod", "nancumprod", [NANX], {}),
    ("nanargmax", "nanargmax", [NANX], {"axis": 1}),
    ("nanargmin", "nanargmin", [NANX], {"axis": 0}),
    ("nanmedian", "nanmedian", [NANX], {"axis": 1}),
    ("nanquantile", "nanquantile", [NANX, 0.3], {"axis": 1}),
    ("nanpercentile", "nanpercentile", [NANX, 75.0], {"axis": 0}),
    # NumPy's long tail
    ("append", "append", [X, f(2, 4)], {"axis": 0}),
    ("append-flat", "append", [X, f(3)], {}),
    ("diff", "diff", [X3], {}),
    ("diff-2", "diff", [X3], {"n": 2, "axis": 1}),
    ("kron", "kron", [f(2, 3), f(3, 2)], {}),
    ("cross", "cross", [f(4, 3), f(4, 3)], {}),
    ("cross-axis", "cross", [f(3, 4), f(3, 4)], {"axisa": 0, "axisb": 0, "axisc": 0}),
    ("rot90", "rot90", [X3], {"k": 1, "axes": (1, 2)}),
    ("rot90-3", "rot90", [X], {"k": 3}),
    ("rot90-neg", "rot90", [X], {"k": -2}),
    ("average", "average", [X], {"axis": 1, "weights": f(4, lo=0.5, hi=2.0)}),
    ("average-all", "average", [X], {}),
    ("ptp", "ptp", [X3], {"axis": 1}),
    ("select", "select", [[X > 1, X < -1], [X * 2, X * 3]], {"default": 0.5}),
    ("logspace", "logspace", [0.0, 2.0], {"num": 5}),
    ("logspace-base", "logspace", [1.0, 3.0], {"num": 4, "base": 2, "endpoint": False}),
    ("geomspace", "geomspace", [1.0, 1000.0], {"num": 4}),
    ("searchsorted", "searchsorted", [np.sort(f(6)), f(5)], {}),
    ("searchsorted-right", "searchsorted", [np.array([0.0, 1.0, 1.0, 2.0], "float32"),
                                            np.array([1.0, 0.5, 2.0], "float32")],
     {"side": "right"}),
    ("digitize", "digitize", [X, np.array([-1.0, 0.0, 1.0], "float32")], {}),
    ("bincount", "bincount", [INT2.reshape(-1)], {}),
    ("bincount-weights", "bincount", [INT2.reshape(-1)],
     {"weights": f(12), "minlength": 7}),
    ("bincount-2d", "bincount", [INT2], {"minlength": 6}),
    ("histogram", "histogram", [f(20)], {"bins": 5}),
    ("histogram-range", "histogram", [f(20)], {"bins": 4, "range": (-1.0, 1.0)}),
    ("unique", "unique", [INT2.reshape(-1)], {}),
    ("unique-all", "unique", [INT2.reshape(-1)],
     {"return_index": True, "return_inverse": True, "return_counts": True}),
    ("isin", "isin", [INT2, np.array([1, 3], "int32")], {}),
    ("isin-invert", "isin", [INT2, np.array([1, 3], "int32")], {"invert": True}),
    ("bitwise_and", "bitwise_and", [INT, INT2], {}),
    ("bitwise_or", "bitwise_or", [INT, INT2], {}),
    ("bitwise_xor", "bitwise_xor", [INT, INT2], {}),
    ("bitwise_invert", "bitwise_invert", [INT], {}),
    ("bitwise_not", "bitwise_not", [INT], {}),
    ("left_shift", "left_shift", [INT, INT2], {}),
    ("bitwise_left_shift", "bitwise_left_shift", [INT, INT2], {}),
    ("right_shift", "right_shift", [INT, INT2], {}),
    ("bitwise_right_shift", "bitwise_right_shift", [INT, INT2], {}),
    ("inner", "inner", [X, f(2, 4)], {}),
    ("vdot", "vdot", [X, f(3, 4)], {}),
    ("dstack", "dstack", [[X, f(3, 4)]], {}),
    ("diagflat", "diagflat", [f(2, 2)], {"k": 1}),
    ("trapezoid", "trapezoid", [X], {}),
    ("trapezoid-x", "trapezoid", [X], {"x": np.cumsum(f(4, lo=0.1, hi=1.0))}),
    ("trapezoid-dx", "trapezoid", [X3], {"dx": 0.5, "axis": 1}),
    ("vander", "vander", [f(4)], {"N": 3}),
    ("vander-inc", "vander", [f(3)], {"increasing": True}),
    ("corrcoef", "corrcoef", [f(3, 6)], {}),
    ("sinc", "sinc", [np.array([0.0, 0.25, -1.5, 2.0], "float32")], {}),
    ("deg2rad", "deg2rad", [X * 90], {}),
    ("rad2deg", "rad2deg", [X], {}),
    ("logaddexp2", "logaddexp2", [X, f(4)], {}),
    ("heaviside", "heaviside", [np.array([-1.0, 0.0, 2.0, 0.0], "float32"),
                                np.array([0.5, 0.3, 0.2, 0.1], "float32")], {}),
    ("fmax", "fmax", [NANX, X[::-1]], {}),
    ("fmin", "fmin", [NANX, X[::-1]], {}),
    ("fmod", "fmod", [X * 3, np.float32(1.3)], {}),
    ("gcd", "gcd", [INT, INT2 + 1], {}),
    ("lcm", "lcm", [INT2 + 1, INT2 + 2], {}),
    ("fliplr", "fliplr", [X3], {}),
    ("flipud", "flipud", [X3], {}),
    ("array_split", "array_split", [f(7, 2)], {"indices_or_sections": 3}),
    ("hsplit", "hsplit", [X], {"indices_or_sections": 2}),
    ("vsplit", "vsplit", [f(4, 3)], {"indices_or_sections": [1, 3]}),
    ("dsplit", "dsplit", [X3.reshape(1, 6, 4)], {"indices_or_sections": 2}),
    ("allclose", "allclose", [X, X + 1e-6], {}),
    ("isneginf", "isneginf", [np.array([-np.inf, np.inf, 1.0, np.nan], "float32")], {}),
    ("isposinf", "isposinf", [np.array([-np.inf, np.inf, 1.0, np.nan], "float32")], {}),
    ("signbit", "signbit", [np.array([-1.0, 0.0, -0.0, 2.0], "float32")], {}),
    ("unravel_index", "unravel_index", [np.array([0, 5, 11], "int32"), (3, 4)], {}),
    # scatter, segments, math
    ("scatter", "scatter", [np.array([[0, 1], [2, 0], [0, 1]], "int32"), f(3), (3, 2)], {}),
    ("scatter-rows", "scatter", [np.array([[1], [3]], "int32"), f(2, 3), (4, 3)], {}),
    ("scatter_update", "scatter_update", [X, np.array([[0, 1], [2, 3]], "int32"), f(2)], {}),
    ("scatter_update-rows", "scatter_update", [X, np.array([[1]], "int32"), f(1, 4)], {}),
    ("scatter_update-add", "scatter_update", [X, np.array([[0, 1], [0, 1]], "int32"), f(2)],
     {"reduction": "add"}),
    ("segment_min", "segment_min", [f(6, 3), np.array([0, 0, 1, 2, 2, 2], "int32")],
     {"num_segments": 3}),
    ("segment_prod", "segment_prod", [f(5, 2), np.array([1, 0, 0, 1, 3], "int32")],
     {"num_segments": 4}),
    ("erfc", "erfc", [f(3, 4, lo=-3.0, hi=3.0)], {}),
    ("in_top_k", "in_top_k", [np.array([0, 2, 3], "int32"), X], {"k": 2}),
    ("cdist", "cdist", [f(3, 4), f(5, 4)], {}),
    # nn
    ("celu", "celu", [X], {}),
    ("celu-alpha", "celu", [X], {"alpha": 0.5}),
    ("glu", "glu", [X3], {}),
    ("glu-axis", "glu", [f(2, 4, 3)], {"axis": 1}),
    ("log_sigmoid", "log_sigmoid", [X * 10], {}),
    ("hard_shrink", "hard_shrink", [X], {}),
    ("hard_shrink-t", "hard_shrink", [X], {"threshold": 1.0}),
    ("soft_shrink", "soft_shrink", [X], {}),
    ("soft_shrink-t", "soft_shrink", [X], {"threshold": 1.2}),
    ("tanh_shrink", "tanh_shrink", [X], {}),
    ("hard_tanh", "hard_tanh", [X], {}),
    ("sparse_plus", "sparse_plus", [X], {}),
    ("sparse_sigmoid", "sparse_sigmoid", [X], {}),
    ("squareplus", "squareplus", [X], {}),
    ("squareplus-b", "squareplus", [X], {"b": 1}),
    ("threshold", "threshold", [X, 0.3, -2.0], {}),
    ("sparsemax", "sparsemax", [X], {}),
    ("sparsemax-axis", "sparsemax", [X3], {"axis": 1}),
    ("psnr", "psnr", [f(2, 4, 4, 1, lo=0.0, hi=1.0), f(2, 4, 4, 1, lo=0.0, hi=1.0)],
     {"max_val": 1.0}),
    ("normalize", "normalize", [X], {}),
    ("normalize-order1", "normalize", [X3], {"axis": 1, "order": 1}),
    ("layer_normalization", "layer_normalization", [X3], {}),
    ("layer_normalization-affine", "layer_normalization", [X3, f(4), f(4)], {}),
    ("layer_normalization-axes", "layer_normalization", [X3], {"axis": (1, 2),
                                                               "epsilon": 0.01}),
    ("layer_normalization-rms", "layer_normalization", [X3, f(4)], {"rms_scaling": True}),
    ("rms_normalization", "rms_normalization", [X3], {}),
    ("rms_normalization-scale", "rms_normalization", [X3, f(4)], {"epsilon": 0.1}),
    # convolutions
    ("depthwise_conv", "depthwise_conv", [f(2, 6, 5, 3), f(3, 3, 3, 2)], {}),
    ("depthwise_conv-same", "depthwise_conv", [f(2, 6, 5, 3), f(3, 2, 3, 1)],
     {"strides": 2, "padding": "same"}),
    ("depthwise_conv-1d-dilated", "depthwise_conv", [f(2, 9, 2), f(3, 2, 2)],
     {"dilation_rate": 2}),
    ("depthwise_conv-cf", "depthwise_conv", [f(2, 3, 6, 5), f(3, 3, 3, 1)],
     {"data_format": "channels_first"}),
    ("separable_conv", "separable_conv", [f(2, 6, 5, 3), f(3, 3, 3, 2), f(1, 1, 6, 4)], {}),
    ("separable_conv-same", "separable_conv", [f(2, 7, 3), f(3, 3, 1), f(1, 3, 5)],
     {"padding": "same", "strides": 2}),
    ("conv_transpose", "conv_transpose", [f(2, 3, 4, 3), f(3, 3, 5, 3)], {"strides": 2}),
    ("conv_transpose-same", "conv_transpose", [f(2, 3, 4, 3), f(3, 2, 2, 3)],
     {"strides": 2, "padding": "same"}),
    ("conv_transpose-outpad", "conv_transpose", [f(1, 3, 3, 2), f(3, 3, 2, 2)],
     {"strides": 2, "output_padding": 1}),
    ("conv_transpose-1d", "conv_transpose", [f(2, 5, 3), f(3, 4, 3)], {"strides": 2}),
    ("conv_transpose-3d", "conv_transpose", [f(1, 2, 3, 3, 2), f(2, 2, 2, 3, 2)],
     {"strides": (1, 2, 2), "padding": "same"}),
    ("conv_transpose-cf", "conv_transpose", [f(2, 3, 4, 4), f(3, 3, 2, 3)],
     {"strides": 2, "data_format": "channels_first"}),
    # signal
    ("bartlett", "bartlett", [7], {}),
    ("blackman", "blackman", [6], {}),
    ("hamming", "hamming", [5], {}),
    ("hanning", "hanning", [6], {}),
    ("kaiser", "kaiser", [6, 3.5], {}),
    ("extract_sequences", "extract_sequences", [f(2, 11)], {"sequence_length": 4,
                                                          "sequence_stride": 3}),
    ("stft", "stft", [f(2, 32)], {"sequence_length": 8, "sequence_stride": 4,
                                  "fft_length": 8}),
    ("stft-hamming", "stft", [f(30)], {"sequence_length": 6, "sequence_stride": 3,
                                       "fft_length": 10, "window": "hamming",
                                       "center": False}),
    ("stft-nowindow", "stft", [f(2, 20)], {"sequence_length": 5, "sequence_stride": 2,
                                           "fft_length": 8, "window": None}),
    ("istft", "istft", [f(2, 9, 5), f(2, 9, 5)], {"sequence_length": 8, "sequence_stride": 4,
                                                   "fft_length": 8}, True),
    ("istft-length", "istft", [f(7, 6), f(7, 6)], {"sequence_length": 8, "sequence_stride": 3,
                                                   "fft_length": 10, "length": 20,
                                                   "window": "hamming", "center": False},
     True),
    ("correlate", "correlate", [f(7), f(3)], {}),
    ("correlate-same", "correlate", [f(7), f(4)], {"mode": "same"}),
    ("correlate-full", "correlate", [f(3), f(5)], {"mode": "full"}),
    # small ops
    ("get_item", "get_item", [X3, 1], {}),
    ("saturate_cast", "saturate_cast", [X * 200], {"dtype": "uint8"}),
    ("saturate_cast-int", "saturate_cast", [np.array([1e10, -1e10, 3.7], "float32")],
     {"dtype": "int32"}),
    ("multi_hot", "multi_hot", [INT2], {"num_classes": 5}),
    ("multi_hot-1d", "multi_hot", [INT2[0]], {"num_classes": 6}),
    ("depth_to_space", "depth_to_space", [f(2, 2, 3, 8)], {"block_size": 2}),
    ("depth_to_space-cf", "depth_to_space", [f(2, 8, 2, 3)],
     {"block_size": 2, "data_format": "channels_first"}),
    ("space_to_depth", "space_to_depth", [f(2, 4, 6, 3)], {"block_size": 2}),
    ("space_to_depth-cf", "space_to_depth", [f(2, 3, 4, 6)],
     {"block_size": 2, "data_format": "channels_first"}),
    ("ldexp", "ldexp", [X, INT2], {}),
    ("nextafter", "nextafter", [X, np.zeros_like(X)], {}),
    ("erfinv", "erfinv", [f(3, 4, lo=-0.99, hi=0.99)], {}),
    ("i0", "i0", [X], {}),
    ("real", "real", [X], {}),
    ("imag", "imag", [X], {}),
    ("conj", "conj", [X], {}),
    ("conjugate", "conjugate", [X], {}),
    ("angle", "angle", [X], {}),
    ("isreal", "isreal", [X], {}),
    ("slogdet", "slogdet", [AB], {}),
    ("fabs", "fabs", [X], {}),
    ("fabs-int", "fabs", [INT2 - 2], {}),
    ("view", "view", [X], {"dtype": "int32"}),
    ("view_as_real", "view_as_real", [(X + 1j * X[::-1]).astype("complex64")], {}),
    ("view_as_complex", "view_as_complex", [f(3, 2)], {}),
    ("polar", "polar", [f(4, lo=0.1, hi=2.0), f(4)], {}),
    # adaptive pooling
    ("adaptive_average_pool", "adaptive_average_pool", [f(2, 7, 5, 3)], {"output_size": 3}),
    ("adaptive_average_pool-1d", "adaptive_average_pool", [f(2, 10, 2)], {"output_size": 4}),
    ("adaptive_average_pool-cf", "adaptive_average_pool", [f(2, 3, 6, 5)],
     {"output_size": (4, 2), "data_format": "channels_first"}),
    ("adaptive_average_pool-3d", "adaptive_average_pool", [f(1, 5, 4, 6, 2)],
     {"output_size": (2, 3, 4)}),
    ("adaptive_max_pool", "adaptive_max_pool", [f(2, 7, 5, 3)], {"output_size": 3}),
    ("adaptive_max_pool-1d", "adaptive_max_pool", [f(2, 11, 2)], {"output_size": 5}),
    ("adaptive_max_pool-up", "adaptive_max_pool", [f(1, 3, 3, 1)], {"output_size": 5}),
    ("unfold", "unfold", [f(2, 3, 5, 4)], {"kernel_size": 2}),
    ("unfold-strided", "unfold", [f(1, 2, 7, 6)], {"kernel_size": (3, 2), "dilation": (1, 2),
                                                   "padding": 1, "stride": 2}),
    ("fold", "fold", [f(2, 12, 12)], {"output_size": (5, 4), "kernel_size": 2}),
    ("fold-strided", "fold", [f(1, 12, 12)], {"output_size": (7, 6), "kernel_size": (3, 2),
                                              "dilation": (1, 2), "padding": 1, "stride": 2}),
    # image
    ("rgb_to_grayscale", "image.rgb_to_grayscale", [f(2, 4, 5, 3, lo=0.0, hi=1.0)], {}),
    ("rgb_to_grayscale-cf", "image.rgb_to_grayscale", [f(3, 4, 5, lo=0.0, hi=1.0)],
     {"data_format": "channels_first"}),
    ("rgb_to_hsv", "image.rgb_to_hsv", [f(2, 4, 5, 3, lo=0.0, hi=1.0)], {}),
    ("rgb_to_hsv-cf", "image.rgb_to_hsv", [np.array([[[1.0, 0.0, 0.2, 0.5]], [[0.0, 1.0, 0.2,
                                                                              0.5]],
                                                     [[0.0, 0.0, 0.9, 0.5]]], "float32")],
     {"data_format": "channels_first"}),
    ("hsv_to_rgb", "image.hsv_to_rgb", [f(2, 4, 5, 3, lo=0.0, hi=1.0)], {}),
    ("pad_images", "image.pad_images", [f(2, 3, 4, 2)], {"top_padding": 1, "left_padding": 2,
                                                         "target_height": 6,
                                                         "target_width": 7}),
    ("pad_images-cf", "image.pad_images", [f(2, 3, 4)], {"bottom_padding": 2,
                                                         "right_padding": 1,
                                                         "target_height": 6,
                                                         "target_width": 6,
                                                         "data_format": "channels_first"}),
    ("crop_images", "image.crop_images", [f(2, 6, 7, 2)], {"top_cropping": 1,
                                                           "left_cropping": 2,
                                                           "target_height": 3,
                                                           "target_width": 4}),
    ("crop_images-bottom", "image.crop_images", [f(6, 7, 2)], {"top_cropping": 1,
                                                               "bottom_cropping": 2,
                                                               "left_cropping": 1,
                                                               "right_cropping": 3}),
    # (data_format given: Keras 3.15's eager gaussian_blur reads data_format=None as
    # channels_first; its functional-model node reads the config's channels_last)
    ("gaussian_blur", "image.gaussian_blur", [f(2, 6, 5, 3)], {"data_format": "channels_last"}),
    ("gaussian_blur-wide", "image.gaussian_blur", [f(6, 7, 2)],
     {"kernel_size": (5, 3), "sigma": (1.5, 0.7), "data_format": "channels_last"}),
    ("gaussian_blur-cf", "image.gaussian_blur", [f(2, 3, 6, 5)],
     {"kernel_size": (3, 5), "sigma": (0.8, 2.0), "data_format": "channels_first"}),
    # CTC
    ("ctc_loss", "ctc_loss", [np.array([[1, 2, 2], [3, 1, 0]], "int32"), f(2, 8, 5),
                              np.array([3, 2], "int32"), np.array([8, 6], "int32")], {}),
    ("ctc_loss-blank", "ctc_loss", [np.array([[0, 2], [1, 1]], "int32"), f(2, 6, 4),
                                    np.array([2, 2], "int32"), np.array([6, 5], "int32")],
     {"mask_index": 3}),
    ("ctc_decode", "ctc_decode", [np.log(np.abs(f(3, 7, 4)) + 0.05),
                                  np.array([7, 5, 3], "int32")], {}),
    ("ctc_decode-nomerge", "ctc_decode", [np.log(np.abs(f(2, 6, 3)) + 0.05),
                                          np.array([6, 6], "int32")],
     {"merge_repeated": False, "mask_index": 2}),
]


def _kw(rec, cid, kwargs):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            out[k] = {"key": rec.arr(cid, f"kw_{k}", v, dtype=v.dtype)}
        else:
            out[k] = {"value": list(v) if isinstance(v, tuple) else v}
    return out


def generate(keras):
    rec = Recorder("ops_more", keras_meta())
    for spec in CASES:
        cid, name, args, kwargs = spec[:4]
        pair = len(spec) > 4 and spec[4]
        sign = len(spec) > 5 and spec[5]
        outs = _flat(_call(keras, name, args, kwargs, pair))
        rec.case({"id": cid, "op": name, "sign": bool(sign), "pair": bool(pair),
                  "args": [_arg(rec, cid, f"arg{i}", a) for i, a in enumerate(args)],
                  "kwargs": _kw(rec, cid, kwargs),
                  "outputs": [rec.arr(cid, f"out{i}", to_np(o)) for i, o in enumerate(outs)],
                  "dtypes": [str(np.asarray(o).dtype) for o in outs]})
    # argpartition: Keras's order within each side differs per backend; record the input
    # and kth, and the sorted value at kth (the test checks the partition property).
    xs = f(3, 7)
    idx = np.asarray(keras.ops.argpartition(xs, 3, axis=-1))
    rec.case({"id": "argpartition", "x": rec.arr("argpartition", "x", xs), "kth": 3,
              "kth_values": rec.arr("argpartition", "kth_values",
                                    np.take_along_axis(xs, idx, -1)[:, 3]),
              "dtype": str(idx.dtype)})
    # Errors Keras raises (type and a fragment of its message).
    errors = []
    for cid, call in [
        ("inv-rank", lambda: keras.ops.inv(np.ones(3, "float32"))),
        ("inv-square", lambda: keras.ops.inv(np.ones((2, 3), "float32"))),
        ("cholesky-notpd", lambda: keras.ops.cholesky(-np.eye(2, dtype="float32"))),
        ("qr-mode", lambda: keras.ops.qr(RECT, mode="bogus")),
        ("glu-odd", lambda: keras.ops.glu(np.ones((2, 3), "float32"))),
        ("normalize-order", lambda: keras.ops.normalize(X, order=0)),
        ("psnr-shape", lambda: keras.ops.psnr(X, X3, 1.0)),
        ("searchsorted-2d", lambda: keras.ops.searchsorted(X, X)),
    ]:
        try:
            call()
            errors.append({"id": cid, "error": None})
        except Exception as e:  # noqa: BLE001 -- the type is what is recorded
            errors.append({"id": cid, "error": type(e).__name__})
    rec.case({"id": "errors", "errors": errors})
    # Eager control: vectorized_map, vectorize, switch.
    vm = keras.ops.vectorized_map(lambda r: keras.ops.sum(r * r), X)
    vb = f(4)
    vz = keras.ops.vectorize(lambda a, b: a * 2.0 + b)(X, vb)
    asc = keras.ops.associative_scan(lambda a, b: a * b, X, axis=1)
    ascr = keras.ops.associative_scan(lambda a, b: keras.ops.maximum(a, b), X, reverse=True)
    sw = [keras.ops.switch(i, [lambda v: v + 1.0, lambda v: v * 10.0], X) for i in (0, 1, 5)]
    rec.case({"id": "control", "x": rec.arr("control", "x", X),
              "vectorized_map": rec.arr("control", "vm", to_np(vm)),
              "vectorize": rec.arr("control", "vz", to_np(vz)), "b": rec.arr("control", "b", vb),
              "switch": [rec.arr("control", f"sw{i}", to_np(v)) for i, v in enumerate(sw)],
              "associative_scan": rec.arr("control", "asc", to_np(asc)),
              "associative_scan_reverse": rec.arr("control", "ascr", to_np(ascr)),
              "dtype": keras.ops.dtype(X), "is_tensor": [bool(keras.ops.is_tensor(X)),
                                                        bool(keras.ops.is_tensor([1.0]))]})
    return rec.save()

"""Layers with Keras 3's names, arguments and defaults.

Example:
    >>> from nbkeras.layers import Dense, Dropout
    >>> Dense(16, activation="relu")
"""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.activations.elu import ELU
from nbkeras.layers.activations.leaky_relu import LeakyReLU
from nbkeras.layers.activations.prelu import PReLU
from nbkeras.layers.activations.relu import ReLU
from nbkeras.layers.activations.softmax import Softmax
from nbkeras.layers.attention.attention import AdditiveAttention, Attention
from nbkeras.layers.attention.multi_head_attention import MultiHeadAttention
from nbkeras.layers.core.dense import Dense
from nbkeras.layers.core.einsum_dense import EinsumDense
from nbkeras.layers.core.embedding import Embedding
from nbkeras.layers.core.identity import Identity
from nbkeras.layers.core.masking import Masking
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.core.input_layer import Input, InputLayer
from nbkeras.layers.core.lambda_layer import Lambda
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.merging.concatenate import Concatenate, concatenate
from nbkeras.layers.merging.dot import Dot, dot
from nbkeras.layers.merging.merges import (
    Add, Average, Maximum, Minimum, Multiply, Subtract, add, average, maximum, minimum, multiply,
    subtract,
)
from nbkeras.layers.normalization.batch_normalization import BatchNormalization
from nbkeras.layers.normalization.layer_normalization import (
    GroupNormalization, LayerNormalization, UnitNormalization,
)
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.layers.regularization.noise import (
    ActivityRegularization, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
)
from nbkeras.layers.reshaping.flatten import Flatten
from nbkeras.layers.reshaping.reshape import Reshape
from nbkeras.layers.rnn.bidirectional import Bidirectional
from nbkeras.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from nbkeras.layers.rnn.gru import GRU
from nbkeras.layers.rnn.gru_cell import GRUCell
from nbkeras.layers.rnn.lstm import LSTM
from nbkeras.layers.rnn.lstm_cell import LSTMCell
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.layers.rnn.simple_rnn import SimpleRNN
from nbkeras.layers.rnn.simple_rnn_cell import SimpleRNNCell
from nbkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from nbkeras.layers.rnn.time_distributed import TimeDistributed
from nbkeras.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from nbkeras.layers.convolutional.conv_transpose import (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
)
from nbkeras.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from nbkeras.layers.convolutional.separable_conv import SeparableConv1D, SeparableConv2D
from nbkeras.layers.pooling.pooling import (
    AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D, GlobalMaxPooling2D,
    GlobalMaxPooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D,
)
from nbkeras.layers.preprocessing.affine_layers import RandomRotation, RandomTranslation, RandomZoom
from nbkeras.layers.preprocessing.category_encoding import CategoryEncoding
from nbkeras.layers.preprocessing.center_crop import CenterCrop
from nbkeras.layers.preprocessing.color_layers import RandomBrightness, RandomContrast
from nbkeras.layers.preprocessing.discretization import Discretization
from nbkeras.layers.preprocessing.hashing import Hashing
from nbkeras.layers.preprocessing.normalization import Normalization
from nbkeras.layers.preprocessing.random_crop import RandomCrop
from nbkeras.layers.preprocessing.random_flip import RandomFlip
from nbkeras.layers.preprocessing.rescaling import Rescaling
from nbkeras.layers.preprocessing.resizing import Resizing
from nbkeras.layers.preprocessing.string_lookup import IntegerLookup, StringLookup
from nbkeras.layers.preprocessing.text_vectorization import TextVectorization
from nbkeras.layers.reshaping.cropping1d import Cropping1D
from nbkeras.layers.reshaping.cropping2d import Cropping2D, Cropping3D
from nbkeras.layers.reshaping.permute import Permute
from nbkeras.layers.reshaping.repeat_vector import RepeatVector
from nbkeras.layers.reshaping.up_sampling1d import UpSampling1D
from nbkeras.layers.reshaping.up_sampling2d import UpSampling2D
from nbkeras.layers.reshaping.up_sampling3d import UpSampling3D
from nbkeras.layers.reshaping.zero_padding1d import ZeroPadding1D
from nbkeras.layers.reshaping.zero_padding2d import ZeroPadding2D, ZeroPadding3D

# Keras 3's other names of the same classes (serialization writes the class's own name).
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D

__all__ = ["Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense", "Dot",
           "Dropout", "Flatten", "Input", "InputLayer", "InputSpec", "Lambda", "Layer", "Maximum",
           "Minimum", "Multiply", "Reshape", "Subtract", "add", "average", "concatenate", "dot",
           "maximum", "minimum", "multiply", "subtract", "serialize", "deserialize", "get"]
__all__ += ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
__all__ += ["Bidirectional", "Embedding", "GRU", "LSTM", "Masking", "SimpleRNN", "TimeDistributed",
            "RNN", "GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells"]
__all__ += ["ActivityRegularization", "GaussianDropout", "GaussianNoise", "GroupNormalization",
            "LayerNormalization", "SpatialDropout1D", "SpatialDropout2D", "UnitNormalization"]
__all__ += ["AveragePooling1D", "AveragePooling2D", "Conv1D", "Conv2D", "Conv2DTranspose",
            "Cropping2D", "DepthwiseConv2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
            "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPooling1D", "MaxPooling2D", "Permute",
            "RepeatVector", "SeparableConv2D", "UpSampling2D", "ZeroPadding2D"]
__all__ += ["Conv1DTranspose", "Cropping1D", "DepthwiseConv1D", "Identity", "SeparableConv1D",
            "UpSampling1D", "ZeroPadding1D"]
__all__ += ["CategoryEncoding", "CenterCrop", "Discretization", "Hashing", "IntegerLookup",
            "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
            "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
            "StringLookup", "TextVectorization"]
__all__ += ["AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
            "Convolution2DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
            "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D", "SeparableConvolution1D",
            "SeparableConvolution2D"]
__all__ += ["AveragePooling3D", "Conv3D", "Conv3DTranspose", "Cropping3D",
            "GlobalAveragePooling3D", "GlobalMaxPooling3D", "MaxPooling3D", "UpSampling3D",
            "ZeroPadding3D", "AvgPool3D", "Convolution3D", "Convolution3DTranspose",
            "GlobalAvgPool3D", "GlobalMaxPool3D", "MaxPool3D", "ConvLSTM1D", "ConvLSTM2D",
            "ConvLSTM3D", "Wrapper", "AdditiveAttention", "Attention", "EinsumDense",
            "MultiHeadAttention"]


def _classes():
    """{class name: class} of the public layers (aliases such as `MaxPool2D` left out)."""
    import nbkeras.layers as mod

    return {name: getattr(mod, name) for name in __all__
            if isinstance(getattr(mod, name, None), type) and issubclass(getattr(mod, name), Layer)
            and getattr(mod, name).__name__ == name}


def serialize(layer):
    """Return Keras 3's `{'module', 'class_name', 'config', 'registered_name', ...}` dict.

    Example:
        >>> nbkeras.layers.serialize(nbkeras.layers.Dense(2))["module"]
        'keras.layers'
    """
    from nbkeras.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Create a layer from `serialize`'s dict (Keras 3's or Keras 2's form).

    Args:
        config: the dict.
        custom_objects: `{name: class}` for custom layers.
    """
    from nbkeras.saving.serialization import deserialize_keras_object

    layer = deserialize_keras_object(config, custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(f"The config does not describe a layer. Received: {config!r}")
    return layer


get = deserialize

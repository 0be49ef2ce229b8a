"""Group 'layers3d': the 3-D convolution, pooling and reshaping layers and the ConvLSTMs.

Recorded from real Keras 3 with the helpers of goldens_conv.py: forward cases (set
weights, outputs, configs), Keras's alias names, and 3 SGD steps of two small models.
"""

from goldens_common import Recorder, keras_meta
from goldens_conv import record_aliases, record_forward, record_training

FORWARD = [
    ("conv3d_valid", "Conv3D", {"filters": 3, "kernel_size": 2}, (2, 3, 4, 5, 2)),
    ("conv3d_same_s2", "Conv3D", {"filters": 2, "kernel_size": (3, 2, 3), "strides": 2,
                                  "padding": "same", "activation": "relu"}, (2, 5, 4, 5, 2)),
    ("conv3d_dil_cf", "Conv3D", {"filters": 2, "kernel_size": 2, "dilation_rate": (1, 2, 2),
                                 "data_format": "channels_first"}, (1, 2, 3, 5, 5)),
    ("conv3d_groups", "Conv3D", {"filters": 4, "kernel_size": 2, "groups": 2,
                                 "use_bias": False}, (1, 3, 3, 3, 4)),
    ("convT3d_valid_s2", "Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2},
     (1, 2, 3, 2, 3)),
    ("convT3d_same_outpad", "Conv3DTranspose", {"filters": 3, "kernel_size": 2, "strides": 2,
                                                "padding": "same", "output_padding": 1},
     (2, 2, 2, 3, 2)),
    ("convT3d_cf", "Conv3DTranspose", {"filters": 2, "kernel_size": (2, 3, 2),
                                       "data_format": "channels_first"}, (1, 3, 2, 3, 2)),
    ("maxpool3d", "MaxPooling3D", {}, (2, 4, 5, 4, 2)),
    ("maxpool3d_same", "MaxPooling3D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (1, 5, 4, 5, 2)),
    ("maxpool3d_cf", "MaxPooling3D", {"pool_size": (1, 2, 2), "data_format": "channels_first"},
     (1, 2, 3, 4, 4)),
    ("avgpool3d", "AveragePooling3D", {"pool_size": 2}, (2, 4, 4, 5, 2)),
    ("avgpool3d_same", "AveragePooling3D", {"pool_size": 3, "strides": (1, 2, 2),
                                            "padding": "same"}, (1, 3, 5, 4, 2)),
    ("gmaxpool3d", "GlobalMaxPooling3D", {}, (2, 2, 3, 4, 3)),
    ("gavgpool3d_keep_cf", "GlobalAveragePooling3D", {"keepdims": True,
                                                      "data_format": "channels_first"},
     (2, 3, 2, 3, 4)),
    ("upsampling3d", "UpSampling3D", {}, (1, 2, 3, 2, 2)),
    ("upsampling3d_cf", "UpSampling3D", {"size": (1, 3, 2), "data_format": "channels_first"},
     (1, 2, 2, 2, 3)),
    ("zeropad3d", "ZeroPadding3D", {}, (1, 2, 3, 2, 2)),
    ("zeropad3d_asym_cf", "ZeroPadding3D", {"padding": [[1, 0], [0, 2], 1],
                                            "data_format": "channels_first"}, (1, 2, 2, 3, 2)),
    ("cropping3d", "Cropping3D", {}, (1, 4, 5, 4, 2)),
    ("cropping3d_asym", "Cropping3D", {"cropping": [[1, 0], [0, 2], [1, 1]]}, (1, 4, 5, 4, 2)),
    ("convlstm2d_same", "ConvLSTM2D", {"filters": 3, "kernel_size": 3, "padding": "same"},
     (2, 3, 5, 5, 2)),
    ("convlstm2d_seq_state", "ConvLSTM2D", {"filters": 2, "kernel_size": (2, 3),
                                            "return_sequences": True, "return_state": True},
     (2, 4, 4, 5, 2)),
    ("convlstm2d_back_s2_cf", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "strides": 2,
                                             "go_backwards": True, "padding": "same",
                                             "data_format": "channels_first",
                                             "return_sequences": True}, (1, 3, 2, 5, 6)),
    ("convlstm2d_relu_nobias", "ConvLSTM2D", {"filters": 2, "kernel_size": 2,
                                              "activation": "relu", "use_bias": False,
                                              "recurrent_activation": "hard_sigmoid",
                                              "dilation_rate": 2}, (1, 3, 5, 5, 1)),
    ("convlstm1d", "ConvLSTM1D", {"filters": 3, "kernel_size": 3, "return_sequences": True},
     (2, 4, 7, 2)),
    ("convlstm1d_same_cf", "ConvLSTM1D", {"filters": 2, "kernel_size": 2, "padding": "same",
                                          "data_format": "channels_first"}, (2, 3, 2, 6)),
    ("convlstm3d", "ConvLSTM3D", {"filters": 2, "kernel_size": 2, "padding": "same"},
     (1, 2, 3, 3, 3, 1)),
    ("bidirectional_convlstm2d", "Bidirectional",
     {"layer": {"class": "ConvLSTM2D", "kwargs": {"filters": 2, "kernel_size": 3,
                                                  "padding": "same",
                                                  "return_sequences": True}}},
     (2, 3, 4, 4, 2)),
    ("bidirectional_convlstm2d_sum", "Bidirectional",
     {"merge_mode": "sum",
      "layer": {"class": "ConvLSTM2D", "kwargs": {"filters": 2, "kernel_size": 2}}},
     (1, 3, 4, 4, 1)),
]

ALIASES = ["AvgPool3D", "Convolution3D", "Convolution3DTranspose", "GlobalAvgPool3D",
           "GlobalMaxPool3D", "MaxPool3D"]

MODELS = {
    "cnn3d": [
        ("Conv3D", {"filters": 3, "kernel_size": 2, "activation": "relu"}),
        ("MaxPooling3D", {"pool_size": (1, 2, 2)}),
        ("Conv3DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2}),
        ("ZeroPadding3D", {"padding": 1}),
        ("Cropping3D", {"cropping": (0, 1, 1)}),
        ("UpSampling3D", {"size": (1, 1, 2)}),
        ("AveragePooling3D", {"pool_size": 2}),
        ("GlobalAveragePooling3D", {}),
        ("Dense", {"units": 3, "activation": "softmax"}),
    ],
    "convlstm2d_classifier": [
        ("ConvLSTM2D", {"filters": 3, "kernel_size": 3, "padding": "same",
                        "return_sequences": True}),
        ("ConvLSTM2D", {"filters": 2, "kernel_size": 2}),
        ("GlobalMaxPooling2D", {}),
        ("Dense", {"units": 3, "activation": "softmax"}),
    ],
}
INPUT_SHAPES = {"cnn3d": (3, 6, 6, 2), "convlstm2d_classifier": (3, 5, 5, 2)}


def generate(keras):
    rec = Recorder("layers3d", keras_meta())
    record_forward(rec, keras, FORWARD)
    record_aliases(rec, keras, ALIASES)
    for cid, spec in MODELS.items():
        record_training(rec, keras, {cid: spec}, INPUT_SHAPES[cid])
    rec.save()

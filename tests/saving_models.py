"""Models covering every nbkeras layer type, for the saving tests and fixtures.

Each builder takes the `keras` module, so the same architecture is built by
real Keras (tools/make_saving_fixtures.py) and by nbkeras (the tests).
"""

import numpy as np


def mlp(k):
    """Sequential: Dense (regularized, constrained), BatchNormalization, Dropout, softmax head."""
    model = k.Sequential([
        k.Input((4,)),
        k.layers.Dense(6, activation="relu", kernel_regularizer=k.regularizers.L2(0.01),
                       kernel_constraint=k.constraints.MaxNorm(3.0)),
        k.layers.BatchNormalization(momentum=0.9),
        k.layers.Dropout(0.25, seed=1),
        k.layers.Dense(3, activation="softmax"),
    ], name="mlp")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def all_layers(k):
    """Functional, two inputs and two outputs, with every merge, activation and reshape layer."""
    L = k.layers
    a, b = k.Input((4,), name="in_a"), k.Input((4,), name="in_b")
    x = L.Dense(4, activation="tanh", name="da")(a)
    y = L.Dense(4, name="db")(b)
    merged = [L.Add()([x, y]), L.Subtract()([x, y]), L.Multiply()([x, y]),
              L.Average()([x, y]), L.Maximum()([x, y]), L.Minimum()([x, y])]
    c = L.Concatenate()(merged)
    c = L.Concatenate(axis=1)([c, L.Dot(axes=1, normalize=True)([x, y])])
    c = L.BatchNormalization()(c)
    c = L.PReLU(alpha_initializer=k.initializers.Constant(0.2))(c)
    c = L.ELU(alpha=0.7)(c)
    c = L.LeakyReLU(negative_slope=0.1)(c)
    c = L.ReLU(max_value=6.0)(c)
    c = L.Reshape((5, 5))(c)
    c = L.Flatten()(c)
    c = L.Dropout(0.1)(c)
    c = L.Activation("sigmoid")(c)
    c = L.Lambda(lambda t: t * 2.0 - 1.0)(c)
    probs = L.Softmax(name="probs")(L.Dense(3, name="logits")(c))
    value = L.Dense(1, name="value")(c)
    model = k.Model([a, b], [probs, value], name="all_layers")
    model.compile(optimizer=k.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss=["categorical_crossentropy", "mean_squared_error"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], ["mean_absolute_error"]])
    return model


def nested(k):
    """A Sequential in a Functional model in a Sequential, and a layer shared by two inputs."""
    inner = k.Sequential([k.Input((5,)), k.layers.Dense(4, activation="relu"),
                          k.layers.BatchNormalization()], name="inner")
    shared = k.layers.Dense(5, name="shared")
    p, q = k.Input((5,), name="p"), k.Input((5,), name="q")
    mid_in = k.Input((5,), name="mid_in")
    mid = k.Model(mid_in, k.layers.Dense(3, name="mid_dense")(inner(mid_in)), name="mid")
    both = k.layers.Add()([shared(p), shared(q)])
    model = k.Model([p, q], k.layers.Dense(2, name="head")(mid(both)), name="nested")
    model.compile(optimizer=k.optimizers.RMSprop(learning_rate=0.01), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def nested_sequential(k):
    """A Functional model as a layer of a Sequential model."""
    i = k.Input((3,), name="fi")
    block = k.Model(i, k.layers.Dense(4, activation="relu", name="fd")(i), name="block")
    model = k.Sequential([k.Input((3,)), block, k.layers.Dense(2, name="out")], name="outer")
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


def conv_layers(k):
    """Functional: every convolution, pooling and spatial reshaping layer."""
    L = k.layers
    i = k.Input((8, 8, 2), name="img")
    x = L.ZeroPadding2D(1)(i)
    x = L.Conv2D(4, 3, activation="relu")(x)
    x = L.SeparableConv2D(4, 3, padding="same", depth_multiplier=2)(x)
    x = L.DepthwiseConv2D(2, activation="tanh")(x)
    x = L.Conv2DTranspose(3, 2, strides=2)(x)
    x = L.Cropping2D(((1, 0), (0, 1)))(x)
    x = L.MaxPooling2D()(x)
    x = L.AveragePooling2D(2, padding="same")(x)
    x = L.UpSampling2D()(x)
    x = L.Concatenate()([L.GlobalMaxPooling2D()(x), L.GlobalAveragePooling2D()(x)])
    s = L.Permute((2, 1))(L.RepeatVector(4)(x))
    s = L.Conv1D(3, 2, padding="causal")(s)
    s = L.MaxPooling1D(2, padding="same")(s)
    s = L.AveragePooling1D(2, strides=1)(s)
    s = L.Concatenate()([L.GlobalMaxPooling1D()(s), L.GlobalAveragePooling1D()(s)])
    model = k.Model(i, L.Dense(3, activation="softmax")(s), name="conv_layers")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def rnn_layers(k):
    """Sequential (its config holds no mask ops): Embedding(mask_zero) -> Bidirectional(LSTM)
    -> TimeDistributed -> Masking -> LSTM -> SimpleRNN -> GRU (masks flow through each), then the normalization and
    noise layers."""
    L = k.layers
    model = k.Sequential([
        k.Input((6,), dtype="int32"),
        L.Embedding(7, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="concat"),
        L.TimeDistributed(L.Dense(4)),
        L.Masking(),
        L.LSTM(3, return_sequences=True, go_backwards=True),
        L.SimpleRNN(3, return_sequences=True),
        L.GRU(3, reset_after=False),
        L.Dense(4),
        L.Reshape((2, 2)),
        L.SpatialDropout1D(0.1),
        L.Reshape((1, 2, 2)),
        L.SpatialDropout2D(0.1),
        L.Flatten(),
        L.LayerNormalization(),
        L.GroupNormalization(groups=2),
        L.UnitNormalization(),
        L.GaussianNoise(0.05),
        L.GaussianDropout(0.1),
        L.ActivityRegularization(l2=0.01),
        L.Dense(3, activation="softmax"),
    ], name="rnn_layers")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def conv1d_layers(k):
    """Functional: the 1-D convolution and reshaping layers and Identity, built partly with
    Keras's alias names (Convolution1D, MaxPool1D, ...), which save as the canonical class."""
    L = k.layers
    i = k.Input((10, 3), name="seq")
    x = L.ZeroPadding1D((1, 2))(i)
    x = L.Convolution1D(4, 3, activation="relu")(x)
    x = L.SeparableConvolution1D(4, 3, padding="same", depth_multiplier=2)(x)
    x = L.DepthwiseConv1D(2, activation="tanh")(x)
    x = L.Convolution1DTranspose(3, 2, strides=2)(x)
    x = L.Cropping1D((1, 3))(x)
    x = L.MaxPool1D()(x)
    x = L.UpSampling1D(2)(x)
    x = L.Identity()(x)
    x = L.AvgPool1D(2)(x)
    x = L.Concatenate()([L.GlobalMaxPool1D()(x), L.GlobalAvgPool1D()(x)])
    model = k.Model(i, L.Dense(3, activation="softmax")(x), name="conv1d_layers")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def layers3d(k):
    """Functional: the 3-D convolution, pooling and reshaping layers, and ConvLSTM1D/2D/3D
    (one inside Bidirectional) running over the volume's depth as time."""
    L = k.layers
    i = k.Input((4, 6, 6, 2), name="volume")
    x = L.ZeroPadding3D(1)(i)
    x = L.Conv3D(3, 3, activation="relu")(x)
    x = L.Conv3DTranspose(2, 2, strides=2)(x)
    x = L.Cropping3D(((1, 1), (2, 2), (2, 2)))(x)
    x = L.MaxPooling3D()(x)
    x = L.UpSampling3D((1, 2, 2))(x)
    x = L.AveragePooling3D(2, padding="same")(x)
    pooled = L.Concatenate()([L.GlobalMaxPooling3D()(x), L.GlobalAveragePooling3D()(x)])
    s = L.ConvLSTM2D(2, 2, padding="same", return_sequences=True)(x)
    s = L.Flatten()(L.Bidirectional(L.ConvLSTM2D(2, 2))(s))
    t = L.Flatten()(L.ConvLSTM1D(2, 3)(L.Reshape((2, 16, 2))(x)))
    u = L.Flatten()(L.ConvLSTM3D(1, 2, padding="same")(L.Reshape((2, 2, 2, 4, 2))(x)))
    out = L.Dense(3, activation="softmax")(L.Concatenate()([pooled, s, t, u]))
    model = k.Model(i, out, name="layers3d")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def attention_layers(k):
    """Functional, two inputs: Embedding(mask_zero) -> causal self-attention (the mask flows
    in), cross MultiHeadAttention, Attention, AdditiveAttention and EinsumDense."""
    L = k.layers
    tokens = k.Input((6,), dtype="int32", name="tokens")
    memory = k.Input((5, 8), name="memory")
    x = L.Embedding(9, 8, mask_zero=True)(tokens)
    a = L.MultiHeadAttention(2, 4, name="self_attention")(x, x, use_causal_mask=True)
    b = L.MultiHeadAttention(2, 3, output_shape=6)(a, memory)
    c = L.Attention(use_scale=True)([a, memory])
    d = L.AdditiveAttention()([a, memory])
    e = L.EinsumDense("abc,cd->abd", output_shape=(6, 4), bias_axes="d",
                      activation="relu")(L.Concatenate()([b, c, d]))
    out = L.Dense(3, activation="softmax")(L.Flatten()(e))
    model = k.Model([tokens, memory], out, name="attention_layers")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


_MINIMAL_CELLS = {}


def minimal_rnn_cell_class(k):
    """The custom cell of Keras's RNN guide (registered), for Keras or nbkeras as `k`."""
    if k.__name__ not in _MINIMAL_CELLS:
        @k.saving.register_keras_serializable(package="saving_models")
        class MinimalRNNCell(k.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.state_size = units

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                              initializer="uniform", name="kernel")
                self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                        initializer="uniform",
                                                        name="recurrent_kernel")

            def call(self, inputs, states):
                prev_output = states[0]
                h = k.ops.matmul(inputs, self.kernel)
                output = k.ops.tanh(h + k.ops.matmul(prev_output, self.recurrent_kernel))
                return output, [output]

            def get_config(self):
                return {**super().get_config(), "units": self.units}

        _MINIMAL_CELLS[k.__name__] = MinimalRNNCell
    return _MINIMAL_CELLS[k.__name__]


def rnn_cells(k):
    """RNN over built-in cells, a stack of cells, and a custom registered cell."""
    L = k.layers
    model = k.Sequential([
        k.Input((5, 3)),
        L.RNN(L.LSTMCell(4), return_sequences=True),
        L.RNN([L.GRUCell(3), L.SimpleRNNCell(2, activation="relu")], return_sequences=True),
        L.RNN(k.layers.StackedRNNCells([L.LSTMCell(2), L.LSTMCell(2)]), return_sequences=True),
        L.RNN(minimal_rnn_cell_class(k)(3), go_backwards=True),
        L.Dense(2),
    ], name="rnn_cells")
    model.compile(optimizer=k.optimizers.RMSprop(learning_rate=0.01), loss="mean_squared_error")
    return model


BUILDERS = {"mlp": mlp, "all_layers": all_layers, "nested": nested,
            "nested_sequential": nested_sequential}
BUILDERS["conv_layers"] = conv_layers
BUILDERS["rnn_layers"] = rnn_layers
BUILDERS["conv1d_layers"] = conv1d_layers
BUILDERS["rnn_cells"] = rnn_cells
BUILDERS["layers3d"] = layers3d
BUILDERS["attention_layers"] = attention_layers
LAMBDA_MODELS = ("all_layers",)


def data(name, n=16, seed=0):
    """Inputs and targets for a model built by `BUILDERS[name]`."""
    rng = np.random.default_rng(seed)
    if name == "mlp":
        x = rng.normal(size=(n, 4)).astype("float32")
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
        return x, y
    if name == "all_layers":
        x = [rng.normal(size=(n, 4)).astype("float32") for _ in range(2)]
        y = [np.eye(3, dtype="float32")[rng.integers(0, 3, n)],
             rng.normal(size=(n, 1)).astype("float32")]
        return x, y
    if name == "conv_layers":
        x = rng.normal(size=(n, 8, 8, 2)).astype("float32")
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "rnn_layers":
        x = rng.integers(0, 7, size=(n, 6)).astype("int32")
        x[::3, 4:] = 0
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "conv1d_layers":
        x = rng.normal(size=(n, 10, 3)).astype("float32")
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "attention_layers":
        tokens = rng.integers(1, 9, size=(n, 6)).astype("int32")
        tokens[::3, 4:] = 0
        x = [tokens, rng.normal(size=(n, 5, 8)).astype("float32")]
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "layers3d":
        x = rng.normal(size=(n, 4, 6, 6, 2)).astype("float32")
        return x, np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    if name == "rnn_cells":
        return rng.normal(size=(n, 5, 3)).astype("float32"), rng.normal(size=(n, 2)).astype("float32")
    if name == "nested":
        x = [rng.normal(size=(n, 5)).astype("float32") for _ in range(2)]
        return x, rng.normal(size=(n, 2)).astype("float32")
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, rng.normal(size=(n, 2)).astype("float32")


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]

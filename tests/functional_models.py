"""Functional-model builders shared by tools/goldens_functional.py (run with real Keras)
and tests/test_parity_functional.py (run with nbkeras). Each takes the `keras` module."""


def _two_inputs(k, merge):
    a, b = k.Input((4,), name="a"), k.Input((4,), name="b")
    x = k.layers.Dense(3, activation="tanh")(a)
    y = k.layers.Dense(3, activation="sigmoid")(b)
    return k.Model([a, b], k.layers.Dense(2)(merge(k, x, y)))


MERGES = {
    "add": lambda k, x, y: k.layers.Add()([x, y]),
    "subtract": lambda k, x, y: k.layers.Subtract()([x, y]),
    "multiply": lambda k, x, y: k.layers.Multiply()([x, y]),
    "average": lambda k, x, y: k.layers.Average()([x, y]),
    "maximum": lambda k, x, y: k.layers.Maximum()([x, y]),
    "minimum": lambda k, x, y: k.layers.Minimum()([x, y]),
    "concatenate": lambda k, x, y: k.layers.Concatenate()([x, y]),
    "concatenate_fn": lambda k, x, y: k.layers.concatenate([x, y], axis=1),
    "dot": lambda k, x, y: k.layers.Dot(axes=1)([x, y]),
    "dot_normalize": lambda k, x, y: k.layers.Dot(axes=1, normalize=True)([x, y]),
    "add_fn": lambda k, x, y: k.layers.add([x, y]),
}


def merge_model(k, name):
    """A two-input model whose branches meet in the named merge."""
    return _two_inputs(k, MERGES[name])


def two_output_model(k):
    """The tutorial's shape of model: one trunk, two named sigmoid heads."""
    inp = k.Input((6,))
    x = k.layers.Dense(8, activation="relu")(inp)
    o1 = k.layers.Dense(1, activation="sigmoid", name="dense_1")(x)
    o2 = k.layers.Dense(1, activation="sigmoid", name="dense_2")(x)
    return k.Model(inp, [o1, o2])


def two_output_compile(k):
    return dict(optimizer=k.optimizers.SGD(learning_rate=0.1),
                loss={"dense_1": "binary_crossentropy", "dense_2": "mse"},
                loss_weights={"dense_1": 0.25, "dense_2": 0.75},
                metrics={"dense_1": "accuracy", "dense_2": "mae"})


def nested_model(k):
    """A Sequential inside a functional model inside a Sequential."""
    inner = k.Sequential([k.Input((5,)), k.layers.Dense(4, activation="relu")])
    inp = k.Input((5,))
    mid = k.Model(inp, k.layers.Dense(3)(inner(inp)))
    return k.Sequential([k.Input((5,)), mid, k.layers.Activation("softmax")])


def shared_layer_model(k):
    """One Dense applied to two inputs, then averaged."""
    shared = k.layers.Dense(3, activation="relu")
    a, b = k.Input((4,)), k.Input((4,))
    return k.Model([a, b], k.layers.Average()([shared(a), shared(b)]))


def seq2seq_model(k):
    """Encoder-decoder: the encoder LSTM's final states start the decoder LSTM
    (`initial_state=` given symbolic tensors), as in Keras's seq2seq tutorial."""
    enc_in = k.Input(shape=(None, 4))
    _, h, c = k.layers.LSTM(6, return_state=True)(enc_in)
    dec_in = k.Input(shape=(None, 3))
    seq = k.layers.LSTM(6, return_sequences=True)(dec_in, initial_state=[h, c])
    gru_seq = k.layers.GRU(6, return_sequences=True)(seq, initial_state=h)
    out = k.layers.Dense(3, activation="softmax")(gru_seq)
    return k.Model([enc_in, dec_in], out)

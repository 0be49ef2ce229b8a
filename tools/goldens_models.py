"""Model / optimizer / loss specs shared by the training and summary groups.

Specs use nbkeras's public Keras-3 spelling; build_model / build_loss are
mirrored in the tests, keras3_optimizer translates Keras-2 optimizer
spellings to their exact Keras-3 equivalent for recording.
"""

import numpy as np

F = np.float32

IN6 = {"class": "Input", "kwargs": {"shape": [6]}}


def D(units, activation=None, **kw):
    kw = dict(units=units, **kw)
    if activation is not None:
        kw["activation"] = activation
    return {"class": "Dense", "kwargs": kw}


CAT_MODEL = [IN6, D(8, "relu"), D(3, "softmax")]
LOGIT_MODEL = [IN6, D(8, "relu"), D(3)]
BIN_MODEL = [IN6, D(8, "relu"), D(1, "sigmoid")]
REG_MODEL = [IN6, D(8, "tanh"), D(1)]
BN_MODEL = [IN6, D(8), {"class": "BatchNormalization", "kwargs": {}},
            {"class": "Activation", "kwargs": {"activation": "relu"}},
            D(3, "softmax")]
TUTORIAL_MODEL = [D(16, input_dim=20),
                  {"class": "Activation", "kwargs": {"activation": "relu"}},
                  D(1)]
TUTORIAL_BN_MODEL = [D(16, input_dim=20),
                     {"class": "BatchNormalization", "kwargs": {}},
                     {"class": "Activation", "kwargs": {"activation": "relu"}},
                     D(1)]


def build_model(keras, layer_specs, build="list"):
    """Mirrored in tests/parity_goldens.build_sequential (the tests never import tools/)."""
    objs = []
    for spec in layer_specs:
        if spec["class"] == "Input":
            objs.append(keras.Input(shape=tuple(spec["kwargs"]["shape"])))
        else:
            objs.append(getattr(keras.layers, spec["class"])(**spec["kwargs"]))
    if build == "add":
        model = keras.Sequential()
        for o in objs:
            model.add(o)
        return model
    return keras.Sequential(objs)


def keras3_optimizer(keras, spec):
    """nbkeras / Keras-2 optimizer spelling -> real Keras 3 optimizer."""
    if isinstance(spec, str):
        return spec
    kw = dict(spec["kwargs"])
    lr = kw.pop("lr", None)
    if lr is not None:
        kw["learning_rate"] = lr
    decay = kw.pop("decay", 0.0)
    if "epsilon" in kw and kw["epsilon"] is None:
        kw["epsilon"] = 1e-7  # Keras 2 epsilon=None meant backend epsilon
    if decay:
        # Keras 2: lr_t = lr / (1 + decay * iterations)
        kw["learning_rate"] = keras.optimizers.schedules.InverseTimeDecay(
            kw.get("learning_rate", 0.01 if spec["class"] == "SGD" else 0.001),
            decay_steps=1, decay_rate=decay)
    return getattr(keras.optimizers, spec["class"])(**kw)


def build_loss(keras, spec):
    if isinstance(spec, str):
        return spec
    if "function" in spec:
        return getattr(keras.losses, spec["function"])
    return getattr(keras.losses, spec["class"])(**spec.get("kwargs", {}))


def opt(cls, **kw):
    return {"class": cls, "kwargs": kw}


class Data:
    def __init__(self):
        rng = np.random.RandomState(2024)
        self.x = rng.randn(12, 6).astype(F)
        self.labels = np.array([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2], np.int64)
        self.y_cat = np.eye(3, dtype=F)[self.labels]
        self.y_bin = np.array([[1], [0], [0], [1], [1], [0], [1], [1], [0],
                               [0], [1], [0]], F)
        self.y_reg = (self.x[:, :1] * 0.7 - self.x[:, 1:2] * 0.3 + 0.2).astype(F)
        self.sw = np.array([1, 2, 0.5, 1, 0, 3, 1, 1, 2, 0.5, 1, 1], F)
        self.xv = rng.randn(5, 6).astype(F)
        self.lv = np.array([2, 0, 1, 1, 0], np.int64)
        self.yv_cat = np.eye(3, dtype=F)[self.lv]
        self.swv = np.array([0.5, 1.0, 2.0, 0.0, 1.0], F)
        self.xp = rng.randn(4, 6).astype(F)
        # tutorial data: X (100, 20), y (100,) in {0, 1}
        self.xt = rng.rand(100, 20).astype(F)
        self.yt = rng.randint(2, size=100).astype(np.int64)
        self.xtp = rng.rand(6, 20).astype(F)

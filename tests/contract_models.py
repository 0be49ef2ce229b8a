"""Models of Keras 3's model contract, shared by tools/goldens_contract.py (real Keras,
torch backend) and tests/test_contract_parity.py (nbkeras). Each takes the `keras`
module and a `grad_step(model, compute)` that runs `compute()` (returning the loss, or
a tuple whose first item is the loss), applies the gradients of the loss to
`model.trainable_variables` with `model.optimizer`, and returns what `compute` returned:
`ops.GradientTape` + `tape.gradient` for nbkeras (keras.io's TensorFlow pattern),
`loss.backward()` for torch.

They follow keras.io's "Customizing what happens in fit()" guide: a custom train_step
calling compute_loss; own metric trackers behind a `metrics` property, compile()
without a loss and a custom test_step; an override calling `super().train_step`;
knowledge distillation through a compute_loss override (keras.io's signature, without
`training`) with a frozen teacher; a two-loss autoencoder with a tracker per loss.

Each runner `run_<case>(k, grad_step, arrays, weights)` builds its model, sets
`weights` (or draws them from a fixed RandomState when None), trains with shuffle=False
and returns {"init", "final", "history", "evaluate"}.
"""

import numpy as np

F = np.float32
FIT = {"epochs": 3, "batch_size": 16, "shuffle": False, "verbose": 0}


def classes(k, grad_step):
    """The contract's model classes, written against the `keras` module `k`."""
    ops = k.ops

    class GuideModel(k.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data

            def compute():
                y_pred = self(x, training=True)
                return self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight), y_pred

            loss, y_pred = grad_step(self, compute)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

    class TrackerModel(k.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = k.metrics.Mean(name="loss")
            self.mae_metric = k.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = k.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data

            def compute():
                y_pred = self(x, training=True)
                return self.loss_fn(y, y_pred), y_pred

            loss, y_pred = grad_step(self, compute)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.loss_tracker.update_state(self.loss_fn(y, y_pred))
            self.mae_metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    class SuperStep(k.Sequential):
        def train_step(self, data):
            logs = super().train_step(data)
            logs["kernel_norm"] = ops.sum(ops.square(self.trainable_weights[0]))
            return logs

    class Distiller(k.Model):
        def __init__(self, student, teacher):
            super().__init__()
            self.teacher = teacher
            self.student = student

        def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn,
                    alpha=0.1, temperature=3):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.student_loss_fn = student_loss_fn
            self.distillation_loss_fn = distillation_loss_fn
            self.alpha = alpha
            self.temperature = temperature

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            teacher_pred = self.teacher(x, training=False)
            student_loss = self.student_loss_fn(y, y_pred)
            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_pred / self.temperature, axis=1),
                ops.softmax(y_pred / self.temperature, axis=1),
            ) * (self.temperature ** 2)
            return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

        def call(self, x):
            return self.student(x)

    class TwoLossAutoencoder(k.Model):
        def __init__(self, encoder, decoder, beta=0.1):
            super().__init__()
            self.encoder = encoder
            self.decoder = decoder
            self.beta = beta
            self.total_loss_tracker = k.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = k.metrics.Mean(name="reconstruction_loss")
            self.latent_loss_tracker = k.metrics.Mean(name="latent_loss")

        @property
        def metrics(self):
            return [self.total_loss_tracker, self.reconstruction_loss_tracker,
                    self.latent_loss_tracker]

        def loss_terms(self, data):
            z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(ops.sum(ops.square(data - reconstruction), axis=1))
            latent_loss = self.beta * ops.mean(ops.sum(ops.square(z), axis=1))
            return reconstruction_loss + latent_loss, reconstruction_loss, latent_loss

        def logs(self, total, reconstruction_loss, latent_loss):
            self.total_loss_tracker.update_state(total)
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.latent_loss_tracker.update_state(latent_loss)
            return {m.name: m.result() for m in self.metrics}

        def train_step(self, data):
            return self.logs(*grad_step(self, lambda: self.loss_terms(data)))

        def test_step(self, data):
            return self.logs(*self.loss_terms(data))

        def call(self, x):
            return self.decoder(self.encoder(x))

    return {c.__name__: c for c in (GuideModel, TrackerModel, SuperStep, Distiller,
                                    TwoLossAutoencoder)}


def data(seed, n=40, d=6, classes=None):
    """Inputs and targets (regression, or `classes` integer labels) from RandomState(seed)."""
    rng = np.random.RandomState(seed)
    x = rng.randn(n, d).astype(F)
    if classes:
        return x, rng.randint(0, classes, size=(n,)).astype(np.int64)
    return x, (x[:, :1] * 0.7 - 0.2 * x[:, 1:2] + 0.1 * rng.randn(n, 1)).astype(F)


def set_weights(model, weights, seed):
    """Set `weights`, or draw them from RandomState(seed) when None; return them."""
    if weights is None:
        rng = np.random.RandomState(seed)
        weights = [(rng.randn(*w.shape) * (0.4 if w.ndim == 2 else 0.1)).astype(F)
                   for w in model.get_weights()]
    model.set_weights(weights)
    return list(weights)


def _history(history):
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def _mlp(k, hidden, activation):
    inputs = k.Input(shape=(6,))
    return inputs, k.layers.Dense(1)(k.layers.Dense(hidden, activation=activation)(inputs))


def _stack(k, d_in, hidden, d_out, name):
    """Input(d_in) -> Dense(hidden, relu) -> Dense(d_out), a Sequential named `name`."""
    return k.Sequential([k.Input((d_in,)), k.layers.Dense(hidden, activation="relu"),
                         k.layers.Dense(d_out)], name=name)


def run_guide(k, grad_step, arrays, weights, sample_weight=False):
    model = classes(k, grad_step)["GuideModel"](*_mlp(k, 5, "tanh"))
    init = set_weights(model, weights, 11)
    model.compile(optimizer=k.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    sw = arrays["sample_weight"] if sample_weight else None
    history = model.fit(arrays["x"], arrays["y"], sample_weight=sw, **FIT)
    evaluate = model.evaluate(arrays["x"], arrays["y"], verbose=0, return_dict=True)
    return {"init": init, "final": model.get_weights(), "history": _history(history),
            "evaluate": evaluate}


def run_metrics_property(k, grad_step, arrays, weights):
    model = classes(k, grad_step)["TrackerModel"](*_mlp(k, 4, "relu"))
    init = set_weights(model, weights, 12)
    model.compile(optimizer=k.optimizers.Adam(0.03))
    val = (arrays["vx"], arrays["vy"])
    history = model.fit(arrays["x"], arrays["y"], validation_data=val, **FIT)
    evaluate = [float(v) for v in model.evaluate(*val, verbose=0)]
    return {"init": init, "final": model.get_weights(), "history": _history(history),
            "evaluate": evaluate}


def run_super_train_step(k, grad_step, arrays, weights):
    model = classes(k, grad_step)["SuperStep"]([
        k.Input((6,)), k.layers.Dense(8, activation="relu"),
        k.layers.Dense(3, activation="softmax")])
    init = set_weights(model, weights, 13)
    model.compile(optimizer=k.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(arrays["x"], arrays["y"], **FIT)
    return {"init": init, "final": model.get_weights(), "history": _history(history)}


def run_distillation(k, grad_step, arrays, weights):
    teacher, student = _stack(k, 6, 12, 4, "teacher"), _stack(k, 6, 5, 4, "student")
    teacher_weights = set_weights(teacher, None if weights is None else weights[:4], 14)
    init = set_weights(student, None if weights is None else weights[4:], 15)
    teacher.trainable = False
    distiller = classes(k, grad_step)["Distiller"](student=student, teacher=teacher)
    distiller.compile(optimizer=k.optimizers.Adam(0.02),
                      metrics=[k.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=k.losses.SparseCategoricalCrossentropy(from_logits=True),
                      distillation_loss_fn=k.losses.KLDivergence(), alpha=0.1, temperature=3)
    history = distiller.fit(arrays["x"], arrays["y"], **FIT)
    evaluate = [float(v) for v in distiller.evaluate(arrays["x"], arrays["y"], verbose=0)]
    return {"init": teacher_weights + init,
            "final": list(teacher.get_weights()) + list(student.get_weights()),
            "history": _history(history), "evaluate": evaluate}


def run_autoencoder(k, grad_step, arrays, weights):
    encoder, decoder = _stack(k, 8, 6, 3, "encoder"), _stack(k, 3, 6, 8, "decoder")
    init = set_weights(encoder, None if weights is None else weights[:4], 16)
    init += set_weights(decoder, None if weights is None else weights[4:], 17)
    model = classes(k, grad_step)["TwoLossAutoencoder"](encoder, decoder)
    model.compile(optimizer=k.optimizers.Adam(0.02))
    history = model.fit(arrays["x"], **FIT)
    evaluate = model.evaluate(arrays["x"], verbose=0, return_dict=True)
    return {"init": init, "final": list(encoder.get_weights()) + list(decoder.get_weights()),
            "history": _history(history), "evaluate": evaluate}


def case_data():
    """The arrays each case trains on."""
    x, y = data(1)
    vx, vy = data(3, n=20)
    x2, y2 = data(2)
    return {
        "guide_train_step": {"x": x, "y": y},
        "guide_sample_weight": {"x": x, "y": y,
                                "sample_weight": np.linspace(0.2, 1.5, len(x)).astype(F)},
        "metrics_property": {"x": x2, "y": y2, "vx": vx, "vy": vy},
        "super_train_step": dict(zip("xy", data(4, classes=3))),
        "distillation": dict(zip("xy", data(5, classes=4))),
        "autoencoder": {"x": data(6, n=48, d=8)[0]},
    }


RUNNERS = {
    "guide_train_step": run_guide,
    "guide_sample_weight": lambda *a: run_guide(*a, sample_weight=True),
    "metrics_property": run_metrics_property,
    "super_train_step": run_super_train_step,
    "distillation": run_distillation,
    "autoencoder": run_autoencoder,
}

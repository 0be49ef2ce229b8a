"""Small models train 3 steps on the (simulated) CUDA device to the CPU device's weights.

Under the simulator the CUDA device's arrays are NumPy arrays, so the same ops run with
the CUDA kernel table instead of the CPU one; every fused step of the training (dense +
activation, batch norm, 2-D and 3-D conv im2col/col2im and pooling, recurrent and
ConvLSTM cells, losses, optimizer updates) runs as a CUDA kernel here.
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers


def _mlp():
    return keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                             layers.BatchNormalization(), layers.Dense(8, activation="gelu"),
                             layers.Dense(3, activation="softmax")])


def _cnn():
    return keras.Sequential([keras.Input((5, 5, 1)), layers.Conv2D(2, 3, activation="relu"),
                             layers.MaxPooling2D(2, padding="same"),
                             layers.Conv2D(2, 1), layers.AveragePooling2D(2, padding="same"),
                             layers.Flatten(), layers.Dense(3)])


def _cnn3d():
    return keras.Sequential([keras.Input((3, 4, 4, 1)),
                             layers.ConvLSTM2D(2, 2, return_sequences=True),
                             layers.Conv3D(2, 2, activation="relu"),
                             layers.MaxPooling3D(2, padding="same"),
                             layers.AveragePooling3D((1, 2, 2), padding="same"),
                             layers.Flatten(), layers.Dense(2)])


def _rnn():
    return keras.Sequential([keras.Input((4, 3)), layers.LSTM(5, return_sequences=True),
                             layers.GRU(4, return_sequences=True), layers.SimpleRNN(3),
                             layers.Dense(1)])


# Kernels each model must launch on the CUDA device (the proof that it ran there).
LAUNCHED = {
    "mlp": {"_bias_act_forward", "_act_backward", "_moments", "_grad_x", "_softmax_forward",
            "_sparse_cce_forward", "_sparse_cce_backward", "_adam", "_col_sum"},
    "cnn": {"_im2col", "_max_pool_forward", "_max_pool_backward", "_avg_pool_forward",
            "_avg_pool_backward", "_cce_forward", "_cce_backward", "_sgd_momentum", "_fill_kernel"},
    "cnn3d": {"_im2col", "_col2im", "_max_pool_forward", "_max_pool_backward",
              "_avg_pool_forward", "_avg_pool_backward", "_mse_forward", "_mse_backward", "_adam"},
    "rnn": {"_lstm_forward", "_lstm_backward", "_gru_forward", "_gru_backward", "_simple_forward",
            "_simple_backward", "_mse_forward", "_mse_backward", "_rmsprop"},
}

MODELS = {
    "mlp": (_mlp, (8, 6), lambda r: r.integers(0, 3, 8), "sparse_categorical_crossentropy",
            lambda: keras.optimizers.Adam(0.01)),
    "cnn": (_cnn, (4, 5, 5, 1), lambda r: np.eye(3, dtype="float32")[r.integers(0, 3, 4)],
            keras.losses.CategoricalCrossentropy(from_logits=True),
            lambda: keras.optimizers.SGD(0.1, momentum=0.9)),
    "cnn3d": (_cnn3d, (2, 3, 4, 4, 1), lambda r: r.normal(size=(2, 2)).astype("float32"), "mse",
              lambda: keras.optimizers.Adam(0.01)),
    "rnn": (_rnn, (4, 4, 3), lambda r: r.normal(size=(4, 1)).astype("float32"), "mse",
            lambda: keras.optimizers.RMSprop(0.01)),
}


def _train(device, name, weights):
    build, xshape, ylabels, loss, optimizer = MODELS[name]
    keras.config.set_device(device)
    try:
        keras.utils.clear_session()
        rng = np.random.default_rng(0)
        x = rng.normal(size=xshape).astype("float32")
        y = ylabels(rng)
        model = build()
        if weights is not None:
            model.set_weights(weights)
        start = model.get_weights()
        model.compile(optimizer=optimizer(), loss=loss)
        losses = [float(model.train_on_batch(x, y)) for _ in range(3)]
        return start, model.get_weights(), losses
    finally:
        keras.config.set_device("cpu")


@pytest.fixture
def launches(monkeypatch):
    """The names of the CUDA kernels launched during the test."""
    import sys

    import nbkeras.backend.cuda  # noqa: F401
    from nbkeras.backend.cuda import _launch

    names, real = set(), _launch.launch

    def counting(fn, n, *args):
        names.add(fn.py_func.__name__ if hasattr(fn, "py_func") else fn.__name__)
        real(fn, n, *args)

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("nbkeras.backend.cuda") and hasattr(mod, "launch"):
            monkeypatch.setattr(mod, "launch", counting)
    return names


@pytest.mark.parametrize("name", sorted(MODELS))
def test_three_steps_match_cpu(name, launches):
    start, cpu_weights, cpu_losses = _train("cpu", name, None)
    assert not launches
    _, cuda_weights, cuda_losses = _train("cuda", name, start)
    assert LAUNCHED[name] <= launches, LAUNCHED[name] - launches
    assert len(cpu_weights) == len(cuda_weights)
    for w_cpu, w_cuda, w0 in zip(cpu_weights, cuda_weights, start):
        assert not np.array_equal(w_cpu, w0) or w0.ndim == 1  # training moved the kernels
        np.testing.assert_allclose(w_cuda, w_cpu, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-4)


def test_set_device_cuda_on_the_simulator():
    keras.config.set_device("cuda")
    try:
        assert keras.config.device() == "cuda"
        from nbkeras.backend import kernels

        assert kernels.name == "cuda"
    finally:
        keras.config.set_device("cpu")
    assert keras.config.device() == "cpu"

"""Compiled metrics on the (simulated) CUDA device: the accuracy family, the loss trackers
and MAE/MSE accumulate on the device, so `fit` copies no batch of predictions to the host;
metrics that compute with NumPy (AUC here) get one host copy per batch; values match the CPU."""

import numpy as np
import pytest

import nbkeras as keras


def _fit(device, metrics, monkeypatch=None):
    keras.config.set_device(device)
    copies = []
    try:
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(16, 4)).astype("float32")
        y = rng.integers(0, 2, size=(16, 1)).astype("float32")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                      metrics=metrics())
        if monkeypatch is not None:
            from nbkeras import backend
            from nbkeras.backend import cuda

            real = cuda.to_numpy

            def counting(x):
                out = real(x)
                copies.append(out.size)
                return out

            monkeypatch.setattr(cuda, "to_numpy", counting)
            monkeypatch.setattr(backend.active, "to_numpy", counting)  # the cached lookup
        history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        return history.history, list(copies)
    finally:
        keras.config.set_device("cpu")


def _device_metrics():
    return ["accuracy", "mae", "mse", keras.metrics.BinaryAccuracy(name="acc2")]


@pytest.mark.parametrize("with_auc", [False, True])
def test_device_metrics_copy_no_batch_to_the_host(with_auc, monkeypatch):
    metrics = (lambda: _device_metrics() + [keras.metrics.AUC()]) if with_auc else _device_metrics
    want, _ = _fit("cpu", metrics)
    got, copies = _fit("cuda", metrics, monkeypatch)
    assert sorted(got) == sorted(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-5, err_msg=k)
    batch_sized = [n for n in copies if n >= 4]  # a batch is 4 samples; state copies are 1-2
    if with_auc:  # AUC computes with NumPy: y_true and y_pred, once per batch each
        assert len(batch_sized) == 2 * 4
    else:  # only the metrics' scalar state comes back, at result()
        assert batch_sized == [] and copies


def test_which_metrics_update_on_the_device():
    m = keras.metrics
    on = [m.Mean(), m.Sum(), m.Accuracy(), m.BinaryAccuracy(), m.CategoricalAccuracy(),
          m.SparseCategoricalAccuracy(), m.MeanSquaredError(), m.MeanAbsoluteError()]
    off = [m.AUC(), m.RootMeanSquaredError(), m.MeanAbsolutePercentageError(),
           m.MeanMetricWrapper(lambda t, p: np.abs(t - p)), m.Precision()]
    assert all(x._updates_on_device() for x in on)
    assert not any(x._updates_on_device() for x in off)

    class Custom(m.Mean):  # overrides update_state with NumPy code: host arrays
        def update_state(self, values, sample_weight=None):
            super().update_state(np.asarray(values) * 2)

    assert not Custom()._updates_on_device()

"""Per-call overhead cuts keep their checks: predict's shape check once per shape, and an
empty CallbackList's no-op hooks."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import callbacks, layers
from nbkeras.callbacks.callback_list import CallbackList


def test_predict_checks_each_new_shape():
    model = keras.Sequential([layers.Input((4,)), layers.Dense(2)])
    one = np.ones((1, 4), "float32")
    first = model.predict(one, verbose=0)
    np.testing.assert_array_equal(model.predict(one, verbose=0), first)
    with pytest.raises(ValueError, match="Received"):
        model.predict(np.ones((1, 5), "float32"), verbose=0)
    np.testing.assert_array_equal(model.predict(one, verbose=0), first)


def test_adding_a_layer_checks_the_data_again():
    model = keras.Sequential([layers.Input((4,)), layers.Dense(3)])
    model.predict(np.ones((2, 4)), verbose=0)
    model.add(layers.Dense(1))
    assert model.predict(np.ones((2, 4)), verbose=0).shape == (2, 1)
    with pytest.raises(ValueError, match="Received"):
        model.predict(np.ones((2, 3)), verbose=0)


def test_empty_callback_list_hooks_are_no_ops_until_one_is_appended():
    seen = []
    cbl = CallbackList(None, model=None, epochs=1)
    assert cbl.active == set()
    cbl.on_epoch_end(0, {"loss": 1.0})
    cbl.on_predict_batch_end(0)
    cbl.append(callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append((e, logs))))
    assert cbl.active == {"on_epoch_end"}
    cbl.on_epoch_end(3, {"loss": 2.0})
    assert seen == [(3, {"loss": 2.0})]
    assert CallbackList(None).on_epoch_end is not cbl.on_epoch_end

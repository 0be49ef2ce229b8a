"""Tracebacks hide nbkeras's own frames, as Keras hides its own; hints for label mistakes."""

import os
import traceback

import numpy as np
import pytest

import nbkeras as keras

ROOT = os.path.dirname(os.path.abspath(keras.__file__))


def _fit_with(loss, y):
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss=loss)
    m.fit(np.zeros((8, 5), "float32"), y, epochs=1, verbose=0)


def _frames(error):
    return [f for f in traceback.extract_tb(error.__traceback__)]


def _internal(frames):
    return [f for f in frames if f.filename.startswith(ROOT)]


def test_one_hot_labels_with_a_sparse_loss_hint_and_filtered_frames():
    with pytest.raises(ValueError) as info:
        _fit_with("sparse_categorical_crossentropy", np.eye(3, dtype="float32")[[0, 1, 2, 0] * 2])
    frames = _frames(info.value)
    assert frames[0].filename == __file__  # the user's frames are kept
    # nbkeras shows only the re-raise and the line that raised, not its 9 internal frames
    inner = [f.name for f in _internal(frames)]
    assert len(inner) == 2 and inner[0] == "error_handler"
    assert "sparse_categorical_crossentropy" in inner[1]
    assert "same shape up until the last dimension" in str(info.value)
    assert any("looks one-hot" in n or "look one-hot" in n for n in info.value.__notes__)


def test_class_indices_with_categorical_loss_hint():
    with pytest.raises(ValueError) as info:
        _fit_with("categorical_crossentropy", np.array([0, 1, 2, 0] * 2))
    assert "to_categorical" in info.value.__notes__[0]


def test_user_frames_inside_a_custom_layer_are_kept():
    class Broken(keras.layers.Layer):
        def call(self, x):
            raise RuntimeError("my bug")

    with pytest.raises(RuntimeError) as info:
        Broken()(np.zeros((2, 3), "float32"))
    names = [f.name for f in _frames(info.value)]
    assert "call" in names and not hasattr(info.value, "__notes__")


def test_disable_shows_every_frame_again():
    assert keras.config.is_traceback_filtering_enabled()
    keras.config.disable_traceback_filtering()
    try:
        assert not keras.config.is_traceback_filtering_enabled()
        with pytest.raises(ValueError) as info:
            _fit_with("sparse_categorical_crossentropy", np.eye(3, dtype="float32")[[0, 1] * 4])
        assert len(_internal(_frames(info.value))) > 5
    finally:
        keras.config.enable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled()

"""The classic Keras lessons run as written (with `keras` spelled `nbkeras`): the MNIST
convnet, the IMDB LSTM and the CIFAR-10 CNN.

The datasets are small learnable stand-ins written in Keras's own cache formats into a
temporary KERAS_HOME (no network), so `load_data()` runs its real code path; only the
data is smaller, the lesson code is not changed.
"""

import os
import pickle

import numpy as np
import pytest

from nbkeras.datasets import imdb as imdb_module
from nbkeras.datasets import mnist as mnist_module
from test_datasets import _npz_bytes, _ragged, _sha256


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    root = tmp_path / "keras_home"
    (root / "datasets").mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(root))
    monkeypatch.chdir(tmp_path)
    return root / "datasets"


def _digit_images(labels, rng):
    """28x28 uint8 images whose class is a bright 6x6 block at one of 10 places."""
    x = rng.integers(0, 60, (len(labels), 28, 28)).astype(np.uint8)
    for i, c in enumerate(labels):
        r, col = 2 + (c // 5) * 13, 1 + (c % 5) * 5
        x[i, r:r + 6, col:col + 4] = 250
    return x


@pytest.fixture
def mnist_file(keras_home, monkeypatch):
    rng = np.random.default_rng(0)
    y_train, y_test = rng.integers(0, 10, 600).astype(np.uint8), rng.integers(0, 10, 100).astype(np.uint8)
    data = _npz_bytes(x_train=_digit_images(y_train, rng), y_train=y_train,
                      x_test=_digit_images(y_test, rng), y_test=y_test)
    (keras_home / "mnist.npz").write_bytes(data)
    monkeypatch.setattr(mnist_module, "_HASH", _sha256(data))


def test_mnist_convnet_lesson(mnist_file, capsys):
    # keras.io "Simple MNIST convnet", as written.
    import numpy as np
    import nbkeras as keras
    from nbkeras import layers

    num_classes = 10
    input_shape = (28, 28, 1)
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()
    batch_size = 128
    epochs = 15
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])

    out = capsys.readouterr().out
    assert "Total params: 34,826" in out  # the lesson's model, as Keras counts it
    assert "Epoch 15/15" in out and "val_accuracy" in out
    assert score[1] > 0.9, score


@pytest.fixture
def imdb_file(keras_home, monkeypatch):
    """Reviews of word ranks; positive ones use words 10-59, negative ones 60-109."""
    rng = np.random.default_rng(1)

    def reviews(n):
        labels = rng.integers(0, 2, n)
        seqs = [list(rng.integers(10, 60, rng.integers(20, 120)) + (0 if y else 50))
                for y in labels]
        return _ragged(seqs), labels

    x_train, y_train = reviews(256)
    x_test, y_test = reviews(96)
    data = _npz_bytes(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    (keras_home / "imdb.npz").write_bytes(data)
    monkeypatch.setattr(imdb_module, "_HASH", _sha256(data))


def test_imdb_lstm_lesson(imdb_file, capsys):
    # The Keras 2 example imdb_lstm.py, as written (Python 3 prints).
    from nbkeras.preprocessing import sequence
    from nbkeras.models import Sequential
    from nbkeras.layers import Dense, Embedding
    from nbkeras.layers import LSTM
    from nbkeras.datasets import imdb

    max_features = 20000
    maxlen = 80  # cut texts after this number of words (among top max_features most common words)
    batch_size = 32

    print('Loading data...')
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)
    print(len(x_train), 'train sequences')
    print(len(x_test), 'test sequences')

    print('Pad sequences (samples x time)')
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    x_test = sequence.pad_sequences(x_test, maxlen=maxlen)
    print('x_train shape:', x_train.shape)
    print('x_test shape:', x_test.shape)

    print('Build model...')
    model = Sequential()
    model.add(Embedding(max_features, 128))
    model.add(LSTM(128, dropout=0.2, recurrent_dropout=0.2))
    model.add(Dense(1, activation='sigmoid'))

    # try using different optimizers and different optimizer configs
    model.compile(loss='binary_crossentropy',
                  optimizer='adam',
                  metrics=['accuracy'])

    print('Train...')
    model.fit(x_train, y_train,
              batch_size=batch_size,
              epochs=15,
              validation_data=(x_test, y_test))
    score, acc = model.evaluate(x_test, y_test,
                                batch_size=batch_size)
    print('Test score:', score)
    print('Test accuracy:', acc)

    out = capsys.readouterr().out
    assert "x_train shape: (256, 80)" in out and "Epoch 15/15" in out
    assert acc > 0.85, acc


@pytest.fixture
def cifar10_files(keras_home):
    """The older Keras cache layout: cifar-10-batches-py/{data_batch_1..5, test_batch}."""
    rng = np.random.default_rng(2)
    folder = keras_home / "cifar-10-batches-py"
    folder.mkdir()

    def batch(n):
        labels = rng.integers(0, 10, n)
        img = rng.integers(0, 80, (n, 3, 32, 32)).astype(np.uint8)
        for i, c in enumerate(labels):  # class c: a bright square, channel c % 3, row c // 3
            img[i, c % 3, 2 + 8 * (c // 3):8 + 8 * (c // 3), 4:12] = 255
        return {b"data": img.reshape(n, 3072), b"labels": [int(v) for v in labels]}

    for name in [f"data_batch_{i}" for i in range(1, 6)]:
        (folder / name).write_bytes(pickle.dumps(batch(24), protocol=2))
    (folder / "test_batch").write_bytes(pickle.dumps(batch(40), protocol=2))


def test_cifar10_cnn_lesson(cifar10_files, capsys):
    # The Keras 2 example cifar10_cnn.py without data augmentation, as written
    # (Keras 2's `lr=` spelling; `decay=` is accepted).
    import nbkeras as keras
    from nbkeras.datasets import cifar10
    from nbkeras.models import Sequential
    from nbkeras.layers import Dense, Dropout, Activation, Flatten
    from nbkeras.layers import Conv2D, MaxPooling2D

    batch_size = 32
    num_classes = 10
    epochs = 20
    save_dir = os.path.join(os.getcwd(), 'saved_models')
    model_name = 'keras_cifar10_trained_model.h5'

    # The data, split between train and test sets:
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    print('x_train shape:', x_train.shape)
    print(x_train.shape[0], 'train samples')
    print(x_test.shape[0], 'test samples')

    # Convert class vectors to binary class matrices.
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Conv2D(32, (3, 3), padding='same',
                     input_shape=x_train.shape[1:]))
    model.add(Activation('relu'))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))

    model.add(Conv2D(64, (3, 3), padding='same'))
    model.add(Activation('relu'))
    model.add(Conv2D(64, (3, 3)))
    model.add(Activation('relu'))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))

    model.add(Flatten())
    model.add(Dense(512))
    model.add(Activation('relu'))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation('softmax'))

    # initiate RMSprop optimizer
    opt = keras.optimizers.RMSprop(lr=0.0001, decay=1e-6)

    # Let's train the model using RMSprop
    model.compile(loss='categorical_crossentropy',
                  optimizer=opt,
                  metrics=['accuracy'])

    x_train = x_train.astype('float32')
    x_test = x_test.astype('float32')
    x_train /= 255
    x_test /= 255

    print('Not using data augmentation.')
    model.fit(x_train, y_train,
              batch_size=batch_size,
              epochs=epochs,
              validation_data=(x_test, y_test),
              shuffle=True)

    # Save model and weights
    if not os.path.isdir(save_dir):
        os.makedirs(save_dir)
    model_path = os.path.join(save_dir, model_name)
    model.save(model_path)
    print('Saved trained model at %s ' % model_path)

    # Score trained model.
    scores = model.evaluate(x_test, y_test, verbose=1)
    print('Test loss:', scores[0])
    print('Test accuracy:', scores[1])

    out = capsys.readouterr().out
    assert "x_train shape: (120, 32, 32, 3)" in out and "Epoch 20/20" in out
    assert scores[1] > 0.6, scores
    reloaded = keras.models.load_model(model_path)
    np.testing.assert_allclose(reloaded.predict(x_test, verbose=0),
                               model.predict(x_test, verbose=0), rtol=1e-6)

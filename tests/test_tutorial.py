"""The Chinese Keras tutorial (shared/seed/000_7f7797ef02a66fc5.txt, sections 3.1-3.9), on nbkeras.

One test per code block, in the article's order. Each block's code is pasted as written, with
`keras` spelled `nbkeras` and the article's variable names and comments kept. Where the article's
own code is broken, the smallest correction is made right there, marked `# FIX(tutorial):` with
what was wrong and what changed (docs/tutorial_fixes.md lists them all).

The article runs its blocks in one Python session, so a block may use names that an earlier block
defined. Each test sets those up in a `# --- preamble` part. The `# --- checks` part after the
block asserts what the block really did.
"""

import os

import numpy as np
import pytest

import nbkeras
from nbkeras import ops


def _num(value):
    """A Python float from a Variable, a tensor or a number."""
    return float(ops.convert_to_numpy(value))


def _data():
    """Block 3.1's data, as the article makes it (seeded by conftest)."""
    from nbkeras.utils import to_categorical

    X = np.random.rand(100, 20)
    y = np.random.randint(2, size=100)
    Y = to_categorical(y)
    return X, y, Y


def _bce(y_true, p, eps=1e-7):
    """Keras's binary crossentropy, averaged over samples, in NumPy."""
    p = np.clip(np.asarray(p, np.float64).reshape(-1), eps, 1 - eps)
    t = np.asarray(y_true, np.float64).reshape(-1)
    return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _model_3_3():
    """The model of block 3.3, with the output fix of that test, for the blocks that reuse it."""
    from nbkeras.layers import Activation, Dense
    from nbkeras.models import Sequential

    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(Activation('relu'))
    model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): see test_3_3
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')
    return model


def _model_3_7():
    """The model of block 3.7, with the output fix of that test, for the callbacks block."""
    from nbkeras.layers import Activation, BatchNormalization, Dense, Dropout
    from nbkeras.models import Sequential

    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(BatchNormalization())
    model.add(Activation('relu'))
    model.add(Dropout(rate=0.5))
    model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): see test_3_2
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')
    return model


# ---------------------------------------------------------------------------- 3.1 数据集
def test_3_1_dataset_to_categorical():
    # --- block 3.1, as written
    import numpy as np
    from nbkeras.utils import to_categorical

    X = np.random.rand(100, 20)   # 生成随机数据
    y = np.random.randint(2, size=100)    # 生成随机标签
    Y = to_categorical(y)     # 将标签转换成独热编码形式

    # --- checks: one row per sample, one column per class, a single 1 in the label's column.
    assert X.shape == (100, 20) and y.shape == (100,)
    assert set(np.unique(y)) <= {0, 1}
    assert Y.shape == (100, 2)
    np.testing.assert_array_equal(Y.sum(axis=1), np.ones(100))
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    np.testing.assert_array_equal(to_categorical([0, 2, 1], num_classes=4),
                                  [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])


# ---------------------------------------------------------------------------- 3.2 模型
def test_3_2_sequential_model():
    # --- preamble
    # FIX(tutorial): block 3.2 uses Dense, Activation and Dropout, but the article imports
    # them only in block 3.3; without this import the block raises NameError.
    from nbkeras.layers import Dense, Activation, Dropout
    X, y, Y = _data()

    # --- block 3.2
    from nbkeras.models import Sequential

    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(Activation('relu'))
    model.add(Dropout(rate=0.5))
    # FIX(tutorial): was `Dense(units=1)`. A linear output is not a probability, yet
    # binary_crossentropy reads it as one: it clips it to [1e-7, 1 - 1e-7], so outputs
    # outside (0, 1) give a wrong loss and no gradient. Added activation='sigmoid'.
    model.add(Dense(units=1, activation='sigmoid'))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')

    # --- checks: the layers, shapes and parameter counts Keras gives this stack.
    assert [layer.name for layer in model.layers] == ['dense', 'activation', 'dropout', 'dense_1']
    assert model.input_shape == (None, 20)
    assert [tuple(layer.output.shape) for layer in model.layers] == [
        (None, 16), (None, 16), (None, 16), (None, 1)]
    assert [layer.count_params() for layer in model.layers] == [20 * 16 + 16, 0, 0, 16 + 1]
    assert model.count_params() == 353
    lines = []
    model.summary(print_fn=lines.append)
    assert any("Total params: 353" in line for line in lines)
    assert isinstance(model.optimizer, nbkeras.optimizers.RMSprop)

    history = model.fit(X, y, epochs=20, batch_size=32, verbose=0)
    assert list(history.history) == ['loss']
    assert len(history.history['loss']) == 20
    assert history.history['loss'][-1] < history.history['loss'][0]
    p = model.predict(X, verbose=0)
    assert p.shape == (100, 1) and np.all((p > 0) & (p < 1))


# ---------------------------------------------------------------------------- 3.3 激活函数
def test_3_3_activation():
    # --- preamble: Sequential comes from block 3.2.
    from nbkeras.models import Sequential
    X, y, Y = _data()

    # --- block 3.3
    from nbkeras.layers import Dense, Activation, Dropout

    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(Activation('relu'))      # 使用Activation层
    # FIX(tutorial): was `Dense(units=1)  # 不使用激活函数` (no activation). As in 3.2,
    # binary_crossentropy needs a probability, so the output takes the activation as a
    # string, the second way the article's text describes: activation='sigmoid'.
    model.add(Dense(units=1, activation='sigmoid'))          # 直接传入激活函数名称字符串
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')

    # --- checks: both ways of giving an activation compute the same thing.
    assert [layer.name for layer in model.layers] == ['dense', 'activation', 'dense_1']
    hidden, relu_layer, out = model.layers
    np.testing.assert_array_equal(ops.convert_to_numpy(relu_layer(np.array([[-1.0, 0.0, 2.0]]))),
                                  [[0.0, 0.0, 2.0]])
    as_string = Dense(units=16, activation='relu')
    as_string.build((None, 20))
    as_string.set_weights(hidden.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(as_string(X)),
                               ops.convert_to_numpy(relu_layer(hidden(X))), rtol=1e-6)
    (w1, b1), (w2, b2) = hidden.get_weights(), out.get_weights()
    expected = _sigmoid(np.maximum(X @ w1 + b1, 0) @ w2 + b2)
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------- 3.4 优化器
def test_3_4_optimizer_adam():
    # --- preamble: `model` is the model of block 3.3; the data comes from block 3.1.
    X, y, Y = _data()
    model = _model_3_3()

    # --- block 3.4 (Adam), as written: Keras 2's spellings lr=, epsilon=None, decay=
    from nbkeras.optimizers import Adam

    adam = Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
    model.compile(optimizer=adam, loss='binary_crossentropy')

    # --- checks: lr is the learning rate, epsilon=None is Keras's 1e-7, and decay=0.0
    # leaves the rate where it is.
    assert model.optimizer is adam
    assert _num(adam.learning_rate) == pytest.approx(0.001)
    assert adam.epsilon == 1e-7
    assert (adam.beta_1, adam.beta_2, adam.amsgrad) == (0.9, 0.999, False)
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert _num(adam.iterations) == 10 * 4
    assert _num(adam.learning_rate) == pytest.approx(0.001)
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_3_4_optimizer_rmsprop():
    # --- preamble: `model` is the model of block 3.3; the data comes from block 3.1.
    X, y, Y = _data()
    model = _model_3_3()

    # --- block 3.4 (RMSprop), as written
    from nbkeras.optimizers import RMSprop

    rms = RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)
    model.compile(optimizer=rms, loss='binary_crossentropy')

    # --- checks
    assert model.optimizer is rms
    assert _num(rms.learning_rate) == pytest.approx(0.001)
    assert rms.rho == 0.9
    assert rms.epsilon == 1e-7
    assert (rms.momentum, rms.centered) == (0.0, False)
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert _num(rms.iterations) == 10 * 4
    assert _num(rms.learning_rate) == pytest.approx(0.001)
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_3_4_optimizer_sgd():
    # --- preamble: `model` is the model of block 3.3; the data comes from block 3.1.
    X, y, Y = _data()
    model = _model_3_3()

    # --- block 3.4 (SGD), as written
    from nbkeras.optimizers import SGD

    sgd = SGD(lr=0.01, momentum=0.0, decay=0.0, nesterov=False)
    model.compile(optimizer=sgd, loss='binary_crossentropy')

    # --- checks: plain SGD moves each weight by -lr * gradient. For the output bias of a
    # sigmoid + binary crossentropy model that gradient is mean(p - y), so one step on the
    # whole data set moves it by exactly -0.01 * mean(p - y).
    assert model.optimizer is sgd
    assert _num(sgd.learning_rate) == pytest.approx(0.01)
    assert (sgd.momentum, sgd.nesterov) == (0.0, False)
    bias_before = model.layers[-1].get_weights()[1].copy()
    p = model.predict(X, verbose=0)[:, 0]
    model.train_on_batch(X, y)
    step = model.layers[-1].get_weights()[1] - bias_before
    np.testing.assert_allclose(step, [-0.01 * np.mean(p - y)], rtol=1e-4, atol=1e-8)
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert _num(sgd.iterations) == 1 + 10 * 4
    assert _num(sgd.learning_rate) == pytest.approx(0.01)
    assert history.history['loss'][-1] < history.history['loss'][0]


# ---------------------------------------------------------------------------- 3.5 损失函数
def test_3_5_loss_binary_crossentropy():
    # --- preamble: `model` is the model of block 3.3; the data comes from block 3.1.
    X, y, Y = _data()
    model = _model_3_3()

    # --- block 3.5 (first), as written
    from nbkeras.losses import binary_crossentropy, mean_squared_error

    model.compile(optimizer='rmsprop', loss=binary_crossentropy)

    # --- checks: the function gives one value per sample, and the model's loss is their mean.
    p = model.predict(X, verbose=0)
    per_sample = ops.convert_to_numpy(binary_crossentropy(y.reshape(-1, 1), p))
    assert per_sample.shape == (100,)
    np.testing.assert_allclose(per_sample.mean(), _bce(y, p), rtol=1e-5)
    assert model.evaluate(X, y, verbose=0) == pytest.approx(_bce(y, p), rel=1e-5)
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]


def test_3_5_loss_mean_squared_error():
    # --- preamble: `model` is the model of block 3.3, and mean_squared_error was imported
    # by the first block of 3.5; the data comes from block 3.1.
    from nbkeras.losses import mean_squared_error
    X, y, Y = _data()
    model = _model_3_3()

    # --- block 3.5 (second), as written
    model.compile(optimizer='rmsprop', loss=mean_squared_error)

    # --- checks
    p = model.predict(X, verbose=0)
    per_sample = ops.convert_to_numpy(mean_squared_error(y.reshape(-1, 1), p))
    np.testing.assert_allclose(per_sample, (p[:, 0] - y) ** 2, rtol=1e-5)
    assert model.evaluate(X, y, verbose=0) == pytest.approx(np.mean((p[:, 0] - y) ** 2), rel=1e-5)
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]


# ---------------------------------------------------------------------------- 3.6 评估方法
def test_3_6_evaluate(capsys):
    # --- preamble: `model` is the model of block 3.3, trained on block 3.1's data.
    X, y, Y = _data()
    # FIX(tutorial): X_test and y_test are never defined; hold out the last 20 samples.
    X_train, y_train, X_test, y_test = X[:80], y[:80], X[80:], y[80:]
    model = _model_3_3()
    # FIX(tutorial): the article compiles without metrics, and then evaluate returns the loss
    # alone, a float, so score[0] raises. Compiling with metrics=['accuracy'] makes it
    # return [loss, accuracy], as score[0] and score[1] expect.
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    model.fit(X_train, y_train, epochs=5, batch_size=32, verbose=0)

    # --- block 3.6, as written
    score = model.evaluate(X_test, y_test, batch_size=32)
    print("\nTest score:", score[0])
    print("Test accuracy:", score[1])

    # --- checks: [loss, accuracy] on the held-out samples.
    assert len(score) == 2
    p = model.predict(X_test, verbose=0)
    assert score[0] == pytest.approx(_bce(y_test, p), rel=1e-5)
    assert score[1] == pytest.approx(np.mean((p[:, 0] > 0.5) == y_test))
    out = capsys.readouterr().out
    assert f"Test score: {score[0]}" in out and f"Test accuracy: {score[1]}" in out
    # Why the fix is needed: compiled as the article compiles, evaluate gives a lone float.
    lone = _model_3_3().evaluate(X_test, y_test, batch_size=32, verbose=0)
    assert np.ndim(lone) == 0
    with pytest.raises((TypeError, IndexError)):
        lone[0]


# ---------------------------------------------------------------------------- 3.7 BatchNormalization
def test_3_7_batch_normalization():
    # --- preamble: Sequential comes from block 3.2, Dropout from block 3.3.
    from nbkeras.models import Sequential
    from nbkeras.layers import Dropout
    X, y, Y = _data()

    # --- block 3.7
    from nbkeras.layers import Dense, Activation, BatchNormalization

    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(BatchNormalization())
    model.add(Activation('relu'))
    model.add(Dropout(rate=0.5))
    # FIX(tutorial): was `Dense(units=1)`; added activation='sigmoid', as in 3.2.
    model.add(Dense(units=1, activation='sigmoid'))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')

    # --- checks: gamma and beta train; the moving mean and variance do not, but follow the
    # batches during fit and replace the batch statistics at inference.
    assert [layer.name for layer in model.layers] == [
        'dense', 'batch_normalization', 'activation', 'dropout', 'dense_1']
    bn = model.layers[1]
    assert bn.count_params() == 4 * 16
    assert [w.name for w in bn.trainable_weights] == ['gamma', 'beta']
    assert [w.name for w in bn.non_trainable_weights] == ['moving_mean', 'moving_variance']
    assert model.count_params() == 336 + 64 + 17
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 32

    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    gamma, beta, moving_mean, moving_variance = bn.get_weights()
    assert not np.allclose(moving_mean, 0) and not np.allclose(moving_variance, 1)
    (w1, b1), (w2, b2) = model.layers[0].get_weights(), model.layers[-1].get_weights()
    h = (X @ w1 + b1 - moving_mean) / np.sqrt(moving_variance + bn.epsilon) * gamma + beta
    expected = _sigmoid(np.maximum(h, 0) @ w2 + b2)
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------- 3.8 Callbacks
def test_3_8_callbacks(tmp_path, monkeypatch):
    # --- preamble: `model` is the model of block 3.7, trained on block 3.1's data.
    X, y, Y = _data()
    # FIX(tutorial): X_train, y_train, X_test and y_test are never defined; hold out the last
    # 20 samples.
    X_train, y_train, X_test, y_test = X[:80], y[:80], X[80:], y[80:]
    # FIX(tutorial): the schedule uses `lr`, which is never defined: the starting rate.
    lr = 0.01
    model = _model_3_7()
    # FIX(tutorial): the checkpoints go to the working directory; a test writes them to a
    # temporary folder, so the code line itself stays as written.
    monkeypatch.chdir(tmp_path)

    # --- block 3.8, as written
    from nbkeras.callbacks import ModelCheckpoint, EarlyStopping, LearningRateScheduler

    checkpoint = ModelCheckpoint('weights.{epoch:02d}-{val_loss:.2f}.hdf5', monitor='val_loss', verbose=1, save_best_only=True, mode='min')
    earlystop = EarlyStopping(monitor='val_loss', patience=10, verbose=1, mode='min')
    lr_scheduler = LearningRateScheduler(schedule=lambda epoch: lr * (0.9 ** epoch), verbose=1)

    callbacks=[checkpoint,earlystop,lr_scheduler]
    history = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=100, batch_size=32, callbacks=callbacks)

    # --- checks
    logs = history.history
    assert {'loss', 'val_loss', 'learning_rate'} <= set(logs)
    val_loss = logs['val_loss']
    n = len(val_loss)
    # LearningRateScheduler: epoch e trains at lr * 0.9 ** e.
    np.testing.assert_allclose(logs['learning_rate'], [lr * 0.9 ** e for e in range(n)], rtol=1e-5)
    # EarlyStopping: it stops `patience` epochs after the best val_loss, or not at all.
    best_epoch = int(np.argmin(val_loss))
    if n < 100:
        assert earlystop.stopped_epoch == n - 1
        assert n - 1 - best_epoch == 10
    else:
        assert earlystop.stopped_epoch == 0 and n - 1 - best_epoch < 10
    # ModelCheckpoint with save_best_only: one file for each epoch that improved val_loss.
    expected, best = [], np.inf
    for epoch, value in enumerate(val_loss):
        if value < best:
            expected.append(f"weights.{epoch + 1:02d}-{value:.2f}.hdf5")
            best = value
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    import h5py
    assert all(h5py.is_hdf5(tmp_path / name) for name in expected)
    # The last checkpoint is the best model: it gives the best val_loss again.
    restored = nbkeras.models.load_model(tmp_path / expected[-1], compile=False)
    restored.compile(optimizer='rmsprop', loss='binary_crossentropy')
    assert restored.evaluate(X_test, y_test, verbose=0) == pytest.approx(min(val_loss), rel=1e-5)


# ---------------------------------------------------------------------------- 3.9 Regularization
def test_3_9_regularization():
    # --- preamble
    # FIX(tutorial): input_shape, output_num1, output_num2 and weights are never defined.
    # Two outputs: three binary labels and one. `weights` are the outputs' loss weights.
    input_shape = 20
    output_num1, output_num2 = 3, 1
    weights = [1.0, 3.0]
    # FIX(tutorial): Model and regularizers are never imported (nor Lambda and Sequential,
    # whose lines are removed below).
    from nbkeras.models import Model
    from nbkeras import regularizers
    # FIX(tutorial): the first compile below uses `output_nums` outside model(), where it is
    # never defined; the same list as inside model().
    output_nums = [output_num1, output_num2]
    X, y, Y = _data()

    # --- block 3.9
    # FIX(tutorial): the article's indentation is inconsistent (the `if` in the for loop is
    # indented 3 spaces, and the last lines are dedented by one, an IndentationError); the
    # code is re-indented with 4 spaces.
    from nbkeras.layers import Dense, Activation, Dropout, Input, Concatenate, Multiply

    def model():
        inputs = Input((input_shape,))
        x = Dense(128)(inputs)
        x = Activation('relu')(x)
        x = Dropout(0.5)(x)

        outputs = []
        # FIX(tutorial): was `[output_num1, output_num2,...]`; the `...` is Python's Ellipsis
        # object, which Dense cannot take as a number of units. Removed.
        output_nums = [output_num1, output_num2]
        for i in range(len(output_nums)):
            if len(output_nums) == 1:
                out_i = Dense(output_nums[i], activation='sigmoid')(x)
            else:
                # FIX(tutorial): was without an activation, a linear output fed to
                # binary_crossentropy (see 3.2). Added activation='sigmoid'.
                out_i = Dense(output_nums[i], activation='sigmoid', name="dense_" + str(i+1))(x)

            # FIX(tutorial): removed
            #     if len(output_nums) > 1 and i < len(output_nums)-1:
            #         out_i = Lambda(lambda x: x[:,-1,:])(out_i)
            # x[:, -1, :] takes the last time step of a (batch, time, features) sequence, but
            # these outputs are (batch, units), so it raises IndexError. (Lambda is never
            # imported either.) Slicing `x[:, -1:]` would run, but it would keep only the last
            # unit and rename the output 'lambda', so the 'dense_1' keys of the loss dicts
            # below would name no output.

            outputs.append(out_i)

        return Model(inputs=inputs, outputs=outputs)

    model = model()
    # FIX(tutorial): was `['binary_crossentropy']*output_nums`: a list times a list is a
    # TypeError. One loss per output: `*len(output_nums)`.
    model.compile(optimizer='adam', loss=['binary_crossentropy']*len(output_nums), metrics=['accuracy'])

    l2_reg = regularizers.l2(0.01)
    for layer in model.layers:
        if isinstance(layer, Dense):
            # FIX(tutorial): was `activity_regularizer=l2_reg`, which only binds a local name
            # and regularizes nothing. Set the layer's attribute instead.
            layer.activity_regularizer=l2_reg

    # FIX(tutorial): removed
    #     dropouts = [Dropout(0.2)]*(int(len(model.layers)/2)+1)
    #     model = Sequential([Input(shape=(input_shape,)), model]+dropouts)
    # It repeats one Dropout instance, drops out the sigmoid probabilities (scaling the kept
    # ones by 1/0.8, so they can exceed 1), and the Sequential wrapper hides the output
    # names 'dense_1' and 'dense_2', so the dict-keyed compile below fails (Keras 3 raises a
    # ValueError). The model keeps its own Dropout(0.5).

    # FIX(tutorial): was `range(output_nums)` three times; range needs len(output_nums).
    model.compile(optimizer='adam', loss={'dense_' + str(i+1): 'binary_crossentropy' for i in range(len(output_nums))},
                  loss_weights={'dense_' + str(i+1): weights[i]/sum(weights) for i in range(len(output_nums))}, metrics={'dense_' + str(i+1): 'accuracy' for i in range(len(output_nums))})

    # --- checks: the model the block builds.
    assert model.output_names == ['dense_1', 'dense_2']
    assert [tuple(t.shape) for t in model.outputs] == [(None, 3), (None, 1)]
    dense_layers = [layer for layer in model.layers if isinstance(layer, Dense)]
    assert [layer.name for layer in dense_layers] == ['dense', 'dense_1', 'dense_2']
    assert all(layer.activity_regularizer is l2_reg for layer in dense_layers)
    assert model.count_params() == (20 * 128 + 128) + (128 * 3 + 3) + (128 + 1)

    # Train it on learnable targets: the first three features above 0.5, and their sum above 1.5.
    Ys = {'dense_1': (X[:, :3] > 0.5).astype('float32'),
          'dense_2': (X[:, :3].sum(axis=1, keepdims=True) > 1.5).astype('float32')}
    history = model.fit(X, Ys, epochs=30, batch_size=32, verbose=0)
    assert set(history.history) == {'loss', 'dense_1_loss', 'dense_2_loss',
                                    'dense_1_accuracy', 'dense_2_accuracy'}
    assert len(history.history['loss']) == 30
    assert history.history['loss'][-1] < history.history['loss'][0]

    # The total loss is the weighted sum of the output losses plus the L2 activity penalty of
    # the three Dense layers (Keras divides it by the batch size).
    result = model.evaluate(X, Ys, verbose=0, return_dict=True)
    w = [v / sum(weights) for v in weights]
    d0, d1, d2 = (layer.get_weights() for layer in dense_layers)
    h = X @ d0[0] + d0[1]
    hidden = np.maximum(h, 0)
    o1, o2 = _sigmoid(hidden @ d1[0] + d1[1]), _sigmoid(hidden @ d2[0] + d2[1])
    penalty = 0.01 * (np.sum(h ** 2) + np.sum(o1 ** 2) + np.sum(o2 ** 2)) / len(X)
    assert result['dense_1_loss'] == pytest.approx(_bce(Ys['dense_1'], o1), rel=1e-4)
    assert result['dense_2_loss'] == pytest.approx(_bce(Ys['dense_2'], o2), rel=1e-4)
    assert result['loss'] == pytest.approx(
        w[0] * result['dense_1_loss'] + w[1] * result['dense_2_loss'] + penalty, rel=1e-4)
    assert model.evaluate(X, Ys, verbose=0) == pytest.approx(
        [result[k] for k in ('loss', 'dense_1_loss', 'dense_2_loss',
                             'dense_1_accuracy', 'dense_2_accuracy')])

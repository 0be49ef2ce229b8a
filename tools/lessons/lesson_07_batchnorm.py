from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "07_batch_normalization"
TITLE = {"zh": "第 7 课　批归一化（BatchNormalization）", "en": "Lesson 7 · BatchNormalization"}

CELLS = [
    md(zh="""
        **批归一化（Batch Normalization）** 把一层的输出按批（batch）标准化成均值 0、方差 1，再乘以可学习的
        `gamma`、加上可学习的 `beta`。它通常让训练更快、更稳。这一课：运行原文 3.7 节的模型；
        比较有无 BatchNormalization 的训练；弄清楚**训练时**和**推理时**它做的事为什么不一样。
        """,
       en="""
        **Batch normalization** standardizes a layer's output over the batch to mean 0 and
        variance 1, then scales it by a learned `gamma` and shifts it by a learned `beta`. It
        often makes training faster and steadier. This lesson runs the article's 3.7 model,
        trains with and without it, and explains why it behaves differently in **training**
        and at **inference**.
        """),
    SETUP,
    md(zh="""
        ## 1. 原文 3.7

        和 3.2 一样，输出层加上 `activation='sigmoid'`。（原文说「可以通过 Normalization 层或
        BatchNormalization 层实现」：Keras 里的 `Normalization` 是另一回事，它用固定的数据统计量做预处理，
        这里用的是 `BatchNormalization`。）
        """,
       en="""
        ## 1. The article's 3.7

        As in 3.2, the output layer gets `activation='sigmoid'`. (The article says a
        `Normalization` layer would do too: in Keras that is something else, a preprocessing
        layer with fixed statistics of the data; this is `BatchNormalization`.)
        """),
    code("""
        from nbkeras.models import Sequential
        from nbkeras.layers import Dropout
        from nbkeras.layers import Dense, Activation, BatchNormalization

        model = Sequential()
        model.add(Dense(units=16, input_dim=20))
        model.add(BatchNormalization())
        model.add(Activation('relu'))
        model.add(Dropout(rate=0.5))
        model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)
        model.compile(optimizer='rmsprop', loss='binary_crossentropy')
        model.summary()
    """),
    md(zh="""
        `batch_normalization` 有 64 个参数：16 个 `gamma`、16 个 `beta`（可训练），以及 16 个 `moving_mean`、
        16 个 `moving_variance`（**不可训练**：它们不由梯度更新，而是在训练时跟踪每一批的统计量）。
        所以 summary 里有 32 个 non-trainable params。
        """,
       en="""
        `batch_normalization` has 64 parameters: 16 `gamma` and 16 `beta` (trainable), and 16
        `moving_mean` and 16 `moving_variance` (**non-trainable**: no gradient moves them; they
        follow the statistics of the batches during training). Hence the 32 non-trainable
        params in the summary.
        """),
    code("""
        bn = model.layers[1]
        print("trainable:    ", [w.name for w in bn.trainable_weights])
        print("non-trainable:", [w.name for w in bn.non_trainable_weights])
        print("momentum", bn.momentum, " epsilon", bn.epsilon)
    """),
    md(zh="""
        ## 2. 有和没有 BatchNormalization

        在手写数字上用同样的初始设置训练两个模型，唯一的区别是隐藏层后面有没有 `BatchNormalization`。
        为了让差别明显一些，输入不做缩放（像素值 0–16），学习率也取得比较大。
        没有 BN 时，未缩放的输入让训练一开始就很不稳定；有 BN 时每层的输入都被拉回到相近的范围，训练平稳得多。
        """,
       en="""
        ## 2. With and without BatchNormalization

        Two models trained on the digits from the same seed; the only difference is a
        `BatchNormalization` after each hidden layer. To make the difference visible the
        pixels are left unscaled (0–16) and the learning rate is large. Without BN the
        unscaled inputs make training unsteady from the start; with BN every layer's input is
        brought back to a similar range, and training is much smoother.
        """),
    code("""
        (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        x_train = x_train.reshape(-1, 64).astype("float32")   # raw pixels 0..16, not scaled
        x_test = x_test.reshape(-1, 64).astype("float32")

        def make(with_bn):
            keras.utils.set_random_seed(3)
            layers = [keras.Input((64,))]
            for units in (64, 64):
                layers.append(Dense(units))
                if with_bn:
                    layers.append(BatchNormalization())
                layers.append(Activation("relu"))
            layers.append(Dense(10, activation="softmax"))
            m = Sequential(layers)
            m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
            return m

        curves = {}
        for with_bn in (False, True):
            label = "with BN" if with_bn else "without BN"
            print(label)
            curves[label] = make(with_bn).fit(x_train, y_train, epochs=6, batch_size=32,
                                              validation_data=(x_test, y_test), verbose=1).history

        fig, ax = plt.subplots(figsize=(6, 3.5))
        for label, h in curves.items():
            ax.plot(range(1, 7), h["val_accuracy"], marker="o", label=label)
            print(f"{label:10} val_accuracy per epoch:", np.round(h["val_accuracy"], 4))
        ax.set_xlabel("epoch")
        ax.set_ylabel("val_accuracy")
        ax.legend()
        plt.show()
    """, tags=["nbval-ignore-output"]),  # an unsteady run by design: its figures follow
    # the BLAS kernel's last bits (OpenBLAS's Haswell and SkylakeX kernels differ), so nbval
    # runs the cell but does not compare its output
    md(zh="""
        ## 3. 训练时和推理时

        - **训练时**（`fit`，或者 `layer(x, training=True)`）：用**这一批**数据的均值和方差做标准化，
          同时更新滑动平均：`moving_mean = momentum × moving_mean + (1 − momentum) × batch_mean`；
        - **推理时**（`predict`、`evaluate`，或者 `training=False`）：用训练中积累下来的 `moving_mean` 和
          `moving_variance`，所以一个样本的输出不再依赖同一批里的其他样本。

        下面把同一批数据分别以两种模式送进训练好的 BN 层：推理时的输出可以用上面的公式手算出来；
        训练模式下这一批被标准化成均值约 0、标准差约 1（再经过 gamma 和 beta）。
        """,
       en="""
        ## 3. Training and inference

        - **In training** (`fit`, or `layer(x, training=True)`) it standardizes with **this
          batch's** mean and variance, and updates the moving averages:
          `moving_mean = momentum × moving_mean + (1 − momentum) × batch_mean`;
        - **At inference** (`predict`, `evaluate`, or `training=False`) it uses the
          `moving_mean` and `moving_variance` gathered in training, so a sample's output no
          longer depends on the other samples of its batch.

        The same batch through a trained BN layer, both ways: the inference output follows
        from the formula by hand; in training mode the batch itself is standardized to mean
        about 0 and standard deviation about 1 (before gamma and beta).
        """),
    code("""
        bn_model = make(True)
        first_bn = bn_model.layers[1]
        print("moving_mean before fit:", np.round(first_bn.get_weights()[2][:4], 3))
        bn_model.fit(x_train, y_train, epochs=2, batch_size=32, verbose=0)
        gamma, beta, moving_mean, moving_variance = first_bn.get_weights()
        print("moving_mean after fit: ", np.round(moving_mean[:4], 3))

        h = keras.ops.convert_to_numpy(bn_model.layers[0](x_test[:8]))       # the input of the BN layer
        infer_mode = keras.ops.convert_to_numpy(first_bn(h, training=False))
        by_hand = (h - moving_mean) / np.sqrt(moving_variance + first_bn.epsilon) * gamma + beta
        print("inference by hand matches:", np.allclose(by_hand, infer_mode, rtol=1e-4, atol=1e-4))

        train_mode = keras.ops.convert_to_numpy(first_bn(h, training=True))  # (this call also updates the moving averages)
        print("training=True:  mean", np.round(train_mode.mean(0)[:4], 3), " std", np.round(train_mode.std(0)[:4], 3))
        print("training=False: mean", np.round(infer_mode.mean(0)[:4], 3), " std", np.round(infer_mode.std(0)[:4], 3))
    """),
    md(zh="""
        ## 练习：推理时的 BatchNormalization

        写一个函数 `bn_inference(x, gamma, beta, moving_mean, moving_variance)`，用 NumPy 计算 BN 层在
        推理时的输出（epsilon 取默认值 0.001），赋值给 `answer`。
        """,
       en="""
        ## Exercise: BatchNormalization at inference

        Write a function `bn_inference(x, gamma, beta, moving_mean, moving_variance)` that
        computes, with NumPy, what a BN layer outputs at inference (epsilon at its default,
        0.001), and assign it to `answer`.
        """),
    exercise(
        prompt="""
            def bn_inference(x, gamma, beta, moving_mean, moving_variance):
                ...   # ← 你的代码 / your code

            answer = None   # answer = bn_inference
            tutorial.check("07_bn_inference", answer)
        """,
        solution="""
            def bn_inference(x, gamma, beta, moving_mean, moving_variance):
                return (x - moving_mean) / np.sqrt(moving_variance + 0.001) * gamma + beta

            answer = bn_inference
            tutorial.check("07_bn_inference", answer)
        """),
]

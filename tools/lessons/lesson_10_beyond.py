from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "10_beyond"
TITLE = {"zh": "第 10 课　原文之外：CNN、LSTM 和保存模型", "en": "Lesson 10 · Beyond the article: CNN, LSTM and saving"}

CELLS = [
    md(zh="""
        原文讲到正则化就结束了。这一课往前再走三步：
        1. **卷积神经网络（CNN）**：让模型直接看 8×8 的图像，而不是展平后的 64 个数；
        2. **LSTM**：处理序列数据的循环神经网络（RNN）；
        3. **保存模型**：存成 Keras 3 的 `.keras` 文件。同一个文件可以用真正的 Keras 3 打开，
           这样在 nbkeras 里学会的东西，可以直接带到 GPU 和更大的机器上。
        """,
       en="""
        The article ends with regularization. This lesson goes three steps further:
        1. a **convolutional network (CNN)** that sees the 8×8 images as images, not as 64
           flat numbers;
        2. an **LSTM**, a recurrent network (RNN) for sequences;
        3. **saving** the model as a Keras 3 `.keras` file. Real Keras 3 opens the same file,
           which is how what you learn here moves on to GPUs and bigger machines.
        """),
    SETUP,
    md(zh="""
        ## 1. 手写数字上的 CNN

        `Conv2D(16, 3)` 用 16 个 3×3 的卷积核扫过图像，每个卷积核学会识别一种局部图案（笔画、拐角）；
        `MaxPooling2D` 把特征图缩小一半。卷积层的输入要有「通道（channel）」这一维，所以形状是 (8, 8, 1)。
        """,
       en="""
        ## 1. A CNN on the digits

        `Conv2D(16, 3)` slides 16 3×3 kernels over the image; each learns a local pattern (a
        stroke, a corner). `MaxPooling2D` halves the feature maps. A convolution wants a
        channel axis, so the input shape is (8, 8, 1).
        """),
    code("""
        from nbkeras import layers

        (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        x_train = x_train[..., None].astype("float32") / 16    # (n, 8, 8, 1)
        x_test = x_test[..., None].astype("float32") / 16

        cnn = keras.Sequential([
            keras.Input((8, 8, 1)),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ], name="digits_cnn")
        cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        cnn.summary()
        history = cnn.fit(x_train, y_train, epochs=6, batch_size=32, validation_split=0.1, verbose=1)
        loss, accuracy = cnn.evaluate(x_test, y_test, verbose=0)
        print("test accuracy:", round(accuracy, 4))
    """),
    md(zh="""
        ## 2. 序列任务上的 LSTM

        任务：每个样本是 12 步的随机序列，每步是 +1 或 −1。标签是「整个序列的和是否大于 0」。
        模型必须一步一步读完序列、记住累计的结果，这正是 **LSTM（长短期记忆网络）** 擅长的。
        序列数据的形状是 (样本数, 时间步, 特征数)。
        """,
       en="""
        ## 2. An LSTM on a sequence task

        The task: each sample is a random sequence of 12 steps of +1 or −1, labelled by
        whether the whole sequence adds up to more than 0. The model must read it step by step
        and keep a running count, which is what an **LSTM** (long short-term memory) is good
        at. Sequence data is shaped (samples, time steps, features).
        """),
    code("""
        rng = np.random.default_rng(0)
        steps = rng.choice([-1.0, 1.0], size=(1200, 12, 1)).astype("float32")
        labels = (steps.sum(axis=(1, 2)) > 0).astype("float32")
        print("a sequence:", steps[0, :, 0].astype(int), "sum", int(steps[0].sum()), "label", labels[0])

        lstm = keras.Sequential([keras.Input((12, 1)), layers.LSTM(16), layers.Dense(1, activation="sigmoid")], name="running_sum")
        lstm.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
        history = lstm.fit(steps[:1000], labels[:1000], epochs=8, batch_size=32, verbose=1)
        print("held-out accuracy:", round(lstm.evaluate(steps[1000:], labels[1000:], verbose=0)[1], 4))
    """),
    md(zh="""
        ## 3. 保存模型，在真正的 Keras 里打开

        `model.save("digits_cnn.keras")` 写出 Keras 3 的存档格式：一个 zip 文件，里面是模型结构
        （`config.json`）、元数据（`metadata.json`）和权重（`model.weights.h5`）。
        `keras.models.load_model` 读回来，预测结果完全一样。
        """,
       en="""
        ## 3. Save the model, open it in real Keras

        `model.save("digits_cnn.keras")` writes Keras 3's archive format: a zip file holding the
        architecture (`config.json`), metadata (`metadata.json`) and the weights
        (`model.weights.h5`). `keras.models.load_model` reads it back, with identical
        predictions.
        """),
    code("""
        import os, tempfile, zipfile

        path = os.path.join(tempfile.mkdtemp(), "digits_cnn.keras")
        cnn.save(path)
        print("archive:", sorted(zipfile.ZipFile(path).namelist()))

        restored = keras.models.load_model(path)
        same = np.array_equal(restored.predict(x_test, verbose=0), cnn.predict(x_test, verbose=0))
        print("restored:", restored.name, "| same predictions:", same)
    """),
    md(zh="""
        在装了 Keras 3 的机器上（任意后端：JAX、TensorFlow 或 PyTorch），同一个文件这样打开，
        然后可以在 GPU 上接着训练：

        ```python
        # pip install keras jax     （或 tensorflow / torch）
        import keras
        model = keras.saving.load_model("digits_cnn.keras")
        model.summary()
        model.fit(x_train, y_train, epochs=10)   # 在更大的机器上继续训练
        ```

        反过来也可以：真正的 Keras 保存的 `.keras` 文件，用 `nbkeras.models.load_model` 打开。
        因为代码是一样的 Keras 代码，只需要把 `import nbkeras as keras` 换成 `import keras`。
        """,
       en="""
        On a machine with Keras 3 (any backend: JAX, TensorFlow or PyTorch) the same file opens
        like this, ready to train on a GPU:

        ```python
        # pip install keras jax     (or tensorflow / torch)
        import keras
        model = keras.saving.load_model("digits_cnn.keras")
        model.summary()
        model.fit(x_train, y_train, epochs=10)   # keep training on the bigger machine
        ```

        It works the other way too: a `.keras` file saved by real Keras opens with
        `nbkeras.models.load_model`. The code is the same Keras code; only
        `import nbkeras as keras` becomes `import keras`.
        """),
    md(zh="""
        ## 练习：自己搭一个 CNN

        搭一个手写数字的 CNN：输入 `keras.Input((8, 8, 1))`，至少一个 `Conv2D`，输出 10 个类别、
        `activation='softmax'`。把（不需要训练的）模型赋值给 `answer`。
        """,
       en="""
        ## Exercise: your own CNN

        Build a CNN for the digits: input `keras.Input((8, 8, 1))`, at least one `Conv2D`, an
        output of 10 classes with `activation='softmax'`. Assign the model (no training needed)
        to `answer`.
        """),
    exercise(
        prompt="""
            answer = None   # ← 你的代码 / your code: keras.Sequential([...])
            tutorial.check("10_cnn", answer)
        """,
        solution="""
            answer = keras.Sequential([
                keras.Input((8, 8, 1)),
                keras.layers.Conv2D(8, 3, activation="relu"),
                keras.layers.Flatten(),
                keras.layers.Dense(10, activation="softmax"),
            ])
            tutorial.check("10_cnn", answer)
        """),
    md(zh="""
        **原文的内容到此全部学完。** 回顾：数据 → 模型 → 激活函数 → 优化器 → 损失函数 → 评估 → BatchNormalization →
        回调函数 → 正则化 → CNN / LSTM / 保存。每一课的练习都可以反复修改、重新运行。
        下一课（第 11 课）：注意力机制和一个小 Transformer。
        """,
       en="""
        **That is all of the article.** Data → models → activations → optimizers → losses →
        evaluation → BatchNormalization → callbacks → regularization → CNN / LSTM / saving.
        Every exercise can be changed and run again as often as you like. Next, lesson 11:
        attention and a small Transformer.
        """),
]

from cells import code, exercise, md
from lesson_01_data import SETUP
from lesson_03_activations import MODEL_3_3

NAME = "05_losses"
TITLE = {"zh": "第 5 课　损失函数（Loss）", "en": "Lesson 5 · Losses"}

CELLS = [
    md(zh="""
        **损失函数（loss function）** 衡量预测和真实值差多远，训练就是让它变小。原文介绍了两个：
        - `binary_crossentropy`（二元交叉熵）：二分类，输出是概率；
        - `mean_squared_error`（均方误差，MSE）：回归，输出是任意实数。

        这一课把两个损失都**手算一遍**，和库算出来的数放在一起对比。
        """,
       en="""
        A **loss function** measures how far the predictions are from the truth; training
        makes it small. The article names two:
        - `binary_crossentropy`: two classes, the output is a probability;
        - `mean_squared_error` (MSE): regression, the output is any number.

        This lesson computes both **by hand**, beside the library's numbers.
        """),
    SETUP,
    MODEL_3_3,
    md(zh="""
        ## 1. 原文 3.5：把损失函数传给 `compile`

        损失函数可以写成字符串 `'binary_crossentropy'`，也可以直接传函数对象：
        """,
       en="""
        ## 1. The article's 3.5: a loss function passed to `compile`

        A loss can be a string, `'binary_crossentropy'`, or the function itself:
        """),
    code("""
        from nbkeras.losses import binary_crossentropy, mean_squared_error

        model.compile(optimizer='rmsprop', loss=binary_crossentropy)
    """),
    md(zh="""
        ## 2. 二元交叉熵（binary crossentropy），手算

        对每个样本：标签是 1 时损失是 −log(p)，标签是 0 时是 −log(1 − p)，p 是模型输出的概率。
        模型的损失是所有样本的**平均值**。
        """,
       en="""
        ## 2. Binary crossentropy, by hand

        Per sample: −log(p) when the label is 1, −log(1 − p) when it is 0, where p is the
        predicted probability. The model's loss is the **mean** over the samples.
        """),
    code("""
        p = model.predict(X, verbose=0)[:, 0].astype("float64")
        by_hand = np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
        per_sample = keras.ops.convert_to_numpy(binary_crossentropy(y.reshape(-1, 1).astype("float32"), p.reshape(-1, 1)))
        print("first 3 samples: labels", y[:3], " p", np.round(p[:3], 4), " losses", np.round(per_sample[:3], 4))
        print("by hand:          ", round(float(by_hand), 5))
        print("binary_crossentropy", round(float(per_sample.mean()), 5))
        print("model.evaluate:   ", round(model.evaluate(X, y, verbose=0), 5))
    """),
    md(zh="""
        三个数一致。标签是随机的，没有规律可学，所以损失在 log 2 ≈ 0.693 附近，也就是抛硬币的水平。

        ## 3. 均方误差（MSE），回归任务

        原文第二段代码把同一个模型改用 `mean_squared_error` 编译。MSE 真正的用途是回归：
        下面生成 y = 3·x₀ − 2·x₁ + 噪声，训练一个线性输出的模型，再手算 MSE 和 `evaluate` 对比。
        """,
       en="""
        The three agree. The labels are random, with nothing to learn, so the loss sits near
        log 2 ≈ 0.693, a coin flip.

        ## 3. Mean squared error, on regression

        The article's second block compiles the same model with `mean_squared_error`. MSE's
        real job is regression: below, y = 3·x₀ − 2·x₁ + noise, a model with a linear output,
        and MSE by hand against `evaluate`.
        """),
    code("""
        model.compile(optimizer='rmsprop', loss=mean_squared_error)
    """),
    code("""
        x_reg = np.random.rand(300, 2).astype("float32")
        y_reg = (3 * x_reg[:, 0] - 2 * x_reg[:, 1] + 0.05 * np.random.randn(300)).astype("float32")

        regressor = Sequential([keras.Input((2,)), Dense(1)])   # linear output: any real number
        regressor.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss=mean_squared_error)
        history = regressor.fit(x_reg, y_reg, epochs=15, batch_size=32, verbose=1)

        pred = regressor.predict(x_reg, verbose=0)[:, 0]
        print("MSE by hand:   ", round(float(np.mean((pred - y_reg) ** 2)), 5))
        print("model.evaluate:", round(regressor.evaluate(x_reg, y_reg, verbose=0), 5))
        w, b = regressor.layers[0].get_weights()
        print("learned weights", np.round(w[:, 0], 2), "bias", np.round(b, 2), "(the truth: 3, -2 and 0)")
    """),
    md(zh="""
        ## 练习：手算二元交叉熵

        三个样本：`y_true = [1, 0, 1]`，模型输出的概率 `y_pred = [0.8, 0.3, 0.6]`。用 NumPy 算出
        二元交叉熵（三个样本的平均值），把这个数赋值给 `answer`。
        """,
       en="""
        ## Exercise: binary crossentropy by hand

        Three samples: `y_true = [1, 0, 1]` and predicted probabilities
        `y_pred = [0.8, 0.3, 0.6]`. Compute their binary crossentropy (the mean over the three)
        with NumPy and assign the number to `answer`.
        """),
    exercise(
        prompt="""
            y_true = np.array([1, 0, 1])
            y_pred = np.array([0.8, 0.3, 0.6])
            answer = None   # ← 你的代码 / your code
            tutorial.check("05_bce_by_hand", answer)
        """,
        solution="""
            y_true = np.array([1, 0, 1])
            y_pred = np.array([0.8, 0.3, 0.6])
            answer = np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)))
            tutorial.check("05_bce_by_hand", answer)
        """),
]

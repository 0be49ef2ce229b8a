from cells import code, exercise, md

NAME = "01_data"
TITLE = {"zh": "第 1 课　数据集（Dataset）", "en": "Lesson 1 · Data"}

SETUP = code("""
    import numpy as np
    import matplotlib.pyplot as plt
    import nbkeras as keras
    from nbkeras import tutorial

    keras.utils.set_random_seed(0)   # 每次运行结果相同 / the same numbers on every run
""")

CELLS = [
    md(zh="""
        训练一个模型，先要有**数据集（dataset）**：输入数据，也叫**特征（features）**，记作 `X`；
        以及每个样本对应的**标签（labels）**，记作 `y`。Keras 不需要特别的数据格式，普通的
        NumPy 数组就可以直接交给 `fit()`。

        这一课的内容：
        1. 原文 3.1 节的代码：随机生成的数据和独热编码（one-hot）；
        2. nbkeras 自带的手写数字数据集 `nbkeras.datasets.digits`（不用联网下载）；
        3. 训练集和验证集（validation set）的划分。

        本系列的代码都来自原文，只是把 `keras` 换成了 `nbkeras`。先运行下面的单元格（Shift+Enter）。
        """,
       en="""
        Every model starts from a **dataset**: the inputs, or **features**, called `X`, and the
        **labels** `y` that say what each sample is. Keras needs no special format: plain NumPy
        arrays go straight into `fit()`.

        In this lesson:
        1. the article's section 3.1: random data and one-hot labels;
        2. the digits that ship with nbkeras, `nbkeras.datasets.digits` (no download);
        3. splitting off a validation set.

        The code comes from the article, with `keras` spelled `nbkeras`. Run the cell below
        with Shift+Enter.
        """),
    SETUP,
    md(zh="""
        ## 1. 原文 3.1：NumPy 数组和独热编码

        下面是原文的代码，原样照搬。`X` 是 100 个样本、每个 20 个特征；`y` 是 0 或 1 的标签。
        `to_categorical` 把整数标签变成**独热编码（one-hot encoding）**：标签 1（共 2 类）变成 `[0, 1]`。
        """,
       en="""
        ## 1. The article's 3.1: NumPy arrays and one-hot labels

        The article's code, as written. `X` holds 100 samples of 20 features; `y` holds labels
        0 or 1. `to_categorical` turns integer labels into **one-hot** rows: label 1 of 2
        classes becomes `[0, 1]`.
        """),
    code("""
        import numpy as np
        from nbkeras.utils import to_categorical

        X = np.random.rand(100, 20)   # 生成随机数据
        y = np.random.randint(2, size=100)    # 生成随机标签
        Y = to_categorical(y)     # 将标签转换成独热编码形式
    """),
    code("""
        print("X:", X.shape, X.dtype, " y:", y.shape, " Y:", Y.shape)
        print("y[:5] =", y[:5])
        print(Y[:5])
    """),
    md(zh="""
        每一行只有一个 1，它所在的列就是标签。类别多于 2 个时也一样，可以用 `num_classes` 指定类别数：
        """,
       en="""
        Each row has a single 1, in the label's column. The same goes for more classes;
        `num_classes` fixes how many columns there are:
        """),
    code("""
        print(to_categorical([0, 2, 1], num_classes=4))
    """),
    md(zh="""
        ## 2. 真实的数据：手写数字（digits）

        随机数据里没有规律可学。nbkeras 自带 1,797 张 8×8 像素的手写数字图片（UCI 数据集，像素值 0–16），
        `load_data()` 会把它打乱并分成训练集和测试集，和 `keras.datasets.mnist.load_data()` 的用法一样。
        """,
       en="""
        ## 2. Real data: the digits

        Random data has nothing to learn. nbkeras ships 1,797 handwritten digits of 8×8 pixels
        (the UCI set, pixel values 0–16). `load_data()` shuffles them and splits them into a
        training and a test set, just like `keras.datasets.mnist.load_data()`.
        """),
    code("""
        (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        print("x_train:", x_train.shape, x_train.dtype, " pixel values", x_train.min(), "to", x_train.max())
        print("x_test: ", x_test.shape, " labels:", np.bincount(y_train))

        fig, axes = plt.subplots(1, 8, figsize=(8, 1.4))
        for ax, image, label in zip(axes, x_train, y_train):
            ax.imshow(image, cmap="gray_r")
            ax.set_title(int(label))
            ax.axis("off")
        plt.show()
    """),
    md(zh="""
        全连接层（`Dense`）要的是一维的特征向量，所以把每张 8×8 图片**展平（flatten）**成 64 个数，
        再除以 16 缩放到 [0, 1]。标签变成独热编码，配合 `categorical_crossentropy` 使用。
        """,
       en="""
        A `Dense` layer wants a flat feature vector, so each 8×8 image is **flattened** into 64
        numbers and divided by 16 to lie in [0, 1]. The labels become one-hot rows, for
        `categorical_crossentropy`.
        """),
    code("""
        x_train_flat = x_train.reshape(-1, 64).astype("float32") / 16
        x_test_flat = x_test.reshape(-1, 64).astype("float32") / 16
        Y_train = to_categorical(y_train, num_classes=10)
        print(x_train_flat.shape, Y_train.shape, Y_train[0])
    """),
    md(zh="""
        ## 3. 训练集和验证集

        **验证集（validation set）** 是训练时不参与更新权重、只用来检查效果的数据。可以自己切出来，
        也可以让 `fit()` 用 `validation_split=0.2` 把**最后** 20% 的样本留作验证集（在打乱之前切分）。
        下面两种写法留出的是同一批样本。训练时 `verbose=1` 会实时显示进度和指标。
        """,
       en="""
        ## 3. Training and validation sets

        A **validation set** is data the model does not train on; it only measures how the
        model does. Cut it off yourself, or let `fit()` do it with `validation_split=0.2`: the
        **last** 20% of the samples, taken before any shuffling. Both ways below hold out the
        same samples. `verbose=1` shows the progress and the metrics while it trains.
        """),
    code("""
        n_val = int(len(x_train_flat) * 0.2)
        x_tr, x_val = x_train_flat[:-n_val], x_train_flat[-n_val:]
        print("by hand:", x_tr.shape, x_val.shape)

        model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x_train_flat, Y_train, epochs=5, batch_size=32, validation_split=0.2, verbose=1)
        print("val_accuracy per epoch:", np.round(history.history["val_accuracy"], 4))
    """),
    md(zh="""
        ## 练习：独热编码

        `labels = np.array([2, 0, 1, 2])`，一共 3 个类别。用 `to_categorical` 把它变成独热编码，
        赋值给 `answer`，然后运行单元格检查。
        """,
       en="""
        ## Exercise: one-hot labels

        `labels = np.array([2, 0, 1, 2])`, with 3 classes. One-hot encode it with
        `to_categorical`, assign it to `answer`, and run the cell to check.
        """),
    exercise(
        prompt="""
            labels = np.array([2, 0, 1, 2])
            answer = None   # ← 你的代码 / your code
            tutorial.check("01_one_hot", answer)
        """,
        solution="""
            labels = np.array([2, 0, 1, 2])
            answer = keras.utils.to_categorical(labels, num_classes=3)
            tutorial.check("01_one_hot", answer)
        """),
    md(zh="""
        **小结**：Keras 直接使用 NumPy 数组；分类标签用 `to_categorical` 变成独热编码；
        `validation_split` 留出验证集。下一课：用这些数据搭建模型。
        """,
       en="""
        **Summary**: Keras takes NumPy arrays as they are; `to_categorical` one-hot encodes
        class labels; `validation_split` holds out a validation set. Next: models.
        """),
]

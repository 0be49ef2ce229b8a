from cells import code, exercise, md
from lesson_01_data import SETUP
from lesson_03_activations import MODEL_3_3

NAME = "04_optimizers"
TITLE = {"zh": "第 4 课　优化器（Optimizer）", "en": "Lesson 4 · Optimizers"}

CELLS = [
    md(zh="""
        **优化器（optimizer）** 决定每一步怎样根据梯度更新权重。最常用的三个是 `Adam`、`RMSprop` 和 `SGD`
        （随机梯度下降）。这一课先运行原文 3.4 节的三段代码，解释其中 Keras 2 的参数写法，
        再在同一个模型、同一份数据、同样的初始权重上比较三者，把曲线画在一张图里。
        """,
       en="""
        An **optimizer** decides how each step moves the weights along the gradient. The usual
        three are `Adam`, `RMSprop` and `SGD` (stochastic gradient descent). This lesson runs
        the article's three 3.4 blocks, explains their Keras 2 arguments, then trains the same
        model on the same data from the same weights with each, their curves in one chart.
        """),
    SETUP,
    MODEL_3_3,
    md(zh="""
        ## 1. 原文 3.4 的三段代码

        原文用的是 Keras 2 的写法：`lr=`、`epsilon=None`、`decay=`。Keras 3 把 `lr` 改名为 `learning_rate`，
        去掉了 `decay`（真实的 Keras 3 遇到 `lr=` 会报错）。nbkeras 两种写法都接受，意思不变：
        """,
       en="""
        ## 1. The article's three 3.4 blocks

        The article writes Keras 2's arguments `lr=`, `epsilon=None` and `decay=`. Keras 3
        renamed `lr` to `learning_rate` and dropped `decay` (real Keras 3 raises on `lr=`).
        nbkeras accepts both spellings, with the same meaning:
        """),
    code("""
        from nbkeras.optimizers import Adam

        adam = Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
        model.compile(optimizer=adam, loss='binary_crossentropy')
        print("Adam    learning_rate", round(float(adam.learning_rate.numpy()), 6), " epsilon", adam.epsilon)
    """),
    code("""
        from nbkeras.optimizers import RMSprop

        rms = RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)
        model.compile(optimizer=rms, loss='binary_crossentropy')
        print("RMSprop learning_rate", round(float(rms.learning_rate.numpy()), 6), " rho", rms.rho, " epsilon", rms.epsilon)
    """),
    code("""
        from nbkeras.optimizers import SGD

        sgd = SGD(lr=0.01, momentum=0.0, decay=0.0, nesterov=False)
        model.compile(optimizer=sgd, loss='binary_crossentropy')
        print("SGD     learning_rate", round(float(sgd.learning_rate.numpy()), 6), " momentum", sgd.momentum)
    """),
    md(zh="""
        | 原文（Keras 2） | Keras 3 | 说明 |
        |---|---|---|
        | `lr=0.001` | `learning_rate=0.001` | 只是改名 |
        | `epsilon=None` | 不写（默认 `1e-7`） | `None` 表示用默认值 |
        | `decay=0.0` | 不写 | 0.0 表示学习率不变；要衰减的话用学习率调度（learning rate schedule），例如 `keras.optimizers.schedules.InverseTimeDecay` |

        ## 2. 三种优化器的比较

        同一个模型、同样的初始权重，在手写数字上各训练 8 个 epoch。注意学习率不同：SGD 通常需要更大的学习率。
        """,
       en="""
        | Article (Keras 2) | Keras 3 | Meaning |
        |---|---|---|
        | `lr=0.001` | `learning_rate=0.001` | renamed |
        | `epsilon=None` | leave it out (default `1e-7`) | `None` meant "the default" |
        | `decay=0.0` | leave it out | 0.0 meant a constant rate; to decay, use a learning-rate schedule such as `keras.optimizers.schedules.InverseTimeDecay` |

        ## 2. The three optimizers compared

        The same model from the same starting weights, 8 epochs on the digits with each. Note
        the rates differ: SGD usually needs a larger one.
        """),
    code("""
        (x_train, y_train), _ = keras.datasets.digits.load_data()
        x_train = x_train.reshape(-1, 64).astype("float32") / 16

        digits_model = Sequential([keras.Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
        start = digits_model.get_weights()
        histories = {}
        for label, optimizer in [("Adam", Adam(learning_rate=0.001)),
                                 ("RMSprop", RMSprop(learning_rate=0.001)),
                                 ("SGD", SGD(learning_rate=0.05))]:
            digits_model.set_weights(start)
            digits_model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            print(label)
            histories[label] = digits_model.fit(x_train, y_train, epochs=8, batch_size=32,
                                                validation_split=0.2, verbose=1).history
    """),
    code("""
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
        for label, h in histories.items():
            epochs = range(1, len(h["loss"]) + 1)
            axes[0].plot(epochs, h["val_loss"], marker="o", label=label)
            axes[1].plot(epochs, h["val_accuracy"], marker="o", label=label)
        axes[0].set_title("val_loss")
        axes[1].set_title("val_accuracy")
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.legend()
        plt.show()
        for label, h in histories.items():
            print(f"{label:8} val_accuracy after 8 epochs: {h['val_accuracy'][-1]:.4f}")
    """),
    md(zh="""
        比较两张图：每条曲线下降得多快、最后停在哪里。换个学习率再试试（比如 SGD 用 0.005 或 0.2），
        排名可能就变了：优化器的好坏和它的学习率是分不开的。

        ## 练习：改成 Keras 3 的写法

        把 Keras 2 的 `SGD(lr=0.05, momentum=0.9, decay=0.0, nesterov=True)` 改成 Keras 3 的参数，
        写成一个 dict 赋值给 `answer`（检查时会用 `SGD(**answer)` 创建优化器）。
        """,
       en="""
        Compare the charts: how fast each curve falls and where it ends. Try other rates (SGD at
        0.005 or 0.2, say) and the ranking may change: an optimizer and its learning rate go
        together.

        ## Exercise: Keras 3's spelling

        Rewrite Keras 2's `SGD(lr=0.05, momentum=0.9, decay=0.0, nesterov=True)` with Keras 3's
        arguments, as a dict assigned to `answer` (the check builds `SGD(**answer)`).
        """),
    exercise(
        prompt="""
            answer = None   # ← 例如 / e.g. {"learning_rate": ..., ...}
            tutorial.check("04_keras3_names", answer)
        """,
        solution="""
            answer = {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}
            tutorial.check("04_keras3_names", answer)
        """),
]

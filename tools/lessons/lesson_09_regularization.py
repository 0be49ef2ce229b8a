from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "09_regularization"
TITLE = {"zh": "第 9 课　正则化（Regularization）", "en": "Lesson 9 · Regularization"}

CELLS = [
    md(zh="""
        模型在训练集上越来越好、在验证集上却变差，这叫**过拟合（overfitting）**：它记住了训练样本，
        而不是学到规律。**正则化（regularization）** 就是对付过拟合的办法。这一课：
        1. 故意制造过拟合，然后用 **L2 正则化** 和 **Dropout** 对比效果；
        2. 原文 3.9 节的多输出模型：原文的代码有很多处无法运行，逐条说明哪里错了、为什么、怎么改。
        """,
       en="""
        When a model keeps improving on its training set while getting worse on the validation
        set, it is **overfitting**: it memorizes the samples instead of learning the rule.
        **Regularization** fights that. This lesson:
        1. overfits on purpose, then measures **L2 regularization** and **Dropout** against it;
        2. the article's multi-output model of 3.9, whose code fails in many places: each
           correction, with what the article wrote, why it fails, and the fix.
        """),
    SETUP,
    md(zh="""
        ## 1. 制造过拟合，再用 L2 和 Dropout 对付它

        只用 100 个手写数字训练一个很宽的网络（两层各 256 个单元）60 个 epoch，在另外的 359 张图片上验证。三个版本：
        - 不加正则化；
        - 每个隐藏层加 `kernel_regularizer=regularizers.l2(1e-3)`：损失里加上 0.001 × 权重平方和，让权重保持小；
        - 每个隐藏层后加 `Dropout(0.5)`：训练时随机丢掉一半的输出，推理时不丢。

        `val_loss` 里包含了 L2 惩罚项，为了公平比较，再把单纯的交叉熵 `sparse_categorical_crossentropy` 作为指标记录下来。
        """,
       en="""
        ## 1. Overfit on purpose, then L2 and Dropout

        A wide network (two hidden layers of 256 units) trained for 60 epochs on only 100
        digits, validated on 359 others. Three versions:
        - no regularization;
        - `kernel_regularizer=regularizers.l2(1e-3)` on each hidden layer: the loss adds
          0.001 × the sum of squared weights, which keeps the weights small;
        - `Dropout(0.5)` after each hidden layer: half of the outputs dropped at random in
          training, none at inference.

        `val_loss` includes the L2 penalty, so to compare the three fairly we also log the
        plain crossentropy as a metric, `sparse_categorical_crossentropy`.
        """),
    code("""
        from nbkeras import regularizers
        from nbkeras.layers import Dense, Dropout
        from nbkeras.models import Sequential

        (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        x_small, y_small = x_train[:100].reshape(-1, 64).astype("float32") / 16, y_train[:100]
        x_val = x_test.reshape(-1, 64).astype("float32") / 16

        def make(kind):
            keras.utils.set_random_seed(5)
            reg = regularizers.l2(1e-3) if kind == "L2" else None
            layers = [keras.Input((64,))]
            for _ in range(2):
                layers.append(Dense(256, activation="relu", kernel_regularizer=reg))
                if kind == "Dropout":
                    layers.append(Dropout(0.5))
            layers.append(Dense(10, activation="softmax"))
            m = Sequential(layers)
            m.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy", "sparse_categorical_crossentropy"])
            return m

        runs = {}
    """),
    md(zh="""
        每个版本训练 60 个 epoch，一个单元格训练一个：
        """,
       en="""
        Each version trains for 60 epochs, one cell each:
        """),
    code("""
        runs["none"] = make("none").fit(x_small, y_small, epochs=60, batch_size=32,
                                        validation_data=(x_val, y_test), verbose=1).history
    """),
    code("""
        runs["L2"] = make("L2").fit(x_small, y_small, epochs=60, batch_size=32,
                                    validation_data=(x_val, y_test), verbose=1).history
    """),
    code("""
        runs["Dropout"] = make("Dropout").fit(x_small, y_small, epochs=60, batch_size=32,
                                              validation_data=(x_val, y_test), verbose=1).history
    """),
    code("""
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
        for kind, h in runs.items():
            axes[0].plot(h["val_sparse_categorical_crossentropy"], label=kind)
            axes[1].plot(h["val_accuracy"], label=kind)
        axes[0].set_title("val crossentropy")
        axes[1].set_title("val_accuracy")
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.legend()
        plt.show()
        for kind, h in runs.items():
            ce = h["val_sparse_categorical_crossentropy"]
            print(f"{kind:8} train acc {h['accuracy'][-1]:.4f}  val acc {h['val_accuracy'][-1]:.4f}  "
                  f"val crossentropy: lowest {min(ce):.4f} (epoch {int(np.argmin(ce)) + 1}), last {ce[-1]:.4f}")
    """),
    md(zh="""
        三个模型在训练集上都（几乎）全对，验证集上却差得多，这个差距就是过拟合。不加正则化时，验证集交叉熵
        在最低点之后又往上走：模型开始死记训练样本。比较每个模型最后的交叉熵和它的最低值、以及验证准确率，
        看看 L2 和 Dropout 各自起了多大作用。在这份数据上作用并不大：正则化的效果取决于数据、模型和系数，
        要**测量**，不能想当然。试试把 `l2(1e-3)` 改大，或者把训练样本改成 50 个。

        ## 2. 原文 3.9：多输出模型，改正后的版本

        原文这段代码不能运行。需要的修改都标了 `# FIX(tutorial)`：

        | 原文写的 | 为什么出错 | 改成 |
        |---|---|---|
        | `input_shape`、`output_num1`、`output_num2`、`weights` 没有定义；`Model`、`regularizers` 没有导入 | `NameError` | 定义为 20、3、1、`[1.0, 3.0]`，并导入 |
        | 缩进混乱（`if` 缩进 3 格，最后几行少缩进 1 格） | `IndentationError` | 统一用 4 个空格 |
        | `[output_num1, output_num2,...]` | `...` 是 Python 的 `Ellipsis` 对象，不是单元数 | 去掉 `...` |
        | 多输出时 `Dense(output_nums[i], name=...)` 没有激活函数 | `binary_crossentropy` 需要概率（见第 3 课） | 加 `activation='sigmoid'` |
        | `Lambda(lambda x: x[:,-1,:])`（`Lambda` 也没导入） | `x[:, -1, :]` 取的是三维序列的最后一个时间步，这里的输出是二维的 (batch, units)，报 `IndexError` | 删掉 |
        | `['binary_crossentropy']*output_nums` | 列表乘列表：`TypeError` | `*len(output_nums)` |
        | 循环里写 `activity_regularizer=l2_reg` | 只是给局部变量赋值，什么也没正则化 | `layer.activity_regularizer=l2_reg` |
        | `[Dropout(0.2)]*(...)` 和 `Sequential([Input(...), model]+dropouts)` | 同一个 Dropout 对象重复多次；对输出的概率做 dropout（保留的值乘以 1/0.8，可能超过 1）；外面包一层 Sequential 后输出名 `dense_1`、`dense_2` 不见了，按名字编译会在 `fit` 时报错 | 删掉；模型本身已经有 `Dropout(0.5)` |
        | `range(output_nums)` | `range` 不接受列表：`TypeError` | `range(len(output_nums))` |

        （原文的文字还说用 `concatenate` 和 `multiply` 合并输出，但代码里并没有这么做；`Concatenate`、`Multiply`
        按原文导入，没有用到。）先现场看看其中两个错误：
        """,
       en="""
        All three get the training set (nearly) right and the validation set much less so:
        that gap is overfitting. Without regularization the validation crossentropy turns back
        up after its lowest point, as the model starts memorizing. Compare each model's last
        crossentropy with its lowest, and the validation accuracies, to see what L2 and Dropout
        each do. On this data they do little: what regularization buys depends on the data, the
        model and the factor, so **measure** it rather than assume. Try a larger `l2(1e-3)`, or
        50 training samples.

        ## 2. The article's 3.9: the multi-output model, corrected

        The article's block does not run. Each change is marked `# FIX(tutorial)`:

        | The article wrote | Why it fails | The fix |
        |---|---|---|
        | `input_shape`, `output_num1`, `output_num2`, `weights` never defined; `Model`, `regularizers` never imported | `NameError` | 20, 3, 1 and `[1.0, 3.0]`, and the imports |
        | mixed indentation (the `if` by 3 spaces, the last lines one short) | `IndentationError` | 4 spaces throughout |
        | `[output_num1, output_num2,...]` | `...` is Python's `Ellipsis` object, not a number of units | drop the `...` |
        | the multi-output `Dense(output_nums[i], name=...)` has no activation | `binary_crossentropy` needs probabilities (lesson 3) | `activation='sigmoid'` |
        | `Lambda(lambda x: x[:,-1,:])` (and `Lambda` never imported) | `x[:, -1, :]` takes the last time step of a 3-D sequence; these outputs are 2-D (batch, units): `IndexError` | removed |
        | `['binary_crossentropy']*output_nums` | a list times a list: `TypeError` | `*len(output_nums)` |
        | `activity_regularizer=l2_reg` inside the loop | binds a local name; regularizes nothing | `layer.activity_regularizer=l2_reg` |
        | `[Dropout(0.2)]*(...)` and `Sequential([Input(...), model]+dropouts)` | one Dropout object repeated; it drops out output probabilities (scaling kept ones by 1/0.8, past 1); the Sequential wrapper hides the output names `dense_1`/`dense_2`, so the name-keyed compile fails at `fit` | removed; the model keeps its own `Dropout(0.5)` |
        | `range(output_nums)` | `range` of a list: `TypeError` | `range(len(output_nums))` |

        (The article's text also speaks of merging outputs with `concatenate` and `multiply`,
        which its code never does; `Concatenate` and `Multiply` stay imported, unused.) Two of
        these errors, live:
        """),
    code("""
        output_nums = [3, 1]
        for wrong in ("['binary_crossentropy'] * output_nums", "range(output_nums)"):
            try:
                eval(wrong)
            except TypeError as error:
                print(f"{wrong:40} -> TypeError: {error}")
    """),
    md(zh="""
        改正后的代码（和 `tests/test_tutorial.py` 里的一样）：
        """,
       en="""
        The corrected block (the same as in `tests/test_tutorial.py`):
        """),
    code("""
        # FIX(tutorial): input_shape, output_num1, output_num2 and weights are never defined
        input_shape = 20
        output_num1, output_num2 = 3, 1
        weights = [1.0, 3.0]
        from nbkeras.models import Model       # FIX(tutorial): never imported
        from nbkeras import regularizers       # FIX(tutorial): never imported
        output_nums = [output_num1, output_num2]  # FIX(tutorial): used outside model(), where it is never defined

        from nbkeras.layers import Dense, Activation, Dropout, Input, Concatenate, Multiply

        def model():
            inputs = Input((input_shape,))
            x = Dense(128)(inputs)
            x = Activation('relu')(x)
            x = Dropout(0.5)(x)

            outputs = []
            output_nums = [output_num1, output_num2]  # FIX(tutorial): was [output_num1, output_num2,...]
            for i in range(len(output_nums)):
                if len(output_nums) == 1:
                    out_i = Dense(output_nums[i], activation='sigmoid')(x)
                else:
                    out_i = Dense(output_nums[i], activation='sigmoid', name="dense_" + str(i+1))(x)  # FIX(tutorial): sigmoid
                # FIX(tutorial): removed `out_i = Lambda(lambda x: x[:,-1,:])(out_i)` (IndexError on 2-D outputs)
                outputs.append(out_i)

            return Model(inputs=inputs, outputs=outputs)

        model = model()
        model.compile(optimizer='adam', loss=['binary_crossentropy']*len(output_nums), metrics=['accuracy'])  # FIX(tutorial): len()

        l2_reg = regularizers.l2(0.01)
        for layer in model.layers:
            if isinstance(layer, Dense):
                layer.activity_regularizer=l2_reg  # FIX(tutorial): was a local name, regularizing nothing

        # FIX(tutorial): removed the repeated Dropout(0.2) and the Sequential wrapper (see the table)

        model.compile(optimizer='adam', loss={'dense_' + str(i+1): 'binary_crossentropy' for i in range(len(output_nums))},
                      loss_weights={'dense_' + str(i+1): weights[i]/sum(weights) for i in range(len(output_nums))}, metrics={'dense_' + str(i+1): 'accuracy' for i in range(len(output_nums))})
        model.summary()
    """),
    md(zh="""
        训练它需要有规律的目标：`dense_1` 的三个标签是「前三个特征是否大于 0.5」，`dense_2` 是「它们的和是否大于 1.5」。
        总损失 = 两个输出损失按 `loss_weights`（1/4 和 3/4）加权求和，再加上 L2 活动正则化（activity regularization）的惩罚。
        """,
       en="""
        Training it needs learnable targets: `dense_1`'s three labels say whether each of the
        first three features is above 0.5, `dense_2` whether they add up to more than 1.5.
        The total loss is the two output losses weighted by `loss_weights` (1/4 and 3/4),
        plus the L2 activity-regularization penalty.
        """),
    code("""
        X = np.random.rand(200, 20)
        Ys = {'dense_1': (X[:, :3] > 0.5).astype('float32'),
              'dense_2': (X[:, :3].sum(axis=1, keepdims=True) > 1.5).astype('float32')}
        history = model.fit(X, Ys, epochs=30, batch_size=32, verbose=1)
        result = model.evaluate(X, Ys, verbose=0, return_dict=True)
        print({name: round(value, 4) for name, value in result.items()})
        weighted = 0.25 * result['dense_1_loss'] + 0.75 * result['dense_2_loss']
        print("weighted output losses", round(weighted, 4), "+ activity penalty", round(result['loss'] - weighted, 4),
              "= loss", round(result['loss'], 4))
    """),
    md(zh="""
        ## 练习：L2 惩罚

        权重矩阵 `W = [[1, -2], [0.5, 3]]`，正则化器是 `regularizers.l2(0.01)`。它给损失加上多少？
        用 NumPy 算出来，赋值给 `answer`。
        """,
       en="""
        ## Exercise: the L2 penalty

        For the weight matrix `W = [[1, -2], [0.5, 3]]` and the regularizer
        `regularizers.l2(0.01)`, how much does it add to the loss? Compute it with NumPy and
        assign it to `answer`.
        """),
    exercise(
        prompt="""
            W = np.array([[1.0, -2.0], [0.5, 3.0]])
            answer = None   # ← 你的代码 / your code
            tutorial.check("09_l2_penalty", answer)
        """,
        solution="""
            W = np.array([[1.0, -2.0], [0.5, 3.0]])
            answer = 0.01 * np.sum(W ** 2)
            tutorial.check("09_l2_penalty", answer)
        """),
]

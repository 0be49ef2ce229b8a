from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "02_models"
TITLE = {"zh": "第 2 课　模型（Model）", "en": "Lesson 2 · Models"}

CELLS = [
    md(zh="""
        **模型（model）** 把输入变成预测。Keras 有三种写法：
        - **Sequential 模型**：一层接一层的线性堆叠，最常用；
        - **函数式 API（functional API）**：把层当函数调用，可以有多个输入、多个输出和分支；
        - 继承 `Model` 的子类（subclassing），本系列不展开。

        这一课用 `summary()`、模型视图和 `plot_model` 查看模型的结构。
        """,
       en="""
        A **model** turns inputs into predictions. Keras has three ways to write one:
        - the **Sequential** model, a plain stack of layers, the most common;
        - the **functional API**, layers called like functions, for several inputs or outputs
          and branches;
        - subclassing `Model` (not covered here).

        This lesson looks at models with `summary()`, the model view and `plot_model`.
        """),
    SETUP,
    code("""
        X = np.random.rand(100, 20)
        y = np.random.randint(2, size=100)
    """),
    md(zh="""
        ## 1. 原文 3.2：逐层 `add()` 的 Sequential 模型

        原文的代码有两处需要修改（标记为 `# FIX(tutorial)`）：
        - 它用了 `Dense`、`Activation`、`Dropout`，但直到 3.3 节才导入，直接运行会报 `NameError`，所以先导入；
        - 输出层 `Dense(units=1)` 没有激活函数，却用 `binary_crossentropy` 训练。这个损失函数要的是
          0 到 1 之间的**概率**，所以加上 `activation='sigmoid'`（第 3 课会演示不加会怎样）。

        `input_dim=20` 是 Keras 2 的写法，nbkeras 也接受；Keras 3 的写法是在最前面放一个 `keras.Input((20,))`。
        """,
       en="""
        ## 1. The article's 3.2: a Sequential model built with `add()`

        The article's block needs two corrections (marked `# FIX(tutorial)`):
        - it uses `Dense`, `Activation` and `Dropout`, which the article imports only in 3.3,
          so as written it raises `NameError`: we import them first;
        - its output layer `Dense(units=1)` has no activation, yet it trains with
          `binary_crossentropy`, which expects a **probability** between 0 and 1: we add
          `activation='sigmoid'` (lesson 3 shows what happens without it).

        `input_dim=20` is Keras 2's spelling, which nbkeras accepts; Keras 3 writes
        `keras.Input((20,))` first.
        """),
    code("""
        from nbkeras.layers import Dense, Activation, Dropout  # FIX(tutorial): the article imports them only in 3.3
        from nbkeras.models import Sequential

        model = Sequential()
        model.add(Dense(units=16, input_dim=20))
        model.add(Activation('relu'))
        model.add(Dropout(rate=0.5))
        model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)
        model.compile(optimizer='rmsprop', loss='binary_crossentropy')
        model.summary()
    """),
    md(zh="""
        `summary()` 列出每一层的输出形状和参数个数。第一个 `Dense` 有 20×16 个权重加 16 个偏置，共 336 个参数；
        `None` 表示批大小（batch size）还没定。

        ## 2. 同一个模型，用列表一次写完

        `Sequential([...])` 直接接收层的列表，和逐层 `add()` 得到的是同一种模型：
        """,
       en="""
        `summary()` lists each layer's output shape and parameter count. The first `Dense` has
        20×16 weights plus 16 biases, 336 parameters; `None` is the batch size, not fixed yet.

        ## 2. The same model, written as one list

        `Sequential([...])` takes the list of layers, and gives the same kind of model as
        `add()` one by one:
        """),
    code("""
        model2 = Sequential([
            keras.Input((20,)),
            Dense(16, activation='relu'),
            Dropout(0.5),
            Dense(1, activation='sigmoid'),
        ], name="as_a_list")
        model2.compile(optimizer='rmsprop', loss='binary_crossentropy')
        print("parameters:", model.count_params(), "and", model2.count_params())
        history = model2.fit(X, y, epochs=3, batch_size=32, verbose=1)
    """),
    md(zh="""
        ## 3. 函数式 API

        函数式 API 里，每一层像函数一样作用在张量上：`x = Dense(32)(inputs)`。最后用
        `Model(inputs, outputs)` 把输入和输出连起来。下面的模型有两条分支，再用 `Concatenate` 合并，
        这是 Sequential 写不出来的。
        """,
       en="""
        ## 3. The functional API

        In the functional API each layer is called on a tensor like a function:
        `x = Dense(32)(inputs)`. `Model(inputs, outputs)` then joins inputs to outputs. The
        model below has two branches merged by `Concatenate`, which a Sequential model cannot
        express.
        """),
    code("""
        from nbkeras.layers import Input, Concatenate
        from nbkeras.models import Model

        inputs = Input((64,), name="pixels")
        deep = Dense(32, activation="relu", name="deep")(inputs)
        wide = Dense(8, activation="relu", name="wide")(inputs)
        merged = Concatenate(name="merge")([deep, wide])
        outputs = Dense(10, activation="softmax", name="digit")(merged)
        branchy = Model(inputs, outputs, name="branchy")
        branchy.summary()
    """),
    md(zh="""
        ## 4. 模型视图和 `plot_model`

        在 Notebook 里，单元格最后一行写模型的名字，就会显示模型视图（和 `summary()` 同样的表格）。
        `keras.utils.plot_model` 画出层与层之间的连接图（不需要安装 graphviz）。
        """,
       en="""
        ## 4. The model view and `plot_model`

        In a notebook, a model on the last line of a cell shows the model view (the same table
        as `summary()`). `keras.utils.plot_model` draws how the layers connect (no graphviz
        needed).
        """),
    code("""
        branchy
    """),
    code("""
        keras.utils.plot_model(branchy, show_shapes=True)
    """),
    md(zh="""
        ## 练习：用函数式 API 搭一个数字分类器

        写一个函数式模型：输入是 64 个像素（`Input((64,))`），隐藏层 `Dense(32, activation='relu')`，
        输出层 10 个类别、`activation='softmax'`。把模型赋值给 `answer`。
        """,
       en="""
        ## Exercise: a digit classifier with the functional API

        Build a functional model: 64 input pixels (`Input((64,))`), a hidden
        `Dense(32, activation='relu')`, and an output of 10 classes with
        `activation='softmax'`. Assign the model to `answer`.
        """),
    exercise(
        prompt="""
            answer = None   # ← 你的代码 / your code: Model(inputs, outputs)
            tutorial.check("02_functional", answer)
        """,
        solution="""
            inputs = keras.Input((64,))
            hidden = keras.layers.Dense(32, activation="relu")(inputs)
            outputs = keras.layers.Dense(10, activation="softmax")(hidden)
            answer = keras.Model(inputs, outputs)
            tutorial.check("02_functional", answer)
        """),
]

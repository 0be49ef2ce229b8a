from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "03_activations"
TITLE = {"zh": "第 3 课　激活函数（Activation）", "en": "Lesson 3 · Activations"}

# The article's 3.4 and 3.5 compile "the model", the one of 3.3: lessons 4 and 5 start from it.
MODEL_3_3 = code("""
    from nbkeras.layers import Dense, Activation
    from nbkeras.models import Sequential

    X = np.random.rand(100, 20)
    y = np.random.randint(2, size=100)
    # the model of the article's 3.3 (lesson 3), which 3.4 and 3.5 compile
    model = Sequential()
    model.add(Dense(units=16, input_dim=20))
    model.add(Activation('relu'))
    model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)
    model.compile(optimizer='rmsprop', loss='binary_crossentropy')
""")

CELLS = [
    md(zh="""
        **激活函数（activation function）** 对一层的输出做非线性变换。没有它，再多的 `Dense` 层叠在一起
        也只是一个线性函数。这一课：把常用的激活函数画出来；比较 `Activation` 层和 `activation=` 字符串
        两种写法；最后看看原文的模型少了输出激活函数会发生什么。
        """,
       en="""
        An **activation function** bends a layer's output. Without one, any number of stacked
        `Dense` layers is still one linear function. This lesson plots the usual activations,
        compares the `Activation` layer with the `activation=` string, and shows what the
        article's model does without an output activation.
        """),
    SETUP,
    md(zh="""
        ## 1. 常用激活函数

        `keras.activations` 里的函数可以直接作用在 NumPy 数组上：
        - `relu`：负数变 0，正数不变，隐藏层最常用；
        - `sigmoid`：压到 (0, 1)，二分类的输出层用它表示概率；
        - `tanh`：压到 (-1, 1)；
        - `softmax`（没有画出来）：把一行数变成加起来等于 1 的概率，多分类的输出层用它。
        """,
       en="""
        ## 1. The usual activations

        The functions in `keras.activations` work on NumPy arrays:
        - `relu`: negatives become 0, positives stay; the default for hidden layers;
        - `sigmoid`: squeezed into (0, 1), a probability for a two-class output;
        - `tanh`: squeezed into (-1, 1);
        - `softmax` (not plotted): turns a row into probabilities that add up to 1, for a
          many-class output.
        """),
    code("""
        z = np.linspace(-5, 5, 201).astype("float32")
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for name in ["relu", "sigmoid", "tanh", "softplus", "elu"]:
            f = keras.activations.get(name)
            ax.plot(z, keras.ops.convert_to_numpy(f(z)), label=name)
        ax.set_ylim(-1.5, 3)
        ax.axhline(0, color="gray", lw=0.5)
        ax.legend()
        ax.set_xlabel("z")
        plt.show()

        scores = np.array([[2.0, 1.0, 0.1]])
        print("softmax([2, 1, 0.1]) =", np.round(keras.ops.convert_to_numpy(keras.activations.softmax(scores)), 4))
    """),
    md(zh="""
        ## 2. 原文 3.3：`Activation` 层和 `activation=` 字符串

        原文说激活函数有两种写法：单独加一个 `Activation('relu')` 层，或者把名字字符串传给前一层的
        `activation=` 参数。原文的输出层 `Dense(units=1)` 后面注释写着「不使用激活函数」，和 3.2 一样，
        这里用第二种写法给它加上 `activation='sigmoid'`（原因见第 3 节）。
        """,
       en="""
        ## 2. The article's 3.3: the `Activation` layer and the `activation=` string

        The article gives two ways to add an activation: a separate `Activation('relu')` layer,
        or the name passed as the `activation=` argument of the layer before. Its output layer
        `Dense(units=1)` carries the comment 不使用激活函数 ("no activation"); as in 3.2 we give it
        `activation='sigmoid'`, the second way (section 3 shows why).
        """),
    code("""
        from nbkeras.layers import Dense, Activation, Dropout
        from nbkeras.models import Sequential

        X = np.random.rand(100, 20)
        y = np.random.randint(2, size=100)

        model = Sequential()
        model.add(Dense(units=16, input_dim=20))
        model.add(Activation('relu'))      # 使用Activation层
        model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)  # 不使用激活函数
        model.compile(optimizer='rmsprop', loss='binary_crossentropy')
    """),
    md(zh="""
        两种写法算的是同一个东西：把第一层的权重复制给一个 `Dense(16, activation='relu')`，输出完全一样。
        """,
       en="""
        Both ways compute the same thing: copy the first layer's weights into a
        `Dense(16, activation='relu')` and the outputs agree exactly.
        """),
    code("""
        hidden, relu_layer = model.layers[0], model.layers[1]
        as_string = Dense(16, activation='relu')
        as_string.build((None, 20))
        as_string.set_weights(hidden.get_weights())

        two_layers = keras.ops.convert_to_numpy(relu_layer(hidden(X)))
        one_layer = keras.ops.convert_to_numpy(as_string(X))
        print("same output:", np.allclose(two_layers, one_layer), " smallest value:", one_layer.min())
    """),
    md(zh="""
        ## 3. 输出层没有激活函数会怎样？

        `binary_crossentropy` 把输出当作**概率**，先截断到 [1e-7, 1 − 1e-7] 再取对数。线性的 `Dense(1)`
        可以输出任意实数：对标签 1 输出 1.7、对标签 0 输出 −0.4，截断后都算「完全正确」，损失为 0，
        也没有梯度。下面在一个**有规律**的任务上（前三个特征之和大于 1.5 的标签为 1）比较原文的写法和修改后的写法。
        """,
       en="""
        ## 3. What a missing output activation does

        `binary_crossentropy` reads the output as a **probability**: it clips it to
        [1e-7, 1 − 1e-7] and takes logarithms. A linear `Dense(1)` can output any number: 1.7
        for label 1, or −0.4 for label 0, is clipped to a "perfect" answer with zero loss and
        no gradient. Below, on a task with a real rule (label 1 when the first three features
        add up to more than 1.5), the article's model as written against the fixed one.
        """),
    code("""
        loss = keras.losses.binary_crossentropy(np.array([[1.0], [0.0]]), np.array([[1.7], [-0.4]]))
        print("loss of 1.7 for label 1 and -0.4 for label 0:", np.round(keras.ops.convert_to_numpy(loss), 4))

        X_rule = np.random.rand(400, 20)
        y_rule = (X_rule[:, :3].sum(axis=1) > 1.5).astype("float32")

        def make(output_activation):
            keras.utils.set_random_seed(1)   # the same starting weights for both
            m = Sequential([keras.Input((20,)), Dense(16, activation='relu'), Dense(1, activation=output_activation)])
            m.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
            return m

        as_written = make(None)        # the article's Dense(units=1): linear
        fixed = make('sigmoid')
        h_written = as_written.fit(X_rule, y_rule, epochs=20, batch_size=32, verbose=0)
        h_fixed = fixed.fit(X_rule, y_rule, epochs=20, batch_size=32, verbose=1)

        p = as_written.predict(X_rule, verbose=0)
        print("as written: outputs from", round(float(p.min()), 2), "to", round(float(p.max()), 2),
              "| final loss", round(h_written.history['loss'][-1], 4), "accuracy", round(h_written.history['accuracy'][-1], 4))
        print("fixed:      final loss", round(h_fixed.history['loss'][-1], 4), "accuracy", round(h_fixed.history['accuracy'][-1], 4))
    """),
    md(zh="""
        原文写法的输出跑出了 [0, 1] 的范围，损失值也失去了意义；加上 `sigmoid` 后输出是概率，
        模型学到了规律。**记住：`binary_crossentropy` 配 `sigmoid`，`categorical_crossentropy` 配 `softmax`。**

        ## 练习：自己写 sigmoid

        用 NumPy 写一个函数 `my_sigmoid(z)`，逐元素计算 1 / (1 + e^(−z))，赋值给 `answer`。
        """,
       en="""
        The model as written leaves [0, 1] and its loss stops meaning anything; with `sigmoid`
        the output is a probability and the model learns the rule. **Rule of thumb:
        `binary_crossentropy` goes with `sigmoid`, `categorical_crossentropy` with `softmax`.**

        ## Exercise: write sigmoid yourself

        Write a NumPy function `my_sigmoid(z)` that computes 1 / (1 + e^(−z)) element by
        element, and assign it to `answer`.
        """),
    exercise(
        prompt="""
            def my_sigmoid(z):
                ...   # ← 你的代码 / your code

            answer = None   # answer = my_sigmoid
            tutorial.check("03_sigmoid", answer)
        """,
        solution="""
            def my_sigmoid(z):
                return 1 / (1 + np.exp(-z))

            answer = my_sigmoid
            tutorial.check("03_sigmoid", answer)
        """),
]

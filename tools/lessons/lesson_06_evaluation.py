from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "06_evaluation"
TITLE = {"zh": "第 6 课　评估方法（Evaluation）", "en": "Lesson 6 · Evaluation"}

CELLS = [
    md(zh="""
        训练得好不好，要在模型**没见过**的数据上衡量。`model.evaluate()` 在测试集上计算损失和编译时指定的
        **指标（metrics）**。这一课：运行原文 3.6 节的代码（需要两处修改）；看看为什么只看准确率（accuracy）
        会骗人，以及精确率（precision）、召回率（recall）和 AUC；最后画出**混淆矩阵（confusion matrix）**。
        """,
       en="""
        How good a model is shows on data it has **not** seen. `model.evaluate()` computes the
        loss and the **metrics** given to `compile` on a test set. This lesson runs the
        article's 3.6 block (two corrections), shows why accuracy alone can mislead and what
        precision, recall and AUC add, and draws a **confusion matrix**.
        """),
    SETUP,
    md(zh="""
        ## 1. 原文 3.6：`evaluate`

        原文的代码有两个问题：
        - `X_test`、`y_test` 从来没有定义过：这里把 3.1 节 100 个样本的最后 20 个留作测试集；
        - 原文的模型编译时没有指定 `metrics`，`evaluate` 于是只返回一个数（损失），`score[1]` 会报错。
          编译时加上 `metrics=['accuracy']`，`evaluate` 就返回 `[loss, accuracy]`。
        """,
       en="""
        ## 1. The article's 3.6: `evaluate`

        The article's block has two problems:
        - `X_test` and `y_test` are never defined: we hold out the last 20 of the 100 samples
          of 3.1;
        - its models are compiled without `metrics`, so `evaluate` returns a single number, the
          loss, and `score[1]` fails. Compiled with `metrics=['accuracy']`, `evaluate` returns
          `[loss, accuracy]`.
        """),
    code("""
        from nbkeras.layers import Dense, Activation
        from nbkeras.models import Sequential

        X = np.random.rand(100, 20)
        y = np.random.randint(2, size=100)
        X_train, y_train, X_test, y_test = X[:80], y[:80], X[80:], y[80:]  # FIX(tutorial): never defined

        model = Sequential()
        model.add(Dense(units=16, input_dim=20))
        model.add(Activation('relu'))
        model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)
        model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])  # FIX(tutorial): metrics
        history = model.fit(X_train, y_train, epochs=5, batch_size=32, verbose=1)
    """),
    code("""
        score = model.evaluate(X_test, y_test, batch_size=32)
        print("\\nTest score:", score[0])
        print("Test accuracy:", score[1])
    """),
    md(zh="""
        不加 `metrics` 时，`evaluate` 返回的是一个单独的浮点数：
        """,
       en="""
        Without `metrics`, `evaluate` returns a lone float:
        """),
    code("""
        model.compile(optimizer='rmsprop', loss='binary_crossentropy')   # as the article compiles
        lone = model.evaluate(X_test, y_test, verbose=0)
        print(type(lone).__name__, round(lone, 4))
        try:
            lone[1]
        except TypeError as error:
            print("score[1] ->", type(error).__name__ + ":", error)
    """),
    md(zh="""
        ## 2. 准确率会骗人：不平衡的数据

        换一个任务：在手写数字里找出「9」。只有大约 10% 的样本是 9，一个永远回答「不是 9」的模型准确率也有 90%。
        所以再加上三个指标：
        - **精确率 precision** = TP / (TP + FP)：说「是 9」的里面，有多少真的是 9；
        - **召回率 recall** = TP / (TP + FN)：真正的 9 里面，找到了多少；
        - **AUC**：ROC 曲线下的面积，不依赖 0.5 这个阈值，1.0 最好，0.5 相当于瞎猜。
        """,
       en="""
        ## 2. Accuracy can mislead: imbalanced data

        A new task: find the 9s among the digits. Only about 10% of the samples are 9s, so a
        model that always answers "not a 9" is 90% accurate. Three more metrics:
        - **precision** = TP / (TP + FP): of the samples called 9, how many are 9s;
        - **recall** = TP / (TP + FN): of the real 9s, how many were found;
        - **AUC**: the area under the ROC curve, free of the 0.5 threshold; 1.0 is perfect,
          0.5 is guessing.
        """),
    code("""
        (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
        x_train = x_train.reshape(-1, 64).astype("float32") / 16
        x_test = x_test.reshape(-1, 64).astype("float32") / 16
        is_nine_train, is_nine_test = (y_train == 9).astype("float32"), (y_test == 9).astype("float32")
        print("share of 9s in the test set:", round(float(is_nine_test.mean()), 4))
        print("accuracy of always saying 'not a 9':", round(float(1 - is_nine_test.mean()), 4))

        nine = Sequential([keras.Input((64,)), Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
        nine.compile(optimizer="adam", loss="binary_crossentropy",
                     metrics=["accuracy", keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.AUC()])
        nine.fit(x_train, is_nine_train, epochs=6, batch_size=32, verbose=1)
        results = nine.evaluate(x_test, is_nine_test, verbose=0, return_dict=True)
        print({name: round(value, 4) for name, value in results.items()})
    """),
    md(zh="""
        看上面的数字：准确率只比「永远说不是 9」高一点点，而召回率说明模型只找出了一小部分 9。
        精确率和召回率把「找得准不准」和「找没找到」分开来看；AUC 则说明换一个阈值，模型其实能把 9 分得更好。

        ## 3. 混淆矩阵

        十分类时，**混淆矩阵**第 i 行第 j 列是「真实为 i、预测为 j」的样本数。对角线是预测对的，
        对角线以外的格子告诉你模型把哪些数字搞混了。
        """,
       en="""
        Look at the numbers: the accuracy barely beats always saying "not a 9", and the recall
        shows the model finds only a small share of the 9s. Precision and recall separate "was
        it right when it said 9" from "did it find them"; the AUC says that at another
        threshold the model would separate the 9s much better.

        ## 3. The confusion matrix

        For ten classes, row i, column j of the **confusion matrix** counts the samples of
        class i predicted as j. The diagonal is the right answers; the cells off it show which
        digits the model confuses.
        """),
    code("""
        classifier = Sequential([keras.Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
        classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        classifier.fit(x_train, y_train, epochs=8, batch_size=32, verbose=1)
        predicted = classifier.predict(x_test, verbose=0).argmax(axis=1)

        confusion = np.zeros((10, 10), dtype=int)
        np.add.at(confusion, (y_test, predicted), 1)
        print("test accuracy:", round(float(np.mean(predicted == y_test)), 4), " = trace / total =",
              confusion.trace(), "/", confusion.sum())

        fig, ax = plt.subplots(figsize=(5, 5))
        ax.imshow(confusion, cmap="Blues")
        for i in range(10):
            for j in range(10):
                if confusion[i, j]:
                    ax.text(j, i, confusion[i, j], ha="center", va="center",
                            color="white" if confusion[i, j] > confusion.max() / 2 else "black")
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        plt.show()
    """),
    md(zh="""
        ## 练习：精确率和召回率

        下面 8 个样本的真实标签 `y_true` 和模型输出的概率 `y_prob`。以 0.5 为阈值，算出 precision 和 recall，
        以 `(precision, recall)` 的形式赋值给 `answer`。
        """,
       en="""
        ## Exercise: precision and recall

        Below are the true labels `y_true` of 8 samples and the predicted probabilities
        `y_prob`. At a threshold of 0.5, compute precision and recall and assign
        `(precision, recall)` to `answer`.
        """),
    exercise(
        prompt="""
            y_true = np.array([1, 1, 0, 1, 0, 0, 1, 0])
            y_prob = np.array([0.9, 0.4, 0.6, 0.8, 0.55, 0.1, 0.7, 0.3])
            answer = None   # ← (precision, recall)
            tutorial.check("06_precision_recall", answer)
        """,
        solution="""
            y_true = np.array([1, 1, 0, 1, 0, 0, 1, 0])
            y_prob = np.array([0.9, 0.4, 0.6, 0.8, 0.55, 0.1, 0.7, 0.3])
            y_hat = (y_prob > 0.5).astype(int)
            tp = np.sum((y_hat == 1) & (y_true == 1))
            fp = np.sum((y_hat == 1) & (y_true == 0))
            fn = np.sum((y_hat == 0) & (y_true == 1))
            answer = (tp / (tp + fp), tp / (tp + fn))
            tutorial.check("06_precision_recall", answer)
        """),
]

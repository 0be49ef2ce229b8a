from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "08_callbacks"
TITLE = {"zh": "第 8 课　回调函数（Callbacks）", "en": "Lesson 8 · Callbacks"}

CELLS = [
    md(zh="""
        **回调函数（callback）** 是 `fit()` 在训练的各个时刻（每个 epoch、每个 batch 的开始和结束）调用的对象，
        用来保存模型、提前停止、调整学习率、记录日志等。这一课运行原文 3.8 节的三个回调：
        `ModelCheckpoint`、`EarlyStopping` 和 `LearningRateScheduler`，看看它们写了哪些文件、
        学习率怎样变化；最后讲 Jupyter 工具栏上的**停止按钮（■）**，以及按下它之后 `fit()` 返回什么。
        """,
       en="""
        A **callback** is an object that `fit()` calls at fixed moments of training (the start
        and end of each epoch and batch), to save the model, stop early, change the learning
        rate, log, and so on. This lesson runs the article's three callbacks from 3.8,
        `ModelCheckpoint`, `EarlyStopping` and `LearningRateScheduler`, with the files they
        write and the learning rate they set; then the **Stop button (■)** in Jupyter's
        toolbar, and what `fit()` returns after you press it.
        """),
    SETUP,
    md(zh="""
        ## 1. 原文 3.8

        原文的代码用到了从未定义的 `lr`、`X_train`、`y_train`、`X_test`、`y_test`：这里取 `lr = 0.01`，
        数据和第 6 课一样，是 3.1 节 100 个样本按 80/20 切分；模型是 3.7 节的模型。
        检查点文件会写到当前目录，所以先切换到一个临时文件夹，免得把课程目录弄乱。回调的代码本身原样照搬。
        """,
       en="""
        ## 1. The article's 3.8

        The article's block uses `lr`, `X_train`, `y_train`, `X_test` and `y_test`, which it
        never defines: here `lr = 0.01`, and the data is the 80/20 split of 3.1's 100 samples,
        as in lesson 6; the model is 3.7's. The checkpoints go to the current folder, so we
        move into a temporary one first, to keep the lessons' folder clean. The callback code
        itself is as written.
        """),
    code("""
        import os, tempfile
        from nbkeras.models import Sequential
        from nbkeras.layers import Dense, Activation, Dropout, BatchNormalization

        X = np.random.rand(100, 20)
        y = np.random.randint(2, size=100)
        X_train, y_train, X_test, y_test = X[:80], y[:80], X[80:], y[80:]  # FIX(tutorial): never defined
        lr = 0.01                                                         # FIX(tutorial): never defined

        model = Sequential()   # the model of 3.7 (lesson 7)
        model.add(Dense(units=16, input_dim=20))
        model.add(BatchNormalization())
        model.add(Activation('relu'))
        model.add(Dropout(rate=0.5))
        model.add(Dense(units=1, activation='sigmoid'))  # FIX(tutorial): was Dense(units=1)
        model.compile(optimizer='rmsprop', loss='binary_crossentropy')

        lesson_folder = os.getcwd()
        os.chdir(tempfile.mkdtemp())   # the checkpoints land here, not among the notebooks
    """),
    code("""
        from nbkeras.callbacks import ModelCheckpoint, EarlyStopping, LearningRateScheduler

        checkpoint = ModelCheckpoint('weights.{epoch:02d}-{val_loss:.2f}.hdf5', monitor='val_loss', verbose=1, save_best_only=True, mode='min')
        earlystop = EarlyStopping(monitor='val_loss', patience=10, verbose=1, mode='min')
        lr_scheduler = LearningRateScheduler(schedule=lambda epoch: lr * (0.9 ** epoch), verbose=1)

        callbacks=[checkpoint,earlystop,lr_scheduler]
        history = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=100, batch_size=32, callbacks=callbacks)
    """),
    md(zh="""
        - `ModelCheckpoint(..., save_best_only=True)`：只在 `val_loss` 创新低时保存，文件名里的 `{epoch:02d}` 和
          `{val_loss:.2f}` 会被替换成当时的值；
        - `EarlyStopping(patience=10)`：`val_loss` 连续 10 个 epoch 没有改进就停止训练（所以远远跑不到 100 个 epoch）；
        - `LearningRateScheduler`：每个 epoch 开始时把学习率设为 `schedule(epoch)`，这里是 `0.01 × 0.9^epoch`。

        写下的文件，和每个 epoch 的学习率（`history.history['learning_rate']`）：
        """,
       en="""
        - `ModelCheckpoint(..., save_best_only=True)` saves only when `val_loss` reaches a new
          low; `{epoch:02d}` and `{val_loss:.2f}` in the name become that epoch's values;
        - `EarlyStopping(patience=10)` stops when `val_loss` has not improved for 10 epochs
          (so the 100 epochs never all run);
        - `LearningRateScheduler` sets the rate to `schedule(epoch)` at the start of each
          epoch, here `0.01 × 0.9^epoch`.

        The files written, and the rate of each epoch (`history.history['learning_rate']`):
        """),
    code("""
        print("epochs run:", len(history.history["loss"]), " stopped at epoch", earlystop.stopped_epoch + 1)
        print("files:", sorted(os.listdir()))
        print("learning_rate:", np.round(history.history["learning_rate"], 5))

        best = keras.models.load_model(sorted(os.listdir())[-1])
        print("the last file holds the best model: val_loss", round(best.evaluate(X_test, y_test, verbose=0), 4),
              "= min(val_loss)", round(min(history.history["val_loss"]), 4))
        os.chdir(lesson_folder)
    """),
    code("""
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.plot(history.history["learning_rate"], marker=".")
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning_rate")
        plt.show()
    """),
    md(zh="""
        ## 2. 自己写回调，和停止训练

        继承 `keras.callbacks.Callback`，重写 `on_epoch_end` 等方法即可。回调里设置 `self.model.stop_training = True`，
        `fit()` 就会在这个 epoch 结束后正常停止，`EarlyStopping` 就是这么做的：
        """,
       en="""
        ## 2. Your own callback, and stopping

        Subclass `keras.callbacks.Callback` and override `on_epoch_end` and friends. Setting
        `self.model.stop_training = True` in a callback makes `fit()` stop normally after that
        epoch; this is what `EarlyStopping` does:
        """),
    code("""
        (x_digits, y_digits), _ = keras.datasets.digits.load_data()
        x_digits = x_digits.reshape(-1, 64).astype("float32") / 16

        class StopAtAccuracy(keras.callbacks.Callback):
            def __init__(self, target):
                super().__init__()
                self.target = target
            def on_epoch_end(self, epoch, logs=None):
                if logs["accuracy"] >= self.target:
                    print(f"epoch {epoch + 1}: accuracy {logs['accuracy']:.4f} >= {self.target}, stopping")
                    self.model.stop_training = True

        digits = Sequential([keras.Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
        digits.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = digits.fit(x_digits, y_digits, epochs=50, batch_size=32, verbose=1, callbacks=[StopAtAccuracy(0.9)])
        print("epochs kept:", len(history.history["loss"]), " interrupted:", history.interrupted)
    """),
    md(zh="""
        ## 3. 停止按钮（■）

        训练跑得太久、或者曲线已经看出问题时，可以点 Jupyter 工具栏上的 **■（中断内核，Interrupt the kernel）**，
        或者在命令模式下连按两次 `I`。这相当于给内核进程发送 `SIGINT`（终端里的 Ctrl-C）。
        - 在 nbkeras 里，第一次中断会让 `fit()` 在**当前 batch 结束时**停下：调用回调的 `on_train_end`，
          打印停在了哪里，然后**正常返回**已有的 `History`，并且 `history.interrupted` 为 `True`。
          权重保留在中断时的状态，再次调用 `fit()` 就接着训练。没有 `KeyboardInterrupt` 的报错，内核也不用重启。
        - 如果第二次中断（比如某个 batch 卡住了），才会立刻抛出 `KeyboardInterrupt`。

        CI 里没法真的去点按钮，所以下面用一个回调在第 3 个 epoch 里向自己发送同样的 `SIGINT`，
        效果和点 ■ 完全一样。你也可以把 `epochs` 改大，自己点一下 ■ 试试。
        """,
       en="""
        ## 3. The Stop button (■)

        When training runs too long, or the curves already show a problem, click **■
        (Interrupt the kernel)** in Jupyter's toolbar, or press `I` twice in command mode.
        That sends the kernel process `SIGINT` (Ctrl-C in a terminal).
        - In nbkeras the first interrupt stops `fit()` **at the end of the current batch**: it
          runs the callbacks' `on_train_end`, prints where it stopped, and **returns** the
          `History` so far, with `history.interrupted` set to `True`. The weights stay as
          they were at that batch, and calling `fit()` again continues. No
          `KeyboardInterrupt` traceback, no kernel restart.
        - A second interrupt (say a batch hangs) raises `KeyboardInterrupt` at once.

        CI cannot click buttons, so below a callback sends itself the same `SIGINT` during
        epoch 3, exactly what ■ does. Make `epochs` larger and press ■ yourself to try it.
        """),
    code("""
        import signal

        class PressStop(keras.callbacks.Callback):
            \"\"\"Does what the ■ button does: SIGINT to this kernel, in epoch 3, batch 5.\"\"\"
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch
            def on_train_batch_begin(self, batch, logs=None):
                if (self.epoch, batch) == (2, 4):
                    os.kill(os.getpid(), signal.SIGINT)

        digits = Sequential([keras.Input((64,)), Dense(32, activation="relu"), Dense(10, activation="softmax")])
        digits.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = digits.fit(x_digits, y_digits, epochs=20, batch_size=32, verbose=1, callbacks=[PressStop()])
        print("interrupted:", history.interrupted, " epochs kept:", len(history.history["loss"]),
              " optimizer steps:", int(digits.optimizer.iterations.numpy()))
    """),
    md(zh="""
        第 3 个 epoch 没有跑完，所以 `history` 里只有前 2 个 epoch 的记录；但权重已经更新了 2×45+5 = 95 步（每个 epoch 45 个 batch，第 3 个 epoch 跑完了 5 个）。
        接着训练，从中断的地方继续：
        """,
       en="""
        Epoch 3 did not finish, so `history` holds the first 2 epochs; but the weights have
        taken 2×45+5 = 95 steps (45 batches an epoch, and 5 of epoch 3). Training again
        continues from there:
        """),
    code("""
        more = digits.fit(x_digits, y_digits, epochs=2, batch_size=32, verbose=1)
        print("interrupted:", more.interrupted, " optimizer steps:", int(digits.optimizer.iterations.numpy()),
              " accuracy:", round(more.history["accuracy"][-1], 4))
    """),
    md(zh="""
        ## 练习：学习率调度

        写一个调度函数 `schedule(epoch, lr)`：初始学习率 0.1，每 2 个 epoch 减半
        （epoch 0、1 是 0.1，epoch 2、3 是 0.05，……）。把函数赋值给 `answer`；
        检查时会像 `LearningRateScheduler` 那样逐个 epoch 调用它。
        """,
       en="""
        ## Exercise: a learning-rate schedule

        Write a schedule `schedule(epoch, lr)`: start at 0.1 and halve every 2 epochs (0.1 for
        epochs 0 and 1, 0.05 for epochs 2 and 3, ...). Assign the function to `answer`; the
        check calls it epoch by epoch, as `LearningRateScheduler` does.
        """),
    exercise(
        prompt="""
            def schedule(epoch, lr):
                ...   # ← 你的代码 / your code

            answer = None   # answer = schedule
            tutorial.check("08_lr_schedule", answer)
        """,
        solution="""
            def schedule(epoch, lr):
                return 0.1 * 0.5 ** (epoch // 2)

            answer = schedule
            tutorial.check("08_lr_schedule", answer)
        """),
]

"""The checkers of the lessons' exercises, one per lesson, in lesson order.

Each checker gets the learner's answer and returns None when it is right, or a `(zh, en)`
pair of hints. The inputs each exercise names (labels, arrays, shapes) are fixed here and
printed in the lesson's exercise cell, so the check needs nothing from the notebook.
"""

import numpy as np

from nbkeras.tutorial.registry import exercise


def _array(answer):
    return np.asarray(answer, dtype=np.float64)


def _number(answer):
    value = np.asarray(answer, dtype=np.float64)
    if value.size != 1:
        raise TypeError(f"expected one number, got shape {value.shape}")
    return float(value.reshape(()))


def _not_a_function(example):
    return (f"答案应该是一个函数，比如 `{example}`。", f"the answer should be a function, like `{example}`.")


def _returned(fn, *args):
    """`fn(*args)` as a float array, or a hint when it returns nothing."""
    got = fn(*args)
    if got is None:
        return None, ("你的函数返回了 None：别忘了 return。", "your function returned None: add a return.")
    return _array(got), None


def _model_hint(model, input_shape, n_out):
    """Hints for a model that should map `input_shape` to `n_out` class probabilities."""
    import nbkeras

    if not isinstance(model, nbkeras.Model):
        return (f"答案应该是一个模型（nbkeras.Model），而你给的是 {type(model).__name__}。",
                f"the answer should be a model (nbkeras.Model); you gave a {type(model).__name__}.")
    if not model.inputs:
        return ("模型还没有输入形状：以 keras.Input(...) 开头。",
                "the model has no input shape yet: start it with keras.Input(...).")
    want_in, got_in = (None,) + tuple(input_shape), tuple(model.inputs[0].shape)
    if len(model.inputs) != 1 or got_in != want_in:
        return (f"应该只有一个输入，形状是 {want_in}；你的模型是 {got_in}。",
                f"there should be one input of shape {want_in}; yours is {got_in}.")
    got_out = tuple(model.outputs[0].shape)
    if len(model.outputs) != 1 or got_out != (None, n_out):
        return (f"输出形状应该是 (None, {n_out})：每个类别一个概率。你的是 {got_out}。",
                f"the output shape should be (None, {n_out}), one probability per class; "
                f"yours is {got_out}.")
    x = np.random.default_rng(0).random((4,) + tuple(input_shape)).astype("float32")
    p = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        return ("输出层需要 activation='softmax'，这样每一行才是加起来等于 1 的概率。",
                "the output layer needs activation='softmax', so that each row is "
                "probabilities that add up to 1.")
    return None


@exercise("01_one_hot", "每一行只有一个 1，位置就是标签。",
          "Each row has a single 1, in the label's column.")
def _one_hot(answer):
    expected = np.eye(3)[[2, 0, 1, 2]]
    got = _array(answer)
    if got.shape != expected.shape:
        return (f"形状应该是 (4, 3)：每个标签一行，每个类别一列。你的是 {got.shape}。"
                "试试 to_categorical(labels, num_classes=3)。",
                f"the shape should be (4, 3): one row per label, one column per class; "
                f"yours is {got.shape}. Try to_categorical(labels, num_classes=3).")
    for i, (row, want) in enumerate(zip(got, expected)):
        if not np.array_equal(row, want):
            return (f"第 {i} 行应该是 {want.astype(int).tolist()}，你的是 {row.tolist()}。",
                    f"row {i} should be {want.astype(int).tolist()}; yours is {row.tolist()}.")
    return None


@exercise("02_functional", "64 → 32 → 10，一共 2,410 个参数。",
          "64 -> 32 -> 10, 2,410 parameters in all.")
def _functional(answer):
    hint = _model_hint(answer, (64,), 10)
    if hint is None and answer.count_params() != 2410:
        return (f"参数个数应该是 2,410（64×32+32 加 32×10+10），你的是 {answer.count_params():,}。"
                "隐藏层是 Dense(32)。",
                f"it should have 2,410 parameters (64*32+32 plus 32*10+10); yours has "
                f"{answer.count_params():,}. The hidden layer is Dense(32).")
    return hint


@exercise("03_sigmoid", "sigmoid(z) = 1 / (1 + e^(-z))，输出总在 0 和 1 之间。",
          "sigmoid(z) = 1 / (1 + e^(-z)), always between 0 and 1.")
def _sigmoid(answer):
    if not callable(answer):
        return _not_a_function("def my_sigmoid(z): ...")
    z = np.linspace(-6.0, 6.0, 25)
    got, hint = _returned(answer, z)
    if hint:
        return hint
    want = 1.0 / (1.0 + np.exp(-z))
    if got.shape != z.shape:
        return (f"对 25 个输入应该返回 25 个值，你的是形状 {got.shape}。请用 np.exp 逐元素计算。",
                f"25 inputs should give 25 values; yours has shape {got.shape}. "
                "Use np.exp, element by element.")
    if not np.allclose(got, want, atol=1e-5):
        i = int(np.argmax(np.abs(got - want)))
        return (f"sigmoid({z[i]:g}) 应该是 {want[i]:.4f}，你的是 {got[i]:.4f}。"
                "公式是 1 / (1 + np.exp(-z))。",
                f"sigmoid({z[i]:g}) should be {want[i]:.4f}; yours gives {got[i]:.4f}. "
                "The formula is 1 / (1 + np.exp(-z)).")
    return None


@exercise("04_keras3_names", "这就是 Keras 3 的写法：learning_rate，没有 decay。",
          "That is Keras 3's spelling: learning_rate, and no decay.")
def _keras3_names(answer):
    if not isinstance(answer, dict):
        return ("答案应该是一个 dict，例如 {'learning_rate': ..., ...}。",
                "the answer should be a dict, like {'learning_rate': ..., ...}.")
    if "lr" in answer:
        return ("Keras 3 里 lr 改名为 learning_rate。", "Keras 3 renamed lr to learning_rate.")
    if "decay" in answer:
        return ("Keras 3 没有 decay 参数；decay=0.0 的意思是学习率不变，直接去掉即可。",
                "Keras 3 has no decay argument; decay=0.0 means a constant rate, so just drop it.")
    want = {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}
    for key, value in want.items():
        if key not in answer:
            return (f"缺少 '{key}'。", f"'{key}' is missing.")
        if answer[key] != value:
            return (f"'{key}' 应该是 {value!r}，你的是 {answer[key]!r}。",
                    f"'{key}' should be {value!r}; yours is {answer[key]!r}.")
    import nbkeras

    nbkeras.optimizers.SGD(**answer)  # any other key: the optimizer's own error is the hint
    return None


@exercise("05_bce_by_hand", "这就是真实类别的 -log(p) 的平均值。",
          "That is the mean of -log(p) for the true class.")
def _bce_by_hand(answer):
    t, p = np.array([1.0, 0.0, 1.0]), np.array([0.8, 0.3, 0.6])
    per_sample = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    want, got = per_sample.mean(), _number(answer)
    if np.isclose(got, want, rtol=1e-3):
        return None
    if np.isclose(got, -want, rtol=1e-3):
        return ("符号反了：交叉熵是 -log(p)，总是 ≥ 0。", "the sign is flipped: it is -log(p), never negative.")
    if np.isclose(got, per_sample.sum(), rtol=1e-3):
        return ("这是总和；Keras 的损失是每个样本的平均值（除以 3）。",
                "that is the sum; Keras's loss is the mean over the samples (divide by 3).")
    if np.isclose(got, want / np.log(10), rtol=1e-3):
        return ("用的是 log10；交叉熵用自然对数 np.log。", "that used log10; crossentropy uses the natural log, np.log.")
    return (f"应该约等于 {want:.4f}，你的是 {got:.4f}。对标签 1 用 -log(p)，对标签 0 用 -log(1-p)，再取平均。",
            f"it should be about {want:.4f}; yours is {got:.4f}. Use -log(p) for label 1 and "
            "-log(1-p) for label 0, then average.")


@exercise("06_precision_recall", "precision 问“说是的里面有多少真是”，recall 问“真是的里面找到了多少”。",
          "Precision asks how many of the predicted 1s are right; recall, how many of the real 1s were found.")
def _precision_recall(answer):
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return ("答案应该是两个数：(precision, recall)。", "the answer should be two numbers: (precision, recall).")
    precision, recall = (_number(a) for a in answer)
    if np.isclose(precision, 0.75) and np.isclose(recall, 0.6):
        return ("两个数顺序反了：先 precision 再 recall。", "the two are swapped: precision first, then recall.")
    if not np.isclose(precision, 0.6):
        return (f"precision = TP / (TP + FP)。阈值 0.5 下预测为 1 的有 5 个，你的是 {precision:.4f}。",
                f"precision = TP / (TP + FP); at threshold 0.5, 5 samples are predicted 1. "
                f"Yours is {precision:.4f}.")
    if not np.isclose(recall, 0.75):
        return (f"recall = TP / (TP + FN)。真实为 1 的有 4 个，你的是 {recall:.4f}。",
                f"recall = TP / (TP + FN); 4 samples are really 1. Yours is {recall:.4f}.")
    return None


@exercise("07_bn_inference", "推理时用的是滑动均值和滑动方差，而不是这一批数据的统计量。",
          "At inference BatchNormalization uses the moving statistics, not the batch's own.")
def _bn_inference(answer):
    if not callable(answer):
        return _not_a_function("def bn_inference(x, gamma, beta, moving_mean, moving_variance): ...")
    import nbkeras

    rng = np.random.default_rng(7)
    x = rng.normal(3.0, 2.0, (6, 4))
    weights = [rng.uniform(0.5, 2, 4), rng.normal(0, 1, 4), rng.normal(1, 1, 4), rng.uniform(0.5, 3, 4)]
    layer = nbkeras.layers.BatchNormalization()
    layer.build((None, 4))
    layer.set_weights(weights)
    want = np.asarray(layer(x.astype("float32"), training=False), dtype=np.float64)
    got, hint = _returned(answer, x, *weights)
    if hint:
        return hint
    if got.shape != want.shape:
        return (f"输出形状应该和 x 一样 {want.shape}，你的是 {got.shape}。",
                f"the output should have x's shape {want.shape}; yours has {got.shape}.")
    if np.allclose(got, want, rtol=1e-4, atol=1e-4):
        return None
    batch = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * weights[0] + weights[1]
    if np.allclose(got, batch, rtol=1e-4, atol=1e-4):
        return ("你用了这一批的均值和方差；推理时要用 moving_mean 和 moving_variance。",
                "you used the batch's mean and variance; at inference use moving_mean and moving_variance.")
    return ("公式是 (x - moving_mean) / sqrt(moving_variance + 0.001) * gamma + beta（epsilon 默认 0.001）。",
            "the formula is (x - moving_mean) / sqrt(moving_variance + 0.001) * gamma + beta "
            "(epsilon defaults to 0.001).")


@exercise("08_lr_schedule", "每 2 个 epoch 减半：0.1, 0.1, 0.05, 0.05, 0.025, ...",
          "Halved every 2 epochs: 0.1, 0.1, 0.05, 0.05, 0.025, ...")
def _lr_schedule(answer):
    if not callable(answer):
        return _not_a_function("def schedule(epoch, lr): ...")
    want = [0.1 * 0.5 ** (epoch // 2) for epoch in range(6)]
    lr, got = 0.1, []
    for epoch in range(6):  # as LearningRateScheduler calls it: (epoch, lr), else (epoch)
        try:
            lr = answer(epoch, lr)
        except TypeError:
            lr = answer(epoch)
        if lr is None:
            return ("你的函数返回了 None：别忘了 return。", "your function returned None: add a return.")
        lr = _number(lr)
        got.append(lr)
    if np.allclose(got, want, rtol=1e-6):
        return None
    shown = ", ".join(f"{v:g}" for v in got)
    return (f"epoch 0 到 5 的学习率应该是 0.1, 0.1, 0.05, 0.05, 0.025, 0.025，你的是 {shown}。"
            "提示：0.1 * 0.5 ** (epoch // 2)。",
            f"the rates for epochs 0 to 5 should be 0.1, 0.1, 0.05, 0.05, 0.025, 0.025; yours are "
            f"{shown}. Hint: 0.1 * 0.5 ** (epoch // 2).")


@exercise("09_l2_penalty", "L2 惩罚 = 系数 × 权重平方和。", "The L2 penalty is the factor times the sum of squared weights.")
def _l2_penalty(answer):
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    want, got = 0.01 * np.sum(w ** 2), _number(answer)
    if np.isclose(got, want, rtol=1e-4):
        return None
    if np.isclose(got, np.sum(w ** 2)):
        return ("别忘了乘以系数 0.01。", "don't forget the factor 0.01.")
    if np.isclose(got, 0.01 * np.sum(np.abs(w))):
        return ("这是 L1（绝对值之和）；L2 用平方。", "that is L1 (sum of absolute values); L2 squares the weights.")
    return (f"应该是 0.01 × (1² + 2² + 0.5² + 3²)，你的是 {got:g}。",
            f"it should be 0.01 * (1² + 2² + 0.5² + 3²); yours is {got:g}.")


@exercise("10_cnn", "卷积层看的是 8×8 图像里的局部小块。", "The convolution looks at small patches of the 8x8 image.")
def _cnn(answer):
    import nbkeras

    hint = _model_hint(answer, (8, 8, 1), 10)
    if hint is None and not any(isinstance(layer, nbkeras.layers.Conv2D) for layer in answer.layers):
        return ("模型里至少要有一个 Conv2D 层。", "the model needs at least one Conv2D layer.")
    return hint


@exercise("11_attention_weights", "每一行是一个查询对三个键的 softmax 权重，加起来等于 1。",
          "Each row is one query's softmax weights over the three keys, adding up to 1.")
def _attention_weights(answer):
    q = np.array([[1.0, 0.0], [0.0, 2.0]])
    k = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]])

    def softmax(s, axis=-1):
        e = np.exp(s - s.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    scores = q @ k.T
    want, got = softmax(scores / np.sqrt(2.0)), _array(answer)
    if got.shape != want.shape:
        return (f"形状应该是 (2, 3)：每个查询一行，每个键一列。你的是 {got.shape}。"
                "分数是 q @ k.T。",
                f"the shape should be (2, 3): one row per query, one column per key; yours is "
                f"{got.shape}. The scores are q @ k.T.")
    if np.allclose(got, want, atol=1e-4):
        return None
    if np.allclose(got, scores / np.sqrt(2.0), atol=1e-4) or np.allclose(got, scores, atol=1e-4):
        return ("这是分数，还没有做 softmax：np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)。",
                "those are the scores, before the softmax: np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True).")
    if np.allclose(got, softmax(scores), atol=1e-4):
        return ("忘了除以 √d（这里 d = 2）：softmax(q @ k.T / np.sqrt(2))。",
                "the scores need dividing by √d (d = 2 here): softmax(q @ k.T / np.sqrt(2)).")
    if np.allclose(got, softmax(scores / np.sqrt(2.0), axis=0), atol=1e-4):
        return ("softmax 做错了方向：每一行（axis=-1）加起来等于 1，而不是每一列。",
                "the softmax ran the wrong way: each row (axis=-1) should add up to 1, not each column.")
    return (f"第一行应该约等于 {np.round(want[0], 4).tolist()}，你的是 {np.round(got[0], 4).tolist()}。",
            f"the first row should be about {np.round(want[0], 4).tolist()}; yours is "
            f"{np.round(got[0], 4).tolist()}.")

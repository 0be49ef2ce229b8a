from cells import code, exercise, md
from lesson_01_data import SETUP

NAME = "11_attention"
TITLE = {"zh": "第 11 课　注意力机制和一个小 Transformer", "en": "Lesson 11 · Attention and a small Transformer"}

CELLS = [
    md(zh="""
        上一课的 LSTM 一步一步地读序列。**Transformer** 换了一种读法：每个位置直接「看」序列里的所有位置，
        自己决定该关注哪些。这个「看」就是**注意力（attention）**。这一课：
        1. 注意力到底算了什么：查询（query）、键（key）、值（value），以及缩放后的分数经过 softmax；
        2. 用 `layers.MultiHeadAttention` 和自己写的层（`TransformerBlock`、`TokenAndPositionEmbedding`）
           搭一个小 Transformer 分类器；
        3. 在一个**和顺序有关**的任务上，和只会「数词」的词袋模型比一比；
        4. 带自定义层的模型存成 `.keras` 文件，再读回来。
        """,
       en="""
        Last lesson's LSTM read a sequence one step at a time. A **Transformer** reads it
        differently: every position looks at every other position at once and decides which
        ones matter. That look is **attention**. In this lesson:
        1. what attention computes: queries, keys, values, and a softmax of scaled scores;
        2. a small Transformer classifier from `layers.MultiHeadAttention` and two layers of
           our own (`TransformerBlock`, `TokenAndPositionEmbedding`);
        3. a task where **order** matters, against a bag-of-words model that only counts;
        4. saving the model, custom layers and all, as a `.keras` file and loading it back.
        """),
    SETUP,
    md(zh="""
        ## 1. 注意力算的是什么

        每个位置有三个向量：**查询** q（「我在找什么」）、**键** k（「我这里有什么」）和**值** v
        （「找到我时带走什么」）。位置 i 对位置 j 的分数是 q_i · k_j 除以 √d（d 是向量长度，
        除以它让分数不至于太大）；对每一行分数做 softmax，得到加起来等于 1 的**注意力权重**；
        输出是各个值按权重的加权平均：

        &nbsp;&nbsp;&nbsp;&nbsp;**输出 = softmax(q kᵀ / √d) · v**

        下面是 4 个「词」、每个 2 维的小例子。先用 NumPy 一步步算，再和 `ops.dot_product_attention`
        对照。`ops.dot_product_attention` 的输入形状是 (批量, 序列长度, 头数, 维数)。
        """,
       en="""
        ## 1. What attention computes

        Each position carries three vectors: a **query** q ("what am I looking for"), a **key**
        k ("what do I hold") and a **value** v ("what I hand over when I am picked").
        Position i scores position j with q_i · k_j divided by √d (d is the vectors' length;
        the division keeps the scores from growing too large). A softmax over each row of
        scores gives **attention weights** that add up to 1, and the output is the average
        of the values, weighted by them:

        &nbsp;&nbsp;&nbsp;&nbsp;**output = softmax(q kᵀ / √d) · v**

        Below, 4 "words" of 2 numbers each. First step by step in NumPy, then against
        `ops.dot_product_attention`, whose inputs are shaped (batch, sequence length, heads,
        size).
        """),
    code("""
        from nbkeras import layers, ops

        words = ["cat", "dog", "sat", "ran"]
        x = np.array([[2.0, 0.0],     # cat
                      [1.8, 0.4],     # dog: close to cat
                      [0.0, 2.0],     # sat
                      [0.2, 1.8]],    # ran: close to sat
                     dtype="float32")
        q = k = v = x                 # self-attention: the words look at each other

        scores = q @ k.T / np.sqrt(q.shape[-1])                                   # (4, 4)
        weights = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)     # softmax per row
        by_hand = weights @ v
        print("weights (each row adds up to 1):")
        print(np.round(weights, 2))

        fused = ops.dot_product_attention(q[None, :, None, :], k[None, :, None, :], v[None, :, None, :])
        print("ops.dot_product_attention agrees:", np.allclose(np.asarray(fused)[0, :, 0, :], by_hand, atol=1e-6))
    """),
    code("""
        def show_attention(weights, labels, title, ax):
            ax.imshow(weights, cmap="viridis", vmin=0)
            ax.set_xticks(range(len(labels)), labels)
            ax.set_yticks(range(len(labels)), labels)
            ax.set_xlabel("key (looked at)")
            ax.set_ylabel("query (looking)")
            ax.set_title(title)

        fig, ax = plt.subplots(figsize=(3.2, 3.2))
        show_attention(weights, words, "softmax(q kᵀ / √d)", ax)
        plt.show()
    """),
    md(zh="""
        每一行是一个词在「看」谁：cat 主要看 cat 和 dog，sat 主要看 sat 和 ran。相似的向量点积大，权重就大。

        真正的模型不会直接用词向量当 q、k、v：`layers.MultiHeadAttention` 先用三个学出来的 `Dense`
        投影把输入变成 q、k、v，而且同时算好几组（**多头，multi-head**），每个头可以关注不同的东西，
        最后把各头的输出拼起来再投影回去。`return_attention_scores=True` 会把每个头的权重也返回，
        形状是 (批量, 头数, 查询位置, 键位置)：
        """,
       en="""
        Each row is one word looking around: cat looks mostly at cat and dog, sat at sat and
        ran. Similar vectors have a large dot product, hence a large weight.

        A real model does not use the word vectors as q, k and v directly:
        `layers.MultiHeadAttention` first maps its input to q, k and v with three learned
        `Dense` projections, and does so several times over (**multi-head**), so that each head
        can attend to something different; the heads' outputs are joined and projected back.
        `return_attention_scores=True` also returns every head's weights, shaped (batch,
        heads, query position, key position):
        """),
    code("""
        mha = layers.MultiHeadAttention(num_heads=2, key_dim=2)
        output, attention = mha(x[None], x[None], return_attention_scores=True)
        print("output:", tuple(output.shape), " attention weights:", tuple(attention.shape))
        print("each row adds up to 1:", np.allclose(np.asarray(attention).sum(axis=-1), 1.0, atol=1e-5))
    """),
    md(zh="""
        ## 2. 一个和顺序有关的任务

        每个样本是 10 个词的序列（词的编号 0–11）。里面恰好有一个 `A`（编号 1）和一个 `B`（编号 2），
        其余是随机的填充词（3–11）。标签：`A` 在 `B` **前面**为 1，否则为 0。

        注意：把一个序列里的词打乱顺序，词的**种类和个数**都不变，标签却可能变。所以只看「有哪些词」的模型
        在这里只能瞎猜（50%），必须知道**位置**才行。数据用固定的随机种子生成，不用联网。
        """,
       en="""
        ## 2. A task where order matters

        Each sample is a sequence of 10 words (numbered 0–11). It holds exactly one `A` (word
        1) and one `B` (word 2); the rest are random fillers (3–11). The label is 1 when `A`
        comes **before** `B`, else 0.

        Note that shuffling a sequence keeps **which words and how many** but may flip the
        label. A model that only sees which words occur can do no better than guessing (50%):
        it needs the **positions**. The data is generated with a fixed seed, no download.
        """),
    code("""
        MAXLEN, VOCAB, A, B = 10, 12, 1, 2

        def a_before_b(n, rng):
            x = rng.integers(3, VOCAB, size=(n, MAXLEN))
            where = np.array([rng.choice(MAXLEN, 2, replace=False) for _ in range(n)])
            x[np.arange(n), where[:, 0]] = A
            x[np.arange(n), where[:, 1]] = B
            y = (where[:, 0] < where[:, 1]).astype("int32")
            return x, y

        rng = np.random.default_rng(0)
        x_train, y_train = a_before_b(2000, rng)
        x_test, y_test = a_before_b(500, rng)

        def spell(seq):
            return " ".join({A: "A", B: "B"}.get(int(t), ".") for t in seq)

        for seq, label in zip(x_train[:4], y_train[:4]):
            print(spell(seq), "  label", label)
        print("x_train:", x_train.shape, " share of label 1:", y_train.mean())
    """),
    md(zh="""
        ## 3. 基线：词袋模型（bag of embeddings）

        `Embedding` 把每个词变成一个向量，`GlobalAveragePooling1D` 对所有位置取平均。平均值和顺序无关，
        所以这个模型看不出 `A` 和 `B` 谁在前：
        """,
       en="""
        ## 3. The baseline: a bag of embeddings

        `Embedding` turns each word into a vector and `GlobalAveragePooling1D` averages them
        over the positions. An average does not depend on the order, so this model cannot tell
        whether `A` or `B` comes first:
        """),
    code("""
        bag = keras.Sequential([
            keras.Input((MAXLEN,), dtype="int32"),
            layers.Embedding(VOCAB, 16),
            layers.GlobalAveragePooling1D(),
            layers.Dense(16, activation="relu"),
            layers.Dense(2, activation="softmax"),
        ], name="bag_of_embeddings")
        bag.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        bag.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.1, verbose=1)
        print("bag of embeddings, test accuracy:", round(bag.evaluate(x_test, y_test, verbose=0)[1], 2))
    """),
    md(zh="""
        大约 0.5：和扔硬币一样。它不是没训练好，而是根本没有办法知道顺序。

        ## 4. 自己写两个层

        **`TokenAndPositionEmbedding`**：词向量加上**位置向量**（位置 0–9 各有一个学出来的向量），
        这样同一个词在不同位置的表示就不一样了。

        **`TransformerBlock`**：自注意力（`MultiHeadAttention(x, x)`）→ `Dropout` → 加回输入（**残差连接**）
        → `LayerNormalization`；再接一个前馈网络（两个 `Dense`）→ `Dropout` → 残差 → `LayerNormalization`。

        两个层都继承 `layers.Layer`：在 `__init__` 里创建子层，在 `call` 里写计算。`build` 按输入形状建好子层的权重，
        `get_config` 返回构造参数，`@keras.saving.register_keras_serializable` 登记这个类，这样 `.keras`
        文件才能把它们重新建出来、装入权重（第 6 节）。
        """,
       en="""
        About 0.5: a coin toss. It is not badly trained; it has no way to see the order.

        ## 4. Two layers of our own

        **`TokenAndPositionEmbedding`** adds a **position vector** to each word's vector (one
        learned vector per position 0–9), so the same word looks different at different places.

        **`TransformerBlock`**: self-attention (`MultiHeadAttention(x, x)`) → `Dropout` → add
        the input back (a **residual connection**) → `LayerNormalization`; then a feed-forward
        network (two `Dense`) → `Dropout` → residual → `LayerNormalization`.

        Both subclass `layers.Layer`: the sublayers are made in `__init__`, the computation is
        written in `call`. `build` makes the sublayers' weights for the input's shape,
        `get_config` returns the constructor's arguments and
        `@keras.saving.register_keras_serializable` registers the class, so that a `.keras`
        file can make them again and load their weights (section 6).
        """),
    code("""
        @keras.saving.register_keras_serializable(package="lesson11")
        class TokenAndPositionEmbedding(layers.Layer):
            def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
                super().__init__(**kwargs)
                self.maxlen, self.vocab_size, self.embed_dim = maxlen, vocab_size, embed_dim
                self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
                self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

            def call(self, x):
                positions = ops.arange(0, ops.shape(x)[-1])    # 0, 1, ..., length - 1
                return self.token_emb(x) + self.pos_emb(positions)

            def build(self, input_shape):        # build the sublayers, so a loaded model gets its weights
                self.token_emb.build(input_shape)
                self.pos_emb.build((self.maxlen,))

            def get_config(self):
                config = super().get_config()
                config.update(maxlen=self.maxlen, vocab_size=self.vocab_size, embed_dim=self.embed_dim)
                return config


        @keras.saving.register_keras_serializable(package="lesson11")
        class TransformerBlock(layers.Layer):
            def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
                super().__init__(**kwargs)
                self.embed_dim, self.num_heads, self.ff_dim, self.rate = embed_dim, num_heads, ff_dim, rate
                self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads)
                self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
                self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
                self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
                self.dropout1 = layers.Dropout(rate)
                self.dropout2 = layers.Dropout(rate)

            def call(self, inputs, training=False):
                attn_output = self.dropout1(self.att(inputs, inputs), training=training)
                out1 = self.layernorm1(inputs + attn_output)          # residual, then normalize
                ffn_output = self.dropout2(self.ffn(out1), training=training)
                return self.layernorm2(out1 + ffn_output)

            def build(self, input_shape):
                self.att.build(input_shape, input_shape)
                self.ffn.build(input_shape)
                self.layernorm1.build(input_shape)
                self.layernorm2.build(input_shape)

            def get_config(self):
                config = super().get_config()
                config.update(embed_dim=self.embed_dim, num_heads=self.num_heads,
                              ff_dim=self.ff_dim, rate=self.rate)
                return config
    """),
    md(zh="""
        ## 5. Transformer 分类器

        和词袋模型只差一处：`Embedding` 换成带位置的 `TokenAndPositionEmbedding`，后面加一个 `TransformerBlock`。
        最后同样用 `GlobalAveragePooling1D` 取平均，但这时每个位置的向量已经通过注意力「看过」了别的位置，
        包含了谁在前、谁在后的信息。在 2 核的机器上训练只要几秒钟。
        """,
       en="""
        ## 5. The Transformer classifier

        One change from the bag of embeddings: `Embedding` becomes the position-aware
        `TokenAndPositionEmbedding`, followed by a `TransformerBlock`. The end is the same
        `GlobalAveragePooling1D`, but by then each position's vector has looked at the others
        through attention and carries which word came first. Training takes a few seconds on a
        2-core machine.
        """),
    code("""
        inputs = keras.Input((MAXLEN,), dtype="int32")
        h = TokenAndPositionEmbedding(MAXLEN, VOCAB, 16)(inputs)
        h = TransformerBlock(embed_dim=16, num_heads=2, ff_dim=32, rate=0.1)(h)
        h = layers.GlobalAveragePooling1D()(h)
        outputs = layers.Dense(2, activation="softmax")(h)
        transformer = keras.Model(inputs, outputs, name="a_before_b")
        transformer.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        transformer.summary()
    """),
    code("""
        history = transformer.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.1, verbose=1)
        print("transformer, test accuracy:", round(transformer.evaluate(x_test, y_test, verbose=0)[1], 2))
    """),
    md(zh="""
        测试准确率接近 1.0（几乎全对），而词袋模型只有 0.5。两样东西缺一不可：**位置向量**让模型知道每个词在哪里，
        **注意力**让每个位置能和 `A`、`B` 所在的位置比较。（试试看：把 `TokenAndPositionEmbedding` 换成普通的
        `layers.Embedding(VOCAB, 16)` 再训练一次。没有位置信息，注意力加平均也和顺序无关，准确率又回到 0.5。）

        训练好的注意力在看什么？取出模型里的两个层，对一个测试样本算一遍，画出两个头的权重：
        """,
       en="""
        The test accuracy is close to 1.0 (almost all right), against 0.5 for the bag of
        embeddings. Both parts are needed: the **position vectors** tell the model where each
        word is, and **attention** lets every position compare itself with where `A` and `B`
        are. (Try it: swap `TokenAndPositionEmbedding` for a plain `layers.Embedding(VOCAB, 16)`
        and train again. Without positions, attention followed by an average is blind to order
        too, and the accuracy falls back to 0.5.)

        What does the trained attention look at? Take the model's two layers, run them on one
        test sample and draw both heads' weights:
        """),
    code("""
        embed, block = transformer.layers[1], transformer.layers[2]
        sample = x_test[:1]
        _, attention = block.att(embed(sample), embed(sample), return_attention_scores=True)
        labels = spell(sample[0]).split()

        fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
        for head, ax in enumerate(axes):
            show_attention(np.asarray(attention)[0, head], labels, f"head {head}", ax)
        plt.tight_layout()
        plt.show()
        print(spell(sample[0]), "  label", y_test[0], "  predicted", int(transformer.predict(sample, verbose=0).argmax()))
    """),
    md(zh="""
        亮的格子是权重大的地方。通常会看到一个头的很多位置都去看 `A` 所在的那一列，另一个头去看 `B` 那一列：模型学会了去找这两个词。

        ## 6. 保存并重新读入

        `transformer.save(...)` 写出 `.keras` 文件。读回来时，Keras 按 `config.json` 里登记的名字
        （`lesson11>TransformerBlock`）找到我们的类，用 `get_config` 的参数重新构造，调用 `build`，再装入权重。
        同样的代码和文件在真正的 Keras 3 里也能用（只要先运行定义这两个类的单元格）。
        """,
       en="""
        Bright squares are large weights. Typically most positions of one head look at the
        column of `A`, and those of the other head at `B`'s: the model has learned to find
        those two words.

        ## 6. Save and load back

        `transformer.save(...)` writes a `.keras` file. On loading, Keras finds our classes by
        the names registered in `config.json` (`lesson11>TransformerBlock`), makes them again
        from `get_config`'s arguments, builds them and loads the weights. The same code and file work in
        real Keras 3 (after running the cell that defines the two classes).
        """),
    code("""
        import os, tempfile

        path = os.path.join(tempfile.mkdtemp(), "a_before_b.keras")
        transformer.save(path)
        restored = keras.models.load_model(path)
        print("layers:", [type(layer).__name__ for layer in restored.layers])
        print("block config:", {key: restored.layers[2].get_config()[key] for key in ("embed_dim", "num_heads", "ff_dim", "rate")})
        same = np.allclose(restored.predict(x_test, verbose=0), transformer.predict(x_test, verbose=0), atol=1e-6)
        print("same predictions:", same)
    """),
    md(zh="""
        ## 练习：亲手算注意力权重

        两个查询 `q`（2×2）和三个键 `k`（3×2）。算出注意力权重 softmax(q kᵀ / √d)，形状 (2, 3)，
        每一行加起来等于 1。赋值给 `answer`，运行单元格检查。（提示：看第 1 节的代码。）
        """,
       en="""
        ## Exercise: attention weights by hand

        Two queries `q` (2×2) and three keys `k` (3×2). Compute the attention weights
        softmax(q kᵀ / √d), of shape (2, 3), each row adding up to 1. Assign them to `answer`
        and run the cell to check. (Hint: section 1's code.)
        """),
    exercise(
        prompt="""
            q = np.array([[1.0, 0.0], [0.0, 2.0]])
            k = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]])
            answer = None   # ← 你的代码 / your code
            tutorial.check("11_attention_weights", answer)
        """,
        solution="""
            q = np.array([[1.0, 0.0], [0.0, 2.0]])
            k = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 1.0]])
            scores = q @ k.T / np.sqrt(q.shape[-1])
            answer = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
            tutorial.check("11_attention_weights", answer)
        """),
    md(zh="""
        **小结**：注意力 = softmax(q kᵀ / √d) · v，每个位置按权重取其他位置的值；`MultiHeadAttention` 有可学习的投影和多个头；
        注意力本身不知道顺序，要靠位置向量；自定义层写好 `get_config` 并登记，就能存进 `.keras` 文件。
        """,
       en="""
        **Summary**: attention is softmax(q kᵀ / √d) · v, each position taking the others'
        values by weight; `MultiHeadAttention` adds learned projections and several heads;
        attention by itself is blind to order, position vectors fix that; custom layers with a
        `get_config` and a registration go into `.keras` files.
        """),
]

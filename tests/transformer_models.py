"""A small transformer text classifier built the way keras.io's "Text classification with
Transformer" example builds it: a custom `TokenAndPositionEmbedding` layer and a custom
`TransformerBlock` layer (MultiHeadAttention, LayerNormalization, a Dense FFN, residuals).

Each builder takes the `keras` module, so real Keras (tools/goldens_attention.py) and
nbkeras (tests/test_parity_attention.py, bench/) build the same model.
"""

_CLASSES = {}


def classes(k):
    """(TokenAndPositionEmbedding, TransformerBlock) written against the module `k`."""
    if id(k) in _CLASSES:
        return _CLASSES[id(k)]
    L = k.layers

    class TransformerBlock(L.Layer):
        def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
            super().__init__(**kwargs)
            self.att = L.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
            self.ffn = k.Sequential([L.Dense(ff_dim, activation="relu"), L.Dense(embed_dim)])
            self.layernorm1 = L.LayerNormalization(epsilon=1e-6)
            self.layernorm2 = L.LayerNormalization(epsilon=1e-6)
            self.dropout1 = L.Dropout(rate)
            self.dropout2 = L.Dropout(rate)

        def call(self, inputs, training=False):
            attn_output = self.att(inputs, inputs)
            attn_output = self.dropout1(attn_output, training=training)
            out1 = self.layernorm1(inputs + attn_output)
            ffn_output = self.ffn(out1)
            ffn_output = self.dropout2(ffn_output, training=training)
            return self.layernorm2(out1 + ffn_output)

    class TokenAndPositionEmbedding(L.Layer):
        def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
            super().__init__(**kwargs)
            self.token_emb = L.Embedding(input_dim=vocab_size, output_dim=embed_dim)
            self.pos_emb = L.Embedding(input_dim=maxlen, output_dim=embed_dim)

        def call(self, x):
            maxlen = k.ops.shape(x)[-1]
            positions = k.ops.arange(start=0, stop=maxlen, step=1)
            positions = self.pos_emb(positions)
            x = self.token_emb(x)
            return x + positions

    _CLASSES[id(k)] = (TokenAndPositionEmbedding, TransformerBlock)
    return _CLASSES[id(k)]


def classifier(k, maxlen=20, vocab_size=50, embed_dim=16, num_heads=2, ff_dim=16, rate=0.0,
               classes_out=2):
    """Input(maxlen) -> token+position embedding -> TransformerBlock -> mean over time ->
    Dense(20, relu) -> Dense(classes_out, softmax), as in the keras.io example."""
    Embed, Block = classes(k)
    L = k.layers
    inputs = L.Input(shape=(maxlen,))
    x = Embed(maxlen, vocab_size, embed_dim)(inputs)
    x = Block(embed_dim, num_heads, ff_dim, rate)(x)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dropout(rate)(x)
    x = L.Dense(20, activation="relu")(x)
    x = L.Dropout(rate)(x)
    outputs = L.Dense(classes_out, activation="softmax")(x)
    return k.Model(inputs=inputs, outputs=outputs)

"""Row scatter-add: the backward pass of a row gather (`Embedding`'s lookup)."""

from nbkeras.backend.cpu._jit import jit


@jit
def scatter_add_rows(idx, g, out):
    """out[idx[i], :] += g[i, :] for every row i of the 2-D g (repeated indices add up).

    Serial, in index order (so sums are deterministic); NumPy's `add.at` does the same
    about 20x slower. Indices must lie in [0, out.shape[0]) (the layer checks them).
    """
    for i in range(idx.shape[0]):
        r = idx[i]
        for j in range(g.shape[1]):
            out[r, j] += g[i, j]

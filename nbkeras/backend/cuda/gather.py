"""Row scatter-add with atomic adds, one thread per element of g (see the CPU twin)."""

from numba import cuda

from nbkeras.backend.cuda._launch import kernel, launch


@kernel
def _scatter_add_rows(idx, g, out):
    t = cuda.grid(1)
    if t < g.size:
        i, j = t // g.shape[1], t % g.shape[1]
        cuda.atomic.add(out, (idx[i], j), g[i, j])


def scatter_add_rows(idx, g, out):
    """out[idx[i], :] += g[i, :] for every row i of the 2-D g (repeated indices add up)."""
    launch(_scatter_add_rows, g.size, idx, g, out)

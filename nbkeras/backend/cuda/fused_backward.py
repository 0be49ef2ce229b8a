"""The fused backward kernels on the GPU, as the kernels they fuse: the activation's
derivative (`act_backward`), the bias gradient (`col_sum`) and cuBLAS's product.

Same names and arguments as `nbkeras.backend.cpu.fused_backward`; a GPU reads the
gradient at its memory bandwidth, so the CPU's one-pass fusion is left to a later kernel.
"""

from nbkeras.backend.cuda.activations import act_backward, col_sum
from nbkeras.backend.cuda.arrays import matmul, xp


def bias_act_backward(g, z, y, dz, gb, code, alpha):
    """dz = g * f'(z) (y = f(z); z may be y) and gb = the column sums of dz."""
    act_backward(g.reshape(-1), z.reshape(-1), y.reshape(-1), dz.reshape(-1), code, alpha)
    col_sum(dz, gb)


def bias_act_weight_backward(g, z, y, a, dz, gw, gb, code, alpha):
    """As `bias_act_backward`, and gw = a.T @ dz; dz is written only when it has rows."""
    d = dz if dz.shape[0] else xp.empty(g.shape, g.dtype)
    bias_act_backward(g, z, y, d, gb, code, alpha)
    gw[...] = matmul(a.T, d)

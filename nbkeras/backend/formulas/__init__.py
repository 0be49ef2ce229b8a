"""Scalar formulas written once and compiled by every device: optimizer update rules,
activation values and derivatives, loss terms.

Each formula is a `numba.njit` function of scalars (see `formula`). A CPU kernel calls
it inside its loop (inlined into the loop at Numba's IR level, so the loop still
vectorizes with the kernel's fastmath flags); a `numba.cuda` kernel calls the same
function, which numba-cuda compiles as a device function with the target options given
here. Under Numba's CUDA simulator the kernels call the CPU-compiled function.

Example (inside a CPU kernel and a CUDA kernel alike):

    var[i], m[i] = sgd_momentum(var[i], grad[i], m[i], lr, momentum, nesterov)
"""

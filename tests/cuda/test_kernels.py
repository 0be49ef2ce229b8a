"""Every CUDA kernel against its CPU twin, on tiny arrays (see cases.py)."""

import copy

import numpy as np
import pytest

from cases import all_cases

CASES = all_cases()


def _run(module, name, args):
    getattr(module, name)(*args)
    return args


@pytest.mark.parametrize("name,build,skip", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kernel_matches_cpu(cuda_kernels, name, build, skip):
    from nbkeras.backend import cpu

    args = build()
    want = _run(cpu, name, copy.deepcopy(args))
    got = _run(cuda_kernels, name, copy.deepcopy(args))
    for k, (w, g) in enumerate(zip(want, got)):
        if isinstance(w, np.ndarray) and k not in skip:
            tol = 1e-12 if w.dtype == np.float64 and name != "batch_norm_train_forward" else 2e-6
            np.testing.assert_allclose(np.asarray(g), w, rtol=tol * 5, atol=tol,
                                       err_msg=f"{name}: argument {k}")


def test_the_cuda_device_exports_exactly_the_interface(cuda_kernels):
    from nbkeras.backend import interface

    assert interface.missing(cuda_kernels) == ([], [])
    assert cuda_kernels.name == "cuda"
    assert not [f for f in interface.XP_FUNCTIONS if not hasattr(cuda_kernels.xp, f)]
    # Every kernel of the contract has a case here, except dropout (its own tests).
    # The rnn_sequence pair: the GPU leaves the time loop to the op (they return False);
    # test_training.py runs the CPU ones against the GPU's step kernels.
    assert {c[1] for c in CASES} == set(interface.KERNELS) - {
        "dropout_forward", "rnn_sequence_forward", "rnn_sequence_backward", "sparse_col2im"}


def test_the_gpu_leaves_the_recurrent_time_loop_to_the_op(cuda_kernels):
    assert cuda_kernels.rnn_sequence_forward("lstm", *[None] * 11) is False
    assert cuda_kernels.rnn_sequence_backward("lstm", *[None] * 13) is False


def test_the_gpu_leaves_a_sparse_input_gradient_to_the_op(cuda_kernels):
    assert cuda_kernels.sparse_col2im(*[None] * 18) is False

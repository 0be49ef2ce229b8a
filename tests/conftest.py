import os

os.environ.setdefault("MPLBACKEND", "Agg")
# No test process (nor the ones tests start, often on a temporary kernel cache) starts the
# fused step's 10-30 s background compile (trainers/step_fused.py): the tests that fuse
# compile it with kernel_ready(wait=True), and test_fused_compile_child tests the child.
os.environ.setdefault("NBKERAS_FUSED_COMPILE", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

_CUDA_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cuda")


def pytest_ignore_collect(collection_path, config):
    """tests/cuda runs only in its own process (`pytest tests/cuda`): it switches Numba's
    CUDA simulator on, which must happen before Numba is imported."""
    if str(collection_path) != _CUDA_TESTS:
        return None
    args = [os.path.abspath(str(a).split("::")[0]) for a in config.args]
    return True if not all(a.startswith(_CUDA_TESTS) for a in args) else None


@pytest.fixture
def float64():
    """Run the test with floatx float64 (the gradient tests: `pytestmark =
    pytest.mark.usefixtures("float64")`), restored after."""
    import nbkeras

    old = nbkeras.config.floatx()
    nbkeras.config.set_floatx("float64")
    yield
    nbkeras.config.set_floatx(old)


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with fresh automatic names and a fixed seed."""
    import nbkeras

    nbkeras.utils.clear_session()
    nbkeras.utils.set_random_seed(1234)
    yield

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with fresh automatic names and a fixed seed."""
    import nbkeras

    nbkeras.utils.clear_session()
    nbkeras.utils.set_random_seed(1234)
    yield

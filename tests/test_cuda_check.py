"""set_device('cuda') says exactly what is missing (numba-cuda, CuPy, driver, GPU)."""

import sys
import types

import pytest

import nbkeras as keras
from nbkeras.backend import cuda_check


@pytest.fixture
def no_simulator(monkeypatch):
    monkeypatch.setattr(cuda_check, "simulated", lambda: False)


def _fake_cupy(monkeypatch, count=None, error=None, props=None):
    def get_count():
        if error:
            raise RuntimeError(error)
        return count

    runtime = types.SimpleNamespace(getDeviceCount=get_count,
                                    getDeviceProperties=lambda i: props)
    cuda = types.SimpleNamespace(runtime=runtime, Device=lambda: types.SimpleNamespace(id=0))
    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(cuda=cuda))


def _error():
    with pytest.raises(cuda_check.CUDAUnavailableError) as info:
        keras.config.set_device("cuda")
    assert keras.config.device() == "cpu"
    assert str(info.value).endswith("Received: device='cuda'")
    return str(info.value)


def test_missing_numba_cuda(no_simulator, monkeypatch):
    real = cuda_check.importlib.util.find_spec
    monkeypatch.setattr(cuda_check.importlib.util, "find_spec",
                        lambda name: None if name == "numba_cuda" else real(name))
    assert "numba-cuda package is not installed" in _error()


def test_missing_cupy(no_simulator, monkeypatch):
    if cuda_check.importlib.util.find_spec("numba_cuda") is None:
        pytest.skip("needs numba-cuda (the dev extra)")
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError
    msg = _error()
    assert "CuPy is not installed" in msg and "pip install 'nbkeras[cuda]'" in msg


def test_missing_driver_and_gpu(no_simulator, monkeypatch):
    if cuda_check.importlib.util.find_spec("numba_cuda") is None:
        pytest.skip("needs numba-cuda (the dev extra)")
    _fake_cupy(monkeypatch, error="cudaErrorInsufficientDriver: CUDA driver version is insufficient")
    assert "no usable NVIDIA driver" in _error()
    _fake_cupy(monkeypatch, error="cudaErrorNoDevice: no CUDA-capable device is detected")
    assert "no NVIDIA GPU is visible" in _error()
    _fake_cupy(monkeypatch, count=0)
    assert "0 devices" in _error()


def test_describe_a_gpu(no_simulator, monkeypatch):
    if cuda_check.importlib.util.find_spec("numba_cuda") is None:
        pytest.skip("needs numba-cuda (the dev extra)")
    _fake_cupy(monkeypatch, count=1, props={"name": b"NVIDIA H200", "totalGlobalMem": 150 * 2**30,
                                            "major": 9, "minor": 0})
    assert cuda_check.describe() == "CUDA: NVIDIA H200, 150.0 GiB, compute capability 9.0"
    assert cuda_check.cuda_status()["available"]

"""The device contract: every registered device exports exactly `backend.interface`,
ops reach arrays only through the device's `xp`, and the registry plugs devices in."""

import ast
import pathlib
import subprocess
import sys
import types

import numpy as np
import pytest

import nbkeras
from nbkeras import backend, ops
from nbkeras.backend import interface
from nbkeras.backend.activation_codes import CODES, RNN_ACTIVATIONS

OPS = pathlib.Path(nbkeras.__file__).parent / "ops"


@pytest.mark.parametrize("name", backend.registered_devices())
def test_every_registered_device_exports_exactly_the_interface(name):
    if name == "cuda":
        from nbkeras.backend.cuda_check import cuda_status

        if not cuda_status()["available"]:
            pytest.skip("no CUDA here; tests/cuda checks the CUDA device on the simulator")
    dev = backend._FACTORIES[name]()
    assert interface.missing(dev) == ([], [])
    assert dev.name == name
    for n in interface.NAMES - {"name", "xp"} - set(interface.LIMITS):
        assert callable(getattr(dev, n)), n
    for n in interface.LIMITS:
        assert isinstance(getattr(dev, n), int) and getattr(dev, n) > 0, n
    absent = [f for f in interface.XP_FUNCTIONS if not hasattr(dev.xp, f)]
    assert not absent and callable(dev.xp.add.at)


def test_kernel_table_lists_exactly_the_kernels_of_the_interface():
    from nbkeras.backend import kernel_table

    assert set(kernel_table.MODULES) == set(interface.KERNELS) | {"seed"}


def test_missing_reports_absent_and_extra_names():
    fake = types.SimpleNamespace(__all__=sorted(interface.NAMES - {"adam_update"}) + ["frob"])
    for n in interface.NAMES - {"adam_update"}:
        setattr(fake, n, lambda *a: None)
    absent, extra = interface.missing(fake)
    assert absent == ["adam_update"] and extra == ["frob"]


def _xp_names(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            v = node.value
            if (isinstance(v, ast.Name) and v.id == "xp") or (
                    isinstance(v, ast.Attribute) and v.attr == "xp"):
                names.add(node.attr)
    return names


def test_ops_use_only_the_xp_functions_of_the_contract():
    used = set().union(*(_xp_names(p) for p in OPS.glob("*.py")))
    assert used and used <= set(interface.XP_FUNCTIONS), sorted(used - set(interface.XP_FUNCTIONS))


def test_registry_plugs_in_a_device_and_restores_cpu():
    cpu = backend.device()
    calls = []

    class Fake(types.ModuleType):
        def __getattr__(self, n):  # delegate to the CPU, counting lookups
            calls.append(n)
            return getattr(cpu, n)

    fake = Fake("fake")
    fake.name = "fake"
    backend.register_device("fake", lambda: fake)
    try:
        nbkeras.config.set_device("fake")
        assert nbkeras.config.device() == "fake" and backend.device() is fake
        y = ops.add(np.ones(2, "float32"), 1.0)  # the op takes xp from the active device
        np.testing.assert_array_equal(y, [2.0, 2.0])
        assert "xp" in calls
    finally:
        nbkeras.config.set_device("cpu")
        del backend._FACTORIES["fake"]
    assert backend.device() is cpu and backend.kernels.xp is np


def test_unknown_and_unavailable_devices_raise_and_keep_the_device():
    with pytest.raises(ValueError, match="Received: device='tpu'"):
        nbkeras.config.set_device("tpu")
    with pytest.raises(ValueError, match="CUDA"):
        nbkeras.config.set_device("cuda")

    def broken():
        raise ValueError("no GPU here. Received: device='broken'")

    backend.register_device("broken", broken)
    try:
        with pytest.raises(ValueError, match="no GPU"):
            nbkeras.config.set_device("broken")
    finally:
        del backend._FACTORIES["broken"]
    assert nbkeras.config.device() == "cpu"


def test_one_activation_table_for_every_kernel():
    assert all(CODES[n] == c for n, c in RNN_ACTIVATIONS.items())
    assert len(set(CODES.values())) == len(CODES)
    src = (OPS.parent / "backend" / "cpu" / "rnn.py").read_text()
    assert "CODES[" in src and "code == 1" not in src


def test_selecting_the_device_and_numpy_ops_do_not_import_numba():
    code = ("import sys, numpy as np, nbkeras; from nbkeras import ops, backend;"
            "backend.device(); ops.sum(ops.add(np.ones(3), 1.0));"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_a_cpu_variable_on_another_device_gets_a_clear_error():
    cpu = backend.device()
    fake_xp = types.SimpleNamespace(**{n: getattr(np, n) for n in interface.XP_FUNCTIONS})

    class Fake(types.ModuleType):  # a device whose arrays are not the host's NumPy
        def __getattr__(self, n):
            return fake_xp if n == "xp" else getattr(cpu, n)

    fake = Fake("fake")
    fake.name = "fake"
    v = nbkeras.Variable(np.ones(2, "float32"))  # made on the CPU
    backend.register_device("fake", lambda: fake)
    try:
        nbkeras.config.set_device("fake")
        with pytest.raises(ValueError, match="lives on the CPU while the active device is 'fake'"):
            ops.add(v, 1.0)
    finally:
        nbkeras.config.set_device("cpu")
        del backend._FACTORIES["fake"]
    np.testing.assert_array_equal(ops.add(v, 1.0), [2.0, 2.0])

"""bench/gpu.py and tools/gpu_check.sh on a machine without a GPU: help, and a clear refusal."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHONPATH"] = ROOT
    env.update(extra)
    return env


def test_bench_gpu_help_lists_the_workloads():
    out = subprocess.run([sys.executable, "bench/gpu.py", "--help"], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for name in ("mlp-256", "mlp-1024", "cnn-128", "cnn-512", "lstm", "--tiny", "--steps"):
        assert name in out.stdout


def test_bench_gpu_rejects_unknown_workloads():
    out = subprocess.run([sys.executable, "bench/gpu.py", "--workloads", "mlp-9"], cwd=ROOT,
                         env=_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "unknown workloads ['mlp-9']" in out.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_gpu_check_without_a_driver_fails_clearly(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("timeout", "tee", "git", "date", "dirname"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bindir / tool)
    log = tmp_path / "check.log"
    out = subprocess.run([shutil.which("bash"), "tools/gpu_check.sh", str(log)], cwd=ROOT,
                         env=_env(PATH=str(bindir)), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "nvidia-smi is not on the PATH" in log.read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_gpu_check_without_cupy_names_what_is_missing(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    smi = bindir / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'name, memory.total'\necho 'Fake GPU, 1 MiB'\n")
    smi.chmod(0o755)
    log = tmp_path / "check.log"
    # A module path where `import cupy` fails, whether or not CuPy is installed.
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "cupy.py").write_text("raise ImportError('blocked for this test')\n")
    env = _env(PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", PYTHON=sys.executable)
    env["PYTHONPATH"] = f"{blocker}{os.pathsep}{ROOT}"
    out = subprocess.run([shutil.which("bash"), "tools/gpu_check.sh", str(log)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    text = log.read_text()
    assert out.returncode == 2, text
    assert "CuPy is not installed" in text and "nothing else was run" in text
    assert "pytest" not in text.split("nothing else was run")[1]

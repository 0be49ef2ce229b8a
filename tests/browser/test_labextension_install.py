"""`pip install .` in a fresh virtual environment brings the prebuilt JupyterLab extension:
`jupyter labextension list` shows nbkeras "enabled OK" from that environment.

The fresh environment sees the test environment's packages (JupyterLab, NumPy, ...) through a
`.pth` file placed after its own site-packages, so only nbkeras itself is installed (and built:
hatch-jupyter-builder runs npm when `nbkeras/labextension` is missing or older than
`extension/src`). Skipped without npm and a built extension, or without `pip`'s build backends.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jupyterlab") is None or (
        shutil.which("npm") is None and not (REPO / "nbkeras" / "labextension").exists()),
    reason="needs jupyterlab, and npm or a built nbkeras/labextension")


def test_pip_install_in_a_fresh_venv_lists_the_extension_enabled(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = str(venv / "bin" / "python")
    site = subprocess.check_output(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    Path(site, "zz_test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH"))}
    env.update(JUPYTER_PLATFORM_DIRS="1", JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    build = subprocess.run([py, "-m", "pip", "install", "--no-deps", "-q", str(REPO)], env=env,
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    where = subprocess.check_output([py, "-c", "import nbkeras; print(nbkeras.__file__)"],
                                    env=env, text=True, cwd=tmp_path)
    assert where.startswith(str(venv)), where
    installed = venv / "share" / "jupyter" / "labextensions" / "nbkeras"
    assert (installed / "package.json").exists() and (installed / "install.json").exists()
    listed = subprocess.run([py, "-m", "jupyterlab.labextensions", "list"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)  # no colours
    assert re.search(r"nbkeras v\S+ enabled\s+OK", text), text
    assert str(venv / "share" / "jupyter" / "labextensions") in text, text

"""End-to-end check of nbkeras's notebook display in a real JupyterLab, driven by headless Chromium.

It serves a temporary copy of `live_fit.ipynb` (beside this file) from its own JupyterLab on a
free port, runs all cells in the browser and checks:

1. the fit progress bars reach 100 %;
2. the live-plot image changes during training (its `src` is sampled twice);
3. the model's HTML summary shows the right total parameter count;
4. pressing the toolbar's Stop (interrupt kernel) button during a long fit prints the
   "Training interrupted at epoch ..." line and leaves the kernel alive;
5. the next cell sees a history shorter than the epochs asked for.

Skipped when /usr/bin/chromium, the `playwright` package or `jupyterlab` is missing. All Jupyter,
IPython and matplotlib state lives in a temporary folder, and the server is always stopped.
"""

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
NOTEBOOK = "live_fit.ipynb"
EXPECTED_TOTAL_PARAMS = "2,410"  # Dense(64 -> 32) + Dense(32 -> 10): 2,080 + 330
REQUESTED_EPOCHS = 1000  # of the long fit in live_fit.ipynb
TOTAL_BUDGET = 85.0  # seconds for the whole test, server start to shutdown

_missing = [name for name, ok in (
    (CHROMIUM, os.path.exists(CHROMIUM)),
    ("the `playwright` Python package", importlib.util.find_spec("playwright") is not None),
    ("`jupyterlab`", importlib.util.find_spec("jupyterlab") is not None),
) if not ok]

pytestmark = pytest.mark.skipif(
    bool(_missing), reason="browser test needs " + ", ".join(_missing) +
    " (apt-get install -y chromium; pip install playwright jupyterlab; never `playwright install`)")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# every input prompt shows "[n]" (none is "[*]" or "[ ]")
ALL_DONE_JS = ("() => { const p = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')];"
               " return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }")


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left_ms(self, cap_s):
        """Milliseconds to wait for one step: at most cap_s, never past the deadline."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise AssertionError("the browser test ran past its time budget")
        return int(min(cap_s, left) * 1000)


def _jupyter_env(tmp):
    env = dict(os.environ)
    env.update({
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_CONFIG_DIR": str(tmp / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "jupyter" / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter" / "runtime"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "MPLCONFIGDIR": str(tmp / "mpl"),
        "MPLBACKEND": "Agg",
    })
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                "MPLCONFIGDIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    # no news pop-up over the notebook (same as `jupyter labextension disable ...announcements`)
    labconfig = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    return env


def _kernels(base, token):
    try:
        return json.load(urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=2))
    except Exception:  # /api/kernels can answer 500 while a kernel starts
        return None


def _wait_kernel_idle(base, token, deadline, cap_s=40):
    end = time.monotonic() + deadline.left_ms(cap_s) / 1000
    while time.monotonic() < end:
        ks = _kernels(base, token)
        if ks and all(k["execution_state"] == "idle" for k in ks):
            return ks
        time.sleep(0.25)
    raise AssertionError(f"the kernel did not become idle: {_kernels(base, token)}")


def _cell_text(page, index):
    return page.locator(".jp-Notebook .jp-Cell").nth(index).inner_text()


def test_live_fit_in_jupyterlab(tmp_path):
    from playwright.sync_api import sync_playwright

    t0 = time.monotonic()
    deadline = _Deadline(TOTAL_BUDGET)
    env = _jupyter_env(tmp_path)
    root = tmp_path / "root"  # a copy: Lab autosaves, and must not write into the repository
    root.mkdir()
    shutil.copy(HERE / NOTEBOOK, root / NOTEBOOK)
    workspaces = tmp_path / "workspaces"  # fresh: Lab would reopen old notebooks otherwise
    workspaces.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabServerApp.workspaces_dir={workspaces}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp_path / "server.log"
    log = open(log_path, "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                              cwd=str(tmp_path), start_new_session=True)
    shot = tmp_path / "failure.png"
    page = None
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except Exception:
                assert server.poll() is None, "jupyter lab exited:\n" + log_path.read_text()[-3000:]
                deadline.left_ms(30)
                time.sleep(0.25)

        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(tmp_path / "chrome-profile"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1900})
            try:
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}",
                          timeout=deadline.left_ms(30))
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=deadline.left_ms(30))
                _wait_kernel_idle(base, token, deadline)
                n_cells = page.locator(".jp-Notebook .jp-Cell").count()
                assert n_cells == 6, n_cells

                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

                # (2) sample the live plot's <img> src twice while it trains
                live = page.locator(".jp-Notebook .jp-Cell").nth(3).locator("img.widget-image")
                live.wait_for(state="attached", timeout=deadline.left_ms(45))
                page.wait_for_function("el => !!el.getAttribute('src')", arg=live.element_handle(),
                                       timeout=deadline.left_ms(15))
                first_src = live.get_attribute("src")
                page.wait_for_function(
                    "([el, first]) => el.isConnected && el.getAttribute('src') && "
                    "el.getAttribute('src') !== first",
                    arg=[live.element_handle(), first_src], timeout=deadline.left_ms(15))
                second_src = live.get_attribute("src")
                assert first_src and second_src and first_src != second_src

                # (4) press Stop once the long fit has finished its first epoch
                long_fit = page.locator(".jp-Notebook .jp-Cell").nth(4)
                long_fit.get_by_text("LONG FIT RUNNING").wait_for(timeout=deadline.left_ms(30))
                page.locator(".jp-NotebookPanel-toolbar "
                             "[data-command='notebook:interrupt-kernel']").first.click()
                page.wait_for_function(ALL_DONE_JS, timeout=deadline.left_ms(30))
                time.sleep(0.5)  # let the last outputs render

                # (1) every bar of the progress row is full
                bars = page.locator(".jp-Notebook .jp-Cell").nth(2).locator(
                    ".widget-hprogress .progress-bar")
                assert bars.count() == 2, bars.count()
                widths = [bars.nth(i).evaluate("e => e.style.width") for i in range(2)]
                assert widths == ["100%", "100%"], widths

                # (3) the HTML summary, as rendered (not the text/plain fallback)
                summary = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".nbkeras-model")
                assert summary.count() == 1
                assert f"Total params: {EXPECTED_TOTAL_PARAMS}" in summary.inner_text()

                # (4) the interrupt message, no traceback, and a live kernel
                text = _cell_text(page, 4)
                m = re.search(r"Training interrupted at epoch (\d+)/(\d+)", text)
                assert m, text
                assert int(m.group(2)) == REQUESTED_EPOCHS
                assert "KeyboardInterrupt" not in text and "Traceback" not in text, text
                ks = _kernels(base, token)
                assert ks and len(ks) == 1 and ks[0]["execution_state"] in ("idle", "busy"), ks

                # (5) the following cell ran in the same kernel and sees the shorter history
                text = _cell_text(page, 5)
                m = re.search(r"epochs kept: (\d+) interrupted: (\w+)", text)
                assert m, text
                kept = int(m.group(1))
                assert 1 <= kept < REQUESTED_EPOCHS, kept
                assert m.group(2) == "True", text
                assert int(re.search(r"Training interrupted at epoch (\d+)",
                                     _cell_text(page, 4)).group(1)) == kept + 1
            except BaseException:
                if page is not None:
                    try:
                        page.screenshot(path=str(shot))
                        print("screenshot of the failure:", shot)
                    except Exception:
                        pass
                print("server log:\n" + log_path.read_text()[-3000:])
                raise
            finally:
                ctx.close()
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)  # our server's own process group, kernels included
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
        except ProcessLookupError:
            pass
        log.close()
    assert time.monotonic() - t0 < 90, f"took {time.monotonic() - t0:.1f}s"

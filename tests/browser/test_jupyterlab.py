"""End-to-end check of nbkeras's notebook display in a real JupyterLab with the nbkeras
extension, driven by headless Chromium.

It serves a temporary copy of `live_fit.ipynb` (beside this file) from its own JupyterLab on a
free port (the extension built in `nbkeras/labextension` is put in that server's data folder),
runs all cells in the browser and checks:

1. the model view shows the right parameter total and an edge for every connection of a
   branching functional model, drawn under the boxes; after `fit`, its total is `summary()`'s;
2. the progress row reaches 100 % and says it completed, with the total time;
3. the live chart gains points during `fit`, and hovering it shows a value;
4. pressing the toolbar's Stop button during a long fit leaves an "Interrupted" record, the
   "Training interrupted at epoch ..." line and a live kernel; the next cell sees the shorter
   history;
5. a fit that fails at its first batch leaves a red record with the error text;
6. the dark theme renders (the error text stays readable);
7. after saving, shutting the kernel down and reopening the notebook, the charts and the model
   view render again from the saved JSON.

Screenshots are written to tests/browser/screenshots/ (git-ignored) for people to look at.

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
EXPECTED_TOTAL_PARAMS = "3,738"  # hidden 2,080 + side 528 + digit 1,130

SCREENSHOTS = HERE / "screenshots"
EXTENSION = HERE.parent.parent / "nbkeras" / "labextension"
REQUESTED_EPOCHS = 1000  # of the long fit in live_fit.ipynb
TOTAL_BUDGET = 150.0  # seconds for the whole test, server start to shutdown

_missing = [name for name, ok in (
    (CHROMIUM, os.path.exists(CHROMIUM)),
    ("the built extension (make extension)", (EXTENSION / "package.json").exists() or
     importlib.util.find_spec("nbkeras") is not None and
     os.path.exists(os.path.join(sys.prefix, "share", "jupyter", "labextensions", "nbkeras"))),
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
    # this checkout's build of the extension comes first on the server's labextensions path
    if (EXTENSION / "package.json").exists():
        shutil.copytree(EXTENSION, Path(env["JUPYTER_DATA_DIR"]) / "labextensions" / "nbkeras")
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




def _cell(page, index):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def _contrast(rgb_a, rgb_b):
    def lum(rgb):
        def ch(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (ch(float(v)) for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(rgb_a), lum(rgb_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css):
    return re.findall(r"[\d.]+", css)[:3]


def _run_command(page, command, args=None):
    page.evaluate("([c, a]) => window.jupyterapp.commands.execute(c, a)", [command, args or {}])


def test_live_fit_in_jupyterlab(tmp_path):
    from playwright.sync_api import sync_playwright

    t0 = time.monotonic()
    deadline = _Deadline(TOTAL_BUDGET)
    env = _jupyter_env(tmp_path)
    SCREENSHOTS.mkdir(exist_ok=True)
    root = tmp_path / "root"  # a copy: Lab autosaves, and must not write into the repository
    root.mkdir()
    shutil.copy(HERE / NOTEBOOK, root / NOTEBOOK)
    workspaces = tmp_path / "workspaces"  # fresh: Lab would reopen old notebooks otherwise
    workspaces.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabServerApp.workspaces_dir={workspaces}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp_path / "server.log"
    log = open(log_path, "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                              cwd=str(tmp_path), start_new_session=True)
    shot = SCREENSHOTS / "failure.png"
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
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}",
                          timeout=deadline.left_ms(30))
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=deadline.left_ms(30))
                _wait_kernel_idle(base, token, deadline)
                n_cells = page.locator(".jp-Notebook .jp-Cell").count()
                assert n_cells == 8, n_cells

                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

                # (3) the live chart gains points during fit; hovering shows a value
                panel = _cell(page, 3).locator(".nbk-panel[data-name='loss']")
                panel.wait_for(state="attached", timeout=deadline.left_ms(45))
                page.wait_for_function("el => +el.dataset.points > 0", arg=panel.element_handle(),
                                       timeout=deadline.left_ms(20))
                first = int(panel.get_attribute("data-points"))
                page.wait_for_function("([el, n]) => +el.dataset.points > n",
                                       arg=[panel.element_handle(), first],
                                       timeout=deadline.left_ms(20))
                assert int(panel.get_attribute("data-points")) > first
                assert _cell(page, 3).locator(".nbk-row[data-status='running']").count() == 1
                over = panel.locator(".u-over")
                over.scroll_into_view_if_needed()
                box = over.bounding_box()
                page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
                page.wait_for_function(
                    "el => [...el.querySelectorAll('.u-legend .u-series .u-value')]"
                    ".some(v => /\\d/.test(v.textContent))", arg=panel.element_handle(),
                    timeout=deadline.left_ms(10))
                page.screenshot(path=str(SCREENSHOTS / "live.png"))

                # (4) press Stop once the long fit has finished its first epoch
                long_fit = _cell(page, 4)
                long_fit.get_by_text("LONG FIT RUNNING").wait_for(timeout=deadline.left_ms(40))
                page.locator(".jp-NotebookPanel-toolbar "
                             "[data-command='notebook:interrupt-kernel']").first.click()
                page.wait_for_function(ALL_DONE_JS, timeout=deadline.left_ms(40))
                time.sleep(0.5)  # let the last outputs render

                # (1) the model view: parameter total, one edge per connection, under the boxes
                view = _cell(page, 1).locator(".nbk-model")
                assert view.count() == 1
                assert f"Total params: {EXPECTED_TOTAL_PARAMS}" in view.inner_text()
                edges = view.locator(".nbk-edge")
                pairs = sorted(f"{edges.nth(i).get_attribute('data-from')}->"
                               f"{edges.nth(i).get_attribute('data-to')}"
                               for i in range(edges.count()))
                assert pairs == ["hidden->merge", "hidden->side", "merge->digit",
                                 "pixels->hidden", "pixels->merge", "side->merge"], pairs
                order = view.locator("svg.nbk-graph > g").evaluate_all(
                    "gs => gs.map(g => g.getAttribute('class'))")
                assert order == ["nbk-edges", "nbk-nodes"], order
                view.locator(".nbk-node[data-layer='merge']").hover()
                assert "axis" in view.locator(".nbk-config").inner_text()
                text = _cell(page, 7).inner_text()
                printed = re.search(r"Total params: ([\d,]+)", text).group(1)
                after = _cell(page, 7).locator(".nbk-model .nbk-totals").inner_text()
                assert f"Total params: {printed}" in after and "Optimizer params" in after, after

                # (2) the progress row reached 100 % and says it completed
                row = _cell(page, 2).locator(".nbk-row")
                assert row.get_attribute("data-status") == "completed"
                assert row.locator(".nbk-title").inner_text() == "Completed · 2 epochs"
                fills = row.locator(".nbk-bar-fill")
                widths = [fills.nth(i).evaluate("e => e.style.width") for i in range(2)]
                assert widths == ["100%", "100%"], widths
                assert "total " in row.inner_text() and "ETA" not in row.inner_text()
                assert _cell(page, 3).locator(".nbk-row[data-status='completed']").count() == 1
                assert _cell(page, 3).locator(".nbk-panel").count() >= 2  # loss and accuracy

                # (4) the interrupt: the record, the message, no traceback, and a live kernel
                text = _cell_text(page, 4)
                m = re.search(r"Training interrupted at epoch (\d+)/(\d+)", text)
                assert m, text
                assert int(m.group(2)) == REQUESTED_EPOCHS
                assert "KeyboardInterrupt" not in text and "Traceback" not in text, text
                assert long_fit.locator(".nbk-row[data-status='interrupted']").count() == 1
                ks = _kernels(base, token)
                assert ks and len(ks) == 1 and ks[0]["execution_state"] in ("idle", "busy"), ks
                text = _cell_text(page, 5)
                m = re.search(r"epochs kept: (\d+) interrupted: (\w+)", text)
                assert m, text
                kept = int(m.group(1))
                assert 1 <= kept < REQUESTED_EPOCHS and m.group(2) == "True", text

                # (5) failed at the first batch: red, with the error text
                failed = _cell(page, 6).locator(".nbk-row[data-status='failed']")
                assert failed.count() == 1
                assert "a callback failed at the first batch" in failed.locator(".nbk-error").inner_text()
                page.screenshot(path=str(SCREENSHOTS / "light.png"), full_page=True)

                # (6) the dark theme
                _run_command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
                page.wait_for_function("document.body.dataset.jpThemeLight === 'false'",
                                       timeout=deadline.left_ms(20))
                time.sleep(1.0)
                err = failed.locator(".nbk-error")
                fg, bg = err.evaluate("e => [getComputedStyle(e).color, "
                                      "getComputedStyle(document.querySelector('.jp-OutputArea-output')).backgroundColor]")
                panel_bg = page.evaluate("getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor")
                ratio = _contrast(_rgb(fg), _rgb(panel_bg if "0, 0, 0, 0" in bg else bg))
                assert ratio > 3.0, (fg, bg, panel_bg, ratio)
                _cell(page, 3).scroll_into_view_if_needed()
                page.screenshot(path=str(SCREENSHOTS / "dark.png"))
                _run_command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})

                # (7) save, shut the kernel down, reopen: the charts come back from the saved JSON
                _run_command(page, "docmanager:save")
                time.sleep(1.0)
                _run_command(page, "kernelmenu:shutdown")
                time.sleep(1.0)
                saved = json.loads((root / NOTEBOOK).read_text())
                mimes = [list(o.get("data", {})) for o in saved["cells"][3]["outputs"]]
                assert any("application/vnd.nbkeras.history+json" in m and "image/png" in m
                           for m in mimes), mimes
                page.reload(timeout=deadline.left_ms(30))
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=deadline.left_ms(30))
                reopened = _cell(page, 3).locator(".nbk-panel canvas")
                reopened.first.wait_for(state="attached", timeout=deadline.left_ms(30))
                assert _cell(page, 1).locator(".nbk-model .nbk-edge").count() == 6
                page.screenshot(path=str(SCREENSHOTS / "reopened.png"))
                assert not [e for e in errors if "nbk" in e.lower()], errors
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
    assert time.monotonic() - t0 < TOTAL_BUDGET + 10, f"took {time.monotonic() - t0:.1f}s"

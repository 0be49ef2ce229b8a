"""Screenshots of the lesson series as JupyterLab renders it: one lesson in Chinese, one in English.

A temporary copy of notebooks/ is served by its own JupyterLab; headless Chromium opens
zh/03_activations.ipynb and en/03_activations.ipynb with their committed outputs and checks
that the title, the chart and the collapsed solution render, then saves two screenshots per
lesson (the top, and the exercise with its collapsed solution) into the test's temporary folder
and, when NBKERAS_SCREENSHOTS names a folder, there too. Helpers come from test_jupyterlab.py.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import test_jupyterlab as lab

pytestmark = lab.pytestmark

ROOT = Path(__file__).resolve().parents[2]
LESSON = "03_activations.ipynb"
TITLES = {"zh": "第 3 课　激活函数（Activation）", "en": "Lesson 3 · Activations"}
TOTAL_BUDGET = 75.0


def _start_server(tmp_path, deadline):
    env = lab._jupyter_env(tmp_path)
    root = tmp_path / "root"  # a copy: Lab must not write into the repository
    for lang in TITLES:
        (root / lang).mkdir(parents=True)
        shutil.copy(ROOT / "notebooks" / lang / LESSON, root / lang / LESSON)
    workspaces = tmp_path / "workspaces"
    workspaces.mkdir()
    port, token = lab._free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           f"--LabServerApp.workspaces_dir={workspaces}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                              cwd=str(tmp_path), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
            return server, log, base, token
        except Exception:
            assert server.poll() is None, "jupyter lab exited:\n" + (tmp_path / "server.log").read_text()[-3000:]
            deadline.left_ms(30)
            time.sleep(0.25)


def _stop_server(server, log):
    try:
        os.killpg(server.pid, signal.SIGTERM)  # our server's own process group, kernels included
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)
    except ProcessLookupError:
        pass
    log.close()


def _shoot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path))
    keep = os.environ.get("NBKERAS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    assert path.stat().st_size > 20_000, f"{name} looks empty"
    return path


def test_lesson_screenshots(tmp_path):
    from playwright.sync_api import sync_playwright

    deadline = lab._Deadline(TOTAL_BUDGET)
    server, log, base, token = _start_server(tmp_path, deadline)
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                str(tmp_path / "chrome-profile"), executable_path=lab.CHROMIUM, headless=True,
                args=lab.CHROMIUM_ARGS, viewport={"width": 1400, "height": 1900})
            try:
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                for lang, title in TITLES.items():
                    page.goto(f"{base}/lab/tree/{lang}/{LESSON}?token={token}",
                              timeout=deadline.left_ms(30))
                    heading = page.locator(".jp-NotebookPanel:visible .jp-MarkdownOutput h1",
                                           has_text=title)
                    heading.wait_for(timeout=deadline.left_ms(30))
                    assert heading.inner_text().strip().rstrip("¶").strip() == title
                    panel = page.locator(".jp-NotebookPanel:visible", has=page.locator(
                        ".jp-MarkdownOutput h1", has_text=title))
                    # the chart of the activations, from the committed outputs
                    panel.locator(".jp-OutputArea-output img").first.wait_for(timeout=deadline.left_ms(15))
                    time.sleep(1.0)  # let fonts and images settle
                    _shoot(page, tmp_path, f"lesson_{lang}_top.png")

                    # the exercise, and its solution collapsed (jupyter.source_hidden)
                    collapsed = panel.locator(".jp-InputPlaceholder")
                    for _ in range(30):  # Lab renders cells as they scroll into view
                        if collapsed.count():
                            break
                        panel.locator(".jp-WindowedPanel-outer").first.evaluate(
                            "e => e.scrollBy(0, 1200)")
                        page.wait_for_timeout(deadline.left_ms(0.3))
                    assert collapsed.count() == 1, collapsed.count()
                    collapsed.first.scroll_into_view_if_needed(timeout=deadline.left_ms(10))
                    time.sleep(0.5)
                    text = panel.inner_text()
                    assert "tutorial.check(\"03_sigmoid\", answer)" in text
                    assert ("✔ 正确！" if lang == "zh" else "✔ Correct!") in text
                    _shoot(page, tmp_path, f"lesson_{lang}_exercise.png")
            except BaseException:
                try:
                    page.screenshot(path=str(tmp_path / "failure.png"))
                    print("screenshot of the failure:", tmp_path / "failure.png")
                except Exception:
                    pass
                print("server log:\n" + (tmp_path / "server.log").read_text()[-3000:])
                raise
            finally:
                ctx.close()
    finally:
        _stop_server(server, log)

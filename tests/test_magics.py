"""`%load_ext nbkeras` and the `%nbkeras` magic, run in IPython's InteractiveShell."""

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import nbkeras as keras
from nbkeras.notebook import kernel_cache


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "nbkeras")
    return ip


def run(shell, capsys, line):
    capsys.readouterr()
    shell.run_line_magic("nbkeras", line)
    return capsys.readouterr().out


def _fitted(shell):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="h"),
                          keras.layers.Dense(1, name="o")])
    m.compile(optimizer="adam", loss="mse")
    x = np.random.rand(64, 4).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    h = m.fit(x, y, epochs=2, verbose=0)
    shell.user_ns.update(m=m, x=x, y=y, h=h)
    return m


def test_info_help_and_bad_subcommands(shell, capsys):
    out = run(shell, capsys, "info")
    assert "nbkeras " in out and "device: cpu" in out and "floatx: float32" in out
    assert "summary M" in run(shell, capsys, "help")
    assert "summary M" in run(shell, capsys, "")
    for bad in ("frobnicate", "seed x", "live maybe", "cache purge", "device tpu", "summary",
                "summary nope_undefined", "profile m"):
        out = run(shell, capsys, bad)
        assert len(out.strip().splitlines()) == 1, bad
        assert out.startswith("%nbkeras: ") and "usage: %nbkeras" in out, bad


def test_device_seed_live(shell, capsys):
    out = run(shell, capsys, "device cuda")
    assert "device stays cpu" in out and "CUDA" in out
    assert "device: cpu" in run(shell, capsys, "device cpu")
    run(shell, capsys, "seed 7")
    a = np.random.rand()
    run(shell, capsys, "seed 7")
    assert np.random.rand() == a
    run(shell, capsys, "live on")
    assert keras.config.live_plot()
    run(shell, capsys, "live off")
    assert not keras.config.live_plot()


def test_summary_plot_history(shell, capsys, monkeypatch):
    _fitted(shell)
    out = run(shell, capsys, "summary m")
    assert "h (Dense)" in out and "Total params" in out
    shown = []
    from nbkeras.notebook import magics

    monkeypatch.setattr(magics.Commands, "_display", lambda self, obj: shown.append(obj))
    run(shell, capsys, "plot m")
    run(shell, capsys, "history h")
    run(shell, capsys, "history m")
    assert type(shown[0]).__name__ == "ModelDiagram"
    assert shown[1] is shown[2] is shell.user_ns["h"]
    assert "neither a History" in run(shell, capsys, "history x")


def test_profile_table(shell, capsys):
    _fitted(shell)
    out = run(shell, capsys, "profile m x y 16")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["layer", "(type)", "forward"]
    assert any(l.startswith("h (Dense)") for l in lines)
    assert any(l.startswith("optimizer") for l in lines)
    total = [l for l in lines if l.startswith("total")][0]
    # FLOPs of one epoch: 3 x 2 x samples x (4*8 + 8*1)
    assert f"{3 * 2 * 64 * 40 / 1e9:.3f}" in total
    assert "4 steps" in out
    path = [l for l in lines if l.startswith("path: ")][0]
    assert "optimizer: one flat-buffer kernel call per step" in path  # 4 x 8 x 1: small


def test_cache_info_and_clear(shell, capsys, tmp_path, monkeypatch):
    (tmp_path / "a.nbi").write_bytes(b"x" * 10)
    (tmp_path / "a.1.nbc").write_bytes(b"x" * 30)
    (tmp_path / "keep.py").write_text("")
    monkeypatch.setattr(kernel_cache, "cache_dirs", lambda: [str(tmp_path)])
    assert "2 files, 40 B" in run(shell, capsys, "cache info")
    assert "2 files removed" in run(shell, capsys, "cache clear")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.py"]


def test_warmup(shell, capsys):
    out = run(shell, capsys, "warmup")
    assert "[1/" in out and "warmup done" in out and "failed" not in out

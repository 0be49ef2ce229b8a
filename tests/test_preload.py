"""`import nbkeras` preloads the CPU kernels in a background thread in Jupyter kernels."""

import hashlib
import os
import subprocess
import sys

import pytest

from nbkeras.backend import preload_wanted

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code, **env):
    full = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=full)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


@pytest.mark.parametrize("environ, modules, wanted", [
    ({}, {}, False),                                   # a script
    ({}, {"ipykernel": object()}, True),               # a Jupyter kernel
    ({"NBKERAS_PRELOAD": "0"}, {"ipykernel": object()}, False),
    ({"NBKERAS_PRELOAD": "off"}, {"ipykernel": object()}, False),
    ({"NBKERAS_PRELOAD": "1"}, {}, True),
    ({"NBKERAS_PRELOAD": " yes "}, {}, True),
    ({"NBKERAS_PRELOAD": "maybe"}, {}, False),         # unrecognised: the default rule
])
def test_when_to_preload(environ, modules, wanted):
    assert preload_wanted(environ, modules) is wanted


def test_the_import_leaves_numba_to_the_preload_thread():
    code = (
        "import sys, threading\n"
        "seen = []\n"
        "sys.addaudithook(lambda ev, args: ev == 'import' and args[0].split('.')[0] == 'numba'"
        " and seen.append(threading.current_thread().name))\n"
        "import nbkeras\n"
        "from nbkeras import backend\n"
        "t = backend.preload_thread()\n"
        "print(t.name, t.daemon)\n"
        "t.join(240)\n"
        "print(sorted(set(seen)))\n"
        # every kernel module, and Numba's lowering registries (what a first compile loads)
        "print('nbkeras.backend.cpu.rnn' in sys.modules, 'numba.np.arraymath' in sys.modules)\n"
    )
    lines = _python(code, NBKERAS_PRELOAD="1")
    assert lines == ["nbkeras-preload True", "['nbkeras-preload']", "True True"]


def test_no_thread_in_a_script():
    lines = _python("import nbkeras\nprint(nbkeras.backend.preload_thread())",
                    NBKERAS_PRELOAD="")
    assert lines == ["None"]


FIT = (
    "import hashlib, numpy as np, nbkeras as keras\n"
    "keras.utils.set_random_seed(3)\n"
    "x = np.random.default_rng(0).random((64, 5)).astype('float32')\n"
    "y = (x.sum(1) > 2.5).astype('float32')[:, None]\n"
    "m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation='relu'),\n"
    "                      keras.layers.Dense(1, activation='sigmoid')])\n"
    "m.compile('adam', 'binary_crossentropy')\n"
    "m.fit(x, y, epochs=2, batch_size=16, verbose=0)\n"
    "print(hashlib.sha1(b''.join(w.tobytes() for w in m.get_weights())).hexdigest())\n"
)


def test_a_fit_racing_the_preload_thread_gives_the_same_weights(tmp_path):
    # A fresh kernel cache: the fit compiles while the thread sets up Numba's target.
    racing = _python(FIT, NBKERAS_PRELOAD="1", NUMBA_CACHE_DIR=str(tmp_path / "a"))
    alone = _python(FIT, NBKERAS_PRELOAD="0", NUMBA_CACHE_DIR=str(tmp_path / "b"))
    warm = _python(FIT, NBKERAS_PRELOAD="1", NUMBA_CACHE_DIR=str(tmp_path / "a"))
    assert racing == alone == warm
    assert len(racing[0]) == len(hashlib.sha1().hexdigest())

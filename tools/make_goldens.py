r"""Record parity goldens from real Keras 3 for nbkeras's tests.

How to regenerate (dev only -- nbkeras itself and its test suite never
import keras; the tests only read the committed files in tests/goldens/):

    pip install -e ".[parity]"        # keras>=3.5 + jax[cpu], in a dev venv
    KERAS_BACKEND=jax python tools/make_goldens.py

or with the prepared parity venv:

    KERAS_BACKEND=jax /tmp/parity/bin/python tools/make_goldens.py

Optionally pass group names to regenerate only those, e.g.
``... make_goldens.py losses metrics``.  Groups: layers, losses, metrics,
training, summary, names, functional, symbolic, nan, metrics_extra, random, preproc
(needs TensorFlow too: Keras's string layers run on it), ... and contract (the model
contract: custom train_step / compute_loss; recorded with KERAS_BACKEND=torch, in a
subprocess, since the torch backend shares nbkeras's stateful train_step).

Output: tests/goldens/<group>.json (case descriptions written in nbkeras's
public Keras-3 API spelling: layer class + kwargs, loss / optimizer class +
kwargs, fit arguments, ...) and tests/goldens/<group>.npz (float32 inputs,
weights and expected values, keyed "<case id>/<name>").

Determinism: every weight is set explicitly with set_weights() from fixed
numpy RandomState seeds, fit() runs with shuffle=False, no Dropout is active
during recorded training, and the JAX backend runs on CPU in float32.
The generated files are small (under 4 MB in total); the script prints
their sizes.  Helper modules: tools/goldens_*.py (one per group).

Self-check of the tests against real Keras (all must pass except the cases
using Keras-2 optimizer spellings such as SGD(lr=...), which Keras 3 rejects):

    mkdir -p /tmp/shim && printf 'import sys, keras\nsys.modules[__name__] = keras\n' \
        > /tmp/shim/nbkeras.py
    cd /tmp && KERAS_BACKEND=jax PYTHONPATH=/tmp/shim python -m pytest \
        --rootdir=<repo> <repo>/tests/test_parity_*.py      # (needs pytest)
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.pop("COLUMNS", None)  # the summary group pins it itself

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import subprocess  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402


def _torch_group(script):
    """A group recorded by `script` under Keras's torch backend (a backend is fixed per
    process, and every other group uses jax)."""
    def generate(keras):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), script)
        env = dict(os.environ, KERAS_BACKEND="torch")
        subprocess.run([sys.executable, path], env=env, check=True)

    return generate


def main(argv):
    import keras

    if keras.backend.backend() != "jax":
        raise SystemExit("run with KERAS_BACKEND=jax")
    if keras.backend.floatx() != "float32":
        raise SystemExit("floatx must be float32")
    warnings.filterwarnings("ignore")
    keras.utils.set_random_seed(0)
    np.random.seed(0)

    import goldens_activations
    import goldens_attention
    import goldens_attention_sdpa
    import goldens_callbacks
    import goldens_conv
    import goldens_functional
    import goldens_layers
    import goldens_layer_norm
    import goldens_layers3d
    import goldens_losses
    import goldens_losses3
    import goldens_metrics
    import goldens_metrics3
    import goldens_metrics_extra
    import goldens_misc
    import goldens_nan
    import goldens_ops_extra
    import goldens_ops_more
    import goldens_output_losses
    import goldens_optimizers
    import goldens_preproc
    import goldens_random
    import goldens_rnn
    import goldens_symbolic
    import goldens_training
    import goldens_utils
    from goldens_common import GOLDEN_DIR

    groups = {
        "layers": goldens_layers.generate,
        "losses": goldens_losses.generate,
        "losses3": goldens_losses3.generate,
        "metrics": goldens_metrics.generate,
        "metrics3": goldens_metrics3.generate,
        "metrics_extra": goldens_metrics_extra.generate,
        "training": goldens_training.generate,
        "optimizers": goldens_optimizers.generate,
        "summary": goldens_misc.summaries,
        "names": goldens_misc.names,
        "functional": goldens_functional.generate,
        "activations": goldens_activations.generate,
        "callbacks": goldens_callbacks.generate,
        "conv": goldens_conv.generate,
        "layers3d": goldens_layers3d.generate,
        "layer_norm": goldens_layer_norm.generate,
        "attention": goldens_attention.generate,
        "attention_sdpa": goldens_attention_sdpa.generate,
        "rnn": goldens_rnn.generate,
        "utils": goldens_utils.generate,
        "nan": goldens_nan.generate,
        "symbolic": goldens_symbolic.generate,
        "ops_extra": goldens_ops_extra.generate,
        "ops_more": goldens_ops_more.generate,
        "output_losses": goldens_output_losses.generate,
        "preproc": goldens_preproc.generate,
        "random": goldens_random.generate,
        "contract": _torch_group("goldens_contract.py"),
    }
    selected = argv or list(groups)
    for name in selected:
        if name not in groups:
            raise SystemExit(f"unknown group {name!r}; choose from {list(groups)}")
    print(f"keras {keras.__version__} ({keras.backend.backend()}) -> {GOLDEN_DIR}")
    for name in selected:
        keras.utils.clear_session()
        groups[name](keras)
    total = 0
    for fn in sorted(os.listdir(GOLDEN_DIR)):
        size = os.path.getsize(os.path.join(GOLDEN_DIR, fn))
        total += size
        print(f"  {fn:24s} {size:9,d} bytes")
    print(f"  total {total:,d} bytes")
    if total > 4_000_000:
        raise SystemExit("goldens exceed 4 MB")


if __name__ == "__main__":
    main(sys.argv[1:])

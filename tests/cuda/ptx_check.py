"""Compile every CUDA kernel to PTX for the argument types of cases.py, with no GPU.

The simulator runs kernels as Python, so it cannot catch what only Numba's CUDA typing
rejects. This script (run without the simulator, where NVVM and NVRTC are installed, e.g. the
`numba-cuda[cu13]` wheels) replaces the launch helper by a PTX compile of the kernel
for the launch's argument types, runs each case's CUDA wrapper, and exits 1 listing
the kernels that do not compile (77 when they are missing).

Usage: python tests/cuda/ptx_check.py [--cc 9.0]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))


NO_NVVM = 77  # the exit status when there is no NVVM to compile with


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cc", default="9.0", help="compute capability to compile for")
    cc = tuple(int(v) for v in parser.parse_args().cc.split("."))
    import types

    import numba
    from numba import cuda
    from numba.cuda import dispatcher

    # Device functions are typed for the current device's compute capability; with no
    # driver, stand in a device of the requested one.
    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=cc)
    try:  # a trivial kernel: does this machine have NVVM and NVRTC at all?
        cuda.compile_ptx(lambda x: None, (numba.float32[::1],), cc=cc)
    except Exception as e:
        print(f"No CUDA compiler libraries ({type(e).__name__}: {str(e).splitlines()[0]}); "
              "pip install 'numba-cuda[cu13]'")
        return NO_NVVM

    seen, failures = {}, []

    def compile_launch(fn, n, *args):
        sig = tuple(numba.typeof(a) for a in args)
        key = (fn.py_func.__qualname__, sig)
        if key in seen:
            return
        try:
            cuda.compile_ptx(fn.py_func, sig, cc=cc)
            seen[key] = True
        except Exception as e:  # report every kernel, not only the first
            seen[key] = False
            failures.append(f"{fn.py_func.__module__}.{fn.py_func.__name__}{sig}: "
                            f"{type(e).__name__}: {str(e).splitlines()[0]}")

    try:
        import cupy  # noqa: F401
    except ImportError:  # the kernels need no CuPy to compile: NumPy stands in for its arrays
        import numpy

        stub = sys.modules["cupy"] = types.ModuleType("cupy")
        stub.__dict__.update({k: v for k, v in vars(numpy).items() if not k.startswith("__")})
        stub.asnumpy = numpy.asarray
    import nbkeras.backend.cuda as K

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("nbkeras.backend.cuda") and hasattr(mod, "launch"):
            mod.launch = compile_launch
    from cases import all_cases

    for cid, name, build, _ in all_cases():
        getattr(K, name)(*build())
    import numpy as np

    x = np.zeros(64, np.float32)
    K.dropout_forward(x, np.empty_like(x), np.empty_like(x), 0.5, 3)
    print(f"{len(seen)} kernel signatures compiled for sm_{cc[0]}{cc[1]}, {len(failures)} failed")
    for f in failures:
        print("FAILED", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

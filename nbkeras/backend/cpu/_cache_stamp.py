"""Drop cached kernels compiled from older sources of this package.

Numba's cache checks only the timestamp of the file that defines a kernel. A kernel
that inlines a helper from another file (such as `fastmath`) would keep running its old
machine code after that file changes. This stamp is a hash of every source file of
the device's folder (`nbkeras/backend/cpu`) and of the folders whose code its kernels
inline (`nbkeras/backend/formulas`, see `INLINED`); when it differs from the one stored
beside the cached kernels, they are deleted and recompile on first use.
"""

import hashlib
import os

_STAMP = "nbkeras-kernel-sources.sha1"

# Folders whose functions every device's kernels inline (the shared scalar formulas).
INLINED = (os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "formulas"),)


def sources_hash(folder, also=()):
    """SHA-1 over the names and contents of the .py files in `folder` and in each of `also`."""
    h = hashlib.sha1()
    for where in (folder, *also):
        for name in sorted(os.listdir(where)):
            if name.endswith(".py"):
                h.update(name.encode())
                with open(os.path.join(where, name), "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def kernel_folder(cache_root, source_dir):
    """Where Numba keeps the kernels of `source_dir`: its `__pycache__`, or under
    `NUMBA_CACHE_DIR` the `<folder name>_<sha1 of its path>` subfolder Numba uses."""
    source_dir = os.path.abspath(source_dir)
    if os.path.abspath(cache_root) == os.path.join(source_dir, "__pycache__"):
        return os.path.join(source_dir, "__pycache__")
    digest = hashlib.sha1(source_dir.encode()).hexdigest()
    return os.path.join(cache_root, f"{os.path.basename(source_dir)}_{digest}")


def ensure_fresh(cache_root, source_dir, also=INLINED):
    """Delete the cached kernels of `source_dir` when its sources (or those of the folders
    `also`, whose code they inline) changed; returns whether it purged. Never raises for
    an unwritable cache (Numba then compiles in memory)."""
    folder = kernel_folder(cache_root, source_dir)
    digest = sources_hash(source_dir, also)
    stamp = os.path.join(folder, _STAMP)
    try:
        with open(stamp) as f:
            if f.read().strip() == digest:
                return False
    except OSError:
        pass
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.endswith((".nbi", ".nbc")):
                try:
                    os.remove(os.path.join(folder, name))
                except OSError:
                    pass
    tmp = f"{stamp}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(tmp, "w") as f:
            f.write(digest)
        os.replace(tmp, stamp)
    except OSError:
        try:
            os.remove(tmp)
        except OSError:
            pass
    return True

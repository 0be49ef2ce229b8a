"""Drop cached kernels compiled from older sources of this package.

Numba's cache checks only the timestamp of the file that defines a kernel. A kernel
that inlines a helper from another file (such as `fastmath`) would keep running its old
machine code after that file changes. This stamp is a hash of every source file of
`nbkeras/backend/cpu`; when it differs from the one stored beside the cache, the cached
kernels of this package are deleted and recompile on first use.
"""

import hashlib
import os

_STAMP = "nbkeras-kernel-sources.sha1"


def sources_hash(folder):
    """SHA-1 over the names and contents of the .py files in `folder`."""
    h = hashlib.sha1()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            h.update(name.encode())
            with open(os.path.join(folder, name), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def ensure_fresh(cache_dir, source_dir):
    """Delete this package's cached kernels under `cache_dir` when the sources changed."""
    digest = sources_hash(source_dir)
    stamp = os.path.join(cache_dir, _STAMP)
    try:
        with open(stamp) as f:
            if f.read().strip() == digest:
                return False
    except OSError:
        pass
    modules = {n[:-3] for n in os.listdir(source_dir) if n.endswith(".py")}
    for root, _, files in os.walk(cache_dir):
        if root != cache_dir and "nbkeras" not in root:
            continue
        for name in files:
            if name.endswith((".nbi", ".nbc")) and name.split(".", 1)[0] in modules:
                try:
                    os.remove(os.path.join(root, name))
                except OSError:
                    pass
    tmp = f"{stamp}.{os.getpid()}.tmp"
    try:
        os.makedirs(cache_dir, exist_ok=True)
        with open(tmp, "w") as f:
            f.write(digest)
        os.replace(tmp, stamp)
    except OSError:  # read-only install: Numba then falls back to no cache as well
        try:
            os.remove(tmp)
        except OSError:
            pass
    return True

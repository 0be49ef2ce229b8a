"""Keep freed memory in the process while training, so buffers are reused without page faults.

Each training step allocates and frees the same large temporaries (activations, gate
buffers, gradients). glibc hands blocks over 128 KiB out as fresh `mmap`s, or trims them
off the heap when freed, so the next step touches new pages: an LSTM step of the
benchmark took 1,570 page faults and 45 % of its time in them. `keep_freed_memory()`
raises glibc's mmap and trim thresholds (as `MALLOC_MMAP_THRESHOLD_` /
`MALLOC_TRIM_THRESHOLD_` would), so freed blocks stay in the heap for the next step;
`release_free_memory()` hands the unused part back to the system (called when `fit`
ends). Elsewhere than glibc both do nothing. Set `NBKERAS_KEEP_FREED_MEMORY=0` to opt out.

Example:
    >>> from nbkeras.backend import memory
    >>> memory.keep_freed_memory()  # True on Linux/glibc
    True
"""

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's documented maximum; larger blocks still mmap
TRIM_THRESHOLD = 1024 * 1024 * 1024  # free heap top larger than this is trimmed at once

_state = {"libc": None, "applied": None}


def _libc():
    if _state["libc"] is None:
        lib = False
        if sys.platform.startswith("linux"):
            try:
                cand = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                if hasattr(cand, "mallopt") and hasattr(cand, "malloc_trim"):
                    lib = cand
            except OSError:
                pass
        _state["libc"] = lib
    return _state["libc"]


def keep_freed_memory():
    """Keep freed heap blocks for reuse (once per process); returns whether it applies.

    Example:
        >>> keep_freed_memory()
        True
    """
    if _state["applied"] is None:
        lib = _libc()
        enabled = os.environ.get("NBKERAS_KEEP_FREED_MEMORY", "1").strip() not in ("0", "false", "no")
        _state["applied"] = bool(
            lib and enabled
            and lib.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            and lib.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _state["applied"]


def release_free_memory():
    """Return the heap's free pages to the system (glibc `malloc_trim(0)`).

    Example:
        >>> release_free_memory()
    """
    if _state["applied"]:
        _libc().malloc_trim(0)

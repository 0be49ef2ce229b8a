"""A SHA-256 digest in the HDF5 user block, so damaged `.h5` files are caught before parsing.

HDF5 files may start with a user block that the HDF5 library skips. nbkeras
writes its `.h5` files with a 512-byte user block holding a magic tag and the
digest of everything after it; h5py, Keras and h5dump read such files as usual.
On load the digest is checked first, so a truncated or bit-flipped file gives a
clear error instead of reaching the HDF5 parser. Files without the tag (written
by Keras) are read without the check.
"""

import hashlib
import os

USERBLOCK_SIZE = 512
_MAGIC = b"NBKERAS-SHA256:"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _digest(path, start):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(start)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest().encode("ascii")


def seal(path):
    """Write the digest of `path` into its user block.

    Args:
        path: an HDF5 file created with `userblock_size=USERBLOCK_SIZE`.
    """
    digest = _digest(path, USERBLOCK_SIZE)
    header = (_MAGIC + digest + b"\n").ljust(USERBLOCK_SIZE, b"\0")
    with open(path, "r+b") as f:
        f.write(header)


def check(path):
    """Return None if `path` is intact (or carries no digest), else a description of the damage.

    Args:
        path: an `.h5` file.

    Example:
        >>> check("model.weights.h5") is None
        True
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(USERBLOCK_SIZE + len(_HDF5_SIGNATURE))
    if not head.startswith(_MAGIC):
        if size < len(_HDF5_SIGNATURE) or _HDF5_SIGNATURE not in _signature_candidates(path, size):
            return "it is not an HDF5 file (no HDF5 signature)"
        return None
    stored = head[len(_MAGIC):len(_MAGIC) + 64]
    if size <= USERBLOCK_SIZE or head[USERBLOCK_SIZE:] != _HDF5_SIGNATURE:
        return "it is truncated or damaged (the HDF5 data after its header is missing)"
    if _digest(path, USERBLOCK_SIZE) != stored:
        return ("its contents do not match the SHA-256 digest written when it was saved "
                "(the file is truncated, damaged or was edited)")
    return None


def _signature_candidates(path, size):
    # HDF5 looks for its signature at 0, 512, 1024, 2048, ... bytes.
    found = []
    with open(path, "rb") as f:
        offset = 0
        while offset + len(_HDF5_SIGNATURE) <= size:
            f.seek(offset)
            found.append(f.read(len(_HDF5_SIGNATURE)))
            offset = 512 if offset == 0 else offset * 2
    return found

"""Read the pickled parts of Keras's dataset files without running arbitrary code.

IMDB and Reuters store ragged sequences as object arrays in `.npz` files, and
CIFAR batches are pickled dicts of arrays. Both need pickle, but only to
rebuild NumPy arrays; any other global in the stream is refused, so a
tampered file cannot execute code.
"""

import io
import pickle
import zipfile

import numpy as np

_ALLOWED = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
})


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` from a dataset file: only NumPy "
            "arrays are expected. The file may be corrupted or tampered with.")


def load_pickle(path, encoding="ASCII"):
    """Unpickle the file at `path`, allowing only NumPy array globals."""
    with open(path, "rb") as f:
        return _NumpyOnlyUnpickler(f, encoding=encoding).load()


def _read_npy(buffer):
    version = np.lib.format.read_magic(buffer)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(buffer)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only in the header's text encoding (utf-8 vs latin-1)
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(buffer)
    else:
        raise ValueError(f"Unsupported .npy format version {version}.")
    if dtype.hasobject:
        return _NumpyOnlyUnpickler(buffer).load()
    buffer.seek(0)
    return np.lib.format.read_array(buffer, allow_pickle=False)


def load_npz(path):
    """Load every array of an `.npz` file into a dict, object arrays included."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".npy"):
                arrays[name[:-4]] = _read_npy(io.BytesIO(archive.read(name)))
    return arrays

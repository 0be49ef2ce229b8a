"""What CIFAR-10 and CIFAR-100 share: finding the extracted batches and reading one."""

import os

import numpy as np

from nbkeras.datasets import _download
from nbkeras.datasets._safe_pickle import load_pickle


def batches_folder(name, origin, file_hash, probe):
    """The folder holding the extracted `name` batches (e.g. 'cifar-10-batches-py').

    Keras 3 caches the archive as `<name>-target_archive` and extracts it into
    `<name>-target/<name>/`; older Keras versions extracted `<name>.tar.gz`
    into `<name>/`. Either cache is used as is; otherwise the archive is
    downloaded and extracted the Keras 3 way.
    """
    for root in dict.fromkeys((_download.keras_home(), _download._fallback_root())):
        legacy = os.path.join(root, "datasets", name)
        if os.path.isfile(os.path.join(legacy, probe)):
            return legacy
    extracted = _download.get_file(fname=f"{name}-target", origin=origin, extract=True,
                         file_hash=file_hash)
    return os.path.join(extracted, name)


def load_batch(path, label_key="labels"):
    """`(data, labels)` of one pickled CIFAR batch: uint8 (n, 3, 32, 32) and a list."""
    batch = {(k.decode("utf8") if isinstance(k, bytes) else k): v
             for k, v in load_pickle(path, encoding="bytes").items()}
    data = np.asarray(batch["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]

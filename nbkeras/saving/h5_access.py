"""Safe reads and plain writes of HDF5 groups and datasets (h5py).

Reads refuse what a hostile file could use to reach outside itself or to exhaust
memory: soft and external links, external and virtual datasets, and datasets
whose shape does not match what the model expects.
"""

import numpy as np


def _h5py():
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - h5py is a dependency
        raise ImportError("Saving and loading `.h5` files requires h5py: `pip install h5py`. "
                          "Received: import error") from exc
    return h5py


def _check_link(parent, name):
    h5py = _h5py()
    link = parent.get(name, getlink=True)
    if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
        raise ValueError(f"links are not allowed in a saved model, but '{name}' is a "
                         f"{type(link).__name__}. Received: {parent.name}/{name}")


def get_group(parent, path):
    """Return the group at `path` (slash-separated) under `parent`, or None if absent."""
    h5py = _h5py()
    current = parent
    for part in path.split("/"):
        if not part:
            continue
        if part not in current:
            return None
        _check_link(current, part)
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise ValueError(f"'{current.name}' should be a group but is a "
                             f"{type(current).__name__}. Received: {current!r}")
    return current


def read_dataset(group, name, shape=None):
    """Read the dataset `name` of `group` as a NumPy array, checking its shape.

    Args:
        group: an h5py Group.
        name: the dataset name (may contain slashes).
        shape: the expected shape, or None to accept any (small) shape.

    Returns:
        A NumPy array.
    """
    h5py = _h5py()
    if "/" in name:
        head, name = name.rsplit("/", 1)
        group = get_group(group, head)
        if group is None:
            raise ValueError(f"the dataset '{head}/{name}' is missing. Received: no group '{head}'")
    if name not in group:
        raise ValueError(f"the dataset '{group.name}/{name}' is missing. "
                         f"Received: members {sorted(group.keys())[:10]}")
    _check_link(group, name)
    ds = group[name]
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"'{ds.name}' should be a dataset but is a {type(ds).__name__}. "
                         f"Received: {ds!r}")
    if ds.external:
        raise ValueError(f"external datasets are not allowed. Received: '{ds.name}'")
    if ds.is_virtual:
        raise ValueError(f"virtual datasets are not allowed. Received: '{ds.name}'")
    if shape is not None and tuple(ds.shape) != tuple(shape):
        raise ValueError(f"the dataset '{ds.name}' has shape {tuple(ds.shape)} but the model "
                         f"expects {tuple(shape)}. Received: shape={tuple(ds.shape)}")
    if ds.dtype.kind not in "biuf":
        raise ValueError(f"the dataset '{ds.name}' does not hold numbers. "
                         f"Received: dtype={ds.dtype}")
    if shape is None and ds.size > (1 << 28):
        raise ValueError(f"the dataset '{ds.name}' is implausibly large. "
                         f"Received: shape={tuple(ds.shape)}")
    return np.asarray(ds[()])


def read_string_list(group, name):
    """Read a list-of-strings attribute, also in Keras's chunked form (`name0`, `name1`, ...)."""
    attrs = group.attrs
    if name in attrs:
        chunks = [attrs[name]]
    else:
        chunks, i = [], 0
        while f"{name}{i}" in attrs:
            chunks.append(attrs[f"{name}{i}"])
            i += 1
    out = []
    for chunk in chunks:
        for item in np.atleast_1d(np.asarray(chunk)):
            if isinstance(item, bytes):
                item = item.decode("utf8")
            if not isinstance(item, str):
                raise ValueError(f"the attribute '{name}' of '{group.name}' should hold strings. "
                                 f"Received: {item!r}")
            out.append(item)
    return out


_HEADER_LIMIT = 64512


def write_string_list(group, name, values):
    """Write a list of strings as Keras does, splitting it when HDF5's header limit requires."""
    data = [v.encode("utf8") for v in values]
    if not data:
        group.attrs[name] = np.asarray([])
        return
    array = np.asarray(data)
    chunks = 1
    parts = [array]
    while any(p.nbytes > _HEADER_LIMIT for p in parts):
        chunks += 1
        parts = np.array_split(array, chunks)
    if chunks == 1:
        group.attrs[name] = data
    else:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part


def read_text_attr(obj, name):
    """Read a string attribute (stored as bytes or str); None if absent."""
    if name not in obj.attrs:
        return None
    value = obj.attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        value = value.decode("utf8")
    if not isinstance(value, str):
        raise ValueError(f"the attribute '{name}' should be text. Received: {type(value).__name__}")
    return value

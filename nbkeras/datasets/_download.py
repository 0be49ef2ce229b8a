"""Find a dataset file in Keras's cache, or download it there.

Files live where Keras keeps them (`$KERAS_HOME/datasets`, else
`~/.keras/datasets`, else `/tmp/.keras/datasets` when that is not writable),
under Keras's file names, so a cache filled by Keras works here offline and
the other way round.

A download is streamed to a temporary file next to the target, checked
against its expected length and hash, and only then moved into place: an
interrupted, truncated or corrupted download leaves nothing behind.

Example:
    >>> path = get_file("mnist.npz", origin="https://example.org/mnist.npz")
"""

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.parse

from nbkeras.saving.atomic import atomic_write

_CHUNK = 1 << 16
_TIMEOUT_S = 60


def _urlopen(url, timeout):
    """The one place that reaches the network (imported lazily: it is slow to import)."""
    import urllib.request

    return urllib.request.urlopen(url, timeout=timeout)


class DownloadError(OSError, ValueError):
    """A file is missing (or fails its hash check) and could not be downloaded."""


def keras_home():
    """The Keras folder: `$KERAS_HOME` if set, else `~/.keras` (read at each call)."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return os.path.expanduser(home)
    return os.path.join(os.path.expanduser("~"), ".keras")


def _fallback_root():
    return os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")


def _writable_root(root):
    """`root` if it exists (or can be made) and is writable, else None."""
    with contextlib.suppress(OSError):
        os.makedirs(root, exist_ok=True)
    return root if os.path.isdir(root) and os.access(root, os.W_OK) else None


def _hasher(file_hash, algorithm="auto"):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256(), "sha256"
    if algorithm in ("auto", "md5"):
        return hashlib.md5(), "md5"
    raise ValueError(f"`hash_algorithm` must be 'auto', 'sha256' or 'md5'. "
                     f"Received: hash_algorithm={algorithm!r}")


def hash_file(path, algorithm="sha256"):
    """The hex digest of the file at `path` (`'sha256'` or `'md5'`)."""
    hasher, _ = _hasher(None, algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            hasher.update(block)
    return hasher.hexdigest()


def validate_file(path, file_hash, algorithm="auto"):
    """Whether the file at `path` has the hash `file_hash` (sha256 or md5, by length)."""
    _, name = _hasher(file_hash, algorithm)
    return hash_file(path, name) == str(file_hash).lower()


def _layout(root, cache_subdir, fname, extract, fname_given):
    """`(download_target, extraction_dir)` under `root`, named as Keras names them."""
    datadir = os.path.join(root, cache_subdir)
    if not extract:
        return os.path.join(datadir, fname), None
    if fname_given and "." in fname:
        stem = fname[:fname.find(".")]
        return os.path.join(datadir, fname), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def _describe_size(n):
    return f"{n / 2 ** 20:.1f} MiB" if n >= 2 ** 20 else f"{n} bytes"


def _download(origin, target, file_hash, algorithm, verbose):
    """Stream `origin` into `target` atomically, checking length and hash."""
    import http.client
    import urllib.error

    from nbkeras.utils.progbar import Progbar

    hasher, hash_name = _hasher(file_hash, algorithm)
    if verbose:
        print(f"Downloading data from {origin}", flush=True)
    with atomic_write(target) as tmp:
        try:
            with _urlopen(origin, timeout=_TIMEOUT_S) as response, \
                    open(tmp, "wb") as out:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                bar = Progbar(total, unit_name="byte") if verbose else None
                if bar is not None and "ipykernel" in sys.modules:
                    bar.dynamic = True  # Jupyter redraws a `\r` line in place
                received = 0
                while True:
                    block = response.read(_CHUNK)
                    if not block:
                        break
                    out.write(block)
                    hasher.update(block)
                    received += len(block)
                    if bar is not None and (total is None or received < total):
                        bar.update(received)  # Progbar redraws at most every 0.1 s
                if total is not None and received != total:
                    raise DownloadError(
                        f"the connection closed after {_describe_size(received)} "
                        f"of {_describe_size(total)}")
                if bar is not None:
                    bar.update(received, finalize=True)
        except urllib.error.HTTPError as e:
            raise DownloadError(f"HTTP error {e.code} ({e.reason})") from e
        except urllib.error.URLError as e:
            raise DownloadError(f"{e.reason}") from e
        except DownloadError:
            raise
        except (OSError, ValueError, http.client.HTTPException) as e:  # resets, timeouts, cut-offs
            raise DownloadError(f"{type(e).__name__}: {e}") from e
        if file_hash is not None and hasher.hexdigest() != str(file_hash).lower():
            raise ValueError(
                f"the downloaded file's {hash_name} hash is {hasher.hexdigest()}, "
                f"not the expected {file_hash} (incomplete or corrupted download)")


def _safe_members(archive, dest):
    dest = os.path.realpath(dest)

    def inside(name):
        path = os.path.realpath(os.path.join(dest, name))
        return os.path.commonpath([path, dest]) == dest

    for member in archive:
        if not inside(member.name):
            continue
        if (member.issym() or member.islnk()) and not inside(
                os.path.join(os.path.dirname(member.name), member.linkname)
                if member.issym() else member.linkname):
            continue
        yield member


def _extract(archive_path, extraction_dir):
    """Extract a tar or zip archive into `extraction_dir`, replacing it only on success."""
    import tarfile
    import zipfile

    parent = os.path.dirname(extraction_dir)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(extraction_dir)}.", dir=parent)
    try:
        if tarfile.is_tarfile(archive_path):
            with tarfile.open(archive_path) as archive:
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(tmp, members=_safe_members(archive, tmp), **kwargs)
        elif zipfile.is_zipfile(archive_path):
            with zipfile.ZipFile(archive_path) as archive:
                root = os.path.realpath(tmp)
                names = [n for n in archive.namelist()
                         if os.path.commonpath([os.path.realpath(os.path.join(root, n)),
                                                root]) == root]
                archive.extractall(tmp, members=names)
        else:
            raise ValueError(f"'{archive_path}' is neither a tar nor a zip archive.")
        if os.path.isdir(extraction_dir):
            shutil.rmtree(extraction_dir)
        os.replace(tmp, extraction_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _by_hand_message(origin, target, file_hash):
    check = f" Its {_hasher(file_hash)[1]} hash must be {file_hash}." if file_hash else ""
    return (f"Download '{origin}' yourself and save it as '{target}' to use it "
            f"offline.{check}")


def get_file(fname=None, origin=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, cache_dir=None, force_download=False,
             verbose=True):
    """Return the path of a cached file, downloading it from `origin` if needed.

    Args:
        fname: the file name in the cache (default: the last part of `origin`).
            With `extract=True` and no extension, the name of the folder the
            archive is extracted to.
        origin: the URL to download from.
        file_hash: the expected sha256 (64 hex digits) or md5 hash, or None.
        cache_subdir: the folder under the cache folder (an absolute path is used as is).
        hash_algorithm: `'auto'`, `'sha256'` or `'md5'`.
        extract: whether to extract the (tar or zip) archive; the extraction
            folder is returned.
        cache_dir: the cache folder (default: `$KERAS_HOME` or `~/.keras`,
            `/tmp/.keras` when that is not writable).
        force_download: download even if a valid file is cached.
        verbose: print the origin and a progress bar while downloading.

    Returns:
        The path of the file (or of the extraction folder).

    Raises:
        DownloadError: (an `OSError` and a `ValueError`, as Keras raises for a
            bad hash) the file is missing or fails its hash, and could not be
            downloaded, or the download did not have the expected length or
            hash; nothing partial is left behind, and the message says where
            to put the file by hand (also in the error's `path`).

    Example:
        >>> path = get_file("mnist.npz", origin="https://example.org/mnist.npz")
    """
    if origin is None:
        raise ValueError("Please specify the `origin` argument (the URL of the file).")
    fname_given = bool(fname)
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Cannot tell the file name from origin '{origin}'. "
                         "Please pass `fname`.")
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError("`fname` must be a file name, not a path; use `cache_dir` to "
                         f"choose the folder. Received: fname={fname!r}")
    primary = os.path.expanduser(os.fspath(cache_dir)) if cache_dir else keras_home()
    roots = [primary] if os.path.isabs(cache_subdir) else [primary, _fallback_root()]
    roots = list(dict.fromkeys(os.path.abspath(r) for r in roots))

    # A valid cached copy, in the main cache or in the /tmp fallback, is used as is.
    stale = None
    if not force_download:
        for root in roots:
            target, extraction_dir = _layout(root, cache_subdir, fname, extract, fname_given)
            if os.path.isfile(target):
                if file_hash is None or validate_file(target, file_hash, hash_algorithm):
                    if extract and not os.path.isdir(extraction_dir):
                        _extract(target, extraction_dir)
                    return extraction_dir if extract else target
                stale = stale or target
            elif extract and os.path.isdir(extraction_dir) and os.listdir(extraction_dir):
                return extraction_dir  # extracted by an earlier run, archive since deleted

    root = next((r for r in roots if _writable_root(r)), None)
    target, extraction_dir = _layout(root or primary, cache_subdir, fname, extract, fname_given)
    if root is None:
        raise DownloadError(f"No writable cache folder among {roots} to download '{fname}'. "
                            + _by_hand_message(origin, target, file_hash))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if stale and verbose:
        print(f"The cached file '{stale}' does not match its expected hash "
              f"{file_hash}; downloading it again.", file=sys.stderr, flush=True)
    try:
        _download(origin, target, file_hash, hash_algorithm, verbose)
    except (DownloadError, ValueError) as e:
        why = f" (the cached '{stale}' does not match its expected hash)" if stale else ""
        error = DownloadError(f"Could not download '{fname}' from '{origin}'{why}: {e}. "
                              + _by_hand_message(origin, target, file_hash))
        error.path = target
        raise error from e
    if extract:
        _extract(target, extraction_dir)
        return extraction_dir
    return target

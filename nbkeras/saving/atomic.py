"""Atomic file writes: a temporary file in the same folder, fsync, then `os.replace`.

A reader sees either the old file or the complete new one, never a partial
write, even if the process is interrupted (Ctrl-C) or killed (SIGKILL) midway.
Temporary files of writers that died are removed by the next write to the same
folder.
"""

import contextlib
import glob
import os

_SUFFIX = ".nbkeras-tmp"


def temp_path_for(path):
    """The temporary file name this process uses while writing `path`."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}{_SUFFIX}")


def _pid_alive(pid):
    if os.name == "nt":  # os.kill(pid, 0) is not a liveness probe on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temp_files(path):
    """Delete the temporary files (`.NAME.PID.nbkeras-tmp`) in `path`'s folder left by
    writers that are no longer running (a save killed midway), whatever file they wrote."""
    folder = os.path.dirname(os.path.abspath(path))
    for tmp in glob.glob(os.path.join(glob.escape(folder), f".*{_SUFFIX}")):
        pid_text = tmp[:-len(_SUFFIX)].rsplit(".", 1)[-1]
        if not pid_text.isdigit():
            continue
        ours = int(pid_text) == os.getpid()
        if (ours and tmp == temp_path_for(path)) or (not ours and not _pid_alive(int(pid_text))):
            with contextlib.suppress(OSError):
                os.remove(tmp)


def fsync_file(path):
    """Flush `path`'s contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path):
    """Yield a temporary path to write; on success it replaces `path` atomically.

    Args:
        path: the destination file.

    Example:
        >>> with atomic_write("model.keras") as tmp:
        ...     write_everything_to(tmp)
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"Cannot save to '{path}': the folder does not exist. "
                         f"Received: folder={folder!r}")
    if os.path.isdir(path):
        raise ValueError(f"Cannot save to '{path}': it is a folder. Received: filepath={path!r}")
    remove_stale_temp_files(path)
    tmp = temp_path_for(path)
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_folder(folder)

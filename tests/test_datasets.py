"""Datasets: Keras's cache layout and file formats, `load_data` semantics, and downloads.

No test touches the network: every dataset file is generated here, small, in
its real on-disk format, inside a temporary KERAS_HOME, and downloads come
from an HTTP server on 127.0.0.1 in a thread. A guard fails any test that
tries to open another URL.
"""

import gzip
import hashlib
import http.server
import io
import json
import os
import pickle
import tarfile
import threading

import numpy as np
import pytest

from nbkeras import datasets
from nbkeras.datasets import (_download, boston_housing, california_housing, cifar10, cifar100, fashion_mnist,
                              imdb, mnist, reuters)

# ---------------------------------------------------------------- fixtures


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A fresh KERAS_HOME (and /tmp fallback), and no network beyond 127.0.0.1."""
    root = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(root))
    fallback = tmp_path / "tmp_keras"
    monkeypatch.setattr(_download, "_fallback_root", lambda: str(fallback))
    monkeypatch.setattr(_download, "_TIMEOUT_S", 5)
    real_urlopen = _download._urlopen

    def local_only(url, *args, **kwargs):
        assert str(url).startswith("http://127.0.0.1:"), f"test tried to reach {url}"
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(_download, "_urlopen", local_only)
    return root


def _put(home, relpath, data):
    path = home / "datasets" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _ragged(seqs):
    out = np.empty(len(seqs), dtype=object)
    out[:] = [list(s) for s in seqs]
    return out


class _Server:
    """Serves `files` ({url path: bytes}); `mode` 'ok', 'drop' (half the body, then close)."""

    def __init__(self):
        self.files, self.mode, self.requests = {}, "ok", []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.mode == "drop":
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _leftovers(folder):
    """Everything in `folder` (recursively), as relative paths."""
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, fs in os.walk(folder) for f in fs)


# ---------------------------------------------------------------- get_file


def test_get_file_cache_hit_is_offline(home, server):
    data = b"cached bytes"
    path = _put(home, "thing.bin", data)
    got = _download.get_file("thing.bin", origin=server.base + "thing.bin",
                             file_hash=_sha256(data))
    assert got == str(path)
    md5 = hashlib.md5(data).hexdigest()
    assert _download.get_file("thing.bin", origin=server.base + "x", file_hash=md5) == str(path)
    assert server.requests == []


def test_get_file_downloads_verifies_and_shows_progress(home, server, capsys):
    data = os.urandom(300_000)
    server.files["/d/blob.bin"] = data
    got = _download.get_file("blob.bin", origin=server.base + "d/blob.bin",
                             file_hash=_sha256(data))
    assert got == str(home / "datasets" / "blob.bin")
    assert open(got, "rb").read() == data
    out = capsys.readouterr().out
    assert "Downloading data from " + server.base + "d/blob.bin" in out
    assert "300000/300000" in out
    assert _leftovers(home / "datasets") == ["blob.bin"]
    # fname defaults to the origin's last part; cache_dir and cache_subdir are honoured
    other = home.parent / "elsewhere"
    got = _download.get_file(origin=server.base + "d/blob.bin", cache_dir=str(other),
                             cache_subdir="sub", verbose=False)
    assert got == str(other / "sub" / "blob.bin")


def test_get_file_rejects_paths_as_fname(server):
    with pytest.raises(ValueError, match="not a path"):
        _download.get_file(os.path.join("a", "b.npz"), origin=server.base + "b.npz")
    with pytest.raises(ValueError, match="origin"):
        _download.get_file("b.npz")


def test_hash_mismatch_in_cache_redownloads(home, server):
    good = b"the real file"
    stale = _put(home, "f.npz", b"truncated")
    server.files["/f.npz"] = good
    got = _download.get_file("f.npz", origin=server.base + "f.npz", file_hash=_sha256(good),
                             verbose=False)
    assert got == str(stale) and stale.read_bytes() == good
    assert _leftovers(home / "datasets") == ["f.npz"]


def test_hash_mismatched_download_leaves_nothing(home, server):
    server.files["/f.npz"] = b"tampered"
    with pytest.raises(_download.DownloadError) as info:
        _download.get_file("f.npz", origin=server.base + "f.npz",
                           file_hash=_sha256(b"expected"), verbose=False)
    message = str(info.value)
    assert "hash" in message and _sha256(b"expected") in message
    assert str(home / "datasets" / "f.npz") in message
    assert isinstance(info.value, ValueError)  # Keras raises ValueError here
    assert _leftovers(home / "datasets") == []


def test_server_dropping_mid_file_leaves_nothing(home, server):
    server.files["/big.npz"] = os.urandom(200_000)
    server.mode = "drop"
    with pytest.raises(_download.DownloadError) as info:
        _download.get_file("big.npz", origin=server.base + "big.npz", verbose=False)
    message = str(info.value)
    assert server.base + "big.npz" in message
    assert str(home / "datasets" / "big.npz") in message
    assert _leftovers(home / "datasets") == []


def test_interrupted_download_leaves_nothing(home, server, monkeypatch):
    server.files["/big.npz"] = os.urandom(300_000)
    real = _download._urlopen

    class Interrupting:
        def __init__(self, response):
            self.response, self.headers, self.reads = response, response.headers, 0

        def read(self, n):
            self.reads += 1
            if self.reads == 2:
                raise KeyboardInterrupt
            return self.response.read(n)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.response.close()

    monkeypatch.setattr(_download, "_urlopen", lambda *a, **k: Interrupting(real(*a, **k)))
    with pytest.raises(KeyboardInterrupt):
        _download.get_file("big.npz", origin=server.base + "big.npz", verbose=False)
    assert _leftovers(home / "datasets") == []


def test_missing_file_error_names_the_path(home, server):
    mnist_path = home / "datasets" / "mnist.npz"
    with pytest.raises(OSError) as info:
        _download.get_file("mnist.npz", origin=server.base + "mnist.npz",
                           file_hash=mnist._HASH, verbose=False)
    message = str(info.value)
    assert "404" in message and str(mnist_path) in message and mnist._HASH in message
    assert info.value.path == str(mnist_path)
    assert not mnist_path.exists()


def test_unreachable_server_and_stale_cache(home):
    stale = _put(home, "w.json", b"{}")
    gone = _Server()
    dead = gone.base + "w.json"
    gone.close()  # nothing listens on that port any more
    with pytest.raises(_download.DownloadError, match="does not match its expected hash") as e:
        _download.get_file("w.json", origin=dead, file_hash="0" * 32, verbose=False)
    assert str(stale) in str(e.value) and "0" * 32 in str(e.value)
    assert stale.read_bytes() == b"{}"  # a failed download does not touch the cached file
    assert _leftovers(home / "datasets") == ["w.json"]


def test_keras_home_and_tmp_fallback(home, tmp_path, monkeypatch, server):
    data = b"payload"
    server.files["/p.bin"] = data
    # KERAS_HOME is read at call time
    other = tmp_path / "other_home"
    monkeypatch.setenv("KERAS_HOME", str(other))
    assert _download.get_file("p.bin", origin=server.base + "p.bin", verbose=False) == str(
        other / "datasets" / "p.bin")
    # an unusable KERAS_HOME falls back to /tmp/.keras (here: the patched fallback)
    blocker = tmp_path / "a_file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("KERAS_HOME", str(blocker / "keras"))
    got = _download.get_file("p.bin", origin=server.base + "p.bin", verbose=False)
    assert got == str(tmp_path / "tmp_keras" / "datasets" / "p.bin")
    # without KERAS_HOME: ~/.keras
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert _download.keras_home() == str(tmp_path / "user" / ".keras")


def test_extract_tar_the_keras_way(home, server, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("inner/hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
        evil = tarfile.TarInfo("../evil.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    archive = buf.getvalue()
    server.files["/pack.tar.gz"] = archive
    got = _download.get_file("pack", origin=server.base + "pack.tar.gz", extract=True,
                             file_hash=_sha256(archive), verbose=False)
    assert got == str(home / "datasets" / "pack")
    assert (home / "datasets" / "pack" / "inner" / "hello.txt").read_bytes() == b"hello"
    assert (home / "datasets" / "pack_archive").read_bytes() == archive
    assert not (home / "datasets" / "evil.txt").exists()
    # a name with an extension keeps it for the archive and extracts to <stem>_extracted
    got = _download.get_file("pack.tar.gz", origin=server.base + "pack.tar.gz", extract=True,
                             verbose=False)
    assert got == str(home / "datasets" / "pack_extracted")


# ---------------------------------------------------------------- image datasets


def test_mnist_from_keras_cache(home, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
                  y_train=np.arange(6, dtype=np.uint8),
                  x_test=rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
                  y_test=np.arange(3, dtype=np.uint8))
    data = _npz_bytes(**arrays)
    _put(home, "mnist.npz", data)
    monkeypatch.setattr(mnist, "_HASH", _sha256(data))
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_test.shape == (3, 28, 28)
    assert y_train.shape == (6,) and y_test.shape == (3,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(x_train, arrays["x_train"])


def test_mnist_downloads_from_origin(home, server, monkeypatch, capsys):
    data = _npz_bytes(x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8),
                      x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    server.files["/tf-keras-datasets/mnist.npz"] = data
    monkeypatch.setattr(mnist, "_ORIGIN", server.base + "tf-keras-datasets/mnist.npz")
    monkeypatch.setattr(mnist, "_HASH", _sha256(data))
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (2, 28, 28)
    assert (home / "datasets" / "mnist.npz").read_bytes() == data
    mnist.load_data()
    assert server.requests == ["/tf-keras-datasets/mnist.npz"]  # the second load is offline


def test_mnist_real_hash_and_origin():
    assert mnist._ORIGIN == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert len(mnist._HASH) == 64 and len(cifar10._HASH) == 64 and len(imdb._HASH) == 64


def _idx(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes())


def test_fashion_mnist_gz_files(home):
    rng = np.random.default_rng(1)
    x_train = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 5).astype(np.uint8)
    x_test = rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 2).astype(np.uint8)
    for name, arr, magic in [("train-images-idx3-ubyte.gz", x_train, 2051),
                             ("train-labels-idx1-ubyte.gz", y_train, 2049),
                             ("t10k-images-idx3-ubyte.gz", x_test, 2051),
                             ("t10k-labels-idx1-ubyte.gz", y_test, 2049)]:
        _put(home, f"fashion-mnist/{name}", _idx(arr, magic))
    (xa, ya), (xb, yb) = fashion_mnist.load_data()
    np.testing.assert_array_equal(xa, x_train)
    np.testing.assert_array_equal(ya, y_train)
    np.testing.assert_array_equal(xb, x_test)
    np.testing.assert_array_equal(yb, y_test)
    assert xa.dtype == ya.dtype == np.uint8 and xb.shape == (2, 28, 28)


def _cifar_batch(n, rng, **labels):
    batch = {b"batch_label": b"test batch", b"data": rng.integers(0, 256, (n, 3072),
                                                                   dtype=np.uint8),
             b"filenames": [b"img%d.png" % i for i in range(n)]}
    batch.update({k.encode(): v for k, v in labels.items()})
    return batch


def _tar_gz(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, obj in members.items():
            data = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _cifar10_batches(rng):
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {f"cifar-10-batches-py/{name}": _cifar_batch(2, rng, labels=[i % 10, (i + 3) % 10])
            for i, name in enumerate(names)}


def _check_cifar10(loaded, batches):
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (2, 1)
    assert {a.dtype for a in loaded[0] + loaded[1]} == {np.dtype(np.uint8)}
    first = batches["cifar-10-batches-py/data_batch_1"][b"data"][0]
    np.testing.assert_array_equal(x_train[0], first.reshape(3, 32, 32).transpose(1, 2, 0))
    assert y_train[:2, 0].tolist() == [0, 3] and y_test[:, 0].tolist() == [5, 8]


def test_cifar10_keras3_cache_and_download(home, server, monkeypatch):
    batches = _cifar10_batches(np.random.default_rng(2))
    archive = _tar_gz(batches)
    server.files["/cifar-10-python.tar.gz"] = archive
    monkeypatch.setattr(cifar10, "_ORIGIN", server.base + "cifar-10-python.tar.gz")
    monkeypatch.setattr(cifar10, "_HASH", _sha256(archive))
    _check_cifar10(cifar10.load_data(), batches)
    datadir = home / "datasets"
    assert (datadir / "cifar-10-batches-py-target_archive").read_bytes() == archive
    assert (datadir / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").exists()
    _check_cifar10(cifar10.load_data(), batches)  # from the cache
    assert len(server.requests) == 1


def test_cifar10_older_keras_cache(home):
    batches = _cifar10_batches(np.random.default_rng(3))
    for name, batch in batches.items():
        _put(home, name, pickle.dumps(batch, protocol=2))
    _check_cifar10(cifar10.load_data(), batches)


def test_cifar100_label_modes(home, monkeypatch):
    rng = np.random.default_rng(4)
    train = _cifar_batch(3, rng, fine_labels=[10, 55, 99], coarse_labels=[1, 2, 19])
    test = _cifar_batch(2, rng, fine_labels=[7, 8], coarse_labels=[0, 3])
    archive = _tar_gz({"cifar-100-python/train": train, "cifar-100-python/test": test})
    _put(home, "cifar-100-python-target_archive", archive)
    monkeypatch.setattr(cifar100, "_HASH", _sha256(archive))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data()
    assert x_train.shape == (3, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert x_train.dtype == np.uint8
    assert y_train.shape == (3, 1) and y_train[:, 0].tolist() == [10, 55, 99]
    (_, y_train), (_, y_test) = cifar100.load_data(label_mode="coarse")
    assert y_train[:, 0].tolist() == [1, 2, 19] and y_test[:, 0].tolist() == [0, 3]
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")


def test_pickled_code_is_refused(home, monkeypatch):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    data = pickle.dumps({b"data": Evil(), b"labels": []}, protocol=2)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        _put(home, f"cifar-10-batches-py/{name}", data)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        cifar10.load_data()


# ---------------------------------------------------------------- text datasets

# word ranks (before index_from): train reviews, then test reviews
IMDB_TRAIN = [[0, 1, 2, 3], [5, 0], [1, 1, 1, 1, 1, 1], [9]]
IMDB_TEST = [[4, 0, 7], [2, 2]]


@pytest.fixture
def imdb_file(home, monkeypatch):
    data = _npz_bytes(x_train=_ragged(IMDB_TRAIN), y_train=np.array([1, 0, 1, 0]),
                      x_test=_ragged(IMDB_TEST), y_test=np.array([0, 1]))
    _put(home, "imdb.npz", data)
    monkeypatch.setattr(imdb, "_HASH", _sha256(data))


def _imdb_order(seed=113):
    rng = np.random.RandomState(seed)
    train, test = np.arange(4), np.arange(2)
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def test_imdb_defaults(imdb_file):
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    train, test = _imdb_order()
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (2,)
    assert y_train.tolist() == [[1, 0, 1, 0][i] for i in train]
    # start_char=1, ranks shifted by index_from=3; num_words=None keeps all but the max (Keras)
    top = max(w + 3 for seq in IMDB_TRAIN + IMDB_TEST for w in seq)
    expected = [[1] + [w + 3 if w + 3 < top else 2 for w in IMDB_TRAIN[i]] for i in train]
    assert [list(x) for x in x_train] == expected
    assert list(x_test[0]) == [1] + [w + 3 if w + 3 < top else 2 for w in IMDB_TEST[test[0]]]


def test_imdb_vocabulary_arguments(imdb_file):
    (x_train, _), _ = imdb.load_data(num_words=6, skip_top=4, start_char=None, index_from=0,
                                     seed=0)
    train, _ = _imdb_order(0)
    expected = [[w if 4 <= w < 6 else 2 for w in IMDB_TRAIN[i]] for i in train]
    assert [list(x) for x in x_train] == expected
    (x_train, _), _ = imdb.load_data(num_words=6, oov_char=None, seed=0)
    expected = [[w for w in [1] + [v + 3 for v in IMDB_TRAIN[i]] if w < 6] for i in train]
    assert [list(x) for x in x_train] == expected
    (x_train, _), _ = imdb.load_data(num_words=10, index_from=5, oov_char=7, seed=0)
    expected = [[1] + [v + 5 if v + 5 < 10 else 7 for v in IMDB_TRAIN[i]] for i in train]
    assert [list(x) for x in x_train] == expected


def test_imdb_maxlen_and_seed(imdb_file):
    # maxlen keeps sequences strictly shorter than maxlen (start_char included)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=4)
    assert sorted(len(x) for x in x_train) == [2, 3] and len(y_train) == 2
    assert [len(x) for x in x_test] == [3] and y_test.tolist() == [1]
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(maxlen=2)
    a = imdb.load_data(seed=1)[0][1].tolist()
    assert a == imdb.load_data(seed=1)[0][1].tolist()
    with pytest.warns(UserWarning, match="nb_words"):
        imdb.load_data(nb_words=10)  # accepted and ignored, as Keras 3 does


def test_imdb_word_index(home, monkeypatch):
    data = json.dumps({"the": 1, "and": 2, "film": 19}).encode()
    _put(home, "imdb_word_index.json", data)
    monkeypatch.setattr(imdb, "_WORD_INDEX_HASH", hashlib.md5(data).hexdigest())
    assert imdb.get_word_index() == {"the": 1, "and": 2, "film": 19}


REUTERS_X = [[i % 7, (i * 3) % 11, i % 5] + [1] * (i % 4) for i in range(20)]
REUTERS_Y = [i % 46 for i in range(20)]


@pytest.fixture
def reuters_file(home, monkeypatch):
    data = _npz_bytes(x=_ragged(REUTERS_X), y=np.array(REUTERS_Y))
    _put(home, "reuters.npz", data)
    monkeypatch.setattr(reuters, "_HASH", _sha256(data))


def test_reuters_split_and_arguments(reuters_file):
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert (len(x_train), len(x_test)) == (16, 4) and x_train.dtype == object
    order = np.arange(20)
    np.random.RandomState(113).shuffle(order)
    assert y_train.tolist() + y_test.tolist() == [REUTERS_Y[i] for i in order]
    top = max(w + 3 for seq in REUTERS_X for w in seq)
    assert list(x_train[0]) == [1] + [w + 3 if w + 3 < top else 2 for w in REUTERS_X[order[0]]]
    (x_train, _), (x_test, _) = reuters.load_data(test_split=0.5, num_words=8, skip_top=4,
                                                  index_from=2, oov_char=3)
    assert len(x_train) == len(x_test) == 10
    assert list(x_train[0]) == [3] + [w + 2 if 4 <= w + 2 < 8 else 3
                                      for w in REUTERS_X[order[0]]]
    (x_train, y_train), (x_test, y_test) = reuters.load_data(maxlen=5)
    kept = [i for i in order if len(REUTERS_X[i]) + 1 < 5]
    assert len(x_train) + len(x_test) == len(kept) < 20
    assert all(len(x) < 5 for x in list(x_train) + list(x_test))
    assert y_train.tolist() + y_test.tolist() == [REUTERS_Y[i] for i in kept]


def test_reuters_word_index_and_labels(home, monkeypatch):
    data = json.dumps({"said": 2}).encode()
    _put(home, "reuters_word_index.json", data)
    monkeypatch.setattr(reuters, "_WORD_INDEX_HASH", hashlib.md5(data).hexdigest())
    assert reuters.get_word_index() == {"said": 2}
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and names[-1] == "lead"


# ---------------------------------------------------------------- tabular


def test_boston_housing(home, monkeypatch):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64) + 10
    data = _npz_bytes(x=x, y=y)
    _put(home, "boston_housing.npz", data)
    monkeypatch.setattr(boston_housing, "_HASH", _sha256(data))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13)
    assert y_train.shape == (40,) and x_train.dtype == np.float64
    np.testing.assert_array_equal(x_train[:, 0] / 13, y_train - 10)  # rows stay paired
    (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0.3, seed=1)
    assert (len(x_train), len(x_test)) == (35, 15)
    order = np.arange(50)
    np.random.RandomState(1).shuffle(order)
    np.testing.assert_array_equal(x_train, x[order[:35]])
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_california_housing(home, monkeypatch):
    x = np.arange(700 * 8, dtype=np.float32).reshape(700, 8)
    y = np.arange(700, dtype=np.float32) * 100
    data = _npz_bytes(x=x, y=y)
    _put(home, "california_housing.npz", data)
    monkeypatch.setattr(california_housing, "_HASH", _sha256(data))
    (x_train, y_train), (x_test, y_test) = california_housing.load_data()
    assert x_train.shape == (560, 8) and x_test.shape == (140, 8) and y_test.shape == (140,)
    np.testing.assert_array_equal(x_train[:, 0] / 8, y_train / 100)  # rows stay paired
    (x_train, y_train), (x_test, _) = california_housing.load_data(version="small", test_split=0.5,
                                                                   seed=3)
    order = np.arange(600)
    np.random.RandomState(3).shuffle(order)
    assert (len(x_train), len(x_test)) == (300, 300)
    np.testing.assert_array_equal(y_train, y[order[:300]])
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")
    with pytest.raises(ValueError, match="test_split"):
        california_housing.load_data(test_split=-0.1)


def test_digits_still_bundled():
    (x_train, y_train), (x_test, _) = datasets.digits.load_data()
    assert x_train.shape == (1438, 8, 8) and x_test.shape == (359, 8, 8)

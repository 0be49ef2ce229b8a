"""Parity: nbkeras's callbacks against real Keras 3 goldens.

Goldens: tests/goldens/callbacks.{json,npz}, written by tools/goldens_callbacks.py from the
scenarios in tests/callback_cases.py, which run here unchanged on nbkeras. Each case trains a
small fixed model with some callbacks; compared: every fit's history (learning rates
included), the final weights (after EarlyStopping's restore), the printed messages (numbers
within rtol), the callbacks' attributes, the files ModelCheckpoint wrote, CSVLogger's text,
and the order of hook calls in fit, evaluate and predict.
"""

import re

import numpy as np
import pytest

import callback_cases as cc
import nbkeras as keras
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-6

DOC, A = load_goldens("callbacks")
CASES = {c["id"]: c for c in DOC["cases"] if "case" in c}
HOOKS = next(c for c in DOC["cases"] if c["id"] == "hooks_order")
# nbkeras's BackupAndRestore names its files differently (a crash-safe layout).
OWN_FILE_LAYOUT = {"backup_resume", "backup_uninterrupted", "backup_batch_freq"}
_RESULTS = {}


def needs_saving(cid):
    saves = any(s["class"] in ("ModelCheckpoint", "BackupAndRestore")
                for s in CASES[cid]["case"]["callbacks"])
    if saves and not hasattr(keras.Model, "save_weights"):
        pytest.skip("model saving (model.save / save_weights / load_weights) has not landed yet")


def result(cid, tmp_path_factory):
    if cid not in _RESULTS:
        needs_saving(cid)
        keras.backend.clear_session()
        workdir = tmp_path_factory.mktemp(cid)
        _RESULTS[cid] = cc.run_case(keras, CASES[cid]["case"], str(workdir))
    return _RESULTS[cid]


NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+")


def assert_text_close(got, want):
    """Equal texts, except that numbers may differ within RTOL."""
    assert NUMBER.split(got) == NUMBER.split(want), f"{got!r} != {want!r}"
    g, w = NUMBER.findall(got), NUMBER.findall(want)
    assert len(g) == len(w)
    np.testing.assert_allclose([float(v) for v in g], [float(v) for v in w], rtol=RTOL, atol=ATOL)


IDS = list(CASES)


@pytest.mark.parametrize("cid", IDS)
def test_history(cid, tmp_path_factory):
    got = result(cid, tmp_path_factory)
    want = CASES[cid]
    assert got["errors"] == want["errors"]
    assert [None if h is None else list(h) for h in got["histories"]] == want["history_keys"]
    for g, w in zip(got["histories"], want["histories"]):
        for key, ref in (w or {}).items():
            np.testing.assert_allclose(g[key], A[ref], rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("cid", IDS)
def test_final_weights(cid, tmp_path_factory):
    got = result(cid, tmp_path_factory)
    for g, ref in zip(got["final_weights"], CASES[cid]["final_weights"]):
        np.testing.assert_allclose(g, A[ref], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cid", IDS)
def test_messages_and_attributes(cid, tmp_path_factory):
    got = result(cid, tmp_path_factory)
    want = CASES[cid]
    assert_text_close(got["stdout"], want["stdout"])
    assert len(got["attrs"]) == len(want["attrs"])
    for g, w in zip(got["attrs"], want["attrs"]):
        assert sorted(g) == sorted(w)
        for key, value in w.items():
            if isinstance(value, float):
                assert g[key] == pytest.approx(value, rel=RTOL), key
            else:
                assert g[key] == value, key


@pytest.mark.parametrize("cid", [c for c in IDS if c not in OWN_FILE_LAYOUT])
def test_files_written(cid, tmp_path_factory):
    got = result(cid, tmp_path_factory)
    want = CASES[cid]
    assert got["files"] == want["files"]
    assert sorted(got["texts"]) == sorted(want["texts"])
    for name, text in want["texts"].items():
        got_rows = got["texts"][name].split("\r\n")
        want_rows = text.split("\r\n")
        assert len(got_rows) == len(want_rows)
        for g, w in zip(got_rows, want_rows):
            assert_text_close(g, w)


def test_backup_files_kept_when_asked(tmp_path_factory):
    got = result("backup_batch_freq", tmp_path_factory)
    assert "backup/training_metadata.json" in got["files"]
    assert "backup/training_metadata.json" in CASES["backup_batch_freq"]["files"]
    assert not result("backup_uninterrupted", tmp_path_factory)["files"]


def test_resumed_run_ends_like_uninterrupted(tmp_path_factory):
    resumed = result("backup_resume", tmp_path_factory)["final_weights"]
    straight = result("backup_uninterrupted", tmp_path_factory)["final_weights"]
    for r, s in zip(resumed, straight):
        np.testing.assert_allclose(r, s, rtol=1e-6, atol=1e-7)


def test_hook_order():
    assert cc.run_hooks(keras) == HOOKS["events"]

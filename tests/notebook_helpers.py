"""In-memory ipywidgets comm: widgets record the messages they would send to a frontend."""

import comm
from comm.base_comm import BaseComm


class RecordingComm(BaseComm):
    sent = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        RecordingComm.sent.append((msg_type, data or {}))


def install(monkeypatch):
    """Route widget comms to RecordingComm; force notebook mode; capture display() calls."""
    import nbkeras.notebook.environment as env

    RecordingComm.sent = []
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))
    monkeypatch.setattr(env, "_FORCED", True)
    shown = []
    monkeypatch.setattr(env, "display", lambda obj, **kw: shown.append(obj))
    return shown



"""A stand-in for IPython's display() with display handles: records every bundle shown or
updated, as a front end would receive them."""

import json


class Handle:
    def __init__(self, log, data):
        self.log = log
        self.shown = [data]
        self.metadata = [{}]

    def update(self, data, raw=False, metadata=None, **kwargs):
        assert raw, "bundles are sent raw"
        json.dumps(data)  # every update must be JSON-serialisable, as on the wire
        self.shown.append(data)
        self.metadata.append(metadata or {})

    @property
    def last(self):
        return self.shown[-1]


def install(monkeypatch):
    """Force notebook mode; capture display() calls. Returns the list of handles shown."""
    import nbkeras.notebook.environment as env

    monkeypatch.setattr(env, "_FORCED", True)
    handles = []

    def display(obj, raw=False, display_id=None, **kwargs):
        json.dumps(obj)
        h = Handle(handles, obj)
        handles.append(h)
        return h if display_id else None

    monkeypatch.setattr(env, "display", display)
    return handles

"""nbval settings for the notebooks in this folder.

nbkeras's JSON payloads (`application/vnd.nbkeras.{training,history,model}+json`) are not
compared: they hold measured times and full-precision numbers, and nbval never sees the last
state of `fit`'s live output anyway (it ignores display updates). Each payload travels with a
`text/plain` form that nbval does compare (sanitized by tests/nbval_sanitize.cfg).
"""

NBKERAS_MIME_TYPES = ("application/vnd.nbkeras.training+json",
                      "application/vnd.nbkeras.history+json",
                      "application/vnd.nbkeras.model+json")


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        notebook = getattr(item, "parent", None)
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and NBKERAS_MIME_TYPES[0] not in skip:
            notebook.skip_compare = tuple(skip) + NBKERAS_MIME_TYPES

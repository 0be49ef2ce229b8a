"""The Jupyter front end's answers to the core's hooks (`nbkeras.utils.display_hooks`):
`fit`'s live output and the rich display of models and histories. Imported (and so
registered) by `nbkeras.notebook`.
"""

from nbkeras.notebook.environment import in_notebook


def progress_callbacks(verbose, batch_size, samples, callbacks):
    """In Jupyter: the live row and curves for verbose=1 (a LivePlot for `set_live_plot`);
    elsewhere NotImplemented, so the core prints its text progress bar."""
    if not in_notebook():
        return NotImplemented
    from nbkeras import config
    from nbkeras.callbacks.progbar_logger import ProgbarLogger
    from nbkeras.notebook.live_plot import LivePlot
    from nbkeras.notebook.live_training import LiveTraining

    live = [c for c in callbacks if isinstance(c, LiveTraining)]
    for c in live:  # a LivePlot the user passed: it says why this fit stopped
        c.callbacks = list(callbacks)
    text_bar = any(isinstance(c, ProgbarLogger) for c in callbacks)
    if live:
        return []
    if verbose == 1 and not text_bar:
        cls = LivePlot if config.live_plot() else LiveTraining
        cb = cls()
        cb.callbacks, cb.batch_size, cb.samples = list(callbacks), batch_size, samples
        return [cb]
    extra = [LivePlot()] if config.live_plot() else []
    if verbose and not text_bar:
        extra.append(ProgbarLogger())
    return extra


def history_bundle(history, include=None, exclude=None):
    """A History as a cell's value: the interactive chart's JSON, a PNG of the curves, text."""
    from nbkeras.notebook.training_record import history_payload, record_bundle

    if not history.history:
        return {"text/plain": repr(history)}
    epochs = list(history.epoch)
    n = max(len(v) for v in history.history.values())
    if len(epochs) != n:
        epochs = list(range(n))
    status = "interrupted" if getattr(history, "interrupted", False) else "completed"
    payload = history_payload(history.history, epochs=epochs,
                              learning_rates=history.history.get("learning_rate"),
                              status=status)
    data, metadata = record_bundle(payload, include=include, exclude=exclude)
    data["text/plain"] = repr(history)
    return data, metadata


def register():
    """Fill the core's display hooks with this front end."""
    from nbkeras.notebook.rich_display import model_mimebundle
    from nbkeras.utils import display_hooks

    display_hooks.set_progress_factory(progress_callbacks)
    display_hooks.register_display("model", model_mimebundle)
    display_hooks.register_display("history", history_bundle)

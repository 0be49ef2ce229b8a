"""Training-curve figures drawn with matplotlib's Agg canvas into PNG bytes (no pyplot).

The static record `fit` leaves in a notebook, a History shown as a cell's value, and
`LivePlot(to_file=...)`.
"""

import io

_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "iou", "r2")
_LR_KEYS = ("learning_rate", "lr")


def higher_is_better(name):
    """Whether larger values of a logged quantity are better (accuracy) or worse (loss)."""
    name = name.lower()
    if name.startswith("val_"):
        name = name[4:]
    return any(h in name for h in _HIGHER_IS_BETTER) and "loss" not in name and "error" not in name


def quantities(history):
    """The panel names: each logged quantity without its `val_` twin and without the rate."""
    names = []
    for key in history:
        base = key[4:] if key.startswith("val_") else key
        if base in _LR_KEYS or base.startswith("learning_rate_") or base in names:
            continue
        names.append(base)
    return names


def best_epoch(history, name):
    """(index, value, key) of the best epoch for a quantity: on validation data when logged."""
    key = "val_" + name if "val_" + name in history else name
    values = [v for v in history.get(key, [])]
    if not values:
        return None
    pick = max if higher_is_better(name) else min
    value = pick(values)
    return values.index(value), value, key


# Colours that read on both light and dark backgrounds: the PNG has no background of its own.
_INK = "#8a8a8a"
_TRAIN, _VAL, _BEST, _LR = "#3b82f6", "#f97316", "#22c55e", "#a855f7"


def curves_png(history, epochs=None, learning_rates=None, batch_points=None, panel_size=(4.6, 3.0),
               dpi=144, title=None, with_width=False):
    """Draw one panel per quantity (train vs val), the best epoch marked, and the learning
    rate when it changes. Returns PNG bytes (and its display width in CSS pixels when
    `with_width`).

    The figure is drawn at `dpi` (2x by default) on a transparent background in mid-grey ink,
    so it is sharp on high-density screens and readable in light and dark themes alike; shown
    at its width in points (1 pt = 1 CSS px), the text is 10-12 px.

    Args:
        history: {name: [per-epoch values]} (History.history).
        epochs: the epoch numbers (0-based) of those values; 0..n-1 by default.
        learning_rates: per-epoch rates; a panel is added when they change.
        batch_points: {name: ([x in epochs], [values])} drawn as faint per-batch points.
        with_width: also return the width to display the PNG at.

    Example:
        >>> png = curves_png({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = quantities(history)
    lrs = [v for v in (learning_rates or history.get("learning_rate") or []) if v is not None]
    show_lr = len(set(lrs)) > 1
    panels = names + (["learning rate"] if show_lr else [])
    ncols = min(max(len(panels), 1), 3)
    nrows = max(1, -(-len(panels) // ncols))
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), dpi=dpi)
    fig.patch.set_alpha(0.0)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)

    def style(ax, name):
        ax.set_facecolor("none")
        ax.set_title(name, fontsize=12, color=_INK)
        ax.set_xlabel("epoch", fontsize=10, color=_INK)
        ax.tick_params(labelsize=10, colors=_INK)
        for spine in ax.spines.values():
            spine.set_color(_INK)
        ax.locator_params(nbins=5)
        ax.locator_params(axis="x", integer=True)
        ax.grid(alpha=0.3, color=_INK)

    for ax, name in zip(axes, names):
        train = [v for v in history.get(name, [])]
        xs = [e + 1 for e in (epochs or range(len(train)))][-len(train):] if train else []
        if batch_points and name in batch_points:
            bx, by = batch_points[name]
            ax.plot(bx, by, ".", color=_TRAIN, alpha=0.25, markersize=2)
        if train:
            ax.plot(xs, train, "-o", color=_TRAIN, markersize=3, label="train")
        val = history.get("val_" + name, [])
        if val:
            vx = [e + 1 for e in (epochs or range(len(val)))][-len(val):]
            ax.plot(vx, val, "-o", color=_VAL, markersize=3, label="validation")
        best = best_epoch(history, name)
        if best is not None:
            i, value, key = best
            bx = (epochs[i] if epochs and i < len(epochs) else i) + 1
            ax.axvline(bx, color=_BEST, linestyle=":", linewidth=1.2)
            ax.plot([bx], [value], "*", color=_BEST, markersize=11,
                    label=f"best {bx}: {value:.4g}")
        style(ax, name)
        legend = ax.legend(fontsize=9, loc="lower right" if higher_is_better(name) else "upper right",
                           framealpha=0.0)
        for text in legend.get_texts():
            text.set_color(_INK)
    if show_lr:
        ax = axes[len(names)]
        ax.plot(range(1, len(lrs) + 1), lrs, "-o", drawstyle="steps-post", markersize=3, color=_LR)
        style(ax, "learning rate")
    title_lines = 0
    if title:  # wrapped to the figure's width (about 10 characters an inch at 11 pt)
        import textwrap

        wrapped = textwrap.wrap(title, max(20, int(fig.get_figwidth() * 10)))
        title_lines = len(wrapped)
        fig.suptitle("\n".join(wrapped), fontsize=11, color=_INK, y=1 - 0.08 / fig.get_figheight())
        fig.set_figheight(fig.get_figheight() + 0.2 * title_lines)
    # Fixed margins: tight_layout would measure every tick label and double the draw time.
    top = 1 - (0.35 + 0.22 * title_lines) / fig.get_figheight()
    fig.subplots_adjust(left=0.85 / fig.get_figwidth(), right=0.98,
                        bottom=0.55 / fig.get_figheight(), top=top,
                        wspace=0.35, hspace=0.6)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, transparent=True)
    png = buf.getvalue()
    if with_width:
        return png, int(round(fig.get_figwidth() * 72))
    return png

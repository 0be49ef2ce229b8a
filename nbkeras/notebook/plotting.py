"""Training-curve figures drawn with matplotlib's Agg canvas into PNG bytes (no pyplot).

Used by the `LivePlot` callback and by a `History` shown as a cell's value.
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


def curves_png(history, epochs=None, learning_rates=None, batch_points=None, panel_size=(3.6, 2.6),
               dpi=72, title=None):
    """Draw one panel per quantity (train vs val), the best epoch marked, and the learning
    rate when it changes. Returns PNG bytes.

    Args:
        history: {name: [per-epoch values]} (History.history).
        epochs: the epoch numbers (0-based) of those values; 0..n-1 by default.
        learning_rates: per-epoch rates; a panel is added when they change.
        batch_points: {name: ([x in epochs], [values])} drawn as faint per-batch points.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = quantities(history)
    lrs = list(learning_rates or history.get("learning_rate") or [])
    show_lr = len(set(lrs)) > 1
    panels = names + (["learning rate"] if show_lr else [])
    ncols = min(max(len(panels), 1), 3)
    nrows = max(1, -(-len(panels) // ncols))
    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, name in zip(axes, names):
        train = history.get(name, [])
        xs = [e + 1 for e in (epochs or range(len(train)))][-len(train):] if train else []
        if batch_points and name in batch_points:
            bx, by = batch_points[name]
            ax.plot(bx, by, ".", color="#1f77b4", alpha=0.25, markersize=2)
        if train:
            ax.plot(xs, train, "-o", color="#1f77b4", markersize=3, label="train")
        val = history.get("val_" + name, [])
        if val:
            vx = [e + 1 for e in (epochs or range(len(val)))][-len(val):]
            ax.plot(vx, val, "-o", color="#ff7f0e", markersize=3, label="val")
        best = best_epoch(history, name)
        if best is not None:
            i, value, key = best
            bx = (epochs[i] if epochs and i < len(epochs) else i) + 1
            ax.axvline(bx, color="#2ca02c", linestyle=":", linewidth=1)
            ax.plot([bx], [value], "*", color="#2ca02c", markersize=10,
                    label=f"best {bx}: {value:.4g}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.locator_params(nbins=4)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right" if higher_is_better(name) else "upper right")
    if show_lr:
        ax = axes[len(names)]
        ax.plot(range(1, len(lrs) + 1), lrs, "-o", drawstyle="steps-post", markersize=3, color="#9467bd")
        ax.locator_params(axis="x", integer=True)
        ax.set_title("learning rate", fontsize=10)
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    # Fixed margins: tight_layout would measure every tick label and double the draw time.
    top = 1 - (0.45 if title else 0.3) / fig.get_figheight()
    fig.subplots_adjust(left=0.75 / fig.get_figwidth(), right=0.98,
                        bottom=0.45 / fig.get_figheight(), top=top,
                        wspace=0.35, hspace=0.55)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()

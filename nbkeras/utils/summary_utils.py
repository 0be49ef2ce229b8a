"""The text table of `model.summary()`, in Keras 3's layout."""

import shutil
import textwrap

import numpy as np


def readable_memory_size(num_bytes):
    """'1.38 KB' for 1412 bytes, as Keras prints sizes."""
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024.0
    return f"{num_bytes:.2f} GB"


def count_params(weights):
    """The number of scalars in `weights`."""
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _bytes(weights):
    return int(sum(int(np.prod(w.shape)) * w.dtype.itemsize for w in weights))


def column_widths(line_length, positions):
    """Widths of the columns, padding included, for a table `line_length` wide."""
    if positions[-1] <= 1:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = int(pos) - current
        if width < 4:
            raise ValueError(
                "Insufficient console width to print summary. "
                f"Received: line_length={line_length}"
            )
        widths.append(width + 2)
        current += width
    available = line_length - (len(widths) + 1)
    excess = sum(widths) - available
    if excess > 0:
        # Shrink every column evenly, rounding as Python does, until the table fits.
        remaining, count = excess, len(widths)
        for i in range(len(widths)):
            cut = min(widths[i], round(remaining / count))
            widths[i] -= cut
            remaining -= cut
            count -= 1
    return widths


def _cells(text, width):
    """Wrap a cell at spaces; a word longer than the cell is cut with an ellipsis (as rich does)."""
    room = width - 2
    lines = []
    for line in textwrap.wrap(str(text), room, break_long_words=False, break_on_hyphens=False):
        lines.append(line if len(line) <= room else line[:room - 1] + "…")
    return lines or [""]


def format_table(headers, rows, widths, align):
    """Draw a box table with Keras's heavy header and light body lines."""
    def line(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    def render(cells, sep):
        wrapped = [_cells(c, w) for c, w in zip(cells, widths)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for col, w, a in zip(wrapped, widths, align):
                text = col[i] if i < len(col) else ""
                inner = text.rjust(w - 2) if a == "right" else text.ljust(w - 2)
                parts.append(" " + inner + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    lines = [line("┏", "┳", "┓", "━")]
    lines += render(headers, "┃")
    lines.append(line("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        lines += render(row, "│")
        lines.append(line("├", "┼", "┤", "─") if i < len(rows) - 1 else line("└", "┴", "┘", "─"))
    if not rows:
        lines.append(line("└", "┴", "┘", "─"))
    return lines


def summary_lines(model, line_length=None, positions=None, show_trainable=False):
    """The lines of `model.summary()`, laid out as Keras (through rich) lays them out."""
    rows = []
    connected = model._summary_has_connections()
    for layer, shape, conns in model._summary_rows():
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{layer.name} ({type(layer).__name__})", format_shape(shape), params]
        if connected:
            row.append(conns)
        rows.append(row)
    if connected:
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
    else:
        headers = ["Layer (type)", "Output Shape", "Param #"]
        align = ["left", "left", "right"]
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        align.append("center")
        for row, (layer, _, _) in zip(rows, model._summary_rows()):
            row.append("Y" if layer.trainable else "N")
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    widths = column_widths(line_length, positions)
    lines = [f'Model: "{model.name}"']
    lines += format_table(headers, rows, widths, align)
    groups = param_groups(model)
    total = groups["trainable"] + groups["non_trainable"] + groups["optimizer"]
    lines.append(f" Total params: {count_params(total):,} ({readable_memory_size(_bytes(total))})")
    for key, title in (("trainable", "Trainable"), ("non_trainable", "Non-trainable"),
                       ("optimizer", "Optimizer")):
        if key != "optimizer" or groups[key]:
            w = groups[key]
            lines.append(f" {title} params: {count_params(w):,} ({readable_memory_size(_bytes(w))})")
    return lines


def param_groups(model):
    """The weights `summary()` counts: trainable, non-trainable and (once built) the optimizer's."""
    opt = getattr(model, "optimizer", None)
    opt_vars = list(opt.variables) if opt is not None and getattr(opt, "built", False) else []
    return {"trainable": list(model.trainable_weights),
            "non_trainable": list(model.non_trainable_weights), "optimizer": opt_vars}


def param_totals(model):
    """{total, trainable, non_trainable, optimizer} parameter counts, as `summary()` prints them."""
    counts = {k: count_params(v) for k, v in param_groups(model).items()}
    counts["total"] = counts["trainable"] + counts["non_trainable"] + counts["optimizer"]
    return counts


def format_shape(shape):
    """'(None, 3)', or '[(None, 3), (None, 2)]' for several outputs, '?' when unknown."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join(str(d) for d in shape) + ")"  # Keras writes (None) for one axis

"""`plot_model`: a layer-graph diagram drawn without pydot or graphviz.

Layout: each layer gets a rank (the longest path from an input), layers in a rank are
ordered by the mean position of their parents and then of their children (a few sweeps,
so branches stay side by side and merges sit below their inputs), and edges are curves
from a box to the boxes it feeds. The diagram is an SVG (and a PNG drawn with matplotlib's
Agg canvas); in Jupyter it displays inline.
"""

import base64
import html

from nbkeras.utils.summary_utils import format_shape

_CHAR_W = 7.0  # px per character at 12 px sans-serif (an estimate; boxes get padding)
_LINE_H = 16
_PAD_X = 14
_PAD_Y = 8
_GAP_RANK = 36
_GAP_SIBLING = 24


def model_graph(model):
    """(layers, edges, output shapes, input shapes) of a model; layer order = execution order."""
    rows = model._summary_rows()
    out_shape = {id(layer): shape for layer, shape, _ in rows}
    layers = [layer for layer, _, _ in rows]
    edges = []
    nodes = getattr(model, "_nodes", None)
    if nodes is not None:  # functional: the traced call graph
        for node in nodes:
            for t in node.input_tensors:
                edge = (id(t._keras_history[0]), id(node.layer))
                if edge not in edges:
                    edges.append(edge)
    else:  # Sequential (and subclassed models, drawn in attribute order)
        edges = [(id(a), id(b)) for a, b in zip(layers, layers[1:])]
    in_shape = {}
    for a, b in edges:
        in_shape.setdefault(b, []).append(out_shape.get(a))
    return layers, edges, out_shape, in_shape


def layout(labels, edges, order, rankdir="TB"):
    """Positions {key: (x, y, w, h)} of boxes sized for `labels` ({key: [lines]}), the
    canvas size, and {edge: [virtual boxes it passes through]}."""
    parents = {k: [] for k in order}
    children = {k: [] for k in order}
    for a, b in edges:
        if a in parents and b in parents:
            parents[b].append(a)
            children[a].append(b)
    rank = {}
    for k in order:  # execution order is topological: the longest path from an input
        rank[k] = max([rank[p] + 1 for p in parents[k] if p in rank] or [0])
    for k in reversed(order):  # then each layer moves down to just above its first consumer,
        if children[k]:        # so a side branch sits beside what it feeds, not at the top
            rank[k] = max(rank[k], min(rank[c] for c in children[k]) - 1)
    # An edge that spans several ranks gets a thin virtual box in each rank it crosses, so
    # that the ordering keeps a lane free for it and it never runs through another box.
    sizes = {}
    routes = {}
    for a, b in edges:
        if a not in rank or b not in rank:
            continue
        chain = [a]
        for r in range(rank[a] + 1, rank[b]):
            d = ("virtual", a, b, r)
            rank[d] = r
            parents[d], children[d] = [chain[-1]], []
            children[chain[-1]].append(d)
            sizes[d] = (6.0, 6.0)
            chain.append(d)
        if len(chain) > 1:
            children[chain[-1]].append(b)
            parents[b].append(chain[-1])
        routes[(a, b)] = chain[1:]
    ranks = {}
    for k in list(order) + [d for d in rank if d not in parents or isinstance(d, tuple)]:
        if k in rank and k not in ranks.get(rank[k], []):
            ranks.setdefault(rank[k], []).append(k)
    levels = [ranks[r] for r in sorted(ranks)]
    for _ in range(6):  # barycenter sweeps: down by parents, up by children
        for neigh, seq in ((parents, levels[1:]), (children, levels[-2::-1])):
            for level in seq:
                pos = {}
                for lv in levels:
                    for i, k in enumerate(lv):
                        pos[k] = i
                def key(k, neigh=neigh, pos=pos):
                    ns = [pos[n] for n in neigh[k]]
                    return sum(ns) / len(ns) if ns else pos[k]
                level.sort(key=key)
    size = dict(sizes)
    for k in order:
        lines = labels[k]
        w = max(len(s) for s in lines) * _CHAR_W + 2 * _PAD_X
        h = len(lines) * _LINE_H + 2 * _PAD_Y
        size[k] = (w, h)
    boxes = {}
    horizontal = rankdir == "LR"
    # Along the rank axis each level takes its largest box; across it boxes sit side by side.
    along = 0.0
    extents = []
    for level in levels:
        depth = max(size[k][0] if horizontal else size[k][1] for k in level)
        across = sum(size[k][1] if horizontal else size[k][0] for k in level)
        across += _GAP_SIBLING * (len(level) - 1)
        extents.append(across)
        cursor = -across / 2
        for k in level:
            w, h = size[k]
            if horizontal:
                boxes[k] = [along + (depth - w) / 2, cursor, w, h]
                cursor += h + _GAP_SIBLING
            else:
                boxes[k] = [cursor, along + (depth - h) / 2, w, h]
                cursor += w + _GAP_SIBLING
        along += depth + _GAP_RANK
    # Pull single boxes under their parents' centre when that causes no overlap.
    shift_x = min(b[0] for b in boxes.values()) - 10
    shift_y = min(b[1] for b in boxes.values()) - 10
    for b in boxes.values():
        b[0] -= shift_x
        b[1] -= shift_y
    width = max(b[0] + b[2] for b in boxes.values()) + 10
    height = max(b[1] + b[3] for b in boxes.values()) + 10
    boxes = {k: tuple(v) for k, v in boxes.items()}
    return boxes, (width, height), routes


class ModelDiagram:
    """A model's layer graph; displays inline in Jupyter (SVG, with a PNG fallback).

    Attributes:
        svg: the SVG text.
        lines: a text outline of the graph (also its `text/plain`).

    Example:
        >>> diagram = nbkeras.utils.plot_model(model)
        >>> diagram.save("model.svg")
    """

    def __init__(self, model, show_shapes=True, show_layer_names=True, rankdir="TB",
                 show_dtype=False, show_layer_activations=False, dpi=96):
        if rankdir not in ("TB", "LR"):
            raise ValueError(f"`rankdir` must be 'TB' or 'LR'. Received: rankdir={rankdir!r}")
        self.model_name = model.name
        self.rankdir = rankdir
        self.dpi = dpi
        layers, edges, out_shape, in_shape = model_graph(model)
        self.labels, self.names = {}, {}
        for layer in layers:
            k = id(layer)
            kind = type(layer).__name__
            act = getattr(layer, "activation", None)
            if show_layer_activations and act is not None:
                kind += f" ({getattr(act, '__name__', str(act))})"
            head = f"{layer.name} ({kind})" if show_layer_names else kind
            lines = [head]
            if show_shapes:
                ins = in_shape.get(k)
                if ins:
                    lines.append("in: " + ", ".join(format_shape(s) for s in ins))
                lines.append("out: " + format_shape(out_shape.get(k)))
            if show_dtype:
                lines.append(f"dtype: {getattr(layer, 'dtype', '?')}")
            self.labels[k] = lines
            self.names[k] = layer.name
        self.order = [id(layer) for layer in layers]
        self.edges = edges
        self.boxes, self.size, self.routes = layout(self.labels, edges, self.order, rankdir)
        self.svg = self._svg()
        self._png = None

    # ------------------------------------------------------------ drawing
    def _port(self, a, b):
        """Where the edge a -> b enters b, as a fraction of b's side: a box with several
        inputs gets one entry point per input, in the order their routes arrive, so that a
        shortcut edge never merges with another input's."""
        axis = 1 if self.rankdir == "LR" else 0
        incoming = [e for e in self.edges if e[1] == b]
        if len(incoming) < 2:
            return 0.5

        def arrival(e):
            route = self.routes.get(e) or [e[0]]
            x, y, w, h = self.boxes[route[-1]]
            return (x + w / 2, y + h / 2)[axis]

        incoming.sort(key=arrival)
        return (incoming.index((a, b)) + 1) / (len(incoming) + 1)

    def _edge_points(self, a, b):
        """The points an edge passes: out of `a`, through its virtual boxes, into `b`."""
        ax, ay, aw, ah = self.boxes[a]
        bx, by, bw, bh = self.boxes[b]
        mids = [self.boxes[d] for d in self.routes.get((a, b), [])]
        port = self._port(a, b)
        if self.rankdir == "LR":
            pts = [(ax + aw, ay + ah / 2)]
            for x, y, w, h in mids:
                pts += [(x, y + h / 2), (x + w, y + h / 2)]
            return pts + [(bx, by + bh * port)]
        pts = [(ax + aw / 2, ay + ah)]
        for x, y, w, h in mids:
            pts += [(x + w / 2, y), (x + w / 2, y + h)]
        return pts + [(bx + bw * port, by)]

    def _curve(self, pts):
        """SVG path data: a smooth S-curve between consecutive point pairs."""
        d = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            if self.rankdir == "LR":
                m = (x1 + x2) / 2
                d.append(f"C{m:.1f},{y1:.1f} {m:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
            else:
                m = (y1 + y2) / 2
                d.append(f"C{x1:.1f},{m:.1f} {x2:.1f},{m:.1f} {x2:.1f},{y2:.1f}")
        return " ".join(d)

    def _svg(self):
        esc = html.escape
        w, h = self.size
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="DejaVu Sans, Arial, sans-serif" '
            'font-size="12" style="max-width:100%;height:auto">',
            f"<title>{esc(self.model_name)}</title>",
            '<defs><marker id="nbk-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
            '<rect width="100%" height="100%" fill="white"/>',
        ]
        for a, b in self.edges:
            d = self._curve(self._edge_points(a, b))
            out.append(f'<path d="{d}" fill="none" stroke="#555" stroke-width="1.3" '
                       'marker-end="url(#nbk-arrow)"/>')
        for k in self.order:
            x, y, bw, bh = self.boxes[k]
            lines = self.labels[k]
            out.append(f'<g><title>{esc(self.names[k])}</title>'
                       f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                       'rx="5" fill="#eef4fb" stroke="#4a78a8" stroke-width="1.2"/>')
            for i, line in enumerate(lines):
                ty = y + _PAD_Y + (i + 0.75) * _LINE_H
                weight = ' font-weight="bold"' if i == 0 else ' fill="#444"'
                out.append(f'<text x="{x + bw / 2:.1f}" y="{ty:.1f}" text-anchor="middle"'
                           f'{weight}>{esc(line)}</text>')
            out.append("</g>")
        out.append("</svg>")
        return "\n".join(out)

    def png(self):
        """The diagram as PNG bytes (matplotlib's Agg canvas)."""
        if self._png is None:
            self._png = self._draw_png()
        return self._png

    def _draw_png(self):
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

        w, h = self.size
        fig = Figure(figsize=(w / 72, h / 72), dpi=self.dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.axis("off")
        for a, b in self.edges:
            pts = self._edge_points(a, b)
            for i, (p1, p2) in enumerate(zip(pts, pts[1:])):
                last = i == len(pts) - 2
                ax.add_patch(FancyArrowPatch(p1, p2, arrowstyle="-|>" if last else "-",
                                             mutation_scale=10, color="#555", linewidth=1.1,
                                             shrinkA=0, shrinkB=0))
        for k in self.order:
            x, y, bw, bh = self.boxes[k]
            ax.add_patch(FancyBboxPatch((x, y), bw, bh, boxstyle="round,pad=0,rounding_size=5",
                                        facecolor="#eef4fb", edgecolor="#4a78a8", linewidth=1.1))
            for i, line in enumerate(self.labels[k]):
                ty = y + _PAD_Y + (i + 0.5) * _LINE_H
                ax.text(x + bw / 2, ty, line, ha="center", va="center", fontsize=9,
                        fontweight="bold" if i == 0 else "normal",
                        color="black" if i == 0 else "#444")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=self.dpi, metadata={"Software": None})
        return buf.getvalue()

    # ------------------------------------------------------------ output
    @property
    def lines(self):
        names = self.names
        out = [f'Model diagram "{self.model_name}": {len(self.order)} layers, '
               f"{len(self.edges)} connections"]
        for k in self.order:
            srcs = [names[a] for a, b in self.edges if b == k]
            arrow = f"  <- {', '.join(srcs)}" if srcs else ""
            out.append(f"  {' | '.join(self.labels[k])}{arrow}")
        return out

    def save(self, path):
        """Write the diagram to a `.png` or `.svg` file."""
        path = str(path)
        if path.lower().endswith(".svg"):
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.svg)
        elif path.lower().endswith(".png"):
            with open(path, "wb") as f:
                f.write(self.png())
        else:
            raise ValueError(f"`to_file` must end in .png or .svg. Received: to_file={path!r}")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": "\n".join(self.lines), "image/svg+xml": self.svg}
        try:
            bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        except ImportError:
            pass
        return bundle

    def __repr__(self):
        return f"<ModelDiagram {self.model_name!r}: {len(self.order)} layers>"


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw a model's layer graph, without pydot or graphviz (Keras's arguments and defaults).

    Args:
        model: the model.
        to_file: the file to write, ending in `.png` or `.svg` ("model.png", as in Keras);
            None only returns the diagram.
        show_shapes: show each layer's input and output shapes.
        show_layer_names: show each layer's name beside its class.
        rankdir: 'TB' (top to bottom) or 'LR' (left to right).
        dpi: the PNG's resolution (200, as in Keras).

    Returns:
        A `ModelDiagram` that displays inline in Jupyter (SVG with a PNG fallback).

    Example:
        >>> nbkeras.utils.plot_model(model, to_file="model.png", show_shapes=True)
        >>> nbkeras.utils.plot_model(model, to_file=None)  # display only, write nothing
    """
    diagram = ModelDiagram(model, show_shapes=show_shapes, show_layer_names=show_layer_names,
                           rankdir=rankdir, show_dtype=show_dtype,
                           show_layer_activations=show_layer_activations, dpi=dpi)
    if to_file:
        diagram.save(to_file)
    return diagram

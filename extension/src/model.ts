/**
 * The model view: an interactive summary table (nested models expandable, shared layers
 * marked) beside the layer graph laid out with dagre; hovering a layer shows its config.
 */
import dagre from '@dagrejs/dagre';
import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { ModelLayer, ModelPayload, parseModel } from './payload';
import { showError } from './training';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text) {
    e.textContent = text;
  }
  return e;
}

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, String(v));
  }
  return e;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The summary table's rows; a nested model's rows sit in an expandable group under its row. */
export function summaryTable(model: ModelPayload, onHover: (l: ModelLayer | null) => void): HTMLElement {
  const connected = model.layers.some(l => l.connected_to);
  const table = el('table', 'nbk-summary');
  const head = el('tr', '');
  for (const h of ['Layer (type)', 'Output Shape', 'Param #', ...(connected ? ['Connected to'] : [])]) {
    head.appendChild(el('th', h === 'Param #' ? 'nbk-num' : '', h));
  }
  table.appendChild(el('thead', '')).appendChild(head);
  const body = el('tbody', '');
  table.appendChild(body);
  const addRows = (layers: ModelLayer[], depth: number, group: string) => {
    for (const l of layers) {
      const tr = el('tr', depth ? 'nbk-nested' : '');
      if (group) {
        tr.dataset.group = group;
      }
      tr.dataset.layer = l.name;
      const name = el('td', 'nbk-name');
      name.style.paddingLeft = `${0.4 + depth * 1.2}em`;
      if (l.model) {
        const toggle = el('button', 'nbk-expand', '▸');
        toggle.title = 'Show the layers of this model';
        const id = `${group}/${l.name}`;
        toggle.onclick = () => {
          const open = toggle.textContent === '▸';
          toggle.textContent = open ? '▾' : '▸';
          body.querySelectorAll<HTMLTableRowElement>('tr').forEach(r => {
            if (open && r.dataset.group === id) {
              r.hidden = false;
            } else if (!open && (r.dataset.group === id || r.dataset.group?.startsWith(id + '/'))) {
              r.hidden = true;
              r.querySelector('.nbk-expand')?.replaceChildren('▸');
            }
          });
        };
        name.appendChild(toggle);
      }
      name.append(el('span', '', l.name), el('span', 'nbk-type', ` (${l.class_name})`));
      if (l.shared) {
        name.appendChild(el('span', 'nbk-shared', 'shared'));
      }
      if (!l.trainable) {
        name.appendChild(el('span', 'nbk-frozen', 'frozen'));
      }
      tr.append(name, el('td', 'nbk-shape', l.output_shape_text), el('td', 'nbk-num', fmt(l.params)));
      if (connected) {
        tr.appendChild(el('td', 'nbk-conn', l.connected_to || '-'));
      }
      tr.onmouseenter = () => onHover(l);
      body.appendChild(tr);
      if (l.model) {
        const before = body.rows.length;
        addRows(l.model.layers, depth + 1, `${group}/${l.name}`);
        for (let i = before; i < body.rows.length; i++) {
          body.rows[i].hidden = true;
        }
      }
    }
  };
  addRows(model.layers, 0, '');
  return table;
}

/** The totals, as Keras's summary() prints them (optimizer variables counted once compiled). */
export function totals(model: ModelPayload): HTMLElement {
  const box = el('div', 'nbk-totals');
  const lines: [string, number][] = [
    ['Total params', model.total_params],
    ['Trainable params', model.trainable_params],
    ['Non-trainable params', model.non_trainable_params]
  ];
  if (model.optimizer_params) {
    lines.push(['Optimizer params', model.optimizer_params]);
  }
  for (const [k, v] of lines) {
    const line = el('div', 'nbk-total');
    line.append(el('span', '', `${k}: `), el('b', '', fmt(v)));
    box.appendChild(line);
  }
  if (model.compiled && model.optimizer) {
    box.appendChild(el('div', 'nbk-compile', `optimizer ${model.optimizer} · loss ${model.loss}`));
  }
  return box;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: { name: string; x: number; y: number; w: number; h: number; layer: ModelLayer }[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** Lay out the layer graph top to bottom with dagre (ranks, crossing reduction, edge routes). */
export function layoutGraph(model: ModelPayload): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(model.layers.map(l => l.name));
  for (const l of model.layers) {
    const label = `${l.name} (${l.class_name})`;
    const w = Math.max(110, Math.min(260, 7 * Math.max(label.length, l.output_shape_text.length) + 16));
    g.setNode(l.name, { width: w, height: 38, layer: l });
  }
  const edges: [string, string][] = [];
  model.layers.forEach((l, i) => {
    // a payload without connections (an old kernel side) is drawn as a chain
    const chain = !model.layers.some(x => x.inbound.length);
    const inbound = chain ? (i ? [model.layers[i - 1].name] : []) : l.inbound;
    inbound.forEach((src, k) => {
      if (names.has(src)) {
        g.setEdge(src, l.name, {}, `${src}->${l.name}#${k}`);
        edges.push([src, l.name]);
      }
    });
  });
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: g.nodes().map(n => {
      const v = g.node(n) as dagre.Node & { layer: ModelLayer };
      return { name: n, x: v.x, y: v.y, w: v.width, h: v.height, layer: v.layer };
    }),
    edges: g.edges().map(e => ({ from: e.v, to: e.w, points: (g.edge(e) as dagre.GraphEdge).points }))
  };
}

/** Draw the layout as SVG: edges first, so that boxes sit on top; scaled to the output width. */
export function graphSvg(layout: GraphLayout, onHover: (l: ModelLayer | null) => void): SVGElement {
  const root = svg('svg', {
    class: 'nbk-graph',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    preserveAspectRatio: 'xMidYMin meet'
  });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'nbk-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
  marker.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'nbk-arrowhead' }));
  defs.appendChild(marker);
  root.appendChild(defs);
  const edges = svg('g', { class: 'nbk-edges' });
  for (const e of layout.edges) {
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const path = svg('path', { d, class: 'nbk-edge', 'marker-end': 'url(#nbk-arrow)' });
    path.dataset.from = e.from;
    path.dataset.to = e.to;
    edges.appendChild(path);
  }
  root.appendChild(edges);
  const nodes = svg('g', { class: 'nbk-nodes' });
  for (const n of layout.nodes) {
    const g = svg('g', { class: 'nbk-node', transform: `translate(${n.x - n.w / 2},${n.y - n.h / 2})` });
    g.dataset.layer = n.name;
    g.appendChild(svg('rect', { width: n.w, height: n.h, rx: 5, class: n.layer.shared ? 'nbk-box nbk-box-shared' : 'nbk-box' }));
    const t1 = svg('text', { x: n.w / 2, y: 15, class: 'nbk-box-name' });
    t1.textContent = `${n.name} (${n.layer.class_name})`;
    const t2 = svg('text', { x: n.w / 2, y: 30, class: 'nbk-box-shape' });
    t2.textContent = n.layer.output_shape_text;
    g.append(t1, t2);
    g.addEventListener('mouseenter', () => onHover(n.layer));
    nodes.appendChild(g);
  }
  root.appendChild(nodes);
  return root;
}

/** A config value as short text: a serialized object (an initializer, a dtype policy) by its
 * class and name, e.g. "DTypePolicy(float32)" or "GlorotUniform". */
export function configText(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && 'class_name' in v) {
    const o = v as { class_name: unknown; config?: { name?: unknown } };
    const name = o.config && typeof o.config.name === 'string' ? `(${o.config.name})` : '';
    return `${String(o.class_name)}${name}`;
  }
  return JSON.stringify(v);
}

/** The hovered layer's config, as a small key/value list. */
function configView(node: HTMLElement, layer: ModelLayer | null): void {
  node.replaceChildren();
  if (!layer) {
    node.appendChild(el('div', 'nbk-hint', 'Hover a layer to see its config.'));
    return;
  }
  node.appendChild(el('b', '', `${layer.name} (${layer.class_name})`));
  const dl = el('dl', '');
  for (const [k, v] of Object.entries(layer.config)) {
    if (k === 'name') {
      continue;
    }
    dl.append(el('dt', '', k), el('dd', '', configText(v)));
  }
  node.appendChild(dl);
}

/** The renderer for `application/vnd.nbkeras.model+json`. */
export class ModelRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('nbk-model');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    let payload: ModelPayload;
    try {
      payload = parseModel(model.data[this.options.mimeType]);
    } catch (error) {
      showError(this.node, 'model', error);
      return Promise.resolve();
    }
    const config = el('div', 'nbk-config');
    const hover = (l: ModelLayer | null) => configView(config, l);
    hover(null);
    const left = el('div', 'nbk-model-left');
    left.append(
      el('div', 'nbk-model-title', `Model: "${payload.name}" (${payload.class_name})`),
      summaryTable(payload, hover),
      totals(payload),
      config
    );
    const right = el('div', 'nbk-model-graph');
    if (payload.layers.length) {
      right.appendChild(graphSvg(layoutGraph(payload), hover));
    }
    this.node.replaceChildren(left, right);
    return Promise.resolve();
  }
}

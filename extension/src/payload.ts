/**
 * Parsing and validation of the JSON payloads the nbkeras kernel side emits.
 *
 * Every parser returns the typed payload or throws a `PayloadError` whose message says what was
 * expected and what was received; the renderers show that message in the cell.
 */

export const HISTORY_MIME = 'application/vnd.nbkeras.history+json';
export const TRAINING_MIME = 'application/vnd.nbkeras.training+json';
export const MODEL_MIME = 'application/vnd.nbkeras.model+json';

export class PayloadError extends Error {}

export interface Progress {
  epoch: number; // 0-based epoch being run
  epochs: number;
  step: number; // batches done in this epoch
  steps: number | null; // null: unknown (a generator)
  eta: number | null; // seconds left, null when unknown or stopped
  rate: string; // "12,345 samples/s"
  logs: Record<string, number>;
}

export interface Batches {
  x: number[]; // fractional epochs, 1-based: epoch e, batch b of S -> e + (b + 1) / S
  series: Record<string, number[]>;
}

export interface HistoryPayload {
  epochs: number[]; // 0-based epoch numbers of the logged values
  history: Record<string, (number | null)[]>;
  learning_rate: number[];
  batches: Batches | null;
  status: string; // running | completed | stopped_early | interrupted | failed
  reason: string;
  best: { key: string; epoch: number; value: number } | null;
  restored_epoch: number | null;
  elapsed: number | null;
  epochs_requested: number | null;
  error: string;
  progress: Progress | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) {
    return 'undefined';
  }
  const text = JSON.stringify(v);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function numberList(v: unknown, what: string): (number | null)[] {
  if (!Array.isArray(v)) {
    throw new PayloadError(`${what} should be a list of numbers. Received: ${describe(v)}`);
  }
  return v.map((x, i) => {
    if (x === null || typeof x === 'number') {
      return x;
    }
    throw new PayloadError(`${what}[${i}] should be a number or null. Received: ${describe(x)}`);
  });
}

function optNumber(v: unknown, what: string): number | null {
  if (v === undefined || v === null) {
    return null;
  }
  if (typeof v !== 'number') {
    throw new PayloadError(`${what} should be a number. Received: ${describe(v)}`);
  }
  return v;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Parse a history (or live training) payload. */
export function parseHistory(data: unknown): HistoryPayload {
  if (!isObject(data)) {
    throw new PayloadError(`The history payload should be an object. Received: ${describe(data)}`);
  }
  if (!isObject(data.history)) {
    throw new PayloadError(
      `The history payload needs "history": {name: [values]}. Received: history=${describe(data.history)}`
    );
  }
  const history: Record<string, (number | null)[]> = {};
  let n = 0;
  for (const [k, v] of Object.entries(data.history)) {
    history[k] = numberList(v, `history["${k}"]`);
    n = Math.max(n, history[k].length);
  }
  let epochs: number[];
  if (data.epochs === undefined) {
    epochs = Array.from({ length: n }, (_, i) => i);
  } else {
    epochs = numberList(data.epochs, 'epochs').map(e => (e === null ? 0 : e));
  }
  let batches: Batches | null = null;
  if (isObject(data.batches)) {
    const x = numberList(data.batches.x, 'batches.x').map(v => (v === null ? 0 : v));
    const series: Record<string, number[]> = {};
    if (isObject(data.batches.series)) {
      for (const [k, v] of Object.entries(data.batches.series)) {
        const values = numberList(v, `batches.series["${k}"]`);
        if (values.length !== x.length) {
          throw new PayloadError(
            `batches.series["${k}"] should have one value per batches.x entry (${x.length}). ` +
              `Received: ${values.length} values`
          );
        }
        series[k] = values.map(v => (v === null ? NaN : v));
      }
    }
    batches = { x, series };
  }
  let best = null;
  if (isObject(data.best) && typeof data.best.key === 'string') {
    best = {
      key: data.best.key,
      epoch: optNumber(data.best.epoch, 'best.epoch') ?? 0,
      value: optNumber(data.best.value, 'best.value') ?? NaN
    };
  }
  let progress: Progress | null = null;
  if (isObject(data.progress)) {
    const p = data.progress;
    const logs: Record<string, number> = {};
    if (isObject(p.logs)) {
      for (const [k, v] of Object.entries(p.logs)) {
        if (typeof v === 'number') {
          logs[k] = v;
        }
      }
    }
    progress = {
      epoch: optNumber(p.epoch, 'progress.epoch') ?? 0,
      epochs: optNumber(p.epochs, 'progress.epochs') ?? 1,
      step: optNumber(p.step, 'progress.step') ?? 0,
      steps: optNumber(p.steps, 'progress.steps'),
      eta: optNumber(p.eta, 'progress.eta'),
      rate: str(p.rate),
      logs
    };
  }
  const lr = data.learning_rate === undefined ? [] : numberList(data.learning_rate, 'learning_rate');
  return {
    epochs,
    history,
    learning_rate: lr.map(v => (v === null ? NaN : v)),
    batches,
    status: str(data.status) || 'completed',
    reason: str(data.reason),
    best,
    restored_epoch: optNumber(data.restored_epoch, 'restored_epoch'),
    elapsed: optNumber(data.elapsed, 'elapsed'),
    epochs_requested: optNumber(data.epochs_requested, 'epochs_requested'),
    error: str(data.error),
    progress
  };
}

const LR_KEYS = ['learning_rate', 'lr'];
const HIGHER = ['acc', 'auc', 'precision', 'recall', 'f1', 'iou', 'r2'];

/** Whether larger values of a logged quantity are better (accuracy) or worse (loss). */
export function higherIsBetter(name: string): boolean {
  const n = name.toLowerCase().replace(/^val_/, '');
  return HIGHER.some(h => n.includes(h)) && !n.includes('loss') && !n.includes('error');
}

/** The panel names: each logged quantity without its `val_` twin and without the rate. */
export function quantities(history: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const key of Object.keys(history)) {
    const base = key.startsWith('val_') ? key.slice(4) : key;
    if (LR_KEYS.includes(base) || base.startsWith('learning_rate_') || names.includes(base)) {
      continue;
    }
    names.push(base);
  }
  return names;
}

export interface Panel {
  name: string;
  /** x values (1-based epochs, fractional for batch points) followed by one array per series */
  data: (number | null)[][];
  labels: string[]; // one per series
  kinds: ('train' | 'val' | 'batch' | 'lr')[];
  best: { x: number; value: number } | null;
}

/** The epoch at which a quantity was best (validation when logged), 1-based. */
export function bestOf(p: HistoryPayload, name: string): { x: number; value: number } | null {
  const key = p.history['val_' + name] ? 'val_' + name : name;
  const values = p.history[key] || [];
  let at = -1;
  const hi = higherIsBetter(name);
  values.forEach((v, i) => {
    if (v === null || !isFinite(v)) {
      return;
    }
    const cur = at < 0 ? null : (values[at] as number);
    if (cur === null || (hi ? v > cur : v < cur)) {
      at = i;
    }
  });
  if (at < 0) {
    return null;
  }
  return { x: (p.epochs[at] ?? at) + 1, value: values[at] as number };
}

/** Merge series that have different x values into one sorted x array (nulls where absent). */
export function join(sets: { x: number[]; ys: (number | null)[][] }[]): (number | null)[][] {
  const xs = Array.from(new Set(sets.flatMap(s => s.x))).sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const out: (number | null)[][] = [xs];
  for (const s of sets) {
    for (const y of s.ys) {
      const col: (number | null)[] = new Array(xs.length).fill(null);
      s.x.forEach((x, i) => {
        col[index.get(x) as number] = y[i] ?? null;
      });
      out.push(col);
    }
  }
  return out;
}

/** One chart panel per quantity (train, val and per-batch points), plus the rate when it changes. */
export function buildPanels(p: HistoryPayload): Panel[] {
  const panels: Panel[] = [];
  const ex = p.epochs.map(e => e + 1);
  for (const name of quantities(p.history)) {
    const ys: (number | null)[][] = [];
    const labels: string[] = [];
    const kinds: Panel['kinds'] = [];
    const sets: { x: number[]; ys: (number | null)[][] }[] = [];
    for (const [key, kind] of [
      [name, 'train'],
      ['val_' + name, 'val']
    ] as const) {
      const values = p.history[key];
      if (values && values.length) {
        ys.push(values.slice(-ex.length));
        labels.push(kind === 'train' ? 'train' : 'validation');
        kinds.push(kind);
      }
    }
    sets.push({ x: ex.slice(-Math.max(0, ...ys.map(y => y.length))), ys });
    const batch = p.batches && p.batches.series[name];
    if (batch && batch.length) {
      sets.push({ x: p.batches!.x, ys: [batch] });
      labels.push('batch');
      kinds.push('batch');
    }
    panels.push({ name, data: join(sets), labels, kinds, best: bestOf(p, name) });
  }
  const lr = p.learning_rate;
  if (lr.length > 1 && new Set(lr).size > 1) {
    panels.push({
      name: 'learning rate',
      data: [lr.map((_, i) => (p.epochs[i] ?? i) + 1), lr],
      labels: ['learning rate'],
      kinds: ['lr'],
      best: null
    });
  }
  return panels;
}

/** Keras's metric format: 4 decimals, or scientific below 1e-3. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) {
    return '-';
  }
  return Math.abs(v) > 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

/** Seconds as Keras writes them: "3s", "1:05", "1:02:03" (ETA) or "850ms" under a second. */
export function formatSeconds(s: number): string {
  if (s < 1) {
    return `${Math.round(s * 1000)}ms`;
  }
  const t = Math.round(s);
  if (t < 60) {
    return `${t}s`;
  }
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(sec).padStart(2, '0')}`;
}

export interface ModelLayer {
  name: string;
  class_name: string;
  output_shape_text: string;
  params: number;
  trainable: boolean;
  connected_to: string;
  inbound: string[];
  shared: boolean;
  config: Record<string, unknown>;
  model: ModelPayload | null;
}

export interface ModelPayload {
  name: string;
  class_name: string;
  built: boolean;
  layers: ModelLayer[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  optimizer_params: number;
  compiled: boolean;
  optimizer: string;
  loss: string;
}

/** Parse a model payload (nested models are parsed recursively). */
export function parseModel(data: unknown, path = 'model'): ModelPayload {
  if (!isObject(data)) {
    throw new PayloadError(`The ${path} payload should be an object. Received: ${describe(data)}`);
  }
  if (!Array.isArray(data.layers)) {
    throw new PayloadError(
      `The ${path} payload needs "layers": [...]. Received: layers=${describe(data.layers)}`
    );
  }
  const layers = data.layers.map((l: unknown, i: number): ModelLayer => {
    if (!isObject(l) || typeof l.name !== 'string') {
      throw new PayloadError(`${path}.layers[${i}] should be an object with a "name". Received: ${describe(l)}`);
    }
    return {
      name: l.name,
      class_name: str(l.class_name),
      output_shape_text: str(l.output_shape_text),
      params: typeof l.params === 'number' ? l.params : 0,
      trainable: l.trainable !== false,
      connected_to: str(l.connected_to),
      inbound: Array.isArray(l.inbound) ? l.inbound.filter((s): s is string => typeof s === 'string') : [],
      shared: l.shared === true,
      config: isObject(l.config) ? l.config : {},
      model: isObject(l.model) ? parseModel(l.model, `${path}.layers[${i}].model`) : null
    };
  });
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    name: str(data.name),
    class_name: str(data.class_name),
    built: data.built !== false,
    layers,
    total_params: num(data.total_params),
    trainable_params: num(data.trainable_params),
    non_trainable_params: num(data.non_trainable_params),
    optimizer_params: num(data.optimizer_params),
    compiled: data.compiled === true,
    optimizer: str(data.optimizer),
    loss: str(data.loss)
  };
}

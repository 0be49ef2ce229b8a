/**
 * The training view: the progress row (title, epoch and batch bars, ETA, rate, metrics) above
 * the chart grid. It renders both the live MIME type (updated in place while `fit` runs) and a
 * saved History (the static record left when `fit` ends, or a History shown as a cell value).
 */
import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { ChartGrid } from './chart';
import { buildPanels, formatSeconds, formatValue, HistoryPayload, parseHistory } from './payload';

const STATUS_TEXT: Record<string, string> = {
  running: 'Training',
  completed: 'Completed',
  stopped_early: 'Stopped early',
  interrupted: 'Interrupted',
  failed: 'Failed'
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text) {
    e.textContent = text;
  }
  return e;
}

/** A bar of fixed width with its count beside it. */
class Bar {
  readonly node = el('span', 'nbk-bar');
  private readonly fill = el('span', 'nbk-bar-fill');
  private readonly count = el('span', 'nbk-count');
  constructor(label: string) {
    const track = el('span', 'nbk-track');
    track.appendChild(this.fill);
    this.node.append(el('span', 'nbk-bar-label', label), track, this.count);
  }
  set(done: number, total: number | null, text: string): void {
    const frac = total ? Math.min(1, done / total) : done > 0 ? 1 : 0;
    this.fill.style.width = `${(100 * frac).toFixed(1)}%`;
    this.count.textContent = text;
  }
}

/** The one-row summary of a fit: while it runs, and the record it leaves when it ends. */
export class ProgressRow {
  readonly node = el('div', 'nbk-row');
  private readonly title = el('span', 'nbk-title');
  private readonly epochBar = new Bar('epoch');
  private readonly batchBar = new Bar('batch');
  private readonly timing = el('span', 'nbk-timing');
  private readonly metrics = el('div', 'nbk-metrics');
  private readonly message = el('div', 'nbk-message');

  constructor() {
    const bars = el('div', 'nbk-bars');
    bars.append(this.title, this.epochBar.node, this.batchBar.node, this.timing);
    this.node.append(bars, this.metrics, this.message);
  }

  update(p: HistoryPayload): void {
    const prog = p.progress;
    const status = p.status;
    this.node.dataset.status = status;
    const requested = p.epochs_requested ?? prog?.epochs ?? p.epochs.length;
    const run = p.epochs.length;
    const epochNow = prog ? prog.epoch + 1 : run;
    if (status === 'running') {
      this.title.textContent = `Epoch ${epochNow}/${requested}`;
    } else {
      this.title.textContent = `${STATUS_TEXT[status] ?? status} · ${run} epoch${run === 1 ? '' : 's'}`;
    }
    const epochsDone = status === 'running' ? Math.max(0, epochNow - 1) : run;
    this.epochBar.set(status === 'completed' ? requested : epochsDone, requested, `${epochsDone}/${requested}`);
    if (prog) {
      const steps = prog.steps;
      this.batchBar.set(prog.step, steps, `${prog.step}/${steps ?? 'Unknown'}`);
    } else {
      this.batchBar.node.style.visibility = 'hidden';
    }
    const timing: string[] = [];
    if (status === 'running' && prog && prog.eta !== null) {
      timing.push(`ETA ${formatSeconds(prog.eta)}`);
    }
    if (status !== 'running' && p.elapsed !== null) {
      timing.push(`total ${formatSeconds(p.elapsed)}`);
    }
    if (prog && prog.rate) {
      timing.push(prog.rate);
    }
    this.timing.textContent = timing.join(' · ');
    this.metrics.replaceChildren();
    const logs: Record<string, number | null> = {};
    if (status === 'running' && prog) {
      Object.assign(logs, prog.logs);
    }
    for (const [k, v] of Object.entries(p.history)) {
      if (!(k in logs) && (status !== 'running' || k.startsWith('val_')) && v.length) {
        logs[k] = v[v.length - 1];
      }
    }
    for (const [k, v] of Object.entries(logs)) {
      const m = el('span', k.startsWith('val_') ? 'nbk-metric nbk-val' : 'nbk-metric');
      m.append(el('span', 'nbk-key', k), el('b', 'nbk-value', formatValue(v)));
      this.metrics.appendChild(m);
    }
    const notes: string[] = [];
    if (p.reason) {
      notes.push(p.reason);
    }
    if (p.best && status !== 'running') {
      notes.push(`best ${p.best.key} ${formatValue(p.best.value)} at epoch ${p.best.epoch + 1}`);
    }
    if (p.restored_epoch !== null) {
      notes.push(`restored the weights of epoch ${p.restored_epoch + 1}`);
    }
    this.message.replaceChildren();
    if (notes.length) {
      this.message.appendChild(el('span', 'nbk-note', notes.join(' · ')));
    }
    if (p.error) {
      this.message.appendChild(el('pre', 'nbk-error', p.error));
    }
  }
}

/** Show a payload problem in the cell: never a blank output or a console-only error. */
export function showError(node: HTMLElement, what: string, error: unknown): void {
  node.replaceChildren();
  const box = el('div', 'nbk-payload-error');
  box.append(
    el('b', '', `nbkeras could not display this ${what}.`),
    el('pre', '', error instanceof Error ? error.message : String(error))
  );
  node.appendChild(box);
}

/** The renderer for the live training and history MIME types. */
export class TrainingRenderer extends Widget implements IRenderMime.IRenderer {
  private row = new ProgressRow();
  private grid = new ChartGrid();
  private built = false;

  constructor(private readonly options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('nbk-training');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    let payload: HistoryPayload;
    try {
      payload = parseHistory(model.data[this.options.mimeType]);
    } catch (error) {
      this.built = false;
      showError(this.node, 'training history', error);
      return Promise.resolve();
    }
    if (!this.built) {
      this.node.replaceChildren(this.row.node, this.grid.node);
      this.built = true;
    }
    this.row.update(payload);
    this.grid.update(buildPanels(payload));
    return Promise.resolve();
  }

  protected onAfterAttach(): void {
    this.grid.draw();
  }

  dispose(): void {
    this.grid.dispose();
    super.dispose();
  }
}

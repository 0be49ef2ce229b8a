// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';

// jsdom lacks DragEvent, which @lumino/dragdrop touches when it loads
vi.hoisted(() => {
  const g = globalThis as unknown as { DragEvent?: unknown; MouseEvent: typeof MouseEvent };
  g.DragEvent ??= class extends g.MouseEvent {};
});

const created: { data: unknown; setData: ReturnType<typeof vi.fn>; target: HTMLElement }[] = [];
vi.mock('uplot', () => {
  class FakePlot {
    select = { width: 0 };
    setData = vi.fn();
    destroy = vi.fn();
    constructor(_opts: unknown, public data: unknown, public target: HTMLElement) {
      target.appendChild(document.createElement('canvas'));
      created.push(this);
    }
    static paths = { stepped: () => () => null };
  }
  return { default: FakePlot };
});

import { ChartGrid } from '../src/chart';
import { configText, graphSvg, layoutGraph, summaryTable, totals } from '../src/model';
import { buildPanels, parseHistory, parseModel } from '../src/payload';
import { ProgressRow, showError, TrainingRenderer } from '../src/training';

beforeEach(() => {
  created.length = 0;
  document.body.replaceChildren();
});

function running(step: number, epochs: number[]) {
  return parseHistory({
    epochs,
    history: { loss: epochs.map(e => 1 / (e + 1)), val_loss: epochs.map(e => 1.2 / (e + 1)) },
    status: 'running',
    epochs_requested: 25,
    progress: { epoch: epochs.length, epochs: 25, step, steps: 50, eta: 12.4, rate: '1,234 samples/s', logs: { loss: 0.25 } }
  });
}

describe('ProgressRow', () => {
  it('shows the full title, both counters, the ETA and the metrics while running', () => {
    const row = new ProgressRow();
    row.update(running(12, [0, 1]));
    const text = row.node.textContent!;
    expect(row.node.querySelector('.nbk-title')!.textContent).toBe('Epoch 3/25');
    expect(text).toContain('2/25');
    expect(text).toContain('12/50');
    expect(text).toContain('ETA 12s');
    expect(text).toContain('val_loss');
    expect(row.node.dataset.status).toBe('running');
  });

  it('clears the ETA on stop, shows the total time, why it stopped and the restored epoch', () => {
    const row = new ProgressRow();
    row.update(parseHistory({
      epochs: [0, 1, 2, 3], history: { val_loss: [0.5, 0.3, 0.4, 0.45] }, status: 'stopped_early',
      reason: 'EarlyStopping: val_loss did not improve for 2 epochs', best: { key: 'val_loss', epoch: 1, value: 0.3 },
      restored_epoch: 1, elapsed: 3.2, epochs_requested: 25
    }));
    const text = row.node.textContent!;
    expect(text).not.toContain('ETA');
    expect(text).toContain('Stopped early · 4 epochs');
    expect(text).toContain('total 3s');
    expect(text).toContain('restored the weights of epoch 2');
    expect(text).toContain('best val_loss 0.3000 at epoch 2');
  });

  it('turns red with the error text on a failure, even at the first batch', () => {
    const row = new ProgressRow();
    row.update(parseHistory({ epochs: [], history: {}, status: 'failed', error: 'ValueError: bad labels',
      progress: { epoch: 0, epochs: 5, step: 0, steps: 10, eta: null, rate: '', logs: {} } }));
    expect(row.node.dataset.status).toBe('failed');
    expect(row.node.querySelector('.nbk-error')!.textContent).toBe('ValueError: bad labels');
  });
});

describe('TrainingRenderer', () => {
  const model = (data: unknown) => ({ data: { 'application/vnd.nbkeras.training+json': data } }) as never;
  const options = { mimeType: 'application/vnd.nbkeras.training+json' } as never;

  it('shows a clear message in the cell for a malformed payload', async () => {
    const r = new TrainingRenderer(options);
    await r.renderModel(model({ history: { loss: 'oops' } }));
    expect(r.node.querySelector('.nbk-payload-error')!.textContent).toContain(
      'history["loss"] should be a list of numbers. Received: "oops"');
  });

  it('updates its charts in place as points arrive (no new canvas)', async () => {
    const r = new TrainingRenderer(options);
    document.body.appendChild(r.node);
    await r.renderModel(model({ epochs: [0], history: { loss: [1], val_loss: [1.1] }, status: 'running' }));
    (r as unknown as { grid: ChartGrid }).grid.draw();
    expect(created.length).toBe(1);
    await r.renderModel(model({ epochs: [0, 1], history: { loss: [1, 0.5], val_loss: [1.1, 0.6] }, status: 'running' }));
    expect(created.length).toBe(1);
    expect(created[0].setData).toHaveBeenCalledWith([[1, 2], [1, 0.5], [1.1, 0.6]], true);
  });
});

describe('ChartGrid', () => {
  it('adds a panel when a new quantity appears', () => {
    const grid = new ChartGrid();
    document.body.appendChild(grid.node);
    grid.update(buildPanels(parseHistory({ history: { loss: [1] } })));
    grid.update(buildPanels(parseHistory({ history: { loss: [1, 2], accuracy: [0.1, 0.2] } })));
    expect([...grid.node.querySelectorAll('.nbk-panel')].map(p => (p as HTMLElement).dataset.name)).toEqual(['loss', 'accuracy']);
  });
});

describe('model view', () => {
  const branching = parseModel({
    name: 'functional', class_name: 'Functional', total_params: 64160, trainable_params: 21386,
    non_trainable_params: 0, optimizer_params: 42774, compiled: true, optimizer: 'Adam', loss: 'mse',
    layers: [
      { name: 'input', class_name: 'InputLayer', output_shape_text: '(None, 8)', inbound: [] },
      { name: 'a', class_name: 'Dense', output_shape_text: '(None, 4)', params: 36, inbound: ['input'], config: { units: 4 } },
      { name: 'b', class_name: 'Dense', output_shape_text: '(None, 4)', params: 20, inbound: ['a'] },
      { name: 'cat', class_name: 'Concatenate', output_shape_text: '(None, 12)', inbound: ['input', 'b', 'a'], connected_to: 'input[0][0], b[0][0], a[0][0]' },
      { name: 'shared', class_name: 'Dense', output_shape_text: '(None, 1)', shared: true, inbound: ['cat'],
        model: { name: 'inner', layers: [{ name: 'deep', class_name: 'Dense' }] } }
    ]
  });

  it('draws an edge for every connection, under the boxes', () => {
    const layout = layoutGraph(branching);
    expect(layout.edges.map(e => `${e.from}->${e.to}`).sort()).toEqual(
      ['a->b', 'a->cat', 'b->cat', 'cat->shared', 'input->a', 'input->cat']);
    const ys = Object.fromEntries(layout.nodes.map(n => [n.name, n.y]));
    expect(ys.input < ys.a && ys.a < ys.b && ys.b < ys.cat).toBe(true); // ranks follow the longest path
    const root = graphSvg(layout, () => undefined);
    const groups = [...root.children].map(c => c.getAttribute('class'));
    expect(groups.indexOf('nbk-edges')).toBeLessThan(groups.indexOf('nbk-nodes'));
    expect(root.querySelectorAll('.nbk-edge').length).toBe(6);
    expect(root.querySelectorAll('.nbk-box-shared').length).toBe(1);
  });

  it('summarizes with Keras totals, left-aligned names, nested rows hidden until expanded', () => {
    const hovered: string[] = [];
    const table = summaryTable(branching, l => hovered.push(l ? l.name : ''));
    const nested = table.querySelector<HTMLTableRowElement>('tr[data-layer="deep"]')!;
    expect(nested.hidden).toBe(true);
    table.querySelector<HTMLButtonElement>('.nbk-expand')!.click();
    expect(nested.hidden).toBe(false);
    table.querySelector<HTMLButtonElement>('.nbk-expand')!.click();
    expect(nested.hidden).toBe(true);
    expect(table.querySelector('tr[data-layer="shared"] .nbk-shared')).not.toBeNull();
    table.querySelector<HTMLTableRowElement>('tr[data-layer="a"]')!.dispatchEvent(new Event('mouseenter'));
    expect(hovered).toEqual(['a']);
    expect(totals(branching).textContent).toContain('Total params: 64,160');
    expect(totals(branching).textContent).toContain('Optimizer params: 42,774');
  });

  it('shows serialized config objects by class and name', () => {
    expect(configText({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } })).toBe('DTypePolicy(float32)');
    expect(configText({ class_name: 'GlorotUniform', config: { seed: null } })).toBe('GlorotUniform');
    expect(configText([1, 2])).toBe('[1,2]');
    expect(configText('relu')).toBe('relu');
  });

  it('shows a message for a malformed model payload', () => {
    const node = document.createElement('div');
    showError(node, 'model', new Error('bad'));
    expect(node.textContent).toContain('nbkeras could not display this model.');
  });
});

describe('themes', () => {
  it('redraws the charts with the new colours when JupyterLab switches theme', async () => {
    const grid = new ChartGrid();
    document.body.appendChild(grid.node);
    grid.update(buildPanels(parseHistory({ history: { loss: [1, 2] } })));
    const mine = () => created.filter(p => grid.node.contains(p.target)).length;
    expect(mine()).toBe(1);
    document.body.dataset.jpThemeLight = 'false';
    await new Promise(r => setTimeout(r, 250));
    expect(mine()).toBe(2); // rebuilt: uPlot reads the axis colours when it is built
    grid.dispose();
  });
});

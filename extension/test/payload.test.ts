import { describe, expect, it } from 'vitest';

import {
  bestOf,
  buildPanels,
  formatSeconds,
  formatValue,
  higherIsBetter,
  join,
  parseHistory,
  parseModel,
  PayloadError,
  quantities
} from '../src/payload';

const sample = {
  epochs: [0, 1, 2],
  history: { loss: [1.0, 0.5, 0.4], val_loss: [1.1, 0.6, 0.7], accuracy: [0.5, 0.7, 0.8], val_accuracy: [0.4, 0.65, 0.6], learning_rate: [0.01, 0.01, 0.001] },
  learning_rate: [0.01, 0.01, 0.001],
  status: 'completed'
};

describe('parseHistory', () => {
  it('reads a complete payload', () => {
    const p = parseHistory(sample);
    expect(p.epochs).toEqual([0, 1, 2]);
    expect(p.status).toBe('completed');
    expect(p.history.val_loss).toEqual([1.1, 0.6, 0.7]);
    expect(p.progress).toBeNull();
  });

  it('defaults the epochs to 0..n-1 and the status to completed', () => {
    const p = parseHistory({ history: { loss: [3, 2] } });
    expect(p.epochs).toEqual([0, 1]);
    expect(p.status).toBe('completed');
  });

  it.each([
    [null, 'should be an object. Received: null'],
    [[1, 2], 'should be an object. Received: [1,2]'],
    [{}, 'needs "history": {name: [values]}. Received: history=undefined'],
    [{ history: { loss: 'x' } }, 'history["loss"] should be a list of numbers. Received: "x"'],
    [{ history: { loss: [1, 'a'] } }, 'history["loss"][1] should be a number or null. Received: "a"'],
    [{ history: { loss: [1] }, batches: { x: [1, 2], series: { loss: [1] } } }, 'one value per batches.x entry (2)'],
    [{ history: {}, progress: { epoch: 'two' } }, 'progress.epoch should be a number. Received: "two"']
  ])('rejects %j with a message that names what was received', (data, message) => {
    expect(() => parseHistory(data)).toThrow(PayloadError);
    expect(() => parseHistory(data)).toThrow(message);
  });
});

describe('series building', () => {
  it('makes one panel per quantity plus the rate when it changes', () => {
    const panels = buildPanels(parseHistory(sample));
    expect(panels.map(p => p.name)).toEqual(['loss', 'accuracy', 'learning rate']);
    expect(panels[0].labels).toEqual(['train', 'validation']);
    expect(panels[0].data).toEqual([[1, 2, 3], [1.0, 0.5, 0.4], [1.1, 0.6, 0.7]]);
  });

  it('leaves the rate out when it never changes', () => {
    const panels = buildPanels(parseHistory({ ...sample, learning_rate: [0.1, 0.1, 0.1] }));
    expect(panels.map(p => p.name)).toEqual(['loss', 'accuracy']);
  });

  it('marks the best epoch on validation data, lower or higher as the metric says', () => {
    const p = parseHistory(sample);
    expect(bestOf(p, 'loss')).toEqual({ x: 2, value: 0.6 });
    expect(bestOf(p, 'accuracy')).toEqual({ x: 2, value: 0.65 });
    expect(higherIsBetter('val_auc')).toBe(true);
    expect(higherIsBetter('loss')).toBe(false);
    expect(quantities(sample.history)).toEqual(['loss', 'accuracy']);
  });

  it('places resumed epochs (initial_epoch) at their own numbers', () => {
    const panels = buildPanels(parseHistory({ epochs: [5, 6], history: { loss: [0.3, 0.2] } }));
    expect(panels[0].data[0]).toEqual([6, 7]);
    expect(panels[0].best).toEqual({ x: 7, value: 0.2 });
  });

  it('aligns per-batch points with the epoch points on one x axis', () => {
    const p = parseHistory({
      epochs: [0],
      history: { loss: [0.5] },
      batches: { x: [0.5, 1], series: { loss: [0.7, 0.5] } }
    });
    const [panel] = buildPanels(p);
    expect(panel.labels).toEqual(['train', 'batch']);
    expect(panel.data).toEqual([[0.5, 1], [null, 0.5], [0.7, 0.5]]);
  });

  it('joins series with different x values, nulls where a series has no point', () => {
    expect(join([{ x: [1, 3], ys: [[10, 30]] }, { x: [2, 3], ys: [[20, 31]] }])).toEqual([
      [1, 2, 3],
      [10, null, 30],
      [null, 20, 31]
    ]);
  });

  it('builds 10,000-point histories (epochs and batches) into sorted, aligned columns', () => {
    const n = 10_000;
    const loss = Array.from({ length: n }, (_, i) => 1 / (i + 1));
    const bx = Array.from({ length: n }, (_, i) => (i + 1) / 10);
    const p = parseHistory({
      history: { loss, val_loss: loss.map(v => v * 1.1) },
      batches: { x: bx, series: { loss: bx.map(x => 1 / x) } }
    });
    const [panel] = buildPanels(p);
    const xs = panel.data[0] as number[];
    expect(panel.data.length).toBe(4);
    expect(xs.length).toBe(19_000); // the 1,000 batch points at whole epochs share their x
    expect(xs.every((x, i) => i === 0 || x > xs[i - 1])).toBe(true);
    expect(panel.data.every(col => col.length === xs.length)).toBe(true);
    expect(panel.best).toEqual({ x: n, value: loss[n - 1] * 1.1 });
  });
});

describe('formatting', () => {
  it('formats values and times as Keras does', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(0.0001234)).toBe('1.2340e-4');
    expect(formatValue(null)).toBe('-');
    expect(formatSeconds(0.925)).toBe('925ms');
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(65)).toBe('1:05');
    expect(formatSeconds(3723)).toBe('1:02:03');
  });
});

describe('parseModel', () => {
  it('parses nested models and rejects malformed layers', () => {
    const m = parseModel({
      name: 'outer',
      layers: [{ name: 'inner', class_name: 'Sequential', params: 10, model: { name: 'inner', layers: [{ name: 'd', params: 10 }] } }],
      total_params: 10
    });
    expect(m.layers[0].model?.layers[0].name).toBe('d');
    expect(() => parseModel({ layers: [{ nope: 1 }] })).toThrow('model.layers[0] should be an object with a "name". Received: {"nope":1}');
    expect(() => parseModel({ name: 'x' })).toThrow('needs "layers": [...]. Received: layers=undefined');
  });
});

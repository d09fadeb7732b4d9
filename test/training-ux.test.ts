// Training UX (issue 8): progress lines that keep their metrics at 80 columns, Keras-like
// verbose defaults that do not print one line per epoch of a toy run, one line when early
// stopping ends training, short numbers, summary() printed once, and errors that suggest the fix.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureStdout } from './setup.js';
import * as nr from '../ts/index.js';
import { formatLog } from '../ts/format.js';
import { layoutLine } from '../ts/models/progress.js';
import { oomHint } from '../ts/engine.js';

/** A fake stream that records what is written. */
function sink(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { out: { isTTY, columns, write: (s: string) => writes.push(s) }, writes, text: () => writes.join('') };
}

/** The lines a terminal would show: `\r` returns to the start of the line, `\x1b[K` clears the rest. */
function screen(text: string): string[] {
  const lines: string[] = [''];
  for (const part of text.replace(/\x1b\[K/g, '').split(/(\r|\n)/)) {
    if (part === '\n') lines.push('');
    else if (part === '\r') lines[lines.length - 1] = '';
    else lines[lines.length - 1] += part;
  }
  return lines.filter((l) => l !== '');
}

function xor() {
  const x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = nr.tensor([[0], [1], [1], [0]]);
  const model = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), nr.layers.dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'mse', 'mae'] });
  return { x, y, model, dispose: () => [x, y, model].forEach((o) => o.dispose()) };
}

afterEach(() => vi.restoreAllMocks());

describe('numbers in training logs', () => {
  it('print in a short fixed-width form', () => {
    expect(formatLog(1.72e29)).toBe('1.72e+29');
    expect(formatLog(-1.72e29)).toBe('-1.72e+29');
    expect(formatLog(3e-12)).toBe('3.00e-12');
    expect(formatLog(0.5)).toBe('0.5000');
    expect(formatLog(1234.56789)).toBe('1234.5679');
    expect(formatLog(12345.6)).toBe('1.23e+4');
    expect(formatLog(0)).toBe('0.0000');
    expect(formatLog(-1e-20 * 0)).toBe('0.0000');
    expect([NaN, Infinity, -Infinity].map(formatLog)).toEqual(['nan', 'inf', '-inf']);
    for (const v of [1e-30, 9.99e-4, 0.001, 1, 9999.99, 1e4, 3.4e38, -3.4e38]) expect(formatLog(v).length, String(v)).toBeLessThanOrEqual(10);
  });
});

describe('progress line layout', () => {
  const parts = (final: boolean) => ({
    head: 'Epoch 12/300', counter: '1875/1875', fraction: 1, final, time: final ? '12.3s' : 'ETA 1.2s', rate: '4871 samples/s',
    metrics: ['loss: 0.1234', 'accuracy: 0.9650', 'val_loss: 0.1500', 'val_accuracy: 0.9601'],
  });

  it('keeps every metric within 80 columns, dropping the rate and the bar first, wrapping last', () => {
    // During an epoch (training metrics only): one line.
    const interim = { ...parts(false), metrics: parts(false).metrics.slice(0, 2) };
    const line = layoutLine(interim, 80, false);
    expect(line).toBe('Epoch 12/300 1875/1875 [=======================>] - ETA 1.2s - loss: 0.1234 - accuracy: 0.9650'.replace(/\[=+>\]/, line.match(/\[=*>?\.*\]/)?.[0] ?? '?'));
    expect(line.length).toBeLessThanOrEqual(79);
    for (const m of interim.metrics) expect(line).toContain(m);
    // The epoch's final line with validation metrics: whole, wrapped at the width.
    const final = layoutLine(parts(true), 80, true);
    for (const m of parts(true).metrics) expect(final).toContain(m);
    expect(final.split('\n')[0]).toMatch(/^Epoch 12\/300 1875\/1875 - 12\.3s - loss: 0\.1234/);
    for (const l of final.split('\n')) expect(l.length).toBeLessThanOrEqual(79);
    // Wide terminals get the bar and the rate.
    expect(layoutLine(parts(true), 200, true)).toMatch(/^Epoch 12\/300 1875\/1875 \[=+\] - 12\.3s - 4871 samples\/s - loss: 0\.1234/);
  });

  it('wraps a final line that cannot fit instead of cutting it; cuts interim lines', () => {
    const many = { ...parts(true), metrics: Array.from({ length: 10 }, (_, i) => `metric_${i}: 0.${i}000`) };
    const whole = layoutLine(many, 80, true);
    for (const m of many.metrics) expect(whole).toContain(m);
    for (const l of whole.split('\n')) expect(l.length).toBeLessThanOrEqual(79);
    const cut = layoutLine({ ...many, final: false }, 80, false);
    expect(cut.length).toBeLessThanOrEqual(79);
    expect(cut.includes('\n')).toBe(false);
  });

  it('a fit on an 80-column terminal shows every metric on every epoch line', async () => {
    const { x, y, model, dispose } = xor();
    const s = sink(true, 80);
    await model.fit(x, y, { epochs: 3, batchSize: 1, verbose: 0, validationData: [x, y], callbacks: [nr.progressBar({ out: s.out, throttleMs: 0 })] });
    const lines = screen(s.text());
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(79);
    // Each epoch: its lines from 'Epoch i/3' up to the next, holding every metric.
    const epochs = lines.join('\n').split(/\n(?=Epoch )/);
    expect(epochs.map((e) => e.split(' ')[1])).toEqual(['1/3', '2/3', '3/3']);
    for (const e of epochs) {
      for (const k of ['loss', 'acc', 'mse', 'mae', 'val_loss', 'val_acc', 'val_mse', 'val_mae']) expect(e).toMatch(new RegExp(`(^| )${k}: \\d\\.\\d{4}(\\s|$)`));
      expect(e.split('\n')[0]).toMatch(/^Epoch \d\/3 4\/4 - \d+\.\ds - loss: /);
    }
    dispose();
  });
});

describe('progress edge cases', () => {
  it('TERM=dumb (Emacs): the bar is redrawn with spaces over the last draw, never an escape sequence', async () => {
    const { x, y, model, dispose } = xor();
    const s = sink(true, 80);
    vi.stubEnv('TERM', 'dumb');
    await model.fit(x, y, { epochs: 2, batchSize: 1, verbose: 0, callbacks: [nr.progressBar({ out: s.out, throttleMs: 0 })] });
    vi.unstubAllEnvs();
    expect(s.text()).not.toContain('\x1b');
    const lines = screen(s.text());
    expect(lines.map((l) => l.trimEnd().split(' ').slice(0, 2).join(' '))).toEqual(['Epoch 1/2', 'Epoch 2/2']);
    dispose();
  });

  it("fitDataset's data-ran-out warning comes after the bar's last line, not inside the line drawn in place", async () => {
    const { model, dispose } = xor();
    const order: string[] = [];
    const out = { isTTY: true, columns: 120, write: (t: string) => void order.push(`out:${t}`) };
    vi.spyOn(console, 'warn').mockImplementation((t: unknown) => void order.push(`warn:${String(t)}`));
    const ds = nr.data.array(Array.from({ length: 5 }, (_, i) => ({ xs: [i % 2, (i >> 1) % 2], ys: [i % 2] }))).batch(1);
    await model.fitDataset(ds, { epochs: 3, batchesPerEpoch: 3, verbose: 0, callbacks: [nr.progressBar({ out, throttleMs: 0 })] });
    const warn = order.findIndex((t) => t.startsWith('warn:fitDataset: the dataset ran out'));
    expect(warn).toBeGreaterThan(0);
    expect(order.slice(warn + 1).filter((t) => t.startsWith('out:'))).toEqual([]);
    expect(order[warn - 1]).toMatch(/^out:\rEpoch 2\/3 2\/3 .*\n$/); // the short epoch's line, ended
    dispose();
  });

  it('a clock that did not move (a browser\'s coarse performance.now()) prints no rate, not 4000000000 samples/s', async () => {
    const { x, y, model, dispose } = xor();
    const s = sink(false);
    vi.spyOn(performance, 'now').mockReturnValue(5000);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [nr.progressBar({ out: s.out, throttleMs: 0 })] });
    vi.restoreAllMocks();
    const lines = screen(s.text());
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^Epoch \d\/2 1\/1 \[=+\] - 0\.0s - loss: /);
    dispose();
  });

  it('a terminal that reports 0 columns is laid out as 80 wide, not one metric per line', async () => {
    const { x, y, model, dispose } = xor();
    const s = sink(true, 0);
    await model.fit(x, y, { epochs: 2, batchSize: 1, verbose: 0, callbacks: [nr.progressBar({ out: s.out, throttleMs: 0 })] });
    const lines = screen(s.text());
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^Epoch \d\/2 4\/4 .*loss: .*acc: .*mse: .*mae: /);
    dispose();
  });

  it('an epoch stopped early says how many batches ran', async () => {
    const { x, y, model, dispose } = xor();
    const s = sink(false);
    const stop = { onBatchEnd: (b: number) => { if (b === 1) model.stopTraining = true; } };
    await model.fit(x, y, { epochs: 3, batchSize: 1, verbose: 0, callbacks: [stop, nr.progressBar({ out: s.out })] });
    const lines = screen(s.text());
    expect(lines[0]).toMatch(/^Epoch 1\/3 2\/4 /);
    dispose();
  });
});

describe('verbose defaults', () => {
  it('the README-sized run (300 epochs) prints a few lines, first and last epoch included', async () => {
    const { x, y, model, dispose } = xor();
    const t0 = performance.now();
    const out = await captureStdout(() => model.fit(x, y, { epochs: 300, batchSize: 4 }));
    const secs = (performance.now() - t0) / 1000;
    const lines = screen(out);
    expect(lines[0]).toMatch(/^Epoch 1\/300 /);
    expect(lines.at(-1)).toMatch(/^Epoch 300\/300 /);
    // Each kept line after a gap is preceded by one saying how many epochs it left out.
    const kept = lines.filter((l) => l.startsWith('Epoch '));
    expect(kept.length).toBeLessThanOrEqual(2 + Math.ceil(secs) + 1);
    expect(lines.length).toBeLessThanOrEqual(2 * kept.length);
    dispose();
  });

  it('verbose 2 (and an explicit 1 off a terminal) print every epoch; verbose 0 prints nothing', async () => {
    const { x, y, model, dispose } = xor();
    expect(screen(await captureStdout(() => model.fit(x, y, { epochs: 5, verbose: 2 })))).toHaveLength(5);
    expect(screen(await captureStdout(() => model.fit(x, y, { epochs: 4, verbose: 1 })))).toHaveLength(4);
    expect(await captureStdout(() => model.fit(x, y, { epochs: 3, verbose: 0 }))).toBe('');
    await expect(model.fit(x, y, { verbose: 3 as never })).rejects.toThrow("fit: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got 3");
    dispose();
  });

  it('two models training at once: each line begins with its model\'s name (interleaved lines could not be told apart); one alone keeps Keras\'s line', async () => {
    const a = xor(), b = xor(), c = xor();
    // c trains (silently) until a's and b's fits end, so both always have company, however the
    // event loop orders their epochs.
    let done = false;
    const background = c.model.fit(c.x, c.y, { epochs: 100_000, verbose: 0, callbacks: { onEpochEnd: async () => {
      if (done) c.model.stopTraining = true;
      await new Promise((r) => setTimeout(r, 1));
    } } });
    let out: string[];
    try {
      out = screen(await captureStdout(() => Promise.all([a.model.fit(a.x, a.y, { epochs: 3, verbose: 2 }), b.model.fit(b.x, b.y, { epochs: 3, verbose: 2 })])));
    } finally {
      done = true;
      await background;
    }
    expect(out).toHaveLength(6);
    for (const m of [a.model, b.model]) expect(out.filter((l) => l.startsWith(`${m.name} Epoch `)).map((l) => l.split(' ')[2])).toEqual(['1/3', '2/3', '3/3']);
    expect(screen(await captureStdout(() => a.model.fit(a.x, a.y, { epochs: 2, verbose: 2 }))).map((l) => l.split(' ')[0])).toEqual(['Epoch', 'Epoch']);
    // Company that ends during the fit: the lines keep the name to the end (a tester's service
    // log lost it once the other fit ended).
    let stopC = false;
    let running = (): void => undefined;
    const started = new Promise<void>((r) => (running = r));
    const short = c.model.fit(c.x, c.y, { epochs: 100_000, verbose: 0, callbacks: { onEpochEnd: async () => {
      running();
      if (stopC) c.model.stopTraining = true;
      await new Promise((r) => setTimeout(r, 1));
    } } });
    await started; // c trains when a begins
    const lines = screen(await captureStdout(() => a.model.fit(a.x, a.y, { epochs: 3, verbose: 2, callbacks: { onEpochEnd: async (e) => {
      if (e === 0) {
        stopC = true;
        await short; // the other fit has ended before epoch 1
      }
    } } })));
    expect(lines.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([1, 2, 3].map(() => `${a.model.name} Epoch`));
    for (const m of [a, b, c]) m.dispose();
  });

  it("in Deno's Jupyter kernel (stdout not shown) the epoch lines go to console.log, one call per line", async () => {
    const { x, y, model, dispose } = xor();
    // Deno.jupyter exists in the kernel only (elsewhere its getter throws, as this one does first).
    let kernel = false;
    const deno = { get jupyter() { if (!kernel) throw new Error('Deno.jupyter is only available in `deno jupyter` subcommand'); return {}; } };
    (globalThis as { Deno?: unknown }).Deno = deno;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      // Outside the kernel: stdout, as in Node.
      expect(screen(await captureStdout(() => model.fit(x, y, { epochs: 2, verbose: 2 })))).toHaveLength(2);
      expect(log).not.toHaveBeenCalled();
      kernel = true;
      expect(await captureStdout(() => model.fit(x, y, { epochs: 3 }))).toBe('');
      const lines = log.mock.calls.map((c) => String(c[0]));
      // fit's default: the first and last epoch and about one a second, each line whole.
      expect(lines[0]).toMatch(/^Epoch 1\/3 1\/1 \[=+\] - [0-9.]+s - \d+ samples\/s - loss: \S+ - acc: \S+ - mse: \S+ - mae: \S+$/);
      expect(lines.at(-1)).toMatch(/^Epoch 3\/3 1\/1 \[=+\] - [0-9.]+s - \d+ samples\/s - loss: \S+ - acc: \S+ - mse: \S+ - mae: \S+$/);
    } finally {
      log.mockRestore();
      delete (globalThis as { Deno?: unknown }).Deno;
      dispose();
    }
  });

  it('early stopping ends training with one line saying so', async () => {
    const { x, y, model, dispose } = xor();
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 0, minDelta: 10 });
    const lines = screen(await captureStdout(() => model.fit(x, y, { epochs: 50, verbose: 2, callbacks: [es] })));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Epoch 2\/50 /);
    expect(lines[2]).toMatch(/^Stopped after epoch 2\/50: early stopping: loss did not improve for 1 epoch \(patience 0; best \d\.\d{4}\)$/);
    // Under the default, the stopping epoch's line is shown even when thinned out.
    const es2 = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 3, minDelta: 10 });
    const auto = screen(await captureStdout(() => model.fit(x, y, { epochs: 50, callbacks: [es2] })));
    expect(auto.at(-2)).toMatch(/^Epoch 4\/50 /);
    expect(auto.at(-1)).toMatch(/^Stopped after epoch 4\/50: early stopping: loss did not improve for 3 epochs/);
    dispose();
  });

  it("a stop that is not an early stop says who set stopTraining: a callback's hook, or someone outside the callbacks (was 'a callback set stopTraining' for a timer too)", async () => {
    const { x, y, model, dispose } = xor();
    const byCallback = { onEpochEnd: (e: number) => void (e === 1 && (model.stopTraining = true)) };
    const lines = screen(await captureStdout(() => model.fit(x, y, { epochs: 5, verbose: 2, callbacks: byCallback })));
    expect(lines.at(-1)).toBe('Stopped after epoch 2/5: a callback set stopTraining (in onEpochEnd)');
    // From outside (a timer, a Stop button): set while fit yields to the event loop after epoch 2
    // (setImmediate: queued before fit's own yield, which uses it in Node).
    const outside = { onEpochEnd: (e: number) => void (e === 1 && setImmediate(() => (model.stopTraining = true))) };
    const lines2 = screen(await captureStdout(() => model.fit(x, y, { epochs: 5, verbose: 2, yieldEvery: 'epoch', callbacks: outside })));
    expect(lines2.at(-1)).toBe('Stopped after epoch 2/5: stopTraining was set');
    dispose();
  });

  it('huge losses print short in the epoch line', async () => {
    const x = nr.tensor([[1e18], [2e18]]);
    const y = nr.tensor([[0], [0]]);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: nr.optimizers.sgd(0), loss: 'mse' });
    const s = sink(false);
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [nr.progressBar({ out: s.out })] });
    expect(s.text()).toMatch(/ - loss: 2\.50e\+36\n$/);
    [x, y, m].forEach((o) => o.dispose());
  });
});

describe('summary', () => {
  it('console.log(model.summary()) prints the table once; summary(null) only returns it', () => {
    const { model, dispose } = xor();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    console.log(model.summary());
    expect(log).toHaveBeenCalledTimes(2);
    expect(log.mock.calls[0][0]).toMatch(/^Model: /);
    expect(log.mock.calls[1][0]).toBe(undefined);
    log.mockClear();
    const text = model.summary(null);
    expect(log).not.toHaveBeenCalled();
    expect(text).toMatch(/Total params: 33\n/);
    let got = '';
    expect(model.summary((s) => (got = s))).toBe(text);
    expect(got).toBe(text);
    dispose();
  });

  it("TF.js's summary(lineLength?, positions?, printFn?) hands printFn one line at a time (it printed to the console instead)", () => {
    const { model, dispose } = xor();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const text = model.summary(null);
    const lines: string[] = [];
    expect(model.summary(undefined, undefined, (line) => lines.push(line))).toBe(undefined);
    expect(lines).toEqual(text.split('\n'));
    lines.length = 0;
    model.summary(120, [0.45, 0.85, 1], (line) => lines.push(line));
    expect(lines).toEqual(text.split('\n'));
    expect(log).not.toHaveBeenCalled();
    model.summary(80); // a TF.js lineLength alone: console.log per line
    expect(log.mock.calls.map((c) => c[0])).toEqual(text.split('\n'));
    log.mockRestore();
    const bad = (f: () => unknown, msg: string) => expect(f).toThrow(new nr.InvalidArgumentError(msg));
    bad(() => model.summary(0), "summary: lineLength (TF.js's first argument) must be a positive integer or undefined, got 0");
    bad(() => model.summary(undefined, ['a'] as never), 'summary: positions must be an array of numbers or undefined, got an array of length 1');
    bad(() => model.summary(undefined, undefined, 'log' as never), 'summary: printFn must be a function such as console.log, got the string "log"');
    dispose();
  });

  it("summary({ expandNested: true }) lists nested models' layers under their rows as Keras 3's expand_nested=True (it had no option)", () => {
    const { layers } = nr;
    const start = nr.memory().numTensors;
    const enc = nr.sequential({ name: 'encoder', layers: [layers.dense({ inputShape: [4], units: 3, name: 'e1' }), layers.dense({ units: 2, name: 'e2' })] });
    const inner = nr.sequential({ name: 'inner', layers: [layers.dense({ inputShape: [2], units: 5, name: 'i1' })] });
    const dec = nr.sequential({ name: 'decoder', layers: [inner, layers.dense({ units: 4, name: 'd2' })] });
    const ae = nr.sequential({ name: 'ae', layers: [enc, dec] });
    /** Each row's first column and its parameter count. */
    const rows = (text: string) => [...text.matchAll(/^( *(?:└ )?\S+ \(\w+\)) .*?(\d+)(?:  .*)?$/gm)].map((g) => `${g[1]} ${g[2]}`);
    // Keras 3.15.1, the same models (keras.Sequential / keras.Model, the same names and sizes),
    // model.summary(expand_nested=True): rows `encoder (Sequential) 23`, `   └ e1 (Dense) 15`, …
    // (a nested graph model is TF.js's class Model where Keras 3 says Functional).
    const want = ['encoder (Sequential) 23', '   └ e1 (Dense) 15', '   └ e2 (Dense) 8', 'decoder (Sequential) 39', '   └ inner (Sequential) 15', '      └ i1 (Dense) 15', '   └ d2 (Dense) 24'];
    const text = ae.summary({ expandNested: true, print: null });
    expect(rows(text)).toEqual(want);
    expect(text).toContain('\n   └ e1 (Dense)          [null,3]           15\n');
    // The totals count each weight once (62, as Keras 3), and are those of the plain summary.
    const plain = ae.summary(null);
    expect(rows(plain)).toEqual(['encoder (Sequential) 23', 'decoder (Sequential) 39']);
    expect(text.split('\n').slice(-4, -1)).toEqual(plain.split('\n').slice(-4, -1));
    expect(text).toContain('Total params: 62\nTrainable params: 62\nNon-trainable params: 0\n');
    expect(ae.summary({ print: null })).toBe(plain);
    expect(ae.summary({ expandNested: false, print: null })).toBe(plain);
    // A frozen nested model: its layers are listed, and the counts stay those of the model's rows.
    dec.trainable = false;
    expect(ae.summary({ expandNested: true, print: null })).toContain('Total params: 62\nTrainable params: 23\nNon-trainable params: 39\n');
    dec.trainable = true;
    // A graph model (Keras 3 leaves "Connected to" empty on a nested model's rows: its layers read that model's values).
    const x = nr.input({ shape: [4], name: 'x' });
    const h = enc.apply(x) as nr.SymbolicTensor;
    const g = nr.model({ name: 'graph', inputs: x, outputs: [dec.apply(h) as nr.SymbolicTensor, layers.dense({ units: 1, name: 'side' }).apply(h) as nr.SymbolicTensor] });
    const gt = g.summary({ expandNested: true, print: null });
    expect(rows(gt)).toEqual(['x (InputLayer) 0', ...want, 'side (Dense) 3']);
    expect(gt).toMatch(/\nencoder \(Sequential\) +\[null,2\] +23  x\n   └ e1 \(Dense\) +\[null,3\] +15\n/);
    expect(gt).toContain('Total params: 65\n');
    // A nested graph model lists its input layers, as Keras 3 does.
    const fi = nr.input({ shape: [2], name: 'fi' });
    const fin = nr.model({ name: 'finner', inputs: fi, outputs: layers.dense({ units: 3, name: 'fd' }).apply(fi) as nr.SymbolicTensor });
    const outer = nr.sequential({ name: 'outer', layers: [fin] });
    expect(rows(outer.summary({ expandNested: true, print: null }))).toEqual(['finner (Model) 9', '   └ fi (InputLayer) 0', '   └ fd (Dense) 9']);
    // An autoencoder of two models: its encoder and decoder expanded.
    const ae2 = nr.autoencoder({ encoder: nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 2, name: 'code' })] }), decoder: nr.sequential({ layers: [layers.dense({ units: 6, name: 'back' })] }), name: 'ae2' });
    expect(rows(ae2.summary({ expandNested: true, print: null }))).toEqual([expect.stringMatching(/^sequential_\d+ \(Sequential\) 14$/), '   └ code (Dense) 14', expect.stringMatching(/^sequential_\d+ \(Sequential\) 18$/), '   └ back (Dense) 18']);
    // The ways out: console.log (nothing returned), print, printFn per line (TF.js's and Keras's print_fn).
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(ae.summary({ expandNested: true })).toBe(undefined);
    expect(log.mock.calls).toEqual([[text]]);
    log.mockRestore();
    let got = '';
    expect(ae.summary({ expandNested: true, print: (t) => (got = t) })).toBe(text);
    expect(got).toBe(text);
    const lines: string[] = [];
    expect(ae.summary({ expandNested: true, printFn: (l) => lines.push(l) })).toBe(undefined);
    expect(lines).toEqual(text.split('\n'));
    const bad = (f: () => unknown, msg: string) => expect(f).toThrow(new nr.InvalidArgumentError(msg));
    bad(() => ae.summary({ expandNestd: true } as never), "summary: unknown option 'expandNestd' — did you mean 'expandNested'? (known: expandNested, showTrainable, print, printFn)");
    bad(() => ae.summary({ expandNested: 1 } as never), 'summary: expandNested must be true or false, got 1');
    bad(() => ae.summary({ print: 'log' } as never), 'summary: print must be a function such as console.log, or null to only return the text, got the string "log"');
    bad(() => ae.summary({ printFn: null } as never), 'summary: printFn must be a function such as console.log, got null');
    bad(() => ae.summary({ print: null, printFn: () => {} }), 'summary: pass print (the whole text) or printFn (each line), not both');
    [ae, enc, dec, inner, g, outer, fin, ae2, ae2.encoder, ae2.decoder].forEach((m) => m.dispose());
    expect(nr.memory().numTensors).toBe(start);
  });
});

describe('errors that suggest the fix', () => {
  it('class indices with categoricalCrossentropy suggest sparseCategoricalCrossentropy or oneHot', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = nr.zeros([5, 4]);
    const y = nr.tensor([0, 1, 2, 1, 0]);
    const y1 = nr.tensor([[0], [1], [2], [1], [0]]);
    const hint = "; these look like class indices: compile with loss 'sparseCategoricalCrossentropy', or one-hot encode them with oneHot(y, 3)";
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(`fit: categoricalCrossentropy on y: targets of shape [5] do not match predictions of shape [5,3]${hint}`);
    expect(() => m.evaluate(x, y)).toThrow(`evaluate: categoricalCrossentropy on y: targets of shape [5] do not match predictions of shape [5,3]${hint}`);
    expect(() => m.trainOnBatch(x, y)).toThrow(nr.ShapeError);
    expect(() => m.trainOnBatch(x, y)).toThrow(hint);
    await expect(m.fit(x, y1, { verbose: 0 })).rejects.toThrow("use y.reshape([-1]) with loss 'sparseCategoricalCrossentropy', or one-hot encode them with oneHot(y.reshape([-1]), 3)");
    await expect(m.fit(x, nr.zeros([5, 4]), { verbose: 0 })).rejects.toThrow(/do not match predictions of shape \[5,3\]$/);
    // The suggested fix works.
    await m.fit(x, nr.oneHot(y, 3), { verbose: 0 });
    [m, x, y, y1].forEach((o) => o.dispose());
  });

  it('out of memory with many live tensors says how many and points at tidy()/dispose()', () => {
    expect(oomHint(10, 1e6)).toBe('');
    expect(oomHint(5000, 300 * 2 ** 20)).toBe(' (5000 tensors are live, holding 300 MB: dispose() the ones you no longer need, or compute temporaries inside tidy(); memory() counts them)');
    // A weight beyond one tensor (2^29 - 1 values): too large whatever is freed, so no count of
    // the live tensors, however many there are.
    const live = Array.from({ length: 120 }, () => nr.zeros([16]));
    const build = () => nr.sequential({ layers: [nr.layers.dense({ inputShape: [100000], units: 16000000 })] }).build();
    expect(build).toThrow(nr.OutOfMemoryError);
    expect(build).toThrow(/^layer 'dense_\d+' \(dense\): its weights for per-sample input shape \[100000\] would need a tensor of 1600000000000 float32 values \(6400000000000 bytes\), more than one tensor may hold \(2\^29 - 1 float32 values, 2 GiB\): make the layer smaller \(fewer units or filters, a smaller kernel or vocabulary\) or its input$/);
    live.forEach((t) => t.dispose());
  });
});

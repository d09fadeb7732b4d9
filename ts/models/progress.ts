/**
 * A terminal progress bar for `fit` in Node: epoch, batch, loss, metrics, samples/s and ETA,
 * redrawn in place on a TTY and printed once per epoch otherwise.
 */
import { unknownOption } from '../options.js';
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import type { CallbackHooks, Logs } from './callbacks.js';

interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2));

function stdout(): Out | null {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout ?? null;
}

/** Options of {@link progressBar}. */
export interface ProgressBarArgs {
  /** Where to write. Default: `process.stdout` in Node; nothing elsewhere. */
  out?: Out;
  /** Minimum milliseconds between redraws. Default 100. */
  throttleMs?: number;
}

/** A progress bar callback; `fit({ verbose: 1 })` adds one automatically in Node. */
export function progressBar(args: ProgressBarArgs = {}): CallbackHooks & { configure(epochs: number, batches: number, batchSize: number, samples: number): void } {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`progressBar: options must be an object, got ${describe(args)}`);
  for (const k of Object.keys(args)) {
    if (k !== 'out' && k !== 'throttleMs') throw unknownOption('progressBar', k, ['out', 'throttleMs']);
  }
  if (args.out !== undefined && (args.out === null || typeof args.out.write !== 'function')) {
    throw new InvalidArgumentError(`progressBar: out must be a stream with a write(text) method, got ${describe(args.out)}`);
  }
  const out = args.out ?? stdout();
  const throttle = args.throttleMs ?? 100;
  if (typeof throttle !== 'number' || !(throttle >= 0)) throw new InvalidArgumentError(`progressBar: throttleMs must be a number >= 0, got ${describe(throttle)}`);
  let epochs = 0, batches = 0, samples = 0, batchSize = 0;
  let epoch = 0, t0 = 0, last = 0;
  const line = (batch: number, logs: Logs, final: boolean) => {
    if (!out) return;
    const done = final ? batches : batch + 1;
    const secs = (performance.now() - t0) / 1000;
    const seen = Math.min(done * batchSize, samples);
    const rate = seen / Math.max(secs, 1e-9);
    const width = 24;
    const filled = Math.round((done / Math.max(batches, 1)) * width);
    const bar = '='.repeat(Math.max(filled - 1, 0)) + (final ? '=' : '>') + '.'.repeat(width - filled);
    const metrics = Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k}: ${fmt(v)}`).join(' - ');
    const eta = final ? `${secs.toFixed(1)}s` : `ETA ${((samples - seen) / Math.max(rate, 1e-9)).toFixed(1)}s`;
    const text = `Epoch ${epoch + 1}/${epochs} ${done}/${batches} [${bar}] ${eta} - ${Math.round(rate)} samples/s - ${metrics}`;
    if (out.isTTY) out.write(`\r${text.slice(0, (out.columns ?? 160) - 1)}\x1b[K${final ? '\n' : ''}`);
    else if (final) out.write(text + '\n');
  };
  return {
    configure(e: number, b: number, bs: number, n: number) {
      epochs = e; batches = b; batchSize = bs; samples = n;
    },
    onEpochBegin(e: number) {
      epoch = e;
      t0 = performance.now();
      last = 0;
    },
    onBatchEnd(batch: number, logs: Logs = {}) {
      const now = performance.now();
      if (now - last >= throttle) {
        last = now;
        line(batch, logs, false);
      }
    },
    onEpochEnd(_e: number, logs: Logs = {}) {
      line(batches - 1, logs, true);
    },
  };
}

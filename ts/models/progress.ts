/**
 * Training progress for `fit` in Node: epoch, batch, loss, metrics, samples/s and ETA (in a
 * browser, with an explicit `verbose: 1` or `2`, one line per epoch through `console.log`).
 *
 * On a terminal a bar is redrawn in place (at most every `throttleMs`); elsewhere (a pipe, a
 * log file, CI) one line is printed per epoch, as Keras does. The line is laid out for the
 * terminal width: the bar shrinks, then samples/s, the bar and the batch counter are dropped,
 * so the metrics survive at 80 columns; an epoch's final line is never cut (metrics that do
 * not fit wrap onto indented lines). Epoch lines can be thinned (`epochLineMs`): `fit`'s
 * default (`verbose: 'auto'`) prints every epoch of a run of up to {@link THIN_ABOVE} epochs,
 * and of a longer one keeps the first and last epoch and about one a second, each kept line
 * after a gap preceded by `… 37 epochs not shown`, so a 1,000-epoch toy run prints a few
 * lines, not 1,000, and says so.
 */
import { unknownOption, optionKeys } from '../options.js';
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { formatLog } from '../format.js';
import { training } from '../engine.js';
import { isNode } from '../runtime.js';
import type { CallbackHooks, Logs } from './callbacks.js';

/** Where a progress bar writes: `process.stdout` or anything with its `write` (and `isTTY`, `columns` for a live bar). */
export interface ProgressOut {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function stdout(): ProgressOut | null {
  // Deno's Jupyter kernel shows console.log in the notebook but not what goes to stdout.
  if (inDenoJupyter()) return consoleOut();
  const p = (globalThis as { process?: { stdout?: ProgressOut } }).process;
  return p?.stdout ?? null;
}

/**
 * Whether Node's terminal is a dumb one (`TERM=dumb`: Emacs's shell and compilation buffers),
 * which shows escape sequences literally. Node only: Deno would ask for permission to read it.
 */
function dumbTerminal(): boolean {
  if (!isNode) return false;
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TERM === 'dumb';
}

/** Whether this is Deno's Jupyter kernel (`deno jupyter`): elsewhere `Deno.jupyter` throws. */
function inDenoJupyter(): boolean {
  const deno = (globalThis as { Deno?: { jupyter?: unknown } }).Deno;
  if (deno === undefined) return false;
  try {
    return deno.jupyter !== undefined;
  } catch {
    return false;
  }
}

/**
 * Where there is no stdout (a browser page or worker) or it is not shown (a Deno notebook): what
 * is written goes to `console.log`, a call per complete line.
 */
function consoleOut(): ProgressOut {
  let held = '';
  return {
    write(s: string) {
      held += s;
      for (let i = held.indexOf('\n'); i >= 0; i = held.indexOf('\n')) {
        console.log(held.slice(0, i));
        held = held.slice(i + 1);
      }
    },
  };
}

/**
 * @internal `fit`'s and `fitDataset`'s own progress reporter for `verbose` (1, 2 or `'auto'`):
 * on stdout (Node, Deno) a bar on a terminal, else a line per epoch; `'auto'` keeps about one
 * epoch line a second in a run of more than {@link THIN_ABOVE} epochs. Where there is no stdout (browsers), the default (`'auto'`) prints
 * nothing, as TF.js; an explicit 1 or 2 prints Keras's line per epoch (`verbose: 2`'s form)
 * through `console.log`. While another model trains too, its lines begin with the model's
 * `name` (two fits' interleaved lines could not be told apart).
 */
export function fitReporter(verbose: 1 | 2 | 'auto', name = ''): ProgressReporter {
  const out = verbose !== 'auto' && stdout() === null ? consoleOut() : undefined;
  return reporter({ epochLineMs: verbose === 'auto' ? 1000 : 0, ...(verbose === 2 || out ? { bar: false } : {}), ...(out ? { out } : {}) }, THIN_ABOVE, name);
}

/** `fit`'s `verbose: 'auto'` prints every epoch's line in a run of up to this many epochs, and thins longer runs' lines. */
export const THIN_ABOVE = 100;

/** Keras's `verbose` values (`'auto'`, 0, 1, 2), and booleans: `false` is 0, `true` 1 (Python's `verbose=True` is 1). */
export type Verbose = 0 | 1 | 2 | 'auto' | boolean;

/**
 * @internal Reads Keras's `verbose` for `op` (`undefined` or `null` is `dflt`): 0, 1, 2 or
 * `'auto'`, booleans as 0 and 1; `oneOrZero` for the callbacks, whose Keras `verbose` is 0 or 1.
 */
export function readVerbose(op: string, v: unknown, dflt: 0 | 1 | 2 | 'auto', oneOrZero = false): 0 | 1 | 2 | 'auto' {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === 0 || v === 1 || (!oneOrZero && (v === 2 || v === 'auto'))) return v;
  throw new InvalidArgumentError(`${op}: verbose must be ${oneOrZero ? '0, 1' : "0, 1, 2, 'auto'"} or a boolean (Keras's values; true is 1), got ${describe(v)}`);
}

/**
 * @internal Prints `text` as a line where `fit`'s progress goes for `verbose` (not 0): stdout
 * in Node and Deno (`console.log` in a Deno notebook); where there is no stdout (a browser),
 * `console.log` for an explicit 1 or 2, nothing for `'auto'` (as `fit`'s default there).
 */
export function printLine(verbose: 1 | 2 | 'auto', text: string): void {
  const out = stdout() ?? (verbose === 'auto' ? null : consoleOut());
  out?.write(`${text}\n`);
}

/** Options of {@link progressBar}. */
export interface ProgressBarArgs {
  /** Where to write. Default: `process.stdout` in Node and Deno (`console.log` in a Deno Jupyter notebook, which does not show stdout); nothing elsewhere. */
  out?: ProgressOut | undefined;
  /** Minimum milliseconds between redraws of the bar. Default 100. */
  throttleMs?: number | undefined;
  /**
   * Minimum milliseconds between the epoch lines that are kept; the first and last epoch's
   * lines are always kept, and each kept line after a gap is preceded by one saying how many
   * epochs were not shown (`… 37 epochs not shown`). Default 0: every epoch (`fit`'s default
   * `verbose: 'auto'` uses 1000 in a run of more than 100 epochs).
   */
  epochLineMs?: number | undefined;
  /** Draw a bar redrawn in place (`true`) or print one line per epoch (`false`). Default: whether `out` is a TTY. */
  bar?: boolean | undefined;
}

/** What `fit` calls on its progress reporter beyond the callback hooks. */
export interface ProgressReporter extends CallbackHooks {
  /**
   * The run's size: `epochs` (the last epoch is `epochs - 1`), batches per epoch, batch size,
   * samples. `fit` and `fitDataset` call it before training on every callback that has it. A
   * size that is not known is 0: `fitDataset` knows the batches per epoch only from
   * `batchesPerEpoch` or a dataset's `size`, and neither the batch size nor the samples.
   */
  configure(epochs: number, batches: number, batchSize: number, samples: number): void;
  /** Prints one line after the last epoch line (e.g. why training stopped early). */
  note(text: string): void;
}

const KNOWN = ['out', 'throttleMs', 'epochLineMs', 'bar'];

/**
 * @internal Lays out one progress line within `columns`: the richest variant that fits (bar
 * of 24 down to 8 cells, then without samples/s, without the bar, without the counter). An
 * epoch's final line (`whole`) that still does not fit wraps its metrics onto indented lines;
 * an interim line is cut at the width instead.
 */
export function layoutLine(
  p: { head: string; counter: string; fraction: number; final: boolean; time: string; rate: string; metrics: string[]; noBar?: boolean | undefined },
  columns: number,
  whole: boolean,
): string {
  const max = Math.max(columns - 1, 20);
  const bar = (w: number) => {
    const filled = Math.round(Math.min(Math.max(p.fraction, 0), 1) * w);
    return `[${'='.repeat(Math.max(filled - 1, 0))}${p.final ? '=' : filled > 0 ? '>' : ''}${'.'.repeat(w - filled)}]`;
  };
  const join = (parts: string[]) => parts.filter(Boolean).join(' - ');
  const variants: string[] = [];
  if (p.noBar) variants.push(join([`${p.head} ${p.counter}`, p.time, p.rate, ...p.metrics]));
  else {
    for (let w = 24; w >= 8; w -= 4) variants.push(join([`${p.head} ${p.counter} ${bar(w)}`, p.time, p.rate, ...p.metrics]));
    for (let w = 24; w >= 8; w -= 4) variants.push(join([`${p.head} ${p.counter} ${bar(w)}`, p.time, ...p.metrics]));
  }
  variants.push(join([`${p.head} ${p.counter}`, p.time, ...p.metrics]));
  variants.push(join([p.head, ...p.metrics]));
  const fits = variants.find((v) => v.length <= max);
  if (fits !== undefined) return fits;
  if (!whole) return variants[variants.length - 1].slice(0, max);
  // Wrap: the head (with the counter and time when they fit), then as many metrics per line
  // as fit, the rest on indented lines.
  const lines: string[] = [];
  const withTime = join([`${p.head} ${p.counter}`, p.time]);
  let cur = withTime.length <= max ? withTime : p.head;
  for (const m of p.metrics) {
    const next = `${cur} - ${m}`;
    if (next.length <= max) cur = next;
    else {
      lines.push(cur);
      cur = `  ${m}`;
    }
  }
  lines.push(cur);
  return lines.join('\n');
}

/**
 * A progress callback: `fit` adds one by itself unless `verbose: 0`. Pass one in `callbacks`
 * (with `fit({ verbose: 0 })`) to choose where it writes and how often.
 *
 * @example model.fit(x, y, { epochs: 5, verbose: 0, callbacks: [progressBar({ out: process.stderr })] })
 */
export function progressBar(args: ProgressBarArgs = {}): ProgressReporter {
  return reporter(args, 0);
}

/** {@link progressBar}, whose `epochLineMs` applies only to a run of more than `thinAbove` epochs. */
function reporter(args: ProgressBarArgs, thinAbove: number, name = ''): ProgressReporter {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`progressBar: options must be an object, got ${describe(args)}`);
  for (const k of optionKeys('progressBar', args)) {
    if (!KNOWN.includes(k)) throw unknownOption('progressBar', k, KNOWN);
  }
  if (args.out !== undefined && (args.out === null || typeof args.out.write !== 'function')) {
    throw new InvalidArgumentError(`progressBar: out must be a stream with a write(text) method, got ${describe(args.out)}`);
  }
  const out = args.out ?? stdout();
  const throttle = args.throttleMs ?? 100;
  if (typeof throttle !== 'number' || !(throttle >= 0)) throw new InvalidArgumentError(`progressBar: throttleMs must be a number >= 0, got ${describe(throttle)}`);
  const epochLineMs = args.epochLineMs ?? 0;
  if (typeof epochLineMs !== 'number' || !(epochLineMs >= 0)) throw new InvalidArgumentError(`progressBar: epochLineMs must be a number >= 0, got ${describe(epochLineMs)}`);
  if (args.bar !== undefined && typeof args.bar !== 'boolean') throw new InvalidArgumentError(`progressBar: bar must be a boolean, got ${describe(args.bar)}`);
  const tty = args.bar ?? !!out?.isTTY;
  let epochs = 0, batches = 0, samples = 0, batchSize = 0;
  /** Whether `configure` gave the batches per epoch (else the first epoch's count is used after it). */
  let sized = false;
  /** Samples of the current epoch so far (from the batch logs' `size`), for a run whose sample count is not known. */
  let seenNow = 0;
  let epoch = 0, t0 = 0, last = 0, lastKept = -Infinity, first = true;
  /** Batches of the current epoch that ran (fewer than `batches` when training stopped early). */
  let ran = 0;
  /** The last epoch line when it was not kept: shown at the end so the last epoch is always printed. */
  let pending: string | null = null;
  /** Epoch lines not kept since the last one kept (`pending` among them), and whether a gap was noted yet. */
  let skipped = 0, noted = false;
  /** On a TTY: whether the cursor sits on a line drawn in place. */
  let open = false;
  /** Whether this run's lines carry the model's name (set once another fit ran beside it). */
  let named = false;
  // Once another fit ran beside this one, its lines keep the model's name to the end (they lost
  // it when the other ended, and a log could no longer tell them apart): looked at each epoch,
  // batch and line.
  const company = () => void (named ||= training.size > 1);
  // A terminal that reports 0 columns (some pseudo-terminals, `script`) is one of unknown width.
  const columns = () => out?.columns || (tty ? 80 : Infinity);

  const text = (batch: number, logs: Logs, final: boolean): string => {
    const done = final ? ran || batches : batch + 1;
    const secs = (performance.now() - t0) / 1000;
    const seen = samples > 0 ? Math.min(done * batchSize, samples) : seenNow;
    const rate = seen / Math.max(secs, 1e-9);
    // Without the sample count (fitDataset), the ETA comes from the batches, if known.
    const eta = samples > 0 ? (samples - seen) / Math.max(rate, 1e-9) : batches > 0 ? (secs / Math.max(done, 1)) * Math.max(batches - done, 0) : NaN;
    const metrics = Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k}: ${formatLog(v)}`);
    company();
    return layoutLine({
      head: `${name && named ? `${name} ` : ''}Epoch ${epoch + 1}/${epochs}`,
      // Keras 3 writes an unknown number of batches (a dataset of no known size) as Unknown.
      counter: batches > 0 ? `${done}/${batches}` : `${done}/Unknown`,
      fraction: done / Math.max(batches, 1),
      final,
      time: final || Number.isNaN(eta) ? `${secs.toFixed(1)}s` : `ETA ${eta.toFixed(1)}s`,
      // A clock that did not move (browsers coarsen performance.now() to 0.1–1 ms) gives no rate:
      // 4 samples over "0 s" printed 4000000000 samples/s.
      rate: secs <= 0 ? '' : `${Math.round(rate)} samples/s`,
      metrics,
      noBar: batches === 0,
    }, columns(), final);
  };
  /** The length of the line last drawn in place, which a dumb terminal's redraw pads over. */
  let drawn = 0;
  const dumb = dumbTerminal();
  // Clear to the end of the line: ESC [K, or on a dumb terminal (Emacs's shell: TERM=dumb, which
  // shows escapes literally) spaces over what the last draw left, as Keras's bar does.
  const clear = (s: string): string => {
    if (!dumb) return '\x1b[K';
    const pad = ' '.repeat(Math.max(drawn - s.length, 0));
    drawn = s.length;
    return pad;
  };
  const draw = (s: string) => {
    // In place: back to the start of the line, clear to the end (one line: interim lines are cut).
    out!.write(`\r${s}${clear(s)}`);
    open = true;
  };
  const commit = (s: string) => {
    if (tty) {
      out!.write(`\r${s}${clear(s)}\n`);
      drawn = 0;
    } else out!.write(`${s}\n`);
    open = false;
  };
  /** Says how many epoch lines were left out before the next one printed (the first time with how to see them all). */
  const gap = (n: number) => {
    if (n <= 0) return;
    commit(`… ${n} epoch${n === 1 ? '' : 's'} not shown${noted ? '' : ` (about one epoch line a second is kept${thinAbove > 0 ? ` in a run of more than ${thinAbove} epochs; verbose: 1 or 2 prints every epoch` : ''})`}`);
    noted = true;
  };
  const flush = () => {
    if (!out) return;
    if (pending !== null) {
      gap(skipped - 1);
      commit(pending);
    } else if (open) out.write('\n');
    pending = null;
    skipped = 0;
    open = false;
  };
  return {
    configure(e: number, b: number, bs: number, n: number) {
      epochs = e; batches = b; batchSize = bs; samples = n;
      sized = b > 0;
    },
    note(s: string) {
      if (!out) return;
      flush();
      out.write(`${s}\n`);
    },
    onTrainBegin() {
      first = true;
      named = false;
      lastKept = -Infinity;
      pending = null;
      skipped = 0;
      noted = false;
      open = false;
    },
    onEpochBegin(e: number) {
      company();
      epoch = e;
      t0 = performance.now();
      last = 0;
      ran = 0;
      seenNow = 0;
    },
    onBatchEnd(batch: number, logs: Logs = {}) {
      ran = batch + 1;
      company();
      if (typeof logs.size === 'number') seenNow += logs.size;
      if (!out || !tty) return;
      const now = performance.now();
      if (now - last >= throttle) {
        last = now;
        draw(text(batch, logs, false).split('\n')[0]);
      }
    },
    onEpochEnd(_e: number, logs: Logs = {}) {
      if (!out) return;
      const s = text(batches - 1, logs, true);
      // A dataset of unknown size: later epochs are taken to have as many batches as this one.
      if (!sized && ran > 0) batches = ran;
      const now = performance.now();
      const keep = first || epoch === epochs - 1 || epochs <= thinAbove || now - lastKept >= epochLineMs;
      first = false;
      if (keep) {
        lastKept = now;
        pending = null;
        gap(skipped);
        skipped = 0;
        commit(s);
      } else {
        pending = s;
        skipped++;
        if (tty && !s.includes('\n')) draw(s);
      }
    },
    onTrainEnd() {
      flush();
    },
    cleanup() {
      flush();
    },
  };
}

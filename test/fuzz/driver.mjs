/**
 * The fuzz driver: picks a family and an op from the registry with a seeded RNG, runs the call,
 * and checks after every call that
 *   - a thrown error is a NeuriteError naming the operation (no trap, TypeError, RangeError…),
 *   - an invalid call threw and a valid one did not, and a valid result matches the reference,
 *   - the call neither leaked tensors nor disposed the caller's tensors,
 *   - the canary kept its bits, the fixed computation its values, a pool tensor its values,
 *   - the call finished in time.
 * At the end it disposes everything it holds and checks `memory()` is back at its baseline.
 *
 * Everything is deterministic from the seed: `runFuzz({ seed, calls })` replays the same calls.
 */
import { Rng } from './rng.mjs';
import { callLine, names, render } from './render.mjs';
import { bits, CANARY, classifyError, FIXED_HEAD, fixedComputation, fixedInputs, Mismatch } from './checks.mjs';
import { FAMILIES } from './registry.mjs';

const POOL_MAX = 24;
const SLOW_MS = 3000;
const ASYNC_TIMEOUT_MS = 10000;
const RECENT = 30;

/** A tensor the driver holds: its name in the log, its values when it was made, how it was made. */
class Entry {
  constructor(t, name, vals, def) {
    this.t = t;
    this.name = name;
    this.shape = t.shape.slice();
    this.vals = vals;
    this.def = def;
  }
  /** The reference view `{ shape, vals }`. */
  get ref() {
    return { shape: this.shape, vals: this.vals };
  }
  get size() {
    return this.vals.length;
  }
}

/** What a generator sees: the RNG, the library, the pool of live tensors and helpers. */
export class Context {
  constructor(nr, rng, driver) {
    this.nr = nr;
    this.rng = rng;
    this.driver = driver;
    /** @type {Entry[]} */
    this.pool = [];
    /** Tensors disposed (by the fuzzer or by a closed tidy scope), for use-after-dispose calls. */
    this.dead = [];
    /** Models the models family holds: { m, name, inDim, outDim, compiled }. */
    this.models = [];
    this.counter = 0;
    /** Pool entries the current call uses (for the standalone reproduction). */
    this.used = new Set();
    /** Large inputs of the current call, too large for the pool: disposed before the next call. */
    this.scratch = [];
  }

  /** `v` as JS source (a tensor by its name). */
  show(v) {
    return render(v);
  }

  nameOf(v) {
    return render(v);
  }

  /**
   * A pool entry that satisfies `pred`, or null. Not one made too large to keep its values
   * (over 50,000: the reference could not compute from it, and its `size` would read 0).
   */
  pick(pred = () => true) {
    const c = this.pool.filter((e) => e.vals.length === e.shape.reduce((a, b) => a * b, 1) && pred(e));
    const e = c.length ? this.rng.pick(c) : null;
    if (e) this.used.add(e);
    return e;
  }

  /**
   * A tensor of `shape` (random values unless `vals` is given), created as a logged setup
   * line and added to the pool.
   */
  fresh(shape, vals) {
    const { nr } = this;
    const n = shape.reduce((a, b) => a * b, 1);
    const v = vals ? Float32Array.from(vals) : this.driver.values(n);
    const t = nr.tensor(v, shape);
    return this.adopt(t, `tensor(${render(Array.from(v), 12)}, ${render(shape)})`, undefined, true, v);
  }

  /** A pool tensor of `shape` if there is one, else a fresh one. */
  tensorOf(shape) {
    const e = this.rng.chance(0.5) && this.pick((x) => x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]));
    return e || this.fresh(shape);
  }

  /** A pool tensor (any shape, small) or a fresh one of a random shape. */
  any(maxSize = 2000) {
    const e = this.rng.chance(0.7) && this.pick((x) => x.size <= maxSize);
    return e || this.fresh(this.driver.shape());
  }

  /** A disposed tensor. */
  disposed() {
    if (this.dead.length === 0 || this.rng.chance(0.2)) {
      const t = this.nr.tensor([1, 2, 3]);
      t.dispose();
      names.set(t, `dead${this.counter++}`);
      this.driver.setup(`${names.get(t)} = tensor([1, 2, 3]); ${names.get(t)}.dispose()`);
      this.dead.push(t);
    }
    return this.rng.pick(this.dead);
  }

  /** Adds a live tensor to the pool (reading its values, or taking `known`), logs its definition, returns its entry. */
  adopt(t, def, name = `t${this.counter++}`, log = true, known = undefined) {
    names.set(t, name);
    // Values made here are known at any size (a large input's reference needs them).
    const e = new Entry(t, name, known ?? (t.size <= 50000 ? t.dataSync() : new Float32Array(0)), def);
    // Large tensors (or zero-size ones with huge dims) are not kept in the pool: a result is
    // checked by its call and disposed, an input (a logged setup) lives until the next call.
    if (t.size > 50000 || t.shape.some((d) => d > 4096)) {
      if (def && log) {
        this.driver.setup(`${name} = ${def}`);
        this.scratch.push(t);
      } else t.dispose();
      return e;
    }
    this.pool.push(e);
    this.used.add(e);
    if (def && log) this.driver.setup(`${name} = ${def}`);
    this.trim();
    return e;
  }

  /** Keeps the pool small: disposes the oldest entries. */
  trim() {
    while (this.pool.length > POOL_MAX) {
      // Never the entries the call being generated uses.
      const i = this.pool.findIndex((x) => !this.used.has(x));
      if (i < 0) return;
      const [e] = this.pool.splice(i, 1);
      e.t.dispose();
      this.dead.push(e.t);
      if (this.dead.length > 8) this.dead.shift();
    }
  }

  /** Removes `e` from the pool (the call disposes it). */
  release(e) {
    const i = this.pool.indexOf(e);
    if (i >= 0) this.pool.splice(i, 1);
    this.dead.push(e.t);
  }
}

/** Every live Tensor inside `v` (arrays, plain objects), once each. */
export function tensorsIn(nr, v, out = new Set(), depth = 0) {
  if (v instanceof nr.Tensor) out.add(v);
  else if (depth < 4 && Array.isArray(v)) for (const x of v) tensorsIn(nr, x, out, depth + 1);
  else if (depth < 4 && v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) tensorsIn(nr, x, out, depth + 1);
  return out;
}

/** Runs the fuzzer. Options: seed, calls, nr (the library), keepGoing, onCall(i, line), heavy. */
export async function runFuzz(opts) {
  const d = new Driver(opts);
  await d.run();
  return d.summary();
}

class Driver {
  constructor({ seed, calls, nr, keepGoing = false, onCall = () => {}, onFailure = () => {}, heavy = false, families, reinit = null }) {
    this.seed = seed >>> 0;
    this.calls = calls;
    this.nr = nr;
    this.keepGoing = keepGoing;
    this.onCall = onCall;
    this.onFailure = onFailure;
    /** Replaces the instance (keep-going mode, after memory corruption): `init(wasmBytes)`. */
    this.reinit = reinit;
    this.heavy = heavy;
    this.rng = new Rng(this.seed);
    this.families = families ? FAMILIES.filter((f) => families.includes(f.name)) : FAMILIES;
    this.recent = [];
    this.failures = new Map();
    this.stats = { calls: 0, valid: 0, invalid: 0, either: 0, errorsByClass: {}, errorsByOp: {}, failuresByClass: {}, callsByOp: {}, failures: 0, ms: 0 };
    this.index = 0;
    this.restarts = 0;
  }

  /** Logs a setup line (tensor creation a call needs) as part of the call log. */
  setup(line) {
    this.pushRecent(`  ${line};`);
  }

  pushRecent(line) {
    this.recent.push(line);
    if (this.recent.length > RECENT) this.recent.shift();
    this.onCall(this.index, line);
  }

  values(n) {
    const out = new Float32Array(n);
    const rng = this.rng;
    for (let i = 0; i < n; i++) {
      out[i] = rng.chance(0.03) ? rng.pick([NaN, Infinity, -Infinity, -0]) : rng.chance(0.15) ? rng.int(-3, 3) : rng.uniform(-3, 3);
    }
    return out;
  }

  shape(maxRank = 4, maxDim = 7) {
    const rng = this.rng;
    const rank = rng.int(0, maxRank);
    const s = [];
    for (let i = 0; i < rank; i++) s.push(rng.chance(0.06) ? 0 : rng.int(1, maxDim));
    while (s.reduce((a, b) => a * b, 1) > 1500) s[rng.int(0, s.length - 1)] = rng.int(1, 2);
    return s;
  }

  /** Creates the canary, the fixed computation and records the memory baseline. */
  start() {
    const { nr } = this;
    this.ctx = new Context(nr, this.rng, this);
    this.baseline = nr.memory();
    this.canary = nr.tensor(CANARY);
    this.canaryBits = bits(this.canary.dataSync());
    this.fixed = fixedInputs(nr);
    this.fixedValues = fixedComputation(nr, this.fixed);
    const head = this.fixedValues.slice(0, 4);
    if (head.some((v, i) => v !== FIXED_HEAD[i])) this.fail('wrong-result', 'fixed', 'fixed computation', `matMul/add/sum gave [${head}], expected [${FIXED_HEAD}]`);
  }

  /** Disposes everything the fuzzer holds; the tensor and handle counts must be back at the baseline. */
  finish() {
    const { nr, ctx } = this;
    for (const e of ctx.pool) e.t.dispose();
    ctx.pool.length = 0;
    for (const m of ctx.models) m.m.dispose();
    ctx.models.length = 0;
    this.canary.dispose();
    for (const t of this.fixed) t.dispose();
    const end = nr.memory();
    const leaked = end.numTensors - this.baseline.numTensors - (this.leakedSoFar ?? 0) + (end.numLeaked - this.baseline.numLeaked - (this.collected ?? 0)) + (this.collected ?? 0);
    if (leaked !== 0 || end.numHandles - end.numTensors !== this.baseline.numHandles - this.baseline.numTensors + (this.handlesLeakedSoFar ?? 0)) {
      this.index = this.stats.calls;
      this.fail('leak', 'end', 'memory() at the end',
        `after disposing everything the fuzzer holds: numTensors ${end.numTensors}, numHandles ${end.numHandles}; baseline numTensors ${this.baseline.numTensors}, numHandles ${this.baseline.numHandles} (leaks already reported: ${this.leakedSoFar ?? 0} tensors)`);
    }
  }

  /** After a trap the instance is new: everything held is gone; start again from a fresh state. */
  restart() {
    const { nr } = this;
    this.restarts++;
    this.ctx.pool.length = 0;
    this.ctx.models.length = 0;
    this.ctx.dead.length = 0;
    this.baseline = nr.memory();
    this.leakedSoFar = 0;
    this.handlesLeakedSoFar = 0;
    this.collected = 0;
    this.canary = nr.tensor(CANARY);
    this.fixed = fixedInputs(nr);
    this.fixedValues = fixedComputation(nr, this.fixed);
  }

  fail(cls, op, line, message, call) {
    if (cls === 'corruption') this.corrupted = true;
    this.stats.failures++;
    this.stats.failuresByClass[cls] = (this.stats.failuresByClass[cls] ?? 0) + 1;
    // One entry per kind of failure: numbers, handles and shapes do not make a new kind.
    const norm = String(message).replace(/0x[0-9a-f]+/g, '#').replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/g, '#').replace(/\[[#, ]*\]/g, '[…]');
    const sig = `${cls} | ${op} | ${norm.slice(0, 90)}`;
    const prev = this.failures.get(sig);
    const record = {
      cls, op, message: String(message).slice(0, 600), index: this.index, line, seed: this.seed,
      replay: `npm run fuzz -- --seed ${this.seed} --calls ${this.index + 1}${this.keepGoing ? ' --keep-going' : ''}${this.families.length < FAMILIES.length ? ` --family ${this.families.map((f) => f.name).join(',')}` : ''}`,
      snippet: call ? this.snippet(call, line) : line,
      recent: this.recent.slice(),
      count: 1,
    };
    if (!prev) {
      this.failures.set(sig, record);
      this.onFailure(record);
    }
    else {
      prev.count++;
      if (record.snippet.length < prev.snippet.length) Object.assign(prev, { ...record, count: prev.count });
    }
    if (!this.keepGoing) this.stopped = true;
  }

  /** A standalone reproduction: the definitions of the pool tensors the call uses, then the call. */
  snippet(call, line) {
    const defs = [];
    for (const e of call.uses ?? []) {
      if (!e?.def) continue;
      const lit = e.vals.length <= 64 ? `tensor(${render(Array.from(e.vals), 64)}, ${render(e.shape)})` : `/* ${e.shape} */ ${e.def}`;
      defs.push(`const ${e.name} = ${lit};`);
    }
    return [...new Set(defs), line].join('\n');
  }

  async run() {
    this.start();
    const t0 = performance.now();
    // `calls` counts calls made: a generator may decline (return null) and is then not counted,
    // so `--calls K` replays exactly the first K calls of a seed.
    for (let steps = 0; this.stats.calls < this.calls && !this.stopped && steps < 4 * this.calls + 100; steps++) {
      this.index = this.stats.calls;
      await this.step();
      if (this.corrupted && this.keepGoing && this.reinit) {
        // Memory was corrupted: later failures could be its consequences. Start on a new instance.
        await this.reinit();
        this.restart();
      }
      this.corrupted = false;
    }
    this.stats.ms = performance.now() - t0;
    if (!this.trapped || this.keepGoing) this.finish();
  }

  async step() {
    const { rng, nr, ctx } = this;
    const fam = weightedPick(rng, this.families);
    const gen = weightedPick(rng, fam.ops);
    let call;
    for (const t of ctx.scratch.splice(0)) t.dispose();
    ctx.used = new Set();
    try {
      call = gen.gen(ctx);
    } catch (err) {
      // A generator's own setup (tensor creation) failed: report it like a call failure.
      const line = `/* setup of ${gen.name} */`;
      const cls = classifyError(nr, err, ['tensor', 'dispose']) ?? 'setup-error';
      this.fail(cls, gen.name, line, err?.stack ?? String(err));
      if (cls === 'trap') this.restart();
      return;
    }
    if (!call) return;
    call.op ??= gen.name;
    call.names ??= [call.op];
    call.uses = [...ctx.used];
    const line = `r${this.index} = ${call.line ?? callLine(call.op, call.args ?? [])}`;
    this.pushRecent(`${line};`);
    const st = this.stats;
    st.calls++;
    st.callsByOp[call.op] = (st.callsByOp[call.op] ?? 0) + 1;
    if (call.expect === 'ok') st.valid++;
    else if (call.expect === 'error') st.invalid++;
    else st.either++;

    for (const e of call.disposes ?? []) ctx.release(e);
    const live = call.disposes ? call.disposes.filter((e) => !e.t.isDisposed).length : 0;
    let acceptedInvalid = false;
    const before = nr.memory();
    const t0 = performance.now();
    let res;
    let err;
    let threw = false;
    try {
      res = call.run();
      if (res instanceof Promise) {
        let timer;
        res = await Promise.race([res, new Promise((_, rej) => { timer = setTimeout(() => rej(new HangError(`no result after ${ASYNC_TIMEOUT_MS} ms`)), ASYNC_TIMEOUT_MS); })]).finally(() => clearTimeout(timer));
      }
    } catch (e) {
      err = e;
      threw = true;
    }
    const dt = performance.now() - t0;
    if (err instanceof HangError) return this.fail('hang', call.op, line, err.message, call);
    if (dt > SLOW_MS) this.fail('hang', call.op, line, `the call took ${Math.round(dt)} ms`, call);

    if (threw && err instanceof Mismatch) {
      this.fail('wrong-result', call.op, line, err.message, call);
    } else if (threw) {
      const cls = classifyError(nr, err, call.names, call.passThrough);
      const key = cls ?? (err?.constructor?.name ?? 'thrown');
      st.errorsByClass[key] = (st.errorsByClass[key] ?? 0) + 1;
      st.errorsByOp[call.op] = (st.errorsByOp[call.op] ?? 0) + 1;
      if (cls) {
        this.fail(cls, call.op, line, `${err?.constructor?.name}: ${err?.message ?? err}`, call);
        if (cls === 'trap') {
          this.trapped = true;
          if (this.keepGoing) this.restart();
          return;
        }
      } else if (call.expect === 'ok' && err !== call.passThrough) {
        this.fail('rejected-valid', call.op, line, `${err.constructor.name}: ${err.message}`, call);
      }
    } else {
      acceptedInvalid = call.expect === 'error';
      if (call.expect === 'error') this.fail('accepted-invalid', call.op, line, `returned ${describeResult(nr, res)} instead of throwing`, call);
      else if (call.check) {
        try {
          call.check(res);
        } catch (e) {
          if (e instanceof Mismatch) this.fail('wrong-result', call.op, line, e.message, call);
          else {
            const cls = classifyError(nr, e, [...call.names, 'data', 'dataSync', 'tensor']);
            this.fail(cls ?? 'check-error', call.op, line, `checking the result: ${e?.constructor?.name}: ${e?.message}`, call);
            if (cls === 'trap') {
              this.trapped = true;
              if (this.keepGoing) this.restart();
              return;
            }
          }
        }
      }
    }

    // Tensors the call returned count as created by it; measure before adopting them (adopting
    // may dispose the oldest pool entries).
    if (call.resets) {
      // The call replaced the instance on purpose: everything held is gone; start again.
      this.restart();
      return;
    }
    // Tensors the call was to dispose are the fuzzer's: free them if the call did not.
    for (const e of call.disposes ?? []) e.t.dispose();
    const returned = threw ? new Set() : tensorsIn(nr, res);
    const known = new Set(ctx.pool.map((e) => e.t));
    const fresh = [...returned].filter((t) => !t.isDisposed && !known.has(t));
    const after = nr.memory();
    // Tensors the finalizer freed meanwhile (leaks reported earlier, collected during an await)
    // do not count against this call.
    const collected = after.numLeaked - before.numLeaked;
    this.collected = (this.collected ?? 0) + collected;
    // Pool tensors the call disposed without owning them are reported as disposed-input below.
    const lost = ctx.pool.filter((e) => e.t.isDisposed).length;
    const delta = after.numTensors - before.numTensors - fresh.length + live + collected + lost;
    if (delta !== 0 && !call.noLeakCheck) {
      this.leakedSoFar = (this.leakedSoFar ?? 0) + delta;
      this.fail('leak', call.op, line, `${delta > 0 ? 'leaked' : 'freed'} ${Math.abs(delta)} tensor(s) (${threw ? 'the call threw ' + (err?.constructor?.name ?? '') + ': ' + String(err?.message).slice(0, 160) : 'the call succeeded'})`, call);
    }
    // Results of calls that should have thrown are not used further (their shapes may be nonsense).
    if (acceptedInvalid) fresh.forEach((t) => t.dispose());
    else fresh.forEach((t, k) => {
      const name = fresh.length === 1 ? `r${this.index}` : `r${this.index}_${k}`;
      names.set(t, name);
      ctx.adopt(t, call.line ?? callLine(call.op, call.args ?? []), name, false);
    });
    const handleDelta = (after.numHandles - after.numTensors) - (before.numHandles - before.numTensors);
    if (call.handlesNeutral && handleDelta !== 0) {
      this.handlesLeakedSoFar = (this.handlesLeakedSoFar ?? 0) + handleDelta;
      this.fail('leak', call.op, line, `non-tensor handles changed by ${handleDelta} (numHandles ${before.numHandles} → ${after.numHandles})`, call);
    }
    this.invariants(call, line);
  }

  /** Canary bits, the fixed computation, pool tensors live and (one of them) unchanged. */
  invariants(call, line) {
    const { nr, ctx, rng } = this;
    try {
      const cb = bits(this.canary.dataSync());
      if (cb.some((b, i) => b !== this.canaryBits[i])) {
        this.fail('corruption', call.op, line, `canary changed: [${Array.from(this.canary.dataSync())}], was [${CANARY}]`, call);
        this.canary.dispose();
        this.canary = nr.tensor(CANARY);
      }
      const fv = fixedComputation(nr, this.fixed);
      if (fv.some((v, i) => !Object.is(v, this.fixedValues[i]))) {
        this.fail('corruption', call.op, line, `fixed computation changed: [${fv.map((v) => +v.toPrecision(6))}], was [${this.fixedValues.map((v) => +v.toPrecision(6))}]`, call);
        // Start again from fresh inputs so that one corruption is reported once.
        for (const t of this.fixed) t.dispose();
        this.fixed = fixedInputs(nr);
        this.fixedValues = fixedComputation(nr, this.fixed);
      }
      for (const e of ctx.pool.slice()) {
        if (e.t.isDisposed) {
          this.fail('disposed-input', call.op, line, `${e.name} (shape [${e.shape}]) was disposed by a call that does not own it`, call);
          ctx.release(e);
        }
      }
      const e = ctx.pool.length ? rng.pick(ctx.pool) : null;
      if (e && e.vals.length === e.t.size) {
        const now = bits(e.t.dataSync());
        const was = bits(e.vals);
        if (now.some((b, i) => b !== was[i])) this.fail('corruption', call.op, line, `${e.name} (shape [${e.shape}]) changed its values`, call);
      }
    } catch (err) {
      const cls = classifyError(nr, err, []) ?? 'invariant-error';
      this.fail(cls === 'op-not-named' ? 'corruption' : cls, call.op, line, `checking the canary/fixed computation after the call: ${err?.constructor?.name}: ${err?.message}`, call);
      if (err instanceof nr.WasmPanicError || err instanceof nr.DisposedError) {
        this.trapped = true;
        if (this.keepGoing) this.restart();
      }
    }
  }

  summary() {
    return {
      seed: this.seed,
      calls: this.stats.calls,
      requested: this.calls,
      valid: this.stats.valid,
      invalid: this.stats.invalid,
      either: this.stats.either,
      ms: Math.round(this.stats.ms),
      callsPerSecond: Math.round(this.stats.calls / (this.stats.ms / 1000)),
      errorsByClass: this.stats.errorsByClass,
      errorsByOp: this.stats.errorsByOp,
      failuresByClass: this.stats.failuresByClass,
      callsByOp: this.stats.callsByOp,
      failures: [...this.failures.values()],
    };
  }
}

class HangError extends Error {}

/** One of `items`, with probability proportional to `weight` (default 1). */
function weightedPick(rng, items) {
  let total = 0;
  for (const it of items) total += it.weight ?? 1;
  let r = rng.float() * total;
  for (const it of items) {
    r -= it.weight ?? 1;
    if (r < 0) return it;
  }
  return items[items.length - 1];
}

function describeResult(nr, r) {
  if (r instanceof nr.Tensor) return `a tensor of shape [${r.shape}]`;
  if (Array.isArray(r)) return `an array of ${r.length}`;
  return render(r);
}

/**
 * tf.data (ts/data/): random pipelines of `data.array` over numbers, tensors or `{ xs, ys }`
 * pairs through take, skip, repeat, map, filter, shuffle and batch, read with `toArray()`
 * against a plain-JS pipeline of generators with the same semantics; bad stage arguments;
 * `fitDataset` on a small model with well-formed and malformed batches. The driver checks that
 * nothing leaked and that the pool's tensors (which `data.array` clones) stay alive.
 */
import { Mismatch } from '../checks.mjs';

const f32 = Math.fround;
const sizeOf = (s) => s.reduce((a, b) => a * b, 1);
const NAMES = ['data.array', 'take', 'skip', 'repeat', 'map', 'filter', 'shuffle', 'batch', 'toArray', 'fitDataset', 'compile'];

/** The plain-JS stages: each maps a pass factory (() => iterator) to another. */
const REF = {
  take: (k) => (up) => function* () { let i = 0; if (k <= 0) return; for (const e of up()) { yield e; if (++i >= k) return; } },
  skip: (k) => (up) => function* () { let i = 0; for (const e of up()) if (i++ >= k) yield e; },
  repeat: (r) => (up) => function* () { for (let i = 0; i < r; i++) yield* up(); },
  map: (f) => (up) => function* () { for (const e of up()) yield f(e); },
  filter: (p) => (up) => function* () { for (const e of up()) if (p(e)) yield e; },
};

/** An element's value as plain data: numbers, arrays of float32 values, `{ xs, ys }`. */
function plain(nr, e) {
  if (typeof e === 'number') return e;
  if (e instanceof nr.Tensor) return { shape: e.shape.slice(), vals: Array.from(e.dataSync()) };
  return { xs: plain(nr, e.xs), ys: plain(nr, e.ys) };
}

const key = (v) => JSON.stringify(v, (_, x) => (Object.is(x, -0) ? '-0' : x));

const pipelineOp = {
  name: 'data pipeline', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const kind = rng.pick(['numbers', 'tensors', 'pairs']);
    const n = rng.int(0, 6);
    const s = Array.from({ length: rng.int(0, 2) }, () => rng.int(1, 3));
    const num = () => rng.int(-8, 8) / 2;
    const tensors = kind === 'numbers' ? [] : Array.from({ length: n }, () => ctx.fresh(s, Array.from({ length: sizeOf(s) }, num)));
    const items = kind === 'numbers' ? Array.from({ length: n }, num) : kind === 'tensors' ? tensors.map((e) => e.t) : tensors.map((e) => ({ xs: e.t, ys: num() }));
    const refItems = kind === 'numbers' ? items.slice() : kind === 'tensors' ? tensors.map((e) => ({ shape: s, vals: Array.from(e.vals, f32) })) : tensors.map((e, i) => ({ xs: { shape: s, vals: Array.from(e.vals, f32) }, ys: items[i].ys }));
    // Element functions, on neurite's elements and on the reference's (the same arithmetic:
    // doubling and adding 1 are exact in float32 for these halves).
    const first = (e) => (typeof e === 'number' ? e : e instanceof nr.Tensor ? e.dataSync()[0] : typeof e.ys === 'number' ? e.ys : e.ys.dataSync()[0]);
    const refFirst = (e) => (typeof e === 'number' ? e : e.vals ? e.vals[0] : e.ys);
    const double = (e) => (typeof e === 'number' ? e * 2 + 1 : e instanceof nr.Tensor ? e.mul(2) : { xs: e.xs.mul(2), ys: e.ys * 2 + 1 });
    const refDouble = (e) => (typeof e === 'number' ? e * 2 + 1 : e.vals ? { shape: e.shape, vals: e.vals.map((v) => v * 2) } : { xs: { shape: e.xs.shape, vals: e.xs.vals.map((v) => v * 2) }, ys: e.ys * 2 + 1 });
    const stages = [];
    for (let i = rng.int(0, 4); i > 0; i--) {
      const st = rng.pick(['take', 'skip', 'repeat', 'map', 'filter']);
      stages.push(st === 'take' || st === 'skip' ? [st, rng.int(0, n + 1)] : st === 'repeat' ? [st, rng.int(0, 3)] : [st]);
    }
    const last = rng.pick([null, 'shuffle', 'batch']);
    const batchSize = rng.int(1, 4);
    const small = rng.chance(0.7);
    const buf = rng.int(1, n + 2);
    const seed = rng.int(0, 1000);
    let expect = 'ok';
    let bad = null;
    if (rng.chance(0.1)) {
      bad = rng.pick([['take', 1.5], ['skip', -1], ['skip', NaN], ['batch', 0], ['batch', 2.5], ['repeat', 1.5], ['shuffle', 0], ['map', 'x'], ['filter', null]]);
      expect = 'error';
    }
    const chain = [...stages.map((st) => `.${st[0]}(${st[0] === 'map' ? 'double' : st[0] === 'filter' ? 'firstNonNegative' : st[1]})`), ...(last === 'shuffle' ? [`.shuffle(${buf}, ${seed})`] : last === 'batch' ? [`.batch(${batchSize}, ${small})`] : []), ...(bad ? [`.${bad[0]}(${JSON.stringify(bad[1])})`] : [])];
    return {
      op: 'data pipeline', expect, names: NAMES,
      line: `await data.array(${kind === 'numbers' ? JSON.stringify(items) : `[${tensors.map((e) => (kind === 'pairs' ? `{ xs: ${e.name}, ys: … }` : e.name)).join(', ')}]`})${chain.join('')}.toArray()`,
      run: () => {
        let ds = nr.data.array(items);
        for (const [st, a] of stages) ds = st === 'map' ? ds.map(double) : st === 'filter' ? ds.filter((e) => first(e) >= 0) : ds[st](a);
        if (last === 'shuffle') ds = ds.shuffle(buf, seed);
        if (last === 'batch') ds = ds.batch(batchSize, small);
        if (bad) ds = ds[bad[0]](bad[1]);
        return ds.toArray();
      },
      check: (out) => {
        let pass = () => refItems[Symbol.iterator]();
        for (const [st, a] of stages) pass = (st === 'map' ? REF.map(refDouble) : st === 'filter' ? REF.filter((e) => refFirst(e) >= 0) : REF[st](a))(pass);
        let want = [...pass()];
        const got = out.map((e) => plain(nr, e));
        if (last === 'batch') {
          const groups = [];
          for (let i = 0; i < want.length; i += batchSize) if (small || i + batchSize <= want.length) groups.push(want.slice(i, i + batchSize));
          const stack = (es) => (typeof es[0] === 'number' ? { shape: [es.length], vals: es.map(f32) } : { shape: [es.length, ...es[0].shape], vals: es.flatMap((e) => e.vals) });
          want = groups.map((g) => (kind === 'pairs' ? { xs: stack(g.map((e) => e.xs)), ys: stack(g.map((e) => e.ys)) } : stack(g)));
        }
        if (last === 'shuffle') {
          const [a, b] = [got.map(key).sort(), want.map(key).sort()];
          if (key(a) !== key(b)) throw new Mismatch(`data pipeline (shuffled): elements ${key(got)}, reference (in order) ${key(want)}`);
        } else if (key(got) !== key(want)) {
          throw new Mismatch(`data pipeline: elements ${key(got)}, reference ${key(want)}`);
        }
      },
    };
  },
};

const fitDatasetOp = {
  name: 'fitDataset', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const d = rng.int(1, 3);
    const rows = rng.int(1, 9);
    const b = rng.int(1, 4);
    const seed = rng.int(0, 1000);
    const flaw = rng.chance(0.25) ? rng.pick(['ys width', 'not a pair', 'xs width']) : null;
    const xs = Array.from({ length: rows }, () => Array.from({ length: d + (flaw === 'xs width' ? 1 : 0) }, () => rng.int(-4, 4) / 4));
    const ys = Array.from({ length: rows }, () => Array.from({ length: flaw === 'ys width' ? 2 : 1 }, () => rng.int(-4, 4) / 4));
    return {
      op: 'fitDataset', expect: flaw ? 'error' : 'ok', names: NAMES,
      line: `m = sequential({ seed: ${seed}, layers: [layers.dense({ inputShape: [${d}], units: 1 })] }); m.compile({ optimizer: 'sgd', loss: 'mse' }); await m.fitDataset(${flaw === 'not a pair' ? `data.array(${JSON.stringify(xs)})` : `data.zip({ xs: data.array(${JSON.stringify(xs)}), ys: data.array(${JSON.stringify(ys)}) })`}.batch(${b}), { epochs: 2, verbose: 0 }); m.dispose()`,
      run: async () => {
        const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [d], units: 1 })] });
        try {
          m.compile({ optimizer: 'sgd', loss: 'mse' });
          const ds = (flaw === 'not a pair' ? nr.data.array(xs) : nr.data.zip({ xs: nr.data.array(xs), ys: nr.data.array(ys) })).batch(b);
          const h = await m.fitDataset(ds, { epochs: 2, verbose: 0 });
          return h.history.loss;
        } finally {
          m.dispose();
        }
      },
      check: (loss) => {
        if (!Array.isArray(loss) || loss.length !== 2 || !loss.every((v) => Number.isFinite(v) && v >= 0)) throw new Mismatch(`fitDataset: history.loss ${JSON.stringify(loss)}, expected two finite losses >= 0`);
      },
    };
  },
};

export default { name: 'data', weight: 1, ops: [pipelineOp, fitDatasetOp] };

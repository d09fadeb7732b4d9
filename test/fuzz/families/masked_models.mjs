/**
 * Masked models: an embedding with `maskZero` (ids, 0 the padding) or a `masking` layer (a step
 * of zeros is padding) → a per-step dense layer, then one of
 *   - `pool`: globalAveragePooling1d (the average over the kept steps, 0 for a row all padding);
 *   - `shared`: the same embedding, dense layer and pooling applied to two inputs, concatenated;
 *   - `nested`: the dense layers in a nested sequential model, then the pooling;
 *   - `steps`: the per-step output, its loss masked;
 *   - `dot`: the same embedding and dense layer applied to two inputs, then dot along the
 *     features of every pair of steps (`[n, T, T]`; dot drops the masks, as Keras 3's);
 *   - `refused`: a layer that cannot take a mask (conv1d, maxPooling1d, globalMaxPooling1d,
 *     flatten) after it, which the model must refuse, naming it;
 * with random padding (rows of every length, rows all padding, zero-row batches), an id out of
 * range now and then (an error), predict, evaluate and trainOnBatch, and a model disposed at
 * random. Checked against a plain-JS forward pass with the layers' own weights; an all-padding
 * row pools to exactly 0 (Keras 3's masked GlobalAveragePooling1D, NaN-free); a row's output
 * equals a model fed only its unpadded steps (same layer objects at that length); a padded
 * step's label changes neither evaluate's loss nor trainOnBatch's weights (bits); and, after
 * every masked call (failed or not), the shared pooling used by an unmasked model averages every
 * step: a mask never outlives its forward.
 */
import { compare, Mismatch } from '../checks.mjs';

const ACTS = { linear: (z) => z, tanh: Math.tanh };

/** `{ shape, vals }` as a tensor-like for {@link compare}. */
const like = (shape, vals) => ({ shape, dataSync: () => vals });

/** The weights of `layer` as arrays (the tensors disposed). */
function weightsOf(layer) {
  const ws = layer.getWeights();
  const v = ws.map((w) => Array.from(w.dataSync()));
  ws.forEach((w) => w.dispose());
  return v;
}

/** `act(x·W + b)` of one row `x` (length k) for `W` [k, u]. */
function dense(x, [W, b], act) {
  const u = b.length;
  const out = [];
  for (let j = 0; j < u; j++) {
    let s = b[j];
    for (let p = 0; p < x.length; p++) s += x[p] * W[p * u + j];
    out.push(ACTS[act](s));
  }
  return out;
}

export const maskedModelOp = {
  name: 'maskedModel',
  weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const T = rng.int(1, 6);
    const n = rng.chance(0.06) ? 0 : rng.int(1, 4);
    const V = rng.int(3, 6);
    const D = rng.int(1, 3);
    const U = rng.int(1, 3);
    const act = rng.pick(Object.keys(ACTS));
    const source = rng.pick(['embedding', 'masking']);
    const variant = rng.pick(['pool', 'pool', 'shared', 'nested', 'steps', 'dot', 'refused']);
    const refusedBy = rng.pick(['conv1d', 'maxPooling1d', 'globalMaxPooling1d', 'flatten']);
    const inputs = variant === 'shared' || variant === 'dot' ? 2 : 1;
    const seed = rng.int(0, 1000);
    // Per input, each row's kept steps: after its length (post padding) or anywhere.
    const keeps = Array.from({ length: inputs }, () => Array.from({ length: n }, () => {
      if (rng.chance(0.5)) {
        const len = rng.chance(0.2) ? 0 : rng.int(1, T);
        return Array.from({ length: T }, (_, t) => t < len);
      }
      return Array.from({ length: T }, () => !rng.chance(0.4));
    }));
    // embedding: ids (0 padding); masking: D features per step (all 0: padding).
    const xs = keeps.map((rows) => rows.flatMap((kept) => kept.flatMap((k) => (source === 'embedding' ? [k ? rng.int(1, V - 1) : 0] : Array.from({ length: D }, () => (k ? rng.pick([-1, 1]) * rng.uniform(0.1, 2) : 0))))));
    const bad = source === 'embedding' && n > 0 && rng.chance(0.08);
    const badX = bad ? xs[0].map((v, i) => (i === 0 ? V + rng.int(0, 2) : v)) : null;
    const xShape = source === 'embedding' ? [n, T] : [n, T, D];
    const outDim = variant === 'shared' ? 2 * U : U;
    const yShape = variant === 'steps' ? [n, T, U] : variant === 'dot' ? [n, T, T] : [n, outDim];
    const y = Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
    // steps: the same labels but for the padded steps', which must move nothing.
    const y2 = variant === 'steps' ? y.map((v, e) => (keeps[0][Math.floor(e / (T * U))][Math.floor(e / U) % T] ? v : v + rng.uniform(1, 5))) : null;
    const disposeEarly = rng.chance(0.3);
    const z = Array.from({ length: 2 * T * U }, () => rng.uniform(-2, 2));
    const expectError = bad || variant === 'refused';
    const srcText = source === 'embedding' ? `layers.embedding({ inputDim: ${V}, outputDim: ${D}, maskZero: true })` : `layers.masking({ maskValue: 0 })`;
    const line = `/* ${variant}, ${source}, T ${T}, n ${n}${bad ? ', an id out of range' : ''}${disposeEarly ? ', model disposed before the check' : ''} */ m = model(${srcText} → dense({ units: ${U}, activation: '${act}' }) → ${{ pool: 'globalAveragePooling1d', shared: 'shared by two inputs → globalAveragePooling1d each → concatenate', nested: 'a nested sequential of two dense → globalAveragePooling1d', steps: 'per-step output', dot: 'shared by two inputs → dot along the features of every pair of steps', refused: `${refusedBy} (refused)` }[variant]}, seed ${seed}); m.predict(x); m.evaluate(x, y); m.trainOnBatch(x, y); unmasked(pool).predict(z); m.dispose()`;
    return {
      op: 'maskedModel', line, expect: expectError ? 'error' : 'ok', handlesNeutral: true,
      names: ['embedding', 'masking', 'predict', 'evaluate', 'trainOnBatch', 'model', 'sequential', 'build', refusedBy, 'input'],
      run: () => {
        const L = nr.layers;
        const made = [];
        const models = [];
        const tensors = [];
        const T_ = (vals, shape) => { const t = nr.tensor(vals, shape); tensors.push(t); return t; };
        const keep = (m) => { models.push(m); return m; };
        try {
          const src = source === 'embedding' ? L.embedding({ inputDim: V, outputDim: D, maskZero: true }) : L.masking({ maskValue: 0 });
          const d1 = L.dense({ units: U, activation: act });
          const d2 = variant === 'nested' ? L.dense({ units: U, activation: 'linear' }) : null;
          const pool = L.globalAveragePooling1d();
          made.push(src, d1, d2, pool);
          const inShape = source === 'embedding' ? [T] : [T, D];
          const ins = Array.from({ length: inputs }, () => nr.input({ shape: inShape }));
          let inner = null;
          if (variant === 'nested') inner = keep(nr.sequential({ layers: [d1, d2], seed }));
          const chain = (x) => {
            let h = src.apply(x);
            if (variant === 'nested') return pool.apply(inner.apply(h));
            h = d1.apply(h);
            if (variant === 'steps' || variant === 'dot') return h;
            if (variant === 'refused') return L[refusedBy]({ ...(refusedBy === 'conv1d' ? { filters: 1, kernelSize: 1 } : {}) }).apply(h);
            return pool.apply(h);
          };
          const outs = ins.map(chain);
          const m = keep(nr.model({ inputs: inputs === 1 ? ins[0] : ins, outputs: inputs === 1 ? outs[0] : variant === 'dot' ? L.dot({ axes: 2 }).apply(outs) : L.concatenate().apply(outs), seed }));
          m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
          const x = xs.map((v) => T_(v, xShape));
          const arg = inputs === 1 ? x[0] : x;
          const result = {};
          // The shared pooling through an unmasked model: the mean over every step.
          // (Made now: disposing the last model that holds a layer frees it.)
          const zin = nr.input({ shape: [T, U] });
          const um = keep(nr.model({ inputs: zin, outputs: pool.apply(zin) }));
          const unmaskedCheck = () => {
            const got = nr.tidy(() => um.predict(T_(z, [2, T, U])).dataSync().slice());
            const want = [];
            for (let r = 0; r < 2; r++) for (let j = 0; j < U; j++) {
              let s = 0;
              for (let t = 0; t < T; t++) s += z[(r * T + t) * U + j];
              want.push(s / T);
            }
            compare('the shared globalAveragePooling1d in an unmasked model after a masked call (the mean of every step: no mask left behind)', like([2, U], got), { shape: [2, U], vals: want }, false);
          };
          if (bad) {
            let err = null;
            try {
              m.predict(T_(badX, xShape)).dispose();
            } catch (e) {
              err = e;
            }
            unmaskedCheck();
            if (err) throw err;
            throw new Mismatch('an embedding id out of range was accepted');
          }
          result.pred = nr.tidy(() => m.predict(arg).dataSync().slice());
          result.weights = { src: source === 'embedding' ? weightsOf(src) : [], d1: weightsOf(d1), d2: d2 ? weightsOf(d2) : [] };
          // One row through a model of its unpadded steps only (post padding, same layers; a
          // nested model keeps the one length it was built for).
          const row = keeps[0].findIndex((k) => k.some(Boolean) && k.every((v, t) => v || !k.slice(t).some(Boolean)));
          if (row >= 0 && (variant === 'pool')) {
            const len = keeps[0][row].filter(Boolean).length;
            const per = source === 'embedding' ? 1 : D;
            const xin = nr.input({ shape: source === 'embedding' ? [len] : [len, D] });
            const short = keep(nr.model({ inputs: xin, outputs: chain(xin) }));
            const part = xs[0].slice(row * T * per, row * T * per + len * per);
            result.unpadded = { row, vals: nr.tidy(() => short.predict(T_(part, source === 'embedding' ? [1, len] : [1, len, D])).dataSync().slice()) };
          }
          if (n > 0) {
            result.loss = m.evaluate(arg, T_(y, yShape), { returnDict: true }).loss;
            if (variant === 'steps') {
              result.loss2 = m.evaluate(arg, T_(y2, yShape), { returnDict: true }).loss;
              // Twins (same seed, same weights) trained on labels that differ at padded steps only.
              const twin = () => {
                const tin = nr.input({ shape: inShape });
                const tm = keep(nr.model({ inputs: tin, outputs: L.dense({ units: U, activation: act }).apply((source === 'embedding' ? L.embedding({ inputDim: V, outputDim: D, maskZero: true }) : L.masking({ maskValue: 0 })).apply(tin)), seed }));
                tm.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
                return tm;
              };
              const [ta, tb] = [twin(), twin()];
              ta.trainOnBatch(arg, T_(y, yShape));
              tb.trainOnBatch(arg, T_(y2, yShape));
              const bitsOf = (tm) => { const ws = tm.getWeights(); const v = ws.flatMap((w) => Array.from(new Uint32Array(w.dataSync().slice().buffer))); ws.forEach((w) => w.dispose()); return v; };
              const [wa, wb] = [bitsOf(ta), bitsOf(tb)];
              if (wa.length !== wb.length || wa.some((v, i) => v !== wb[i])) throw new Mismatch('trainOnBatch: labels that differ only at padded steps gave other weights');
            }
            m.trainOnBatch(arg, T_(y, yShape));
          } else {
            // No rows: evaluate and trainOnBatch have nothing to average; a typed error or a result.
            for (const f of [() => m.evaluate(arg, T_(y, yShape), { returnDict: true }), () => m.trainOnBatch(arg, T_(y, yShape))]) {
              try {
                f();
              } catch (e) {
                if (!(e instanceof nr.NeuriteError) || !/evaluate|trainOnBatch/.test(e.message)) throw e;
              }
            }
          }
          if (disposeEarly) m.dispose();
          if (variant !== 'steps' && variant !== 'dot') unmaskedCheck();
          return result;
        } finally {
          tensors.forEach((t) => t.dispose());
          models.forEach((m) => m.dispose());
        }
      },
      check: ({ pred, weights, unpadded, loss, loss2 }) => {
        // The plain-JS forward pass: per step the source's vector, dense (twice when nested),
        // then the average over the kept steps (0 without any) or, per step, the values.
        const step = (q, r, t) => {
          if (source === 'embedding') {
            const id = xs[q][r * T + t];
            return weights.src[0].slice(id * D, (id + 1) * D);
          }
          return xs[q].slice((r * T + t) * D, (r * T + t + 1) * D);
        };
        const h = (q, r, t) => {
          const a = dense(step(q, r, t), weights.d1, act);
          return variant === 'nested' ? dense(a, weights.d2, 'linear') : a;
        };
        const pooled = (q, r) => {
          const kept = keeps[q][r].map((k, t) => (k ? t : -1)).filter((t) => t >= 0);
          const out = new Array(U).fill(0);
          for (const t of kept) h(q, r, t).forEach((v, j) => (out[j] += v / kept.length));
          return out;
        };
        const ref = [];
        for (let r = 0; r < n; r++) {
          if (variant === 'steps') for (let t = 0; t < T; t++) ref.push(...h(0, r, t));
          else if (variant === 'dot') for (let s = 0; s < T; s++) for (let t = 0; t < T; t++) ref.push(h(0, r, s).reduce((a, v, j) => a + v * h(1, r, t)[j], 0));
          else for (let q = 0; q < inputs; q++) ref.push(...pooled(q, r));
        }
        compare(`a masked model's predict (${variant}, ${source}; a plain-JS forward pass, the average over the kept steps)`, like(yShape, pred), { shape: yShape, vals: ref }, false);
        if (variant !== 'steps' && variant !== 'dot') {
          // A row all padding pools to 0 exactly (Keras 3: 0; no NaN).
          for (let r = 0; r < n; r++) for (let q = 0; q < inputs; q++) {
            if (keeps[q][r].some(Boolean)) continue;
            for (let j = 0; j < U; j++) if (!Object.is(pred[r * outDim + q * U + j], 0)) throw new Mismatch(`row ${r} (input ${q}) is all padding: its pooled value ${j} is ${pred[r * outDim + q * U + j]}, Keras 3 gives 0`);
          }
        }
        if (unpadded) compare(`row ${unpadded.row} against the same layers fed only its unpadded steps`, like([1, U], unpadded.vals), { shape: [1, U], vals: Array.from(pred.slice(unpadded.row * U, (unpadded.row + 1) * U)) }, false);
        if (loss !== undefined && !Number.isFinite(loss)) throw new Mismatch(`evaluate's masked loss is ${loss}`);
        if (variant === 'steps' && loss !== undefined) {
          // The masked mean over the kept steps of the per-step mean squared error.
          let s = 0;
          let c = 0;
          for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) {
            if (!keeps[0][r][t]) continue;
            const e = (r * T + t) * U;
            s += ref.slice(e, e + U).reduce((a, v, j) => a + (v - y[e + j]) ** 2, 0) / U;
            c++;
          }
          const want = c === 0 ? 0 : s / c;
          if (!(Math.abs(loss - want) <= 1e-5 * Math.abs(want) + 1e-6)) throw new Mismatch(`evaluate: masked loss ${loss}, the mean over the kept steps in plain JS ${want}`);
          if (!Object.is(loss, loss2)) throw new Mismatch(`evaluate: labels that differ only at padded steps gave loss ${loss2}, was ${loss}`);
        }
      },
    };
  },
};

/** Memory: tidy scopes (returning, throwing, nested, async), keep, dispose twice, use after dispose, memory(). */
import { compare, Mismatch } from '../checks.mjs';
import { garbage } from '../values.mjs';

const tidyOp = {
  name: 'tidy', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(200);
    const kind = rng.int(0, 5);
    const sentinel = new Error('fuzz: tidy fn threw on purpose');
    const kept = [];
    if (kind === 0) {
      // Returns a nested structure; everything else made inside is freed.
      return {
        op: 'tidy', line: `tidy(() => { const a = ${e.name}.add(1); a.mul(2); return { a, list: [${e.name}.neg()], n: 3 }; })`, expect: 'ok',
        run: () => nr.tidy(() => { const a = e.t.add(1); a.mul(2); return { a, list: [e.t.neg()], n: 3 }; }),
        check: (res) => {
          compare('tidy result a', res.a, { shape: e.shape, vals: Array.from(e.vals, (v) => v + 1) }, true);
          compare('tidy result list[0]', res.list[0], { shape: e.shape, vals: Array.from(e.vals, (v) => -v) }, true);
        },
      };
    }
    if (kind === 1) {
      return {
        op: 'tidy', line: `tidy(() => { ${e.name}.square(); throw sentinel; })`, expect: 'error', passThrough: sentinel,
        run: () => nr.tidy(() => { e.t.square(); throw sentinel; }),
      };
    }
    if (kind === 2) {
      // A tensor kept inside a scope escapes; another one made there is used after the scope.
      return {
        op: 'tidy', line: `tidy(() => { k = keep(${e.name}.add(0)); d = ${e.name}.mul(1); }); d.sum() /* d was freed by tidy */`, expect: 'error',
        names: ['sum', 'disposed'],
        run: () => {
          let d;
          nr.tidy(() => { kept.push(nr.keep(e.t.add(0))); d = e.t.mul(1); });
          ctx.dead.push(d);
          try {
            return nr.sum(d);
          } finally {
            const k = kept[0];
            const vals = k.dataSync();
            k.dispose();
            if (vals.some((v, i) => v !== e.vals[i] && !(Number.isNaN(v) && Number.isNaN(e.vals[i])))) throw new Mismatch('keep: the kept tensor changed');
          }
        },
      };
    }
    if (kind === 3) {
      return {
        op: 'tidy', line: 'tidy(async () => zeros([2]))', expect: 'error',
        run: () => nr.tidy(async () => nr.zeros([2])),
      };
    }
    if (kind === 4) {
      const g = garbage(rng);
      return { op: 'tidy', args: [g], expect: typeof g === 'function' ? 'either' : 'error', run: () => nr.tidy(g) };
    }
    // Nested scopes: the inner result belongs to the outer scope, which returns it.
    return {
      op: 'tidy', line: `tidy('outer', () => { const r = tidy(() => ${e.name}.mul(2)); ${e.name}.add(5); return r; })`, expect: 'ok',
      run: () => nr.tidy('outer', () => { const r = nr.tidy(() => e.t.mul(2)); e.t.add(5); return r; }),
      check: (t) => compare('nested tidy', t, { shape: e.shape, vals: Array.from(e.vals, (v) => v * 2) }, true),
    };
  },
};

const disposeOp = {
  name: 'dispose', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.pick();
    if (!e) return null;
    const twice = rng.chance(0.3);
    return {
      op: 'dispose', line: `${e.name}.dispose()${twice ? `; ${e.name}.dispose()` : ''}`, expect: 'ok', disposes: [e],
      run: () => { e.t.dispose(); if (twice) e.t.dispose(); return null; },
    };
  },
};

const useDisposed = {
  name: 'useDisposed', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const d = ctx.disposed();
    const e = ctx.any(200);
    const uses = [
      ['add', () => nr.add(e.t, d), `add(${e.name}, ${ctx.show(d)})`],
      ['matMul', () => nr.matMul(d, e.t), `matMul(${ctx.show(d)}, ${e.name})`],
      ['sum', () => d.sum(), `${ctx.show(d)}.sum()`],
      ['data', () => d.dataSync(), `${ctx.show(d)}.dataSync()`],
      ['concat', () => nr.concat([e.t, d]), `concat([${e.name}, ${ctx.show(d)}])`],
      ['reshape', () => nr.reshape(d, [-1]), `reshape(${ctx.show(d)}, [-1])`],
      ['grad', () => nr.grad((x) => x.sum())(d), `grad(x => x.sum())(${ctx.show(d)})`],
      ['variable', () => nr.variable(d), `variable(${ctx.show(d)})`],
      ['where', () => nr.where(d, e.t, e.t), `where(${ctx.show(d)}, ${e.name}, ${e.name})`],
    ];
    const [op, run, line] = rng.pick(uses);
    return { op, line, expect: 'error', run };
  },
};

const memoryOp = {
  name: 'memory',
  gen(ctx) {
    const { nr } = ctx;
    return {
      op: 'memory', line: 'memory()', expect: 'ok', run: () => nr.memory(),
      check: (m) => {
        for (const k of ['numTensors', 'numBytes', 'wasmBytes', 'numHandles']) {
          if (!Number.isInteger(m[k]) || m[k] < 0) throw new Mismatch(`memory().${k} is ${m[k]}`);
        }
        if (m.numHandles < m.numTensors) throw new Mismatch(`memory(): numHandles ${m.numHandles} < numTensors ${m.numTensors}`);
      },
    };
  },
};

export default { name: 'memory', weight: 2, ops: [tidyOp, disposeOp, useDisposed, memoryOp] };

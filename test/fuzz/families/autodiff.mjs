/**
 * Autodiff: grad, grads, valueAndGrad(s), variableGrads, variable, optimizer.minimize — over
 * functions with known gradients (every op family, split and clone included), functions that
 * throw or return non-scalars or non-tensors, wrong `dy`, hundreds of sources, nested tapes,
 * and a function that recycles a handle slot 4095 times inside the tape.
 */
import { compare, Mismatch } from '../checks.mjs';
import { garbage } from '../values.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);
const fill = (n, v) => new Array(n).fill(v);

/**
 * Functions of one tensor with their gradient (for `dy` = ones of the value's shape).
 * `ok(shape)` says which inputs the function applies to.
 */
const FNS = [
  { src: 'x => x.square().sum()', f: (nr) => (x) => x.square().sum(), g: (e) => Array.from(e.vals, (v) => 2 * v), ok: () => true },
  { src: 'x => x.sum()', f: (nr) => (x) => x.sum(), g: (e) => fill(e.size, 1), ok: () => true },
  { src: 'x => x', f: (nr) => (x) => x, g: (e) => fill(e.size, 1), ok: () => true },
  { src: 'x => x.mul(3).add(1)', f: (nr) => (x) => x.mul(3).add(1), g: (e) => fill(e.size, 3), ok: () => true },
  { src: 'x => nr.clone(x).sum()', f: (nr) => (x) => nr.clone(x).sum(), g: (e) => fill(e.size, 1), ok: () => true },
  {
    src: 'x => nr.split(x, 2)[0].sum()', f: (nr) => (x) => nr.split(x, 2)[0].sum(),
    g: (e) => { const half = e.size / 2; return Array.from(e.vals, (_, i) => (i < half ? 1 : 0)); },
    ok: (s) => s.length >= 1 && s[0] % 2 === 0,
  },
  { src: 'x => nr.reshape(x, [-1]).mul(2).sum()', f: (nr) => (x) => nr.reshape(x, [-1]).mul(2).sum(), g: (e) => fill(e.size, 2), ok: (s) => size(s) > 0 },
  { src: 'x => nr.transpose(x).square().sum()', f: (nr) => (x) => nr.transpose(x).square().sum(), g: (e) => Array.from(e.vals, (v) => 2 * v), ok: () => true },
  { src: 'x => nr.concat([x, x]).sum()', f: (nr) => (x) => nr.concat([x, x]).sum(), g: (e) => fill(e.size, 2), ok: (s) => s.length >= 1 },
  { src: 'x => nr.reverse(x).square().sum()', f: (nr) => (x) => nr.reverse(x).square().sum(), g: (e) => Array.from(e.vals, (v) => 2 * v), ok: () => true },
  { src: 'x => nr.pad(x, x.shape.map(() => [1, 2]), 5).mul(3).sum()', f: (nr) => (x) => nr.pad(x, x.shape.map(() => [1, 2]), 5).mul(3).sum(), g: (e) => fill(e.size, 3), ok: (s) => size(s) < 200 },
  { src: 'x => nr.cumsum(nr.reshape(x, [-1])).sum()', f: (nr) => (x) => nr.cumsum(nr.reshape(x, [-1])).sum(), g: (e) => Array.from(e.vals, (_, i) => e.size - i), ok: () => true },
  { src: 'x => nr.tile(x, x.shape.map(() => 2)).sum()', f: (nr) => (x) => nr.tile(x, x.shape.map(() => 2)).sum(), g: (e) => fill(e.size, 2 ** e.shape.length), ok: (s) => size(s) < 200 },
  {
    src: 'x => nr.gather(x, [0, 0]).sum()', f: (nr) => (x) => nr.gather(x, [0, 0]).sum(),
    g: (e) => { const row = size(e.shape.slice(1)); return Array.from(e.vals, (_, i) => (i < row ? 2 : 0)); },
    ok: (s) => s.length >= 1 && s[0] >= 1,
  },
  {
    src: 'x => nr.slice(x, [0], [1]).sum()', f: (nr) => (x) => nr.slice(x, [0], [1]).sum(),
    g: (e) => { const row = size(e.shape.slice(1)); return Array.from(e.vals, (_, i) => (i < row ? 1 : 0)); },
    ok: (s) => s.length >= 1 && s[0] >= 1,
  },
  { src: 'x => x.relu().sum()', f: (nr) => (x) => x.relu().sum(), g: (e) => Array.from(e.vals, (v) => (v > 0 ? 1 : 0)), ok: () => true },
  { src: 'x => nr.stack([x, x], 0).mean()', f: (nr) => (x) => nr.stack([x, x], 0).mean(), g: (e) => fill(e.size, 1 / e.size), ok: (s) => size(s) > 0 },
  { src: 'x => nr.expandDims(x, 0).squeeze([0]).sum()', f: (nr) => (x) => nr.expandDims(x, 0).squeeze([0]).sum(), g: (e) => fill(e.size, 1), ok: () => true },
  { src: 'x => nr.where(nr.greater(x, 0), x, x.mul(2)).sum()', f: (nr) => (x) => nr.where(nr.greater(x, 0), x, x.mul(2)).sum(), g: (e) => Array.from(e.vals, (v) => (v > 0 ? 1 : 2)), ok: () => true },
];

/** Small finite inputs only: gradients at NaN/Inf/kinks are not what these checks are about. */
const finite = (e) => e.vals.every((v) => Number.isFinite(v) && Math.abs(v) < 100 && v !== 0);

const gradOp = {
  name: 'grad', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(FNS);
    const e = ctx.pick((x) => x.size <= 300 && finite(x) && fn.ok(x.shape)) ?? ctx.fresh([2, 3], [1.5, -2, 0.5, 2.5, -1, 3]);
    if (!fn.ok(e.shape) || !finite(e)) return null;
    const op = rng.pick(['grad', 'valueAndGrad', 'grads', 'valueAndGrads']);
    const f = fn.f(nr);
    const g = { shape: e.shape, vals: fn.g(e) };
    const api = nr[op];
    const line = op.endsWith('s') ? `${op}(${fn.src})([${e.name}])` : `${op}(${fn.src})(${e.name})`;
    const run = () => (op.endsWith('s') ? api(f)([e.t]) : api(f)(e.t));
    return {
      op, line, expect: 'ok', run,
      names: [op, 'tape'],
      check: (res) => {
        const gt = op === 'grad' ? res : op === 'grads' ? res[0] : op === 'valueAndGrad' ? res.grad : res.grads[0];
        if (!(gt instanceof nr.Tensor)) throw new Mismatch(`${op}: no gradient tensor returned`);
        compare(`${op} gradient of ${fn.src}`, gt, g, false);
      },
    };
  },
};

const gradDy = {
  name: 'gradDy',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.pick((x) => x.size <= 300 && finite(x) && x.shape.length >= 1) ?? ctx.fresh([3], [1, 2, 3]);
    if (!finite(e)) return null;
    const good = rng.chance(0.5);
    const dyShape = good ? e.shape : rng.pick([[...e.shape, 2], [e.size + 1], []]);
    if (!good && dyShape.length === 0 && e.size === 1) return null;
    const dy = ctx.fresh(dyShape);
    if (good && !finite(dy)) return null;
    const line = `grad(x => x.mul(2))(${e.name}, ${dy.name})`;
    return {
      op: 'grad', line, expect: good ? 'ok' : 'error',
      run: () => nr.grad((x) => x.mul(2))(e.t, dy.t),
      check: (t) => compare('grad with dy', t, { shape: e.shape, vals: Array.from(dy.vals, (v) => 2 * v) }, false),
    };
  },
};

const gradBad = {
  name: 'gradBad', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const sentinel = new Error('fuzz: f threw on purpose');
    const kinds = [
      ['x => { throw sentinel }', () => { throw sentinel; }, 'pass'],
      ['x => 42', () => 42, 'error'],
      ['x => null', () => null, 'error'],
      ['x => [x.sum()]', (x) => [x.sum()], 'error'],
      ['x => { x.square(); throw sentinel }', (x) => { x.square().sum(); throw sentinel; }, 'pass'],
      ['x => nr.grad(y => y.sum())(x)', (x) => nr.grad((y) => y.sum())(x), 'either'],
      ['x => x.square()  /* non-scalar, no dy */', (x) => x.square(), 'either'],
    ];
    const [src, f, expect] = rng.pick(kinds);
    if (rng.chance(0.15)) {
      const bad = rng.pick([garbage(rng), ctx.disposed()]);
      const which = rng.chance(0.5);
      return {
        op: 'grad', line: which ? `grad(${ctx.show(bad)})` : `grad(x => x.sum())(${ctx.show(bad)})`, expect: which && typeof bad === 'function' ? 'either' : 'error',
        run: () => (which ? nr.grad(bad) : nr.grad((x) => x.sum())(bad)),
      };
    }
    const op = rng.pick(['grad', 'valueAndGrad']);
    return {
      op, line: `${op}(${src})(${e.name})`, expect: expect === 'pass' ? 'error' : expect, passThrough: expect === 'pass' ? sentinel : undefined,
      names: [op, 'grad', 'sum', 'square'],
      run: () => nr[op](f)(e.t),
    };
  },
};

const gradsMany = {
  name: 'gradsMany',
  gen(ctx) {
    const { rng, nr } = ctx;
    // Any number of sources is valid (no cap: long lists go through an allocation).
    const n = rng.pick([1, 2, 50, 300, 504, 505, 600, 800, 876, 1000, 1001, 1200, 2500]);
    const line = `xs = Array.from({ length: ${n} }, (_, i) => scalar(i)); gs = grads((...xs) => xs.reduce((s, x, i) => s.add(x.mul(i + 1)), scalar(0)))(xs)`;
    return {
      op: 'grads', line, expect: 'ok', names: ['grads'],
      run: () => {
        const xs = Array.from({ length: n }, (_, i) => nr.scalar(i));
        try {
          const gs = nr.grads((...args) => args.reduce((s, x, i) => s.add(x.mul(i + 1)), nr.scalar(0)))(xs);
          const vals = gs.map((g) => g.dataSync()[0]);
          gs.forEach((g) => g.dispose());
          return { vals };
        } finally {
          xs.forEach((x) => x.dispose());
        }
      },
      check: ({ vals }) => {
        if (vals.length !== n) throw new Mismatch(`grads: ${vals.length} gradients for ${n} sources`);
        for (let i = 0; i < n; i++) if (vals[i] !== i + 1) throw new Mismatch(`grads: gradient of source ${i} is ${vals[i]}, expected ${i + 1}`);
      },
    };
  },
};

const handleWrap = {
  name: 'gradHandleWrap',
  weight: 0.3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const k = rng.pick([4094, 4095, 4096]);
    const line = `grad(x => { x.mul(2).dispose(); for (let i = 0; i < ${k}; i++) scalar(0).dispose(); return x.mul(3).sum(); })(tensor([1, 2, 3]))`;
    return {
      op: 'grad', line, expect: 'ok',
      run: () => {
        const x = nr.tensor([1, 2, 3]);
        try {
          const g = nr.grad((v) => { v.mul(2).dispose(); for (let i = 0; i < k; i++) nr.scalar(0).dispose(); return v.mul(3).sum(); })(x);
          const vals = Array.from(g.dataSync());
          g.dispose();
          return { vals };
        } finally {
          x.dispose();
        }
      },
      check: ({ vals }) => { if (vals.some((v) => v !== 3)) throw new Mismatch(`grad: [${vals}], expected [3, 3, 3] (a recycled handle was mistaken on the tape)`); },
    };
  },
};

const variableOp = {
  name: 'variable', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = rng.int(0, 5);
    if (r === 0) {
      const g = rng.chance(0.5) ? garbage(rng) : ctx.disposed();
      return { args: [g], expect: 'error', run: () => nr.variable(g) };
    }
    if (r === 1) {
      // variableGrads over every live variable with a function of one of them.
      const v = ctx.pick((x) => x.t.name !== undefined && typeof x.t.assign === 'function' && finite(x));
      if (!v) return null;
      return {
        op: 'variableGrads', line: `variableGrads(() => ${v.name}.square().sum())`, expect: ctx.driver.restarts > 0 ? 'either' : 'ok',
        run: () => nr.variableGrads(() => v.t.square().sum()),
        check: (res) => compare('variableGrads', res.grads[v.t.name], { shape: v.shape, vals: Array.from(v.vals, (x) => 2 * x) }, false),
      };
    }
    if (r === 2) {
      const v = ctx.pick((x) => typeof x.t.assign === 'function' && x.shape.length > 0 && x.size !== 1);
      if (!v && e.size === 1) return null;
      return {
        op: 'variableGrads', line: `variableGrads(() => ${v ? v.name : 't'}.square()) /* not a scalar */`, expect: 'error',
        run: () => nr.variableGrads(() => (v ? v.t : e.t).square()),
      };
    }
    if (r === 3) {
      // optimizer.minimize on a variable it owns for the call: v ← v − 0.1·2v.
      const init = [1, -2, 3];
      return {
        op: 'minimize', line: 'v = variable(tensor([1, -2, 3])); opt = optimizers.sgd({ learningRate: 0.1 }); opt.minimize(() => v.square().sum(), false, [v]); v.dataSync(); opt.dispose(); v.dispose()',
        expect: 'ok',
        run: () => {
          const t = nr.tensor(init);
          const v = nr.variable(t);
          t.dispose();
          const opt = nr.optimizers.sgd({ learningRate: 0.1 });
          try {
            const c = opt.minimize(() => v.square().sum(), false, [v]);
            if (c) c.dispose();
            return { vals: Array.from(v.dataSync()) };
          } finally {
            opt.dispose();
            v.dispose();
          }
        },
        check: ({ vals }) => { if (vals.some((x, i) => Math.abs(x - 0.8 * init[i]) > 1e-6)) throw new Mismatch(`minimize: [${vals}], expected [${init.map((x) => 0.8 * x)}]`); },
      };
    }
    const name = rng.pick(['w', 'b', undefined]);
    const args = name === undefined ? [e.t] : [e.t, true, name];
    const dup = name !== undefined && ctx.pool.some((x) => x.t.name === name && !x.t.isDisposed);
    // A variable of an instance that trapped stays in the library's list: its name may be taken.
    const stale = name !== undefined && ctx.driver.restarts > 0;
    return {
      args, expect: dup ? 'error' : stale ? 'either' : 'ok', run: () => nr.variable(...args),
      check: (v) => compare('variable', v, e.ref, true),
    };
  },
};

/**
 * customGrad: a function of one or two tensors whose given gradient is checked (3·dy and dy,
 * not the ops' own), placed at random in the differentiated function (alone, twice, fed by
 * another op), and the mistakes: a wrong number or shape of gradients, a non-tensor, a
 * gradFunc that throws, f returning no { value, gradFunc }, garbage as f or as an input.
 */
const customGradOp = {
  name: 'customGrad', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.pick((x) => x.size <= 300 && finite(x) && x.shape.length >= 1) ?? ctx.fresh([2, 3], [1.5, -2, 0.5, 2.5, -1, 3]);
    if (!finite(e)) return null;
    const sentinel = new Error('fuzz: gradFunc threw on purpose');
    // gradFunc kinds: [source, gradFunc(dy, x) → what it returns, expect]
    const kinds = [
      ['dy => dy.mul(3)', (dy) => dy.mul(3), 'ok'],
      ['dy => [dy.mul(3)]', (dy) => [dy.mul(3)], 'ok'],
      ['dy => [dy, dy]', (dy) => [dy, dy], 'error'],
      ['dy => dy.sum()', (dy) => dy.sum(), e.size === 1 && e.shape.length === 0 ? 'ok' : 'error'],
      ['dy => [dy.dataSync()]', (dy) => [Array.from(dy.dataSync())], 'error'],
      ['dy => { throw sentinel }', () => { throw sentinel; }, 'pass'],
    ];
    const [src, gf, expect] = rng.pick(kinds);
    if (rng.chance(0.1)) {
      const bad = rng.pick([garbage(rng), ctx.disposed()]);
      const asF = rng.chance(0.5);
      return {
        op: 'customGrad', line: asF ? `customGrad(${ctx.show(bad)})` : `customGrad(x => ({ value: x.square(), gradFunc: dy => dy }))(${ctx.show(bad)})`,
        expect: asF && typeof bad === 'function' ? 'either' : 'error', names: ['customGrad'],
        run: () => (asF ? nr.customGrad(bad) : nr.customGrad((x) => ({ value: x.square(), gradFunc: (dy) => dy }))(bad)),
      };
    }
    const noResult = rng.chance(0.05);
    const f = nr.customGrad((x) => (noResult ? x.square() : { value: x.square(), gradFunc: gf }));
    const shape = rng.int(0, 2);
    // How the call sits in the differentiated function; the gradient of each form with gradFunc 3·dy.
    const forms = [
      ['v => f(v).sum()', (v) => f(v).sum(), 3],
      ['v => f(v).sum().add(f(v).sum())', (v) => f(v).sum().add(f(v).sum()), 6],
      ['v => f(v.mul(2)).sum()', (v) => f(v.mul(2)).sum(), 6],
    ];
    const [fsrc, fn, k] = forms[shape];
    const line = `f = customGrad(x => ({ value: x.square(), gradFunc: ${src} })); grad(${fsrc})(${e.name})`;
    return {
      op: 'grad', line, expect: noResult ? 'error' : expect === 'pass' ? 'error' : expect, passThrough: !noResult && expect === 'pass' ? sentinel : undefined,
      names: ['grad', 'customGrad', 'tape'],
      run: () => nr.grad(fn)(e.t),
      check: (g) => compare(`grad through customGrad (${src})`, g, { shape: e.shape, vals: fill(e.size, k) }, false),
    };
  },
};

export default { name: 'autodiff', weight: 3, ops: [gradOp, gradDy, gradBad, gradsMany, handleWrap, variableOp, customGradOp] };


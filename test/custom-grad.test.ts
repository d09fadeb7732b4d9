// customGrad (TF.js's tf.customGrad) against TF.js 4.22 on the same functions: the gradient
// the user gives replaces the gradient through the ops f ran, in grad, grads, variableGrads
// and minimize, at any place in the function (several calls, calls feeding calls, a result
// used twice). Tolerance: rtol 1e-5, atol 1e-6 (the same float32 ops on both sides).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');
await nr.init();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

/** TF.js's documented example: value x², gradient dy·|x| (not 2x), through `save`. */
const squareAbsGrad = (L: Lib) =>
  L.customGrad((x: Lib, save: Lib) => {
    save([x]);
    return { value: L.pow(x, L.scalar(2)), gradFunc: (dy: Lib, saved: Lib[]) => [L.mul(dy, L.abs(saved[0]))] };
  });

/** Two inputs, one gradient each (a scaled product whose b-gradient is clipped). */
const clippedProduct = (L: Lib) =>
  L.customGrad((a: Lib, b: Lib, save: Lib) => {
    save([a, b]);
    return {
      value: L.mul(a, b),
      gradFunc: (dy: Lib, [sa, sb]: Lib[]) => [L.mul(dy, sb), L.clipByValue(L.mul(dy, sa), -0.5, 0.5)],
    };
  });

/** A stable log(1 + exp(x)) whose gradient is sigmoid(x) computed from the saved input. */
const softplusST = (L: Lib) =>
  L.customGrad((x: Lib, save: Lib) => {
    save([x]);
    return { value: L.softplus(x), gradFunc: (dy: Lib, [s]: Lib[]) => L.mul(dy, L.sigmoid(s)) };
  });

const data = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

function both<T>(f: (L: Lib) => T): { n: T; t: T } {
  return { n: f(nr), t: tf.tidy(() => f(tf) as never) as T };
}

describe('customGrad against TF.js', () => {
  it("TF.js's documented example: the gradient is the given one, not the ops'", () => {
    const x = [-1, -2, 3, 0.5, 0];
    const { n, t } = both((L) => L.grad((v: Lib) => squareAbsGrad(L)(v))(L.tensor1d(x)));
    expect(data(n)).toEqual([1, 2, 3, 0.5, 0]);
    expectClose(data(n), data(t));
    n.dispose();
  });

  it('several inputs, a result used twice, calls feeding calls, and ordinary ops around them', () => {
    const av = [0.3, -1.2, 2.5, 0.7, -0.4, 1.1];
    const bv = [1.5, 0.2, -0.9, 2.2, -1.7, 0.05];
    const f = (L: Lib) => (a: Lib, b: Lib) => {
      const p = clippedProduct(L)(a, b); // used twice below
      const q = softplusST(L)(L.add(p, L.mul(a, 0.5))); // a call fed by a call
      const r = squareAbsGrad(L)(L.sub(q, b));
      return L.add(L.sum(L.mul(r, p)), L.sum(L.exp(L.mul(p, 0.1))));
    };
    const { n, t } = both((L) => L.grads(f(L))([L.tensor2d(av, [2, 3]), L.tensor2d(bv, [2, 3])]));
    for (let i = 0; i < 2; i++) expectClose(data(n[i]), data(t[i]));
    n.forEach((g: nr.Tensor) => g.dispose());
  });

  it('variableGrads and minimize train through a custom gradient as TF.js does (SGD steps)', () => {
    const wv = [0.2, -0.3, 0.5, 0.1, -0.6, 0.4];
    const xv = [1, 2, -1, 0.5, -0.5, 1.5, 2, -2, 0.25];
    const run = (L: Lib) => {
      const w = L.variable(L.tensor2d(wv, [3, 2]), true, `w_custom_${L === nr ? 'n' : 't'}`);
      const x = L.tensor2d(xv, [3, 3]);
      const opt = L.train.sgd(0.1);
      const loss = () => L.mean(softplusST(L)(L.matMul(x, w)));
      const { value, grads } = L.variableGrads(loss, [w]);
      const g = data(grads[w.name]);
      const v = data(value);
      for (let i = 0; i < 3; i++) opt.minimize(loss, false, [w]);
      const after = data(w);
      [value, ...Object.values(grads)].forEach((z: Lib) => z.dispose());
      w.dispose();
      x.dispose();
      return { g, v, after };
    };
    const n = run(nr);
    const t = run(tf);
    expectClose(n.v, t.v);
    expectClose(n.g, t.g);
    expectClose(n.after, t.after);
  });

  it('a single tensor from gradFunc for one input, and a gradient seeded with dy', () => {
    const { n, t } = both((L) => L.grad((v: Lib) => softplusST(L)(v))(L.tensor1d([-30, -1, 0, 2, 40]), L.tensor1d([1, 2, 3, 4, 5])));
    expectClose(data(n), data(t));
    n.dispose();
  });
});

describe('customGrad', () => {
  it('outside a gradient it returns the value, keeps nothing, and never calls gradFunc', () => {
    const before = nr.memory().numTensors;
    let calls = 0;
    const f = nr.customGrad((x: nr.Tensor | nr.GradSaveFunc, save: nr.Tensor | nr.GradSaveFunc) => {
      (save as nr.GradSaveFunc)([x as nr.Tensor]);
      return { value: (x as nr.Tensor).mul(2), gradFunc: (dy: nr.Tensor) => { calls++; return dy; } };
    });
    const x = nr.tensor([1, 2]);
    const y = f(x);
    expect(data(y)).toEqual([2, 4]);
    [x, y].forEach((z) => z.dispose());
    expect(calls).toBe(0);
    expect(nr.memory().numTensors).toBe(before);
  });

  it('gradFunc runs once per call the result depends on, and not for a call it does not use', () => {
    let calls = 0;
    const f = nr.customGrad((x: nr.Tensor | nr.GradSaveFunc) => ({ value: (x as nr.Tensor).square(), gradFunc: (dy: nr.Tensor) => { calls++; return dy.mul(10); } }));
    const before = nr.memory().numTensors;
    const x = nr.tensor([1, 2, 3]);
    const g = nr.grad((v) => {
      f(v.mul(2)); // not used by the result
      return f(v).sum().add(f(v.neg()).sum());
    })(x);
    expect(calls).toBe(2);
    expect(data(g)).toEqual([0, 0, 0]); // 10 from the first call, −10 through neg
    [x, g].forEach((z) => z.dispose());
    expect(nr.memory().numTensors).toBe(before); // what f saved and made is freed
  });

  it('the ops inside f are not differentiated, even ones with no gradient rule', () => {
    const f = nr.customGrad((x: nr.Tensor | nr.GradSaveFunc) => ({ value: nr.round((x as nr.Tensor).mul(4)).div(4), gradFunc: (dy: nr.Tensor) => dy }));
    const x = nr.tensor([0.1, 0.3, 0.55]);
    const g = nr.grad((v) => f(v).mul(v).sum())(x);
    // d/dx (f(x)·x) = f'(x)·x + f(x) with f' = 1 (straight through): x + round(4x)/4
    expectClose(data(g), [0.1 + 0, 0.3 + 0.25, 0.55 + 0.5]);
    [x, g].forEach((z) => z.dispose());
  });

  it('mistakes are errors that say what is wrong; the tape ends and memory comes back', () => {
    const x = nr.tensor([1, 2, 3]);
    const before = nr.memory().numTensors;
    const make = (r: (x: nr.Tensor) => unknown) => nr.customGrad(((v: nr.Tensor) => r(v)) as never);
    const gradOf = (f: (v: nr.Tensor) => nr.Tensor) => thrown(() => nr.grad(f)(x)) as Error;
    expect((thrown(() => nr.customGrad(3 as never)) as Error).message).toBe('customGrad: f must be a function, got 3');
    expect((thrown(() => make((v) => ({ value: v, gradFunc: () => v }))(3 as never)) as Error).message).toBe('customGrad: the arguments of customGrad(f)(x1, x2, …) must all be tensors; argument 0 is 3');
    expect((thrown(() => make((v) => v.square())(x)) as Error).message).toMatch(/^customGrad: f must return an object \{ value, gradFunc \} whose value is a Tensor, got /);
    expect((thrown(() => make((v) => ({ value: v.square() }))(x)) as Error).message).toBe('customGrad: f must return an object { value, gradFunc } whose gradFunc is a function, got undefined');
    const two = make((v) => ({ value: v.square(), gradFunc: (dy: nr.Tensor) => [dy, dy] }));
    expect(gradOf((v) => two(v).sum()).message).toBe('customGrad: gradFunc must return one gradient per input of f (1: a tensor), got an array of 2');
    const shaped = make((v) => ({ value: v.square(), gradFunc: (dy: nr.Tensor) => dy.slice([0], [2]) }));
    expect(gradOf((v) => shaped(v).sum()).message).toMatch(/^customGrad: gradFunc returned a gradient of shape \[2\] for input 0, whose shape is \[3\]/);
    const notTensor = make((v) => ({ value: v.square(), gradFunc: () => [[1, 2, 3]] }));
    expect(gradOf((v) => notTensor(v).sum()).message).toMatch(/^customGrad: gradFunc must return tensors, one per input of f; gradient 0 is an array/);
    const badSave = nr.customGrad(((v: nr.Tensor, save: nr.GradSaveFunc) => { save(v as never); return { value: v, gradFunc: (dy: nr.Tensor) => dy }; }) as never);
    expect((thrown(() => badSave(x)) as Error).message).toMatch(/^customGrad: save takes an array of tensors, got /);
    const throws = make((v) => ({ value: v.square(), gradFunc: () => { throw new Error('my gradient failed'); } }));
    expect(gradOf((v) => throws(v).sum()).message).toBe('my gradient failed');
    // A gradFunc closing over a tensor f's caller made (freed when that scope ended) is told of save.
    const closing = (v: nr.Tensor) => {
      const z = v.mul(2);
      return make((u) => ({ value: u.square(), gradFunc: (dy: nr.Tensor) => dy.mul(z) }))(v).sum();
    };
    expect(gradOf(closing).message).toMatch(/^mul: b is a disposed tensor \(shape \[3\]\) \(freed at the end of the scope it was made in\); gradFunc runs during the gradient, after that scope: hand the forward tensors it needs to f's save\(\[\.\.\.\]\) and read them from gradFunc's second argument \(saved\)$/);
    // A tensor save() took, disposed before f returned (it said "clone: x is a disposed tensor").
    const early = nr.customGrad(((v: nr.Tensor, save: nr.GradSaveFunc) => {
      const t = v.mul(2);
      save([v, t]);
      t.dispose();
      return { value: v.square(), gradFunc: (dy: nr.Tensor) => dy };
    }) as never) as (v: nr.Tensor) => nr.Tensor;
    const e = gradOf((v) => early(v).sum());
    expect(e).toBeInstanceOf(nr.DisposedError);
    expect(e.message).toBe("customGrad: save([…])[1] (shape [3]) was disposed before f returned; save keeps copies of its tensors when f returns, so dispose them after that, or leave them to f's scope, which frees what f made");
    const nested = make((v) => ({ value: v.square(), gradFunc: (dy: nr.Tensor) => nr.grad((z) => z.sum())(dy) }));
    expect(gradOf((v) => nested(v).sum()).message).toMatch(/already recording|cannot be nested/);
    expect(nr.memory().numTensors).toBe(before);
    // The tape works again after every one of them.
    const g = nr.grad((v) => v.square().sum())(x);
    expect(data(g)).toEqual([2, 4, 6]);
    [x, g].forEach((z) => z.dispose());
  });

  it('the same inputs give the same bits twice', () => {
    const x = nr.tensor([0.37, -1.9, 2.3, 0.001]);
    const once = () => {
      const g = nr.grad((v) => softplusST(nr)(v.mul(1.7)).square().sum())(x);
      const d = data(g);
      g.dispose();
      return d;
    };
    expect(once()).toEqual(once());
    x.dispose();
  });
});

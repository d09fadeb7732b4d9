// The RBF helpers and network (ts/classic/rbf.ts, kmeans.ts, least_squares.ts): TensorLike
// arguments (temporaries freed), rbfWidths' and rbfNetwork's neighbor counts, the message of a
// singular output solve, and rbfFeatures' gradient under grad with respect to x, the centers and
// the widths — checked against the `rbf` layer's own backward rule (through predict and
// variableGrads, the rule fit uses) and against central finite differences, for every kernel.
import { describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

const KERNELS = ['gaussian', 'multiquadric', 'inverseMultiquadric'] as const;
const err = (f: () => unknown): string => expectNoLeak(() => { const e = thrown(f) as Error; return `${e.constructor.name}: ${e.message}`; });

describe('TensorLike arguments, as the rest of the API (temporaries freed)', () => {
  const pts = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]];

  it('kmeans, leastSquares, rbfWidths and rbfFeatures take nested arrays: the same results as with tensors', () => {
    expectNoLeak(() => nr.tidy(() => {
      const a = nr.kmeans(pts, { k: 2, seed: 3 });
      const b = nr.kmeans(nr.tensor(pts), { k: 2, seed: 3 });
      expect(Array.from(a.centers.data())).toEqual(Array.from(b.centers.data()));
      expect(Array.from(a.labels.data())).toEqual(Array.from(b.labels.data()));
      expect(Array.from(nr.leastSquares([[2, 1], [1, 3]], [5, 10]).data())).toEqual(Array.from(nr.leastSquares(nr.tensor([[2, 1], [1, 3]]), nr.tensor([5, 10])).data()));
      expect(Array.from(nr.leastSquares(nr.tensor([[1], [2], [3]]), [[1], [1], [2]], { l2: 0.5 }).data())).toEqual(Array.from(nr.leastSquares(nr.tensor([[1], [2], [3]]), nr.tensor([[1], [1], [2]]), { l2: 0.5 }).data()));
      expect(Array.from(nr.rbfWidths([[0], [1], [3], [7]], { neighbors: 1 }).data())).toEqual([1, 1, 2, 4]);
      const phi = nr.rbfFeatures(pts, [[0, 0], [5, 5]], [1, 2], { kernel: 'multiquadric' });
      expect(Array.from(phi.data())).toEqual(Array.from(nr.rbfFeatures(nr.tensor(pts), nr.tensor([[0, 0], [5, 5]]), nr.tensor([1, 2]), { kernel: 'multiquadric' }).data()));
      expectClose(nr.rbfFeatures([[0, 0], [1, 1]], [[0, 0]], [1]).data(), [1, Math.exp(-1)]);
    }));
  });

  it('bad values are named as before (a string, a ragged array, a wrong shape)', () => {
    expect(err(() => nr.kmeans('x' as never, { k: 1 }))).toBe('InvalidArgumentError: kmeans: x must be a Tensor, a number or an array of numbers, got the string "x"');
    expect(err(() => nr.leastSquares([[1, 2], [3]], [1, 2]))).toMatch(/^ShapeError: leastSquares: a: values are ragged/);
    expect(err(() => nr.leastSquares([[2, 1], [1, 3]], 3))).toBe('ShapeError: leastSquares: b must have shape [2] or [2, targets], got []');
    expect(err(() => nr.rbfFeatures([[0, 0]], [[0, 0, 0]], [1]))).toBe('ShapeError: rbfFeatures: x must have 3 features on its last axis (centers have shape [1,3]), got shape [1,2]');
    expect(err(() => nr.rbfWidths([1, 2]))).toBe('ShapeError: rbfWidths: centers must have shape [units, features], got [2]');
  });

  it('rbfNetwork.fit and predict take nested arrays; nothing is left behind, the fine-tuning included', async () => {
    const ys = [1, 2, 3, 4, 5, 6];
    const before = nr.memory().numTensors;
    using a = nr.rbfNetwork({ centers: 3, seed: 1 });
    const ra = await a.fit(pts, ys, { epochs: 3, batchSize: 2 });
    using b = nr.rbfNetwork({ centers: 3, seed: 1 });
    const x = nr.tensor(pts);
    const y = nr.tensor(ys);
    const rb = await b.fit(x, y, { epochs: 3, batchSize: 2 });
    x.dispose();
    y.dispose();
    expect(ra.leastSquaresLoss).toBe(rb.leastSquaresLoss);
    expect(ra.history?.history.loss).toEqual(rb.history?.history.loss);
    const pa = a.predict([[0.5, 0.5]]);
    const pb = b.predict(nr.tensor([[0.5, 0.5]]));
    expect(Array.from(pa.data())).toEqual(Array.from(pb.data()));
    pa.dispose();
    pb.dispose();
    expect(nr.memory().numTensors).toBe(before + 1); // the tensor made for pb's argument
    await expect(a.fit('x' as never, ys)).rejects.toThrow('fit: x must be a Tensor, a number or an array of numbers, got the string "x"');
    await expect(a.fit(pts, [[1, 2]])).rejects.toThrow('fit: y must have shape [6] or [6, outputs] (one row per sample of x, shape [6,2]), got [1,2]');
    expect(nr.memory().numTensors).toBe(before + 1);
  });
});

describe('neighbors: never more than there are other centers', () => {
  const c4 = [[0], [1], [3], [7]];

  it('rbfWidths: more neighbors than other centers is an error naming both counts', () => {
    expect(err(() => nr.rbfWidths(c4, { neighbors: 5 }))).toBe('InvalidArgumentError: rbfWidths: neighbors is 5, but there are 4 centers (shape [4,1]), so each has only 3 others to average over; use neighbors <= 3');
    expect(err(() => nr.rbfWidths([[0], [2]], { neighbors: 2 }))).toBe('InvalidArgumentError: rbfWidths: neighbors is 2, but there are 2 centers (shape [2,1]), so each has only 1 other to average over; use neighbors <= 1');
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(nr.rbfWidths(c4, { neighbors: 3 }).data())).toEqual(Array.from(nr.rbfWidths(c4, { neighbors: 3 }).data()));
      // The default is 2, or the one other center when there are 2; a lone center gets `scale`.
      expectClose(nr.rbfWidths(c4).data(), [Math.sqrt(5), Math.sqrt(2.5), Math.sqrt(6.5), Math.sqrt(26)], 1e-6);
      expect(Array.from(nr.rbfWidths([[0], [2]]).data())).toEqual([2, 2]);
      expect(Array.from(nr.rbfWidths([[0, 0]], { neighbors: 4, scale: 1.5 }).data())).toEqual([1.5]);
    }));
  });

  it('rbfNetwork: checked when it is made; the default adapts to 1 or 2 centers, and survives a save', async () => {
    expect(err(() => nr.rbfNetwork({ centers: 4, neighbors: 5 }))).toBe('InvalidArgumentError: rbfNetwork: neighbors is 5, but the network has 4 centers, so each has only 3 others to average over; use neighbors <= 3, or more centers');
    expect(nr.rbfNetwork({ centers: 4 }).neighbors).toBe(2);
    expect(nr.rbfNetwork({ centers: 2 }).neighbors).toBe(1);
    expect(nr.rbfNetwork({ centers: 1, neighbors: 3 }).neighbors).toBe(3); // a lone center has no neighbors to count
    for (const centers of [1, 2]) {
      using net = nr.rbfNetwork({ centers, seed: 1 });
      await net.fit([[0], [1], [3]], [0, 1, 0]);
      using back = (await nr.loadModel(await net.toArtifacts())) as nr.RBFNetwork;
      expect(back.neighbors).toBe(net.neighbors);
      await back.fit([[0], [1], [3]], [0, 1, 0]);
    }
  });
});

describe('a singular output solve says which column failed and what to do', () => {
  it("l2: 0 with as many centers as samples: column 50 is the bias column", async () => {
    const x = nr.randomUniform([50, 2], { seed: 1 });
    const y = nr.randomUniform([50, 1], { seed: 2 });
    using net = nr.rbfNetwork({ centers: 50, l2: 0 });
    const before = nr.memory().numTensors;
    await expect(net.fit(x, y)).rejects.toThrow(new nr.InvalidArgumentError('fit: the output weights have no unique least-squares solution with l2 = 0: the design matrix is [Φ, 1] (a column per center, then ones for the bias), and column 50, the bias column, is a linear combination of the others, as must happen with fewer samples (50) than unknowns (51: 50 centers and the bias); use l2 > 0 (the default is 1e-6) or fewer centers (at most 49 for 50 samples)'));
    expect(nr.memory().numTensors).toBe(before);
    expect(() => net.model).toThrow('model: call fit(x, y) first');
    // The default l2 and fewer centers both work.
    using ok = nr.rbfNetwork({ centers: 49, l2: 0 });
    await ok.fit(x, y);
    x.dispose();
    y.dispose();
  });

  it('a center column equal to another (widths so wide that every φ is 1) is named as that center', async () => {
    using net = nr.rbfNetwork({ centers: 2, l2: 0, widthScale: 1e6, seed: 1 });
    await expect(net.fit([[0], [1], [2], [3]], [1, 2, 3, 4])).rejects.toThrow(new nr.InvalidArgumentError("fit: the output weights have no unique least-squares solution with l2 = 0: the design matrix is [Φ, 1] (a column per center, then ones for the bias), and column 1, center 1's, is a linear combination of the others; use l2 > 0 (the default is 1e-6) or fewer centers"));
  });
});

describe('rbfFeatures under grad: the rbf layer\'s gradient w.r.t. x, the centers and the widths', () => {
  const r = mulberry32(5);
  const vals = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + (hi - lo) * r());
  const n = 4;
  const d = 3;
  const units = 2;
  const x = vals(n * d, -1, 1);
  const centers = vals(units * d, -1, 1);
  const widths = vals(units, 0.7, 1.6);
  const w = vals(n * units, 0.5, 1.5);

  /** Σ w·Φ and its gradients w.r.t. (x, centers, widths) by the tape. */
  const viaOp = (kernel: (typeof KERNELS)[number]) =>
    expectNoLeak(() => nr.tidy(() => {
      const f = (a: nr.Tensor, c: nr.Tensor, s: nr.Tensor) => nr.sum(nr.mul(nr.rbfFeatures(a, c, s, { kernel }), nr.tensor(w, [n, units])));
      const { value, grads } = nr.valueAndGrads(f)([nr.tensor(x, [n, d]), nr.tensor(centers, [units, d]), nr.tensor(widths)]);
      return { value: value.item(), grads: grads.map((g) => Array.from(g.data())) };
    }));

  for (const kernel of KERNELS) {
    it(`${kernel}: values as the kernel's; gradients as the layer's (predict, variableGrads) and as finite differences`, () => {
      const got = viaOp(kernel);
      // Values: the composed ops under grad against the kernel outside it.
      const plain = nr.tidy(() => nr.sum(nr.mul(nr.rbfFeatures(nr.tensor(x, [n, d]), nr.tensor(centers, [units, d]), nr.tensor(widths), { kernel }), nr.tensor(w, [n, units]))).item());
      expectClose([got.value], [plain], 1e-6, 1e-6);
      // The layer, with the same centers and widths: dx through predict, dcenters and dwidths
      // as its weights' gradients (the backward rule fit uses).
      using m = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [d], units, kernel, centers, widths })] });
      const objective = () => nr.sum(nr.mul(m.predict(xt) as nr.Tensor, nr.tensor(w, [n, units])));
      const xt = nr.tensor(x, [n, d]);
      const dx = nr.grad((a) => nr.sum(nr.mul(m.predict(a) as nr.Tensor, nr.tensor(w, [n, units]))))(xt);
      const [wc, ws] = m.layers[0].trainableWeights;
      const { grads } = nr.variableGrads(objective, [wc, ws]);
      expectClose(got.grads[0], dx.data(), 1e-5, 1e-6);
      expectClose(got.grads[1], grads[wc.name].data(), 1e-5, 1e-6);
      expectClose(got.grads[2], grads[ws.name].data(), 1e-5, 1e-6);
      [xt, dx, ...Object.values(grads)].forEach((t) => t.dispose());
      // Central differences in float64 of the float32 op, for each input.
      const at = (xs: number[], cs: number[], ss: number[]) => nr.tidy(() => nr.sum(nr.mul(nr.rbfFeatures(nr.tensor(xs, [n, d]), nr.tensor(cs, [units, d]), nr.tensor(ss), { kernel }), nr.tensor(w, [n, units]))).item());
      const inputs = [x, centers, widths];
      inputs.forEach((v, k) => {
        v.forEach((_, i) => {
          const shifted = (h: number) => inputs.map((u, j) => (j === k ? u.map((e, q) => (q === i ? e + h : e)) : u)) as [number[], number[], number[]];
          const h = 1e-2;
          const fd = (at(...shifted(h)) - at(...shifted(-h))) / (2 * h);
          expect(Math.abs(got.grads[k][i] - fd), `input ${k}[${i}]: tape ${got.grads[k][i]}, finite differences ${fd}`).toBeLessThanOrEqual(2e-3 + 2e-3 * Math.abs(fd));
        });
      });
    });
  }

  it('at x = c (u = 0) the gradient is finite and 0 w.r.t. x; arrays as arguments; a leading batch axis', () => {
    expectNoLeak(() => nr.tidy(() => {
      const g = nr.grads((a, c, s) => nr.sum(nr.rbfFeatures(a, c, s, { kernel: 'multiquadric' })))([nr.tensor([[1, 2]]), nr.tensor([[1, 2]]), nr.tensor([0.5])]);
      expect(g.map((t) => Array.from(t.data()))).toEqual([[0, 0], [0, 0], [0]]);
      const gx = nr.grad((a) => nr.sum(nr.rbfFeatures(a, [[0, 0], [1, 1]], [1, 1])))(nr.tensor([[[0.5, 0.5]], [[0, 1]]]));
      expect(gx.shape).toEqual([2, 1, 2]);
      const phi = nr.valueAndGrad((a) => nr.rbfFeatures(a, [[0, 0], [1, 1]], [1, 1]))(nr.tensor([[[0.5, 0.5]], [[0, 1]]])).value;
      expect(phi.shape).toEqual([2, 1, 2]);
    }));
  });
});

describe('distances of any float32 scale (data in SI units: 1e-25 kg, 1e20 m)', () => {
  it("rbfFeatures: φ at half a width from its center is e^-1/8 at every scale (it was 1 at 1e-23 and NaN at 1e20)", () => {
    for (const s of [1e-25, 1e-21, 1, 1e19, 1e20, 1e30]) {
      const phi = nr.tidy(() => nr.rbfFeatures([[3 * s + s], [3 * s - 5 * s]], [[3 * s]], [2 * s]).dataSync());
      expect(phi[0], `scale ${s}`).toBeCloseTo(Math.exp(-1 / 8), 6);
      expect(phi[1], `scale ${s}`).toBeCloseTo(Math.exp(-25 / 8), 6);
    }
  });

  it('rbfNetwork.fit reaches the same least-squares loss on sin at 1e-25 as at 1 (it predicted a constant)', async () => {
    const losses: number[] = [];
    for (const s of [1, 1e-25]) {
      const x = Array.from({ length: 60 }, (_, i) => [(Math.PI * i / 59) * s]);
      const y = x.map(([v]) => Math.sin(v / s));
      const net = nr.rbfNetwork({ centers: 8, seed: 1 });
      const r = await net.fit(x, y);
      losses.push(r.leastSquaresLoss);
      net.dispose();
    }
    expect(losses[0]).toBeLessThan(1e-4);
    expect(losses[1] / losses[0]).toBeGreaterThan(0.5);
    expect(losses[1] / losses[0]).toBeLessThan(2);
  });
});

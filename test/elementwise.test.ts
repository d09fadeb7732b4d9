// Element-wise ops checked against TensorFlow.js 4.22 (`cpu` backend) on the same float32
// inputs: every op of UNARY_OPS and BINARY_OPS on shapes from rank 0 to rank 4 (incl. empty
// and 1000×37), number arguments, every kind of broadcast, IEEE special values, clipByValue,
// where, and the error paths with their exact messages. Every test also checks for leaks.
import { expectClose, expectNoLeak } from './setup.js';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOpName, type UnaryOpName } from '../ts/wasm/codes.js';
import { bits, rng, SHAPES, sizeOf, tf, uniform, viaNr, viaTf, type Input } from './oracle.js';

type AnyFn = (...xs: Array<nr.Tensor | number>) => nr.Tensor;
type TfFn = (...xs: Array<tf.Tensor | number>) => tf.Tensor;
const nrOp = (name: string): AnyFn => (nr as unknown as Record<string, AnyFn>)[name];
const tfOp = (name: string): TfFn => (tf as unknown as Record<string, TfFn>)[name];

/** Input range and tolerance of one op. `quantum` rounds inputs to make ties (for comparisons). */
interface Spec {
  lo: number;
  hi: number;
  rtol: number;
  atol: number;
  quantum?: number;
  /** TF.js gives +0 where IEEE (and neurite) give -0: compare zeros without their sign. */
  zeroSign?: false;
}

// Both libraries compute + − × ÷ √, rounding and comparisons as exact IEEE float32 operations,
// so those must agree bit for bit. TF.js evaluates the transcendental functions in float64 and
// rounds once (correctly rounded); neurite uses Rust's float32 libm (within about 1 ulp), so
// those get a few ulps (1 ulp = 1.2e-7 relative), or an absolute bound where the result can
// be near 0 (sin, cos).
const EXACT = { rtol: 0, atol: 0 };
const UNARY: Record<UnaryOpName, Spec> = {
  neg: { lo: -10, hi: 10, ...EXACT },
  abs: { lo: -10, hi: 10, ...EXACT },
  exp: { lo: -20, hi: 20, rtol: 3e-7, atol: 0 },
  log: { lo: 1e-3, hi: 1e3, rtol: 3e-7, atol: 1e-7 },
  sqrt: { lo: 0, hi: 100, ...EXACT },
  square: { lo: -100, hi: 100, ...EXACT },
  // NOTE: sign(-0) is -0 in neurite (NumPy), +0 in TF.js. round(-0.5) is -0 in neurite
  // (IEEE roundTiesToEven keeps the sign, as wasm f32.nearest), +0 in TF.js.
  sign: { lo: -2, hi: 2, quantum: 0.5, ...EXACT, zeroSign: false },
  floor: { lo: -10, hi: 10, ...EXACT },
  ceil: { lo: -10, hi: 10, ...EXACT },
  round: { lo: -10, hi: 10, quantum: 0.25, ...EXACT, zeroSign: false },
  reciprocal: { lo: 0.1, hi: 10, ...EXACT },
  log1p: { lo: -0.9, hi: 100, rtol: 3e-7, atol: 1e-7 },
  expm1: { lo: -5, hi: 5, rtol: 3e-7, atol: 1e-7 },
  sin: { lo: -10, hi: 10, rtol: 0, atol: 2e-7 },
  cos: { lo: -10, hi: 10, rtol: 0, atol: 2e-7 },
  // Computed in f64 and rounded once, as TF.js computes them: the same bits (on 200,000
  // random values each when they were added, too); TF.js's erf is a 1.5e-7 approximation.
  tan: { lo: -1.5, hi: 1.5, ...EXACT },
  asin: { lo: -1, hi: 1, ...EXACT },
  acos: { lo: -1, hi: 1, ...EXACT },
  atan: { lo: -10, hi: 10, ...EXACT },
  sinh: { lo: -10, hi: 10, ...EXACT },
  cosh: { lo: -10, hi: 10, ...EXACT },
  asinh: { lo: -100, hi: 100, ...EXACT },
  acosh: { lo: 1, hi: 100, ...EXACT },
  atanh: { lo: -0.99, hi: 0.99, ...EXACT },
  erf: { lo: -3, hi: 3, rtol: 0, atol: 3e-7 },
  rsqrt: { lo: 0.01, hi: 100, ...EXACT },
};

/** Specs for `a` and `b` of each binary op. */
const BINARY: Record<BinaryOpName, [Spec, Spec]> = {
  add: [{ lo: -10, hi: 10, ...EXACT }, { lo: -10, hi: 10, ...EXACT }],
  sub: [{ lo: -10, hi: 10, ...EXACT }, { lo: -10, hi: 10, ...EXACT }],
  mul: [{ lo: -10, hi: 10, ...EXACT }, { lo: -10, hi: 10, ...EXACT }],
  div: [{ lo: -10, hi: 10, ...EXACT }, { lo: 0.25, hi: 4, ...EXACT }],
  pow: [{ lo: 0.1, hi: 4, rtol: 4e-7, atol: 1e-7 }, { lo: -3, hi: 3, rtol: 4e-7, atol: 1e-7 }],
  maximum: [{ lo: -3, hi: 3, quantum: 0.5, ...EXACT }, { lo: -3, hi: 3, quantum: 0.5, ...EXACT }],
  minimum: [{ lo: -3, hi: 3, quantum: 0.5, ...EXACT }, { lo: -3, hi: 3, quantum: 0.5, ...EXACT }],
  equal: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  notEqual: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  greater: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  greaterEqual: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  less: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  lessEqual: [{ lo: -2, hi: 2, quantum: 1, ...EXACT }, { lo: -2, hi: 2, quantum: 1, ...EXACT }],
  atan2: [{ lo: -10, hi: 10, ...EXACT }, { lo: -10, hi: 10, ...EXACT }],
  // mod and floorDiv run TF.js's formulas in f64, as TF.js does: bit for bit.
  mod: [{ lo: -10, hi: 10, ...EXACT }, { lo: -4, hi: 4, ...EXACT }],
  floorDiv: [{ lo: -10, hi: 10, ...EXACT }, { lo: -4, hi: 4, ...EXACT }],
};

const rand = rng(20240601);
const input = (shape: number[], s: Spec): Input => ({ shape, values: uniform(rand, sizeOf(shape), s.lo, s.hi, s.quantum) });

/** Bit patterns, with -0 read as +0 when the sign of zero is not compared. */
const zbits = (v: ArrayLike<number>, zeroSign = true): number[] => bits(zeroSign ? v : Array.from(v, (x) => x + 0));

/** Runs `name` in both libraries and compares shapes and values (bits, for exact ops). */
function compare(name: string, inputs: Array<Input | number>, rtol: number, atol: number, zeroSign = true): void {
  const want = viaTf(tfOp(name), inputs);
  const got = viaNr(nrOp(name), inputs);
  expect(got.shape, `${name} shape`).toEqual(want.shape);
  expectClose(got.values, want.values, rtol, atol);
  if (rtol === 0 && atol === 0) expect(zbits(got.values, zeroSign), `${name} bits`).toEqual(zbits(want.values, zeroSign));
}

describe('unary ops match TF.js', () => {
  for (const name of UNARY_OPS) {
    it(name, () => {
      const s = UNARY[name];
      expectNoLeak(() => {
        for (const shape of SHAPES) compare(name, [input(shape, s)], s.rtol, s.atol, s.zeroSign);
      });
    });
  }
});

/** Shape pairs covering every kind of broadcast. */
const PAIRS: Array<[number[], number[]]> = [
  ...SHAPES.map((s): [number[], number[]] => [s, s]),
  [[2, 3], [3]], [[3], [2, 3]], [[2, 3], [2, 1]], [[2, 1], [1, 3]], [[7, 3], [1, 3]],
  [[], [2, 3, 4, 5]], [[2, 3, 4, 5], []], [[1], [5, 1, 1, 1]], [[4, 1, 3, 1], [5, 1, 2]],
  [[3, 1, 17], [3, 5, 1]], [[2, 3, 4], [3, 1]], [[0, 3], [3]], [[0, 3], [1, 1]],
  [[1000, 37], [37]], [[1000, 37], [1000, 1]], [[1000, 1], [1, 37]], [[5, 300], [300]],
];

describe('binary ops match TF.js', () => {
  for (const name of BINARY_OPS) {
    it(`${name} on every broadcast kind`, () => {
      const [sa, sb] = BINARY[name];
      expectNoLeak(() => {
        for (const [a, b] of PAIRS) compare(name, [input(a, sa), input(b, sb)], sa.rtol, sa.atol);
      });
    });
    it(`${name} with number arguments and as a method`, () => {
      const [sa, sb] = BINARY[name];
      const k = name === 'div' ? 2.5 : name === 'pow' ? 1.5 : 1;
      const x = input([3, 5], sa);
      const y = input([], sb);
      expectNoLeak(() => {
        compare(name, [x, k], sa.rtol, sa.atol);
        compare(name, [x, y.values[0]], sa.rtol, sa.atol);
        if (name !== 'pow') compare(name, [k, x], sa.rtol, sa.atol);
        const viaMethod = viaNr((t) => (t as unknown as Record<string, (b: number) => nr.Tensor>)[name](k), [x]);
        expect(viaMethod.values).toEqual(viaNr(nrOp(name), [x, k]).values);
      });
    });
  }
});

/** Float32 special values: NaN, ±∞, ±0, subnormal, near-max, small integers and halves. */
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 1.5e-40, 3e38, 2, -3];

describe("TF.js's TensorLike: nested arrays and typed arrays where an op takes a tensor", () => {
  it('add, mul, where, comparisons and the logical ops take them (a temporary tensor each, freed), as TF.js', () => {
    const x = nr.tensor([[1, -2, 3], [4, 5, -6]]);
    const tx = tf.tensor([[1, -2, 3], [4, 5, -6]]);
    const cases: Array<[string, () => nr.Tensor, () => tf.Tensor]> = [
      ['add row', () => nr.add(x, [10, 20, 30]), () => tf.add(tx, [10, 20, 30])],
      ['mul column', () => x.mul([[2], [-1]]), () => tf.mul(tx, [[2], [-1]])],
      ['sub arrays', () => nr.sub([[1, 2]], [[3], [4]]), () => tf.sub([[1, 2]], [[3], [4]])],
      ['div typed', () => nr.div(x, new Float32Array([1, 2, 4])), () => tf.div(tx, new Float32Array([1, 2, 4]))],
      ['pow int typed', () => nr.pow(x, Int32Array.from([2, 1, 0])), () => tf.pow(tx, tf.tensor(Int32Array.from([2, 1, 0]), [3], 'float32'))],
      ['greater', () => nr.greater(x, [0, 0, 0]), () => tf.cast(tf.greater(tx, [0, 0, 0]), 'float32')],
      ['where', () => nr.where([[1, 0, 1], [0, 1, 0]], x, [7, 8, 9]), () => tf.where(tf.tensor([[1, 0, 1], [0, 1, 0]], undefined, 'bool'), tx, tf.broadcastTo(tf.tensor([7, 8, 9]), [2, 3]))],
      ['logicalAnd', () => nr.logicalAnd([1, 0, 2], [1, 1, 0]), () => tf.cast(tf.logicalAnd(tf.tensor([1, 0, 2], undefined, 'bool'), tf.tensor([1, 1, 0], undefined, 'bool')), 'float32')],
    ];
    for (const [name, ours, theirs] of cases) {
      const [got, shape] = expectNoLeak(() => nr.tidy(() => { const r = ours(); return [Array.from(r.dataSync()), r.shape]; }));
      const want = tf.tidy(() => { const r = theirs(); return [Array.from(r.dataSync()), r.shape]; });
      expect([got, shape], name).toEqual(want);
    }
    // A ragged array is an error naming the op and the argument; nothing is left behind.
    expectNoLeak(() => expect(() => nr.add(x, [[1, 2], [3]])).toThrow(/^add: b: /));
    x.dispose();
    tx.dispose();
  });
});

describe('IEEE special values', () => {
  it('unary ops agree with TF.js, except where documented', () => {
    expectNoLeak(() => {
      const x: Input = { shape: [SPECIAL.length], values: Float32Array.from(SPECIAL) };
      for (const name of UNARY_OPS) {
        const want = viaTf(tfOp(name), [x]).values;
        const got = viaNr(nrOp(name), [x]).values;
        if (name === 'sign') {
          // NOTE: neurite keeps NumPy's sign(NaN) = NaN and sign(-0) = -0; TF.js gives 0 and +0.
          expect([want[0], Object.is(want[4], 0)]).toEqual([0, true]);
          expect([got[0], Object.is(got[4], -0)]).toEqual([NaN, true]);
          want[0] = NaN;
          want[4] = -0;
        }
        const s = UNARY[name];
        expectClose(got, want, Math.max(s.rtol, 3e-7), s.atol);
        if (s.rtol === 0 && s.atol === 0) expect(bits(got), name).toEqual(bits(want));
      }
      // round(-0.5) keeps IEEE's -0 (TF.js: +0); ties go to even.
      const r = viaNr(nrOp('round'), [{ shape: [6], values: Float32Array.from([-0.5, 0.5, 1.5, 2.5, -1.5, -2.5]) }]).values;
      expect(Array.from(r)).toEqual([-0, 0, 2, 2, -2, -2]);
      expect(Object.is(r[0], -0)).toBe(true);
    });
  });

  it("pow's gradients where the base is not positive are TF.js's: NaN where the value is NaN or infinite (the exponent's was 0)", () => {
    const a = [-2, -8, 0, 0, -2, 2, -1.5];
    const b = [2.5, 1 / 3, -1, 2, 2, 3, 3];
    const [da, db] = nr.tidy(() => nr.grads((x: nr.Tensor, y: nr.Tensor) => nr.pow(x, y).sum())([nr.tensor(a), nr.tensor(b)]).map((t) => Array.from(t.dataSync())));
    const [ta, tb] = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.pow(x, y)))([tf.tensor(a), tf.tensor(b)]).map((t) => Array.from(t.dataSync())));
    expect(db).toEqual(tb);
    expect(db.slice(0, 3).every(Number.isNaN)).toBe(true);
    expectClose(da.filter((v) => Number.isFinite(v)), ta.filter((v) => Number.isFinite(v)), 1e-6, 0);
  });

  it('binary ops agree with TF.js on all pairs, except pow where IEEE and JS differ', () => {
    expectNoLeak(() => {
      const a = SPECIAL.flatMap((v) => SPECIAL.map(() => v));
      const b = SPECIAL.flatMap(() => SPECIAL);
      const inputs: Input[] = [a, b].map((v) => ({ shape: [v.length], values: Float32Array.from(v) }));
      for (const name of BINARY_OPS) {
        const want = viaTf(tfOp(name), inputs).values;
        const got = viaNr(nrOp(name), inputs).values;
        if (name === 'pow') {
          // NOTE: neurite follows IEEE 754 / C `powf`: pow(1, y) = 1 for every y (NaN too) and
          // pow(-1, ±∞) = 1. JS Math.pow (hence TF.js) returns NaN there.
          for (let i = 0; i < a.length; i++) {
            if ((a[i] === 1 && Number.isNaN(b[i])) || (a[i] === -1 && !Number.isFinite(b[i]) && !Number.isNaN(b[i])) || (a[i] === 1 && !Number.isFinite(b[i]))) {
              expect(got[i], `pow(${a[i]}, ${b[i]})`).toBe(1);
              want[i] = 1;
            }
          }
          expectClose(got, want, 4e-7, 0);
        } else if (name === 'floorDiv') {
          // NOTE: TF.js's floorDiv returns int32 (NaN and ±Infinity become 0, huge quotients
          // wrap); neurite keeps float32: Math.floor of the f64 quotient, which TF.js casts.
          const ref = a.map((x, i) => Math.fround(Math.floor(x / b[i])));
          expect(bits(got), name).toEqual(bits(ref));
          ref.forEach((r, i) => { if (Number.isInteger(r) && Math.abs(r) < 2 ** 31) expect(got[i] + 0, `floorDiv(${a[i]}, ${b[i]})`).toBe(want[i]); });
        } else {
          expect(bits(got), name).toEqual(bits(want));
        }
      }
    });
  });

  it('maximum/minimum propagate NaN and order -0 < +0 (JS Math.max/min)', () => {
    expectNoLeak(() => {
      const a = { shape: [5], values: Float32Array.from([NaN, 1, -0, 0, -Infinity]) };
      const b = { shape: [5], values: Float32Array.from([1, NaN, 0, -0, 3]) };
      const max = viaNr(nrOp('maximum'), [a, b]).values;
      const min = viaNr(nrOp('minimum'), [a, b]).values;
      expect(Array.from(max)).toEqual([NaN, NaN, 0, 0, 3]);
      expect(Array.from(min)).toEqual([NaN, NaN, -0, -0, -Infinity]);
      expect(Object.is(max[2], 0) && Object.is(max[3], 0)).toBe(true);
      expect(Object.is(min[2], -0) && Object.is(min[3], -0)).toBe(true);
    });
  });
});

describe('clipByValue', () => {
  it('matches TF.js on every shape, bound pair and special value', () => {
    expectNoLeak(() => {
      for (const shape of SHAPES) {
        const x = input(shape, { lo: -5, hi: 5, ...EXACT });
        for (const [lo, hi] of [[-1, 1], [0, 0], [-Infinity, 2], [-2.5, Infinity], [0.1, 0.3]]) {
          const want = viaTf((t) => tf.clipByValue(t as tf.Tensor, lo, hi), [x]);
          const got = viaNr((t) => (t as nr.Tensor).clipByValue(lo, hi), [x]);
          expect(got.shape).toEqual(want.shape);
          expect(bits(got.values)).toEqual(bits(want.values));
        }
      }
      const s: Input = { shape: [SPECIAL.length], values: Float32Array.from(SPECIAL) };
      const want = viaTf((t) => tf.clipByValue(t as tf.Tensor, -1, 1), [s]);
      const got = viaNr((t) => nr.clipByValue(t as nr.Tensor, -1, 1), [s]);
      expect(bits(got.values)).toEqual(bits(want.values)); // NaN stays NaN, -0 stays -0
      expect(Object.is(got.values[4], -0) && Number.isNaN(got.values[0])).toBe(true);
    });
  });

  it('rejects bad bounds, naming the values', () => {
    expectNoLeak(() => {
      const x = nr.tensor([1, 2, 3]);
      expect(() => x.clipByValue(3, 1)).toThrow(new nr.InvalidArgumentError('clipByValue: min (3) must be less than or equal to max (1)'));
      expect(() => x.clipByValue(Infinity, 0)).toThrow('clipByValue: min (Infinity) must be less than or equal to max (0)');
      expect(() => x.clipByValue(NaN, 1)).toThrow('clipByValue: min and max must be numbers, got min NaN and max 1');
      expect(() => x.clipByValue(0, NaN)).toThrow('clipByValue: min and max must be numbers, got min 0 and max NaN');
      expect(() => x.clipByValue('0' as unknown as number, 1)).toThrow('clipByValue: min must be a number, got the string "0"');
      // A number is TF.js's TensorLike (a temporary scalar); a string is not.
      expect(nr.tidy(() => nr.clipByValue(3, 0, 1).item())).toBe(1);
      expect(() => nr.clipByValue('3' as never, 0, 1)).toThrow('clipByValue: x must be a Tensor, a number or an array of numbers, got the string "3"');
      x.dispose();
    });
  });
});

describe('where', () => {
  const cond = (shape: number[]): Input => ({ shape, values: uniform(rand, sizeOf(shape), -1, 2, 1) }); // -1, 0, 1, 2
  const tfWhere = (c: tf.Tensor | number, a: tf.Tensor | number, b: tf.Tensor | number) =>
    tf.where(tf.notEqual(c, 0), a, b);

  it('matches TF.js with all three broadcast', () => {
    const triples: number[][][] = [
      [[7], [7], [7]], [[], [2, 3], [2, 3]], [[2, 3], [], []], [[2, 1], [1, 3], [3]],
      [[4, 1, 3, 1], [5, 1, 2], [1]], [[1000, 1], [1000, 37], [37]], [[2, 3, 4, 5], [5], [4, 1]],
    ];
    expectNoLeak(() => {
      for (const [c, a, b] of triples) {
        const ins = [cond(c), input(a, { lo: -9, hi: 9, ...EXACT }), input(b, { lo: -9, hi: 9, ...EXACT })];
        const want = viaTf(tfWhere, ins);
        const got = viaNr(nrOp('where'), ins);
        expect(got.shape).toEqual(want.shape);
        expect(bits(got.values)).toEqual(bits(want.values));
      }
    });
  });

  it('takes numbers, chains, and treats NaN as true and -0 as false', () => {
    expectNoLeak(() =>
      nr.tidy(() => {
        const c = nr.tensor([1, 0, -0, NaN, -3]);
        const x = nr.tensor([1, 2, 3, 4, 5]);
        expect(Array.from(nr.where(c, x, 0).data())).toEqual([1, 0, 0, 4, 5]);
        expect(Array.from(x.where(c, -1).data())).toEqual([1, -1, -1, 4, 5]);
        expect(Array.from(nr.where(c, 7, x).data())).toEqual([7, 2, 3, 7, 7]);
        expect(nr.where(0, 7, 8).item()).toBe(8);
      }),
    );
  });

  it('broadcasts empty shapes like NumPy', () => {
    // NOTE: TF.js 4.22 returns shape [1,3] here; NumPy and neurite give [0,3].
    expectNoLeak(() =>
      nr.tidy(() => {
        const y = nr.where(nr.zeros([0, 3]), nr.ones([3]), 0);
        expect([...y.shape]).toEqual([0, 3]);
      }),
    );
  });

  it('reports shapes that do not broadcast, and bad arguments', () => {
    expectNoLeak(() => {
      const [a, b, c] = [nr.zeros([2, 3]), nr.zeros([3]), nr.zeros([4])];
      expect(() => nr.where(a, b, c)).toThrow(new nr.ShapeError('where: condition [2,3], a [3] and b [4] cannot be broadcast together'));
      expect(() => nr.where(1, 2, 'x' as unknown as number)).toThrow('where: b must be a Tensor, a number or an array of numbers, got the string "x"');
      expect(() => nr.where(null as unknown as number, b, c)).toThrow('where: condition must be a Tensor, a number or an array of numbers, got null');
      for (const t of [a, b, c]) t.dispose();
    });
  });
});

describe('errors', () => {
  it('incompatible broadcast names the op and both shapes', () => {
    expectNoLeak(() => {
      const [a, b] = [nr.zeros([2, 3]), nr.zeros([4])];
      for (const name of BINARY_OPS) {
        expect(() => nrOp(name)(a, b)).toThrow(new nr.ShapeError(`${name}: shapes [2,3] and [4] cannot be broadcast together`));
      }
      const c = nr.zeros([3, 2]);
      expect(() => a.add(c)).toThrow('add: shapes [2,3] and [3,2] cannot be broadcast together');
      // A number argument becomes a temporary scalar, which must be freed when the op throws.
      expect(() => nr.where(1, a, c)).toThrow('where: condition [], a [2,3] and b [3,2] cannot be broadcast together');
      for (const t of [a, b, c]) t.dispose();
    });
  });

  it('non-tensor and disposed arguments name the op and the argument', () => {
    const x = nr.tensor([1, 2, 3]);
    expectNoLeak(() => {
      expect(() => nr.add(x, 'x' as unknown as number)).toThrow(new nr.InvalidArgumentError('add: b must be a Tensor, a number or an array of numbers, got the string "x"'));
      expect(() => nr.mul(null as unknown as number, x)).toThrow('mul: a must be a Tensor, a number or an array of numbers, got null');
      expect(() => nr.sub(2, [[1, 2], [3]])).toThrow(/^sub: b: /);
      expect(() => nr.exp('3' as never)).toThrow(new nr.InvalidArgumentError('exp: x must be a Tensor, a number or an array of numbers, got the string "3"'));
      // TF.js's TensorLike: a number or nested arrays are a temporary tensor (freed).
      expect(nr.tidy(() => Array.from(nr.exp(0).dataSync()))).toEqual([1]);
      expect(nr.tidy(() => Array.from(nr.abs([[-1, 2], [3, -4]]).dataSync()))).toEqual([1, 2, 3, 4]);
      const d = nr.tensor([1]);
      d.dispose();
      expect(() => x.add(d)).toThrow(new nr.DisposedError('add: b is a disposed tensor (shape [1])'));
      expect(() => nr.sqrt(d)).toThrow('sqrt: x is a disposed tensor (shape [1])');
    });
    x.dispose();
  });
});

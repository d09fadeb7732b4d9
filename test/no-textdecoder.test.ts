// A runtime without TextDecoder (Jest's jsdom environment, a legacy CommonJS setup's default
// before Jest 27): the core's messages are still read, non-ASCII included. Every string read
// from the core was a ReferenceError ("TextDecoder is not defined") there.
import { afterEach, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { thrown } from './setup.js';

const saved = globalThis.TextDecoder;
afterEach(() => {
  globalThis.TextDecoder = saved;
});

describe('no TextDecoder', () => {
  it("a core error's message reads the same, × included, and a model compiles", () => {
    const want = (thrown(() => nr.matMul([[1, 2, 3]], [[1, 2]])) as Error).message;
    const wantRbf = (thrown(() => nr.rbfFeatures([[0]], [[0]], [0])) as Error).message;
    const wide = () => (thrown(() => nr.tidy(() => nr.image.resizeBilinear(nr.zeros([1, 0, 2, 1]), [2, 2]))) as Error).message;
    const wantWide = wide();
    expect(wantWide).toContain('×');
    delete (globalThis as { TextDecoder?: unknown }).TextDecoder;
    expect(typeof TextDecoder).toBe('undefined');
    const err = thrown(() => nr.matMul([[1, 2, 3]], [[1, 2]])) as Error;
    expect(err).toBeInstanceOf(nr.ShapeError);
    expect(err.message).toBe(want);
    expect((thrown(() => nr.rbfFeatures([[0]], [[0]], [0])) as Error).message).toBe(wantRbf);
    expect(wide()).toBe(wantWide);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.dispose();
  });
});

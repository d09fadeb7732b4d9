// rbfFeatures' multiquadric kernels where u = r²/σ² leaves float32 (r/σ > ~1.8e19): φ and its
// gradients against closed forms in float64 (φ = √(1 + t²) or 1/√(1 + t²), t = r/σ). Needs the
// wasm built from crates/core/src/layers/rbf.rs with the f64 fallback ("Range" in its docs).
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

/** |got − want| within 1e-6 relative (or float32's subnormal spacing). */
function near(got: number, want: number): void {
  expect(Number.isFinite(got), `got ${got}, want ${want}`).toBe(true);
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(1e-6 * Math.abs(want) + 2 ** -149);
}

describe('multiquadric RBF kernels beyond float32 u', () => {
  it('forward values are the float64 ones (they were Infinity and 0)', () => {
    const mq = nr.rbfFeatures([[1e20, 0]], [[0, 0]], [1], { kernel: 'multiquadric' });
    near(mq.data()[0], Math.fround(1e20) * Math.sqrt(1 + 1 / Math.fround(1e20) ** 2));
    const imq = nr.rbfFeatures([[1e19, 0]], [[0, 0]], [1e-5], { kernel: 'inverseMultiquadric' });
    const t = Math.fround(1e19) / Math.fround(1e-5);
    near(imq.data()[0], 1 / Math.sqrt(1 + t * t));
    mq.dispose();
    imq.dispose();
  });

  it('gradients with respect to x, the centers and the widths are finite and right', () => {
    for (const [kernel, r, s] of [['multiquadric', 1e20, 1], ['inverseMultiquadric', 1e19, 1e-5]] as const) {
      const [rf, sf] = [Math.fround(r), Math.fround(s)];
      const t2 = (rf / sf) ** 2;
      const phi = kernel === 'multiquadric' ? Math.sqrt(1 + t2) : 1 / Math.sqrt(1 + t2);
      const dphi = kernel === 'multiquadric' ? 0.5 / phi : -0.5 * phi ** 3;
      const x = nr.tensor([[r, 0]]);
      const c = nr.tensor([[0, 0]]);
      const w = nr.tensor([s]);
      const g = nr.grads((x: nr.Tensor, c: nr.Tensor, w: nr.Tensor) => nr.sum(nr.rbfFeatures(x, c, w, { kernel })))([x, c, w]);
      near(g[0].data()[0], (dphi * 2 * rf) / sf ** 2);
      near(g[1].data()[0], (-dphi * 2 * rf) / sf ** 2);
      near(g[2].data()[0], (-dphi * 2 * t2) / sf);
      for (const v of [x, c, w, ...g]) v.dispose();
    }
  });
});

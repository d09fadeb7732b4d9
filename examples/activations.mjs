// The activation gallery: every activation and its derivative, side by side in one PNG grid
// (examples/out/activations.png). Softmax and logSoftmax act on a row, so they are drawn for
// the two logits [x, 0]: softmax([x, 0])₀ = sigmoid(x).
//
// Bar (exits non-zero if missed): each derivative (the backward pass) agrees with a central
// finite difference of the forward pass, |f' − Δf/Δx| ≤ 1e-2·max(1, |f'|), at every plotted
// point away from the kinks and jumps.
import { init, tensor, activation, activationGrad, tidy } from '../dist/index.js';
import { COLORS, outDir, panelGrid } from './lib/plot.mjs';
import { join } from 'node:path';

const ACTIVATIONS = [
  'stairStep', 'unitStep', 'heaviside', 'sign', 'linear', 'relu',
  'leakyRelu', 'elu', 'selu', 'gelu', 'swish', 'softplus',
  'sigmoid', 'hardSigmoid', 'tanh', 'softsign', 'softmax', 'logSoftmax', 'relu6', 'mish', 'geluNew',
];
const ROW_WISE = new Set(['softmax', 'logSoftmax']);
const N = 401;
const X0 = -4, X1 = 4;
const H = 1e-2;

await init();
const xs = Float32Array.from({ length: N }, (_, i) => X0 + ((X1 - X0) * i) / (N - 1));

/** f(x) and f'(x) (the backward pass with dy = 1) at every x in `at`. */
function evaluate(name, at) {
  return tidy(() => {
    if (ROW_WISE.has(name)) {
      const logits = tensor(Array.from(at).flatMap((v) => [v, 0]), [at.length, 2]);
      const dy = tensor(Array.from(at).flatMap(() => [1, 0]), [at.length, 2]);
      const f = activation(logits, name).data().filter((_, i) => i % 2 === 0);
      const g = activationGrad(logits, dy, name).data().filter((_, i) => i % 2 === 0);
      return { f, g };
    }
    const x = tensor(at);
    return { f: activation(x, name).data(), g: activationGrad(x, tensor(new Float32Array(at.length).fill(1)), name).data() };
  });
}

/** Near a kink or jump of some activation (integers for stairStep, ±2.5 for hardSigmoid). */
const nearKink = (v) => Math.abs(v - Math.round(v)) < 2 * H || Math.abs(Math.abs(v) - 2.5) < 2 * H;

const cols = 7;
const { canvas, panel } = panelGrid(ACTIVATIONS.length / cols, cols, { cellWidth: 220, cellHeight: 160, header: 40, title: "ACTIVATIONS F(X) AND THEIR DERIVATIVES F'(X)" });
let worst = { err: 0, name: '', x: 0 };
ACTIVATIONS.forEach((name, k) => {
  const { f, g } = evaluate(name, xs);
  const up = evaluate(name, xs.map((v) => v + H)).f;
  const down = evaluate(name, xs.map((v) => v - H)).f;
  for (let i = 0; i < N; i++) {
    if (nearKink(xs[i])) continue;
    const fd = (up[i] - down[i]) / (2 * H);
    const err = Math.abs(g[i] - fd) / Math.max(1, Math.abs(g[i]));
    if (err > worst.err) worst = { err, name, x: xs[i] };
  }
  const all = [...f, ...g].filter(Number.isFinite);
  let lo = Math.min(-0.2, ...all), hi = Math.max(1.2, ...all);
  const pad = 0.08 * (hi - lo);
  lo -= pad;
  hi += pad;
  const p = panel(Math.floor(k / cols), k % cols, { x: [X0, X1], y: [lo, hi], title: ROW_WISE.has(name) ? `${name}([x,0])` : name });
  p.axes();
  p.polyline(xs, g, COLORS.orange, 2);
  p.polyline(xs, f, COLORS.blue, 2.5);
  if (k === 0) p.legend([['f(x)', COLORS.blue], ["f'(x)", COLORS.orange]], { corner: 'top-left' });
});
const file = canvas.save(join(outDir(), 'activations.png'));
console.log(`wrote ${file} (${ACTIVATIONS.length} activations)`);
console.log(`largest backward vs finite-difference mismatch: ${worst.err.toExponential(2)} (${worst.name} at x = ${worst.x.toFixed(2)})`);
if (worst.err > 1e-2) {
  console.error(`derivative check failed: ${worst.name} at x = ${worst.x}`);
  process.exit(1);
}

// XOR, the problem a single linear unit cannot solve (Minsky & Papert 1969).
// 1. Rosenblatt's perceptron: the learning rule never converges on XOR; training stops at
//    maxEpochs and reports `converged: false` (the pocket variant keeps the best line: 3/4).
// 2. A 2-4-1 MLP (tanh hidden layer, sigmoid output) trained by backpropagation solves it.
// Draws both decision boundaries to examples/out/xor.png.
// Bar (exits non-zero if missed): the perceptron reports non-convergence and the MLP gets 4/4.
import { init, tensor, sequential, layers, optimizers, perceptron, tidy } from '../dist/index.js';
import { COLORS, outDir, panelGrid, tint } from './lib/plot.mjs';
import { join } from 'node:path';

await init();
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR = [0, 1, 1, 0];
const x = tensor(X);

// ---- the perceptron -------------------------------------------------------------------------
const p = perceptron({ inputs: 2, output: 'bipolar', seed: 1 });
const bipolar = XOR.map((t) => 2 * t - 1);
const plain = p.fit(x, bipolar, { maxEpochs: 100 });
console.log(`perceptron: converged ${plain.converged} after ${plain.epochs} epochs; mistakes in the last 5 epochs: ${plain.errorsPerEpoch.slice(-5).join(', ')}`);
const pocket = perceptron({ inputs: 2, output: 'bipolar', seed: 1 });
const best = pocket.fit(x, bipolar, { maxEpochs: 100, pocket: true });
console.log(`pocket perceptron: converged ${best.converged}; best weights [${pocket.weights.map((v) => v.toFixed(1))}], bias ${pocket.bias.toFixed(1)}: ${4 - best.errors}/4 correct`);

// ---- the MLP --------------------------------------------------------------------------------
const y = tensor(XOR, [4, 1]);
const mlp = sequential({
  seed: 3,
  layers: [layers.dense({ inputShape: [2], units: 4, activation: 'tanh' }), layers.dense({ units: 1, activation: 'sigmoid' })],
});
mlp.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const h = await mlp.fit(x, y, { epochs: 400, batchSize: 4, verbose: 0 });
const probs = tidy(() => Array.from(mlp.predict(x).data()));
const mlpCorrect = probs.filter((v, i) => Math.round(v) === XOR[i]).length;
console.log(`MLP 2-4-1: predictions ${probs.map((v) => v.toFixed(3)).join(' ')}; loss ${h.history.loss.at(-1).toFixed(4)}; ${mlpCorrect}/4 correct`);

// ---- decision boundaries --------------------------------------------------------------------
const NX = 320;
const { canvas, panel } = panelGrid(1, 2, { cellWidth: 320, cellHeight: 320, header: 36, title: 'XOR DECISION BOUNDARIES' });
const ranges = { x: [-0.5, 1.5], y: [-0.5, 1.5] };
const left = panel(0, 0, { ...ranges, title: `POCKET PERCEPTRON ${4 - best.errors}/4` });
const right = panel(0, 1, { ...ranges, title: `MLP 2-4-1 ${mlpCorrect}/4` });
const grid = left.gridPoints(NX, NX);
const gridT = tensor(grid, [NX * NX, 2]);
const pLabels = pocket.predict(gridT).data();
const mProbs = tidy(() => mlp.predict(gridT, { batchSize: 4096 }).data());
const class0 = tint(COLORS.blue, 0.6);
const class1 = tint(COLORS.orange, 0.6);
left.fillGrid(pLabels, NX, NX, (v) => (v > 0 ? class1 : class0));
// MLP: pale colour by probability, with the 0.5 contour darker.
right.fillGrid(mProbs, NX, NX, (v) => (Math.abs(v - 0.5) < 0.03 ? COLORS.dark : v > 0.5 ? tint(COLORS.orange, 0.45 + 0.5 * (1 - v)) : tint(COLORS.blue, 0.45 + 0.5 * v)));
for (const pnl of [left, right]) {
  pnl.axes({ zero: false });
  X.forEach(([a, b], i) => pnl.points([a], [b], XOR[i] ? COLORS.orange : COLORS.blue, 7, COLORS.black));
}
const file = canvas.save(join(outDir(), 'xor.png'));
console.log(`wrote ${file}`);

for (const t of [x, y, gridT]) t.dispose();
p.dispose();
pocket.dispose();
mlp.dispose();

const failures = [];
if (plain.converged || plain.epochs !== 100) failures.push('the perceptron should report non-convergence after maxEpochs = 100');
if (mlpCorrect !== 4) failures.push(`the MLP solved only ${mlpCorrect}/4`);
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('ok: the perceptron fails on XOR (as it must) and the MLP solves it 4/4');

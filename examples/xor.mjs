// XOR with a small MLP (2-8-1): the classic problem a single linear unit cannot solve.
// Trains to 100% accuracy and prints the predictions; exits non-zero if it does not.
import { init, tensor, sequential, layers, optimizers } from '../dist/index.js';

await init();
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const model = sequential({
  seed: 3,
  layers: [
    layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const h = await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
const p = model.predict(x);
const probs = Array.from(p.data());
console.log('XOR predictions:', probs.map((v) => v.toFixed(3)).join(' '));
console.log(`final loss ${h.history.loss.at(-1).toFixed(4)}, accuracy ${h.history.accuracy.at(-1)}`);
const ok = probs.every((v, i) => Math.round(v) === [0, 1, 1, 0][i]);
for (const t of [x, y, p]) t.dispose();
model.dispose();
if (!ok) {
  console.error('the MLP did not solve XOR');
  process.exit(1);
}
console.log('solved: 4/4 correct');

// The main demo (until the MNIST trainer lands): tensors, broadcasting, matMul and memory.
import { init, tensor, tidy, memory } from '../dist/index.js';

await init();
const x = tensor([[1, 2, 3], [4, 5, 6]]);
const w = tensor([[0.5], [-1], [2]]);
const y = tidy(() => x.matMul(w).add(1));
console.log('x · w + 1 =');
y.print();
console.log('memory:', memory());
for (const t of [x, w, y]) t.dispose();
console.log('after dispose:', memory());

import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
await tf.setBackend('cpu');
it('x', async () => {
  for (const extra of [{}, { kernelRegularizer: undefined }, {useBias: true}, {activation: 'linear'}]) {
    try {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 6, ...extra } as any)] });
  console.log(JSON.stringify(extra), (m.predict(tf.ones([2, 5])) as tf.Tensor).dataSync()[0]);
    } catch (e) { console.log(JSON.stringify(extra), 'FAIL', String(e)); }
  }
});

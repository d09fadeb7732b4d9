// Options objects are read as properties, so a key inherited from a modified Object.prototype
// would set an option nobody passed (epochs, a layer's activation, a callback). Every options
// reader (ts/options.ts optionKeys: checkArgs, readOptions, the loss options, each op's and
// layer's own) refuses an object that inherits an enumerable key, naming it: with a polluted
// prototype, the first options object read is refused.
import { afterEach, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  for (const k of ['epochs', 'activation', 'kernelInitializer', 'callbacks', 'reduction']) delete proto[k];
});

/** The message of what `fn` throws (or rejects with). */
async function failure(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('options inherited from a modified Object.prototype', () => {
  it('fit, layer factories, compile and losses refuse them, naming the key; own options still work', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const [x, y] = [nr.tensor([[1, 2]]), nr.tensor([[1]])];
    proto.epochs = 5;
    expect(await failure(() => m.fit(x, y, { verbose: 0 }))).toMatch(/the options object inherits the key 'epochs' from its prototype \(was Object.prototype modified\?\)/);
    delete proto.epochs;
    proto.activation = 'relu';
    expect(await failure(() => nr.layers.dense({ units: 3 }))).toMatch(/inherits the key 'activation'/);
    delete proto.activation;
    proto.callbacks = { onEpochEnd: () => undefined };
    expect(await failure(() => m.fit(x, y, { epochs: 1, verbose: 0 }))).toMatch(/inherits the key 'callbacks'/);
    delete proto.callbacks;
    proto.reduction = 'sumOverFeatures';
    expect(await failure(() => nr.losses.meanSquaredError(y, y, {}))).toMatch(/inherits the key 'reduction'/);
    delete proto.reduction;
    const h = await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
    for (const d of [x, y, m]) d.dispose();
  });
});

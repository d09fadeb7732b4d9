// What a Keras autoencoder/anomaly-detection port ran into (the s41 tester's repros): layer
// subclasses whose call() never ran (a silent wrong result), ops on the symbolic tensors of a
// functional VAE, verbose values Keras writes every day, progress lines that skipped epochs in a
// pipe, encodeDistribution on a two-input model, and where a NaN in the data sits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';

afterEach(() => vi.restoreAllMocks());

const HELP = /custom layer code does not run in neurite: its layers run in the WebAssembly core.*layers\.variational.*layers\.add, layers\.multiply.*customGrad/;

function message(f: () => unknown): string {
  const e = thrown(f);
  expect(e).toBeInstanceOf(nr.InvalidArgumentError);
  return (e as Error).message;
}

describe('subclassing a layer (Keras and TF.js customise layers so; here the core runs them)', () => {
  it('a subclass of a built-in layer that overrides call, build, computeOutputShape or apply is refused when made', () => {
    // The tester's DoubledDense: predict gave 3, not 6, with no error.
    class DoubledDense extends nr.Dense {
      call(inputs: nr.Tensor): nr.Tensor {
        return nr.mul(inputs, 2);
      }
    }
    const m = message(() => new DoubledDense({ units: 1, inputShape: [1], kernelInitializer: 'ones', useBias: false }));
    expect(m).toMatch(/^new DoubledDense\(\): the class overrides call\(\), but /);
    expect(m).toMatch(HELP);
    class Built extends nr.Dense {
      build(): void {}
    }
    expect(message(() => new Built({ units: 1 }))).toMatch(/^new Built\(\): the class overrides build\(\)/);
    class Shaped extends nr.Conv2D {
      computeOutputShape(s: number[]): number[] {
        return s;
      }
    }
    expect(message(() => new Shaped({ filters: 1, kernelSize: 1 }))).toMatch(/overrides computeOutputShape\(\)/);
    class Applied extends nr.Dense {
      override apply(x: nr.SymbolicTensor | nr.SymbolicTensor[]): nr.SymbolicTensor {
        return super.apply(x);
      }
    }
    expect(message(() => new Applied({ units: 1 }))).toMatch(/overrides apply\(\)/);
    // Further down the chain: the override is in a base class of the user's.
    class Deeper extends DoubledDense {}
    expect(message(() => new Deeper({ units: 1 }))).toMatch(/^new Deeper\(\): its base class DoubledDense overrides call\(\)/);
  });

  it('a call given as an instance field (which the constructor cannot see) is refused where the layer enters a model', () => {
    class Field extends nr.Dense {
      call = (x: nr.Tensor) => nr.mul(x, 2);
    }
    const d = new Field({ units: 1, inputShape: [1] });
    expect(message(() => nr.sequential({ layers: [d] }))).toMatch(/^add: layer dense_\d+ has its own call, but custom layer code/);
    const d2 = new Field({ units: 1 });
    expect(message(() => d2.apply(nr.input({ shape: [1] })))).toMatch(/^apply: layer dense_\d+ has its own call/);
  });

  it('a subclass of Layer itself (class Scale extends Layer, new Scale({})) is refused with the same help', () => {
    // The JavaScript habit: no kind, so the options object used to become the kind ('[object Object]_1').
    const Base = nr.Layer as unknown as new (...a: unknown[]) => object;
    class Scale extends Base {}
    const m = message(() => new Scale({}));
    expect(m).toMatch(/^new Scale\(\): the Layer constructor's first argument must be one of neurite's layer kinds \(dense, activation, .*\), got an object \(Object\); a subclass of Layer is not a layer neurite can run: custom layer code/);
    expect(message(() => new Scale())).toMatch(/got undefined; a subclass of Layer/);
    class Sampling extends Base {
      call(x: unknown): unknown {
        return x;
      }
    }
    expect(message(() => new Sampling({}))).toMatch(/^new Sampling\(\): the class overrides call\(\)/);
  });

  it('a subclass that only adds fields and methods runs, saves and loads as its built-in class', async () => {
    class Named extends nr.Dense {
      readonly note = 'encoder head';
      describeMe(): string {
        return `${this.name}: ${this.note}`;
      }
    }
    const d = new Named({ units: 1, inputShape: [1], kernelInitializer: 'ones', useBias: false, name: 'head' });
    expect(d.describeMe()).toBe('head: encoder head');
    const m = nr.sequential({ layers: [d] });
    const x = nr.tensor([[3]]);
    const y = m.predict(x);
    expect(y.dataSync()[0]).toBe(3);
    const loaded = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    expect(loaded.layers[0].getClassName()).toBe('Dense');
    const y2 = loaded.predict(x);
    expect(y2.dataSync()[0]).toBe(3);
    [x, y, y2, m, loaded].forEach((o) => o.dispose());
  });
});

describe('ops on the symbolic tensors of a functional model (a Keras VAE port)', () => {
  it('say that ops cannot run on them, and what to use: variational, the merge layers, the Lambda row', () => {
    const inp = nr.input({ shape: [8] });
    const h = nr.layers.dense({ units: 4, activation: 'relu' }).apply(inp) as nr.SymbolicTensor;
    const zMean = nr.layers.dense({ units: 2, name: 'z_mean' }).apply(h) as nr.SymbolicTensor;
    const zLogVar = nr.layers.dense({ units: 2, name: 'z_log_var' }).apply(h) as nr.SymbolicTensor;
    const before = nr.memory().numTensors;
    const m = message(() => nr.mul(zLogVar as never, 0.5));
    expect(m).toMatch(/^mul: a must be a Tensor, a number or an array of numbers, got a SymbolicTensor \(z_log_var\/z_log_var, shape \[null,2\]\), a value of a functional model being built, with no data: ops cannot run on symbolic tensors \(TF\.js refuses them too; Keras 3 would wrap the op in a layer\)\./);
    expect(m).toContain('layers.variational');
    expect(m).toContain('layers.add, layers.subtract, layers.multiply');
    expect(m).toContain("the README's Porting table, Keras's Lambda");
    expect(message(() => nr.add(zMean as never, zLogVar as never))).toMatch(/^add: a must be a Tensor.*got a SymbolicTensor \(z_mean\/z_mean/);
    expect(message(() => nr.exp(zLogVar as never))).toMatch(/^exp: x must be a Tensor.*got a SymbolicTensor/);
    const model = nr.model({ inputs: inp, outputs: zMean });
    expect(message(() => model.predict(h as never))).toMatch(/^predict: x must be a Tensor, got a SymbolicTensor \(dense_\d+\/dense_\d+, shape \[null,4\]\)/);
    expect(nr.memory().numTensors).toBe(before);
    model.dispose();
  });
});

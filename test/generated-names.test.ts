// Generated names (`dense_3`, `sequential_2`, `variable_4`) stay unique among live objects: a
// name of the generated form that a model file or a user gives moves that counter past it. A
// student made after a saved teacher was loaded took the teacher's weight names (both
// 'dense_1/kernel' in a new process), and variableGrads, applyGradients and
// optimizer.setWeights refused the two as ambiguous (helper-325); TF.js renames the weights.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';

/**
 * A saved 2-layer model whose layers have the names a new process would have given them
 * (`a` and `b`, far ahead of this process's counters; renamed in the file, so this process
 * never made a layer of that name).
 */
async function artifactsNamed(a: string, b: string): Promise<nr.io.ModelArtifacts> {
  const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 4, name: 'first' }), nr.layers.dense({ units: 2, name: 'second' })] });
  const art = await m.toArtifacts();
  m.dispose();
  const rename = (text: string) => text.replaceAll('first', a).replaceAll('second', b);
  return { ...art, modelTopology: JSON.parse(rename(JSON.stringify(art.modelTopology))) as object, weightSpecs: JSON.parse(rename(JSON.stringify(art.weightSpecs))) as nr.io.WeightSpec[] };
}

describe('generated names skip the names given so far', () => {
  it('a model made after a loaded one has other weight names, and a custom loop over both works', async () => {
    const teacher = (await nr.loadModel(await artifactsNamed('dense_9001', 'dense_9002'))) as nr.Sequential;
    const student = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [3], units: 4 }), nr.layers.dense({ units: 2 })] });
    student.build();
    const names = (m: nr.Sequential) => m.layers.map((l) => l.name);
    expect(names(teacher)).toEqual(['dense_9001', 'dense_9002']);
    expect(names(student)).toEqual(['dense_9003', 'dense_9004']);
    const x = nr.randomNormal([5, 3], { seed: 3 });
    const opt = nr.train.adam(0.01);
    const loss = () => nr.mean(nr.square(nr.sub(student.apply(x) as nr.Tensor, teacher.apply(x) as nr.Tensor))) as nr.Scalar;
    const { value, grads } = nr.variableGrads(loss);
    // Every trainable variable, the teacher's among them (as TF.js's default list), each once.
    expect(Object.keys(grads).sort()).toEqual([1, 2, 3, 4].flatMap((i) => [`dense_900${i}/bias`, `dense_900${i}/kernel`]));
    opt.applyGradients(grads);
    for (const t of [value, ...Object.values(grads), x]) t.dispose();
    opt.dispose();
    student.dispose();
    teacher.dispose();
  });
  it('models, autoencoders and variables: a given name of the generated form is never generated again', () => {
    const s = nr.sequential({ name: 'sequential_7001' });
    expect(nr.sequential().name).toBe('sequential_7002');
    const v = nr.variable(nr.scalar(1), true, 'variable_6001');
    const w = nr.variable(nr.scalar(2));
    expect(w.name).toBe('variable_6002');
    for (const t of [v, w]) t.dispose();
    s.dispose();
  });
  it('names of other forms move no counter', () => {
    const before = nr.layers.dense({ units: 1 }).name;
    const n = Number(before.split('_')[1]);
    for (const name of ['dense_0', 'dense_01', 'dense_x', 'dense', 'dense_1e3', 'dense_12345678901']) nr.layers.dense({ units: 1, name });
    expect(nr.layers.dense({ units: 1 }).name).toBe(`dense_${n + 1}`);
  });
});

/**
 * The registry: every API family the fuzzer calls, with its weight. A family is
 * `{ name, weight, ops: [{ name, weight?, gen(ctx) → call | null }] }`; a call is
 * `{ op, args | line, expect: 'ok' | 'error' | 'either', run(), check?(result), names?,
 * passThrough?, disposes?, handlesNeutral? }`. To fuzz a new op, add one entry to its family.
 */
import creation from './families/creation.mjs';
import elementwise from './families/elementwise.mjs';
import reductions from './families/reductions.mjs';
import shape from './families/shape.mjs';
import matmul from './families/matmul.mjs';
import autodiff from './families/autodiff.mjs';
import models from './families/models.mjs';
import memory from './families/memory.mjs';
import convolution from './families/convolution.mjs';
import composite from './families/composite.mjs';
import indexing from './families/indexing.mjs';
import spatial from './families/spatial.mjs';
import data from './families/data.mjs';
import losses from './families/losses.mjs';
import imageDetection from './families/image_detection.mjs';
import kerasLosses from './families/keras_losses.mjs';
import transforms from './families/transforms.mjs';

export const FAMILIES = [creation, elementwise, reductions, shape, matmul, autodiff, models, memory, convolution, composite, indexing, spatial, data, losses, imageDetection, kerasLosses, transforms];

"""Keras 3 (JAX backend, CPU) as the oracle of masks at `Concatenate` along the steps and at `Dot`
in neurite's graph models (test/steps-masking.test.ts):

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/steps_masking.py

writes test/fixtures/keras3-steps-masking.json (committed, so CI needs no Python).

Keras 3's `Concatenate.compute_mask` (keras/src/layers/merging/concatenate.py) concatenates its
inputs' masks (an unmasked input's all true) along the layer's axis and ORs over the last one:
along the steps, the output's mask is the inputs' step masks one after the other. `Dot` has
`supports_masking` but its `compute_mask` returns None (keras/src/layers/merging/dot.py) and its
call ignores the masks: the dot products take every step, the padding's too, and no mask is left.

Cases (weights drawn by fixture_util.set_seeded, by layer name; 7 rows; evaluate with batch size
3; fit SGD, batch size 3, 2 epochs, shuffle=False):
- `stepsConcat`: ids a [4] and b [3] (own padding, one row of b all padding) → one
  Embedding(mask_zero) applied to both → Concatenate(axis=1) → [7, 3] → Dense(tanh) →
  Dense(softmax) per step; sparse categorical cross-entropy over the 7 steps, masked by a's mask
  then b's.
- `stepsConcatUnmasked`: ids [4] → Embedding(mask_zero), float features [3, 2] → Dense(3) (no
  mask) → Concatenate(axis=1) → Dense(softmax) per step: the unmasked input's steps all count.
- `dotSteps`: ids [5] → Embedding(mask_zero) → Dense(tanh) → Dot(axes=2) with the embedding
  (scores [5, 5], no mask) → GlobalAveragePooling1D (over every row: no mask reaches it) →
  Dense(softmax); categorical cross-entropy.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, graph_case, padded, set_seeded, write_fixture  # first: it sets the Keras backend

import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-steps-masking.json")


def steps_concat():
    rng = np.random.default_rng(41)
    n, ta, tb, v, c = 7, 4, 3, 6, 3
    a = padded(rng, n, ta, v, [4, 2, 1, 3, 4, 1, 2])
    b = padded(rng, n, tb, v, [1, 3, 0, 2, 3, 1, 2])  # row 2 of b all padding
    y = rng.integers(0, c, (n, ta + tb)).astype(np.float32)

    def make():
        ia = keras.Input((ta,), name="a")
        ib = keras.Input((tb,), name="b")
        emb = layers.Embedding(v, 3, mask_zero=True, name="emb")
        h = layers.Concatenate(axis=1, name="cat")([emb(ia), emb(ib)])
        h = layers.Dense(4, activation="tanh", name="h")(h)
        return keras.Model([ia, ib], layers.Dense(c, activation="softmax", name="out")(h), name="steps_concat")

    out = graph_case("stepsConcat", make, "sparse_categorical_crossentropy", [a, b], y, 0.5)
    # The rule the fixture pins: the mask is a's step mask then b's.
    m = make()
    mask = m.get_layer("cat").compute_mask([np.zeros((n, ta, 3)), np.zeros((n, tb, 3))], [a != 0, b != 0])
    assert np.array_equal(np.asarray(mask), np.concatenate([a != 0, b != 0], axis=1))
    return out


def steps_concat_unmasked():
    rng = np.random.default_rng(42)
    n, ta, tb, v, c = 7, 4, 3, 6, 3
    ids = padded(rng, n, ta, v, [4, 2, 1, 3, 0, 1, 2])
    feats = rng.normal(0, 1, (n, tb, 2)).astype(np.float32)
    y = rng.integers(0, c, (n, ta + tb)).astype(np.float32)

    def make():
        i = keras.Input((ta,), name="ids")
        f = keras.Input((tb, 2), name="feats")
        e = layers.Embedding(v, 3, mask_zero=True, name="emb")(i)
        d = layers.Dense(3, name="fd")(f)
        h = layers.Concatenate(axis=1, name="cat")([e, d])
        return keras.Model([i, f], layers.Dense(c, activation="softmax", name="out")(h), name="steps_concat_unmasked")

    return graph_case("stepsConcatUnmasked", make, "sparse_categorical_crossentropy", [ids, feats], y, 0.5)


def dot_steps():
    rng = np.random.default_rng(43)
    n, t, v, c = 7, 5, 6, 3
    x = padded(rng, n, t, v, [5, 2, 1, 4, 3, 1, 5])
    y = np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]

    def make():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 4, mask_zero=True, name="emb")(ids)
        q = layers.Dense(4, activation="tanh", name="q")(e)
        s = layers.Dot(axes=2, name="scores")([q, e])
        p = layers.GlobalAveragePooling1D(name="pool")(s)
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(p), name="dot_steps")

    out = graph_case("dotSteps", make, "categorical_crossentropy", [x], y, 0.5)
    # The rule the fixture pins: no mask after dot, so the pooling averages every row.
    m = make()
    set_seeded(m, 7)
    sub = keras.Model(m.inputs, [m.get_layer("scores").output, m.get_layer("pool").output])
    s, p = (np.asarray(v) for v in sub(x))
    assert np.allclose(p, s.mean(1), atol=1e-6), (p, s.mean(1))
    return out


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/steps_masking.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [steps_concat(), steps_concat_unmasked(), dot_steps()],
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()

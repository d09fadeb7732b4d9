"""Keras 3 (JAX backend, CPU) as the oracle of masks in neurite's graph models (the functional
API; test/functional-masking.test.ts):

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/functional_masking.py

writes test/fixtures/keras3-functional-masking.json (committed, so CI needs no Python).

Keras 3's Functional model carries each tensor's mask (`_keras_mask`) beside it: a layer with
`supports_masking` passes it on, `Embedding(mask_zero=True)` makes one, `GlobalAveragePooling1D`
uses it up, and the merge layers combine their inputs' masks with `compute_mask`
(keras/src/layers/merging/base_merge.py: the element-wise merges OR the masks, and have none
if an input has none; concatenate.py: the masks, an unmasked input's all true, concatenated
along the axis and ORed over the last one). A loss on a masked output divides by the unmasked
steps (keras/src/losses/loss.py `apply_mask`). (TF.js 4.22's and Keras 2's merges AND them
instead; TF.js's losses ignore masks.)

Cases (weights drawn by fixture_util.set_seeded, by layer name; 7 rows of ids padded with 0 to
different lengths; evaluate with batch size 3; fit SGD, batch size 3, 2 epochs, shuffle=False):
- `branches`: ids → Embedding(mask_zero) → Dense(relu) and Dense(tanh) → Concatenate →
  GlobalAveragePooling1D → Dense(softmax), categorical cross-entropy on a label per row.
- `residual`: ids → Embedding(mask_zero) → Dense(tanh) → Add(embedding, dense) → Dense(softmax)
  per step, sparse categorical cross-entropy with per-step sample weights; one row all padding.
- `twoInputs`: ids a → Embedding(mask_zero), ids b → Embedding(mask_zero) with other padding
  (b shorter, one row of b all padding) → Add → Dense(softmax) per step: a step counts where
  either input has a token (OR; an AND would drop a's tail).
- `concatUnmasked`: ids → Embedding(mask_zero) and float features [T, 2] → Dense (no mask) →
  Concatenate → Dense(softmax) per step: the unmasked input keeps every step, so the loss
  counts the padding.
- `average`: ids → Embedding(mask_zero) → Dense(tanh) and Dense(sigmoid) → Average of them and
  the embedding → Subtract → Dense(softmax) per step: the merges whose values ignore the mask.
- `multiply`: ids a and b (other padding) → Embedding(mask_zero) each → Multiply → Maximum →
  Minimum → Dense(softmax) per step. Keras 3's Multiply, Maximum and Minimum read the masks in
  their values too (multiply.py: a masked input counts as 1 and a step every input masks is 0;
  base_merge.py `_apply_merge_op_and_or_mask`: a masked input is left out of the max / min, a
  step every input masks takes the first input's value).
- `twoHeads` (under "heads"): ids → Embedding(mask_zero) → Dense(tanh) → a per-step head
  Dense(softmax) `tags` (masked: its loss over the real steps) and GlobalAveragePooling1D →
  Dense(softmax) `cls` (no mask); sparse categorical and categorical cross-entropy, no metrics
  (no row all padding: Keras 3 pools one to NaN). Each head's loss is masked by its own
  output's mask.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import f32, fixture, fnum, graph_case, logs, padded, set_seeded, weights_of, write_fixture  # first: it sets the Keras backend

import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-functional-masking.json")


def branches():
    rng = np.random.default_rng(21)
    n, t, v, c = 7, 5, 6, 3
    x = padded(rng, n, t, v, [5, 2, 1, 4, 3, 1, 5])
    y = np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]

    def make():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 4, mask_zero=True, name="emb")(ids)
        a = layers.Dense(3, activation="relu", name="a")(e)
        b = layers.Dense(3, activation="tanh", name="b")(e)
        h = layers.Concatenate(name="cat")([a, b])
        p = layers.GlobalAveragePooling1D(name="pool")(h)
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(p), name="branches")

    return graph_case("branches", make, "categorical_crossentropy", [x], y, 0.5)


def residual():
    rng = np.random.default_rng(22)
    n, t, v, c = 7, 6, 7, 4
    x = padded(rng, n, t, v, [6, 4, 1, 0, 3, 6, 2])  # row 3 entirely padded
    y = rng.integers(0, c, (n, t)).astype(np.float32)  # labels at the padding too: the mask drops them
    w = rng.choice(np.array([0.5, 1.0, 2.0], np.float32), (n, t)).astype(np.float32)

    def make():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 4, mask_zero=True, name="emb")(ids)
        h = layers.Dense(4, activation="tanh", name="h")(e)
        s = layers.Add(name="sum")([e, h])
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(s), name="residual")

    return graph_case("residual", make, "sparse_categorical_crossentropy", [x], y, 0.5, w)


def two_inputs():
    rng = np.random.default_rng(23)
    n, t, v, c = 7, 5, 6, 3
    a = padded(rng, n, t, v, [5, 3, 1, 4, 2, 2, 5])
    b = padded(rng, n, t, v, [2, 4, 0, 1, 2, 5, 3])  # row 2 of b all padding; b longer in rows 1, 5
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        ia = keras.Input((t,), name="a")
        ib = keras.Input((t,), name="b")
        ea = layers.Embedding(v, 3, mask_zero=True, name="emb_a")(ia)
        eb = layers.Embedding(v, 3, mask_zero=True, name="emb_b")(ib)
        s = layers.Add(name="sum")([ea, eb])
        return keras.Model([ia, ib], layers.Dense(c, activation="softmax", name="out")(s), name="two_inputs")

    out = graph_case("twoInputs", make, "sparse_categorical_crossentropy", [a, b], y, 0.5)
    # The rule the fixture pins: Keras 3's mask is a OR b (AND would differ on these rows).
    m = make()
    mask = m.get_layer("sum").compute_mask([None, None], [a != 0, b != 0])
    assert np.array_equal(np.asarray(mask), (a != 0) | (b != 0))
    assert not np.array_equal((a != 0) | (b != 0), (a != 0) & (b != 0))
    return out


def concat_unmasked():
    rng = np.random.default_rng(24)
    n, t, v, c = 7, 4, 5, 3
    ids = padded(rng, n, t, v, [4, 2, 1, 3, 0, 4, 2])
    feats = rng.normal(0, 1, (n, t, 2)).astype(np.float32)
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        i = keras.Input((t,), name="ids")
        f = keras.Input((t, 2), name="feats")
        e = layers.Embedding(v, 3, mask_zero=True, name="emb")(i)
        d = layers.Dense(2, name="fd")(f)
        h = layers.Concatenate(name="cat")([e, d])
        return keras.Model([i, f], layers.Dense(c, activation="softmax", name="out")(h), name="concat_unmasked")

    return graph_case("concatUnmasked", make, "sparse_categorical_crossentropy", [ids, feats], y, 0.5)


def average():
    rng = np.random.default_rng(25)
    n, t, v, c = 7, 5, 6, 3
    x = padded(rng, n, t, v, [5, 2, 1, 4, 3, 1, 5])
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 3, mask_zero=True, name="emb")(ids)
        a = layers.Dense(3, activation="tanh", name="a")(e)
        b = layers.Dense(3, activation="sigmoid", name="b")(e)
        q = layers.Average(name="avg")([a, b, e])
        r = layers.Subtract(name="sub")([q, b])
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(r), name="average")

    return graph_case("average", make, "sparse_categorical_crossentropy", [x], y, 0.5)


def multiply():
    rng = np.random.default_rng(26)
    n, t, v, c = 7, 5, 6, 3
    a = padded(rng, n, t, v, [5, 3, 1, 4, 2, 2, 5])
    b = padded(rng, n, t, v, [2, 4, 0, 1, 2, 5, 3])
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        ia = keras.Input((t,), name="a")
        ib = keras.Input((t,), name="b")
        ea = layers.Embedding(v, 3, mask_zero=True, name="emb_a")(ia)
        eb = layers.Embedding(v, 3, mask_zero=True, name="emb_b")(ib)
        p = layers.Multiply(name="mul")([ea, eb])
        q = layers.Maximum(name="max")([ea, eb, p])
        r = layers.Minimum(name="min")([q, eb])
        return keras.Model([ia, ib], layers.Dense(c, activation="softmax", name="out")(r), name="multiply")

    return graph_case("multiply", make, "sparse_categorical_crossentropy", [a, b], y, 0.5)


def two_heads():
    rng = np.random.default_rng(27)
    n, t, v, c, k = 7, 5, 6, 3, 2
    x = padded(rng, n, t, v, [5, 2, 1, 4, 3, 1, 5])  # (a row all padding: Keras 3 pools it to NaN)
    tags = rng.integers(0, c, (n, t)).astype(np.float32)
    cls = np.eye(k, dtype=np.float32)[rng.integers(0, k, n)]

    def fresh():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 4, mask_zero=True, name="emb")(ids)
        h = layers.Dense(4, activation="tanh", name="h")(e)
        out_tags = layers.Dense(c, activation="softmax", name="tags")(h)
        out_cls = layers.Dense(k, activation="softmax", name="cls")(layers.GlobalAveragePooling1D(name="pool")(h))
        m = keras.Model(ids, [out_tags, out_cls], name="two_heads")
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(0.5), loss=["sparse_categorical_crossentropy", "categorical_crossentropy"])
        return m

    m = fresh()
    out = {"name": "twoHeads", "lr": 0.5, "weights": weights_of(m), "xs": [f32(x)], "ys": [f32(tags), f32(cls)]}
    out["predict"] = [f32(p) for p in m.predict(x, verbose=0)]
    out["evaluate"] = logs(m.evaluate(x, [tags, cls], batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    out["trainOnBatch"] = {"logs": logs(m.train_on_batch(x, [tags, cls], return_dict=True)), "weights": weights_of(m)}
    m = fresh()
    h = m.fit(x, [tags, cls], batch_size=3, epochs=2, shuffle=False, verbose=0)
    out["fit"] = {"history": {k: [fnum(v) for v in vs] for k, vs in h.history.items()}, "weights": weights_of(m)}
    return out


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/functional_masking.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [branches(), residual(), two_inputs(), concat_unmasked(), average(), multiply()],
        "heads": [two_heads()],
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()

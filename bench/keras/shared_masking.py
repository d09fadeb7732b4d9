"""Keras 3 (JAX backend, CPU) as the oracle of masks through shared layers in neurite's graph
models (test/shared-masking.test.ts):

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/shared_masking.py

writes test/fixtures/keras3-shared-masking.json (committed, so CI needs no Python).

A layer called more than once keeps a mask per call in Keras 3: `Layer.__call__` computes each
call's output mask from that call's inputs (`compute_mask`, keras/src/layers/layer.py) and sets
it on that call's output (`backend.set_keras_mask`); the Functional model runs the graph call by
call (keras/src/models/functional.py), so a shared `Embedding(mask_zero=True)` makes one mask
per input, and a shared `GlobalAveragePooling1D` averages each call over its own real steps.

Cases (weights drawn by fixture_util.set_seeded, by layer name; 7 rows of token ids padded with
0 to different lengths, no row all padding (Keras 3 pools one to NaN); evaluate with batch size
3; fit SGD, batch size 3, 2 epochs, shuffle=False):
- `siamese`: ids a [6] and ids b [5] → one Embedding(mask_zero) → one Dense(tanh) per step → one
  GlobalAveragePooling1D, each applied to both → Dot(axes=1, normalize=True) (the cosine of the
  two encodings) → Dense(sigmoid); binary cross-entropy on a 0/1 label per pair. The inputs'
  lengths differ, so neurite runs each shared layer as a batch per length.
- `sharedSteps`: ids a and b [5] (other padding) → one Embedding(mask_zero) → one Dense(relu) per
  step, each applied to both → Add → Dense(softmax) per step; sparse categorical cross-entropy
  per step. The output's mask is the OR of the two calls' masks (base_merge.py), so a step
  counts where either input has a token.
- `nestedEncoder`: a nested Sequential model (Embedding(mask_zero) → Dense(tanh)) that makes the
  mask, applied to ids a and b [5] (other padding) → one GlobalAveragePooling1D → Subtract →
  Dense(softmax); categorical cross-entropy. Keras 3 keeps the mask the nested model's last
  layer set on its output (layer.py `_set_mask_metadata`: already computed, so kept), per call.
- `nestedPass`: ids → Embedding(mask_zero) → a nested functional model (Dense(tanh) → Dense(relu))
  the mask reaches (Functional.call sets it on its input) and passes through → Dense(softmax)
  per step; sparse categorical cross-entropy per step, one row all padding. (Keras 3.15 warns
  that the nested model "does not support masking and will destroy the mask", yet its output
  keeps the mask its last layer set: the loss is masked, as for the same layers unnested.)
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, graph_case, padded, set_seeded, write_fixture  # first: it sets the Keras backend

import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-shared-masking.json")


def siamese():
    rng = np.random.default_rng(31)
    n, ta, tb, v = 7, 6, 5, 8
    a = padded(rng, n, ta, v, [6, 2, 1, 4, 3, 5, 2])
    b = padded(rng, n, tb, v, [1, 5, 3, 2, 5, 4, 1])
    y = rng.integers(0, 2, (n, 1)).astype(np.float32)

    def make():
        ia = keras.Input((ta,), name="a")
        ib = keras.Input((tb,), name="b")
        emb = layers.Embedding(v, 4, mask_zero=True, name="emb")
        enc = layers.Dense(4, activation="tanh", name="enc")
        pool = layers.GlobalAveragePooling1D(name="pool")
        ea, eb = pool(enc(emb(ia))), pool(enc(emb(ib)))
        cos = layers.Dot(axes=1, normalize=True, name="cos")([ea, eb])
        return keras.Model([ia, ib], layers.Dense(1, activation="sigmoid", name="out")(cos), name="siamese")

    out = graph_case("siamese", make, "binary_crossentropy", [a, b], y, 0.5)
    # The rule the fixture pins: each call of the shared pooling averages over its own call's
    # real steps (a's mask for a, b's for b).
    m = make()
    set_seeded(m, 7)
    emb, enc, pool = m.get_layer("emb"), m.get_layer("enc"), m.get_layer("pool")
    hb = np.asarray(enc(emb(b)))
    want = (hb * (b != 0)[..., None]).sum(1) / (b != 0).sum(1, keepdims=True)
    got = np.asarray(keras.Model(m.inputs, pool(enc(emb(m.inputs[1]))))([a, b]))
    assert np.allclose(got, want, atol=1e-6), (got, want)
    return out


def shared_steps():
    rng = np.random.default_rng(32)
    n, t, v, c = 7, 5, 6, 3
    a = padded(rng, n, t, v, [5, 3, 1, 4, 2, 2, 5])
    b = padded(rng, n, t, v, [2, 4, 0, 1, 2, 5, 3])  # row 2 of b all padding: a alone counts there
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        ia = keras.Input((t,), name="a")
        ib = keras.Input((t,), name="b")
        emb = layers.Embedding(v, 3, mask_zero=True, name="emb")
        enc = layers.Dense(3, activation="relu", name="enc")
        s = layers.Add(name="sum")([enc(emb(ia)), enc(emb(ib))])
        return keras.Model([ia, ib], layers.Dense(c, activation="softmax", name="out")(s), name="shared_steps")

    return graph_case("sharedSteps", make, "sparse_categorical_crossentropy", [a, b], y, 0.5)


def nested_encoder():
    rng = np.random.default_rng(33)
    n, t, v, c = 7, 5, 7, 3
    a = padded(rng, n, t, v, [5, 2, 1, 4, 3, 5, 2])
    b = padded(rng, n, t, v, [3, 5, 2, 1, 4, 2, 5])
    y = np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]

    def make():
        ia = keras.Input((t,), name="a")
        ib = keras.Input((t,), name="b")
        # A nested model that makes the mask, applied to both inputs.
        encoder = keras.Sequential([keras.Input((t,)), layers.Embedding(v, 4, mask_zero=True, name="emb"), layers.Dense(4, activation="tanh", name="enc")], name="encoder")
        pool = layers.GlobalAveragePooling1D(name="pool")
        d = layers.Subtract(name="diff")([pool(encoder(ia)), pool(encoder(ib))])
        return keras.Model([ia, ib], layers.Dense(c, activation="softmax", name="out")(d), name="nested_encoder")

    return graph_case("nestedEncoder", make, "categorical_crossentropy", [a, b], y, 0.5)


def nested_pass():
    rng = np.random.default_rng(34)
    n, t, v, c = 7, 6, 6, 3
    x = padded(rng, n, t, v, [6, 4, 1, 0, 3, 6, 2])  # row 3 all padding
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        ids = keras.Input((t,), name="ids")
        e = layers.Embedding(v, 4, mask_zero=True, name="emb")(ids)
        # A nested functional model the mask passes through, then a per-step head.
        j = keras.Input((t, 4))
        block = keras.Model(j, layers.Dense(4, activation="relu", name="h2")(layers.Dense(4, activation="tanh", name="h1")(j)), name="block")
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(block(e)), name="nested_pass")

    out = graph_case("nestedPass", make, "sparse_categorical_crossentropy", [x], y, 0.5)
    # The rule the fixture pins: the same layers unnested give the same masked loss.
    def flat():
        ids = keras.Input((t,), name="ids")
        h = layers.Dense(4, activation="tanh", name="h1")(layers.Embedding(v, 4, mask_zero=True, name="emb")(ids))
        return keras.Model(ids, layers.Dense(c, activation="softmax", name="out")(layers.Dense(4, activation="relu", name="h2")(h)))

    f = flat()
    for name, ws in out["weights"].items():
        if name == "block":
            f.get_layer("h1").set_weights([np.asarray(w, np.float32) for w in ws[:2]])
            f.get_layer("h2").set_weights([np.asarray(w, np.float32) for w in ws[2:]])
        else:
            f.get_layer(name).set_weights([np.asarray(w, np.float32) for w in ws])
    f.compile(loss="sparse_categorical_crossentropy")
    assert np.isclose(f.evaluate(x, y, batch_size=3, verbose=0), out["evaluate"]["loss"], rtol=1e-6), out["evaluate"]
    return out


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/shared_masking.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [siamese(), shared_steps(), nested_encoder(), nested_pass()],
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()

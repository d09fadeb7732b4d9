"""Keras 3 (JAX backend, CPU) as the oracle of a functional text model's mask as to_json() writes
it (test/keras3-json.test.ts):

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/mask_op.py

writes test/fixtures/keras3-mask-op.json (committed, so CI needs no Python). ids → Embedding(20,
4, mask_zero=True) → Dense(4, relu) → GlobalAveragePooling1D → Dense(3, softmax): Keras 3 writes
the embedding's mask as a `NotEqual` op layer (`args: [ids, 0]`) that GlobalAveragePooling1D
takes as `kwargs.mask`; neurite's embedding makes that mask itself. The topology, the weights
(get_weights() order) and the predictions for three rows padded with 0 to different lengths.
"""

from fixture_util import fixture  # first: it sets the Keras backend

import json

import keras
import numpy as np
from keras import layers

inp = keras.Input(shape=(None,), name="ids")
e = layers.Embedding(20, 4, mask_zero=True, name="emb")(inp)
d = layers.Dense(4, activation="relu", name="d1")(e)
g = layers.GlobalAveragePooling1D(name="gap")(d)
o = layers.Dense(3, activation="softmax", name="out")(g)
m = keras.Model(inp, o)
x = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [5, 6, 7, 8, 9]], dtype="float32")
out = {
    "description": "A Keras 3 functional text model whose Embedding(mask_zero=True) mask reaches GlobalAveragePooling1D: Keras 3's to_json() writes it as a NotEqual(ids, 0) op layer passed as kwargs.mask. Its topology, weights (get_weights() order) and predictions for x.",
    "generator": "bench/keras/mask_op.py",
    "versions": {"keras": keras.__version__, "backend": keras.backend.backend()},
    "topology": json.loads(m.to_json()),
    "weights": [w.tolist() for w in m.get_weights()],
    "x": x.tolist(),
    "pred": m.predict(x, verbose=0).tolist(),
}
with open(fixture("keras3-mask-op.json"), "w") as f:
    json.dump(out, f)

"""Keras 3 (JAX backend, CPU) models saved with `model.to_json()`, the oracle of test/keras3-json.test.ts.

Builds a few small Keras 3 models of the layers neurite has (a Sequential MLP, two small CNNs, a functional
model with two inputs, two outputs, a shared layer, merges and a nested Sequential, a Conv1D model), gives
every weight a seeded value, and writes to test/fixtures/keras3-models.json (committed, so CI needs no
Python) each model's `to_json()` topology, its weights and its predictions for a fixed input:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/keras3_models.py

Weights are stored layer by layer (`model.get_weights()` order: a BatchNormalization's moving statistics
right after its gamma and beta) with each one's path and whether it is trainable; `trainableFirst` lists
them in `model.trainable_weights + model.non_trainable_weights` order (TF.js's and neurite's
`getWeights()` order). Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, flat32, write_fixture  # first: it sets the Keras backend

import json
import platform

import numpy as np

import jax
import keras
from keras import layers

OUT = fixture("keras3-models.json")
SEED = 1  # weights: numpy default_rng(SEED + model index); inputs: default_rng(100 + model index)
BATCH = 3


def mlp():
    return keras.Sequential(
        [
            keras.Input((6,)),
            layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3), kernel_initializer="he_normal"),
            layers.Dropout(0.2),
            layers.Dense(12, activation="gelu", bias_initializer=keras.initializers.RandomUniform(-0.1, 0.1)),
            layers.LayerNormalization(),
            layers.PReLU(),
            layers.Dense(10, activation="silu"),
            layers.GaussianNoise(0.1),
            layers.ELU(alpha=0.5),
            layers.Dense(8, activation=layers.LeakyReLU(negative_slope=0.1)),
            layers.Activation("tanh"),
            layers.Dense(8, activation="softplus"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Dense(6, activation="selu"),
            layers.ReLU(max_value=6.0),
            layers.Dense(3),
            layers.Softmax(),
        ],
        name="mlp",
    )


def cnn():
    return keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            layers.Conv2D(4, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(),
            layers.Conv2D(6, (3, 2), strides=(1, 2), dilation_rate=(1, 1)),
            layers.BatchNormalization(momentum=0.9, epsilon=1e-2),
            layers.Activation("relu6"),
            layers.AveragePooling2D(pool_size=2, padding="same"),
            layers.Flatten(),
            layers.Dense(5, activation="sigmoid"),
            layers.Dense(2, activation="softmax"),
        ],
        name="cnn",
    )


def cnn_up():
    return keras.Sequential(
        [
            keras.Input((5, 5, 2)),
            layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
            layers.UpSampling2D(2),
            layers.ZeroPadding2D(1),
            layers.Cropping2D(((1, 0), (0, 2))),
            layers.DepthwiseConv2D(3, depth_multiplier=2, strides=2),
            layers.SeparableConv2D(4, 3, activation="elu"),
            layers.GlobalMaxPooling2D(),
            layers.Reshape((2, 2)),
            layers.Flatten(),
            layers.Dense(2, activation="mish"),
        ],
        name="cnn_up",
    )


def functional():
    a = keras.Input((6,), name="a")
    b = keras.Input((5,), name="b")
    proj = layers.Dense(6, name="proj_b")(b)
    shared = layers.Dense(5, activation="relu", name="shared")
    sa, sb = shared(a), shared(proj)
    cat = layers.Concatenate(name="cat")([sa, sb])
    h = layers.Dense(4, activation="tanh", name="h")(cat)
    h = layers.BatchNormalization(name="bn")(h)
    out1 = layers.Dense(2, name="out1")(h)
    inner = keras.Sequential([keras.Input((5,)), layers.Dense(5, activation="softsign", name="inner_dense")], name="inner")
    m = layers.Add(name="add")([sa, sb])
    m = layers.Subtract(name="sub")([inner(m), sb])
    m = layers.Maximum(name="max")([m, layers.Multiply(name="mul")([sa, sb])])
    m = layers.Average(name="avg")([m, layers.Minimum(name="min")([sa, sb])])
    out2 = layers.Dense(3, activation="log_softmax", name="out2")(m)
    return keras.Model([a, b], [out1, out2], name="two_in_two_out")


def conv1d():
    x = keras.Input((12, 3))
    h = layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu")(x)
    h = layers.MaxPooling1D(2)(h)
    h = layers.Conv1D(5, 3, strides=2, padding="same")(h)
    h = layers.AveragePooling1D(2, strides=1)(h)
    h = layers.GlobalAveragePooling1D()(h)
    y = layers.Dense(2)(h)
    return keras.Model(x, y, name="conv1d")


MODELS = [("mlp", mlp), ("cnn", cnn), ("cnn_up", cnn_up), ("functional", functional), ("conv1d", conv1d)]


def seeded(model, rng):
    """Every weight from `rng`: small normal values; variances (BatchNormalization's moving_variance) positive."""
    for v in model.weights:
        shape = tuple(v.shape)
        if v.path.endswith("moving_variance"):
            val = rng.uniform(0.5, 1.5, shape)
        elif v.path.endswith("gamma"):
            val = rng.uniform(0.5, 1.5, shape)
        else:
            val = rng.normal(0, 0.5, shape)
        v.assign(val.astype(np.float32))


def owner(model, v):
    """The name of the (innermost) layer holding variable `v`: the path's part before the weight's name."""
    return v.path.split("/")[-2]


def main():
    models = {}
    for i, (key, make) in enumerate(MODELS):
        keras.utils.set_random_seed(SEED)
        model = make()
        seeded(model, np.random.default_rng(SEED + i))
        weights = model.weights
        ids = [id(v) for v in weights]
        trainable_first = [ids.index(id(v)) for v in model.trainable_weights + model.non_trainable_weights]
        got = model.get_weights()
        assert len(got) == len(weights) and all(np.array_equal(g, v.numpy()) for g, v in zip(got, weights)), "get_weights() is model.weights"
        rng = np.random.default_rng(100 + i)
        xs = [rng.normal(0, 1, (BATCH, *t.shape[1:])).astype(np.float32) for t in model.inputs]
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = ys if isinstance(ys, list) else [ys]
        models[key] = {
            "topology": json.loads(model.to_json()),
            "weights": [{"path": v.path, "layer": owner(model, v), "trainable": bool(v.trainable), "shape": list(v.shape), "data": flat32(v.numpy())} for v in weights],
            "trainableFirst": trainable_first,
            "inputs": [{"shape": list(x.shape), "data": flat32(x)} for x in xs],
            "outputs": [{"shape": list(y.shape), "data": flat32(y)} for y in ys],
        }
    fixture = {
        "description": "Keras 3 models (model.to_json()), their weights and predictions, the oracle of test/keras3-json.test.ts. Generated by bench/keras/keras3_models.py; do not edit by hand.",
        "generator": "/tmp/kv/bin/python bench/keras/keras3_models.py (venv from bench/keras/requirements.txt)",
        "versions": {
            "keras": keras.__version__,
            "jax": jax.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "backend": keras.backend.backend(),
        },
        "setup": "weights: every variable from numpy default_rng(1 + model index), normal(0, 0.5), gamma and moving_variance uniform(0.5, 1.5); inputs: default_rng(100 + model index), normal(0, 1), batch 3; outputs: model.predict (inference: dropout and noise off, batch normalization from the moving statistics)",
        "models": models,
    }
    write_fixture(OUT, fixture, compact=True)


if __name__ == "__main__":
    main()

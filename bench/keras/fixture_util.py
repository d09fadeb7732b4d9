"""What the Keras 3 fixture generators share: the backend (JAX on the CPU, set before Keras is
imported, so import this module first), values written as float32 in their shortest decimal
form, seeded weights, and where a fixture goes (test/fixtures/, committed, so CI needs no Python).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture(name):
    """The path of test/fixtures/<name>."""
    return os.path.join(HERE, "..", "..", "test", "fixtures", name)


def f32(a):
    """A float32 array as a nested list of Python floats, each the shortest decimal that rounds back to it."""
    a = np.asarray(a, dtype=np.float32)
    return float(str(np.float32(a))) if a.ndim == 0 else [f32(v) for v in a]


def flat32(a):
    """A float32 array as a flat list (row-major) of Python floats, each the shortest decimal that rounds back to it."""
    return [float(str(x)) for x in np.asarray(a, dtype=np.float32).ravel()]


def fnum(v):
    """One value as float32, in its shortest decimal form."""
    return float(str(np.float32(v)))


def set_seeded(m, seed, std=0.7):
    """Every weight of `m` drawn from N(0, std) with numpy's generator `seed` (the fixtures hold them)."""
    rng = np.random.default_rng(seed)
    for layer in m.layers:
        ws = layer.get_weights()
        if ws:
            layer.set_weights([rng.normal(0, std, w.shape).astype(np.float32) for w in ws])


def weights_of(m):
    """The weights of each layer of `m` that has some, by layer name."""
    return {layer.name: [f32(w) for w in layer.get_weights()] for layer in m.layers if layer.get_weights()}


def fit_record(m, x, y, seed, lr, batch_size, epochs=6):
    """`m`'s weights drawn from N(0, 0.3) with numpy's generator `seed`, then `epochs` of SGD(lr)
    on the mean squared error, batches in order: its to_json(), the data, the weights before and
    after, the History and the predictions (the denoising autoencoders' fixtures)."""
    import keras

    set_seeded(m, seed, 0.3)
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    before = weights_of(m)
    h = m.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    return {
        "json": m.to_json(),
        "x": f32(x),
        "y": f32(y),
        "weights": before,
        "history": history(h),
        "after": weights_of(m),
        "predict": f32(m.predict(x, verbose=0)),
    }


def logs(d):
    """A dict of logs (evaluate's return_dict) as float32 values."""
    return {k: fnum(v) for k, v in d.items()}


def history(h):
    """A History's values per epoch, as float32."""
    return {k: [fnum(v) for v in vs] for k, vs in h.history.items()}


def padded(rng, n, t, v, lengths):
    """`n` sequences of `t` token ids in [1, v) from `rng`, row i padded with 0 from lengths[i] on."""
    x = rng.integers(1, v, (n, t)).astype(np.float32)
    for i, L in enumerate(lengths):
        x[i, L:] = 0
    return x


def masked_case(name, fresh, x, inputs, y, w, lr):
    """One case of the masking fixtures: the model `fresh()` makes (seeded and compiled, a new
    one for each run) before training, its predict and evaluate (batches of 3, also with sample
    weights `w` when given), one train_on_batch, and two epochs of fit (batches of 3, in order)
    without and with `w`. `x` is what Keras is given; `inputs` how the fixture records it."""
    m = fresh()
    out = {"name": name, "lr": lr, "weights": weights_of(m), **inputs, "y": f32(y), "w": None if w is None else f32(w)}
    out["predict"] = f32(m.predict(x, verbose=0))
    out["evaluate"] = logs(m.evaluate(x, y, batch_size=3, return_dict=True, verbose=0))
    if w is not None:
        out["evaluateWeighted"] = logs(m.evaluate(x, y, sample_weight=w, batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    out["trainOnBatch"] = {"logs": logs(m.train_on_batch(x, y, return_dict=True)), "weights": weights_of(m)}
    for key, sw in (("fit", None), ("fitWeighted", w)):
        if key == "fitWeighted" and w is None:
            continue
        m = fresh()
        h = m.fit(x, y, sample_weight=sw, batch_size=3, epochs=2, shuffle=False, verbose=0)
        out[key] = {"history": history(h), "weights": weights_of(m)}
    return out


def graph_case(name, make, loss, xs, y, lr, w=None):
    """`masked_case` for a model `make()` builds (a functional model with the inputs `xs`, a
    list): seeded with 7 and compiled with SGD(`lr`), `loss` and accuracy for each run; the
    fixture records the inputs as `xs`."""
    import keras

    def fresh():
        m = make()
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
        return m

    return masked_case(name, fresh, xs if len(xs) > 1 else xs[0], {"xs": [f32(v) for v in xs]}, y, w, lr)


def grads(m, x, g):
    """d sum(y·g) / d(x, every trainable weight) of model `m` at `x`, through its stateless call (JAX)."""
    import jax
    import jax.numpy as jnp

    tv = [v.value for v in m.trainable_variables]

    def f(x, tv):
        y, _ = m.stateless_call(tv, [], x)
        return jnp.sum(y * g)

    return jax.grad(f, argnums=(0, 1))(jnp.asarray(x), tv)


def trained_case(fresh, rng, head, scale=1.0):
    """One case of a layer fixture (test/keras-fixture.ts `TrainedCase`): the model `fresh()`
    makes (seeded and compiled, a new one for each run) on a batch of 4 inputs from `rng` (N(0,
    1) times `scale`), its predict, the gradients of sum(y·g) for a random `g`, one
    train_on_batch and two epochs of fit (batches of 3, in order) to a random target `y`.
    `head(m)` gives the case's own fields, written first."""
    m = fresh()
    x = (rng.normal(0, 1, (4, *m.input_shape[1:])) * scale).astype(np.float32)
    y = np.asarray(m.predict(x, verbose=0))
    g = rng.normal(0, 1, y.shape).astype(np.float32)
    target = rng.normal(0, 1, y.shape).astype(np.float32)
    dx, dtv = grads(m, x, g)
    out = {
        **head(m),
        "x": f32(x),
        "predict": f32(y),
        "g": f32(g),
        "dx": f32(dx),
        "dWeights": [f32(d) for d in dtv],
        "y": f32(target),
    }
    m = fresh()
    out["trainOnBatch"] = {"loss": float(np.float32(m.train_on_batch(x, target))), "weights": weights_of(m)}
    m = fresh()
    h = m.fit(x, target, batch_size=3, epochs=2, shuffle=False, verbose=0)
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def write_fixture(path, obj, compact=False):
    """Writes `obj` as JSON to `path` (indented by one space, or without spaces when `compact`),
    with a final newline, and says where it went."""
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":")) if compact else json.dump(obj, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")

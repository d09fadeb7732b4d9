// What test/stress/soak.mjs (Node) and soak-page.mjs (Chromium) share: one "nightly retrain"
// of an MLP and an autoencoder, and the summary of the sampled series.

/**
 * Builds, fits, saves and loads back (`saveAndLoad(model, tag)` gives the loaded copies) an
 * MLP whose hidden width varies with cycle `c` (so models of different sizes are allocated),
 * scores each copy on `xt` against the labels `labels` (a tensor of class ids), then the same
 * for an autoencoder; disposes every model it made (the data stay the caller's).
 */
export async function retrain(nr, c, { x, y, xt, labels }, saveAndLoad) {
  const hidden = 64 + 32 * (c % 5);
  const mlp = nr.sequential({ seed: c, layers: [
    nr.layers.dense({ inputShape: [784], units: hidden, activation: 'relu' }),
    nr.layers.dropout({ rate: 0.1 }),
    nr.layers.dense({ units: 64, activation: 'relu' }),
    nr.layers.dense({ units: 10, activation: 'softmax' }) ] });
  mlp.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await mlp.fit(x, y, { epochs: 2, batchSize: 64, validationSplit: 0.1, verbose: 0,
    callbacks: [nr.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 })] });
  const loaded = await saveAndLoad(mlp, 'mlp');
  let acc = 0;
  for (const m of loaded) acc = nr.tidy(() => m.predict(xt).argMax(-1).equal(labels).mean().dataSync()[0]);
  const code = 16 + 8 * (c % 3);
  const ae = nr.autoencoder({
    encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [784], units: code, activation: 'relu' })] }),
    decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [code], units: 784, activation: 'sigmoid' })] }),
  });
  ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  await ae.fit(x, { epochs: 1, batchSize: 128, verbose: 0 });
  const aeLoaded = await saveAndLoad(ae, 'ae');
  for (const m of aeLoaded) nr.tidy(() => m.reconstruct(xt).mean().dataSync());
  for (const o of [mlp, ...loaded, ae, ae.encoder, ae.decoder, ...aeLoaded]) o.dispose();
  return { loss: h.history.loss.at(-1), acc };
}

/** Saves `model` to `url` and through the in-memory handlers, and loads the three copies. */
export async function saveAndLoadVia(nr, url, model) {
  await model.save(url);
  let saved = null;
  await model.save(nr.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const arts = await model.toArtifacts();
  return [await nr.loadModel(url), await nr.loadModel(nr.io.fromMemory(saved)), await nr.loadModel(arts)];
}

/** Least-squares slope per cycle of `key` over the last `n` rows (each with a `cycle`). */
function slope(rows, key, n = 50) {
  const s = rows.slice(-n);
  const mx = s.reduce((a, r) => a + r.cycle, 0) / s.length;
  const my = s.reduce((a, r) => a + r[key], 0) / s.length;
  let num = 0, den = 0;
  for (const r of s) { num += (r.cycle - mx) * (r[key] - my); den += (r.cycle - mx) ** 2; }
  return num / den;
}

/** Per series in `keys`: its first value, the value at cycle 20, the last, the maximum, and the slope over the last 50 cycles. */
export function summarize(rows, keys) {
  const summary = {};
  for (const k of keys) {
    summary[k] = { first: rows[0][k], at20: rows[Math.min(19, rows.length - 1)][k], last: rows.at(-1)[k], max: Math.max(...rows.map((r) => r[k])), slopePerCycleLast50: Math.round(slope(rows, k)) };
  }
  return summary;
}

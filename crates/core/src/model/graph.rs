//! The wiring of a graph model (the functional API, `model({ inputs, outputs })` in TS): which
//! values each layer reads. Node 0 is the model's input and node `i + 1` is layer `i`'s output;
//! layer `i` reads nodes below `i + 1` (the layers are in a topological order) and the model's
//! output is the last layer's. A merge layer reads several nodes; a node read by several layers
//! gets the sum of their gradients.
//!
//! A [`Sequential`](super::Sequential) with a wiring runs its layers through it; everything
//! else (weights, freezing, sharing, training, the tape) is the sequential model's. Each layer
//! still appears once per model (its forward cache serves one use).
//!
//! The values run forward in layer order, each freed (or handed over without a copy) after its
//! last reader; backward runs the layers in reverse and adds the gradients of a node in that
//! fixed order, so the results do not depend on anything but the wiring.

use super::shared::{lock, LayerRef};
use crate::layers::{Init, Mode};
use crate::{Error, Result, Tensor};

pub struct Wiring {
    /// Per layer, the nodes it reads (see the module docs).
    inputs: Vec<Vec<usize>>,
    /// Whether backward must produce `dL/dx` for the model's input (see
    /// [`Layer::set_input_grad`](crate::layers::Layer::set_input_grad)).
    input_grad: bool,
}

impl Wiring {
    pub fn new() -> Wiring {
        Wiring { inputs: Vec::new(), input_grad: true }
    }

    /// Sets the nodes layer `layer` reads. Layers not set read the previous one (a chain).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set(&mut self, layer: usize, inputs: &[usize]) -> Result<()> {
        if inputs.is_empty() {
            crate::bail!("model", "layer {layer} reads no input");
        }
        if let Some(&bad) = inputs.iter().find(|&&j| j > layer) {
            crate::bail!("model", "layer {layer} reads node {bad}, which is not computed before it (node 0 is the input, node i + 1 layer i's output)");
        }
        while self.inputs.len() <= layer {
            let i = self.inputs.len();
            self.inputs.push(vec![i]);
        }
        self.inputs[layer] = inputs.to_vec();
        Ok(())
    }

    /// The nodes layer `i` reads.
    pub fn inputs(&self, i: usize) -> &[usize] {
        self.inputs.get(i).map_or(&[][..], |v| &v[..])
    }

    /// Completes the wiring for `n` layers and checks that every value but the output is read
    /// by some layer (a value nobody reads would get no gradient).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check(&mut self, n: usize) -> Result<()> {
        if self.inputs.len() > n {
            crate::bail!("model", "the wiring names {} layers but the model has {n}", self.inputs.len());
        }
        while self.inputs.len() < n {
            let i = self.inputs.len();
            self.inputs.push(vec![i]);
        }
        let uses = self.uses();
        if let Some(j) = (0..n).find(|&j| uses[j] == 0) {
            let what = if j == 0 { "the model's input".to_string() } else { format!("the output of layer {}", j - 1) };
            crate::bail!("model", "{what} is read by no layer and is not the model's output");
        }
        Ok(())
    }

    /// How many times each node is read.
    fn uses(&self) -> Vec<usize> {
        let mut uses = vec![0; self.inputs.len() + 1];
        for ins in &self.inputs {
            for &j in ins {
                uses[j] += 1;
            }
        }
        uses
    }

    /// Builds every layer for the per-sample `input` shape (layer `i` with `init(i)`); returns
    /// the per-sample output shape of each.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn build(&self, layers: &[LayerRef], input: &[usize], init: impl Fn(usize) -> Init) -> Result<Vec<Vec<usize>>> {
        let mut shapes: Vec<Vec<usize>> = Vec::with_capacity(layers.len());
        for (i, l) in layers.iter().enumerate() {
            let ins: Vec<Vec<usize>> = self.inputs(i).iter().map(|&j| if j == 0 { input.to_vec() } else { shapes[j - 1].clone() }).collect();
            shapes.push(lock(l)?.build_many(&ins, init(i))?);
        }
        Ok(shapes)
    }

    /// Whether layer `i` reads the model's input and nothing else.
    pub fn reads_only_input(&self, i: usize) -> bool {
        self.inputs(i) == [0]
    }

    /// Sets whether backward produces `dL/dx` for the model's input; the layers that read only
    /// the input may then skip it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_input_grad(&mut self, layers: &[LayerRef], on: bool) -> Result<()> {
        self.input_grad = on;
        for (i, l) in layers.iter().enumerate() {
            if self.reads_only_input(i) {
                lock(l)?.layer_mut().set_input_grad(on);
            }
        }
        Ok(())
    }

    /// Runs the layers on `x`; the last one's output.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward(&self, layers: &[LayerRef], x: Tensor, mode: Mode) -> Result<Tensor> {
        let mut left = self.uses();
        let mut values: Vec<Option<Tensor>> = vec![None; layers.len() + 1];
        values[0] = Some(x);
        for (i, l) in layers.iter().enumerate() {
            let mut xs = Vec::with_capacity(self.inputs(i).len());
            for &j in self.inputs(i) {
                left[j] -= 1;
                // The last reader takes the value (its buffer, without a copy).
                let v = if left[j] == 0 { values[j].take() } else { values[j].clone() };
                xs.push(v.ok_or_else(|| Error::Internal { msg: format!("graph: node {j} has no value for layer {i}") })?);
            }
            values[i + 1] = Some(lock(l)?.forward_many(xs, mode)?);
        }
        values.pop().flatten().ok_or_else(|| Error::invalid("predict", "the model has no layers"))
    }

    /// Backward from `dy` at the output (`pre_activation`: at the input of the last layer's
    /// final activation, see [`Layer::backward_pre_activation`]); `dL/dx` for the model's
    /// input when [`Wiring::set_input_grad`] left it on (else an empty tensor).
    ///
    /// [`Layer::backward_pre_activation`]: crate::layers::Layer::backward_pre_activation
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn backward(&self, layers: &[LayerRef], dy: Tensor, pre_activation: bool) -> Result<Tensor> {
        let n = layers.len();
        let mut grads: Vec<Option<Tensor>> = vec![None; n + 1];
        grads[n] = Some(dy);
        for (i, l) in layers.iter().enumerate().rev() {
            let g = grads[i + 1].take().ok_or_else(|| Error::Internal { msg: format!("graph: no gradient reached layer {i}") })?;
            let dxs = {
                let mut node = lock(l)?;
                if pre_activation && i + 1 == n {
                    vec![node.backward_pre_activation(g)?]
                } else {
                    node.backward_many(g)?
                }
            };
            if dxs.len() != self.inputs(i).len() {
                return Err(Error::Internal { msg: format!("graph: layer {i} gave {} gradients for {} inputs", dxs.len(), self.inputs(i).len()) });
            }
            for (&j, dx) in self.inputs(i).iter().zip(dxs) {
                if j == 0 && !self.input_grad {
                    continue;
                }
                grads[j] = Some(match grads[j].take() {
                    None => dx,
                    Some(mut acc) => {
                        if acc.shape() != dx.shape() {
                            return Err(Error::Internal { msg: format!("graph: gradients {} and {} of node {j}", acc.shape(), dx.shape()) });
                        }
                        for (a, d) in acc.try_data_mut("fit")?.iter_mut().zip(dx.data()) {
                            *a += d;
                        }
                        acc
                    }
                });
            }
        }
        match grads[0].take() {
            Some(dx) => Ok(dx),
            None => Tensor::zeros("fit", crate::Shape::from(&[0][..])),
        }
    }
}

impl Default for Wiring {
    fn default() -> Wiring {
        Wiring::new()
    }
}

#[cfg(test)]
mod tests {
    use crate::layers::{from_abi, Mode};
    use crate::model::Sequential;
    use crate::{Shape, Tensor};

    /// dense(units, tanh | softmax) as the ABI lays it out (glorot kernel, zero bias).
    fn dense(units: f32, activation: f32) -> Vec<f32> {
        vec![units, 1.0, activation, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0., 0.]
    }

    /// x → h = dense₀(x) → add(h, dense₁(h)) → concatenate(·, x) → dense₃ softmax: a residual
    /// block and a skip connection, each value read twice.
    fn residual(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, (kind, p)) in [(0, dense(3.0, 9.0)), (0, dense(3.0, 9.0)), (21, vec![]), (27, vec![-1.0]), (0, dense(2.0, 10.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        for (i, ins) in [&[0][..], &[1], &[1, 2], &[3, 0], &[4]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m
    }

    fn x() -> Tensor {
        Tensor::new("t", Shape::from([2, 4]), vec![0.2, -1.0, 0.7, 1.5, 0.1, -0.4, 2.0, -0.3]).unwrap()
    }

    #[test]
    fn runs_each_layer_on_the_values_it_reads() {
        let mut m = residual(5);
        assert_eq!(m.build_all(&[4]).unwrap(), vec![vec![3], vec![3], vec![3], vec![7], vec![2]]);
        let y = m.predict(&x(), 32).unwrap();
        // The same layers run by hand.
        let run = |i: usize, xs: Vec<Tensor>| m.children()[i].borrow_mut().forward_many(xs, Mode::Infer).unwrap();
        let h = run(0, vec![x()]);
        let f = run(1, vec![h.clone()]);
        let s = run(2, vec![h, f]);
        let c = run(3, vec![s, x()]);
        assert_eq!(run(4, vec![c]).data(), y.data());
        assert_eq!(m.layer_inputs(2), Some(&[1, 2][..]));
    }

    /// dL/dx and dL/dw of the graph against central differences of `predict`; the weights'
    /// gradients are the same bits when the input's gradient is skipped (as `fit` does).
    #[test]
    fn gradients_add_over_every_reader() {
        let mut m = residual(7);
        m.build_all(&[4]).unwrap();
        let dy = Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.4, 0.9]).unwrap();
        let f = |m: &mut Sequential, xs: &[f32]| -> f64 {
            let y = m.predict(&Tensor::new("t", Shape::from([2, 4]), xs.to_vec()).unwrap(), 32).unwrap();
            y.data().iter().zip(dy.data()).map(|(&a, &b)| a as f64 * b as f64).sum()
        };
        let (dx, dw) = m.trace_gradient(&x(), dy.clone(), 0..5, Mode::Trace, None, true).unwrap();
        let dx = dx.unwrap();
        let (none, again) = m.trace_gradient(&x(), dy.clone(), 0..5, Mode::Trace, None, false).unwrap();
        assert!(none.is_none());
        let bits = |ts: &[Tensor]| ts.iter().flat_map(|t| t.data().iter().map(|v| v.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&again), bits(&dw));
        let xs = x().data().to_vec();
        for i in 0..xs.len() {
            let (mut a, mut b) = (xs.clone(), xs.clone());
            a[i] += 1e-2;
            b[i] -= 1e-2;
            let fd = (f(&mut m, &a) - f(&mut m, &b)) / 2e-2;
            assert!((dx.data()[i] as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()), "x[{i}]: {} vs {fd}", dx.data()[i]);
        }
        for (k, d) in dw.iter().enumerate() {
            for j in 0..d.size() {
                let nudge = |m: &mut Sequential, by: f32| m.with_params(|ps| ps.iter_mut().filter(|s| s.param.trainable).nth(k).unwrap().param.value.data_mut()[j] += by).unwrap();
                nudge(&mut m, 1e-2);
                let up = f(&mut m, &xs);
                nudge(&mut m, -2e-2);
                let down = f(&mut m, &xs);
                nudge(&mut m, 1e-2);
                let fd = (up - down) / 2e-2;
                assert!((d.data()[j] as f64 - fd).abs() < 3e-3 * (1.0 + fd.abs()), "weight {k}[{j}]: {} vs {fd}", d.data()[j]);
            }
        }
    }

    /// A graph wired as a chain runs the graph's code and gives the sequential model's bits:
    /// predictions, and weights after training steps with dropout (random masks) and a fused
    /// softmax + cross-entropy head.
    #[test]
    fn a_chain_wired_as_a_graph_is_the_sequential_model() {
        use crate::losses::{Loss, Reduction};
        use crate::model::{TrainConfig, Trainer};
        use crate::optim::{LrSchedule, Optimizer};
        let make = |graph: bool| {
            let mut m = Sequential::new(4);
            for (i, (kind, p)) in [(0, dense(5.0, 9.0)), (3, vec![0.3]), (0, dense(3.0, 10.0))].into_iter().enumerate() {
                m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
                if graph {
                    m.wire(i, &[i]).unwrap();
                }
            }
            m.build_all(&[4]).unwrap();
            m
        };
        let x = Tensor::new("t", Shape::from([6, 4]), (0..24).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
        let y = Tensor::new("t", Shape::from([6, 3]), (0..18).map(|i| ((i * 7) % 5) as f32 / 4.0).collect()).unwrap();
        let run = |graph: bool| {
            let mut m = make(graph);
            assert_eq!(m.layer_inputs(0).is_some(), graph);
            let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false }, schedule: LrSchedule::constant(0.5), clip: None, metrics: vec![] };
            let mut t = Trainer::new(cfg, 9);
            let losses: Vec<u32> = (0..3).map(|_| t.train_on(&mut m, x.clone(), &y).unwrap().loss.to_bits()).collect();
            let p = m.predict(&x, 4).unwrap().data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let w = m.param_values().unwrap().iter().flat_map(|(t, _)| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>();
            (losses, p, w)
        };
        assert_eq!(run(true), run(false));
    }

    #[test]
    fn wiring_errors_name_the_layer() {
        let mut m = residual(1);
        assert!(m.wire(1, &[2]).unwrap_err().to_string().contains("layer 1 reads node 2, which is not computed before it"));
        assert!(m.wire(9, &[0]).unwrap_err().to_string().contains("layer index 9 is out of range for 5 layers"));
        assert!(m.wire(1, &[]).unwrap_err().to_string().contains("reads no input"));
        // Layer 1's output read by nobody.
        m.wire(2, &[1, 1]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("the output of layer 1 is read by no layer"));
        // A merge layer in a chain, and a layer given two inputs.
        let mut m = residual(1);
        m.wire(2, &[2]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("add: a merge layer takes a list of at least 2 inputs, got 1"));
        let mut m = residual(1);
        m.wire(1, &[0, 1]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("dense takes one input, got 2"));
        // A graph runs as a whole.
        let mut m = residual(1);
        m.build_all(&[4]).unwrap();
        assert!(m.predict_range(&x(), 0, 2, 32).unwrap_err().to_string().contains("layers 0..2 of a graph model"));
    }
}

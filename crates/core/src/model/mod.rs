//! Models: `Sequential` (a stack of layers, itself usable as a layer; with a [`graph::Wiring`]
//! a graph of them, the functional API), the training state that
//! `compile` creates, and metrics. The whole training step — batch gathering, forward, loss,
//! backward, regularization, clipping and the optimizer update — runs in [`Trainer::train_batch`];
//! [`split`] runs it in two calls around a loss computed outside (a loss function's).

pub mod graph;
pub mod metrics;
pub mod sequential;
pub mod shared;
pub mod split;
pub mod trainer;
pub mod varlen;

pub use metrics::Metric;
pub use sequential::{ParamSlot, Sequential};
pub use shared::{shared, LayerRef, Node};
pub use trainer::{Head, StepResult, TrainConfig, Trainer, TrainerState};

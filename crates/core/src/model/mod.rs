//! Models: `Sequential` (a stack of layers, itself usable as a layer), the training state that
//! `compile` creates, and metrics. The whole training step — batch gathering, forward, loss,
//! backward, regularization, clipping and the optimizer update — runs in [`Trainer::train_batch`].

pub mod metrics;
pub mod sequential;
pub mod trainer;

pub use metrics::Metric;
pub use sequential::Sequential;
pub use trainer::{StepResult, TrainConfig, Trainer};

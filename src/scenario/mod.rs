//! Scenarios: the RON format, loading with precise diagnostics, semantic validation and the beat graph.

pub mod assets;
pub mod diagnostics;
pub mod graph;
pub mod load;
pub mod locate;
pub mod model;
pub mod policy;
pub mod ranges;
pub mod scaffold;
pub mod validate;

pub use diagnostics::{Code, Diagnostic, Severity, SourceFile};
pub use load::{LoadedScenario, load_ron, load_scenario, parse_scenario};
pub use model::*;
pub use validate::{ValidateOptions, validate};

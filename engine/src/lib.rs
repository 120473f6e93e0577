//! Layer-W engine mechanisms: walloc tiered memory, the ECS world on walloc and the fixed
//! parallel schedule. Policy (what systems do) lives in `layerw-systems`.
#![warn(missing_docs)]

pub mod app;
pub mod ecs;
pub mod schedule;
pub mod walloc;

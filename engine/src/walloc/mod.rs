//! Walloc: Layer-W's tiered memory system.
//!
//! One reserved address space with a ceiling (default 4 GiB, the wasm32 limit), handed out in
//! 64 KiB pages to four tiers with their own budgets and policies. See ARCHITECTURE.md.

mod scope;
mod tier;

pub use scope::{current_tier, with_tier};
pub use tier::Tier;

//! Layer-W systems.
#![warn(missing_docs)]

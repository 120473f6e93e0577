//! Layer-W components: plain data.
#![warn(missing_docs)]

//! Building blocks shared by several pages.

pub mod embed_bridge;
pub mod problem;
pub mod theme;

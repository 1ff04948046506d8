//! Building blocks shared by several pages.

pub mod confirm;
pub mod embed_bridge;
pub mod language;
pub mod problem;
pub mod theme;

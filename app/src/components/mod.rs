//! Building blocks shared by several pages.

pub mod problem;
pub mod theme;

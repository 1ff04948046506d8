//! Building blocks shared by several pages.

pub mod theme;

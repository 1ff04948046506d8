//! Request and response types shared by the server and the browser client.
//!
//! Everything here is plain serde data and route constants: it must build for
//! `wasm32-unknown-unknown`, so nothing in this module may pull in sqlx, tokio or axum.

pub mod dates;
pub mod error;
pub mod object;
pub mod plans;
pub mod portal;
pub mod records;
pub mod routes;
pub mod rules;
pub mod session;
pub mod settings;
pub mod system;

pub use error::{ErrorBody, ErrorDetail, FieldError};

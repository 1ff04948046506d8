//! The SQL of every area of the store, written once for both backends.
//!
//! This module is compiled twice: inside `sqlite.rs` and inside `postgres.rs`, each of
//! which names its store type `SqlStore`, its sqlx database `Db` and its [`Backend`] `BACKEND`
//! before including it. One file per area, each implementing that area's trait.
//!
//! [`Backend`]: crate::store::Backend

use super::{follow_changes, Db, SqlStore, BACKEND};

mod columns;
mod common;
mod credits;
mod events;
mod limits;
mod links;
mod orgs;
mod plans;
mod portal;
mod records;
mod upserts;
mod webhooks;

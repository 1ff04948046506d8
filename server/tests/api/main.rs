//! Tests that run Portico the way it is used: the store on real databases, the server on
//! a random port, the `portico` binary as an operator runs it.

mod assets;
mod cli;
mod crash;
mod credits;
mod demo;
mod helpers;
mod hot_path;
mod instances;
mod link_page;
mod openapi;
mod outage;
mod paying;
mod plans;
mod portal;
mod records;
mod running;
mod security;
mod server;
mod sessions;
mod settings;
mod soak;
mod store;
mod subscriptions;
mod tax_ids;
mod upserts;
mod webhooks;

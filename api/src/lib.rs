//! The HTTP layer: routing, validation at the edge, problem+json errors, the request envelope.
//! Handlers are thin: extract, parse into domain types, one call into `persistence`, respond.

pub mod access;
pub mod apidoc;
pub mod auth;
pub mod auth_setup;
pub mod bench;
pub mod bootstrap;
pub mod config;
pub mod contract;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod http;
pub mod idempotency;
pub mod input;
pub mod language;
pub mod middleware;
pub mod routes;
pub mod schema;
pub mod secret;
pub mod seed;
pub mod shutdown;
pub mod startup;
pub mod telemetry;

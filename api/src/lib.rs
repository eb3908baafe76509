//! The HTTP layer: routing, validation at the edge, problem+json errors, the request envelope.
//! Handlers are thin: extract, parse into domain types, one call into `persistence`, respond.

pub mod apidoc;
pub mod config;
pub mod db;
pub mod error;
pub mod input;
pub mod language;
pub mod middleware;
pub mod routes;
pub mod startup;
pub mod telemetry;

//! Queries as functions over `&mut DbConnection` (reads) and `&mut WriteTx` (writes).

pub mod arrivals;
pub mod audit;
pub mod bulk;
pub mod cases;
pub mod clients;
pub mod grants;
pub mod health;
pub mod idempotency;
pub mod organizations;
pub mod persons;
pub mod principals;
pub mod program_years;
pub mod reference;
pub mod services;
pub mod shelter;
pub mod throttle;
pub mod users;

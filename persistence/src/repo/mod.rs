//! Queries as functions over `&mut DbConnection` (reads) and `&mut WriteTx` (writes).

pub mod audit;
pub mod clients;
pub mod health;
pub mod organizations;
pub mod principals;
pub mod program_years;
pub mod reference;
pub mod throttle;
pub mod users;

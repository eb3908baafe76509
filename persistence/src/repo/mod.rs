//! Queries as functions over `&mut DbConnection` (reads) and `&mut WriteTx` (writes).

pub mod audit;
pub mod health;
pub mod reference;

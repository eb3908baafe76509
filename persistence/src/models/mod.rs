//! Row structs (`Queryable`/`Selectable`) and insertables (`New…`), one module per table family.

pub mod audit;
pub mod identity;
pub mod reference;
pub mod registration;

//! Program years and grants (R9): the ministry's budget for a year and what it awards the NGOs.

pub mod award_grant;
pub mod change_budget;
pub mod create_program_year;

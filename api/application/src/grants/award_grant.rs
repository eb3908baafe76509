//! Award an NGO a grant for a program year (R9: never beyond the year's budget).

use chrono::{Datelike, NaiveDate};
use domain::codes;
use domain::grant::{MoneyError, r9_grant_within_budget};
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::organization::OrganizationKind;
use domain::service::ServiceType;
use persistence::repo::grants::{self, Ceiling, GrantRecord, NewGrant};
use persistence::repo::program_years;
use persistence::{StoreError, Visibility, WriteTx};

use crate::error::FieldErrors;
use crate::{ActionError, Refusal, RefusalCode};

/// A grant to award.
#[derive(Debug, Clone)]
pub struct AwardGrant {
    /// The program year it is paid from.
    pub program_year: i32,
    /// The NGO that receives it.
    pub organization_id: String,
    /// The amount, more than zero.
    pub amount: Tetri,
    /// The first day it may pay for (within the year).
    pub period_start: NaiveDate,
    /// The last day it may pay for (within the year, not before the start).
    pub period_end: NaiveDate,
    /// The ministry's reference (contract number), if any.
    pub reference: Option<String>,
    /// Caps on what it pays per service type: each paid type at most once, each within the grant.
    pub ceilings: Vec<(ServiceType, Tetri)>,
}

/// Awards the grant. The year's granted total is raised in the same conditional statement that
/// checks it against the budget (R9, atomic also across API nodes); when it would exceed the
/// budget the refusal is `BudgetExceeded` with `remaining_tetri`, and nothing is written. One
/// grant per NGO and year (a second is a conflict). R13: audited.
pub fn award_grant(tx: &mut WriteTx<'_>, command: AwardGrant) -> Result<GrantRecord, ActionError> {
    let mut errors = FieldErrors::default();
    let year_of = |date: NaiveDate| date.year();
    if year_of(command.period_start) != command.program_year {
        errors.push(FieldError::new(
            "period_start",
            codes::PERIOD_OUTSIDE_YEAR,
            Message::new("პერიოდი პროგრამის წელში უნდა იყოს", "The period must lie within the program year"),
        ));
    }
    if year_of(command.period_end) != command.program_year || command.period_end < command.period_start {
        errors.push(FieldError::new(
            "period_end",
            codes::PERIOD_OUTSIDE_YEAR,
            Message::new(
                "პერიოდი პროგრამის წელში უნდა იყოს და დაწყების შემდეგ მთავრდებოდეს",
                "The period must lie within the program year and end on or after its start",
            ),
        ));
    }
    for (i, (service_type, ceiling)) in command.ceilings.iter().enumerate() {
        if *service_type == ServiceType::Information {
            errors.push(FieldError::new(
                format!("ceilings[{i}].service_type"),
                codes::SERVICE_TYPE_NOT_ALLOWED,
                Message::new("ინფორმაცია გრანტით არ ფინანსდება", "Information (S6) is not paid from a grant"),
            ));
        }
        if command.ceilings[..i].iter().any(|(earlier, _)| earlier == service_type) {
            errors.push(FieldError::new(
                format!("ceilings[{i}].service_type"),
                codes::DUPLICATE_CEILING,
                Message::new("ამ სერვისის ზღვარი უკვე მითითებულია", "This service type has a ceiling already"),
            ));
        }
        if *ceiling > command.amount {
            errors.push(FieldError::new(
                format!("ceilings[{i}].amount_tetri"),
                codes::CEILING_EXCEEDS_GRANT,
                Message::new("ზღვარი გრანტის თანხას აღემატება", "A ceiling cannot exceed the grant"),
            ));
        }
    }
    let organization = persistence::repo::organizations::get(tx.read(), &Visibility::All, &command.organization_id)
        .map(Some)
        .or_else(|error| if matches!(error, StoreError::NotFound) { Ok(None) } else { Err(error) })?;
    if !organization.is_some_and(|o| o.organization.kind == OrganizationKind::Ngo) {
        errors.push(FieldError::new(
            "organization_id",
            codes::UNKNOWN_ORGANIZATION,
            Message::new("ასეთი არასამთავრობო ორგანიზაცია არ არსებობს", "No such NGO"),
        ));
    }
    let year = match program_years::get(tx.read(), command.program_year) {
        Ok(year) => Some(year),
        Err(StoreError::NotFound) => {
            errors.push(FieldError::new(
                "program_year",
                codes::UNKNOWN_PROGRAM_YEAR,
                Message::new("ასეთი პროგრამის წელი არ არსებობს", "No such program year"),
            ));
            None
        }
        Err(other) => return Err(other.into()),
    };
    errors.finish()?;
    let amount = command.amount.to_i64().ok_or_else(|| ActionError::corrupt("amount beyond a BIGINT"))?;
    if program_years::reserve(tx, command.program_year, command.amount)? != Some(true) {
        // Refused without a write: explained by R9 on the year as it is now (a year deleted
        // meanwhile explains itself as a budget of nothing).
        let now = program_years::get(tx.read(), command.program_year).ok().or(year);
        let (budget, granted) = now.map_or((0, 0), |y| (y.budget_tetri, y.granted_tetri));
        let tetri = |v: i64| Tetri::try_from(v).unwrap_or(Tetri::ZERO);
        let remaining = budget.saturating_sub(granted).max(0);
        let refusal = r9_grant_within_budget(tetri(budget), tetri(granted), command.amount)
            .err()
            .unwrap_or(MoneyError::BudgetExceeded { requested: command.amount, available: tetri(remaining) });
        return Err(Refusal::new(RefusalCode::BudgetExceeded, refusal.message())
            .with("remaining_tetri", serde_json::json!(remaining))
            .into());
    }
    let new = NewGrant {
        program_year: command.program_year,
        organization_id: command.organization_id,
        amount_tetri: amount,
        period_start: command.period_start,
        period_end: command.period_end,
        reference: command.reference,
        ceilings: command
            .ceilings
            .iter()
            .map(|(service_type, amount)| {
                let amount_tetri = amount.to_i64().ok_or_else(|| ActionError::corrupt("ceiling beyond a BIGINT"))?;
                Ok(Ceiling { service_type: service_type.code().to_owned(), amount_tetri })
            })
            .collect::<Result<_, ActionError>>()?,
    };
    grants::create(tx, new).map_err(|error| match error {
        StoreError::Conflict(_) => Refusal::new(
            RefusalCode::NameTaken,
            Message::new(
                "ამ ორგანიზაციას ამ წლის გრანტი უკვე აქვს",
                "This organisation has a grant for this year already",
            ),
        )
        .into(),
        other => other.into(),
    })
}

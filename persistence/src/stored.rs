//! The domain's enumerations as the rows hold them (#9.4): a column of text in the database, a
//! typed value in Rust. A row field declares `#[diesel(deserialize_as = Stored<…>,
//! serialize_as = Stored<…>)]`; text that is not one of the type's values fails the read (an
//! error naming the value, never a silent default).

use std::fmt::Debug;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use domain::case::CaseStatus;
use domain::eligibility::{LegalStatus, Outcome};
use domain::organization::OrganizationKind;
use domain::role::Role;
use domain::service::{ConditionCategory, ServiceStatus, ServiceType};

/// A domain enumeration with a stable text form.
pub trait TextEnum: Sized + Copy + Debug + 'static {
    /// What it is, for the error on a stored value that is not one.
    const WHAT: &'static str;
    /// The stored text.
    fn as_text(self) -> &'static str;
    /// The value of stored text.
    fn from_text(text: &str) -> Option<Self>;
}

macro_rules! text_enum {
    ($($type:ty => $what:literal),* $(,)?) => {
        $(impl TextEnum for $type {
            const WHAT: &'static str = $what;
            fn as_text(self) -> &'static str {
                self.as_str()
            }
            fn from_text(text: &str) -> Option<Self> {
                <$type>::parse(text)
            }
        })*
    };
}

text_enum! {
    CaseStatus => "case status",
    Outcome => "decision outcome",
    LegalStatus => "legal status",
    Role => "role",
    OrganizationKind => "organisation kind",
    ServiceStatus => "service status",
    ConditionCategory => "condition category",
}

impl TextEnum for ServiceType {
    const WHAT: &'static str = "service type";
    fn as_text(self) -> &'static str {
        self.code()
    }
    fn from_text(text: &str) -> Option<Self> {
        Self::parse(text)
    }
}

/// A [`TextEnum`] on its way to or from a text column.
#[derive(Debug, Clone, Copy, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Stored<T: TextEnum>(pub T);

impl<T: TextEnum> From<T> for Stored<T> {
    fn from(value: T) -> Self {
        Stored(value)
    }
}

/// The read direction of `deserialize_as`: diesel converts with `try_into`.
macro_rules! into_domain {
    ($($type:ty),*) => {
        $(impl From<Stored<$type>> for $type {
            fn from(stored: Stored<$type>) -> Self {
                stored.0
            }
        })*
    };
}

into_domain!(CaseStatus, Outcome, LegalStatus, Role, OrganizationKind, ServiceType, ServiceStatus, ConditionCategory);

impl<T: TextEnum, DB: Backend> FromSql<Text, DB> for Stored<T>
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        T::from_text(&text).map(Stored).ok_or_else(|| format!("stored {} {text:?} is not one", T::WHAT).into())
    }
}

impl<T: TextEnum, DB: Backend> ToSql<Text, DB> for Stored<T>
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.as_text().to_sql(out)
    }
}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::{Connection, RunQueryDsl, SqliteConnection};

    use super::*;

    fn read(text: &str) -> Result<Stored<CaseStatus>, diesel::result::Error> {
        let mut conn =
            SqliteConnection::establish(":memory:").map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?;
        diesel::select(sql::<Text>(&format!("'{text}'"))).get_result(&mut conn)
    }

    #[test]
    fn stored_text_reads_as_the_domain_value_and_anything_else_is_an_error() {
        assert_eq!(read("not_eligible").map(|s| s.0).ok(), Some(CaseStatus::NotEligible));
        let error = read("approved").err().map(|e| format!("{e:?}")).unwrap_or_default();
        assert!(error.contains("case status") && error.contains("approved"), "{error}");
    }
}

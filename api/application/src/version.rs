//! The version a change is based on: what `If-Match` names.

/// A change applies to the record at a given version (a lost update is impossible), or, with
/// `If-Match: *` (RFC 9110 §13.1.1), to whatever version the record is at now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Only this version; another one is a stale version.
    Exactly(i32),
    /// Any current version (the record must exist).
    Any,
}

impl From<i32> for ExpectedVersion {
    fn from(version: i32) -> Self {
        ExpectedVersion::Exactly(version)
    }
}

impl ExpectedVersion {
    /// The version to guard the update with, given the version the record is at now.
    pub fn or_current(self, current: i32) -> i32 {
        match self {
            ExpectedVersion::Exactly(version) => version,
            ExpectedVersion::Any => current,
        }
    }
}

//! Money in whole tetri (R9: "Amounts are whole tetri (1 GEL = 100 tetri)
//! everywhere: no floating point").

use std::fmt;

use serde::{Deserialize, Serialize};

/// Tetri per lari.
pub const TETRI_PER_GEL: u64 = 100;

/// An amount of money in tetri. Never negative; arithmetic is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Tetri(u64);

/// A signed amount (e.g. from a BIGINT column) that is negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an amount of money cannot be negative (got {0} tetri)")]
pub struct NegativeAmount(pub i64);

impl NegativeAmount {
    /// The stable machine code, `negative_amount`.
    pub fn code(&self) -> &'static str {
        "negative_amount"
    }
}

impl Tetri {
    /// No money.
    pub const ZERO: Tetri = Tetri(0);

    /// An amount of `tetri` tetri (not lari: see [`Tetri::from_gel`]).
    pub const fn new(tetri: u64) -> Self {
        Self(tetri)
    }

    /// The amount in tetri.
    pub const fn value(self) -> u64 {
        self.0
    }

    /// Whole lari to tetri; `None` if it would overflow.
    pub const fn from_gel(lari: u64) -> Option<Tetri> {
        match lari.checked_mul(TETRI_PER_GEL) {
            Some(t) => Some(Tetri(t)),
            None => None,
        }
    }

    /// `None` on overflow (above `u64::MAX` tetri).
    pub fn checked_add(self, other: Tetri) -> Option<Tetri> {
        self.0.checked_add(other.0).map(Tetri)
    }

    /// `None` when `other` is larger than `self` (no negative money).
    pub fn checked_sub(self, other: Tetri) -> Option<Tetri> {
        self.0.checked_sub(other.0).map(Tetri)
    }

    /// For signed 64-bit storage (BIGINT); `None` above `i64::MAX`.
    pub fn to_i64(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }

    /// The whole lari: the amount divided by 100, rounded down.
    pub const fn lari_part(self) -> u64 {
        self.0 / TETRI_PER_GEL
    }

    /// The tetri beyond the whole lari, 0–99.
    pub const fn tetri_part(self) -> u64 {
        self.0 % TETRI_PER_GEL
    }
}

impl TryFrom<i64> for Tetri {
    type Error = NegativeAmount;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u64::try_from(value).map(Tetri).map_err(|_| NegativeAmount(value))
    }
}

impl From<u64> for Tetri {
    fn from(value: u64) -> Self {
        Tetri(value)
    }
}

/// Checked sum; `None` on overflow.
pub fn sum<I: IntoIterator<Item = Tetri>>(iter: I) -> Option<Tetri> {
    iter.into_iter().try_fold(Tetri::ZERO, |acc, t| acc.checked_add(t))
}

/// `1,500.00 GEL`: lari with comma thousands separators, two-digit tetri.
impl fmt::Display for Tetri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lari = self.lari_part().to_string();
        let mut grouped = String::with_capacity(lari.len() + lari.len() / 3);
        for (i, c) in lari.chars().enumerate() {
            if i > 0 && (lari.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{grouped}.{:02} GEL", self.tetri_part())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn display_table() {
        let cases: &[(u64, &str)] = &[
            (0, "0.00 GEL"),
            (1, "0.01 GEL"),
            (99, "0.99 GEL"),
            (100, "1.00 GEL"),
            (99_999, "999.99 GEL"),
            (100_000, "1,000.00 GEL"),
            (150_000, "1,500.00 GEL"),
            (59_000_000, "590,000.00 GEL"),
            (12_345_678_901, "123,456,789.01 GEL"),
            (u64::MAX, "184,467,440,737,095,516.15 GEL"),
        ];
        for (t, s) in cases {
            assert_eq!(Tetri::new(*t).to_string(), *s);
        }
    }

    #[test]
    fn r9_budget_2017_in_tetri() {
        assert_eq!(Tetri::from_gel(590_000), Some(Tetri::new(59_000_000)));
        assert_eq!(Tetri::from_gel(u64::MAX / 100 + 1), None);
        assert!(Tetri::from_gel(u64::MAX / 100).is_some());
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(Tetri::new(5).checked_add(Tetri::new(7)), Some(Tetri::new(12)));
        assert_eq!(Tetri::new(u64::MAX).checked_add(Tetri::new(1)), None);
        assert_eq!(Tetri::new(7).checked_sub(Tetri::new(7)), Some(Tetri::ZERO));
        assert_eq!(Tetri::new(7).checked_sub(Tetri::new(8)), None);
    }

    #[test]
    fn i64_conversions() {
        assert_eq!(Tetri::try_from(0_i64), Ok(Tetri::ZERO));
        assert_eq!(Tetri::try_from(i64::MAX), Ok(Tetri::new(i64::MAX as u64)));
        assert_eq!(Tetri::try_from(-1_i64), Err(NegativeAmount(-1)));
        assert_eq!(Tetri::new(i64::MAX as u64).to_i64(), Some(i64::MAX));
        assert_eq!(Tetri::new(i64::MAX as u64 + 1).to_i64(), None);
    }

    #[test]
    fn sum_is_checked() {
        assert_eq!(sum([]), Some(Tetri::ZERO));
        assert_eq!(sum([Tetri::new(1), Tetri::new(2), Tetri::new(3)]), Some(Tetri::new(6)));
        assert_eq!(sum([Tetri::new(u64::MAX), Tetri::new(1)]), None);
    }

    #[test]
    fn serializes_as_number() {
        assert_eq!(serde_json::to_string(&Tetri::new(150)).unwrap(), "150");
    }
}

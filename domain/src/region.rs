//! Georgia's first-level regions (R4 territory, R6 shelter coverage).
//!
//! Codes are ISO 3166-2:GE, except `GE-TSK`: the Tskhinvali region (former
//! South Ossetian Autonomous Region) has no ISO 3166-2 code of its own, so
//! `GE-TSK` is this system's own code for it (PROGRAM.md R4).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::Message;

/// A first-level region of Georgia, written as its code (`GE-TB` … `GE-TSK`) on the wire and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionCode {
    /// Tbilisi, `GE-TB`; shelter is given here (R6).
    Tbilisi,
    /// Adjara, `GE-AJ`.
    Adjara,
    /// Guria, `GE-GU`.
    Guria,
    /// Imereti, `GE-IM`.
    Imereti,
    /// Kakheti, `GE-KA`.
    Kakheti,
    /// Kvemo Kartli, `GE-KK`; shelter is given here (R6).
    KvemoKartli,
    /// Mtskheta-Mtianeti, `GE-MM`; shelter is given here (R6).
    MtskhetaMtianeti,
    /// Racha-Lechkhumi and Kvemo Svaneti, `GE-RL`.
    RachaLechkhumiKvemoSvaneti,
    /// Samegrelo-Zemo Svaneti, `GE-SZ`.
    SamegreloZemoSvaneti,
    /// Samtskhe-Javakheti, `GE-SJ`.
    SamtskheJavakheti,
    /// Shida Kartli, `GE-SK`.
    ShidaKartli,
    /// Abkhazia, `GE-AB`; occupied, not covered by the program (R4).
    Abkhazia,
    /// The Tskhinvali region; `GE-TSK` is the system's own code (no ISO code exists).
    Tskhinvali,
}

/// A region code that is not one of the 13 codes this system knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region code {0:?}")]
pub struct UnknownRegion(pub String);

impl UnknownRegion {
    /// The stable machine code, `unknown_region`.
    pub fn code(&self) -> &'static str {
        "unknown_region"
    }

    /// The refusal in Georgian and English, naming the accepted codes.
    pub fn message(&self) -> Message {
        Message::new(
            "უცნობი რეგიონის კოდი; გამოიყენეთ ISO 3166-2:GE კოდი (მაგ. GE-TB) ან GE-TSK.",
            "Unknown region code; use an ISO 3166-2:GE code (e.g. GE-TB) or GE-TSK.",
        )
    }
}

impl RegionCode {
    /// Every region, in display order (the occupied ones last).
    pub const ALL: [RegionCode; 13] = [
        Self::Tbilisi,
        Self::Adjara,
        Self::Guria,
        Self::Imereti,
        Self::Kakheti,
        Self::KvemoKartli,
        Self::MtskhetaMtianeti,
        Self::RachaLechkhumiKvemoSvaneti,
        Self::SamegreloZemoSvaneti,
        Self::SamtskheJavakheti,
        Self::ShidaKartli,
        Self::Abkhazia,
        Self::Tskhinvali,
    ];

    /// Accepts exactly one of the 13 codes (case-sensitive, no surrounding whitespace).
    pub fn parse(code: &str) -> Result<Self, UnknownRegion> {
        Self::ALL.into_iter().find(|r| r.code() == code).ok_or_else(|| UnknownRegion(code.to_owned()))
    }

    /// The ISO 3166-2:GE code (`GE-TSK` for the Tskhinvali region): the wire and database spelling.
    pub fn code(self) -> &'static str {
        match self {
            Self::Tbilisi => "GE-TB",
            Self::Adjara => "GE-AJ",
            Self::Guria => "GE-GU",
            Self::Imereti => "GE-IM",
            Self::Kakheti => "GE-KA",
            Self::KvemoKartli => "GE-KK",
            Self::MtskhetaMtianeti => "GE-MM",
            Self::RachaLechkhumiKvemoSvaneti => "GE-RL",
            Self::SamegreloZemoSvaneti => "GE-SZ",
            Self::SamtskheJavakheti => "GE-SJ",
            Self::ShidaKartli => "GE-SK",
            Self::Abkhazia => "GE-AB",
            Self::Tskhinvali => "GE-TSK",
        }
    }

    /// The region's name in Georgian.
    pub fn name_ka(self) -> &'static str {
        match self {
            Self::Tbilisi => "თბილისი",
            Self::Adjara => "აჭარა",
            Self::Guria => "გურია",
            Self::Imereti => "იმერეთი",
            Self::Kakheti => "კახეთი",
            Self::KvemoKartli => "ქვემო ქართლი",
            Self::MtskhetaMtianeti => "მცხეთა-მთიანეთი",
            Self::RachaLechkhumiKvemoSvaneti => "რაჭა-ლეჩხუმი და ქვემო სვანეთი",
            Self::SamegreloZemoSvaneti => "სამეგრელო-ზემო სვანეთი",
            Self::SamtskheJavakheti => "სამცხე-ჯავახეთი",
            Self::ShidaKartli => "შიდა ქართლი",
            Self::Abkhazia => "აფხაზეთი",
            Self::Tskhinvali => "ცხინვალის რეგიონი",
        }
    }

    /// The region's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Tbilisi => "Tbilisi",
            Self::Adjara => "Adjara",
            Self::Guria => "Guria",
            Self::Imereti => "Imereti",
            Self::Kakheti => "Kakheti",
            Self::KvemoKartli => "Kvemo Kartli",
            Self::MtskhetaMtianeti => "Mtskheta-Mtianeti",
            Self::RachaLechkhumiKvemoSvaneti => "Racha-Lechkhumi and Kvemo Svaneti",
            Self::SamegreloZemoSvaneti => "Samegrelo-Zemo Svaneti",
            Self::SamtskheJavakheti => "Samtskhe-Javakheti",
            Self::ShidaKartli => "Shida Kartli",
            Self::Abkhazia => "Abkhazia",
            Self::Tskhinvali => "Tskhinvali region",
        }
    }

    /// R4: "all of Georgia except the occupied territories: Abkhazia and the Tskhinvali region".
    pub fn is_occupied(self) -> bool {
        matches!(self, Self::Abkhazia | Self::Tskhinvali)
    }

    /// R6: "the shelter is in GE-TB, GE-KK or GE-MM" (state program direction N0100).
    pub fn shelter_covered(self) -> bool {
        matches!(self, Self::Tbilisi | Self::KvemoKartli | Self::MtskhetaMtianeti)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for RegionCode {
    type Err = UnknownRegion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for r in RegionCode::ALL {
            assert_eq!(RegionCode::parse(r.code()), Ok(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
            let back: RegionCode = serde_json::from_str(&format!("\"{}\"", r.code())).unwrap();
            assert_eq!(back, r);
        }
    }

    #[test]
    fn codes_are_distinct() {
        let mut codes: Vec<_> = RegionCode::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 13);
    }

    #[test]
    fn unknown_codes_are_rejected() {
        for bad in ["", "GE-XX", "ge-tb", " GE-TB", "GE-TB ", "GE-SO", "TB", "GE-TS"] {
            let err = RegionCode::parse(bad).unwrap_err();
            assert_eq!(err.code(), "unknown_region");
        }
    }

    #[test]
    fn r4_occupied_are_abkhazia_and_tskhinvali_only() {
        let occupied: Vec<_> = RegionCode::ALL.into_iter().filter(|r| r.is_occupied()).map(RegionCode::code).collect();
        assert_eq!(occupied, ["GE-AB", "GE-TSK"]);
    }

    #[test]
    fn r6_shelter_covers_tbilisi_kvemo_kartli_mtskheta_mtianeti_only() {
        let covered: Vec<_> =
            RegionCode::ALL.into_iter().filter(|r| r.shelter_covered()).map(RegionCode::code).collect();
        assert_eq!(covered, ["GE-TB", "GE-KK", "GE-MM"]);
    }

    #[test]
    fn georgian_names_are_mkhedruli() {
        for r in RegionCode::ALL {
            assert!(r.name_ka().chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c)), "{r}");
        }
    }
}

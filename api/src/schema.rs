//! Components of the OpenAPI document for the program's closed sets of values (statuses, roles,
//! regions, …) and its identifiers' formats. `domain` knows nothing of OpenAPI, so each component
//! is a marker type here whose schema is built from the domain's own list (`ALL`) or pattern
//! (`PATTERN`): the document cannot drift from what the server parses. Fields use them with
//! `#[schema(value_type = …)]` / `#[param(value_type = …)]`.

use std::borrow::Cow;

use domain::case::{CaseStatus, CountryCode, PointOfArrival};
use domain::eligibility::{LegalStatus, Outcome, RuleId, RuleOutcome};
use domain::organization::OrganizationKind;
use domain::person::{ConsentScope, GeorgianName, LatinName, PhoneNumber, Sex};
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use domain::role::Role;
use domain::service::{ConditionCategory, ICD10_PATTERN, ServiceStatus, ServiceType};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The doc comment of a marker as one line of description.
fn description(lines: &[&str]) -> String {
    lines.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" ")
}

/// A marker type whose schema is the string enumeration `$name`, with the values `$values`
/// yields, in that order, and its doc comment as the description.
macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $marker:ident = $name:literal, $values:expr) => {
        $(#[doc = $doc])*
        pub struct $marker;

        impl $marker {
            /// The values the component lists, in the domain's order.
            pub fn values() -> Vec<&'static str> {
                $values
            }
        }

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(Self::values()))
                    .description(Some(description(&[$($doc),*])))
                    .into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

/// A marker type whose schema is the string component `$name` matching `$pattern`.
macro_rules! string_pattern {
    ($(#[doc = $doc:literal])* $marker:ident = $name:literal, $pattern:expr, example = $example:literal) => {
        $(#[doc = $doc])*
        pub struct $marker;

        impl $marker {
            /// The pattern the component declares.
            pub const PATTERN: &'static str = $pattern;
        }

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(Self::PATTERN))
                    .description(Some(description(&[$($doc),*])))
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

string_enum!(
    /// A case's status: `open` (not yet decided, or last decided `undetermined`), `eligible`,
    /// `not_eligible` (by the last decision) or `closed`.
    CaseStatusSchema = "CaseStatus",
    CaseStatus::ALL.iter().map(|s| s.as_str()).collect()
);

string_enum!(
    /// What a user may do (PROGRAM.md "Roles"); NGO roles act for one NGO only (R11).
    RoleSchema = "Role",
    Role::ALL.iter().map(|r| r.as_str()).collect()
);

string_enum!(
    /// The rights an NGO's system acts with: one of the NGO roles.
    ClientRoleSchema = "ClientRole",
    Role::ALL.iter().filter(|r| r.belongs_to_ngo()).map(|r| r.as_str()).collect()
);

string_enum!(
    /// R1: the person's legal status in Georgia. A citizen is identified by the personal number,
    /// a stateless permanent resident by the residence permit number, anyone else by neither.
    LegalStatusSchema = "LegalStatus",
    LegalStatus::ALL.iter().map(|s| s.as_str()).collect()
);

string_enum!(
    /// An eligibility decision: `not_eligible` when any rule fails, else `undetermined` when any
    /// is unknown, else `eligible`.
    DecisionOutcomeSchema = "DecisionOutcome",
    Outcome::ALL.iter().map(|o| o.as_str()).collect()
);

string_enum!(
    /// One rule's verdict; `unknown` when the data it needs is missing.
    RuleOutcomeSchema = "RuleOutcome",
    RuleOutcome::ALL.iter().map(|o| o.as_str()).collect()
);

string_enum!(
    /// An eligibility rule of PROGRAM.md.
    RuleIdSchema = "RuleId",
    RuleId::ALL.iter().map(|r| r.as_str()).collect()
);

string_enum!(
    /// A person's sex as recorded (needs consent, R14).
    SexSchema = "Sex",
    Sex::ALL.iter().map(|s| s.as_str()).collect()
);

string_enum!(
    /// What a person consented to (R14); `program_services_and_medical` also covers medical
    /// details.
    ConsentScopeSchema = "ConsentScope",
    ConsentScope::ALL.iter().map(|s| s.as_str()).collect()
);

string_enum!(
    /// Where a return was recorded.
    PointOfArrivalSchema = "PointOfArrival",
    PointOfArrival::ALL.iter().map(|p| p.as_str()).collect()
);

string_enum!(
    /// The ministry, or an implementing NGO.
    OrganizationKindSchema = "OrganizationKind",
    OrganizationKind::ALL.iter().map(|k| k.as_str()).collect()
);

string_enum!(
    /// A first-level region of Georgia: its ISO 3166-2:GE code, or `GE-TSK`, this system's own
    /// code for the Tskhinvali region (which has no ISO code). `GE-AB` and `GE-TSK` are occupied
    /// territories, which the program does not cover (R4).
    RegionCodeSchema = "RegionCode",
    RegionCode::ALL.iter().map(|r| r.code()).collect()
);

string_enum!(
    /// R6: a region where temporary shelter is provided under state program direction N0100:
    /// Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti.
    ShelterRegionCodeSchema = "ShelterRegionCode",
    RegionCode::ALL.iter().filter(|r| r.shelter_covered()).map(|r| r.code()).collect()
);

string_enum!(
    /// A region the program covers (R4): every region of Georgia but the occupied territories
    /// (`GE-AB`, `GE-TSK`).
    CoveredRegionCodeSchema = "CoveredRegionCode",
    RegionCode::ALL.iter().filter(|r| !r.is_occupied()).map(|r| r.code()).collect()
);

string_enum!(
    /// A service the program pays for (S1–S6), by its stable code.
    ServiceTypeSchema = "ServiceType",
    ServiceType::ALL.iter().map(|s| s.code()).collect()
);

string_enum!(
    /// Where a service is in its lifecycle: `requested` → `approved` | `rejected`; `approved` →
    /// `delivered` | `cancelled`; `requested` → `cancelled`.
    ServiceStatusSchema = "ServiceStatus",
    ServiceStatus::ALL.iter().map(|s| s.as_str()).collect()
);

string_enum!(
    /// S1: the category of the condition a medical service is for.
    ConditionCategorySchema = "ConditionCategory",
    ConditionCategory::ALL.iter().map(|c| c.as_str()).collect()
);

string_pattern!(
    /// S1, R11: a diagnosis as an ICD-10 code (a letter, two digits, optionally a dot and one to
    /// four further characters). Sensitive: only the NGO holding the case reads it.
    Icd10CodeSchema = "Icd10Code",
    ICD10_PATTERN,
    example = "E11.9"
);

string_enum!(
    /// The program's service lines, S1–S6.
    ServiceCategorySchema = "ServiceCategory",
    {
        let mut categories: Vec<&'static str> = ServiceType::ALL.iter().map(|s| s.category()).collect();
        categories.dedup();
        categories
    }
);

string_pattern!(
    /// R1: a citizen's personal number, exactly 11 digits (leading zeros count).
    PersonalNumberSchema = "PersonalNumber",
    PersonalNumber::PATTERN,
    example = "01001012345"
);

string_pattern!(
    /// R1: a stateless person's Georgian permanent residence permit number, 6–20 Latin letters
    /// and digits, as stored: upper case.
    ResidencePermitNumberSchema = "ResidencePermitNumber",
    ResidencePermitNumber::PATTERN,
    example = "PR0012345678"
);

string_pattern!(
    /// R1: a stateless person's Georgian permanent residence permit number, 6–20 Latin letters
    /// and digits; lower case is accepted and stored upper case.
    ResidencePermitNumberInputSchema = "ResidencePermitNumberInput",
    ResidencePermitNumber::INPUT_PATTERN,
    example = "PR0012345678"
);

string_pattern!(
    /// An ISO 3166-1 alpha-2 country code of the stay abroad: two upper-case letters, not `GE`.
    CountryCodeSchema = "CountryCode",
    CountryCode::PATTERN,
    example = "IT"
);

string_pattern!(
    /// A Georgian phone number in E.164 form: `+995` and nine digits, the first 3, 4, 5 or 7.
    PhoneNumberSchema = "PhoneNumber",
    PhoneNumber::PATTERN,
    example = "+995555123456"
);

string_pattern!(
    /// A name in Georgian script (Mkhedruli): 1–100 letters, spaces, hyphens or apostrophes,
    /// starting with a letter. Runs of spaces are stored as one.
    GeorgianNameSchema = "GeorgianName",
    GeorgianName::PATTERN,
    example = "ნინო"
);

string_pattern!(
    /// A name in Latin letters, as in a passport: 1–100 ASCII letters, spaces, hyphens or
    /// apostrophes, starting with a letter. Runs of spaces are stored as one.
    LatinNameSchema = "LatinName",
    LatinName::PATTERN,
    example = "Nino"
);

#[cfg(test)]
mod request_examples;

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    fn json_of<S: PartialSchema>() -> serde_json::Value {
        serde_json::to_value(S::schema()).unwrap_or_default()
    }

    fn enum_of<S: PartialSchema>() -> Vec<String> {
        let values = json_of::<S>()["enum"].as_array().cloned().unwrap_or_default();
        values.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    fn strings<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        values.into_iter().map(str::to_owned).collect()
    }

    /// Each component lists exactly the domain's values, in its order, and each value parses.
    #[test]
    fn every_enumeration_is_the_domains_list() {
        assert_eq!(enum_of::<CaseStatusSchema>(), strings(CaseStatus::ALL.map(CaseStatus::as_str)));
        assert!(CaseStatus::ALL.iter().all(|s| CaseStatus::parse(s.as_str()) == Some(*s)));
        assert_eq!(enum_of::<RoleSchema>(), strings(Role::ALL.map(Role::as_str)));
        assert_eq!(enum_of::<ClientRoleSchema>(), ["ngo_manager", "ngo_caseworker"]);
        for role in ClientRoleSchema::values() {
            assert!(application::identity::create_client::client_role(Some(role)).is_ok(), "{role}");
        }
        for role in Role::ALL.iter().filter(|r| !ClientRoleSchema::values().contains(&r.as_str())) {
            assert!(application::identity::create_client::client_role(Some(role.as_str())).is_err(), "{role}");
        }
        assert_eq!(enum_of::<LegalStatusSchema>(), strings(LegalStatus::ALL.map(LegalStatus::as_str)));
        assert_eq!(enum_of::<DecisionOutcomeSchema>(), strings(Outcome::ALL.map(Outcome::as_str)));
        assert_eq!(enum_of::<RuleOutcomeSchema>(), strings(RuleOutcome::ALL.map(RuleOutcome::as_str)));
        assert_eq!(enum_of::<RuleIdSchema>(), strings(RuleId::ALL.map(RuleId::as_str)));
        assert_eq!(enum_of::<SexSchema>(), strings(Sex::ALL.map(Sex::as_str)));
        assert!(SexSchema::values().iter().all(|s| Sex::parse(s).is_some()));
        assert_eq!(enum_of::<ConsentScopeSchema>(), strings(ConsentScope::ALL.map(ConsentScope::as_str)));
        assert!(ConsentScopeSchema::values().iter().all(|s| ConsentScope::parse(s).is_some()));
        assert_eq!(enum_of::<PointOfArrivalSchema>(), strings(PointOfArrival::ALL.map(PointOfArrival::as_str)));
        assert_eq!(enum_of::<OrganizationKindSchema>(), strings(OrganizationKind::ALL.map(OrganizationKind::as_str)));
        assert_eq!(enum_of::<RegionCodeSchema>(), strings(RegionCode::ALL.map(RegionCode::code)));
        assert_eq!(enum_of::<RegionCodeSchema>().len(), 13);
        let covered = enum_of::<CoveredRegionCodeSchema>();
        assert_eq!(covered.len(), 11);
        for region in RegionCode::ALL {
            let accepted = application::identity::region_error("regions[0]", region).is_none();
            assert_eq!(covered.contains(&region.code().to_owned()), accepted, "{region}");
        }
        assert_eq!(enum_of::<ServiceTypeSchema>(), strings(ServiceType::ALL.map(ServiceType::code)));
        assert_eq!(enum_of::<ServiceCategorySchema>(), ["S1", "S2", "S3", "S4", "S5", "S6"]);
    }

    #[test]
    fn components_carry_their_names_and_descriptions() {
        use utoipa::ToSchema;
        assert_eq!(CaseStatusSchema::name(), "CaseStatus");
        assert_eq!(CoveredRegionCodeSchema::name(), "CoveredRegionCode");
        let schema = json_of::<RegionCodeSchema>();
        assert_eq!(schema["type"], "string");
        assert!(schema["description"].as_str().is_some_and(|d| d.contains("GE-TSK") && !d.contains('\n')));
        assert_eq!(json_of::<PersonalNumberSchema>()["pattern"], PersonalNumber::PATTERN);
    }

    /// Each pattern matches exactly what the domain's parser accepts (for input without
    /// surrounding whitespace, which the parsers trim and the patterns do not allow).
    #[test]
    fn every_pattern_agrees_with_the_domains_parser() {
        let check = |pattern: &str, parses: &dyn Fn(&str) -> bool, inputs: &[&str]| {
            let regex = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            for input in inputs {
                assert_eq!(regex.is_match(input), parses(input), "{pattern} on {input:?}");
            }
        };
        let long_ka = format!("ა{}", "ბ".repeat(99));
        let too_long_ka = format!("ა{}", "ბ".repeat(100));
        let long_lat = "N".repeat(100);
        let too_long_lat = "N".repeat(101);
        check(
            PersonalNumberSchema::PATTERN,
            &|s| PersonalNumber::parse(s).is_ok(),
            &[
                "01001012345",
                "00000000000",
                "0100101234",
                "010010123456",
                "0100101234a",
                "01001 12345",
                "",
                "٠١٠٠١٠١٢٣٤٥",
            ],
        );
        let permits = ["AB1234", "ab123456", "PR0000000001", "12345678901234567890", "AB123", "123456789012345678901"];
        let more_permits = ["AB-123456", "AB 123456", "ÄB123456", ""];
        let permit_inputs: Vec<&str> = permits.iter().chain(&more_permits).copied().collect();
        check(ResidencePermitNumberInputSchema::PATTERN, &|s| ResidencePermitNumber::parse(s).is_ok(), &permit_inputs);
        check(
            ResidencePermitNumberSchema::PATTERN,
            &|s| ResidencePermitNumber::parse(s).is_ok_and(|p| p.as_str() == s),
            &permit_inputs,
        );
        check(
            CountryCodeSchema::PATTERN,
            &|s| CountryCode::parse(s).is_some(),
            &["IT", "DE", "GB", "GA", "FE", "ZZ", "GE", "it", "ITA", "", "I1", "Ge"],
        );
        check(
            PhoneNumberSchema::PATTERN,
            &|s| PhoneNumber::parse(s).is_ok_and(|p| p.as_str() == s),
            &["+995555123456", "+995322431100", "+995055123456", "+99555512345", "555123456", "+1202555010"],
        );
        check(
            GeorgianNameSchema::PATTERN,
            &|s| GeorgianName::parse(s).is_ok(),
            &["ნინო", "ნინო ბერიძე", "ნინო-ბერიძე", "ნ'ინო", "Nino", "ნინო1", "-ნინო", "", &long_ka, &too_long_ka],
        );
        check(
            LatinNameSchema::PATTERN,
            &|s| LatinName::parse(s).is_ok(),
            &["Nino", "Nino Beridze-O'Neil", "ნინო", "-Nino", "", "Nino2", "Ñino", &long_lat, &too_long_lat],
        );
    }
}

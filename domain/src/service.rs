//! The services the program pays for (S1–S6), the service lifecycle, and R12.
//!
//! "A service is requested for an eligible, open case, then approved or
//! rejected, then delivered (with its actual cost) or cancelled."

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::message::Message;
use crate::role::Role;

/// A service the program pays for (S1–S6), written as its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    /// S1: diagnostics for a person with an acute, chronic or life-threatening disease.
    MedicalDiagnostics,
    /// S1: funding of emergency medical care, where needed.
    EmergencyMedicalCare,
    /// S1: funding of the appropriate medicines, where needed.
    Medication,
    /// S2: psycho-social rehabilitation.
    PsychosocialRehabilitation,
    /// S3: funding of a small project that creates a source of income or self-employment.
    SocialProject,
    /// S4: referral to the state's vocational training program; costs the grant nothing unless a cost is recorded.
    VocationalReferral,
    /// S5: at most 4 nights of shelter right after the return (R6–R8); hangs on the arrival, not on a case.
    TemporaryShelter,
    /// S6: published information about the services; not requested.
    Information,
}

impl ServiceType {
    /// Every service type, in display order.
    pub const ALL: [ServiceType; 8] = [
        Self::MedicalDiagnostics,
        Self::EmergencyMedicalCare,
        Self::Medication,
        Self::PsychosocialRehabilitation,
        Self::SocialProject,
        Self::VocationalReferral,
        Self::TemporaryShelter,
        Self::Information,
    ];

    /// Stable code (PROGRAM.md S1–S6).
    pub fn code(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics => "medical_diagnostics",
            Self::EmergencyMedicalCare => "emergency_medical_care",
            Self::Medication => "medication",
            Self::PsychosocialRehabilitation => "psychosocial_rehabilitation",
            Self::SocialProject => "social_project",
            Self::VocationalReferral => "vocational_referral",
            Self::TemporaryShelter => "temporary_shelter",
            Self::Information => "information",
        }
    }

    /// Reads the stable code; `None` for anything else.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// "S1" … "S6".
    pub fn category(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics | Self::EmergencyMedicalCare | Self::Medication => "S1",
            Self::PsychosocialRehabilitation => "S2",
            Self::SocialProject => "S3",
            Self::VocationalReferral => "S4",
            Self::TemporaryShelter => "S5",
            Self::Information => "S6",
        }
    }

    /// S1: "The request records the condition's category (acute, chronic, life-threatening)".
    pub fn requires_condition_category(self) -> bool {
        self.category() == "S1"
    }

    /// The service's name in Georgian.
    pub fn name_ka(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics => "სამედიცინო დიაგნოსტიკა",
            Self::EmergencyMedicalCare => "გადაუდებელი სამედიცინო დახმარება",
            Self::Medication => "მედიკამენტებით უზრუნველყოფა",
            Self::PsychosocialRehabilitation => "ფსიქო-სოციალური რეაბილიტაცია",
            Self::SocialProject => "სოციალური პროექტის დაფინანსება",
            Self::VocationalReferral => "პროფესიულ მომზადებაში ჩართვის ხელშეწყობა",
            Self::TemporaryShelter => "საცხოვრისით დროებითი უზრუნველყოფა",
            Self::Information => "ინფორმაციული უზრუნველყოფა",
        }
    }

    /// The service's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics => "Medical diagnostics",
            Self::EmergencyMedicalCare => "Emergency medical care",
            Self::Medication => "Medication",
            Self::PsychosocialRehabilitation => "Psycho-social rehabilitation",
            Self::SocialProject => "Social project",
            Self::VocationalReferral => "Vocational training referral",
            Self::TemporaryShelter => "Temporary shelter",
            Self::Information => "Information",
        }
    }

    /// From the ministry's program page (seed/program-page.ka.txt).
    pub fn description_ka(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics => {
                "მწვავე, ქრონიკული, სიცოცხლისთვის საშიში დაავადების მქონე პირების საჭირო დიაგნოსტიკის უზრუნველყოფა."
            }
            Self::EmergencyMedicalCare => "საჭიროების შემთხვევაში, გადაუდებელი სამედიცინო დახმარების დაფინანსება.",
            Self::Medication => "საჭიროების შემთხვევაში, სათანადო მედიკამენტებით უზრუნველყოფა.",
            Self::PsychosocialRehabilitation => "სამშობლოში დაბრუნებული მიგრანტების ფსიქო-სოციალური რეაბილიტაცია.",
            Self::SocialProject => {
                "შემოსავლის წყაროს გაჩენისა და თვითდასაქმების ხელშეწყობის მიზნით სოციალური პროექტების დაფინანსება."
            }
            Self::VocationalReferral => {
                "ინდივიდუალურად, ბენეფიციარის ცოდნის, კვალიფიკაციისა და უნარ-ჩვევების, მათი ინტერესებისა და სურვილების გათვალისწინებით, პროფესიული სწავლების მიმართულებების გამოკვეთა და ბენეფიციარისთვის ინფორმაციის მიწოდება სსიპ სოციალური მომსახურების სააგენტოს სამუშაოს მაძიებელთა პროფესიული მომზადება-გადამზადების და კვალიფიკაციის ამაღლების პროგრამაში ჩართვის ხელშეწყობის მიზნით; პროგრამაში ჩართვის მსურველთა შესახებ ინფორმაცია მიეწოდება სამინისტროს მიგრაციისა და რეპატრიაციის სამმართველოს."
            }
            Self::TemporaryShelter => {
                "საზღვარგარეთ არალეგალურად მყოფი ემიგრანტების დაბრუნებისთანავე, აეროპორტში სამინისტროს წარმომადგენლების მიერ გამოკვეთილი საჭიროებების შემთხვევაში, ბენეფიციარის არაუმეტეს 4 ღამით დროებითი განთავსების უზრუნველყოფა (სახელმწიფო პროგრამის N0100 მიმართულების ფარგლებში: თბილისი, ქვემო ქართლი, მცხეთა-მთიანეთი)."
            }
            Self::Information => {
                "საზოგადოების ინფორმირების მიზნით მზადდება საინფორმაციო მასალა, რომელიც მოიცავს ინფორმაციას პროგრამით გათვალისწინებული ყველა სერვისის შესახებ."
            }
        }
    }

    /// From PROGRAM.md S1–S6.
    pub fn description_en(self) -> &'static str {
        match self {
            Self::MedicalDiagnostics => "Diagnostics for persons with an acute, chronic or life-threatening disease.",
            Self::EmergencyMedicalCare => "Where needed, funding of emergency medical care.",
            Self::Medication => "Where needed, funding of the appropriate medicines.",
            Self::PsychosocialRehabilitation => "Psycho-social rehabilitation of migrants who returned to Georgia.",
            Self::SocialProject => "Funding of small projects that create a source of income or self-employment.",
            Self::VocationalReferral => {
                "Individually, from the beneficiary's knowledge, qualifications, skills, interests and wishes, the NGO identifies directions of vocational training and informs the beneficiary about the state Social Service Agency's training, retraining and qualification program for job seekers; the ministry's Migration and Repatriation Division is informed of everyone who wants to join."
            }
            Self::TemporaryShelter => {
                "Right after the return of a person who stayed abroad irregularly, where ministry staff at the airport identified the need, accommodation for no more than 4 nights (under state program direction N0100: Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti)."
            }
            Self::Information => {
                "Information material about all the program's services, prepared to inform the public."
            }
        }
    }

    /// Whether the service is requested on a case. Temporary shelter hangs on
    /// the arrival (S5, R8), and information is published, not requested (S6).
    pub fn requestable_on_case(self) -> bool {
        !matches!(self, Self::TemporaryShelter | Self::Information)
    }

    /// S4: a vocational referral "costs the grant nothing unless a cost is recorded".
    pub fn costs_grant_by_default(self) -> bool {
        !matches!(self, Self::VocationalReferral)
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// S1: the category of the condition a medical service is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionCategory {
    /// An acute disease.
    Acute,
    /// A chronic disease.
    Chronic,
    /// A life-threatening disease.
    LifeThreatening,
}

impl ConditionCategory {
    /// Every category, in display order.
    pub const ALL: [ConditionCategory; 3] = [Self::Acute, Self::Chronic, Self::LifeThreatening];

    /// The wire and database spelling, e.g. `life_threatening`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acute => "acute",
            Self::Chronic => "chronic",
            Self::LifeThreatening => "life_threatening",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The category's name in Georgian.
    pub fn name_ka(self) -> &'static str {
        match self {
            Self::Acute => "მწვავე",
            Self::Chronic => "ქრონიკული",
            Self::LifeThreatening => "სიცოცხლისთვის საშიში",
        }
    }

    /// The category's name in English, in lower case (as used inside a sentence).
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Acute => "acute",
            Self::Chronic => "chronic",
            Self::LifeThreatening => "life-threatening",
        }
    }
}

/// Where a service is in its lifecycle (see [`transition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    /// Requested for an eligible, open case; awaits approval or rejection.
    Requested,
    /// Approved by a manager other than the requester (R12); its amount counts against the grant (R10).
    Approved,
    /// Rejected by a manager; final.
    Rejected,
    /// Delivered, with its actual cost; final, and the cost counts against the grant (R10).
    Delivered,
    /// Cancelled before delivery; final, and no longer counts against the grant.
    Cancelled,
}

impl ServiceStatus {
    /// Every service status, in display order.
    pub const ALL: [ServiceStatus; 5] =
        [Self::Requested, Self::Approved, Self::Rejected, Self::Delivered, Self::Cancelled];

    /// The wire and database spelling, e.g. `delivered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// No action leads out of this state.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Rejected | Self::Delivered | Self::Cancelled)
    }

    /// R10: "approved-and-not-cancelled plus delivered amounts" count against the grant.
    pub fn commits_grant(self) -> bool {
        matches!(self, Self::Approved | Self::Delivered)
    }
}

/// A step in a service's lifecycle (see [`transition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceAction {
    /// Approve a requested service, against the NGO's grant (R10) and not by its requester (R12).
    Approve,
    /// Reject a requested service.
    Reject,
    /// Record an approved service as delivered, with its actual cost.
    Deliver,
    /// Cancel a requested or approved service.
    Cancel,
}

impl ServiceAction {
    /// Every action, in display order.
    pub const ALL: [ServiceAction; 4] = [Self::Approve, Self::Reject, Self::Deliver, Self::Cancel];

    /// The wire and database spelling, e.g. `approve`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Deliver => "deliver",
            Self::Cancel => "cancel",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A lifecycle step refused by [`transition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// No such step from this status (`invalid_transition`).
    #[error("cannot {} a service that is {}", action.as_str(), from.as_str())]
    NotAllowedFromState {
        /// The service's status.
        from: ServiceStatus,
        /// The step attempted.
        action: ServiceAction,
    },
    /// The step exists, but not for this role (`role_not_allowed`).
    #[error("the role {} may not {} a service that is {}", role.as_str(), action.as_str(), from.as_str())]
    RoleNotAllowed {
        /// The service's status.
        from: ServiceStatus,
        /// The step attempted.
        action: ServiceAction,
        /// The role of whoever attempted it.
        role: Role,
    },
}

impl TransitionError {
    /// The stable machine code: `invalid_transition` or `role_not_allowed`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowedFromState { .. } => "invalid_transition",
            Self::RoleNotAllowed { .. } => "role_not_allowed",
        }
    }

    /// The refusal in Georgian and English.
    pub fn message(&self) -> Message {
        match self {
            Self::NotAllowedFromState { from, action } => Message::new(
                format!("მოქმედება „{}“ დაუშვებელია სერვისისთვის სტატუსით „{}“.", action.as_str(), from.as_str()),
                format!("Cannot {} a service that is {}.", action.as_str(), from.as_str()),
            ),
            Self::RoleNotAllowed { from, action, role } => Message::new(
                format!(
                    "როლს „{}“ არ აქვს უფლება, შეასრულოს მოქმედება „{}“ სერვისზე სტატუსით „{}“.",
                    role.as_str(),
                    action.as_str(),
                    from.as_str()
                ),
                format!("The role {} may not {} a service that is {}.", role.as_str(), action.as_str(), from.as_str()),
            ),
        }
    }
}

/// The service lifecycle:
///
/// | from      | action  | to        | roles                        |
/// |-----------|---------|-----------|------------------------------|
/// | requested | approve | approved  | ngo_manager                  |
/// | requested | reject  | rejected  | ngo_manager                  |
/// | approved  | deliver | delivered | ngo_manager, ngo_caseworker  |
/// | requested | cancel  | cancelled | ngo_manager, ngo_caseworker  |
/// | approved  | cancel  | cancelled | ngo_manager                  |
///
/// Anything else is `invalid_transition`; a listed transition by another role
/// is `role_not_allowed`. Four eyes (R12) is checked separately by [`r12_four_eyes`].
pub fn transition(from: ServiceStatus, action: ServiceAction, role: Role) -> Result<ServiceStatus, TransitionError> {
    use ServiceAction as A;
    use ServiceStatus as S;
    let (to, allowed): (ServiceStatus, &[Role]) = match (from, action) {
        (S::Requested, A::Approve) => (S::Approved, &[Role::NgoManager]),
        (S::Requested, A::Reject) => (S::Rejected, &[Role::NgoManager]),
        (S::Approved, A::Deliver) => (S::Delivered, &[Role::NgoManager, Role::NgoCaseworker]),
        (S::Requested, A::Cancel) => (S::Cancelled, &[Role::NgoManager, Role::NgoCaseworker]),
        (S::Approved, A::Cancel) => (S::Cancelled, &[Role::NgoManager]),
        _ => return Err(TransitionError::NotAllowedFromState { from, action }),
    };
    if allowed.contains(&role) { Ok(to) } else { Err(TransitionError::RoleNotAllowed { from, action, role }) }
}

/// R12 violated: the requester tried to approve their own request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the person who requested a service cannot approve it")]
pub struct FourEyesError;

impl FourEyesError {
    /// The stable machine code, `four_eyes`.
    pub fn code(&self) -> &'static str {
        "four_eyes"
    }

    /// The refusal in Georgian and English.
    pub fn message(&self) -> Message {
        Message::new(
            "სერვისის მომთხოვნს არ შეუძლია მისი დამტკიცება.",
            "The person who requested a service cannot approve it.",
        )
    }
}

/// R12: "The person who requested a service cannot approve it."
pub fn r12_four_eyes<T: PartialEq>(requested_by: &T, approver: &T) -> Result<(), FourEyesError> {
    if requested_by == approver { Err(FourEyesError) } else { Ok(()) }
}

/// S1, R11: an ICD-10 code as the WHO writes it — a letter, two digits, and optionally a dot
/// with one to four further characters (`E11`, `E11.9`, `S72.001`, `F43.1`). Upper case only.
pub fn is_icd10_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    let (category, rest) = bytes.split_at(bytes.len().min(3));
    let category_ok = category.len() == 3
        && category[0].is_ascii_uppercase()
        && category[1].is_ascii_digit()
        && category[2].is_ascii_digit();
    let rest_ok = match rest {
        [] => true,
        [b'.', tail @ ..] => {
            (1..=4).contains(&tail.len()) && tail.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        }
        _ => false,
    };
    category_ok && rest_ok
}

/// The pattern of [`is_icd10_code`], for the published contract.
pub const ICD10_PATTERN: &str = r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$";

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use Role::{NgoCaseworker, NgoManager};

    #[test]
    fn s1_icd10_codes_at_the_edges_of_the_format() {
        for good in ["E11", "E11.9", "S72.001", "F43.1", "Z99.89", "C4A.0", "A00.ABCD"] {
            let expected = !good.starts_with("C4A");
            assert_eq!(is_icd10_code(good), expected, "{good}");
        }
        for bad in ["", "E1", "e11", "E11.", "E11.12345", "11E", "E11-9", "EE1", "E11 ", " E11", "E1١"] {
            assert!(!is_icd10_code(bad), "{bad:?}");
        }
    }
    use ServiceAction as A;
    use ServiceStatus as S;

    /// The lifecycle table, written out independently of `transition`.
    const TABLE: &[(ServiceStatus, ServiceAction, ServiceStatus, &[Role])] = &[
        (S::Requested, A::Approve, S::Approved, &[NgoManager]),
        (S::Requested, A::Reject, S::Rejected, &[NgoManager]),
        (S::Approved, A::Deliver, S::Delivered, &[NgoManager, NgoCaseworker]),
        (S::Requested, A::Cancel, S::Cancelled, &[NgoManager, NgoCaseworker]),
        (S::Approved, A::Cancel, S::Cancelled, &[NgoManager]),
    ];

    #[test]
    fn lifecycle_every_state_action_role_combination() {
        let mut checked = 0;
        for from in S::ALL {
            for action in A::ALL {
                for role in Role::ALL {
                    let row = TABLE.iter().find(|(f, a, _, _)| *f == from && *a == action);
                    let expected = match row {
                        None => Err("invalid_transition"),
                        Some((_, _, to, roles)) if roles.contains(&role) => Ok(*to),
                        Some(_) => Err("role_not_allowed"),
                    };
                    let got = transition(from, action, role).map_err(|e| e.code());
                    assert_eq!(got, expected, "{from:?} {action:?} {role:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 5 * 4 * 5);
    }

    #[test]
    fn lifecycle_caseworker_may_cancel_only_while_requested() {
        assert_eq!(transition(S::Requested, A::Cancel, NgoCaseworker), Ok(S::Cancelled));
        assert_eq!(
            transition(S::Approved, A::Cancel, NgoCaseworker),
            Err(TransitionError::RoleNotAllowed { from: S::Approved, action: A::Cancel, role: NgoCaseworker })
        );
    }

    #[test]
    fn lifecycle_terminal_states_allow_nothing() {
        for from in S::ALL.into_iter().filter(|s| s.is_terminal()) {
            for action in A::ALL {
                assert_eq!(
                    transition(from, action, NgoManager),
                    Err(TransitionError::NotAllowedFromState { from, action })
                );
            }
        }
    }

    #[test]
    fn r12_requester_cannot_approve() {
        assert_eq!(r12_four_eyes(&"user-1", &"user-1"), Err(FourEyesError));
        assert_eq!(r12_four_eyes(&"user-1", &"user-2"), Ok(()));
        assert_eq!(r12_four_eyes(&42_u64, &42_u64).unwrap_err().code(), "four_eyes");
    }

    #[test]
    fn service_types_table() {
        let cases = [
            (ServiceType::MedicalDiagnostics, "medical_diagnostics", "S1", true, true),
            (ServiceType::EmergencyMedicalCare, "emergency_medical_care", "S1", true, true),
            (ServiceType::Medication, "medication", "S1", true, true),
            (ServiceType::PsychosocialRehabilitation, "psychosocial_rehabilitation", "S2", true, true),
            (ServiceType::SocialProject, "social_project", "S3", true, true),
            (ServiceType::VocationalReferral, "vocational_referral", "S4", true, false),
            (ServiceType::TemporaryShelter, "temporary_shelter", "S5", false, true),
            (ServiceType::Information, "information", "S6", false, true),
        ];
        assert_eq!(cases.len(), ServiceType::ALL.len());
        for (t, code, category, on_case, costs) in cases {
            assert_eq!(t.code(), code);
            assert_eq!(ServiceType::parse(code), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), code);
            assert_eq!(t.category(), category);
            assert_eq!(t.requestable_on_case(), on_case, "{t}");
            assert_eq!(t.costs_grant_by_default(), costs, "{t}");
            assert_eq!(t.requires_condition_category(), category == "S1");
            for text in [t.name_ka(), t.description_ka()] {
                assert!(text.chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c)), "{t}");
            }
            assert!(!t.name_en().is_empty() && !t.description_en().is_empty());
        }
        assert_eq!(ServiceType::parse("Medication"), None);
    }

    #[test]
    fn enums_as_str_parse_serde_agree() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for a in A::ALL {
            assert_eq!(A::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for c in ConditionCategory::ALL {
            assert_eq!(ConditionCategory::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let committing: Vec<_> = S::ALL.into_iter().filter(|s| s.commits_grant()).collect();
        assert_eq!(committing, [S::Approved, S::Delivered]);
    }
}

//! S6 — Information: the program's public description, served without
//! authentication in Georgian and English.

use serde::Serialize;

use crate::message::Message;

/// The 2017 budget (PROGRAM.md, R9): 590,000 GEL.
pub const PROGRAM_BUDGET_2017_GEL: u64 = 590_000;

/// One eligibility criterion as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// "R1" … "R5".
    pub rule: &'static str,
    /// The criterion's short name, e.g. "Legal status".
    pub title: Message,
    /// The criterion as published, in full.
    pub text: Message,
}

/// How to reach the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// The program's e-mail address.
    pub email: &'static str,
    /// The program's phone number, in international form.
    pub phone: &'static str,
    /// The ministry's postal address, in Georgian and English.
    pub address: Message,
    /// The ministry's website, without a scheme.
    pub website: &'static str,
}

/// The program's name as published, in Georgian and English.
pub fn program_name() -> Message {
    Message::new(
        "საქართველოში დაბრუნებულ მიგრანტთა სარეინტეგრაციო დახმარების პროგრამა",
        "Reintegration Assistance Program for Migrants Returned to Georgia",
    )
}

/// The program's contact details, as on the program page.
pub fn contact() -> Contact {
    Contact {
        email: "reintegration@mra.gov.ge",
        phone: "+995 32 243 11 00",
        address: Message::new(
            "თამარაშვილის ქ. 15ა, 0177, თბილისი, საქართველო",
            "15a Tamarashvili St., 0177 Tbilisi, Georgia",
        ),
        website: "www.mra.gov.ge",
    }
}

/// The 2017 implementing NGOs, as named on the program page.
pub fn implementing_organizations_2017() -> Vec<Message> {
    vec![
        Message::new("საზოგადოებრივი დამცველი", "Public Defender"),
        Message::new(
            "სამცხე-ჯავახეთის რეგიონული ასოციაცია „ტოლერანტი“",
            "Samtskhe-Javakheti Regional Association \"Tolerant\"",
        ),
        Message::new("ფონდი „აფხაზინტერკონტი“", "Foundation \"Abkhazintercont\""),
        Message::new(
            "წამების მსხვერპლთა ფსიქო-სოციალური და სამედიცინო რეაბილიტაციის ცენტრი - ბათუმი",
            "Center for Psycho-Social and Medical Rehabilitation of Torture Victims – Batumi",
        ),
        Message::new("კახეთის რეგიონალური განვითარების ფონდი", "Kakheti Regional Development Foundation"),
    ]
}

/// R1–R5 as published.
pub fn eligibility_criteria() -> Vec<Criterion> {
    vec![
        Criterion {
            rule: "R1",
            title: Message::new("სამართლებრივი სტატუსი", "Legal status"),
            text: Message::new(
                "საქართველოს მოქალაქე (11-ნიშნა პირადი ნომრით) ან მოქალაქეობის არმქონე პირი საქართველოში მუდმივად ცხოვრების ნებართვით (ნებართვის ნომრით).",
                "A citizen of Georgia (identified by the 11-digit personal number) or a stateless person holding a Georgian permanent residence permit (identified by the permit number).",
            ),
        },
        Criterion {
            rule: "R2",
            title: Message::new("მიგრაციის ისტორია", "Migration history"),
            text: Message::new(
                "პირი საზღვარგარეთ იმყოფებოდა არალეგალურად ერთ წელზე მეტი ვადით (365 დღეზე მეტი), ან საზღვარგარეთ ჰქონდა განაცხადი თავშესაფრის მიღებაზე, ან სარგებლობდა თავშესაფრით ან საერთაშორისო დაცვის სხვა სტატუსით.",
                "The person stayed abroad irregularly for more than one year (more than 365 days), or applied for asylum abroad, or held asylum or another international protection status abroad.",
            ),
        },
        Criterion {
            rule: "R3",
            title: Message::new("რეგისტრაციის ვადა", "Registration window"),
            text: Message::new(
                "პირი პროგრამაში რეგისტრირდება სამშობლოში დაბრუნებიდან 1 წლის განმავლობაში (დაბრუნების დღისა და ვადის ბოლო დღის ჩათვლით).",
                "The person registers in the program within one year of the return (the return date and the last day of the year both count).",
            ),
        },
        Criterion {
            rule: "R4",
            title: Message::new("ტერიტორია", "Territory"),
            text: Message::new(
                "პირი ცხოვრობს საქართველოში, ოკუპირებული ტერიტორიების (აფხაზეთი და ცხინვალის რეგიონი) გარდა.",
                "The person lives in Georgia outside the occupied territories (Abkhazia and the Tskhinvali region).",
            ),
        },
        Criterion {
            rule: "R5",
            title: Message::new("ერთი საქმე ერთ დაბრუნებაზე", "One case per return"),
            text: Message::new(
                "ერთ დაბრუნებაზე პირს შეიძლება ჰქონდეს მხოლოდ ერთი ღია საქმე, ყველა განმახორციელებელ ორგანიზაციაში ჯამურად.",
                "A person has at most one open program case per return, across all implementing organisations.",
            ),
        },
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn is_georgian(s: &str) -> bool {
        s.chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c))
    }

    #[test]
    fn criteria_cover_r1_to_r5_in_both_languages() {
        let criteria = eligibility_criteria();
        let rules: Vec<_> = criteria.iter().map(|c| c.rule).collect();
        assert_eq!(rules, ["R1", "R2", "R3", "R4", "R5"]);
        for c in &criteria {
            assert!(is_georgian(&c.title.ka) && is_georgian(&c.text.ka), "{}", c.rule);
            assert!(!c.title.en.is_empty() && !c.text.en.is_empty(), "{}", c.rule);
        }
    }

    #[test]
    fn program_facts() {
        assert!(is_georgian(&program_name().ka));
        assert_eq!(contact().email, "reintegration@mra.gov.ge");
        assert_eq!(implementing_organizations_2017().len(), 5);
        assert_eq!(
            crate::money::Tetri::from_gel(PROGRAM_BUDGET_2017_GEL).map(|t| t.to_string()),
            Some("590,000.00 GEL".to_owned())
        );
        let json = serde_json::to_value(contact()).unwrap();
        assert_eq!(json["address"]["en"], "15a Tamarashvili St., 0177 Tbilisi, Georgia");
    }
}

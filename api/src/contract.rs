//! #10: the server answers only with what its document declares. With `--check-contract` (the
//! test servers and the fuzzing run in CI turn it on) every answer's status is compared with
//! the statuses its operation documents — found from the route that matched, not from a
//! hand-kept list — and an undocumented one becomes a 500 naming the violation, so any test
//! that meets it fails.

use std::collections::{BTreeSet, HashMap};

use utoipa::openapi::OpenApi;

/// The statuses each operation documents, by method and route pattern.
#[derive(Debug, Clone, Default)]
pub struct Contract {
    statuses: HashMap<(String, String), BTreeSet<u16>>,
}

/// The header that names the violation on the 500 that replaced the answer.
pub const VIOLATION_HEADER: &str = "x-contract-violation";

impl Contract {
    pub fn from_document(doc: &OpenApi) -> Self {
        let mut statuses = HashMap::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, operation) in operations {
                let Some(operation) = operation else { continue };
                let documented = operation.responses.responses.keys().filter_map(|s| s.parse().ok()).collect();
                statuses.insert((method.to_owned(), path.clone()), documented);
            }
        }
        Self { statuses }
    }

    /// Why an answer breaks the contract, if it does. A request that matched no operation
    /// (an unknown path, a wrong method, the docs) is no operation's answer.
    pub fn violation(&self, method: &str, pattern: Option<&str>, status: u16) -> Option<String> {
        let pattern = pattern?;
        let documented = self.statuses.get(&(method.to_owned(), pattern.to_owned()))?;
        (!documented.contains(&status))
            .then(|| format!("{method} {pattern} answered {status}, which its operation does not document"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undocumented_status_of_a_documented_operation_is_a_violation() {
        let contract = Contract::from_document(&crate::apidoc::document());
        assert_eq!(contract.violation("GET", Some("/api/v1/cases/{id}"), 404), None);
        assert_eq!(contract.violation("GET", Some("/api/v1/cases/{id}"), 200), None);
        let violation = contract.violation("GET", Some("/api/v1/cases/{id}"), 418);
        assert!(violation.is_some_and(|v| v.contains("418")));
        // The program is public: no token, so no 401 can be documented or answered.
        assert!(contract.violation("GET", Some("/api/v1/program"), 401).is_some());
        // Not an operation: nothing to check.
        assert_eq!(contract.violation("GET", Some("/docs/{_:.*}"), 418), None);
        assert_eq!(contract.violation("DELETE", Some("/api/v1/cases/{id}"), 405), None);
        assert_eq!(contract.violation("GET", None, 404), None);
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every problem code is documented and produced (#9.4): the committed OpenAPI document lists
//! exactly the server's codes, and each code is asserted by at least one test, so a code that no
//! path produces, or that clients cannot see in the contract, fails here.

use std::path::Path;

use api::error::ErrorCode;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn the_openapi_document_lists_exactly_the_servers_error_codes() {
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("openapi/openapi.json")).unwrap()).unwrap();
    let documented: Vec<&str> = document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is an enumeration in the document")
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    let served: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(documented, served);
}

/// The text of the tests that could assert a code: the black-box tests, the binary's tests, and
/// the unit-test modules of the API crate.
fn test_sources() -> Vec<(String, String)> {
    let mut sources = Vec::new();
    let mut visit = |dir: &Path, only_test_modules: bool| {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("error_codes.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let text = if only_test_modules {
                        text.split_once("#[cfg(test)]").map(|(_, tests)| tests.to_owned()).unwrap_or_default()
                    } else {
                        text
                    };
                    sources.push((path.display().to_string(), text));
                }
            }
        }
    };
    visit(&root().join("tests/tests"), false);
    visit(&root().join("api/tests"), false);
    visit(&root().join("api/src"), true);
    sources
}

/// Whether `text` holds `code` as a string: `"code"` or, inside JSON in a string, `\"code\"`.
fn quotes(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        before == Some('"') && matches!(after, Some('"') | Some('\\'))
    })
}

#[test]
fn every_error_code_is_asserted_by_some_test() {
    let sources = test_sources();
    assert!(sources.len() > 20, "found only {} test files", sources.len());
    let never: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !sources.iter().any(|(_, text)| quotes(text, code)))
        .collect();
    assert!(never.is_empty(), "no test produces and asserts these codes: {never:?}");
}

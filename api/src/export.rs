//! Tabular answers beside JSON: content negotiation by `Accept`, and RFC 4180 CSV in UTF-8 with
//! a byte-order mark (Excel then reads Georgian), CRLF line ends, and text that a spreadsheet
//! would run as a formula kept as text. Used by the referral feed and the reports.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;

/// The media type of CSV answers.
pub const CSV: &str = "text/csv; charset=utf-8";
/// The media type of Excel workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The format a caller asked for with `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The format asked for: CSV or Excel when `Accept` names it (and the answer offers it), JSON
/// otherwise.
pub fn negotiate(request: &HttpRequest, offered: &[Format]) -> Format {
    let accept = request.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let names = |media: &str| accept.split(',').any(|part| part.trim().starts_with(media));
    if offered.contains(&Format::Csv) && names("text/csv") {
        Format::Csv
    } else if offered.contains(&Format::Xlsx) && names(XLSX) {
        Format::Xlsx
    } else {
        Format::Json
    }
}

/// One CSV text field: RFC 4180 quoting, and text a spreadsheet would run as a formula kept as
/// text (a leading `'`).
pub fn text_field(out: &mut String, value: &str) {
    let guarded =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&guarded.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&guarded);
    }
}

/// One CSV row of text fields, ended with CRLF.
pub fn text_row(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        text_field(out, field);
    }
    out.push_str("\r\n");
}

/// A new CSV document: the byte-order mark and the header row.
pub fn document(header: &[&str]) -> String {
    let mut out = String::from("\u{feff}");
    text_row(&mut out, header);
    out
}

/// An amount in tetri as GEL with two decimals (`12345` → `123.45`), for CSV and reports.
pub fn gel(tetri: i64) -> String {
    let sign = if tetri < 0 { "-" } else { "" };
    let abs = tetri.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says_and_formulas_stay_text() {
        let mut out = String::new();
        for value in ["plain", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "-5", "ქართული"] {
            text_field(&mut out, value);
            out.push('|');
        }
        assert_eq!(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|'=SUM(A1)|'-5|ქართული|");
    }

    #[test]
    fn tetri_are_written_as_gel_with_two_decimals() {
        assert_eq!(gel(0), "0.00");
        assert_eq!(gel(1), "0.01");
        assert_eq!(gel(12_345), "123.45");
        assert_eq!(gel(-250), "-2.50");
    }
}

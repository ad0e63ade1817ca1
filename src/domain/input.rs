//! Rules every input obeys, wherever it comes from (an API body, a file, a query): dates within
//! a bounded range, text without control or direction-changing characters, case references
//! that are pseudonyms, and names of a sensible length. Each rule exists once, here.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use super::FieldErrors;

/// The first and last dates the service accepts (docs/planning.md, "Limits"): wide enough for
/// any date of birth or order, narrow enough that date arithmetic can never overflow.
pub const FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
pub const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).unwrap();

/// The longest string any document may hold (a description, say); names are shorter.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The longest name (of a provider, an area, a group, a facilitator).
pub const MAX_NAME_CHARS: usize = 200;

/// A date in `YYYY-MM-DD` form within `FIRST_DATE..=LAST_DATE`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| "invalid date, expected YYYY-MM-DD".to_string())?;
    if !(FIRST_DATE..=LAST_DATE).contains(&day) {
        return Err(format!("must be between {FIRST_DATE} and {LAST_DATE}"));
    }
    Ok(day)
}

/// Serde helpers: `#[serde(deserialize_with = "input::date")]` and friends, so a date outside
/// the range is refused while parsing, naming its field.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).map_err(serde::de::Error::custom)
}

pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| parse_date(&text).map_err(serde::de::Error::custom))
        .transpose()
}

pub fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|text| parse_date(text).map_err(serde::de::Error::custom))
        .collect()
}

/// Characters no field may hold: control characters (other than line breaks and tabs) and the
/// bidirectional controls that can make text read differently from what it holds.
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Why a string cannot be stored, if it cannot.
pub fn text_problem(text: &str) -> Option<String> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Some(format!("at most {MAX_TEXT_CHARS} characters"));
    }
    text.chars().find(|c| forbidden_char(*c)).map(|c| {
        format!(
            "holds a control or text-direction character (U+{:04X})",
            c as u32
        )
    })
}

/// Every string (and key) of a JSON document, checked by `text_problem`; the fields at fault.
pub fn check_document_text(value: &serde_json::Value, path: &str, errors: &mut FieldErrors) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(problem) = text_problem(text) {
                errors.push(display_path(path), problem);
            }
        }
        serde_json::Value::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                check_document_text(item, &format!("{path}[{k}]"), errors);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if let Some(problem) = text_problem(key) {
                    errors.push(display_path(path), format!("a key {problem}"));
                }
                check_document_text(item, &here, errors);
            }
        }
        _ => {}
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "(document)".into()
    } else {
        path.into()
    }
}

/// The one rule for a child's case reference: a pseudonym such as `YP-0001` (letters, digits,
/// `-`, `_` or `.`, 1 to 64 of them), never a name.
pub fn check_reference(field: &str, reference: &str, errors: &mut FieldErrors) {
    let ok = (1..=64).contains(&reference.len())
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        errors.push(
            field,
            "a case reference such as YP-0001: 1 to 64 letters, digits, '-', '_' or '.', never a name",
        );
    }
}

/// A name shown to people (a provider, an area, a group, a facilitator): 1 to 200 characters,
/// not only spaces, and no markup brackets.
pub fn check_name(field: &str, name: &str, errors: &mut FieldErrors) {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME_CHARS {
        errors.push(field, format!("a name of 1 to {MAX_NAME_CHARS} characters"));
    } else if trimmed.contains(['<', '>']) || trimmed.chars().any(forbidden_char) {
        errors.push(field, "must not contain '<', '>' or control characters");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_the_range_are_refused() {
        assert!(parse_date("2026-12-01").is_ok());
        assert!(parse_date("+262142-12-31").is_err());
        assert!(parse_date("1899-12-31").is_err());
        assert!(parse_date("2200-01-01").is_err());
        assert!(parse_date("2026-2-1").is_err());
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        assert!(text_problem("Group A").is_none());
        assert!(text_problem("line\nbreak").is_none());
        assert!(text_problem("nul\u{0}").is_some());
        assert!(text_problem("evil\u{202E}txt").is_some());
        assert!(text_problem(&"x".repeat(MAX_TEXT_CHARS + 1)).is_some());
    }

    #[test]
    fn references_are_pseudonyms_and_names_are_plain() {
        let mut errors = FieldErrors::default();
        check_reference("r", "YP-0001", &mut errors);
        check_name("n", "Northside", &mut errors);
        assert!(errors.is_empty());
        check_reference("r", "Jane Smith", &mut errors);
        check_name("n", "<script>", &mut errors);
        check_name("n", " ", &mut errors);
        assert_eq!(errors.0.len(), 3);
    }
}

//! How pages write values: dates as "4 October 2026" (GOV.UK style), codes as words.

use chrono::NaiveDate;
use handlebars::handlebars_helper;

/// "2026-10-04" (or an RFC 3339 time) as "4 October 2026"; anything else unchanged.
pub fn long_date(value: &str) -> String {
    let day = value.get(..10).unwrap_or(value);
    match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(date) => date.format("%-d %B %Y").to_string(),
        Err(_) => value.to_string(),
    }
}

/// `no_offending_focused_work` as "No offending focused work".
pub fn words(code: &str) -> String {
    let spaced = code.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

handlebars_helper!(date_helper: |value: str| long_date(value));
handlebars_helper!(words_helper: |value: Json| match value {
    serde_json::Value::String(code) => words(code),
    // A tagged value (`{"provision": …}`): its tag.
    serde_json::Value::Object(map) => map.keys().next().map_or_else(String::new, |k| words(k)),
    serde_json::Value::Null => String::new(),
    other => other.to_string(),
});
// A count of children as the reports give it: null is a suppressed count of 1 to 4.
handlebars_helper!(count_helper: |value: Json| match value {
    serde_json::Value::Null => "fewer than 5".to_string(),
    other => other.to_string(),
});
// Joins its arguments as text: for a partial's argument built from several values.
handlebars_helper!(concat_helper: |*args| args
    .iter()
    .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
    .collect::<String>());

pub fn register(registry: &mut handlebars::Handlebars<'_>) {
    registry.register_helper("date", Box::new(date_helper));
    registry.register_helper("words", Box::new(words_helper));
    registry.register_helper("concat", Box::new(concat_helper));
    registry.register_helper("count_of", Box::new(count_helper));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out() {
        assert_eq!(long_date("2026-10-04"), "4 October 2026");
        assert_eq!(long_date("2026-12-07T08:20:00.000Z"), "7 December 2026");
        assert_eq!(long_date("soon"), "soon");
        assert_eq!(words("transition_at_18"), "Transition at 18");
    }
}

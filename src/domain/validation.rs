//! Field-level validation errors, collected so that every problem is reported at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one field of a document. `field` is a path such as
/// `young_person.needs[2].need`, or `file.toml: sessions` for catalogue files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Field names relative to `prefix` (a record checked as `entry.…` is reported as `…`).
    pub fn relative_to(mut self, prefix: &str) -> FieldErrors {
        for e in self.0.iter_mut() {
            e.field = e
                .field
                .trim_start_matches(prefix)
                .trim_start_matches('.')
                .to_string();
        }
        self
    }

    pub fn first(&self) -> Option<&FieldError> {
        self.0.first()
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldError> for FieldErrors {
    fn from(e: FieldError) -> Self {
        FieldErrors(vec![e])
    }
}

/// Parses JSON into `T`, naming the field that failed (for example `order.start`).
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, FieldError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            "(document)".to_string()
        } else {
            path
        };
        FieldError {
            field,
            message: clean_serde_message(&e.inner().to_string()),
        }
    })?;
    de.end().map_err(|e| FieldError {
        field: "(document)".into(),
        message: e.to_string(),
    })?;
    // Every string of every document obeys the text rules (control and direction characters,
    // length), whichever field it is in: checked on the whole document, once.
    let whole: serde_json::Value = serde_json::from_str(text).map_err(|e| FieldError {
        field: "(document)".into(),
        message: e.to_string(),
    })?;
    let mut errors = FieldErrors::default();
    super::input::check_document_text(&whole, "", &mut errors);
    match errors.0.into_iter().next() {
        Some(first) => Err(first),
        None => Ok(value),
    }
}

/// serde's messages end with "at line L column C"; keep them, they help with big documents,
/// but say "invalid date" for chrono's terse messages.
fn clean_serde_message(message: &str) -> String {
    if message.starts_with("input contains invalid characters")
        || message.starts_with("premature end of input")
        || message.starts_with("input is out of range")
        || message.starts_with("input is not enough for unique date")
        || message.starts_with("trailing input")
    {
        format!("invalid date, expected YYYY-MM-DD ({message})")
    } else {
        message.to_string()
    }
}

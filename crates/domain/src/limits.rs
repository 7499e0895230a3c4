//! Field limits of DESIGN §8, checked at every edge (API, web forms, import).

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 50_000;
pub const PHONE_MAX: usize = 40;
pub const NAME_MAX: usize = 100;
pub const REASON_MAX: usize = 2_000;
pub const SUMMARY_MAX: usize = 5_000;
pub const PASSWORD_MIN: usize = 8;

/// What is wrong with one field; the message is shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A required text field: trimmed, not empty, at most `max` characters (not bytes).
pub fn required(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "不能为空"));
    }
    at_most(field, v, max)?;
    Ok(v.to_string())
}

/// An optional text field: empty becomes `None`.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            at_most(field, v, max)?;
            Ok(Some(v.to_string()))
        }
    }
}

pub fn at_most(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            format!("不能超过{max}个字符（现为{n}个）"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        let title: String = "提".repeat(TITLE_MAX);
        assert!(required("title", &title, TITLE_MAX).is_ok());
        let e = required("title", &format!("{title}案"), TITLE_MAX).unwrap_err();
        assert_eq!(e.field, "title");
        assert!(e.message.contains("200"));
        assert_eq!(
            required("title", "   ", TITLE_MAX).unwrap_err().message,
            "不能为空"
        );
        assert_eq!(optional("summary", Some("  "), 10).unwrap(), None);
    }
}

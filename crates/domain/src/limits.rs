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
    printable(field, value)?;
    let n = value.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            format!("不能超过{max}个字符（现为{n}个）"),
        ));
    }
    Ok(())
}

/// Refuses characters that no official text contains and that hide or reorder what a reader
/// sees: NUL and the other control characters (line breaks and tabs excepted), and the
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a
/// title read differently on screen than it is stored.
pub fn printable(field: &str, value: &str) -> Result<(), FieldError> {
    for c in value.chars() {
        let bad = match c {
            '\n' | '\r' | '\t' => None,
            '\0' => Some("空字符（NUL）".to_string()),
            c if c.is_control() => Some(format!("控制字符 U+{:04X}", c as u32)),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                Some(format!("文字方向控制符 U+{:04X}", c as u32))
            }
            _ => None,
        };
        if let Some(what) = bad {
            return Err(FieldError::new(
                field,
                format!("含有不可见的{what}，请删除后重新输入（常见于从其他软件复制的文字）"),
            ));
        }
    }
    Ok(())
}

/// An e-mail address that looks deliverable: one `@`, a dotted domain, no spaces or brackets.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.chars().count() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>(),;:\\\"[]".contains(c))
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

    #[test]
    fn hidden_characters_are_refused_with_a_name() {
        assert!(required("title", "关于\0的提案", TITLE_MAX)
            .unwrap_err()
            .message
            .contains("NUL"));
        let e = required("title", "关于\u{202E}案提的\u{202C}", TITLE_MAX).unwrap_err();
        assert!(e.message.contains("U+202E"), "{}", e.message);
        assert!(optional("name", Some("张\u{2067}三"), NAME_MAX).is_err());
        assert!(
            required("body", "第一段\n\t第二段\r\n", BODY_MAX).is_ok(),
            "line breaks and tabs are text"
        );
        assert!(required("title", "bell\u{7}", TITLE_MAX).is_err());
    }
}

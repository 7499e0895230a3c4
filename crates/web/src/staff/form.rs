//! A posted HTML form, and its translation into the JSON body the use cases take. Only the
//! shape changes here (text → number, repeated fields → lists, empty → absent); the use case
//! validates the values, so a form and the API refuse the same input with the same words.

use banli_app::{AppError, Input};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form {
            pairs: form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every non-blank value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every value of a repeated field, blanks kept (parallel columns of a table).
    pub fn column(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// What the user typed, to show the form again after an error.
    pub fn values(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        for (k, v) in &self.pairs {
            if k != "_csrf" {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        m
    }

    /// Text as typed (a missing required text reaches the use case as "" so it names the field).
    pub fn text(&self, name: &str) -> Value {
        Value::String(
            self.pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default(),
        )
    }

    pub fn opt_text(&self, name: &str) -> Value {
        self.get(name)
            .map(|v| Value::String(v.to_string()))
            .unwrap_or(Value::Null)
    }

    pub fn int(&self, name: &str) -> Result<Value, AppError> {
        match self.get(name) {
            None => Ok(Value::Null),
            Some(v) => v
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| AppError::bad(name, format!("“{v}”不是有效的编号"))),
        }
    }

    /// A required choice (select or radio): absent is refused here with a plain message,
    /// instead of a serde message about a missing variant.
    pub fn choice(&self, name: &str, missing: &str) -> Result<Value, AppError> {
        self.get(name)
            .map(|v| Value::String(v.to_string()))
            .ok_or_else(|| AppError::bad(name, missing))
    }

    /// A date from `<input type="date">`; absent is `null`.
    pub fn date(&self, name: &str) -> Result<Value, AppError> {
        match self.get(name) {
            None => Ok(Value::Null),
            Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|_| Value::String(v.to_string()))
                .map_err(|_| AppError::bad(name, format!("“{v}”不是有效日期（格式：2026-03-15）"))),
        }
    }

    /// A checkbox or a yes/no select: "1", "true", "on", "yes" are yes.
    pub fn flag(&self, name: &str) -> Value {
        Value::Bool(
            self.get(name)
                .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes")),
        )
    }

    /// Names separated by 、, commas or spaces (co-signers, proposers).
    pub fn names(&self, name: &str) -> Value {
        let text = self.get(name).unwrap_or("");
        Value::Array(
            text.split(|c: char| {
                c == '、' || c == ',' || c == '，' || c == ';' || c == '；' || c.is_whitespace()
            })
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_string()))
            .collect(),
        )
    }
}

/// A JSON object from (field, value) pairs, leaving out absent values so optional fields stay optional.
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in fields {
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

/// The body for a use case, exactly as the API would send it.
pub fn input<T: DeserializeOwned>(v: Value) -> Input<T> {
    Input::raw(serde_json::to_vec(&v).expect("JSON value serialises"))
}

/// Which form failed, on which field, and what the user typed: the page shows the message
/// beside the field and fills the form in again.
#[derive(Debug, Default)]
pub struct Failed {
    pub form: String,
    pub field: Option<String>,
    pub message: String,
    pub values: HashMap<String, String>,
}

impl Failed {
    pub fn new(form: &str, e: &AppError, f: &Form) -> Failed {
        // `commitments[2].due_on` is shown beside the commitments table.
        let field = e
            .field()
            .map(|f| f.split(['[', '.']).next().unwrap_or(f).to_string());
        Failed {
            form: form.to_string(),
            field,
            message: e.to_string(),
            values: f.values(),
        }
    }

    /// The error for one field of one form (templates call this beside each input).
    pub fn at(&self, form: impl AsRef<str>, field: &str) -> Option<&str> {
        (self.form == form.as_ref() && self.field.as_deref() == Some(field))
            .then_some(self.message.as_str())
    }

    /// An error of the form on no field shown beside an input (`shown`: the fields that
    /// have their own message, comma-separated), shown at the top of the form.
    pub fn general(&self, form: impl AsRef<str>, shown: &str) -> Option<&str> {
        (self.form == form.as_ref()
            && self
                .field
                .as_deref()
                .is_none_or(|f| !shown.split(',').any(|s| s == f)))
        .then_some(self.message.as_str())
    }

    pub fn is(&self, form: impl AsRef<str>) -> bool {
        self.form == form.as_ref()
    }

    /// What was typed into a field of this form, or the default.
    pub fn val<'a>(&'a self, form: impl AsRef<str>, field: &str, default: &'a str) -> &'a str {
        if self.form == form.as_ref() {
            self.values.get(field).map(String::as_str).unwrap_or("")
        } else {
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_the_api_shape() {
        let f = Form::parse(
            "lead=3&title=+%E6%A0%87%E9%A2%98+&key=on&cosigners=a%E3%80%81b%2Cc".as_bytes(),
        );
        let v = object(vec![
            ("lead", f.int("lead").unwrap()),
            ("title", f.text("title")),
            ("key", f.flag("key")),
            ("c", f.names("cosigners")),
            ("none", f.opt_text("none")),
        ]);
        assert_eq!(
            v,
            serde_json::json!({"lead": 3, "title": "标题", "key": true, "c": ["a", "b", "c"]})
        );
        let e = Form::parse(b"lead=x").int("lead").unwrap_err();
        assert_eq!(e.field(), Some("lead"));
    }

    #[test]
    fn a_failed_form_keeps_what_was_typed() {
        let f = Form::parse("title=abc&_csrf=secret".as_bytes());
        let failed = Failed::new("edit", &AppError::rule("commitments[1].due_on", "x"), &f);
        assert_eq!(failed.field.as_deref(), Some("commitments"));
        assert_eq!(failed.val("edit", "title", "old"), "abc");
        assert_eq!(failed.val("other", "title", "old"), "old");
        assert!(!failed.values.contains_key("_csrf"));
    }
}

use crate::error::AppError;
use serde::de::DeserializeOwned;

/// A use case's input: raw bytes from the API (parsed only after the caller is authorised,
/// so a caller who may not act gets 403 whatever they send) or a value built in code.
pub enum Input<T> {
    Raw(Vec<u8>),
    Value(T),
}

impl<T> From<T> for Input<T> {
    fn from(v: T) -> Self {
        Input::Value(v)
    }
}

impl<T: DeserializeOwned> Input<T> {
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Input::Raw(bytes.into())
    }

    pub fn get(self) -> Result<T, AppError> {
        match self {
            Input::Value(v) => Ok(v),
            Input::Raw(bytes) => parse_json(&bytes),
        }
    }
}

/// Parses JSON naming the field that is wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}" as &[u8]
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut field = (path != "." && !path.is_empty()).then_some(path);
        let text = inner.to_string();
        if let Some(rest) = text.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or_default();
            field = Some(match field {
                Some(p) => format!("{p}.{name}"),
                None => name.to_string(),
            });
        }
        let message = match (&field, inner.classify()) {
            (_, serde_json::error::Category::Syntax | serde_json::error::Category::Eof) => {
                format!("请求体不是有效的 JSON：{inner}")
            }
            (Some(f), _) => format!("字段 {f} 有误：{inner}"),
            (None, _) => format!("请求有误：{inner}"),
        };
        AppError::BadInput { field, message }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        #[allow(dead_code)]
        due_on: chrono::NaiveDate,
    }

    #[test]
    fn a_date_that_does_not_exist_names_its_field() {
        let e = parse_json::<T>(br#"{"due_on": "2023-02-30"}"#).unwrap_err();
        assert_eq!(e.field(), Some("due_on"));
        let e = parse_json::<T>(br#"{"due_on": "#).unwrap_err();
        assert!(e.to_string().contains("JSON"));
        let e = parse_json::<T>(br#"{}"#).unwrap_err();
        assert!(e.to_string().contains("due_on"), "{e}");
    }
}

use banli_domain::lifecycle::TransitionError;
use banli_domain::limits::FieldError;

/// Every way a use case can refuse. The web layer maps each to its HTTP status
/// (400, 401, 403, 404, 409, 422); messages are shown to users, so they are Chinese.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed input: not JSON, a missing field, a date that does not exist (400).
    #[error("{message}")]
    BadInput {
        field: Option<String>,
        message: String,
    },
    #[error("请先登录")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// The action does not fit the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// Well-formed input that breaks a rule: too long, unknown unit, date in the future (422).
    #[error("{message}")]
    Rule {
        field: Option<String>,
        message: String,
    },
    /// Too many failed sign-ins for this username: locked for a while (429).
    #[error("{0}")]
    Locked(String),
    /// The database is busy with other writes and this one could not take its turn in time;
    /// nothing was changed, and the same request can simply be sent again (503).
    #[error("系统繁忙：其他修改正在保存，本次修改未保存，请稍后重试")]
    Busy,
    #[error("内部错误：{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn forbidden(msg: &str) -> Self {
        AppError::Forbidden(msg.to_string())
    }
    pub fn conflict(msg: impl Into<String>) -> Self {
        AppError::Conflict(msg.into())
    }
    pub fn rule(field: &str, msg: impl Into<String>) -> Self {
        AppError::Rule {
            field: Some(field.to_string()),
            message: msg.into(),
        }
    }
    pub fn bad(field: &str, msg: impl Into<String>) -> Self {
        AppError::BadInput {
            field: Some(field.to_string()),
            message: msg.into(),
        }
    }
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadInput { field, .. } | AppError::Rule { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Rule {
            message: format!("{}：{}", e.field, e.message),
            field: Some(e.field),
        }
    }
}

impl From<banli_domain::rights::Denied> for AppError {
    fn from(d: banli_domain::rights::Denied) -> Self {
        use banli_domain::rights::Denied;
        match d {
            Denied::NotFound(what) => AppError::NotFound(what),
            Denied::Forbidden(m) => AppError::Forbidden(m),
            Denied::Conflict(m) => AppError::Conflict(m),
        }
    }
}

impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        AppError::Conflict(e.to_string())
    }
}

impl From<banli_store::Error> for AppError {
    fn from(e: banli_store::Error) -> Self {
        if banli_store::is_busy(&e) {
            tracing::warn!(error = %e, "write could not take its turn");
            return AppError::Busy;
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal(e.to_string())
    }
}

//! The one error of the binding: the core's [`dealer_portal::Error`], mapped once.

/// Every failure of the library, as Kotlin `PortalException.Failed`, Swift
/// `PortalError.Failed(code:detail:failedCriteria:)` and Python `PortalError.Failed`.
///
/// Callers branch on `code`, the core's stable code (`"TOKEN_INVALID"`, `"PASSWORD_POLICY"`...).
/// `detail` is the core's readable message (it never holds a password, a token or a hash).
///
/// The readable text is not called `message`: uniffi's Kotlin backend derives the exception's
/// own `message` from the fields, and a field of that name does not compile
/// (mozilla/uniffi-rs#1434). Kotlin's `e.message` reads `code=..., detail=..., failedCriteria=[...]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PortalError {
    /// An operation failed; see `code`.
    #[error("{code}: {detail}")]
    Failed {
        /// The stable code of the core's error, e.g. `INVALID_CREDENTIALS`.
        code: String,
        /// What was wrong and what is accepted, in English.
        detail: String,
        /// For `PASSWORD_POLICY`, the codes of the unmet criteria (`min_length`, `digit`...) in
        /// the policy's order; empty otherwise.
        failed_criteria: Vec<String>,
    },
}

impl PortalError {
    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            PortalError::Failed { code, .. } => code,
        }
    }
}

impl From<dealer_portal::Error> for PortalError {
    fn from(e: dealer_portal::Error) -> Self {
        PortalError::Failed {
            code: e.code().to_owned(),
            detail: e.to_string(),
            failed_criteria: e.failed_criteria().into_iter().map(str::to_owned).collect(),
        }
    }
}

/// What every exported call returns.
pub type Result<T, E = PortalError> = std::result::Result<T, E>;

/// A configuration or policy given as JSON that does not read: the core's `INVALID_CONFIG`.
pub(crate) fn bad_json(what: &str, e: serde_json::Error) -> PortalError {
    dealer_portal::Error::InvalidConfig {
        reason: format!("{what} is not valid JSON for it: {e}"),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dealer_portal::password::Criterion;

    #[test]
    fn carries_the_stable_code_the_message_and_the_failed_criteria() {
        let e = PortalError::from(dealer_portal::Error::PasswordPolicy {
            failed: vec![Criterion::MinLength.code(), Criterion::Digit.code()],
        });
        let PortalError::Failed {
            code,
            detail,
            failed_criteria,
        } = &e;
        assert_eq!(code, "PASSWORD_POLICY");
        assert!(detail.contains("min_length, digit"), "{detail}");
        assert_eq!(failed_criteria, &["min_length", "digit"]);

        let e = PortalError::from(dealer_portal::Error::TokenInvalid);
        assert_eq!(e.code(), "TOKEN_INVALID");
        assert_eq!(
            e.to_string(),
            "TOKEN_INVALID: this link is invalid or has expired; ask for a new one"
        );
    }

    #[test]
    fn bad_json_is_invalid_config() {
        let err = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(bad_json("config_json", err).code(), "INVALID_CONFIG");
    }
}

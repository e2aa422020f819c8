//! What a deployment configures: [`PortalConfig`].

use crate::account::{EmailTakenLimit, LockoutConfig};
use crate::audit::AuditKey;
use crate::lifecycle::RetentionConfig;
use crate::locale::Locale;
use crate::password::{HashParams, PasswordPolicy};
use crate::secret::SecretString;
use crate::token::TokenConfig;
use crate::{Error, Result};
use time::Duration;

fn pepper<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<String>::deserialize(d)?
        .filter(|p| !p.is_empty())
        .map(SecretString::from))
}

fn audit_key<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<AuditKey>, D::Error> {
    use serde::Deserialize;
    // Held as a secret while parsed, so the text is wiped too.
    match Option::<String>::deserialize(d)?.map(SecretString::from) {
        Some(text) if !text.is_empty() => AuditKey::from_hex(text.expose())
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// Everything configurable about a portal. `Default` is the seed's portal with OWASP's argon2
/// parameters.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// The password policy.
    pub policy: PasswordPolicy,
    /// argon2id parameters for new hashes.
    pub hash: HashParams,
    /// An optional server-side pepper (argon2's secret input). Changing it invalidates every
    /// password. Read from a config (so hosts and bindings can pass it), never written out.
    #[serde(skip_serializing, deserialize_with = "pepper")]
    pub pepper: Option<SecretString>,
    /// The key of the audit chain (`{"audit_key": "<64 hex digits>"}`): with it, every event
    /// appended is chained by HMAC-SHA-256, which nobody without the key can recompute, and
    /// `verify_audit_chain` needs it. Kept out of the store, never written out; changing it is
    /// not supported (the log would no longer verify).
    #[serde(skip_serializing, deserialize_with = "audit_key")]
    pub audit_key: Option<AuditKey>,
    /// Token lifetimes and mail rate limit.
    pub tokens: TokenConfig,
    /// Lockout after failed logins.
    pub lockout: LockoutConfig,
    /// How many `EMAIL_TAKEN` answers an actor gets per window before `RATE_LIMITED`.
    pub email_taken: EmailTakenLimit,
    /// Language of the mails.
    pub locale: Locale,
    /// The least time (milliseconds) an anonymous request takes — "Mot de passe oublié" and a
    /// repairer's registration — whether or not the email has an account: the known path does
    /// more writes than the unknown one, and the difference alone would tell who has an
    /// account. 10 ms by default, above either path on an ordinary disk; 0 turns it off.
    pub anonymous_response_floor_ms: u64,
    /// What `run_maintenance` removes and how (acknowledged mails kept 30 days by default).
    pub retention: RetentionConfig,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            policy: PasswordPolicy::default(),
            hash: HashParams::default(),
            pepper: None,
            audit_key: None,
            tokens: TokenConfig::default(),
            lockout: LockoutConfig::default(),
            email_taken: EmailTakenLimit::default(),
            locale: Locale::default(),
            anonymous_response_floor_ms: 10,
            retention: RetentionConfig::default(),
        }
    }
}

impl PortalConfig {
    /// Checks every part.
    pub fn validate(&self) -> Result<()> {
        self.policy.validate_config()?;
        self.hash.validate()?;
        self.tokens.validate()?;
        self.retention.validate()?;
        if self.anonymous_response_floor_ms > 10_000 {
            return Err(Error::InvalidConfig {
                reason: "anonymous_response_floor_ms is at most 10000".into(),
            });
        }
        if self.lockout.max_failures == 0
            || self.lockout.base <= Duration::ZERO
            || self.lockout.max < self.lockout.base
            || self.lockout.max > LockoutConfig::MAX_LOCK
        {
            return Err(Error::InvalidConfig {
                reason: format!(
                    "lockout needs max_failures >= 1 and 0 < base <= max <= {} days",
                    LockoutConfig::MAX_LOCK.whole_days()
                ),
            });
        }
        if self.email_taken.max_answers == 0
            || self.email_taken.window < Duration::SECOND
            || self.email_taken.window > LockoutConfig::MAX_LOCK
        {
            return Err(Error::InvalidConfig {
                reason: format!(
                    "email_taken needs max_answers >= 1 and a window from 1 second to {} days",
                    LockoutConfig::MAX_LOCK.whole_days()
                ),
            });
        }
        Ok(())
    }

    /// Cheap argon2 parameters and no response floor, for tests and examples only.
    pub fn for_tests() -> Self {
        PortalConfig {
            hash: HashParams::testing(),
            anonymous_response_floor_ms: 0,
            ..PortalConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_key_is_read_never_written_nor_shown() {
        let hex = "a1".repeat(32);
        let c: PortalConfig =
            serde_json::from_value(serde_json::json!({ "audit_key": hex })).unwrap();
        assert!(c.audit_key.is_some());
        assert!(!format!("{c:?}").contains(&hex));
        assert!(!serde_json::to_string(&c).unwrap().contains("audit_key"));
        let none: PortalConfig =
            serde_json::from_value(serde_json::json!({ "audit_key": "" })).unwrap();
        assert!(none.audit_key.is_none());
        let bad = serde_json::from_value::<PortalConfig>(serde_json::json!({ "audit_key": "12" }))
            .unwrap_err()
            .to_string();
        assert!(bad.contains("64 hexadecimal digits"), "{bad}");
    }
}

//! What a deployment configures: [`PortalConfig`].

use crate::account::LockoutConfig;
use crate::lifecycle::RetentionConfig;
use crate::locale::Locale;
use crate::password::{HashParams, PasswordPolicy};
use crate::secret::SecretString;
use crate::token::TokenConfig;
use crate::totp::{MfaPolicy, TotpKey};
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

fn totp_key<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<TotpKey>, D::Error> {
    use serde::Deserialize;
    let Some(hex) = Option::<String>::deserialize(d)?
        .filter(|k| !k.is_empty())
        .map(SecretString::from)
    else {
        return Ok(None);
    };
    TotpKey::from_hex(hex.expose())
        .map(Some)
        .map_err(serde::de::Error::custom)
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
    /// Token lifetimes and mail rate limit.
    pub tokens: TokenConfig,
    /// Lockout after failed logins.
    pub lockout: LockoutConfig,
    /// Language of the mails.
    pub locale: Locale,
    /// The least time (milliseconds) an anonymous request takes — "Mot de passe oublié" and a
    /// repairer's registration — whether or not the email has an account: the known path does
    /// more writes than the unknown one, and the difference alone would tell who has an
    /// account. 10 ms by default, above either path on an ordinary disk; 0 turns it off.
    pub anonymous_response_floor_ms: u64,
    /// What `run_maintenance` removes and how (acknowledged mails kept 30 days by default).
    pub retention: RetentionConfig,
    /// Who must log in with a second factor (TOTP): `"optional"` (the default),
    /// `"required_for_administrators"` or `"required"`. An account that must but has not
    /// enrolled gets a restricted session that may only enrol, authenticate and log out.
    pub mfa: MfaPolicy,
    /// The key (64 hex digits) that seals TOTP secrets in the store, kept outside the
    /// database. Without it, enrolment is refused (`INVALID_CONFIG`), and a policy other than
    /// `"optional"` is refused when the portal opens: a secret stored in clear would give the
    /// second factor to whoever copies the database. Read from a config, never written out.
    #[serde(skip_serializing, deserialize_with = "totp_key")]
    pub totp_key: Option<TotpKey>,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            policy: PasswordPolicy::default(),
            hash: HashParams::default(),
            pepper: None,
            tokens: TokenConfig::default(),
            lockout: LockoutConfig::default(),
            locale: Locale::default(),
            anonymous_response_floor_ms: 10,
            retention: RetentionConfig::default(),
            mfa: MfaPolicy::Optional,
            totp_key: None,
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
        if self.mfa != MfaPolicy::Optional && self.totp_key.is_none() {
            return Err(Error::InvalidConfig {
                reason: format!(
                    "mfa {:?} needs totp_key (64 hexadecimal digits) to seal the second \
                     factors' secrets; accepted without one: \"optional\"",
                    crate::locale::Coded::code(self.mfa)
                ),
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

//! What a deployment configures: [`PortalConfig`] and the lockout after failed logins.

use crate::locale::Locale;
use crate::password::{HashParams, PasswordPolicy};
use crate::secret::SecretString;
use crate::token::TokenConfig;
use crate::{Error, Result};
use time::Duration;

/// Lockout after repeated failed logins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LockoutConfig {
    /// Failures in a row that lock the account (5).
    pub max_failures: u32,
    /// First lock's length (15 minutes); each further lock doubles it.
    #[serde(with = "secs")]
    pub base: Duration,
    /// Longest lock (24 hours).
    #[serde(with = "secs")]
    pub max: Duration,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        LockoutConfig {
            max_failures: 5,
            base: Duration::minutes(15),
            max: Duration::hours(24),
        }
    }
}

impl LockoutConfig {
    /// How long the `n`th lock in a row lasts (n from 1): base × 2^(n-1), at most `max`.
    ///
    /// ```
    /// use dealer_portal::service::LockoutConfig;
    /// use time::Duration;
    /// let c = LockoutConfig::default();
    /// assert_eq!(c.lock_for(1), Duration::minutes(15));
    /// assert_eq!(c.lock_for(3), Duration::minutes(60));
    /// assert_eq!(c.lock_for(40), Duration::hours(24));
    /// ```
    pub fn lock_for(&self, n: u32) -> Duration {
        let factor = 1i32
            .checked_shl(n.saturating_sub(1).min(30))
            .unwrap_or(i32::MAX);
        self.base
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }
}

fn pepper<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SecretString>, D::Error> {
    use serde::Deserialize;
    Ok(Option::<String>::deserialize(d)?
        .filter(|p| !p.is_empty())
        .map(SecretString::from))
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
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
        }
    }
}

impl PortalConfig {
    /// Checks every part.
    pub fn validate(&self) -> Result<()> {
        self.policy.validate_config()?;
        self.hash.validate()?;
        self.tokens.validate()?;
        if self.anonymous_response_floor_ms > 10_000 {
            return Err(Error::InvalidConfig {
                reason: "anonymous_response_floor_ms is at most 10000".into(),
            });
        }
        if self.lockout.max_failures == 0
            || self.lockout.base <= Duration::ZERO
            || self.lockout.max < self.lockout.base
        {
            return Err(Error::InvalidConfig {
                reason: "lockout needs max_failures >= 1 and 0 < base <= max".into(),
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

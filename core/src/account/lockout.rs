//! The lockout after repeated failed logins: its configuration and why a login is refused.

use super::AccountState;
use crate::locale::Coded;
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
    /// The longest lock a configuration may ask for (366 days): longer would be a disabled
    /// account by another name, and any end of lock must stay a representable time.
    pub const MAX_LOCK: Duration = Duration::days(366);

    /// How long the `n`th lock in a row lasts (n from 1): base × 2^(n-1), at most `max`.
    ///
    /// ```
    /// use dealer_portal::account::LockoutConfig;
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

/// Why a login is refused, as the audit log records it (the caller always gets one answer,
/// [`Error::InvalidCredentials`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The account is locked after too many failures.
    Locked,
    /// The account cannot log in in this state (declared, invited, disabled).
    NotActive(AccountState),
    /// The password did not verify: counts toward the lockout.
    WrongPassword,
    /// The password verified but the second factor (a TOTP code, a replayed one, or a
    /// recovery code) did not: counts toward the lockout like a wrong password.
    WrongCode,
}

impl LoginRefusal {
    /// The reason's code in the audit log (`locked`, the state's code, `wrong_password`).
    pub fn code(self) -> &'static str {
        match self {
            LoginRefusal::Locked => "locked",
            LoginRefusal::NotActive(state) => state.code(),
            LoginRefusal::WrongPassword => "wrong_password",
            LoginRefusal::WrongCode => "wrong_code",
        }
    }

    /// Whether this refusal counts as a failed attempt toward the lockout.
    pub fn counts_toward_lockout(self) -> bool {
        matches!(self, LoginRefusal::WrongPassword | LoginRefusal::WrongCode)
    }
}

/// Durations as whole seconds in configurations.
pub(crate) mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::seconds(i64::deserialize(d)?))
    }
}

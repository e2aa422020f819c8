//! The lockout after repeated failed logins: its configuration, why a login is refused, and
//! the budget of password checks that holds it under concurrency; and the limit on an actor's
//! `EMAIL_TAKEN` answers.

use super::{Account, AccountState};
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

    /// How long a reserved password check holds its place in the budget when it is never
    /// settled (its server died between the reservation and the settlement): two minutes,
    /// far beyond one argon2 run, short enough that a crash does not lock anyone out for long.
    pub const ATTEMPT_LEASE: Duration = Duration::minutes(2);

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
    /// The password did not verify: the one refusal that counts toward the lockout.
    WrongPassword,
    /// The lockout's budget is spent by checks still under way: the password was not checked.
    ChecksInFlight,
}

impl LoginRefusal {
    /// The reason's code in the audit log (`locked`, the state's code, `wrong_password`).
    pub fn code(self) -> &'static str {
        match self {
            LoginRefusal::Locked => "locked",
            LoginRefusal::NotActive(state) => state.code(),
            LoginRefusal::WrongPassword => "wrong_password",
            LoginRefusal::ChecksInFlight => "checks_in_flight",
        }
    }

    /// Whether this refusal counts as a failed attempt toward the lockout.
    pub fn counts_toward_lockout(self) -> bool {
        self == LoginRefusal::WrongPassword
    }
}

impl Account {
    /// Whether one more password check of this account may be spent at `now`, with
    /// `in_flight` checks already reserved and not settled: not while it is locked or not
    /// active, and not when its failures in a row plus the checks under way already reach
    /// `lockout.max_failures` (each of those may be the failure that locks it). So however many
    /// checks run at once, at most `max_failures` are spent before the lock, and the lock
    /// happens once: when the last of them fails, none is in flight.
    ///
    /// ```
    /// # use dealer_portal::account::*;
    /// # use dealer_portal::Locale;
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let mut a = Account::new("a@b.fr".parse().unwrap(), "Dupont".parse().unwrap(),
    /// #     "Éric".parse().unwrap(), Role::User, AccountState::Active, Locale::Fr, now);
    /// let lockout = LockoutConfig::default();
    /// assert_eq!(a.may_check_password(4, now, &lockout), Ok(()));
    /// assert_eq!(a.may_check_password(5, now, &lockout), Err(LoginRefusal::ChecksInFlight));
    /// a.failed_logins = 4;
    /// assert_eq!(a.may_check_password(1, now, &lockout), Err(LoginRefusal::ChecksInFlight));
    /// ```
    pub fn may_check_password(
        &self,
        in_flight: u32,
        now: time::OffsetDateTime,
        lockout: &LockoutConfig,
    ) -> Result<(), LoginRefusal> {
        if self.is_locked(now) {
            Err(LoginRefusal::Locked)
        } else if self.state != AccountState::Active {
            Err(LoginRefusal::NotActive(self.state))
        } else if self.failed_logins.saturating_add(in_flight) >= lockout.max_failures {
            Err(LoginRefusal::ChecksInFlight)
        } else {
            Ok(())
        }
    }
}

/// How many `EMAIL_TAKEN` answers one actor gets in a window before `RATE_LIMITED`: creating
/// a user with a taken email tells whether an address has an account, and anyone can become a
/// manager (a repairer's registration), so the answer is rationed per actor.
///
/// ```
/// use dealer_portal::account::EmailTakenLimit;
/// let l = EmailTakenLimit::default();
/// assert_eq!((l.max_answers, l.window), (20, time::Duration::hours(24)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailTakenLimit {
    /// `EMAIL_TAKEN` answers per actor in a window (20); at least 1.
    pub max_answers: u32,
    /// The window, counted back from now (24 hours, in seconds in a configuration); from one
    /// second to 366 days.
    #[serde(with = "secs")]
    pub window: Duration,
}

impl Default for EmailTakenLimit {
    fn default() -> Self {
        EmailTakenLimit {
            max_answers: 20,
            window: Duration::hours(24),
        }
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

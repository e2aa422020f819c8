//! Accounts: who they are, their role and state, and their password history.
//!
//! The [`Account`] owns its transitions (lockout, activation, reset, disable), each a method
//! tested beside it; the inputs that create accounts are in [`input`], the lockout rule's
//! configuration in [`lockout`], the account list's query in [`query`].

mod input;
mod lockout;
mod query;

pub use input::{Declaration, NewUser, ProfileUpdate, RepairerRegistration};
pub use lockout::{EmailTakenLimit, LockoutConfig, LoginRefusal};
pub use query::{AccountDetail, AccountPage, AccountQuery, AccountSummary, SortOrder};

use crate::email::Email;
use crate::locale::{Coded, Locale, coded_serde};
use crate::names::PersonName;
use crate::password::PasswordHash;
use crate::phone::PhoneNumber;
use crate::{Error, Result};
use time::OffsetDateTime;

/// An account's identifier: 128 random bits, shown as 32 lowercase hex digits. Random rather
/// than sequential, so ids are not guessable and servers sharing a database never collide.
///
/// ```
/// use dealer_portal::account::AccountId;
/// let id = AccountId::generate();
/// assert_eq!(id.to_string().len(), 32);
/// assert_eq!(id.to_string().parse::<AccountId>().unwrap(), id);
/// assert_eq!("nope".parse::<AccountId>().unwrap_err().code(), "UNKNOWN_ACCOUNT");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId([u8; 16]);

impl AccountId {
    /// A new id laid out as a UUIDv7 (RFC 9562): the creation time in milliseconds since the
    /// Unix epoch (48 bits, big-endian) then 74 random bits from the operating system's
    /// generator (with the version and variant bits).
    ///
    /// The time prefix makes ids of accounts created together sort together, so the stores'
    /// indexes keyed by account (accounts, rights, tokens, sessions) grow at their end instead
    /// of at random places: a bulk import then touches a few pages per index rather than most
    /// of them. An id is not a secret (access goes through a session and rights), but it does
    /// tell when the account was created, as `created_at` does.
    ///
    /// ```
    /// use dealer_portal::account::AccountId;
    /// let a = AccountId::generate();
    /// std::thread::sleep(std::time::Duration::from_millis(2));
    /// let b = AccountId::generate();
    /// assert!(a < b, "later ids sort after earlier ones");
    /// assert_eq!(a.as_bytes()[6] >> 4, 7, "UUID version 7");
    /// ```
    pub fn generate() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut b = [0u8; 16];
        getrandom::fill(&mut b[6..]).expect("the operating system's random generator failed");
        b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
        b[6] = 0x70 | (b[6] & 0x0f);
        b[8] = 0x80 | (b[8] & 0x3f);
        AccountId(b)
    }
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
    /// From raw bytes.
    pub fn from_bytes(b: [u8; 16]) -> Self {
        AccountId(b)
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 32];
        for (pair, b) in text.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0x0f)];
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| std::fmt::Error)?)
    }
}

impl std::fmt::Debug for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountId({self})")
    }
}

impl std::str::FromStr for AccountId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        // What was given is never repeated: it may be a token passed by mistake.
        let unknown = || Error::UnknownAccount { id: String::new() };
        let s = s.trim();
        if s.len() != 32 || !s.is_ascii() {
            return Err(unknown());
        }
        let mut b = [0u8; 16];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| unknown())?;
        }
        Ok(AccountId(b))
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Who the account is: the portal's administrator (declared with the warranty convention), a
/// user created by a manager, or a repairer who registered itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// "Administrateur": declared via the manager's extranet with the warranty convention.
    Administrator,
    /// "Utilisateur": created by an account holding `ManageAccounts`.
    User,
    /// "Réparateur": an independent repairer who registered itself ("Vous êtes réparateur ?
    /// Créer un compte"), managing its own repairer establishment.
    Repairer,
}

impl Coded for Role {
    const ALL: &'static [Self] = &[Role::Administrator, Role::User, Role::Repairer];
    const WHAT: &'static str = "role";
    const ACCEPTED: &'static str = "administrator, user, repairer";
    fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::User => "user",
            Role::Repairer => "repairer",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Role::Administrator, Locale::Fr) => "Administrateur",
            (Role::Administrator, Locale::En) => "Administrator",
            (Role::User, Locale::Fr) => "Utilisateur",
            (Role::User, Locale::En) => "User",
            (Role::Repairer, Locale::Fr) => "Réparateur",
            (Role::Repairer, Locale::En) => "Repairer",
        }
    }
}
coded_serde!(Role);

/// Where an account is in its life.
///
/// `Declared` (administrator, no password yet) → `Active` by completing a password reset;
/// `Invited` (user) → `Active` by activation; `Active` ⇄ `Disabled` by a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountState {
    /// An administrator declared by the manager, who has not chosen a password yet.
    Declared,
    /// A user created by a manager (or a repairer), who has not activated the account yet.
    Invited,
    /// Can log in.
    Active,
    /// Disabled by a manager: cannot log in, receives no mail.
    Disabled,
}

impl Coded for AccountState {
    const ALL: &'static [Self] = &[
        AccountState::Declared,
        AccountState::Invited,
        AccountState::Active,
        AccountState::Disabled,
    ];
    const WHAT: &'static str = "account state";
    const ACCEPTED: &'static str = "declared, invited, active, disabled";
    fn code(self) -> &'static str {
        match self {
            AccountState::Declared => "declared",
            AccountState::Invited => "invited",
            AccountState::Active => "active",
            AccountState::Disabled => "disabled",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (AccountState::Declared, Locale::Fr) => "Déclaré",
            (AccountState::Declared, Locale::En) => "Declared",
            (AccountState::Invited, Locale::Fr) => "Invité",
            (AccountState::Invited, Locale::En) => "Invited",
            (AccountState::Active, Locale::Fr) => "Actif",
            (AccountState::Active, Locale::En) => "Active",
            (AccountState::Disabled, Locale::Fr) => "Désactivé",
            (AccountState::Disabled, Locale::En) => "Disabled",
        }
    }
}
coded_serde!(AccountState);

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// Login identifier, unique across the portal.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Fonction (administrators).
    pub function: String,
    /// Administrator or user.
    pub role: Role,
    /// Declared, invited, active or disabled.
    pub state: AccountState,
    /// Mobile phone.
    pub mobile: Option<PhoneNumber>,
    /// Landline.
    pub landline: Option<PhoneNumber>,
    /// The current password's hash, once one is set.
    pub password: Option<PasswordHash>,
    /// Earlier passwords' hashes, newest first, as many as the policy's history keeps.
    pub previous_passwords: Vec<PasswordHash>,
    /// Failed logins in a row since the last success.
    pub failed_logins: u32,
    /// How many times the account has been locked since its last successful login or reset.
    pub lockouts: u32,
    /// Locked until then, after too many failures.
    pub locked_until: Option<OffsetDateTime>,
    /// Language of its mails.
    pub locale: Locale,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Its last successful login, if any.
    pub last_login_at: Option<OffsetDateTime>,
}

impl Account {
    /// A new account with a fresh id, no password, no phone, no failed login.
    pub fn new(
        email: Email,
        last_name: PersonName,
        first_name: PersonName,
        role: Role,
        state: AccountState,
        locale: Locale,
        now: OffsetDateTime,
    ) -> Self {
        Account {
            id: AccountId::generate(),
            email,
            last_name,
            first_name,
            function: String::new(),
            role,
            state,
            mobile: None,
            landline: None,
            password: None,
            previous_passwords: Vec::new(),
            failed_logins: 0,
            lockouts: 0,
            locked_until: None,
            locale,
            created_at: now,
            last_login_at: None,
        }
    }

    /// "Nom Prénom" for mails and lists.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Whether it is locked at `now`.
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// Why a login with a password that did (`verified`) or did not verify is refused at `now`,
    /// or `None` when it may succeed. A lock wins over everything, then the state, then the
    /// password.
    ///
    /// ```
    /// # use dealer_portal::account::*;
    /// # use dealer_portal::{Email, Locale, PersonName};
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// let mut a = Account::new("a@b.fr".parse().unwrap(), "Dupont".parse().unwrap(),
    ///     "Éric".parse().unwrap(), Role::User, AccountState::Invited, Locale::Fr, now);
    /// assert_eq!(a.login_refusal(true, now), Some(LoginRefusal::NotActive(AccountState::Invited)));
    /// a.state = AccountState::Active;
    /// assert_eq!(a.login_refusal(false, now), Some(LoginRefusal::WrongPassword));
    /// assert_eq!(a.login_refusal(true, now), None);
    /// ```
    pub fn login_refusal(&self, verified: bool, now: OffsetDateTime) -> Option<LoginRefusal> {
        if self.is_locked(now) {
            Some(LoginRefusal::Locked)
        } else if self.state != AccountState::Active {
            Some(LoginRefusal::NotActive(self.state))
        } else if !verified {
            Some(LoginRefusal::WrongPassword)
        } else {
            None
        }
    }

    /// Counts a wrong password. When it is the `lockout.max_failures`th in a row, the account
    /// is locked (for [`LockoutConfig::lock_for`] its number of locks in a row) and the lock's
    /// end is returned; the failure count starts again.
    ///
    /// ```
    /// # use dealer_portal::account::*;
    /// # use dealer_portal::Locale;
    /// # let now = time::OffsetDateTime::UNIX_EPOCH;
    /// # let mut a = Account::new("a@b.fr".parse().unwrap(), "Dupont".parse().unwrap(),
    /// #     "Éric".parse().unwrap(), Role::User, AccountState::Active, Locale::Fr, now);
    /// let lockout = LockoutConfig::default();
    /// for _ in 0..4 {
    ///     assert_eq!(a.record_failed_login(now, &lockout), None);
    /// }
    /// let until = a.record_failed_login(now, &lockout).unwrap();
    /// assert_eq!(until, now + time::Duration::minutes(15));
    /// assert!(a.is_locked(now));
    /// ```
    pub fn record_failed_login(
        &mut self,
        now: OffsetDateTime,
        lockout: &LockoutConfig,
    ) -> Option<OffsetDateTime> {
        self.failed_logins = self.failed_logins.saturating_add(1);
        if self.failed_logins < lockout.max_failures {
            return None;
        }
        self.failed_logins = 0;
        self.lockouts = self.lockouts.saturating_add(1);
        let until = now + lockout.lock_for(self.lockouts);
        self.locked_until = Some(until);
        Some(until)
    }

    /// Applies a profile edit (names, function, phones).
    pub fn apply(&mut self, update: &ProfileUpdate) {
        if let Some(n) = &update.last_name {
            self.last_name = n.clone();
        }
        if let Some(n) = &update.first_name {
            self.first_name = n.clone();
        }
        if let Some(f) = &update.function {
            self.function = f.clone();
        }
        if let Some(m) = &update.mobile {
            self.mobile = m.clone();
        }
        if let Some(l) = &update.landline {
            self.landline = l.clone();
        }
    }

    /// A successful login at `now`: recorded as the last one; failures forgotten, lock lifted.
    pub fn record_login(&mut self, now: OffsetDateTime) {
        self.last_login_at = Some(now);
        self.unlock();
    }

    /// Forgets failed logins and lifts a lock: after a successful login, a reset or an
    /// activation.
    pub fn unlock(&mut self) {
        self.failed_logins = 0;
        self.lockouts = 0;
        self.locked_until = None;
    }

    /// Activation ("Première connexion"): an `Invited` account chooses its first password and
    /// becomes `Active`. Any other state is [`Error::InvalidState`].
    pub fn activate(&mut self, hash: PasswordHash, keep: usize) -> Result<()> {
        if self.state != AccountState::Invited {
            return Err(Error::InvalidState {
                state: self.state.code(),
                reason: "only an invited account can be activated",
            });
        }
        self.choose_password(hash, keep);
        Ok(())
    }

    /// A completed password reset: a `Declared` or `Active` account gets its new password, is
    /// unlocked and is `Active`. An invited or disabled account is [`Error::InvalidState`].
    pub fn complete_reset(&mut self, hash: PasswordHash, keep: usize) -> Result<()> {
        if !matches!(self.state, AccountState::Declared | AccountState::Active) {
            return Err(Error::InvalidState {
                state: self.state.code(),
                reason: "only a declared or active account can reset its password",
            });
        }
        self.choose_password(hash, keep);
        Ok(())
    }

    fn choose_password(&mut self, hash: PasswordHash, keep: usize) {
        self.set_password(hash, keep);
        self.state = AccountState::Active;
        self.unlock();
    }

    /// Disables the account (a manager's decision); already disabled is
    /// [`Error::InvalidState`].
    pub fn disable(&mut self) -> Result<()> {
        if self.state == AccountState::Disabled {
            return Err(Error::InvalidState {
                state: self.state.code(),
                reason: "the account is already disabled",
            });
        }
        self.state = AccountState::Disabled;
        Ok(())
    }

    /// Re-enables a disabled account: back to `Active`, or, without a password yet, back to
    /// waiting for one (a user to its activation, an administrator to "Mot de passe oublié").
    /// An account that is not disabled is [`Error::InvalidState`].
    pub fn enable(&mut self) -> Result<()> {
        if self.state != AccountState::Disabled {
            return Err(Error::InvalidState {
                state: self.state.code(),
                reason: "only a disabled account can be enabled",
            });
        }
        self.state = match (self.password.is_some(), self.role) {
            (true, _) => AccountState::Active,
            (false, Role::Administrator) => AccountState::Declared,
            (false, Role::User | Role::Repairer) => AccountState::Invited,
        };
        Ok(())
    }

    /// Records a new password hash, moving the current one into the history, which keeps at
    /// most `keep` entries.
    pub fn set_password(&mut self, hash: PasswordHash, keep: usize) {
        if let Some(old) = self.password.replace(hash) {
            self.previous_passwords.insert(0, old);
        }
        self.previous_passwords.truncate(keep);
    }

    /// The hashes a new password must differ from: the current one and the history.
    pub fn password_history(&self) -> Vec<PasswordHash> {
        self.password
            .iter()
            .chain(self.previous_passwords.iter())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn ids_are_random_and_round_trip() {
        let a = AccountId::generate();
        let b = AccountId::generate();
        assert_ne!(a, b);
        let s = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<AccountId>(&s).unwrap(), a);
        assert!("zz".repeat(16).parse::<AccountId>().is_err());
        assert!("é".repeat(16).parse::<AccountId>().is_err());
    }

    #[test]
    fn a_malformed_id_is_never_repeated() {
        let token = crate::token::TokenSecret::generate();
        let err = token.expose().parse::<AccountId>().unwrap_err();
        assert_eq!(err.code(), "UNKNOWN_ACCOUNT");
        let msg = err.to_string();
        assert!(!msg.contains(token.expose()), "{msg}");
        assert!(msg.contains("32 hexadecimal digits"), "{msg}");
        let n = "not-a-number-but-a-secret"
            .parse::<crate::notification::NotificationId>()
            .unwrap_err();
        assert!(!n.to_string().contains("secret"), "{n}");
        assert_eq!(n.code(), "UNKNOWN_NOTIFICATION");
    }

    #[test]
    fn states_and_roles_have_codes() {
        for s in AccountState::ALL {
            assert_eq!(AccountState::from_code(s.code()).unwrap(), *s);
        }
        assert_eq!(
            Role::from_code("ADMINISTRATOR").unwrap(),
            Role::Administrator
        );
        assert_eq!(
            AccountState::from_code("gone").unwrap_err().code(),
            "UNKNOWN_CODE"
        );
    }

    fn account(state: AccountState, role: Role) -> Account {
        Account::new(
            "a@garage.fr".parse().unwrap(),
            "Dupont".parse().unwrap(),
            "Éric".parse().unwrap(),
            role,
            state,
            Locale::Fr,
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn hash(n: u8) -> PasswordHash {
        crate::password::PasswordHasher::new(crate::password::HashParams::testing())
            .hash(&crate::secret::SecretString::from(format!(
                "Password-{n}-long-enough!"
            )))
            .unwrap()
    }

    #[test]
    fn failed_logins_lock_then_double_then_unlock() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let lockout = LockoutConfig::default();
        let mut a = account(AccountState::Active, Role::User);
        for _ in 0..4 {
            assert_eq!(a.record_failed_login(now, &lockout), None);
            assert!(!a.is_locked(now));
        }
        assert_eq!(
            a.record_failed_login(now, &lockout),
            Some(now + Duration::minutes(15))
        );
        assert_eq!((a.failed_logins, a.lockouts), (0, 1));
        assert_eq!(a.login_refusal(true, now), Some(LoginRefusal::Locked));
        let later = now + Duration::minutes(15);
        assert_eq!(a.login_refusal(true, later), None, "the lock ends on time");
        for _ in 0..4 {
            assert_eq!(a.record_failed_login(later, &lockout), None);
        }
        assert_eq!(
            a.record_failed_login(later, &lockout),
            Some(later + Duration::minutes(30)),
            "the second lock in a row lasts twice as long"
        );
        a.unlock();
        assert_eq!((a.failed_logins, a.lockouts, a.locked_until), (0, 0, None));
        assert!(!a.is_locked(later));
    }

    #[test]
    fn a_huge_failure_count_saturates_instead_of_overflowing() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let lockout = LockoutConfig {
            max_failures: u32::MAX,
            ..LockoutConfig::default()
        };
        let mut a = account(AccountState::Active, Role::User);
        a.failed_logins = u32::MAX - 1;
        assert!(a.record_failed_login(now, &lockout).is_some());
        a.lockouts = u32::MAX;
        a.failed_logins = u32::MAX - 1;
        assert_eq!(
            a.record_failed_login(now, &lockout),
            Some(now + lockout.max)
        );
    }

    #[test]
    fn login_refusals_in_order_and_only_a_wrong_password_counts() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut a = account(AccountState::Disabled, Role::User);
        a.locked_until = Some(now + Duration::minutes(1));
        assert_eq!(a.login_refusal(true, now), Some(LoginRefusal::Locked));
        a.locked_until = None;
        let refusal = a.login_refusal(false, now).unwrap();
        assert_eq!(refusal, LoginRefusal::NotActive(AccountState::Disabled));
        assert_eq!(refusal.code(), "disabled");
        assert!(!refusal.counts_toward_lockout());
        a.state = AccountState::Active;
        let refusal = a.login_refusal(false, now).unwrap();
        assert_eq!(refusal.code(), "wrong_password");
        assert!(refusal.counts_toward_lockout());
        assert!(!LoginRefusal::Locked.counts_toward_lockout());
    }

    #[test]
    fn activation_and_reset_choose_a_password_from_their_states_only() {
        let mut invited = account(AccountState::Invited, Role::User);
        invited.failed_logins = 3;
        assert_eq!(
            invited.complete_reset(hash(1), 5).unwrap_err().code(),
            "INVALID_STATE"
        );
        invited.activate(hash(1), 5).unwrap();
        assert_eq!(invited.state, AccountState::Active);
        assert_eq!(invited.failed_logins, 0);
        assert_eq!(
            invited.activate(hash(2), 5).unwrap_err().code(),
            "INVALID_STATE"
        );

        let mut declared = account(AccountState::Declared, Role::Administrator);
        assert_eq!(
            declared.activate(hash(1), 5).unwrap_err().code(),
            "INVALID_STATE"
        );
        declared.complete_reset(hash(1), 5).unwrap();
        assert_eq!(declared.state, AccountState::Active);
        declared.locked_until = Some(OffsetDateTime::UNIX_EPOCH + Duration::hours(1));
        declared.complete_reset(hash(2), 5).unwrap();
        assert_eq!(
            declared.locked_until, None,
            "a completed reset lifts a lock"
        );
        assert_eq!(declared.password_history().len(), 2);

        let mut disabled = account(AccountState::Disabled, Role::User);
        assert!(disabled.complete_reset(hash(1), 5).is_err());
        assert!(disabled.activate(hash(1), 5).is_err());
        assert_eq!(disabled.state, AccountState::Disabled);
    }

    #[test]
    fn disable_and_enable_return_to_where_the_account_was() {
        let mut a = account(AccountState::Active, Role::User);
        assert_eq!(a.enable().unwrap_err().code(), "INVALID_STATE");
        a.disable().unwrap();
        assert_eq!(a.disable().unwrap_err().code(), "INVALID_STATE");
        a.enable().unwrap();
        assert_eq!(
            a.state,
            AccountState::Invited,
            "no password yet: back to its invitation"
        );

        let mut admin = account(AccountState::Declared, Role::Administrator);
        admin.disable().unwrap();
        admin.enable().unwrap();
        assert_eq!(admin.state, AccountState::Declared);
        admin.complete_reset(hash(1), 5).unwrap();
        admin.disable().unwrap();
        admin.enable().unwrap();
        assert_eq!(admin.state, AccountState::Active);
    }
}

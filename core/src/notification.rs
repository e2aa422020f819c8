//! The outbox: mails the host must send. The library never sends mail itself.
//!
//! Each flow queues a [`Notification`] in the same transaction as the change it announces;
//! the host takes the pending ones, sends them, and acknowledges each; the token's plaintext is
//! erased from the store at acknowledgement.

use crate::email::Email;
use crate::locale::{Coded, Locale, coded_serde};
use crate::secret::SecretString;
use time::OffsetDateTime;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// "Réinitialisation du mot de passe": a reset link.
    PasswordReset,
    /// "Activez votre compte": an activation link.
    Activation,
    /// The account was locked after too many failed logins.
    AccountLocked,
    /// Someone tried to register with an email that already has an account.
    AccountExists,
    /// "Confirmez votre nouvelle adresse": the link that confirms an email change, sent to
    /// the new address.
    EmailChange,
    /// The notice to the current address that a change of email was asked for.
    EmailChangeRequested,
    /// The account's second factor was reset by a manager (a lost phone): the owner can
    /// enrol again, and knows if it was not them who asked.
    TotpReset,
}

impl Coded for NotificationKind {
    const ALL: &'static [Self] = &[
        NotificationKind::PasswordReset,
        NotificationKind::Activation,
        NotificationKind::AccountLocked,
        NotificationKind::AccountExists,
        NotificationKind::EmailChange,
        NotificationKind::EmailChangeRequested,
        NotificationKind::TotpReset,
    ];
    const WHAT: &'static str = "notification kind";
    const ACCEPTED: &'static str = "password_reset, activation, account_locked, account_exists, email_change, email_change_requested, totp_reset";
    fn code(self) -> &'static str {
        match self {
            NotificationKind::PasswordReset => "password_reset",
            NotificationKind::Activation => "activation",
            NotificationKind::AccountLocked => "account_locked",
            NotificationKind::AccountExists => "account_exists",
            NotificationKind::EmailChange => "email_change",
            NotificationKind::EmailChangeRequested => "email_change_requested",
            NotificationKind::TotpReset => "totp_reset",
        }
    }
    fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (NotificationKind::PasswordReset, Locale::Fr) => "Réinitialisation du mot de passe",
            (NotificationKind::PasswordReset, Locale::En) => "Reset your password",
            (NotificationKind::Activation, Locale::Fr) => "Activez votre compte",
            (NotificationKind::Activation, Locale::En) => "Activate your account",
            (NotificationKind::AccountLocked, Locale::Fr) => {
                "Votre compte est temporairement verrouillé"
            }
            (NotificationKind::AccountLocked, Locale::En) => "Your account is temporarily locked",
            (NotificationKind::AccountExists, Locale::Fr) => "Vous avez déjà un compte",
            (NotificationKind::AccountExists, Locale::En) => "You already have an account",
            (NotificationKind::EmailChange, Locale::Fr) => {
                "Confirmez votre nouvelle adresse e-mail"
            }
            (NotificationKind::EmailChange, Locale::En) => "Confirm your new email address",
            (NotificationKind::EmailChangeRequested, Locale::Fr) => {
                "Un changement d'adresse e-mail a été demandé"
            }
            (NotificationKind::EmailChangeRequested, Locale::En) => {
                "A change of email address was requested"
            }
            (NotificationKind::TotpReset, Locale::Fr) => {
                "Votre double authentification a été réinitialisée"
            }
            (NotificationKind::TotpReset, Locale::En) => "Your two-factor login was reset",
        }
    }
}
coded_serde!(NotificationKind);

/// A notification's id in the outbox.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct NotificationId(pub u64);

impl std::fmt::Display for NotificationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for NotificationId {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        s.trim()
            .parse()
            .map(NotificationId)
            .map_err(|_| crate::Error::UnknownNotification { id: String::new() })
    }
}

/// A notification to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// What it is about.
    pub kind: NotificationKind,
    /// To whom.
    pub email: Email,
    /// The recipient's name, for the greeting.
    pub name: String,
    /// The link's token, when the mail carries a link.
    pub token: Option<SecretString>,
    /// When the link (or the lock) expires.
    pub expires_at: Option<OffsetDateTime>,
    /// The mail's language.
    pub locale: Locale,
}

/// A queued notification.
///
/// ```
/// use dealer_portal::notification::NotificationKind;
/// use dealer_portal::{Coded, Locale};
/// assert_eq!(NotificationKind::Activation.label(Locale::Fr), "Activez votre compte");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id, to acknowledge it.
    pub id: NotificationId,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// What was queued.
    pub body: NewNotification,
}

impl Notification {
    /// The mail's subject in its locale.
    pub fn subject(&self) -> &'static str {
        self.body.kind.label(self.body.locale)
    }

    /// The link to put in the mail, given the form's base URL (`https://host/reset?token=`).
    /// `None` for mails without a link.
    pub fn link(&self, base: &str) -> Option<String> {
        self.body
            .token
            .as_ref()
            .map(|t| format!("{base}{}", t.expose()))
    }
}

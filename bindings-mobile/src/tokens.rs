//! Tokens handed to the app, as uniffi objects rather than record fields: a generated record
//! prints every field (Kotlin's data class `toString`, Swift's `description` and `dump`,
//! Python's `repr`), and an object prints only what it exports, here `SessionToken(***)`.
//! The app reads the value through `expose()` when it must: to keep a session in the
//! keychain/keystore, to put a link in a mail. The plaintext held here is wiped when the object
//! is released (`close()` / the Cleaner in Kotlin, deinit in Swift).
//!
//! Both compare by value (in constant time) and hash, so the records holding them keep their
//! equality (Kotlin `equals`, Python `==`) and Swift's `PortalNotification` stays `Equatable` and
//! `Hashable`: uniffi 0.32 derives those for it without seeing, through the Swift rename, that it
//! holds an object, so its fields must conform.

use dealer_portal::SecretString;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A session token (secret): keep `expose()` in the keychain/keystore and give it to every
/// call that takes a `session_token`. Prints as `SessionToken(***)`.
#[derive(uniffi::Object, PartialEq, Eq)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct SessionToken(SecretString);

/// A link's token (reset, activation, email change) for the mail the host sends: put
/// `expose()` in the link. Prints as `LinkToken(***)`.
#[derive(uniffi::Object, PartialEq, Eq)]
#[uniffi::export(Debug, Display, Eq, Hash)]
pub struct LinkToken(SecretString);

#[uniffi::export]
impl SessionToken {
    /// The token itself, to store it or to pass it to the portal's calls; never log it.
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }
}

#[uniffi::export]
impl LinkToken {
    /// The token itself, to put in the mail's link; never log it.
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }
}

impl From<SecretString> for SessionToken {
    fn from(s: SecretString) -> Self {
        SessionToken(s)
    }
}

impl From<SecretString> for LinkToken {
    fn from(s: SecretString) -> Self {
        LinkToken(s)
    }
}

impl Hash for SessionToken {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.expose().hash(state);
    }
}

impl Hash for LinkToken {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.expose().hash(state);
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(***)")
    }
}

impl fmt::Display for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_print_redacted_and_expose_their_value() {
        let value = "qndfXJ4_iMs97POZKv0nJcPsICnyegGl2Zkw7Zje8A8";
        let s = SessionToken::from(SecretString::from(value));
        let l = LinkToken::from(SecretString::from(value));
        for text in [
            format!("{s}"),
            format!("{s:?}"),
            format!("{l}"),
            format!("{l:?}"),
        ] {
            assert!(!text.contains(value), "{text}");
        }
        assert_eq!(format!("{s}"), "SessionToken(***)");
        assert_eq!(format!("{l:?}"), "LinkToken(***)");
        assert_eq!(s.expose(), value);
        assert_eq!(l.expose(), value);
    }
}

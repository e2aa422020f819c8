//! A string that holds a secret: zeroized on drop, redacted in `Debug`, never `Display`ed.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (a password, a token's plaintext). Its memory is wiped when dropped; `Debug`
/// prints `SecretString(***)`; there is no `Display` and no `Serialize`.
///
/// ```
/// use dealer_portal::SecretString;
/// let s = SecretString::from("correct horse");
/// assert_eq!(format!("{s:?}"), "SecretString(***)");
/// assert_eq!(s.expose(), "correct horse");
/// ```
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a string.
    pub fn new(s: String) -> Self {
        SecretString(s)
    }
    /// The secret itself; keep the borrow short.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        SecretString(s.to_owned())
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString(s)
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl PartialEq for SecretString {
    /// Constant-time in the length of the shorter operand.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == other.0.len() && bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}
impl Eq for SecretString {}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn debug_is_redacted() {
        let s = SecretString::from("hunter2hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
    #[test]
    fn equality() {
        assert_eq!(SecretString::from("a"), SecretString::from("a"));
        assert_ne!(SecretString::from("a"), SecretString::from("ab"));
    }
}

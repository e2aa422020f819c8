//! What the SQL stores share: the account row codec (an [`Account`] to column values and back)
//! and the small decoders of stored values. Each store keeps only what its driver needs: reading
//! the columns and binding the parameters.

use crate::account::{Account, AccountId, AccountState, Role};
use crate::email::Email;
use crate::locale::{Coded, Locale};
use crate::names::PersonName;
use crate::password::PasswordHash;
use crate::phone::{PhoneKind, PhoneNumber};
use crate::token::TokenDigest;
use crate::{Error, Result};
use time::OffsetDateTime;

/// The error for a stored value that does not read back; names no value (it may be a secret).
pub(super) fn corrupt(table: &'static str, column: &'static str) -> Error {
    Error::storage(format!("corrupt row in table {table}: unreadable {column}"))
}

/// A Unix timestamp in nanoseconds: exact round trip, ordered.
pub(super) fn ns(t: OffsetDateTime) -> Result<i64> {
    i64::try_from(t.unix_timestamp_nanos()).map_err(|_| Error::InvalidInput {
        field: "timestamp",
        reason: "expected a date between 1678 and 2261".into(),
    })
}

/// A bound for comparisons: times outside the storable range compare like the range's ends.
pub(super) fn ns_clamped(t: OffsetDateTime) -> i64 {
    let n = t.unix_timestamp_nanos();
    n.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

pub(super) fn from_ns(n: i64, table: &'static str, column: &'static str) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|_| corrupt(table, column))
}

pub(super) fn coded<T: Coded>(s: &str, table: &'static str, column: &'static str) -> Result<T> {
    T::from_code(s).map_err(|_| corrupt(table, column))
}

pub(super) fn account_id(b: &[u8], table: &'static str, column: &'static str) -> Result<AccountId> {
    <[u8; 16]>::try_from(b)
        .map(AccountId::from_bytes)
        .map_err(|_| corrupt(table, column))
}

pub(super) fn digest(b: &[u8], table: &'static str, column: &'static str) -> Result<TokenDigest> {
    <[u8; 32]>::try_from(b)
        .map(TokenDigest::from_bytes)
        .map_err(|_| corrupt(table, column))
}

pub(super) fn hash32(b: &[u8], column: &'static str) -> Result<[u8; 32]> {
    <[u8; 32]>::try_from(b).map_err(|_| corrupt("audit", column))
}

/// The columns of an account, in the order of [`AccountRow`]'s fields.
pub(super) const ACCOUNT_COLUMNS: &str = "id, email, last_name, first_name, function, role, state, mobile, mobile_kind, landline, \
     landline_kind, password, previous_passwords, failed_logins, lockouts, locked_until, locale, created_at, \
     last_login_at";

/// How many columns a comma-separated list such as [`ACCOUNT_COLUMNS`] names.
pub(super) const fn column_count(list: &str) -> usize {
    let bytes = list.as_bytes();
    let (mut n, mut i) = (1, 0);
    while i < bytes.len() {
        if bytes[i] == b',' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// A comma-separated list of columns, each qualified by a table alias (`a.id, a.email, …`).
pub(super) fn qualified(alias: &str, list: &str) -> String {
    list.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An account as column values: parameters $1/?1 id … 18 created_at, 19 last_login_at, then
/// 20 sort_key and 21 search_text (written, never read back: they are derived from the names
/// and email).
#[derive(Default)]
pub(super) struct AccountRow {
    pub id: Vec<u8>,
    pub email: String,
    pub last_name: String,
    pub first_name: String,
    pub function: String,
    pub role: String,
    pub state: String,
    pub mobile: Option<String>,
    pub mobile_kind: Option<String>,
    pub landline: Option<String>,
    pub landline_kind: Option<String>,
    pub password: Option<String>,
    pub previous: String,
    pub failed_logins: i64,
    pub lockouts: i64,
    pub locked_until: Option<i64>,
    pub locale: String,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub sort_key: Vec<u8>,
    pub search_text: String,
}

const T: &str = "accounts";

/// The [`AccountRow`] of a result row whose first columns are [`ACCOUNT_COLUMNS`], in order,
/// read with the store's own `col(row, index, table, column)` (each store has its own row
/// type); the listing keys are left empty (they are never read back).
macro_rules! read_account_row {
    ($col:ident, $row:expr) => {
        AccountRow {
            id: $col($row, 0, "accounts", "id")?,
            email: $col($row, 1, "accounts", "email")?,
            last_name: $col($row, 2, "accounts", "last_name")?,
            first_name: $col($row, 3, "accounts", "first_name")?,
            function: $col($row, 4, "accounts", "function")?,
            role: $col($row, 5, "accounts", "role")?,
            state: $col($row, 6, "accounts", "state")?,
            mobile: $col($row, 7, "accounts", "mobile")?,
            mobile_kind: $col($row, 8, "accounts", "mobile_kind")?,
            landline: $col($row, 9, "accounts", "landline")?,
            landline_kind: $col($row, 10, "accounts", "landline_kind")?,
            password: $col($row, 11, "accounts", "password")?,
            previous: $col($row, 12, "accounts", "previous_passwords")?,
            failed_logins: $col($row, 13, "accounts", "failed_logins")?,
            lockouts: $col($row, 14, "accounts", "lockouts")?,
            locked_until: $col($row, 15, "accounts", "locked_until")?,
            locale: $col($row, 16, "accounts", "locale")?,
            created_at: $col($row, 17, "accounts", "created_at")?,
            last_login_at: $col($row, 18, "accounts", "last_login_at")?,
            ..AccountRow::default()
        }
    };
}
pub(super) use read_account_row;

impl AccountRow {
    /// Encodes an account, with its listing keys.
    pub fn new(a: &Account) -> Result<Self> {
        let phc: Vec<&str> = a
            .previous_passwords
            .iter()
            .map(PasswordHash::as_phc)
            .collect();
        Ok(AccountRow {
            id: a.id.as_bytes().to_vec(),
            email: a.email.as_str().to_owned(),
            last_name: a.last_name.as_str().to_owned(),
            first_name: a.first_name.as_str().to_owned(),
            function: a.function.clone(),
            role: a.role.code().to_owned(),
            state: a.state.code().to_owned(),
            mobile: a.mobile.as_ref().map(|p| p.e164().to_owned()),
            mobile_kind: a.mobile.as_ref().map(|p| p.kind().code().to_owned()),
            landline: a.landline.as_ref().map(|p| p.e164().to_owned()),
            landline_kind: a.landline.as_ref().map(|p| p.kind().code().to_owned()),
            password: a.password.as_ref().map(|p| p.as_phc().to_owned()),
            previous: serde_json::to_string(&phc)
                .map_err(|e| Error::storage(format!("cannot encode the password history: {e}")))?,
            failed_logins: i64::from(a.failed_logins),
            lockouts: i64::from(a.lockouts),
            locked_until: a.locked_until.map(ns).transpose()?,
            locale: a.locale.code().to_owned(),
            created_at: ns(a.created_at)?,
            last_login_at: a.last_login_at.map(ns).transpose()?,
            sort_key: crate::names::sort_key(&a.last_name, &a.first_name, a.email.as_str()),
            search_text: super::memory::search_text(a),
        })
    }

    /// Decodes the stored columns (the listing keys are not read), re-validating every value.
    pub fn into_account(self) -> Result<Account> {
        let previous: Vec<String> =
            serde_json::from_str(&self.previous).map_err(|_| corrupt(T, "previous_passwords"))?;
        Ok(Account {
            id: account_id(&self.id, T, "id")?,
            email: Email::parse(&self.email).map_err(|_| corrupt(T, "email"))?,
            last_name: PersonName::parse(&self.last_name).map_err(|_| corrupt(T, "last_name"))?,
            first_name: PersonName::parse(&self.first_name)
                .map_err(|_| corrupt(T, "first_name"))?,
            function: self.function,
            role: coded::<Role>(&self.role, T, "role")?,
            state: coded::<AccountState>(&self.state, T, "state")?,
            mobile: phone(self.mobile, self.mobile_kind, "mobile")?,
            landline: phone(self.landline, self.landline_kind, "landline")?,
            password: self
                .password
                .map(|p| PasswordHash::from_phc(p).map_err(|_| corrupt(T, "password")))
                .transpose()?,
            previous_passwords: previous
                .into_iter()
                .map(|p| PasswordHash::from_phc(p).map_err(|_| corrupt(T, "previous_passwords")))
                .collect::<Result<_>>()?,
            failed_logins: u32::try_from(self.failed_logins)
                .map_err(|_| corrupt(T, "failed_logins"))?,
            lockouts: u32::try_from(self.lockouts).map_err(|_| corrupt(T, "lockouts"))?,
            locked_until: self
                .locked_until
                .map(|n| from_ns(n, T, "locked_until"))
                .transpose()?,
            locale: self
                .locale
                .parse::<Locale>()
                .map_err(|_| corrupt(T, "locale"))?,
            created_at: from_ns(self.created_at, T, "created_at")?,
            last_login_at: self
                .last_login_at
                .map(|n| from_ns(n, T, "last_login_at"))
                .transpose()?,
        })
    }
}

fn phone(
    e164: Option<String>,
    kind: Option<String>,
    column: &'static str,
) -> Result<Option<PhoneNumber>> {
    let Some(e164) = e164 else { return Ok(None) };
    let kind = kind.ok_or_else(|| corrupt(T, column))?;
    let kind = coded::<PhoneKind>(&kind, T, column)?;
    PhoneNumber::from_e164(&e164, kind)
        .map(Some)
        .map_err(|_| corrupt(T, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_are_counted_and_qualified() {
        // `read_account_row!` reads columns 0 to 18.
        assert_eq!(column_count(ACCOUNT_COLUMNS), 19);
        assert_eq!(column_count("digest"), 1);
        assert_eq!(qualified("s", "digest, account"), "s.digest, s.account");
        assert!(qualified("a", ACCOUNT_COLUMNS).ends_with("a.created_at, a.last_login_at"));
    }
}

//! [`AccountRepo`] on SQLite: establishments, the repairer counter, account rows and the rights
//! matrix.
//!
//! Each `rights` row carries copies of its account's sort key, state and search text (set
//! from the account when the row is written, kept in step by the `accounts_listing` trigger),
//! so that `list_accounts` (in `listing`) reads one covering index. A taken email is the unique
//! constraint's violation, never a lookup first. A transaction that creates
//! [`BULK_ACCOUNTS`] accounts grows the writer's page cache until it ends.

use super::{BULK_ACCOUNTS, SqliteTx, col, storage};
use crate::account::{Account, AccountId, AccountPage, AccountQuery, AccountState};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::locale::Coded;
use crate::regime::Regime;
use crate::rights::{Rights, RightsMatrix};
use crate::store::AccountRepo;
use crate::store::row::{
    ACCOUNT_COLUMNS, AccountRow, account_id, coded, corrupt, read_account_row,
};
use crate::{Error, Result};
use rusqlite::{ErrorCode, OptionalExtension, Row, params};
use std::sync::LazyLock;

// The statement run for every user created, formatted once.
pub(super) static INSERT_ACCOUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO accounts ({ACCOUNT_COLUMNS}, sort_key, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"
    )
});

impl SqliteTx<'_> {
    /// Inserts an account's row and returns it (see [`AccountRepo::insert_account`]).
    fn insert_account_row(&mut self, a: &Account) -> Result<AccountRow> {
        // A taken email is the unique constraint's violation below: no lookup first.
        let row = AccountRow::new(a)?;
        let r = self
            .conn
            .prepare_cached(&INSERT_ACCOUNT)
            .and_then(|mut s| s.execute(row.sqlite_params()));
        match r {
            Ok(_) => {
                self.accounts_created += 1;
                if self.accounts_created == BULK_ACCOUNTS {
                    // A bulk import: let its pages stay in memory until it commits.
                    self.conn
                        .execute_batch(&format!(
                            "PRAGMA cache_size = -{}",
                            self.bulk_cache_kib.max(1)
                        ))
                        .map_err(storage("cannot grow the page cache"))?;
                }
                Ok(row)
            }
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                if e.to_string().contains("accounts.email") {
                    Err(Error::EmailTaken)
                } else {
                    Err(Error::storage("duplicate account id"))
                }
            }
            Err(e) => Err(storage("cannot insert an account")(e)),
        }
    }

    fn account_exists(&self, id: AccountId) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")
            .and_then(|mut s| s.exists([&id.as_bytes()[..]]))
            .map_err(storage("cannot look an account up"))
    }

    fn email_owner(&self, email: &Email) -> Result<Option<AccountId>> {
        let id: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT id FROM accounts WHERE email = ?1")
            .and_then(|mut s| s.query_row([email.as_str()], |r| r.get(0)).optional())
            .map_err(storage("cannot look an email up"))?;
        id.map(|b| account_id(&b, "accounts", "id")).transpose()
    }

    fn query_accounts(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(storage("cannot read accounts"))?;
        let mut rows = stmt.query(p).map_err(storage("cannot read accounts"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read accounts"))? {
            out.push(account_from_row(row)?);
        }
        Ok(out)
    }
}

/// Binds an account row's 21 parameters (see [`AccountRow`]).
impl AccountRow {
    pub(super) fn sqlite_params(&self) -> [&dyn rusqlite::ToSql; 21] {
        [
            &self.id,
            &self.email,
            &self.last_name,
            &self.first_name,
            &self.function,
            &self.role,
            &self.state,
            &self.mobile,
            &self.mobile_kind,
            &self.landline,
            &self.landline_kind,
            &self.password,
            &self.previous,
            &self.failed_logins,
            &self.lockouts,
            &self.locked_until,
            &self.locale,
            &self.created_at,
            &self.last_login_at,
            &self.sort_key,
            &self.search_text,
        ]
    }
}

pub(super) fn account_from_row(row: &Row<'_>) -> Result<Account> {
    read_account_row!(col, row).into_account()
}

impl AccountRepo for SqliteTx<'_> {
    fn put_establishment(&mut self, e: &Establishment) -> Result<()> {
        self.writable()?;
        self.conn
            .prepare_cached(
                "INSERT INTO establishments (code, name, city, regime) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, city = excluded.city, regime = excluded.regime",
            )
            .and_then(|mut s| s.execute(params![e.code.as_str(), e.name, e.city, e.regime.map(Regime::code)]))
            .map_err(storage("cannot save an establishment"))?;
        Ok(())
    }

    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>> {
        type Raw = (String, String, String, Option<String>);
        let raw: Option<Raw> = self
            .conn
            .prepare_cached("SELECT code, name, city, regime FROM establishments WHERE code = ?1")
            .and_then(|mut s| {
                s.query_row([code.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage("cannot read an establishment"))?;
        let Some((code, name, city, regime)) = raw else {
            return Ok(None);
        };
        let regime = regime
            .map(|r| coded::<Regime>(&r, "establishments", "regime"))
            .transpose()?;
        Establishment::new(&code, &name, &city, regime)
            .map(Some)
            .map_err(|_| corrupt("establishments", "code, name or city"))
    }

    fn next_repairer_code(&mut self) -> Result<EstablishmentCode> {
        self.writable()?;
        let n: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES ('repairer', 1)
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            )
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(storage("cannot draw a repairer code"))?;
        Ok(EstablishmentCode::repairer(
            u64::try_from(n).map_err(|_| corrupt("counters", "value"))?,
        ))
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.insert_account_row(a).map(drop)
    }

    fn insert_account_with_rights(
        &mut self,
        a: &Account,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.writable()?;
        if rights.is_empty() {
            // Nothing to hold: the same as inserting the account alone.
            return self.insert_account_row(a).map(drop);
        }
        let row = self.insert_account_row(a)?;
        // The listing copies come from the row just written: no read back.
        self.conn
            .prepare_cached(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    &row.id,
                    establishment.as_str(),
                    i64::from(rights.bits()),
                    &row.sort_key,
                    &row.state,
                    &row.search_text
                ])
            })
            .map_err(storage("cannot save rights"))?;
        Ok(())
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        if !self.account_exists(a.id)? {
            return Err(Error::UnknownAccount {
                id: a.id.to_string(),
            });
        }
        if self
            .email_owner(&a.email)?
            .is_some_and(|owner| owner != a.id)
        {
            return Err(Error::EmailTaken);
        }
        let row = AccountRow::new(a)?;
        let r = self
            .conn
            .prepare_cached(
                "UPDATE accounts SET email = ?2, last_name = ?3, first_name = ?4, function = ?5, role = ?6, state = ?7,
                    mobile = ?8, mobile_kind = ?9, landline = ?10, landline_kind = ?11, password = ?12,
                    previous_passwords = ?13, failed_logins = ?14, lockouts = ?15, locked_until = ?16, locale = ?17,
                    created_at = ?18, last_login_at = ?19, sort_key = ?20, search_text = ?21
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(row.sqlite_params()));
        match r {
            Ok(_) => Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
                    && e.to_string().contains("accounts.email") =>
            {
                Err(Error::EmailTaken)
            }
            Err(e) => Err(storage("cannot update an account")(e)),
        }
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        Ok(self
            .query_accounts(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [&id.as_bytes()[..]],
            )?
            .pop())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        Ok(self
            .query_accounts(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?1"),
                [email.as_str()],
            )?
            .pop())
    }

    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT establishment, bits FROM rights WHERE account = ?1 ORDER BY establishment",
            )
            .map_err(storage("cannot read rights"))?;
        let mut rows = stmt
            .query([&id.as_bytes()[..]])
            .map_err(storage("cannot read rights"))?;
        let mut m = RightsMatrix::default();
        while let Some(row) = rows.next().map_err(storage("cannot read rights"))? {
            let code: String = col(row, 0, "rights", "establishment")?;
            let bits: i64 = col(row, 1, "rights", "bits")?;
            let code =
                EstablishmentCode::parse(&code).map_err(|_| corrupt("rights", "establishment"))?;
            m.set(code, rights_from_bits(bits)?);
        }
        Ok(m)
    }

    fn set_rights(
        &mut self,
        id: AccountId,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.writable()?;
        let unknown = || Error::UnknownAccount { id: id.to_string() };
        let r = if rights.is_empty() {
            if !self.account_exists(id)? {
                return Err(unknown());
            }
            self.conn
                .prepare_cached("DELETE FROM rights WHERE account = ?1 AND establishment = ?2")
                .and_then(|mut s| s.execute(params![&id.as_bytes()[..], establishment.as_str()]))
        } else {
            self.conn
                .prepare_cached(
                    "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                     SELECT id, ?2, ?3, sort_key, state, search_text FROM accounts WHERE id = ?1
                     ON CONFLICT (account, establishment) DO UPDATE SET bits = excluded.bits",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        &id.as_bytes()[..],
                        establishment.as_str(),
                        i64::from(rights.bits())
                    ])
                })
        };
        // No row inserted or updated: the account does not exist (the SELECT found nothing).
        if r.map_err(storage("cannot save rights"))? == 0 && !rights.is_empty() {
            return Err(unknown());
        }
        Ok(())
    }

    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM rights
                 WHERE establishment = ?1 AND (bits & ?2) != 0 AND state = ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        establishment.as_str(),
                        i64::from(manage_bits()),
                        AccountState::Active.code()
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot count managers"))?;
        Ok(n as usize)
    }

    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        // Its three plans over one index are in `listing`.
        self.listing(scope, q)
    }
}

pub(super) fn right_bits(r: crate::rights::Right) -> u8 {
    Rights::from(r).bits()
}

fn manage_bits() -> u8 {
    right_bits(crate::rights::Right::ManageAccounts)
}

pub(super) fn rights_from_bits(bits: i64) -> Result<Rights> {
    u8::try_from(bits)
        .ok()
        .and_then(Rights::from_bits)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| corrupt("rights", "bits"))
}

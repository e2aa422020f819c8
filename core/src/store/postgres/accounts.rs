//! [`AccountRepo`] on PostgreSQL: establishments, the repairer counter, account rows and the
//! rights matrix.
//!
//! The `UNIQUE` constraint on the email decides between two servers inserting one address (the
//! second waits for the first and, if it commits, inserts nothing). `list_accounts` is two
//! statements, the count and the page, over `accounts` in collation-key order (`accounts_sort`),
//! each account's rights on the scope checked by `EXISTS`; a deep page is read from the other
//! end.

use super::{Params, PostgresTx, col, is_unique_violation, pg};
use crate::account::{Account, AccountId, AccountPage, AccountQuery, AccountState, AccountSummary};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::locale::Coded;
use crate::names::PersonName;
use crate::regime::Regime;
use crate::rights::{Rights, RightsMatrix};
use crate::store::AccountRepo;
use crate::store::row::{
    ACCOUNT_COLUMNS, AccountRow, account_id, coded, corrupt, read_account_row,
};
use crate::{Error, Result};
use ::postgres::Row;
use ::postgres::types::ToSql;

impl PostgresTx<'_> {
    fn account_exists(&mut self, id: AccountId) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM accounts WHERE id = $1",
                &[&&id.as_bytes()[..]],
                "cannot look an account up",
            )?
            .is_some())
    }

    fn email_owner(&mut self, email: &Email) -> Result<Option<AccountId>> {
        let row = self.query_opt(
            "SELECT id FROM accounts WHERE email = $1",
            &[&email.as_str()],
            "cannot look an email up",
        )?;
        row.map(|r| {
            let id: &[u8] = col(&r, 0, "accounts", "id")?;
            account_id(id, "accounts", "id")
        })
        .transpose()
    }

    fn accounts(&mut self, sql: &str, p: &Params<'_>) -> Result<Option<Account>> {
        self.query_opt(sql, p, "cannot read accounts")?
            .map(|r| account_from_row(&r))
            .transpose()
    }
}

/// Binds an account row's 21 parameters (see [`AccountRow`]).
impl AccountRow {
    fn pg_params(&self) -> [&(dyn ToSql + Sync); 21] {
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

pub(super) fn account_from_row(row: &Row) -> Result<Account> {
    read_account_row!(col, row).into_account()
}

const ACCOUNT_SUMMARY: &str = "a.id, a.email, a.last_name, a.first_name, a.state";

/// A summary, with its establishments in the scope (column 5, a sorted array).
fn summary_from_row(row: &Row) -> Result<AccountSummary> {
    const T: &str = "accounts";
    let id: &[u8] = col(row, 0, T, "id")?;
    let email: &str = col(row, 1, T, "email")?;
    let last: &str = col(row, 2, T, "last_name")?;
    let first: &str = col(row, 3, T, "first_name")?;
    let state: &str = col(row, 4, T, "state")?;
    let codes: Vec<&str> = col(row, 5, "rights", "establishment")?;
    Ok(AccountSummary {
        id: account_id(id, T, "id")?,
        email: Email::parse(email).map_err(|_| corrupt(T, "email"))?,
        last_name: PersonName::parse(last).map_err(|_| corrupt(T, "last_name"))?,
        first_name: PersonName::parse(first).map_err(|_| corrupt(T, "first_name"))?,
        state: coded::<AccountState>(state, T, "state")?,
        establishments: codes
            .into_iter()
            .map(|c| EstablishmentCode::parse(c).map_err(|_| corrupt("rights", "establishment")))
            .collect::<Result<_>>()?,
    })
}

fn right_bits(r: crate::rights::Right) -> i32 {
    i32::from(Rights::from(r).bits())
}

pub(super) fn rights_from_bits(bits: i32) -> Result<Rights> {
    u8::try_from(bits)
        .ok()
        .and_then(Rights::from_bits)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| corrupt("rights", "bits"))
}

impl AccountRepo for PostgresTx<'_> {
    fn put_establishment(&mut self, e: &Establishment) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        self.execute(
            "INSERT INTO establishments (code, name, city, regime) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE
                 SET name = excluded.name, city = excluded.city, regime = excluded.regime",
            &[
                &e.code.as_str(),
                &e.name,
                &e.city,
                &e.regime.map(Regime::code),
            ],
            "cannot save an establishment",
        )?;
        Ok(())
    }

    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>> {
        self.serialise()?;
        const T: &str = "establishments";
        let Some(row) = self.query_opt(
            "SELECT code, name, city, regime FROM establishments WHERE code = $1",
            &[&code.as_str()],
            "cannot read an establishment",
        )?
        else {
            return Ok(None);
        };
        let code: &str = col(&row, 0, T, "code")?;
        let name: &str = col(&row, 1, T, "name")?;
        let city: &str = col(&row, 2, T, "city")?;
        let regime: Option<&str> = col(&row, 3, T, "regime")?;
        let regime = regime
            .map(|r| coded::<Regime>(r, T, "regime"))
            .transpose()?;
        Establishment::new(code, name, city, regime)
            .map(Some)
            .map_err(|_| corrupt(T, "code, name or city"))
    }

    fn next_repairer_code(&mut self) -> Result<EstablishmentCode> {
        self.writable()?;
        self.serialise()?;
        // A counter row rather than a SEQUENCE: a rolled-back registration gives its number
        // back, as in the other stores (sequences are not transactional).
        let row = self.query_one(
            "INSERT INTO counters (name, value) VALUES ('repairer', 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[],
            "cannot draw a repairer code",
        )?;
        let n: i64 = col(&row, 0, "counters", "value")?;
        Ok(EstablishmentCode::repairer(
            u64::try_from(n).map_err(|_| corrupt("counters", "value"))?,
        ))
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let row = AccountRow::new(a)?;
        // The UNIQUE constraint decides: of two transactions inserting one email, the second
        // waits for the first and, if it commits, inserts nothing (and stays usable).
        let inserted = self.query_opt(
            &format!(
                "INSERT INTO accounts ({ACCOUNT_COLUMNS}, sort_key, search_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
                 ON CONFLICT DO NOTHING RETURNING 1"
            ),
            &row.pg_params(),
            "cannot insert an account",
        )?;
        if inserted.is_some() {
            return Ok(());
        }
        if self.email_owner(&a.email)?.is_some() {
            Err(Error::EmailTaken)
        } else {
            Err(Error::storage("duplicate account id"))
        }
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.serialise()?;
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
        let r = self.execute_raw(
            "UPDATE accounts SET email = $2, last_name = $3, first_name = $4, function = $5, role = $6,
                state = $7, mobile = $8, mobile_kind = $9, landline = $10, landline_kind = $11,
                password = $12, previous_passwords = $13, failed_logins = $14, lockouts = $15,
                locked_until = $16, locale = $17, created_at = $18, last_login_at = $19,
                sort_key = $20, search_text = $21
             WHERE id = $1",
            &row.pg_params(),
        )?;
        match r {
            Ok(_) => Ok(()),
            // Only when a writer outside this library took the email in between.
            Err(e) if is_unique_violation(&e, "accounts_email_key") => Err(Error::EmailTaken),
            Err(e) => Err(pg("cannot update an account")(e)),
        }
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        self.serialise()?;
        self.accounts(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
            &[&&id.as_bytes()[..]],
        )
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        self.serialise()?;
        self.accounts(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
            &[&email.as_str()],
        )
    }

    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix> {
        self.serialise()?;
        let rows = self.query(
            "SELECT establishment, bits FROM rights WHERE account = $1 ORDER BY establishment",
            &[&&id.as_bytes()[..]],
            "cannot read rights",
        )?;
        let mut m = RightsMatrix::default();
        for row in &rows {
            let code: &str = col(row, 0, "rights", "establishment")?;
            let bits: i32 = col(row, 1, "rights", "bits")?;
            let code =
                EstablishmentCode::parse(code).map_err(|_| corrupt("rights", "establishment"))?;
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
        self.serialise()?;
        if !self.account_exists(id)? {
            return Err(Error::UnknownAccount { id: id.to_string() });
        }
        if rights.is_empty() {
            self.execute(
                "DELETE FROM rights WHERE account = $1 AND establishment = $2",
                &[&&id.as_bytes()[..], &establishment.as_str()],
                "cannot save rights",
            )?;
        } else {
            self.execute(
                "INSERT INTO rights (account, establishment, bits) VALUES ($1, $2, $3)
                 ON CONFLICT (account, establishment) DO UPDATE SET bits = excluded.bits",
                &[
                    &&id.as_bytes()[..],
                    &establishment.as_str(),
                    &i32::from(rights.bits()),
                ],
                "cannot save rights",
            )?;
        }
        Ok(())
    }

    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize> {
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM rights r JOIN accounts a ON a.id = r.account
             WHERE r.establishment = $1 AND (r.bits & $2) <> 0 AND a.state = $3",
            &[
                &establishment.as_str(),
                &right_bits(crate::rights::Right::ManageAccounts),
                &AccountState::Active.code(),
            ],
            "cannot count managers",
        )
    }

    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        self.serialise()?;
        let mut codes: Vec<&str> = match &q.establishment {
            Some(e) if scope.contains(e) => vec![e.as_str()],
            Some(_) => Vec::new(),
            None => scope.iter().map(EstablishmentCode::as_str).collect(),
        };
        codes.sort_unstable();
        codes.dedup();
        if codes.is_empty() {
            return Ok(AccountPage {
                items: Vec::new(),
                total: 0,
            });
        }
        let mask = q.right.map_or(0, right_bits);
        let state = q.state.map(AccountState::code);
        let needle = q
            .text
            .as_deref()
            .map(crate::names::fold)
            .filter(|t| !t.is_empty());

        // Accounts holding, on an establishment of the scope, rights that include `mask`.
        const WHERE: &str = "EXISTS (SELECT 1 FROM rights r WHERE r.account = a.id
                 AND r.establishment = ANY($1::text[]) AND (r.bits & $2) = $2)
             AND ($3::text IS NULL OR a.state = $3)
             AND ($4::text IS NULL OR strpos(a.search_text, $4) > 0)";
        let total = self.count(
            &format!("SELECT count(*) FROM accounts a WHERE {WHERE}"),
            &[&codes, &mask, &state, &needle],
            "cannot count accounts",
        )?;
        if q.offset >= total {
            return Ok(AccountPage {
                items: Vec::new(),
                total,
            });
        }
        // Deep pages are read from the other end of the order, then reversed.
        let limit = q.limit.min(total - q.offset);
        let from_end = q.offset > total / 2;
        let (descending, offset) = if from_end {
            (!q.descending, total - q.offset - limit)
        } else {
            (q.descending, q.offset)
        };
        let dir = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {ACCOUNT_SUMMARY},
                 ARRAY(SELECT r.establishment FROM rights r
                       WHERE r.account = a.id AND r.establishment = ANY($1::text[])
                       ORDER BY r.establishment)
             FROM accounts a WHERE {WHERE}
             ORDER BY a.sort_key {dir}, a.id {dir} LIMIT $5 OFFSET $6"
        );
        let rows = self.query(
            &sql,
            &[
                &codes,
                &mask,
                &state,
                &needle,
                &(limit as i64),
                &(offset as i64),
            ],
            "cannot list accounts",
        )?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        if from_end {
            items.reverse();
        }
        Ok(AccountPage { items, total })
    }
}

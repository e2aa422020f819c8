//! `list_accounts` on SQLite: the accounts holding rights on a scope of establishments,
//! filtered, in French order, a page at a time, with the total.
//!
//! Every plan reads the covering index `rights_listing` (establishment, sort key, account,
//! bits, state, search text), so no account row is read before the page is known:
//! - one establishment: its slice of the index, already in order, counted, then paged (a
//!   deep page is read from the other end);
//! - several, up to [`GATHER_LIMIT`] rights rows: the matches gathered from their slices and
//!   sorted;
//! - several, more: their slices merged ([`SqliteTx::merge_slices`]), one pass giving the
//!   total and the page.
//!
//! Then [`SqliteTx::page_of`] reads the page's summaries and their establishments in the
//! scope. The tests compare every plan with the memory store on random data.

use super::accounts::right_bits;
use super::{SqliteTx, col, storage};
use crate::Result;
use crate::account::{AccountPage, AccountQuery, AccountState, AccountSummary};
use crate::email::Email;
use crate::establishment::EstablishmentCode;
use crate::locale::Coded;
use crate::names::PersonName;
use crate::store::row::{account_id, coded, corrupt};
use rusqlite::{Row, params};
use std::collections::HashSet;

impl SqliteTx<'_> {
    /// [`AccountRepo::list_accounts`](crate::store::AccountRepo::list_accounts): picks a plan,
    /// counts and pages.
    pub(super) fn listing(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        let codes: Vec<&EstablishmentCode> = match &q.establishment {
            Some(e) if scope.contains(e) => vec![e],
            Some(_) => Vec::new(),
            None => {
                let mut v: Vec<&EstablishmentCode> = scope.iter().collect();
                v.sort();
                v.dedup();
                v
            }
        };
        if codes.is_empty() {
            return Ok(AccountPage {
                items: Vec::new(),
                total: 0,
            });
        }
        let needle = q
            .text
            .as_deref()
            .map(crate::names::fold)
            .filter(|t| !t.is_empty());
        let args = ListArgs {
            code: codes[0].as_str(),
            scope: json_list(codes.iter().map(|c| c.as_str())),
            mask: q.right.map(|r| i64::from(right_bits(r))),
            state: q.state.map(AccountState::code),
            text: needle,
        };
        // Only the filters asked for, so an unfiltered count is a bare index count.
        let mut filter = String::new();
        if args.mask.is_some() {
            filter.push_str(" AND (r.bits & :mask) = :mask");
        }
        if args.state.is_some() {
            filter.push_str(" AND r.state = :state");
        }
        if args.text.is_some() {
            filter.push_str(" AND instr(r.search_text, :text) > 0");
        }

        // Three plans, all on `rights_listing`, which carries the sort key, state and search
        // text, so no account row is read before the page is known:
        // - one establishment: its slice of the index, already in order;
        // - several, few rights rows: gather the matches from their slices and sort them;
        // - several, many: merge their slices, each already in order (see `merge_slices`).
        const SLICE: &str = "FROM rights r INDEXED BY rights_listing WHERE r.establishment = :code";
        const GATHER: &str = "FROM rights r INDEXED BY rights_listing
             WHERE r.establishment IN (SELECT value FROM json_each(:scope))";
        let (from, count) = if codes.len() == 1 {
            (SLICE, format!("SELECT count(*) {SLICE}{filter}"))
        } else if self.gathers(&args)? {
            // An account holding rights on several of the establishments counts once.
            let sql = format!("SELECT count(*) FROM (SELECT DISTINCT r.account {GATHER}{filter})");
            (GATHER, sql)
        } else {
            let (total, ids) = self.merge_slices(&codes, &args, &filter, q)?;
            return self.page_of(ids, total, &codes);
        };
        let total = self.count(&count, &args)?;
        if q.offset >= total {
            return Ok(AccountPage {
                items: Vec::new(),
                total,
            });
        }

        // Deep pages are read from the other end, then reversed.
        let limit = q.limit.min(total - q.offset);
        let from_end = q.offset > total / 2;
        let (descending, offset) = if from_end {
            (!q.descending, total - q.offset - limit)
        } else {
            (q.descending, q.offset)
        };
        let dir = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT DISTINCT r.sort_key, r.account {from}{filter}
             ORDER BY r.sort_key {dir}, r.account {dir} LIMIT :limit OFFSET :offset"
        );
        let mut ids = Vec::with_capacity(limit);
        {
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .map_err(storage("cannot list accounts"))?;
            args.bind(&mut stmt)
                .and_then(|()| bind(&mut stmt, ":limit", limit as i64))
                .and_then(|()| bind(&mut stmt, ":offset", offset as i64))
                .map_err(storage("cannot list accounts"))?;
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(storage("cannot list accounts"))? {
                let id: Vec<u8> = col(row, 1, "rights", "account")?;
                ids.push(id);
            }
        }
        if from_end {
            ids.reverse();
        }
        self.page_of(ids, total, &codes)
    }
}

impl SqliteTx<'_> {
    /// The summaries of a page of accounts (ids in listing order), with their establishments
    /// within the scope.
    fn page_of(
        &self,
        ids: Vec<Vec<u8>>,
        total: usize,
        codes: &[&EstablishmentCode],
    ) -> Result<AccountPage> {
        // The page's accounts, and their establishments within the scope.
        let visible: HashSet<&str> = codes.iter().map(|c| c.as_str()).collect();
        let mut summary = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_SUMMARY} FROM accounts a WHERE a.id = ?1"
            ))
            .map_err(storage("cannot list accounts"))?;
        let mut held = self
            .conn
            .prepare_cached(
                "SELECT establishment FROM rights WHERE account = ?1 ORDER BY establishment",
            )
            .map_err(storage("cannot read rights"))?;
        let mut items = Vec::with_capacity(ids.len());
        for id in &ids {
            let mut rows = summary
                .query([id])
                .map_err(storage("cannot list accounts"))?;
            let Some(row) = rows.next().map_err(storage("cannot list accounts"))? else {
                return Err(corrupt("rights", "account"));
            };
            let mut item = summary_from_row(row)?;
            let mut rows = held.query([id]).map_err(storage("cannot read rights"))?;
            while let Some(row) = rows.next().map_err(storage("cannot read rights"))? {
                let code: String = col(row, 0, "rights", "establishment")?;
                if visible.contains(code.as_str()) {
                    item.establishments.push(
                        EstablishmentCode::parse(&code)
                            .map_err(|_| corrupt("rights", "establishment"))?,
                    );
                }
            }
            items.push(item);
        }
        Ok(AccountPage { items, total })
    }
}

/// The values a `list_accounts` statement may name.
struct ListArgs<'a> {
    code: &'a str,
    scope: String,
    mask: Option<i64>,
    state: Option<&'static str>,
    text: Option<String>,
}

impl ListArgs<'_> {
    /// Binds those the statement names.
    fn bind(&self, stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        bind(stmt, ":code", self.code)?;
        bind(stmt, ":scope", &self.scope)?;
        bind(stmt, ":mask", self.mask)?;
        bind(stmt, ":state", self.state)?;
        bind(stmt, ":text", &self.text)
    }
}

/// Binds a named parameter if the statement has it.
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    name: &str,
    v: impl rusqlite::ToSql,
) -> rusqlite::Result<()> {
    match stmt.parameter_index(name)? {
        Some(i) => stmt.raw_bind_parameter(i, v),
        None => Ok(()),
    }
}

impl SqliteTx<'_> {
    fn count(&self, sql: &str, args: &ListArgs<'_>) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(storage("cannot count accounts"))?;
        args.bind(&mut stmt)
            .map_err(storage("cannot count accounts"))?;
        let mut rows = stmt.raw_query();
        let n: i64 = match rows.next().map_err(storage("cannot count accounts"))? {
            Some(row) => col(row, 0, "rights", "count")?,
            None => 0,
        };
        Ok(n.max(0) as usize)
    }

    /// Lists a scope of several establishments by merging their slices of `rights_listing`,
    /// each read in order by its own statement: one pass over the scope's rights rows gives both
    /// the total and the page, with no sort and no temporary table. An account holding rights on
    /// several of the establishments comes out of each of their slices with the same key, one
    /// after the other, and counts once.
    fn merge_slices(
        &self,
        codes: &[&EstablishmentCode],
        args: &ListArgs<'_>,
        filter: &str,
        q: &AccountQuery,
    ) -> Result<(usize, Vec<Vec<u8>>)> {
        let err = storage("cannot list accounts");
        let dir = if q.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
             WHERE r.establishment = :code{filter} ORDER BY r.sort_key {dir}, r.account {dir}"
        );
        // One statement per slice, prepared for this listing (a scope may hold many
        // establishments; the statement cache keeps one statement per text). Preparing costs
        // a few µs each, reading the slices milliseconds.
        let mut stmts = Vec::with_capacity(codes.len());
        for code in codes {
            let mut stmt = self.conn.prepare(&sql).map_err(&err)?;
            args.bind(&mut stmt)
                .and_then(|()| bind(&mut stmt, ":code", code.as_str()))
                .map_err(&err)?;
            stmts.push(stmt);
        }
        let mut cursors: Vec<_> = stmts.iter_mut().map(|s| s.raw_query()).collect();

        let mut heap = std::collections::BinaryHeap::with_capacity(cursors.len());
        for (cursor, rows) in cursors.iter_mut().enumerate() {
            let mut head = SliceHead {
                key: Vec::new(),
                account: Vec::new(),
                cursor,
                descending: q.descending,
            };
            if head.advance(rows)? {
                heap.push(head);
            }
        }
        let (first, end) = (q.offset, q.offset.saturating_add(q.limit));
        let mut ids = Vec::with_capacity(q.limit.min(1024));
        let (mut total, mut last_key, mut last_account) = (0usize, Vec::new(), Vec::new());
        // The top's slice moves on in place (one sift down), and leaves the heap when done.
        while let Some(mut head) = heap.peek_mut() {
            if total == 0 || head.key != last_key || head.account != last_account {
                if (first..end).contains(&total) {
                    ids.push(head.account.clone());
                }
                total += 1;
                // The head's buffers become the last key seen; the old ones take its next row.
                std::mem::swap(&mut head.key, &mut last_key);
                std::mem::swap(&mut head.account, &mut last_account);
            }
            let cursor = head.cursor;
            if !head.advance(&mut cursors[cursor])? {
                std::collections::binary_heap::PeekMut::pop(head);
            }
        }
        Ok((total, ids))
    }

    /// Whether to list a scope of several establishments by sorting its matches rather than
    /// by merging their slices: for a few rights rows, where preparing a statement per
    /// establishment would cost more than the sort. Merging costs less per row as soon as
    /// there are a few thousand (30,000 rows: 5 ms merged, 24 ms sorted).
    fn gathers(&self, args: &ListArgs<'_>) -> Result<bool> {
        let limit = self.gather_limit.unwrap_or(GATHER_LIMIT);
        let cap = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM rights INDEXED BY rights_listing
                 WHERE establishment IN (SELECT value FROM json_each(?1)) LIMIT ?2)",
            )
            .and_then(|mut s| s.query_row(params![args.scope, cap], |r| r.get(0)))
            .map_err(storage("cannot count accounts"))?;
        Ok(n.max(0) as usize <= limit)
    }
}

/// Up to this many rights rows in a scope of several establishments, `list_accounts` sorts the
/// matches rather than merging the establishments' slices.
const GATHER_LIMIT: usize = 2_000;

/// The next row of one establishment's slice in `merge_slices`, ordered for a max-heap so that
/// the row that comes first in the listing's direction is on top.
struct SliceHead {
    key: Vec<u8>,
    account: Vec<u8>,
    cursor: usize,
    descending: bool,
}

impl SliceHead {
    /// Reads the slice's next row into the head's buffers; `false` when the slice is done.
    fn advance(&mut self, rows: &mut rusqlite::Rows<'_>) -> Result<bool> {
        let Some(row) = rows.next().map_err(storage("cannot list accounts"))? else {
            return Ok(false);
        };
        for (i, buf) in [(0, &mut self.key), (1, &mut self.account)] {
            let bytes = row
                .get_ref(i)
                .ok()
                .and_then(|v| v.as_blob().ok())
                .ok_or_else(|| corrupt("rights", if i == 0 { "sort_key" } else { "account" }))?;
            buf.clear();
            buf.extend_from_slice(bytes);
        }
        Ok(true)
    }
}

impl Ord for SliceHead {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let order = (&self.key, &self.account).cmp(&(&other.key, &other.account));
        if self.descending {
            order
        } else {
            order.reverse()
        }
    }
}

impl PartialOrd for SliceHead {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SliceHead {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for SliceHead {}

const ACCOUNT_SUMMARY: &str = "a.id, a.email, a.last_name, a.first_name, a.state";

fn summary_from_row(row: &Row<'_>) -> Result<AccountSummary> {
    const T: &str = "accounts";
    let id: Vec<u8> = col(row, 0, T, "id")?;
    let email: String = col(row, 1, T, "email")?;
    let last: String = col(row, 2, T, "last_name")?;
    let first: String = col(row, 3, T, "first_name")?;
    let state: String = col(row, 4, T, "state")?;
    Ok(AccountSummary {
        id: account_id(&id, T, "id")?,
        email: Email::parse(&email).map_err(|_| corrupt(T, "email"))?,
        last_name: PersonName::parse(&last).map_err(|_| corrupt(T, "last_name"))?,
        first_name: PersonName::parse(&first).map_err(|_| corrupt(T, "first_name"))?,
        state: coded::<AccountState>(&state, T, "state")?,
        establishments: Vec::new(),
    })
}

/// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
fn json_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    serde_json::Value::Array(
        items
            .into_iter()
            .map(|s| serde_json::Value::String(s.to_owned()))
            .collect(),
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    use crate::account::{Account, AccountId, AccountQuery, AccountState};
    use crate::email::Email;
    use crate::establishment::EstablishmentCode;
    use crate::locale::{Coded, Locale};
    use crate::names::PersonName;
    use crate::rights::Rights;
    use crate::store::sqlite::SqliteStore;
    use crate::store::sqlite::tests::{TempPath, codes, fast};
    use crate::store::{AccountRepo, MemoryStore, Store};
    use time::OffsetDateTime;

    /// xorshift64*: reproducible test data without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
            &v[self.below(v.len())]
        }
    }

    const LAST: &[&str] = &[
        "Éric",
        "Eric",
        "ERIC",
        "Émile",
        "Zoé",
        "Abel",
        "Ægir",
        "Çelik",
        "Dupont",
        "du Pont",
        "Dupond",
        "Lœvenbruck",
        "O'Neil",
        "Ölsen",
        "Martin",
        "Martín",
        "MARTIN",
        "Zola",
        "Édith",
        "Eva",
        "Ève",
    ];
    const FIRST: &[&str] = &[
        "Anne",
        "Éric",
        "Ève",
        "Luc",
        "Jean-François",
        "Zoé",
        "Paul",
        "Élodie",
    ];
    const STATES: &[AccountState] = &[
        AccountState::Declared,
        AccountState::Invited,
        AccountState::Active,
        AccountState::Disabled,
    ];

    fn account(rng: &mut Rng, i: usize) -> Account {
        Account {
            id: AccountId::generate(),
            email: Email::parse(&format!("user{i}@garage{}.fr", rng.below(5))).unwrap(),
            last_name: PersonName::parse(rng.pick::<&str>(LAST)).unwrap(),
            first_name: PersonName::parse(rng.pick::<&str>(FIRST)).unwrap(),
            function: String::new(),
            role: crate::account::Role::User,
            state: *rng.pick(STATES),
            mobile: None,
            landline: None,
            password: None,
            previous_passwords: Vec::new(),
            failed_logins: 0,
            lockouts: 0,
            locked_until: None,
            locale: Locale::Fr,
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_login_at: None,
        }
    }

    #[test]
    fn list_accounts_agrees_with_the_memory_store_on_both_plans() {
        let path = TempPath::new("differential");
        let mut sqlite = SqliteStore::open(&path.0, fast()).unwrap();
        let memory = MemoryStore::new();
        // The same data in both: populate each from the same seed, then copy ids over.
        let mut rng = Rng(0x5eed);
        let all = codes(6);
        let mut accounts = Vec::new();
        for i in 0..400 {
            let a = account(&mut rng, i);
            let mut rights = Vec::new();
            for _ in 0..rng.below(3) + 1 {
                rights.push((
                    rng.pick(&all).clone(),
                    Rights::from_bits((rng.below(63) + 1) as u8).unwrap(),
                ));
            }
            accounts.push((a, rights));
        }
        fn load<S: Store>(store: &S, accounts: &[(Account, Vec<(EstablishmentCode, Rights)>)]) {
            store
                .write(|tx| {
                    for (a, rights) in accounts {
                        tx.insert_account(a)?;
                        for (c, r) in rights {
                            tx.set_rights(a.id, c, *r)?;
                        }
                    }
                    Ok(())
                })
                .unwrap();
        }
        load(&sqlite, &accounts);
        load(&memory, &accounts);

        let texts = [
            None,
            Some("eric"),
            Some("É"),
            Some("garage3"),
            Some("ève"),
            Some("zz"),
            Some(""),
        ];
        for round in 0..300 {
            if round == 150 {
                // Renames, state changes and removed rights must reach the listing copies.
                let mut changes = Vec::new();
                for _ in 0..60 {
                    let (a, rights) = &accounts[rng.below(accounts.len())];
                    let mut b = a.clone();
                    b.last_name = PersonName::parse(rng.pick::<&str>(LAST)).unwrap();
                    b.state = *rng.pick(STATES);
                    let cleared = rng.pick(rights).0.clone();
                    changes.push((b, cleared));
                }
                fn apply<S: Store>(store: &S, changes: &[(Account, EstablishmentCode)]) {
                    store
                        .write(|tx| {
                            for (b, cleared) in changes {
                                let current = tx.account(b.id)?.unwrap();
                                tx.update_account(&Account {
                                    failed_logins: current.failed_logins + 1,
                                    ..b.clone()
                                })?;
                                tx.set_rights(b.id, cleared, Rights::EMPTY)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                }
                apply(&sqlite, &changes);
                apply(&memory, &changes);
                let conn = sqlite.writer();
                let stale: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM rights r JOIN accounts a ON a.id = r.account
                         WHERE r.sort_key IS NOT a.sort_key OR r.state IS NOT a.state
                            OR r.search_text IS NOT a.search_text",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(stale, 0);
            }
            let mut scope: Vec<EstablishmentCode> =
                all.iter().filter(|_| rng.below(2) == 0).cloned().collect();
            if round % 7 == 0 {
                scope = all.clone();
            }
            let q = AccountQuery {
                text: rng.pick(&texts).map(str::to_owned),
                establishment: if rng.below(4) == 0 {
                    Some(rng.pick(&all).clone())
                } else {
                    None
                },
                right: if rng.below(3) == 0 {
                    Some(*rng.pick(crate::rights::Right::ALL))
                } else {
                    None
                },
                state: if rng.below(3) == 0 {
                    Some(*rng.pick(STATES))
                } else {
                    None
                },
                descending: rng.below(2) == 0,
                offset: rng.below(420),
                limit: rng.below(120) + 1,
            };
            let expected = memory.read(|tx| tx.list_accounts(&scope, &q)).unwrap();
            // Every plan: sorting the matches, and merging the establishments' slices.
            for threshold in [Some(usize::MAX), Some(0), None] {
                sqlite.gather_limit = threshold;
                let got = sqlite.read(|tx| tx.list_accounts(&scope, &q)).unwrap();
                assert_eq!(
                    got, expected,
                    "round {round}, gather limit {threshold:?}, {q:?}, scope {scope:?}"
                );
            }
        }
    }

    /// `cargo test --release -p dealer-portal --lib store::sqlite::listing::tests::list_accounts_at_scale -- --ignored --nocapture`
    #[test]
    #[ignore = "a benchmark: run it in release"]
    fn list_accounts_at_scale() {
        let path = TempPath::new("scale");
        let mut store = SqliteStore::open(&path.0, fast()).unwrap();
        let mut rng = Rng(42);
        let start = std::time::Instant::now();
        // 100,000 accounts: all on T0 (a group's head office sees them all), and each also on
        // one of ten shops T1..T10 (10,000 each).
        let all = codes(11);
        store
            .write(|tx| {
                for i in 0..100_000 {
                    let a = account(&mut rng, i);
                    tx.insert_account(&a)?;
                    let bits = Rights::from_bits((rng.below(63) + 1) as u8).unwrap();
                    tx.set_rights(a.id, &all[0], bits)?;
                    tx.set_rights(a.id, &all[1 + i % 10], Rights::all())?;
                }
                Ok(())
            })
            .unwrap();
        println!("insert 100k: {:?}", start.elapsed());
        let head = vec![all[0].clone()];
        let shops = all[1..].to_vec();
        let q = AccountQuery::default;
        let cases: Vec<(&str, Vec<EstablishmentCode>, AccountQuery)> = vec![
            ("T0, first page", head.clone(), q()),
            (
                "T0, Z-A first page",
                head.clone(),
                AccountQuery {
                    descending: true,
                    ..q()
                },
            ),
            (
                "T0, page at 25k",
                head.clone(),
                AccountQuery {
                    offset: 25_000,
                    ..q()
                },
            ),
            (
                "T0, page at 50k",
                head.clone(),
                AccountQuery {
                    offset: 50_000,
                    ..q()
                },
            ),
            (
                "T0, last page",
                head.clone(),
                AccountQuery {
                    offset: 99_950,
                    ..q()
                },
            ),
            (
                "T0, text 'eric'",
                head.clone(),
                AccountQuery {
                    text: Some("eric".into()),
                    ..q()
                },
            ),
            (
                "T0, text 'user4242'",
                head.clone(),
                AccountQuery {
                    text: Some("user4242".into()),
                    ..q()
                },
            ),
            (
                "T0, right",
                head.clone(),
                AccountQuery {
                    right: Some(crate::rights::Right::ManageAccounts),
                    ..q()
                },
            ),
            (
                "T0, state, page 10k",
                head.clone(),
                AccountQuery {
                    state: Some(AccountState::Disabled),
                    offset: 10_000,
                    ..q()
                },
            ),
            ("one shop (10k)", vec![all[7].clone()], q()),
            (
                "3 shops, page at 10k",
                shops[..3].to_vec(),
                AccountQuery {
                    offset: 10_000,
                    ..q()
                },
            ),
            ("10 shops, first page", shops.clone(), q()),
            (
                "10 shops, Z-A at 50k",
                shops.clone(),
                AccountQuery {
                    offset: 50_000,
                    descending: true,
                    ..q()
                },
            ),
            (
                "10 shops, text 'eric'",
                shops.clone(),
                AccountQuery {
                    text: Some("eric".into()),
                    ..q()
                },
            ),
            (
                "all 11, page at 30k",
                all.clone(),
                AccountQuery {
                    offset: 30_000,
                    limit: 500,
                    ..q()
                },
            ),
        ];
        let plans: [(&str, Option<usize>); 3] = [
            ("auto", None),
            ("gather", Some(usize::MAX)),
            ("merge", Some(0)),
        ];
        for (name, scope, q) in &cases {
            for (plan, limit) in plans {
                if scope.len() == 1 && limit.is_some() {
                    continue;
                }
                store.gather_limit = limit;
                let mut times = Vec::new();
                let mut total = 0;
                for _ in 0..7 {
                    let start = std::time::Instant::now();
                    total = store.read(|tx| tx.list_accounts(scope, q)).unwrap().total;
                    times.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                times.sort_by(f64::total_cmp);
                println!(
                    "{name:>24} {plan:>6}: min {:>7.2} ms, median {:>7.2} ms (total {total})",
                    times[0], times[3]
                );
            }
        }
    }
}

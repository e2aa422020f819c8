//! The in-memory store: the reference semantics of every trait, for tests and embedded use.

use super::{AccountRepo, DocumentRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo};
use crate::account::{Account, AccountId, AccountPage, AccountQuery, AccountState, AccountSummary};
use crate::audit::{AuditKey, StoredAuditEvent};
use crate::document::{
    Document, DocumentId, DocumentPage, DocumentQuery, NewDocument, newest_first,
};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::names;
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::period::YearMonth;
use crate::regime::DebitLine;
use crate::rights::{Right, Rights, RightsMatrix};
use crate::session::SessionRecord;
use crate::token::{TokenDigest, TokenPurpose, TokenState};
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use time::OffsetDateTime;

mod attempts;
mod audit;
mod erase;
mod lifecycle;

type Undo = Box<dyn FnOnce(&mut State) + Send>;

#[derive(Default)]
struct State {
    establishments: HashMap<EstablishmentCode, Establishment>,
    repairer_seq: u64,
    accounts: HashMap<AccountId, Account>,
    by_email: HashMap<Email, AccountId>,
    /// (sort key, id): the French alphabetical order of `list_accounts`.
    sorted: BTreeSet<(Vec<u8>, AccountId)>,
    /// Folded "last first email", for text search.
    search_text: HashMap<AccountId, String>,
    rights: HashMap<AccountId, RightsMatrix>,
    holders: HashMap<EstablishmentCode, BTreeSet<AccountId>>,
    tokens: HashMap<TokenDigest, TokenRecord>,
    sessions: HashMap<TokenDigest, SessionRecord>,
    /// Every notification queued; acknowledged ones have their token dropped (zeroized).
    outbox: BTreeMap<NotificationId, (Notification, bool)>,
    next_notification: u64,
    audit: Vec<StoredAuditEvent>,
    audit_key: Option<AuditKey>,
    documents: BTreeMap<DocumentId, Document>,
    documents_by_establishment: HashMap<EstablishmentCode, Vec<DocumentId>>,
    debit_lines: HashMap<(EstablishmentCode, YearMonth), Vec<DebitLine>>,
    attempts: HashMap<AccountId, (u32, OffsetDateTime)>,
}

/// A store held in memory, behind one mutex. Its transactions keep an undo journal, so an `Err`
/// from the closure leaves no trace.
///
/// ```
/// use dealer_portal::store::{MemoryStore, Store, AccountRepo};
/// use dealer_portal::establishment::EstablishmentCode;
/// let store = MemoryStore::new();
/// let code = store.write(|tx| tx.next_repairer_code()).unwrap();
/// assert_eq!(code, EstablishmentCode::repairer(1));
/// ```
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

/// A transaction on a [`MemoryStore`].
pub struct MemoryTx<'a> {
    st: &'a mut State,
    undo: Vec<Undo>,
    read_only: bool,
}

impl Store for MemoryStore {
    type Tx<'a> = MemoryTx<'a>;

    fn write<R>(&self, f: impl FnOnce(&mut MemoryTx<'_>) -> Result<R>) -> Result<R> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = MemoryTx {
            st: &mut guard,
            undo: Vec::new(),
            read_only: false,
        };
        let r = f(&mut tx);
        if r.is_err() {
            let MemoryTx { st, undo, .. } = tx;
            for u in undo.into_iter().rev() {
                u(st);
            }
        }
        r
    }

    fn read<R>(&self, f: impl FnOnce(&mut MemoryTx<'_>) -> Result<R>) -> Result<R> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = MemoryTx {
            st: &mut guard,
            undo: Vec::new(),
            read_only: true,
        };
        f(&mut tx)
    }

    fn set_audit_key(&self, key: Option<AuditKey>) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .audit_key = key;
    }
}

impl MemoryTx<'_> {
    fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::storage("write attempted in a read-only transaction"));
        }
        Ok(())
    }

    fn journal(&mut self, u: impl FnOnce(&mut State) + Send + 'static) {
        self.undo.push(Box::new(u));
    }

    /// Removes the account's index entries (for update and undo).
    fn unindex(st: &mut State, a: &Account) {
        st.by_email.remove(&a.email);
        st.sorted.remove(&(
            names::sort_key(&a.last_name, &a.first_name, a.email.as_str()),
            a.id,
        ));
        st.search_text.remove(&a.id);
    }

    fn index(st: &mut State, a: &Account) {
        st.by_email.insert(a.email.clone(), a.id);
        st.sorted.insert((
            names::sort_key(&a.last_name, &a.first_name, a.email.as_str()),
            a.id,
        ));
        st.search_text.insert(a.id, search_text(a));
    }

    fn put_account_row(st: &mut State, a: Option<Account>, id: AccountId) {
        if let Some(old) = st.accounts.remove(&id) {
            Self::unindex(st, &old);
        }
        if let Some(a) = a {
            Self::index(st, &a);
            st.accounts.insert(id, a);
        }
    }

    /// Drops (zeroizes) the link token of every pending notification carrying one of these
    /// tokens, which are no longer usable; the mail stays queued, without its link.
    fn erase_links(&mut self, dead: &[TokenDigest]) {
        let carries = |n: &Notification| {
            (n.body.token.as_ref())
                .is_some_and(|t| dead.contains(&TokenDigest::of_text(t.expose())))
        };
        for (&id, (n, _)) in self
            .st
            .outbox
            .iter_mut()
            .filter(|(_, (n, a))| !a && carries(n))
        {
            let token = n.body.token.take();
            self.undo.push(Box::new(move |st: &mut State| {
                if let Some((n, _)) = st.outbox.get_mut(&id) {
                    n.body.token = token;
                }
            }));
        }
    }

    fn set_token_row(&mut self, digest: TokenDigest, rec: TokenRecord) {
        let old = self.st.tokens.insert(digest, rec);
        self.journal(move |st| match old {
            Some(o) => {
                st.tokens.insert(digest, o);
            }
            None => {
                st.tokens.remove(&digest);
            }
        });
    }
}

pub(crate) fn search_text(a: &Account) -> String {
    names::fold(&format!("{} {} {}", a.last_name, a.first_name, a.email))
}

impl AccountRepo for MemoryTx<'_> {
    fn put_establishment(&mut self, e: &Establishment) -> Result<()> {
        self.writable()?;
        let old = self.st.establishments.insert(e.code.clone(), e.clone());
        let code = e.code.clone();
        self.journal(move |st| match old {
            Some(o) => {
                st.establishments.insert(code, o);
            }
            None => {
                st.establishments.remove(&code);
            }
        });
        Ok(())
    }

    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>> {
        Ok(self.st.establishments.get(code).cloned())
    }

    fn next_repairer_code(&mut self) -> Result<EstablishmentCode> {
        self.writable()?;
        self.st.repairer_seq += 1;
        self.journal(|st| st.repairer_seq -= 1);
        Ok(EstablishmentCode::repairer(self.st.repairer_seq))
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        if self.st.by_email.contains_key(&a.email) {
            return Err(Error::EmailTaken);
        }
        if self.st.accounts.contains_key(&a.id) {
            return Err(Error::storage("duplicate account id"));
        }
        Self::put_account_row(self.st, Some(a.clone()), a.id);
        let id = a.id;
        self.journal(move |st| MemoryTx::put_account_row(st, None, id));
        Ok(())
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        let Some(old) = self.st.accounts.get(&a.id).cloned() else {
            return Err(Error::UnknownAccount {
                id: a.id.to_string(),
            });
        };
        if old.email != a.email && self.st.by_email.contains_key(&a.email) {
            return Err(Error::EmailTaken);
        }
        Self::put_account_row(self.st, Some(a.clone()), a.id);
        let id = a.id;
        self.journal(move |st| MemoryTx::put_account_row(st, Some(old), id));
        Ok(())
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        Ok(self.st.accounts.get(&id).cloned())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        Ok(self
            .st
            .by_email
            .get(email)
            .and_then(|id| self.st.accounts.get(id))
            .cloned())
    }

    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix> {
        Ok(self.st.rights.get(&id).cloned().unwrap_or_default())
    }

    fn set_rights(
        &mut self,
        id: AccountId,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.writable()?;
        if !self.st.accounts.contains_key(&id) {
            return Err(Error::UnknownAccount { id: id.to_string() });
        }
        let before = self
            .st
            .rights
            .get(&id)
            .map(|m| m.rights_on(establishment))
            .unwrap_or_default();
        apply_rights(self.st, id, establishment, rights);
        let code = establishment.clone();
        self.journal(move |st| apply_rights(st, id, &code, before));
        Ok(())
    }

    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize> {
        let Some(holders) = self.st.holders.get(establishment) else {
            return Ok(0);
        };
        Ok(holders
            .iter()
            .filter(|id| {
                self.st
                    .accounts
                    .get(id)
                    .is_some_and(|a| a.state == AccountState::Active)
                    && self
                        .st
                        .rights
                        .get(id)
                        .is_some_and(|m| m.rights_on(establishment).contains(Right::ManageAccounts))
            })
            .count())
    }

    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        let scope: BTreeSet<&EstablishmentCode> = match &q.establishment {
            Some(e) if scope.contains(e) => std::iter::once(e).collect(),
            Some(_) => BTreeSet::new(),
            None => scope.iter().collect(),
        };
        let needle = q.text.as_deref().map(names::fold).filter(|t| !t.is_empty());
        let st = &*self.st;
        let matches = |id: &AccountId| -> Option<()> {
            let m = st.rights.get(id)?;
            if !m.iter().any(|(code, rights)| {
                scope.contains(code) && q.right.is_none_or(|r| rights.contains(r))
            }) {
                return None;
            }
            let a = st.accounts.get(id)?;
            if q.state.is_some_and(|s| s != a.state) {
                return None;
            }
            if let Some(n) = &needle
                && !st
                    .search_text
                    .get(id)
                    .is_some_and(|t| t.contains(n.as_str()))
            {
                return None;
            }
            Some(())
        };
        let mut total = 0;
        let mut items = Vec::new();
        let mut visit = |id: &AccountId| {
            if matches(id).is_some() {
                if total >= q.offset && items.len() < q.limit {
                    let a = &st.accounts[id];
                    // Every visible establishment where it holds anything, not only those
                    // matching the filter on `right`. The matrix iterates in code order.
                    let codes = st.rights[id]
                        .iter()
                        .filter(|(c, _)| scope.contains(c))
                        .map(|(c, _)| c.clone())
                        .collect();
                    items.push(AccountSummary {
                        id: a.id,
                        email: a.email.clone(),
                        last_name: a.last_name.clone(),
                        first_name: a.first_name.clone(),
                        state: a.state,
                        establishments: codes,
                    });
                }
                total += 1;
            }
        };
        if q.descending {
            st.sorted.iter().rev().for_each(|(_, id)| visit(id));
        } else {
            st.sorted.iter().for_each(|(_, id)| visit(id));
        }
        Ok(AccountPage { items, total })
    }
}

fn apply_rights(st: &mut State, id: AccountId, code: &EstablishmentCode, rights: Rights) {
    let m = st.rights.entry(id).or_default();
    m.set(code.clone(), rights);
    if m.is_empty() {
        st.rights.remove(&id);
    }
    let holders = st.holders.entry(code.clone()).or_default();
    if rights.is_empty() {
        holders.remove(&id);
    } else {
        holders.insert(id);
    }
}

impl TokenRepo for MemoryTx<'_> {
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.writable()?;
        if self.st.tokens.contains_key(&t.digest) {
            return Err(Error::storage("duplicate token digest"));
        }
        self.set_token_row(t.digest, t.clone());
        Ok(())
    }

    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        Ok(self.st.tokens.get(digest).cloned())
    }

    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>> {
        self.writable()?;
        let Some(rec) = self.st.tokens.get(digest) else {
            return Ok(None);
        };
        if rec.lifecycle.purpose != purpose
            || rec.lifecycle.state != TokenState::Issued
            || now >= rec.lifecycle.expires_at
        {
            return Ok(None);
        }
        let mut new = rec.clone();
        new.lifecycle.state = TokenState::Consumed;
        self.set_token_row(*digest, new.clone());
        self.erase_links(&[*digest]);
        Ok(Some(new))
    }

    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize> {
        self.writable()?;
        let live: Vec<TokenRecord> = self
            .st
            .tokens
            .values()
            .filter(|t| {
                t.account == account
                    && t.lifecycle.state == TokenState::Issued
                    && purposes.contains(&t.lifecycle.purpose)
            })
            .cloned()
            .collect();
        for mut t in live.iter().cloned() {
            t.lifecycle.state = to;
            self.set_token_row(t.digest, t);
        }
        self.erase_links(&live.iter().map(|t| t.digest).collect::<Vec<_>>());
        Ok(live.len())
    }

    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()> {
        self.writable()?;
        if let Some(mut t) = self.st.tokens.get(digest).cloned()
            && t.lifecycle.state == TokenState::Issued
        {
            t.lifecycle.state = TokenState::Expired;
            self.set_token_row(*digest, t);
            self.erase_links(&[*digest]);
        }
        Ok(())
    }
}

impl SessionRepo for MemoryTx<'_> {
    fn insert_session(&mut self, s: &SessionRecord) -> Result<()> {
        self.writable()?;
        let d = s.digest;
        if self.st.sessions.insert(d, s.clone()).is_some() {
            return Err(Error::storage("duplicate session digest"));
        }
        self.journal(move |st| {
            st.sessions.remove(&d);
        });
        Ok(())
    }

    fn session(&mut self, digest: &TokenDigest) -> Result<Option<SessionRecord>> {
        Ok(self.st.sessions.get(digest).cloned())
    }

    fn touch_session(&mut self, digest: &TokenDigest, last_seen: OffsetDateTime) -> Result<()> {
        self.writable()?;
        if let Some(s) = self.st.sessions.get_mut(digest) {
            let old = s.last_seen;
            s.touch(last_seen);
            let d = *digest;
            self.journal(move |st| {
                if let Some(s) = st.sessions.get_mut(&d) {
                    s.last_seen = old;
                }
            });
        }
        Ok(())
    }

    fn delete_session(&mut self, digest: &TokenDigest) -> Result<bool> {
        self.writable()?;
        match self.st.sessions.remove(digest) {
            Some(s) => {
                self.journal(move |st| {
                    st.sessions.insert(s.digest, s);
                });
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn sessions_of(&mut self, account: AccountId) -> Result<Vec<SessionRecord>> {
        let mut all: Vec<SessionRecord> = self
            .st
            .sessions
            .values()
            .filter(|s| s.account == account)
            .cloned()
            .collect();
        all.sort_by(|a, b| {
            (a.created_at, a.digest.as_bytes()).cmp(&(b.created_at, b.digest.as_bytes()))
        });
        Ok(all)
    }

    fn set_session_establishment(
        &mut self,
        digest: &TokenDigest,
        establishment: Option<&EstablishmentCode>,
    ) -> Result<bool> {
        self.writable()?;
        let Some(s) = self.st.sessions.get_mut(digest) else {
            return Ok(false);
        };
        let old = std::mem::replace(&mut s.establishment, establishment.cloned());
        let d = *digest;
        self.journal(move |st| {
            if let Some(s) = st.sessions.get_mut(&d) {
                s.establishment = old;
            }
        });
        Ok(true)
    }

    fn delete_expired_sessions(
        &mut self,
        account: AccountId,
        now: OffsetDateTime,
    ) -> Result<usize> {
        self.writable()?;
        let gone: Vec<SessionRecord> = self
            .st
            .sessions
            .values()
            .filter(|s| s.account == account && !s.is_valid(now))
            .cloned()
            .collect();
        for s in &gone {
            self.st.sessions.remove(&s.digest);
        }
        let n = gone.len();
        self.journal(move |st| {
            for s in gone {
                st.sessions.insert(s.digest, s);
            }
        });
        Ok(n)
    }

    fn delete_sessions(&mut self, account: AccountId) -> Result<usize> {
        self.writable()?;
        let gone: Vec<SessionRecord> = self
            .st
            .sessions
            .values()
            .filter(|s| s.account == account)
            .cloned()
            .collect();
        for s in &gone {
            self.st.sessions.remove(&s.digest);
        }
        let n = gone.len();
        self.journal(move |st| {
            for s in gone {
                st.sessions.insert(s.digest, s);
            }
        });
        Ok(n)
    }
}

impl OutboxRepo for MemoryTx<'_> {
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId> {
        self.writable()?;
        self.st.next_notification += 1;
        let id = NotificationId(self.st.next_notification);
        self.st.outbox.insert(
            id,
            (
                Notification {
                    id,
                    created_at: at,
                    body: n.clone(),
                },
                false,
            ),
        );
        self.journal(move |st| {
            st.outbox.remove(&id);
            st.next_notification -= 1;
        });
        Ok(id)
    }

    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>> {
        Ok(self
            .st
            .outbox
            .values()
            .filter(|(_, acked)| !acked)
            .take(limit)
            .map(|(n, _)| n.clone())
            .collect())
    }

    fn count_queued_since(
        &mut self,
        email: &Email,
        kind: NotificationKind,
        since: OffsetDateTime,
    ) -> Result<usize> {
        Ok(self
            .st
            .outbox
            .values()
            .filter(|(n, _)| n.body.kind == kind && &n.body.email == email && n.created_at >= since)
            .count())
    }

    fn acknowledge(&mut self, id: NotificationId) -> Result<()> {
        self.writable()?;
        match self.st.outbox.get_mut(&id) {
            Some((n, acked @ false)) => {
                *acked = true;
                // Dropping the `SecretString` zeroizes the token's plaintext.
                let token = n.body.token.take();
                self.journal(move |st| {
                    if let Some((n, acked)) = st.outbox.get_mut(&id) {
                        *acked = false;
                        n.body.token = token;
                    }
                });
                Ok(())
            }
            _ => Err(Error::UnknownNotification { id: id.to_string() }),
        }
    }
}

impl DocumentRepo for MemoryTx<'_> {
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId> {
        self.writable()?;
        let id = DocumentId(
            self.st
                .documents
                .last_key_value()
                .map_or(1, |(k, _)| k.0 + 1),
        );
        let doc = Document {
            id,
            establishment: establishment.clone(),
            doc: d.clone(),
        };
        self.st.documents.insert(id, doc);
        self.st
            .documents_by_establishment
            .entry(establishment.clone())
            .or_default()
            .push(id);
        let code = establishment.clone();
        self.journal(move |st| {
            st.documents.remove(&id);
            if let Some(v) = st.documents_by_establishment.get_mut(&code) {
                v.pop();
            }
        });
        Ok(id)
    }

    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        let ids = self
            .st
            .documents_by_establishment
            .get(establishment)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut hits: Vec<&Document> = ids
            .iter()
            .filter_map(|id| self.st.documents.get(id))
            .filter(|d| q.matches(d))
            .collect();
        hits.sort_by(|a, b| newest_first(a, b));
        let total = hits.len();
        let items = hits
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .cloned()
            .collect();
        Ok(DocumentPage { items, total })
    }

    fn insert_debit_line(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        self.writable()?;
        let key = (establishment.clone(), month);
        self.st
            .debit_lines
            .entry(key.clone())
            .or_default()
            .push(line.clone());
        self.journal(move |st| {
            if let Some(v) = st.debit_lines.get_mut(&key) {
                v.pop();
            }
        });
        Ok(())
    }

    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>> {
        Ok(self
            .st
            .debit_lines
            .get(&(establishment.clone(), month))
            .cloned()
            .unwrap_or_default())
    }
}

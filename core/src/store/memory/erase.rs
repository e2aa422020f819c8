//! [`ErasureRepo`] on the memory store: the account and everything personal of it leave every
//! map; the undo journal keeps them until the transaction ends (then they are dropped, and
//! the link tokens among them zeroized).

use super::{MemoryTx, State, apply_rights};
use crate::Result;
use crate::account::AccountId;
use crate::email::Email;
use crate::rights::Rights;
use crate::store::ErasureRepo;

impl ErasureRepo for MemoryTx<'_> {
    fn erase_account(&mut self, id: AccountId) -> Result<bool> {
        self.writable()?;
        let Some(account) = self.st.accounts.get(&id).cloned() else {
            return Ok(false);
        };
        let rights = self.st.rights.get(&id).cloned().unwrap_or_default();
        for (code, _) in rights.iter() {
            apply_rights(self.st, id, code, Rights::EMPTY);
        }
        let st = &mut *self.st;
        let sessions: Vec<_> = st.sessions.extract_if(|_, s| s.account == id).collect();
        let tokens: Vec<_> = st.tokens.extract_if(|_, t| t.account == id).collect();
        let mut addresses: Vec<Email> =
            tokens.iter().filter_map(|(_, t)| t.email.clone()).collect();
        addresses.push(account.email.clone());
        let mails: Vec<_> = (st.outbox.iter())
            .filter(|(_, (n, _))| addresses.contains(&n.body.email))
            .map(|(i, _)| *i)
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|i| st.outbox.remove_entry(&i))
            .collect();
        Self::put_account_row(self.st, None, id);
        self.journal(move |st: &mut State| {
            Self::put_account_row(st, Some(account), id);
            for (code, r) in rights.iter() {
                apply_rights(st, id, code, r);
            }
            st.sessions.extend(sessions);
            st.tokens.extend(tokens);
            st.outbox.extend(mails);
        });
        Ok(true)
    }
}

//! [`MfaRepo`] in memory: second factors and recovery-code digests, journalled like the rest.

use super::{MemoryTx, State};
use crate::Result;
use crate::account::AccountId;
use crate::store::MfaRepo;
use crate::token::TokenDigest;
use crate::totp::TotpRecord;
use std::collections::{BTreeSet, HashMap};

/// The memory store's second factors.
#[derive(Default)]
pub(super) struct MfaState {
    totp: HashMap<AccountId, TotpRecord>,
    recovery: HashMap<AccountId, BTreeSet<[u8; 32]>>,
}

impl MemoryTx<'_> {
    /// Journals the account's whole second-factor state, so an `Err` restores it.
    fn save_mfa(&mut self, account: AccountId) -> Result<()> {
        self.writable()?;
        let totp = self.st.mfa.totp.get(&account).cloned();
        let recovery = self.st.mfa.recovery.get(&account).cloned();
        self.journal(move |st: &mut State| {
            match totp {
                Some(t) => st.mfa.totp.insert(account, t),
                None => st.mfa.totp.remove(&account),
            };
            match recovery {
                Some(r) => st.mfa.recovery.insert(account, r),
                None => st.mfa.recovery.remove(&account),
            };
        });
        Ok(())
    }
}

impl MfaRepo for MemoryTx<'_> {
    fn totp(&mut self, account: AccountId) -> Result<Option<TotpRecord>> {
        Ok(self.st.mfa.totp.get(&account).cloned())
    }

    fn put_pending_totp(&mut self, r: &TotpRecord) -> Result<bool> {
        if self
            .st
            .mfa
            .totp
            .get(&r.account)
            .is_some_and(|t| t.confirmed)
        {
            return Ok(false);
        }
        self.save_mfa(r.account)?;
        let mut r = r.clone();
        r.confirmed = false;
        self.st.mfa.totp.insert(r.account, r);
        Ok(true)
    }

    fn confirm_totp(
        &mut self,
        account: AccountId,
        step: i64,
        recovery: &[TokenDigest],
    ) -> Result<bool> {
        match self.st.mfa.totp.get(&account) {
            Some(t) if !t.confirmed && t.last_step < step => {}
            _ => return Ok(false),
        }
        self.save_mfa(account)?;
        if let Some(t) = self.st.mfa.totp.get_mut(&account) {
            t.confirmed = true;
            t.last_step = step;
        }
        self.st
            .mfa
            .recovery
            .insert(account, recovery.iter().map(|d| *d.as_bytes()).collect());
        Ok(true)
    }

    fn advance_totp_step(&mut self, account: AccountId, step: i64) -> Result<bool> {
        match self.st.mfa.totp.get(&account) {
            Some(t) if t.confirmed && t.last_step < step => {}
            _ => return Ok(false),
        }
        self.save_mfa(account)?;
        if let Some(t) = self.st.mfa.totp.get_mut(&account) {
            t.last_step = step;
        }
        Ok(true)
    }

    fn use_recovery_code(&mut self, account: AccountId, digest: &TokenDigest) -> Result<bool> {
        if !self
            .st
            .mfa
            .recovery
            .get(&account)
            .is_some_and(|r| r.contains(digest.as_bytes()))
        {
            return Ok(false);
        }
        self.save_mfa(account)?;
        if let Some(r) = self.st.mfa.recovery.get_mut(&account) {
            r.remove(digest.as_bytes());
        }
        Ok(true)
    }

    fn recovery_codes_left(&mut self, account: AccountId) -> Result<usize> {
        Ok(self.st.mfa.recovery.get(&account).map_or(0, BTreeSet::len))
    }

    fn delete_totp(&mut self, account: AccountId) -> Result<bool> {
        let had = self.st.mfa.totp.contains_key(&account);
        if had || self.st.mfa.recovery.contains_key(&account) {
            self.save_mfa(account)?;
            self.st.mfa.totp.remove(&account);
            self.st.mfa.recovery.remove(&account);
        }
        Ok(had)
    }
}

//! [`MfaRepo`]: the second factor of each account (a sealed TOTP secret, its last accepted time
//! step) and its recovery codes' digests.
//!
//! The rules that must hold under concurrency are single conditional writes: a time step is
//! accepted by [`MfaRepo::advance_totp_step`] (`last_step < step`), a recovery code is used by
//! deleting its row ([`MfaRepo::use_recovery_code`]); of two transactions presenting the same
//! code, exactly one sees `true`.

use crate::Result;
use crate::account::AccountId;
use crate::token::TokenDigest;
use crate::totp::TotpRecord;

/// Second factors (TOTP) and recovery codes.
pub trait MfaRepo {
    /// The account's second factor, confirmed or not.
    fn totp(&mut self, account: AccountId) -> Result<Option<TotpRecord>>;
    /// Stores a new, unconfirmed second factor for the account, replacing an unconfirmed one;
    /// `false` (and nothing changed) when a confirmed one exists.
    fn put_pending_totp(&mut self, r: &TotpRecord) -> Result<bool>;
    /// Confirms the account's pending second factor with its first accepted `step`, and
    /// replaces its recovery codes with `recovery` (digests); `false` (and nothing changed)
    /// when there is no pending one or `step` is not after its last step.
    fn confirm_totp(
        &mut self,
        account: AccountId,
        step: i64,
        recovery: &[TokenDigest],
    ) -> Result<bool>;
    /// Compare-and-set: if the account's second factor is confirmed and its last accepted step
    /// is before `step`, records `step` and returns `true`; otherwise `false`, nothing changed.
    fn advance_totp_step(&mut self, account: AccountId, step: i64) -> Result<bool>;
    /// Uses (deletes) one of the account's recovery codes; whether it was there.
    fn use_recovery_code(&mut self, account: AccountId, digest: &TokenDigest) -> Result<bool>;
    /// How many recovery codes the account has left.
    fn recovery_codes_left(&mut self, account: AccountId) -> Result<usize>;
    /// Removes the account's second factor and recovery codes; whether it had one.
    fn delete_totp(&mut self, account: AccountId) -> Result<bool>;
}

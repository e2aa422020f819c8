//! The audit chain's head and verification, and the erasure of an account (second release).

use super::{Core, Job, Portal, parse_account_id};
use crate::values::count;
use dealer_portal::Error;
use dealer_portal::audit::AuditHead as CoreAuditHead;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

/// The end of the audit chain: the last event's position (`seq`, 0 for an empty log) and hash
/// (64 hex digits). Record it outside the store and give it back to `verifyAuditChain` to
/// detect a cut tail or a rewritten log.
#[napi(object)]
pub struct AuditHead {
    /// The last event's position (0: no event).
    pub seq: u32,
    /// Its hash, 64 hex digits.
    pub hash: String,
}

impl AuditHead {
    fn from_core(h: CoreAuditHead) -> Result<Self, Error> {
        Ok(AuditHead {
            seq: u32::try_from(h.seq).map_err(|_| Error::InvalidInput {
                field: "audit_head",
                reason: "the log holds more events than a JS AuditHead counts".into(),
            })?,
            hash: h.hash,
        })
    }
}

portal_methods! {
    #[doc = "The end of the audit chain ({ seq, hash }), to record outside the store."]
    fn audit_head / audit_head_async() -> AuditHead as "Promise<AuditHead>"
    |p| { AuditHead::from_core(p.audit_head()?) }

    #[doc = "Recomputes the audit chain (under the configured audit_key for keyed events); returns"]
    #[doc = "the number of events. With expectedHead, also checks the log still holds that head (a"]
    #[doc = "log that grew since passes). AUDIT_CHAIN_BROKEN otherwise."]
    fn verify_audit_chain / verify_audit_chain_async(expected_head: Option<AuditHead>) -> u32 as "Promise<number>"
    |p| {
        let head = expected_head.map(|h| CoreAuditHead::new(u64::from(h.seq), h.hash));
        p.verify_audit_chain(head.as_ref()).map(count)
    }

    #[doc = "Erases a disabled account (names, email, phones, password hashes, sessions, links,"]
    #[doc = "mails); its id and audit events stay. INVALID_STATE if it is not disabled."]
    fn erase_account / erase_account_async(session_token: String, account_id: String) -> () as "Promise<void>"
    |p| { p.erase_account(&session_token, parse_account_id(&account_id)?) }
}

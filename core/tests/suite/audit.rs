//! The keyed audit chain, its head, and the erasure of an account, generic over [`Store`]: run on
//! every store by `audit.rs` (in memory, SQLite) and `postgres.rs` (PostgreSQL), each giving an
//! [`Intruder`] that edits its database as someone with write access to it would (SQL `UPDATE`
//! and `DELETE` on SQLite and PostgreSQL) and reads back every byte it keeps (the SQLite file
//! and its WAL, a `pg_dump`).
//!
//! Not a test crate of its own (it is in a subdirectory of `tests/`).

use dealer_portal::account::{AccountId, AccountQuery, NewUser, ProfileUpdate};
use dealer_portal::audit::{
    AuditAction, AuditHead, AuditKey, AuditScheme, GENESIS, StoredAuditEvent, chain_hash, hex,
};
use dealer_portal::notification::NotificationKind;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{AuditRepo, Store};
use dealer_portal::{Error, ManualClock};
use serde_json::json;
use std::sync::Arc;
use time::macros::datetime;

/// What someone with write access to the database can do, bypassing the portal.
pub trait Intruder: Send + Sync {
    /// Overwrites the stored event `e.seq` with `e` (content, hashes, scheme).
    fn overwrite(&self, e: &StoredAuditEvent);
    /// Deletes the events from `seq` on.
    fn cut_from(&self, seq: u64);
    /// Every byte the store keeps on disk (the file and its WAL; a dump), or `None` for a
    /// store with no such bytes (in memory).
    fn bytes(&self) -> Option<Vec<u8>>;
}

pub const USER_PW: &str = "Premiere-Connexion-1";
const KEY: [u8; 32] = [0x5a; 32];

pub type P<S> = Portal<Arc<S>, ManualClock>;

fn config(key: Option<[u8; 32]>) -> PortalConfig {
    PortalConfig {
        audit_key: key.map(AuditKey::from_bytes),
        ..PortalConfig::for_tests()
    }
}

fn portal<S: Store + 'static>(s: &Arc<S>, key: Option<[u8; 32]>) -> P<S> {
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    Portal::new(s.clone(), clock, config(key)).unwrap()
}

fn broken(r: dealer_portal::Result<usize>) -> String {
    match r {
        Err(e @ Error::AuditChainBroken { .. }) => e.to_string(),
        Err(e) => panic!("expected AUDIT_CHAIN_BROKEN, got {}: {e}", e.code()),
        Ok(n) => panic!("expected AUDIT_CHAIN_BROKEN, the chain of {n} events verified"),
    }
}

fn log<S: Store + 'static>(p: &P<S>) -> Vec<StoredAuditEvent> {
    p.store().read(|tx| tx.audit_all()).unwrap()
}

/// The administrator of both garages, logged in; then a user of T99999, active.
fn populate<S: Store + 'static>(p: &P<S>) -> String {
    let admin = super::flows::admin_session(p);
    super::flows::active_user(
        p,
        &admin,
        "T99999",
        "user@garage-xyz.fr",
        "Martin",
        &[Right::SubmitClaims],
    );
    admin
}

/// Rewrites event `seq`'s details and chains it and every later event again with plain
/// SHA-256, as anyone who can write to the database can: every hash is right for SHA-256.
fn rewrite_and_rechain(intruder: &dyn Intruder, mut events: Vec<StoredAuditEvent>, seq: u64) {
    let mut prev = if seq == 1 {
        GENESIS
    } else {
        events[seq as usize - 2].hash
    };
    for e in events.iter_mut().skip(seq as usize - 1) {
        if e.seq == seq {
            e.event.details = json!({"rewritten": true});
        }
        e.prev_hash = prev;
        e.scheme = AuditScheme::Sha256;
        e.hash = chain_hash(&prev, e.seq, &e.event);
        prev = e.hash;
        intruder.overwrite(e);
    }
}

pub fn a_keyed_chain_catches_a_rewrite<S: Store + 'static>(s: Arc<S>, intruder: &dyn Intruder) {
    let p = portal(&s, Some(KEY));
    populate(&p);
    let n = p.verify_audit_chain(None).unwrap();
    assert!(n > 5);
    assert!(log(&p).iter().all(|e| e.scheme == AuditScheme::HmacSha256));
    rewrite_and_rechain(intruder, log(&p), 3);
    assert_eq!(log(&p)[2].event.details, json!({"rewritten": true}));
    let why = broken(p.verify_audit_chain(None));
    assert!(why.contains("event 3"), "{why}");
}

pub fn a_keyed_chain_catches_a_rechained_tail<S: Store + 'static>(
    s: Arc<S>,
    intruder: &dyn Intruder,
) {
    let p = portal(&s, Some(KEY));
    populate(&p);
    let events = log(&p);
    // Only the last event rewritten and chained without the key: caught too.
    rewrite_and_rechain(intruder, events.clone(), events.len() as u64);
    let why = broken(p.verify_audit_chain(None));
    assert!(why.contains("without the key"), "{why}");
}

pub fn an_unkeyed_chain_is_rewritten_unseen_but_its_head_is_not<S: Store + 'static>(
    s: Arc<S>,
    intruder: &dyn Intruder,
) {
    let p = portal(&s, None);
    populate(&p);
    let head = p.audit_head().unwrap();
    assert_eq!(
        head.seq as usize,
        p.verify_audit_chain(Some(&head)).unwrap()
    );
    rewrite_and_rechain(intruder, log(&p), 2);
    // The weakness the key removes: a re-chained SHA-256 log verifies on its own...
    assert_eq!(p.verify_audit_chain(None).unwrap(), head.seq as usize);
    // ...but not against the head the host recorded.
    let why = broken(p.verify_audit_chain(Some(&head)));
    assert!(why.contains("rewritten"), "{why}");
}

pub fn a_cut_tail_is_caught_by_the_recorded_head<S: Store + 'static>(
    s: Arc<S>,
    intruder: &dyn Intruder,
) {
    let p = portal(&s, Some(KEY));
    let admin = populate(&p);
    let head = p.audit_head().unwrap();
    let events = log(&p);
    assert_eq!(head.seq, events.len() as u64);
    assert_eq!(head.hash, hex(&events.last().unwrap().hash));
    // The log grows: the recorded head still holds.
    p.logout(&admin).unwrap();
    assert!(p.audit_head().unwrap().seq > head.seq);
    assert_eq!(
        p.verify_audit_chain(Some(&head)).unwrap(),
        head.seq as usize + 1
    );
    // Cut the last two events: what is left verifies on its own, not against the head.
    intruder.cut_from(head.seq - 1);
    assert_eq!(p.verify_audit_chain(None).unwrap(), head.seq as usize - 2);
    let why = broken(p.verify_audit_chain(Some(&head)));
    assert!(why.contains("cut"), "{why}");
    // Another hash at the recorded position: rewritten.
    let mut other = p.audit_head().unwrap();
    other.hash = "ab".repeat(32);
    let why = broken(p.verify_audit_chain(Some(&other)));
    assert!(why.contains("rewritten"), "{why}");
    // A hash that is no hash at all.
    let bad = AuditHead::new(1, "not hex");
    assert_eq!(
        p.verify_audit_chain(Some(&bad)).unwrap_err().code(),
        "INVALID_INPUT"
    );
}

pub fn a_log_begun_unkeyed_verifies_once_keyed<S: Store + 'static>(
    s: Arc<S>,
    _intruder: &dyn Intruder,
) {
    let empty = portal(&s, None).audit_head().unwrap();
    assert_eq!(empty, AuditHead::new(0, "0".repeat(64)));
    let unkeyed = portal(&s, None);
    let admin = populate(&unkeyed);
    let before = unkeyed.verify_audit_chain(None).unwrap();
    let head = unkeyed.audit_head().unwrap();
    // The same store, now with a key: a keyed event marks the change.
    let keyed = portal(&s, Some(KEY));
    let events = log(&keyed);
    assert_eq!(events.len(), before + 1);
    let last = events.last().unwrap();
    assert_eq!(last.event.action, AuditAction::AuditChainKeyed);
    assert_eq!(last.scheme, AuditScheme::HmacSha256);
    assert!(
        events[..before]
            .iter()
            .all(|e| e.scheme == AuditScheme::Sha256)
    );
    keyed.logout(&admin).unwrap();
    assert_eq!(keyed.verify_audit_chain(Some(&head)).unwrap(), before + 2);
    // Opening again with the key appends nothing more.
    assert_eq!(log(&portal(&s, Some(KEY))).len(), before + 2);
    // Without the key, or with another one: broken, and the message says why.
    let why = broken(portal(&s, None).verify_audit_chain(None));
    assert!(why.contains("no audit_key"), "{why}");
    let why = broken(portal(&s, Some([1; 32])).verify_audit_chain(None));
    assert!(why.contains("not the one"), "{why}");
}

/// Every form a personal value may take in the store: as typed, lower-cased, and folded the
/// way the listing's search text folds it.
fn forms(values: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        out.push(v.to_string());
        out.push(v.to_lowercase());
        out.push(dealer_portal::names::fold(v));
    }
    out.sort();
    out.dedup();
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

pub fn erase_account_leaves_no_personal_byte<S: Store + 'static>(
    s: Arc<S>,
    intruder: &dyn Intruder,
) {
    let p = portal(&s, Some(KEY));
    let admin = super::flows::admin_session(&p);
    let t99 = super::flows::est("T99999");
    // The person to erase: names, function, both phones, an email change on the way.
    let (victim, victim_session) = super::flows::active_user(
        &p,
        &admin,
        "T99999",
        "zebulonne.quichottard@garage-xyz.fr",
        "Quichottard",
        &[Right::SubmitClaims],
    );
    let update = ProfileUpdate::from_fields(
        Some("Quichottard"),
        Some("Zébulonne"),
        Some("Réceptionnaire atelier"),
        Some("06 23 42 54 55"),
        Some("01 47 20 00 01"),
    )
    .unwrap();
    p.update_profile(&admin, victim, &update).unwrap();
    p.request_email_change(
        &victim_session,
        &super::flows::email("zq.nouvelle@garage-xyz.fr"),
        USER_PW,
    )
    .unwrap();
    // Another person, who stays.
    let (other, _) = super::flows::active_user(
        &p,
        &admin,
        "T99999",
        "hippolyte.barnabeau@garage-xyz.fr",
        "Barnabeau",
        &[Right::SubmitClaims],
    );
    p.update_profile(
        &admin,
        other,
        &ProfileUpdate::from_fields(None, Some("Hippolyte"), None, Some("06 11 22 33 44"), None)
            .unwrap(),
    )
    .unwrap();
    let other_before = p.account(&admin, other).unwrap();
    let victim_values = forms(&[
        "zebulonne.quichottard@garage-xyz.fr",
        "zq.nouvelle@garage-xyz.fr",
        "Quichottard",
        "Zébulonne",
        "Réceptionnaire atelier",
        "+33623425455",
        "06 23 42 54 55",
        "0623425455",
        "+33147200001",
        "01 47 20 00 01",
        "0147200001",
    ]);
    let other_values = forms(&[
        "hippolyte.barnabeau@garage-xyz.fr",
        "Barnabeau",
        "Hippolyte",
        "+33611223344",
    ]);

    // The rules: only a disabled account, by a manager of all its establishments.
    assert_eq!(
        p.erase_account(&admin, victim).unwrap_err().code(),
        "INVALID_STATE"
    );
    let (_, manager_t88) = super::flows::active_user(
        &p,
        &admin,
        "T88888",
        "gerant.t88@garage-xyz.fr",
        "Gerant",
        &[Right::ManageAccounts],
    );
    let (_, clerk) = super::flows::active_user(
        &p,
        &admin,
        "T99999",
        "clerk@garage-xyz.fr",
        "Clerk",
        &[Right::SubmitClaims],
    );
    p.disable_account(&admin, victim).unwrap();
    assert_eq!(
        p.erase_account(&manager_t88, victim).unwrap_err().code(),
        "UNKNOWN_ACCOUNT"
    );
    // No right to manage accounts anywhere: the account is not even visible.
    assert_eq!(
        p.erase_account(&clerk, victim).unwrap_err().code(),
        "UNKNOWN_ACCOUNT"
    );
    // Rights on an establishment the T88888 manager does not manage: FORBIDDEN for it.
    p.set_rights(
        &admin,
        victim,
        &super::flows::est("T88888"),
        Rights::EMPTY.with(Right::SubmitClaims),
    )
    .unwrap();
    assert_eq!(
        p.erase_account(&manager_t88, victim).unwrap_err().code(),
        "FORBIDDEN"
    );
    assert_eq!(
        p.erase_account(&admin, AccountId::from_bytes([9; 16]))
            .unwrap_err()
            .code(),
        "UNKNOWN_ACCOUNT"
    );
    assert!(victim_session.len() > 10);
    if let Some(bytes) = intruder.bytes() {
        // Before: the scan finds the person (so finding nothing afterwards means something).
        assert!(contains(&bytes, "Quichottard"));
        assert!(contains(&bytes, "+33623425455"));
    }

    let events_before = p.verify_audit_chain(None).unwrap();
    p.erase_account(&admin, victim).unwrap();

    // Gone from every flow.
    for r in [
        p.account(&admin, victim).map(|_| ()),
        p.enable_account(&admin, victim),
        p.disable_account(&admin, victim),
        p.erase_account(&admin, victim),
        p.resend_activation(&admin, victim),
        p.set_rights(
            &admin,
            victim,
            &t99,
            Rights::EMPTY.with(Right::SubmitClaims),
        ),
        p.update_profile(&admin, victim, &update).map(|_| ()),
    ] {
        assert_eq!(r.unwrap_err().code(), "UNKNOWN_ACCOUNT");
    }
    let listed = p.list_accounts(&admin, &AccountQuery::default()).unwrap();
    assert!(listed.items.iter().all(|a| a.id != victim));
    assert!(listed.items.iter().any(|a| a.id == other));
    assert_eq!(
        p.login("zebulonne.quichottard@garage-xyz.fr", USER_PW, false)
            .unwrap_err()
            .code(),
        "INVALID_CREDENTIALS"
    );
    assert!(p.pending_notifications().unwrap().iter().all(|n| {
        !n.body.email.as_str().contains("quichottard") && !n.body.email.as_str().contains("zq.")
    }));
    // The audit keeps the id and its events, and verifies.
    // (+1 for the erasure, +1 for the refused login above)
    assert_eq!(p.verify_audit_chain(None).unwrap(), events_before + 2);
    let about: Vec<_> = log(&p)
        .into_iter()
        .filter(|e| e.event.subject == Some(victim))
        .collect();
    assert!(about.len() > 3);
    assert_eq!(
        about.last().unwrap().event.action,
        AuditAction::AccountErased
    );
    // The other person is intact, and still gets mail.
    assert_eq!(p.account(&admin, other).unwrap(), other_before);
    p.request_password_reset(&super::flows::email("hippolyte.barnabeau@garage-xyz.fr"))
        .unwrap();
    assert_eq!(
        super::flows::mails(
            &p,
            NotificationKind::PasswordReset,
            "hippolyte.barnabeau@garage-xyz.fr"
        )
        .len(),
        1
    );
    if let Some(bytes) = intruder.bytes() {
        let left: Vec<_> = victim_values
            .iter()
            .filter(|v| v.len() >= 4 && contains(&bytes, v))
            .collect();
        assert!(left.is_empty(), "left in the store after erasure: {left:?}");
        for v in &other_values {
            assert!(contains(&bytes, v), "{v} of the other account is gone");
        }
    }
    // The address is free again.
    p.create_user(
        &admin,
        &t99,
        &NewUser::new("Autre", "Personne", "zebulonne.quichottard@garage-xyz.fr").unwrap(),
        Rights::EMPTY.with(Right::SubmitClaims),
    )
    .unwrap();
}

/// Invokes `$m!` with the name of every check above.
macro_rules! every_audit_check {
    ($m:ident) => {
        $m!(
            a_keyed_chain_catches_a_rewrite,
            a_keyed_chain_catches_a_rechained_tail,
            an_unkeyed_chain_is_rewritten_unseen_but_its_head_is_not,
            a_cut_tail_is_caught_by_the_recorded_head,
            a_log_begun_unkeyed_verifies_once_keyed,
            erase_account_leaves_no_personal_byte,
        );
    };
}
pub(crate) use every_audit_check;

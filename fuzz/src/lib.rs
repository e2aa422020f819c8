//! Helpers shared by the fuzz targets: result codes, rights from raw bits, a fixed clock, and
//! bootstrapping an administrator through the real reset flow.

use dealer_portal::account::Declaration;
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::rights::Rights;
use dealer_portal::service::Portal;
use dealer_portal::store::Store;
use dealer_portal::{Clock, ManualClock};
use time::macros::datetime;

/// The stable code of a result: `"OK"` or the error's code.
pub fn code<T>(r: &dealer_portal::Result<T>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// The rights named by the low six bits.
pub fn rights(bits: u8) -> Rights {
    Rights::from_bits(bits & 0b11_1111).expect("six bits always name rights")
}

/// A clock stopped at a fixed instant, so runs are reproducible.
pub fn clock() -> ManualClock {
    ManualClock::new(datetime!(2026-01-15 09:00 UTC))
}

/// The newest pending link token of `kind` for `email`.
pub fn pending_link<S: Store, C: Clock>(
    p: &Portal<S, C>,
    email: &str,
    kind: NotificationKind,
) -> Option<String> {
    p.pending_notifications()
        .expect("pending notifications")
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == email)
        .and_then(|n| n.body.token.map(|t| t.expose().to_owned()))
}

/// Acknowledges every pending notification.
pub fn acknowledge_all<S: Store, C: Clock>(p: &Portal<S, C>) {
    for n in p.pending_notifications().expect("pending notifications") {
        p.acknowledge_notification(n.id).expect("acknowledge");
    }
}

/// Declares `email` administrator of `establishments`, sets its password through "Mot de passe
/// oublié" and logs in; returns the session token.
pub fn bootstrap_admin<S: Store, C: Clock>(
    p: &Portal<S, C>,
    email: &str,
    last: &str,
    first: &str,
    establishments: &[Establishment],
    password: &str,
) -> String {
    let decl = Declaration::new(email, last, first, "Gérant").expect("declaration");
    p.declare_administrator(&decl, establishments)
        .expect("declare administrator");
    p.request_password_reset(&email.parse().expect("email"))
        .expect("request reset");
    let link = pending_link(p, email, NotificationKind::PasswordReset).expect("reset link queued");
    p.complete_password_reset(&link, email, password, password)
        .expect("complete reset");
    p.login(email, password, false)
        .expect("login")
        .token
        .expose()
        .to_owned()
}

//! Bulk import under a profiler: `cargo run --release -p dealer-portal-benches --example import_profile`
//! (creates 20,000 users in batches of 1,000 on a SQLite file and prints the rate).

use dealer_portal::SystemClock;
use dealer_portal::account::{Declaration, NewUser};
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::NotificationKind;
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{SqliteOptions, SqliteStore};

fn main() {
    let dir = std::env::temp_dir().join("dealer-portal-import-profile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(dir.join("p.db"), SqliteOptions::default()).unwrap();
    let p = Portal::new(store, SystemClock, PortalConfig::for_tests()).unwrap();
    let est = [Establishment::new("T1", "G", "V", Some(Regime::Insurance)).unwrap()];
    p.declare_administrator(&Declaration::new("a@x.fr", "Admin", "A", "").unwrap(), &est)
        .unwrap();
    p.request_password_reset("a@x.fr").unwrap();
    let n = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .find(|n| n.body.kind == NotificationKind::PasswordReset)
        .unwrap();
    let pw = "Profile-Password-1!";
    p.complete_password_reset(n.body.token.as_ref().unwrap().expose(), "a@x.fr", pw, pw)
        .unwrap();
    let s = p
        .login("a@x.fr", pw, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let t = std::time::Instant::now();
    let mut k = 0;
    for _ in 0..20 {
        let rows: Vec<UserImport> = (0..1000)
            .map(|_| {
                k += 1;
                UserImport {
                    establishment: "T1".parse().unwrap(),
                    user: NewUser::new("Dupont", "Éric", &format!("u{k}@x.fr")).unwrap(),
                    rights: Rights::from(Right::SubmitClaims),
                }
            })
            .collect();
        p.create_users(&s, &rows).unwrap();
    }
    let e = t.elapsed();
    println!(
        "{} users in {:?}: {:.0} users/s",
        k,
        e,
        k as f64 / e.as_secs_f64()
    );
    let t = std::time::Instant::now();
    for i in 0..200 {
        p.create_user(
            &s,
            "T1",
            &NewUser::new("Durand", "Anne", &format!("one{i}@x.fr")).unwrap(),
            Rights::from(Right::SubmitClaims),
        )
        .unwrap();
    }
    let e = t.elapsed();
    println!(
        "200 users one by one in {:?}: {:.0} users/s",
        e,
        200.0 / e.as_secs_f64()
    );
}

//! The host surface (`suite/host.rs`) on the stores of this crate: in memory and SQLite.
//! `postgres.rs` runs the same list on PostgreSQL.

#[path = "suite/host.rs"]
mod suite;

macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::suite::$name(dealer_portal::store::MemoryStore::new()); })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(#[test] fn $name() { super::suite::$name(super::sqlite_store(stringify!($name))); })*
        }
    };
}

#[cfg(feature = "sqlite")]
fn sqlite_store(name: &str) -> dealer_portal::store::SqliteStore {
    use dealer_portal::store::{SqliteOptions, SqliteStore, Synchronous};
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-host-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    SqliteStore::open(dir.join("portal.db"), opts).unwrap()
}

suite::every_host_flow!(on_every_store);

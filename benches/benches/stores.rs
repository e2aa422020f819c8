//! The flows on the stores, with the throughputs the issues ask for: authenticate (session
//! check), create_user one by one and in batches (bulk import), list_accounts over 100,000
//! accounts, document search over 1,000,000 documents (vs a naive full scan).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use dealer_portal::account::AccountQuery;
use dealer_portal::document::{DocumentKind, DocumentQuery, NewDocument};
use dealer_portal::service::{Portal, PortalConfig, UserImport};
use dealer_portal::store::{MemoryStore, SqliteOptions, SqliteStore, Synchronous};
use dealer_portal::{EstablishmentCode, SystemClock};
use dealer_portal_benches::{add_phones, establishment, import_row, logged_in_admin};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

static SEQ: AtomicU64 = AtomicU64::new(0);

fn sqlite(name: &str, sync: Synchronous) -> SqliteStore {
    let dir = std::env::temp_dir().join("dealer-portal-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
    SqliteStore::open(
        &path,
        SqliteOptions {
            synchronous: sync,
            ..SqliteOptions::default()
        },
    )
    .unwrap()
}

fn import_rows(n: usize, establishments: usize) -> Vec<UserImport> {
    (0..n)
        .map(|i| import_row(i, SEQ.fetch_add(1, Ordering::Relaxed), establishments))
        .collect()
}

fn sessions_and_users(c: &mut Criterion) {
    let mut g = c.benchmark_group("sqlite");
    let p = Portal::new(
        sqlite("sessions", Synchronous::Full),
        SystemClock,
        PortalConfig::for_tests(),
    )
    .unwrap();
    let token = logged_in_admin(&p, 2);
    g.bench_function("authenticate", |b| {
        b.iter(|| p.authenticate(black_box(&token)).unwrap())
    });
    add_phones(&p, &token);
    g.bench_function("authenticate_with_phones", |b| {
        b.iter(|| p.authenticate(black_box(&token)).unwrap())
    });
    g.bench_function("create_user_one_by_one_sync_full", |b| {
        b.iter_batched(
            || import_rows(1, 2).pop().unwrap(),
            |r| {
                p.create_user(&token, &r.establishment, &r.user, r.rights)
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.throughput(criterion::Throughput::Elements(1000));
    g.bench_function("create_users_batch_of_1000", |b| {
        b.iter_batched(
            || import_rows(1000, 2),
            |rows| p.create_users(&token, &rows).unwrap(),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let m = Portal::new(MemoryStore::new(), SystemClock, PortalConfig::for_tests()).unwrap();
    let mt = logged_in_admin(&m, 2);
    let mut g = c.benchmark_group("memory");
    g.bench_function("authenticate", |b| {
        b.iter(|| m.authenticate(black_box(&mt)).unwrap())
    });
    add_phones(&m, &mt);
    g.bench_function("authenticate_with_phones", |b| {
        b.iter(|| m.authenticate(black_box(&mt)).unwrap())
    });
    g.finish();
}

fn list_accounts(c: &mut Criterion) {
    let p = Portal::new(
        sqlite("accounts", Synchronous::Normal),
        SystemClock,
        PortalConfig::for_tests(),
    )
    .unwrap();
    let token = logged_in_admin(&p, 10);
    for _ in 0..100 {
        let r = p.create_users(&token, &import_rows(1000, 10)).unwrap();
        assert!(r.iter().all(|r| r.is_ok()));
    }
    let m = Portal::new(MemoryStore::new(), SystemClock, PortalConfig::for_tests()).unwrap();
    let mt = logged_in_admin(&m, 10);
    let before = rss_kib();
    for _ in 0..100 {
        m.create_users(&mt, &import_rows(1000, 10)).unwrap();
    }
    println!(
        "MemoryStore: {} KiB of RSS for 100,000 accounts (with their tokens, outbox rows and audit events)",
        rss_kib().saturating_sub(before)
    );
    let mut g = c.benchmark_group("list_accounts_100k");
    g.sample_size(20);
    let page = |descending, offset| {
        AccountQuery::default()
            .with_descending(descending)
            .with_page(offset, 50)
            .unwrap()
    };
    let (first_az, middle_za) = (page(false, 0), page(true, 50_000));
    let eric = page(false, 0).with_text("eric").unwrap();
    g.bench_function("sqlite/first_page_az", |b| {
        b.iter(|| p.list_accounts(&token, black_box(&first_az)).unwrap())
    });
    g.bench_function("sqlite/page_1000_za", |b| {
        b.iter(|| p.list_accounts(&token, black_box(&middle_za)).unwrap())
    });
    g.bench_function("sqlite/text_eric", |b| {
        b.iter(|| p.list_accounts(&token, black_box(&eric)).unwrap())
    });
    g.bench_function("memory/first_page_az", |b| {
        b.iter(|| m.list_accounts(&mt, black_box(&first_az)).unwrap())
    });
    g.finish();
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn documents(c: &mut Criterion) {
    const ESTABLISHMENTS: usize = 1000;
    const PER: usize = 1000;
    let p = Portal::new(
        sqlite("documents", Synchronous::Normal),
        SystemClock,
        PortalConfig::for_tests(),
    )
    .unwrap();
    let token = logged_in_admin(&p, ESTABLISHMENTS);
    let kinds = [
        DocumentKind::MaintenanceInvoice,
        DocumentKind::WarrantyInvoice,
        DocumentKind::CreditNote,
        DocumentKind::DebitNote,
    ];
    let mut all = Vec::with_capacity(ESTABLISHMENTS * PER);
    for e in 0..ESTABLISHMENTS {
        let docs: Vec<NewDocument> = (0..PER)
            .map(|i| {
                let n = e * PER + i;
                let date = format!("{}-{:02}-{:02}", 2018 + (i % 8), 1 + (i % 12), 1 + (i % 28));
                let mut d = NewDocument::new(
                    "accounting",
                    &format!("{}", 2_200_000_000u64 + n as u64),
                    &date,
                )
                .unwrap();
                d.kind = Some(kinds[i % kinds.len()]);
                d.validate().unwrap()
            })
            .collect();
        let code = establishment(e);
        p.add_documents(&code, &docs).unwrap();
        if e == 42 {
            all = docs.into_iter().map(|d| (code.clone(), d)).collect();
        }
    }
    let filtered = DocumentQuery::parse(
        "accounting",
        Some("warranty_invoice"),
        None,
        Some("1/2021"),
        Some("12/2022"),
        None,
        0,
        50,
    )
    .unwrap();
    let by_number = DocumentQuery::parse(
        "accounting",
        None,
        Some("2200042500"),
        None,
        None,
        None,
        0,
        50,
    )
    .unwrap();
    let t10042: EstablishmentCode = "T10042".parse().unwrap();
    let mut g = c.benchmark_group("documents_1m");
    g.bench_function("sqlite/kind_and_period", |b| {
        b.iter(|| {
            p.search_documents(&token, &t10042, black_box(&filtered))
                .unwrap()
        })
    });
    g.bench_function("sqlite/invoice_number", |b| {
        b.iter(|| {
            p.search_documents(&token, &t10042, black_box(&by_number))
                .unwrap()
        })
    });
    // The naive peer: every document of the portal scanned and filtered in memory.
    let scan: Vec<dealer_portal::document::Document> = (0..ESTABLISHMENTS * PER)
        .map(|n| {
            let (code, d) = &all[n % all.len()];
            dealer_portal::document::Document {
                id: dealer_portal::document::DocumentId(n as u64),
                establishment: code.clone(),
                doc: d.clone(),
            }
        })
        .collect();
    g.sample_size(10);
    g.bench_function("naive_full_scan/kind_and_period", |b| {
        b.iter(|| {
            scan.iter()
                .filter(|d| d.establishment.as_str() == "T10042" && filtered.matches(d))
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, sessions_and_users, list_accounts, documents);
criterion_main!(benches);

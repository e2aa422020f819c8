//! Documents through the portal (seed §3): who may search what, every filter alone and
//! combined, inclusive period bounds, plates typed any way, and a property test that a search is
//! always exactly the establishment's matching documents, newest first, on both stores.

use dealer_portal::account::{Declaration, NewUser};
use dealer_portal::document::{Document, DocumentCategory, DocumentQuery, NewDocument};
use dealer_portal::error::Forbidden;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::regime::Regime;
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{MemoryStore, SqliteOptions, SqliteStore, Store, Synchronous};
use dealer_portal::{Coded, Error, ManualClock};
use proptest::prelude::*;
use time::macros::datetime;

const PW: &str = "Documents-Test-2026!";

/// An establishment code written in a test (`"T1"`), parsed.
fn est(code: &str) -> EstablishmentCode {
    code.parse().unwrap()
}

/// The refusal of an actor who lacks `right` on `establishment`.
fn missing(right: Right, establishment: &str) -> Error {
    Error::Forbidden {
        reason: Forbidden::MissingRight {
            right: dealer_portal::Coded::code(right),
            establishment: est(establishment).to_string(),
        },
    }
}

fn portal<S: Store>(store: S) -> Portal<S, ManualClock> {
    Portal::new(
        store,
        ManualClock::new(datetime!(2026-01-15 09:00 UTC)),
        PortalConfig::for_tests(),
    )
    .unwrap()
}

fn sqlite(name: &str) -> SqliteStore {
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-docs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    SqliteStore::open(
        dir.join("p.db"),
        SqliteOptions {
            synchronous: Synchronous::Off,
            ..SqliteOptions::default()
        },
    )
    .unwrap()
}

fn link<S: Store>(p: &Portal<S, ManualClock>, email: &str) -> String {
    let n = p
        .pending_notifications()
        .unwrap()
        .into_iter()
        .rev()
        .find(|n| n.body.email.as_str() == email)
        .unwrap();
    n.body.token.as_ref().unwrap().expose().to_owned()
}

/// Admin of T1 and T2 (logged in), and one user per right on T1 (logged in).
fn setup<S: Store>(p: &Portal<S, ManualClock>) -> (String, Vec<(Right, String)>) {
    let garages = [
        Establishment::new("T1", "GARAGE UN", "VILLE 1", Some(Regime::Insurance)).unwrap(),
        Establishment::new("T2", "GARAGE DEUX", "VILLE 2", Some(Regime::SelfInsurance)).unwrap(),
    ];
    p.declare_administrator(
        &Declaration::new("admin@x.fr", "Admin", "Docs", "Gérant").unwrap(),
        &garages,
    )
    .unwrap();
    p.request_password_reset(&"admin@x.fr".parse().unwrap())
        .unwrap();
    p.complete_password_reset(&link(p, "admin@x.fr"), "admin@x.fr", PW, PW)
        .unwrap();
    let admin = p
        .login("admin@x.fr", PW, false)
        .unwrap()
        .token
        .expose()
        .to_owned();
    let users = [
        Right::AccountingDocuments,
        Right::SearchQuotesAndContracts,
        Right::SearchClaims,
        Right::SubmitClaims,
    ]
    .into_iter()
    .map(|r| {
        let email = format!("{}@x.fr", r.code());
        p.create_user(
            &admin,
            &est("T1"),
            &NewUser::new("User", r.code(), &email).unwrap(),
            Rights::from(r),
        )
        .unwrap();
        p.activate_account(&link(p, &email), &email, PW, PW)
            .unwrap();
        (
            r,
            p.login(&email, PW, false)
                .unwrap()
                .token
                .expose()
                .to_owned(),
        )
    })
    .collect();
    (admin, users)
}

fn doc(category: &str, kind: Option<&str>, number: &str, day: &str) -> NewDocument {
    let mut d = NewDocument::new(category, number, day).unwrap();
    if let Some(k) = kind {
        d = d.with_kind(k).unwrap();
    }
    d.validate().unwrap()
}

fn q(category: &str) -> DocumentQuery {
    DocumentQuery::parse(category, None, None, None, None, None, 0, 50).unwrap()
}

fn access_rules<S: Store>(s: S) {
    let p = portal(s);
    let (admin, users) = setup(&p);
    for (category, number) in [
        ("accounting", "2204003143"),
        ("contract", "GV2022000001"),
        ("quote", "DV2022000001"),
        ("workshop_claim", "PC2022000001"),
    ] {
        let kind = (category == "accounting").then_some("warranty_invoice");
        p.add_document(&est("T1"), &doc(category, kind, number, "2022-04-12"))
            .unwrap();
        p.add_document(&est("T2"), &doc(category, kind, number, "2022-04-13"))
            .unwrap();
    }
    for category in DocumentCategory::ALL {
        let needed = category.required_right();
        let query = q(category.code());
        assert_eq!(
            p.search_documents(&admin, &est("T1"), &query)
                .unwrap()
                .total,
            1,
            "admin on {category}"
        );
        for (right, session) in &users {
            let got = p.search_documents(session, &est("T1"), &query);
            if *right == needed {
                let page = got.unwrap();
                assert_eq!(page.total, 1, "{right} on {category}");
                assert!(page.items.iter().all(|d| d.establishment.as_str() == "T1"));
            } else {
                assert_eq!(
                    got.unwrap_err(),
                    missing(needed, "T1"),
                    "{right} on {category}"
                );
            }
            // Never on an establishment where the user holds nothing, even with the right.
            assert_eq!(
                p.search_documents(session, &est("T2"), &query).unwrap_err(),
                missing(needed, "T2")
            );
        }
    }
    assert_eq!(
        p.search_documents(&admin, &est("T404"), &q("quote"))
            .unwrap_err()
            .code(),
        "UNKNOWN_ESTABLISHMENT"
    );
    assert_eq!(
        p.search_documents("nope", &est("T1"), &q("quote"))
            .unwrap_err()
            .code(),
        "SESSION_INVALID"
    );
}

fn filters<S: Store>(s: S) {
    let p = portal(s);
    let (admin, _) = setup(&p);
    let rows = [
        ("warranty_invoice", "2204003143", "2022-04-12"),
        ("warranty_invoice", "2204003144", "2022-01-01"),
        ("maintenance_invoice", "2204003145", "2022-12-31"),
        ("credit_note", "2301000001", "2023-01-01"),
        ("carence_debit_note", "2112000001", "2021-12-31"),
    ];
    for (kind, number, day) in rows {
        p.add_document(&est("T1"), &doc("accounting", Some(kind), number, day))
            .unwrap();
    }
    let search =
        |kind: Option<&str>, number: Option<&str>, from: Option<&str>, to: Option<&str>| {
            let q =
                DocumentQuery::parse("accounting", kind, number, from, to, None, 0, 50).unwrap();
            let page = p.search_documents(&admin, &est("T1"), &q).unwrap();
            assert!(
                page.items
                    .windows(2)
                    .all(|w| w[0].doc.issued_on >= w[1].doc.issued_on),
                "newest first"
            );
            page.items
                .iter()
                .map(|d| d.doc.number.clone())
                .collect::<Vec<_>>()
        };
    assert_eq!(search(None, None, None, None).len(), 5);
    assert_eq!(
        search(Some("warranty_invoice"), None, None, None),
        ["2204003143", "2204003144"]
    );
    assert_eq!(
        search(None, Some(" 2204003143 "), None, None),
        ["2204003143"]
    );
    // Bounds are whole months, inclusive at both ends.
    assert_eq!(
        search(None, None, Some("1/2022"), Some("12/2022")),
        ["2204003145", "2204003143", "2204003144"]
    );
    assert_eq!(search(None, None, Some("12/2021"), None).len(), 5);
    assert_eq!(search(None, None, None, Some("12/2021")), ["2112000001"]);
    assert_eq!(
        search(
            Some("warranty_invoice"),
            None,
            Some("4/2022"),
            Some("4/2022")
        ),
        ["2204003143"]
    );
    assert_eq!(
        search(
            Some("warranty_invoice"),
            Some("2204003144"),
            Some("4/2022"),
            None
        ),
        Vec::<String>::new()
    );
    // Paging keeps the total.
    let page = p
        .search_documents(
            &admin,
            &est("T1"),
            &DocumentQuery::parse("accounting", None, None, None, None, None, 1, 2).unwrap(),
        )
        .unwrap();
    assert_eq!((page.total, page.items.len()), (5, 2));
    // Bad input is a clear error.
    for (kind, from, to, code) in [
        (Some("facture"), None, None, "INVALID_QUERY"),
        (None, Some("13/2022"), None, "INVALID_PERIOD"),
        (None, Some("1/0"), None, "INVALID_PERIOD"),
        (None, Some("1/AAAA"), None, "INVALID_PERIOD"),
        (None, Some("5/2022"), Some("4/2022"), "INVALID_PERIOD"),
    ] {
        assert_eq!(
            DocumentQuery::parse("accounting", kind, None, from, to, None, 0, 50)
                .unwrap_err()
                .code(),
            code
        );
    }
    assert_eq!(
        DocumentQuery::parse(
            "contract",
            Some("credit_note"),
            None,
            None,
            None,
            None,
            0,
            50
        )
        .unwrap_err()
        .code(),
        "INVALID_QUERY"
    );
}

fn plates<S: Store>(s: S) {
    let p = portal(s);
    let (admin, _) = setup(&p);
    p.add_document(
        &est("T1"),
        &NewDocument::new("contract", "GV2022000123", "2022-03-01")
            .unwrap()
            .with_registration("AB-123-CD")
            .unwrap()
            .validate()
            .unwrap(),
    )
    .unwrap();
    p.add_document(
        &est("T1"),
        &NewDocument::new("contract", "GV2022000124", "2022-03-02")
            .unwrap()
            .with_registration("1234 AB 56")
            .unwrap()
            .validate()
            .unwrap(),
    )
    .unwrap();
    p.add_document(
        &est("T1"),
        &NewDocument::new("contract", "GV2022000125", "2022-03-03")
            .unwrap()
            .with_contract_number("gv-2020-000999")
            .unwrap()
            .validate()
            .unwrap(),
    )
    .unwrap();
    let by = |reference: &str| {
        let q = DocumentQuery::parse("contract", None, None, None, None, Some(reference), 0, 50)
            .unwrap();
        p.search_documents(&admin, &est("T1"), &q)
            .unwrap()
            .items
            .into_iter()
            .map(|d| d.doc.number)
            .collect::<Vec<_>>()
    };
    for typed in ["AB-123-CD", "ab123cd", "ab 123 cd", " Ab-123 cD "] {
        assert_eq!(by(typed), ["GV2022000123"], "{typed:?}");
    }
    for typed in ["1234 AB 56", "1234ab56", "1234-ab-56"] {
        assert_eq!(by(typed), ["GV2022000124"], "{typed:?}");
    }
    assert_eq!(by("GV 2020 000999"), ["GV2022000125"]);
    assert!(by("ZZ-999-ZZ").is_empty());
    assert_eq!(
        DocumentQuery::parse("contract", None, None, None, None, Some("?!"), 0, 50)
            .unwrap_err()
            .code(),
        "INVALID_QUERY"
    );
}

macro_rules! on_every_store {
    ($($name:ident),*) => {
        mod memory { $(#[test] fn $name() { super::$name(super::MemoryStore::new()); })* }
        mod sqlite { $(#[test] fn $name() { super::$name(super::sqlite(stringify!($name))); })* }
    };
}
on_every_store!(access_rules, filters, plates);

const KINDS: [&str; 6] = [
    "maintenance_invoice",
    "warranty_invoice",
    "deduction_letter",
    "credit_note",
    "debit_note",
    "carence_debit_note",
];
const PLATES: [&str; 3] = ["AB-123-CD", "EF-456-GH", "1234 AB 56"];

fn arb_doc() -> impl Strategy<Value = (bool, NewDocument)> {
    (
        any::<bool>(),
        0usize..4,
        0usize..6,
        0u32..40,
        2019i32..2024,
        1u8..=12,
        1u8..=28,
        proptest::option::of(0usize..3),
    )
        .prop_map(|(other, cat, kind, n, y, m, d, plate)| {
            let category = DocumentCategory::ALL[cat];
            let mut doc = NewDocument::new(
                category.code(),
                &format!("{}", 2_200_000_000u64 + u64::from(n)),
                &format!("{y}-{m:02}-{d:02}"),
            )
            .unwrap();
            if category == DocumentCategory::Accounting {
                doc = doc.with_kind(KINDS[kind]).unwrap();
            }
            if let Some(i) = plate {
                doc = doc.with_registration(PLATES[i]).unwrap();
            }
            (other, doc.validate().unwrap())
        })
}

fn arb_query() -> impl Strategy<Value = DocumentQuery> {
    (
        0usize..4,
        proptest::option::of(0usize..6),
        proptest::option::of(0u32..40),
        proptest::option::of((2019u16..2024, 1u8..=12)),
        proptest::option::of((2019u16..2024, 1u8..=12)),
        proptest::option::of(0usize..3),
        0usize..5,
        1usize..8,
    )
        .prop_filter_map(
            "valid query",
            |(cat, kind, n, from, to, plate, offset, limit)| {
                let category = DocumentCategory::ALL[cat];
                let kind = kind
                    .filter(|_| category == DocumentCategory::Accounting)
                    .map(|k| KINDS[k]);
                let number = n.map(|n| format!("{}", 2_200_000_000u64 + u64::from(n)));
                let from = from.map(|(y, m)| format!("{m}/{y}"));
                let to = to.map(|(y, m)| format!("{m}/{y}"));
                DocumentQuery::parse(
                    category.code(),
                    kind,
                    number.as_deref(),
                    from.as_deref(),
                    to.as_deref(),
                    plate.map(|i| PLATES[i]),
                    offset,
                    limit,
                )
                .ok()
            },
        )
}

fn check_oracle<S: Store>(
    s: S,
    docs: &[(bool, NewDocument)],
    queries: &[DocumentQuery],
) -> Result<(), TestCaseError> {
    let p = portal(s);
    let (admin, _) = setup(&p);
    let mut mine: Vec<Document> = Vec::new();
    for (other, d) in docs {
        let code = if *other { "T2" } else { "T1" };
        let id = p.add_document(&est(code), d).unwrap();
        if !other {
            mine.push(Document {
                id,
                establishment: est("T1"),
                doc: d.clone(),
            });
        }
    }
    for query in queries {
        let got = p.search_documents(&admin, &est("T1"), query).unwrap();
        let want = query.run(mine.iter());
        prop_assert_eq!(got.total, want.total);
        prop_assert_eq!(&got.items, &want.items);
        prop_assert!(
            got.items
                .iter()
                .all(|d| d.establishment.as_str() == "T1" && query.matches(d))
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn search_is_the_matching_subset_newest_first(docs in proptest::collection::vec(arb_doc(), 0..40), queries in proptest::collection::vec(arb_query(), 1..8)) {
        check_oracle(MemoryStore::new(), &docs, &queries)?;
        check_oracle(sqlite("prop"), &docs, &queries)?;
    }
}

#[test]
fn statements_for_each_regime() {
    use dealer_portal::period::YearMonth;
    use dealer_portal::regime::DebitLine;
    let p = portal(MemoryStore::new());
    let (admin, users) = setup(&p);
    let month: YearMonth = "1/2026".parse().unwrap();
    p.record_debit_line(
        &est("T1"),
        month,
        &DebitLine::new("stellantis_insurance", "premium", 10_000).unwrap(),
    )
    .unwrap();
    p.record_debit_line(
        &est("T1"),
        month,
        &DebitLine::new("stellantis_services", "npo", 2_000).unwrap(),
    )
    .unwrap();
    let r = p.monthly_statement(&admin, &est("T1"), month).unwrap();
    assert_eq!(
        (r.debits.len(), r.debits[0].total_cents, r.missing.len()),
        (1, 12_000, 0)
    );
    // T2 is self-insured: its NPO debit is missing this month, a premium is unexpected.
    p.record_debit_line(
        &est("T2"),
        month,
        &DebitLine::new("stellantis_insurance", "premium", 500).unwrap(),
    )
    .unwrap();
    let r = p.monthly_statement(&admin, &est("T2"), month).unwrap();
    assert_eq!(r.missing.len(), 1);
    assert_eq!(r.unexpected.len(), 1);
    let accountant = &users
        .iter()
        .find(|(r, _)| *r == Right::AccountingDocuments)
        .unwrap()
        .1;
    assert!(p.monthly_statement(accountant, &est("T1"), month).is_ok());
    assert_eq!(
        p.monthly_statement(accountant, &est("T2"), month)
            .unwrap_err(),
        missing(Right::AccountingDocuments, "T2")
    );
    let claims = &users
        .iter()
        .find(|(r, _)| *r == Right::SearchClaims)
        .unwrap()
        .1;
    assert_eq!(
        p.monthly_statement(claims, &est("T1"), month).unwrap_err(),
        missing(Right::AccountingDocuments, "T1")
    );
}

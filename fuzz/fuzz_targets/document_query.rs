//! The document search form: `DocumentQuery::parse` with arbitrary fields (or fields picked
//! from the stored documents' own values, typed any way). A refusal is `INVALID_QUERY` or
//! `INVALID_PERIOD`; a valid query runs against a portal with a few documents in two
//! establishments, on the memory store and on SQLite:
//! - every result belongs to the establishment searched and matches every filter;
//! - results are newest first (issue date, then id, descending), at most `limit` of them;
//! - `total` is the number of matching documents, and the page is exactly the reference
//!   semantics' page (`DocumentQuery::run` over all the documents);
//! - both stores give the same page.

#![no_main]

use arbitrary::Arbitrary;
use dealer_portal::document::{Document, DocumentQuery, NewDocument, newest_first};
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::regime::Regime;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{MemoryStore, SqliteStore, Store};
use dealer_portal::{Coded, ManualClock};
use fuzz_support::bootstrap_admin;
use libfuzzer_sys::fuzz_target;
use std::cmp::Ordering;
use std::sync::OnceLock;

const ESTABLISHMENTS: [&str; 2] = ["T99999", "T88888"];

/// The code of establishment `e`, parsed.
fn establishment(e: usize) -> EstablishmentCode {
    ESTABLISHMENTS[e].parse().unwrap()
}

const CATEGORIES: &[&str] = &[
    "accounting",
    "contract",
    "quote",
    "workshop_claim",
    " Accounting ",
    "ACCOUNTING",
];
const KINDS: &[&str] = &[
    "maintenance_invoice",
    "warranty_invoice",
    "deduction_letter",
    "credit_note",
    "debit_note",
    "carence_debit_note",
    "",
    " ",
];
const NUMBERS: &[&str] = &[
    "2204003143",
    "2204003144",
    " 2204003143 ",
    "C-2024/001",
    "c-2024/001",
    "D1",
    "FA-77",
    "",
];
const MONTHS: &[&str] = &[
    "1/2024", "01/2024", "2/2024", "3/2024", "12/2023", "5/2024", "6/2024", "12/2024", "1/2025",
    " 4/2024 ", "", "13/2024", "0/2024",
];
const REFERENCES: &[&str] = &[
    "AB-123-CD",
    "ab 123 cd",
    "ab123cd",
    "EF-456-GH",
    "1234 AB 56",
    "1234ab56",
    "GV2024000123",
    "gv-2024/000123",
    "GV2024000999",
    "2204 0031 43",
    "220400314",
    "",
];

/// (establishment index, category, number, date, kind, plate, contract, agreement)
type DocSpec = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
const DOCS: &[DocSpec] = &[
    (
        0,
        "accounting",
        "2204003143",
        "2024-01-15",
        "maintenance_invoice",
        "AB-123-CD",
        "GV2024000123",
        "",
    ),
    (
        0,
        "accounting",
        "2204003144",
        "2024-01-31",
        "warranty_invoice",
        "ab 123 cd",
        "",
        "",
    ),
    (
        0,
        "accounting",
        "2204003145",
        "2024-02-01",
        "credit_note",
        "",
        "",
        "",
    ),
    (
        0,
        "accounting",
        "2204003146",
        "2024-02-01",
        "debit_note",
        "EF-456-GH",
        "",
        "",
    ),
    (
        0,
        "accounting",
        "2204003147",
        "2023-12-31",
        "carence_debit_note",
        "",
        "",
        "",
    ),
    (
        0,
        "accounting",
        "FA-77",
        "2024-06-30",
        "",
        "1234 AB 56",
        "",
        "",
    ),
    (
        0,
        "contract",
        "C-2024/001",
        "2024-03-10",
        "",
        "AB-123-CD",
        "GV2024000123",
        "",
    ),
    (
        0,
        "contract",
        "C-2024/002",
        "2024-03-10",
        "",
        "",
        "GV2024000999",
        "",
    ),
    (0, "quote", "D1", "2024-05-05", "", "1234AB56", "", ""),
    (0, "quote", "D2", "2024-12-31", "", "", "gv-2024/000123", ""),
    (
        0,
        "workshop_claim",
        "PEC-1",
        "2024-04-01",
        "",
        "AB-123-CD",
        "",
        "2204003143",
    ),
    (
        0,
        "workshop_claim",
        "PEC-2",
        "2025-01-01",
        "",
        "",
        "",
        "220400314",
    ),
    (
        1,
        "accounting",
        "2204003143",
        "2024-01-15",
        "maintenance_invoice",
        "AB-123-CD",
        "GV2024000123",
        "",
    ),
    (
        1,
        "contract",
        "C-2024/001",
        "2024-03-10",
        "",
        "AB-123-CD",
        "",
        "",
    ),
    (
        1,
        "workshop_claim",
        "PEC-1",
        "2024-04-01",
        "",
        "",
        "",
        "2204003143",
    ),
];

struct World<S: Store> {
    portal: Portal<S, ManualClock>,
    session: String,
    /// Every stored document of each establishment, as added (what searches must give back).
    docs: [Vec<Document>; 2],
}

fn world<S: Store>(store: S) -> World<S> {
    let portal = Portal::new(store, fuzz_support::clock(), PortalConfig::for_tests()).unwrap();
    let est: Vec<Establishment> = ESTABLISHMENTS
        .iter()
        .map(|c| Establishment::new(c, "GARAGE", "VILLE", Some(Regime::Insurance)).unwrap())
        .collect();
    let session = bootstrap_admin(
        &portal,
        "admin@garage-xyz.fr",
        "Geloen",
        "Alexandre",
        &est,
        "Garage-XYZ-2026!",
    );
    let mut docs: [Vec<Document>; 2] = [Vec::new(), Vec::new()];
    for &(e, category, number, date, kind, plate, contract, agreement) in DOCS {
        let mut d = NewDocument::new(category, number, date)
            .unwrap()
            .with_kind(kind)
            .unwrap()
            .with_title("Document")
            .unwrap()
            .with_amount_cents(Some(12_345));
        if !plate.is_empty() {
            d = d.with_registration(plate).unwrap();
        }
        if !contract.is_empty() {
            d = d.with_contract_number(contract).unwrap();
        }
        if !agreement.is_empty() {
            d = d.with_agreement_number(agreement).unwrap();
        }
        let id = portal.add_document(&establishment(e), &d).unwrap();
        docs[e].push(Document {
            id,
            establishment: establishment(e),
            doc: d,
        });
    }
    World {
        portal,
        session,
        docs,
    }
}

struct Worlds {
    memory: World<MemoryStore>,
    sqlite: World<SqliteStore>,
}

fn worlds() -> &'static Worlds {
    static W: OnceLock<Worlds> = OnceLock::new();
    W.get_or_init(|| Worlds {
        memory: world(MemoryStore::new()),
        sqlite: world(SqliteStore::open_in_memory().unwrap()),
    })
}

#[derive(Arbitrary, Debug)]
enum Field {
    Known(u8),
    Raw(String),
}

impl Field {
    fn text(&self, known: &'static [&'static str]) -> String {
        match self {
            Field::Known(i) => known[usize::from(*i) % known.len()].to_owned(),
            Field::Raw(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Count {
    Small(u8),
    Raw(usize),
}

impl Count {
    fn get(&self) -> usize {
        match self {
            Count::Small(n) => usize::from(*n),
            Count::Raw(n) => *n,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    category: Field,
    kind: Option<Field>,
    number: Option<Field>,
    from: Option<Field>,
    to: Option<Field>,
    reference: Option<Field>,
    offset: Count,
    limit: Count,
    establishment: bool,
}

fn search<S: Store>(w: &World<S>, e: usize, q: &DocumentQuery) -> Vec<Document> {
    let page = w
        .portal
        .search_documents(&w.session, &establishment(e), q)
        .unwrap_or_else(|err| panic!("search failed: {err:?} for {q:?}"));
    let matching: Vec<&Document> = w.docs[e].iter().filter(|d| q.matches(d)).collect();
    assert_eq!(page.total, matching.len(), "total for {q:?}");
    assert!(page.items.len() <= q.limit());
    for d in &page.items {
        assert_eq!(d.establishment.as_str(), ESTABLISHMENTS[e]);
        assert!(q.matches(d), "{d:?} does not match {q:?}");
        assert!(w.docs[e].contains(d), "{d:?} is not a stored document");
    }
    for pair in page.items.windows(2) {
        assert_eq!(
            newest_first(&pair[0], &pair[1]),
            Ordering::Less,
            "not newest first: {pair:?}"
        );
    }
    // The reference semantics' page.
    let expected = q.run(&w.docs[e]);
    assert_eq!(page, expected, "page for {q:?}");
    page.items
}

fuzz_target!(|input: Input| {
    let w = worlds();
    let text = |f: &Option<Field>, known| f.as_ref().map(|f| f.text(known));
    let category = input.category.text(CATEGORIES);
    let kind = text(&input.kind, KINDS);
    let number = text(&input.number, NUMBERS);
    let from = text(&input.from, MONTHS);
    let to = text(&input.to, MONTHS);
    let reference = text(&input.reference, REFERENCES);
    let q = DocumentQuery::parse(
        &category,
        kind.as_deref(),
        number.as_deref(),
        from.as_deref(),
        to.as_deref(),
        reference.as_deref(),
        input.offset.get(),
        input.limit.get(),
    );
    let q = match q {
        Ok(q) => q,
        Err(e) => {
            assert!(
                matches!(e.code(), "INVALID_QUERY" | "INVALID_PERIOD"),
                "parse answered {e:?}"
            );
            return;
        }
    };
    // A parsed query is valid and stable: rebuilt through the checking with_ methods from what
    // its getters show, it is the same query.
    let mut rebuilt = DocumentQuery::new(q.category()).with_period(q.period());
    if let Some(kind) = q.kind() {
        rebuilt = rebuilt.with_kind(kind).unwrap();
    }
    if let Some(number) = q.number() {
        rebuilt = rebuilt.with_number(number).unwrap();
    }
    if let Some(reference) = q.reference() {
        rebuilt = rebuilt.with_reference(reference.clone());
    }
    assert_eq!(rebuilt.with_page(q.offset(), q.limit()).as_ref(), Ok(&q));
    let json = serde_json::to_string(&q).unwrap();
    assert_eq!(serde_json::from_str::<DocumentQuery>(&json).unwrap(), q);
    let _ = q.category().code();

    let e = usize::from(input.establishment);
    let a = search(&w.memory, e, &q);
    let b = search(&w.sqlite, e, &q);
    assert_eq!(a, b, "the stores disagree on {q:?}");
});

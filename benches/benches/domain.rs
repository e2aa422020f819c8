//! Pure domain functions: what a mobile app calls at every keystroke, what every request checks.

use criterion::{Criterion, criterion_group, criterion_main};
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::names::{PersonName, sort_key};
use dealer_portal::password::PasswordPolicy;
use dealer_portal::reference::parse_reference;
use dealer_portal::rights::{Right, Rights, RightsMatrix};
use std::hint::black_box;

fn evaluate(c: &mut Criterion) {
    let policy = PasswordPolicy::default();
    let mut g = c.benchmark_group("evaluate");
    for pw in [
        "Garage-XYZ-2026!",
        "Un mot de passe de trente-deux c!",
        "Éléphant-Garage-XYZ-2026!-Éléphant-Garage-XYZ-2026!-Éléphant-123",
    ] {
        let n = pw.chars().count();
        g.bench_function(format!("{n}_chars_with_confirmation"), |b| {
            b.iter(|| policy.evaluate(black_box(pw), Some(black_box(pw))))
        });
    }
    g.finish();
}

fn rights(c: &mut Criterion) {
    let mut m = RightsMatrix::new();
    for i in 0..100 {
        let r: Rights = Right::ALL
            .iter()
            .copied()
            .filter(|r| !(*r as usize + i).is_multiple_of(3))
            .collect();
        m.set(
            EstablishmentCode::parse(&format!("T{:05}", 10_000 + i)).unwrap(),
            r,
        );
    }
    let code = EstablishmentCode::parse("T10042").unwrap();
    let mut g = c.benchmark_group("rights_check");
    g.bench_function("rights_on_contains", |b| {
        b.iter(|| {
            black_box(&m)
                .rights_on(black_box(&code))
                .contains(Right::AccountingDocuments)
        })
    });
    g.bench_function("contains_by_str", |b| {
        b.iter(|| black_box(&m).contains(black_box("T10042"), Right::AccountingDocuments))
    });
    g.finish();
}

fn references(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_reference");
    for (name, input) in [
        ("siv", "ab 123 cd"),
        ("fni", "1234 ab 56"),
        ("contract", "GV-2024-000123"),
        ("agreement", "2204003143"),
    ] {
        g.bench_function(name, |b| b.iter(|| parse_reference(black_box(input))));
    }
    g.finish();
}

/// The account list's French sort key, computed for every account written.
fn sort_keys(c: &mut Criterion) {
    let last = PersonName::parse("Lefèvre-Dupont").unwrap();
    let first = PersonName::parse("Jean-François").unwrap();
    c.bench_function("names/sort_key", |b| {
        b.iter(|| {
            sort_key(
                black_box(&last),
                black_box(&first),
                "jean-francois.lefevre@garage-xyz.fr",
            )
        })
    });
}

use dealer_portal::Coded;
criterion_group!(benches, evaluate, rights, references, sort_keys);
criterion_main!(benches);

//! The quick search field: `parse_reference` never panics; an accepted reference re-parses to
//! itself from its normalised text, is accepted by `Reference::new` with its own kind, survives
//! serde, and the result does not depend on ASCII case.

#![no_main]

use dealer_portal::reference::{PlateFormat, Reference, ReferenceKind, parse_reference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_reference(text);
    match &parsed {
        Ok(r) => {
            let normalized = r.normalized();
            assert_eq!(parse_reference(normalized).as_ref(), Ok(r), "{text:?}");
            assert_eq!(Reference::new(r.kind(), normalized).as_ref(), Ok(r));
            assert_eq!(r.to_string(), normalized);
            assert!(normalized.is_ascii());
            assert!(!normalized.bytes().any(|b| b.is_ascii_lowercase()));
            match (r.kind(), r.plate_format()) {
                (ReferenceKind::RegistrationPlate, Some(PlateFormat::Siv)) => {
                    assert_eq!(normalized.len(), 9, "{normalized}");
                }
                (ReferenceKind::RegistrationPlate, Some(PlateFormat::Fni)) => {
                    assert_eq!(normalized.split(' ').count(), 3, "{normalized}");
                }
                (ReferenceKind::ContractNumber, None) => {
                    assert!((6..=20).contains(&normalized.len()));
                    assert!(normalized.bytes().all(|b| b.is_ascii_alphanumeric()));
                    assert!(normalized.bytes().any(|b| b.is_ascii_digit()));
                    assert!(normalized.bytes().any(|b| b.is_ascii_alphabetic()));
                }
                (ReferenceKind::AgreementNumber, None) => {
                    assert!((6..=15).contains(&normalized.len()));
                    assert!(normalized.bytes().all(|b| b.is_ascii_digit()));
                }
                other => panic!("inconsistent kind and plate format {other:?}"),
            }
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(&serde_json::from_str::<Reference>(&json).unwrap(), r);
            for kind in [
                ReferenceKind::RegistrationPlate,
                ReferenceKind::ContractNumber,
                ReferenceKind::AgreementNumber,
            ] {
                assert_eq!(Reference::new(kind, text).is_ok(), kind == r.kind());
            }
        }
        Err(e) => assert_eq!(e.code(), "INVALID_QUERY", "{e:?}"),
    }
    // Letters are upper-cased: ASCII case never changes the answer.
    let lower = parse_reference(&text.to_ascii_lowercase());
    let upper = parse_reference(&text.to_ascii_uppercase());
    assert_eq!(lower.as_ref().ok(), parsed.as_ref().ok(), "{text:?}");
    assert_eq!(upper.as_ref().ok(), parsed.as_ref().ok(), "{text:?}");
});

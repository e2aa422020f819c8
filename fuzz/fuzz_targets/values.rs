//! Value parsing at the boundary: email, person names (and the French collation), phone
//! numbers (calling code + national, both kinds), establishment codes, `M/YYYY` and periods.
//!
//! Never a panic; every accepted value re-parses to itself from its stored or displayed form;
//! refusals carry the type's own error code.

#![no_main]

use dealer_portal::email::Email;
use dealer_portal::establishment::{Establishment, EstablishmentCode};
use dealer_portal::names::{self, PersonName};
use dealer_portal::period::{Period, YearMonth};
use dealer_portal::phone::{PhoneKind, PhoneNumber};
use libfuzzer_sys::fuzz_target;
use std::cmp::Ordering;

/// The input: up to four fields separated by the byte 0xFF (never part of UTF-8 text), so
/// seeds stay readable: `text`, `other` (a second name, an establishment's name, the end of a
/// period), the phone's calling code (default `+33`), and flags: byte 0's low bit picks the
/// mobile field, bytes 1-3 are a year (little-endian) and a month for `YearMonth::new`.
struct Input<'a> {
    text: &'a str,
    other: &'a str,
    calling_code: &'a str,
    mobile: bool,
    year: u16,
    month: u8,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Option<Input<'a>> {
        let parts: Vec<&[u8]> = data.splitn(4, |b| *b == 0xFF).collect();
        let text = |i: usize, default: &'static str| match parts.get(i) {
            Some(p) => std::str::from_utf8(p).ok(),
            None => Some(default),
        };
        let flags = parts.get(3).copied().unwrap_or_default();
        let byte = |i: usize| flags.get(i).copied().unwrap_or(0);
        Some(Input {
            text: text(0, "")?,
            other: text(1, "")?,
            calling_code: text(2, "+33")?,
            mobile: byte(0) & 1 == 1,
            year: u16::from_le_bytes([byte(1), byte(2)]),
            month: byte(3),
        })
    }
}

fn email(s: &str) {
    match Email::parse(s) {
        Ok(e) => {
            let text = e.as_str();
            assert_eq!(Email::parse(text).as_ref(), Ok(&e), "stored form re-parses");
            assert_eq!(Email::parse(&e.to_string()).as_ref(), Ok(&e));
            assert_eq!(format!("{}@{}", e.local_part(), e.domain()), text);
            assert!(text.chars().count() <= Email::MAX_LEN);
            assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()));
            assert_eq!(text.matches('@').count(), 1);
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), e);
        }
        Err(err) => assert_eq!(err.code(), "INVALID_EMAIL", "{err:?}"),
    }
}

fn name(s: &str) -> Option<PersonName> {
    match PersonName::parse(s) {
        Ok(n) => {
            let text = n.as_str();
            assert_eq!(
                PersonName::parse(text).as_ref(),
                Ok(&n),
                "stored form re-parses"
            );
            assert_eq!(text, text.trim());
            assert!(!text.is_empty() && text.chars().count() <= PersonName::MAX_LEN);
            assert!(!text.chars().any(char::is_control));
            assert!(!text.contains("  "));
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), n);
            Some(n)
        }
        Err(err) => {
            assert_eq!(err.code(), "INVALID_NAME", "{err:?}");
            None
        }
    }
}

/// The French order: `compare` and the stores' sort keys agree (SQLite sorts by the key, the
/// memory store by the key too, and a UI may use `compare`).
fn collation(a: &PersonName, b: &PersonName) {
    let by_compare = names::compare(a, b, b, a);
    let key_ab = names::sort_key(a, b, "");
    let key_ba = names::sort_key(b, a, "");
    if by_compare != Ordering::Equal {
        assert_eq!(
            key_ab.cmp(&key_ba),
            by_compare,
            "sort_key and compare disagree on ({a:?}, {b:?}) vs ({b:?}, {a:?})"
        );
    }
    assert_eq!(names::compare(a, b, a, b), Ordering::Equal);
    assert_eq!(names::compare(b, a, a, b), by_compare.reverse());
    let _ = names::fold(a.as_str());
}

fn phone(calling_code: &str, national: &str, kind: PhoneKind) {
    match PhoneNumber::parse(calling_code, national, kind) {
        Ok(n) => {
            assert_eq!(n.kind(), kind);
            let e164 = n.e164();
            assert!(
                e164.starts_with(&format!("+{}", n.calling_code())),
                "{e164}"
            );
            // Loading from storage rebuilds the number from E.164: it must come back whole.
            assert_eq!(
                PhoneNumber::from_e164(e164, kind).as_ref(),
                Ok(&n),
                "E.164 round trip of {e164}"
            );
            assert_eq!(n.to_string(), e164);
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), n);
            // The international form typed in the national field wins over the calling code.
            assert_eq!(
                PhoneNumber::parse("+33", e164, kind).as_ref(),
                Ok(&n),
                "typed {e164}"
            );
        }
        Err(err) => assert_eq!(err.code(), "INVALID_PHONE", "{err:?}"),
    }
    match PhoneNumber::from_e164(national, kind) {
        Ok(n) => assert_eq!(n.e164(), national),
        Err(err) => assert_eq!(err.code(), "INVALID_PHONE", "{err:?}"),
    }
}

fn establishment(s: &str, other: &str) {
    match EstablishmentCode::parse(s) {
        Ok(c) => {
            let text = c.as_str();
            assert_eq!(EstablishmentCode::parse(text).as_ref(), Ok(&c));
            assert!((1..=EstablishmentCode::MAX_LEN).contains(&text.len()));
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            );
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<EstablishmentCode>(&json).unwrap(), c);
        }
        Err(err) => assert_eq!(err.code(), "INVALID_ESTABLISHMENT_CODE", "{err:?}"),
    }
    match Establishment::new(s, other, other, None) {
        Ok(e) => {
            let json = serde_json::to_string(&e).unwrap();
            let _ = serde_json::from_str::<Establishment>(&json);
            assert_eq!(e.name, other.trim());
        }
        Err(err) => assert!(
            matches!(err.code(), "INVALID_ESTABLISHMENT_CODE" | "INVALID_INPUT"),
            "{err:?}"
        ),
    }
}

fn year_month(s: &str) -> Option<YearMonth> {
    match YearMonth::parse(s) {
        Ok(m) => {
            round_trip_month(m);
            Some(m)
        }
        Err(err) => {
            assert_eq!(err.code(), "INVALID_PERIOD", "{err:?}");
            None
        }
    }
}

fn round_trip_month(m: YearMonth) {
    let shown = m.to_string();
    assert_eq!(YearMonth::parse(&shown), Ok(m), "{shown}");
    assert_eq!(YearMonth::new(m.year(), m.month()), Ok(m));
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<YearMonth>(&json).unwrap(), m);
    assert!((28..=31).contains(&m.days()));
    assert!(m.contains(m.first_day()) && m.contains(m.last_day()));
    assert_eq!(YearMonth::from_date(m.last_day()), Ok(m));
    if let Some(n) = m.next() {
        assert!(n > m);
        assert_eq!(n.previous(), Some(m));
    } else {
        assert_eq!(m, YearMonth::MAX);
    }
    if let Some(p) = m.previous() {
        assert_eq!(p.next(), Some(m));
    } else {
        assert_eq!(m, YearMonth::MIN);
    }
}

fn period(from: &str, to: &str) {
    match Period::parse(Some(from), Some(to)) {
        Ok(p) => {
            if let (Some(a), Some(b)) = (p.from(), p.to()) {
                assert!(a <= b, "{p}");
                assert!(p.contains(a.first_day()) && p.contains(b.last_day()));
            }
            let _ = p.to_string();
            let _ = p.bounds();
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
        }
        Err(err) => assert_eq!(err.code(), "INVALID_PERIOD", "{err:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    email(input.text);
    let a = name(input.text);
    let b = name(input.other);
    if let (Some(a), Some(b)) = (&a, &b) {
        collation(a, b);
    }
    let kind = if input.mobile {
        PhoneKind::Mobile
    } else {
        PhoneKind::FixedLine
    };
    phone(input.calling_code, input.text, kind);
    establishment(input.text, input.other);
    year_month(input.text);
    if let Ok(m) = YearMonth::new(input.year, input.month) {
        round_trip_month(m);
    }
    period(input.text, input.other);
});

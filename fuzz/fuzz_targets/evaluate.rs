//! The password policy: any thresholds that pass `validate_config`, any candidate and
//! confirmation.
//!
//! - `validate_config` never panics (sums of minimums that overflow included);
//! - the checks reported are the policy's criteria in the documented order, with `max_length`
//!   and `no_control` only when violated; each check's `met` matches counts recomputed here
//!   from the NFKC form;
//! - `acceptable()` iff every check is met, and `failed()` lists exactly the unmet ones;
//! - `check()` agrees with `evaluate`: `Ok` (the NFKC form) iff the evaluation with the
//!   confirmation is acceptable; otherwise `PASSWORD_POLICY` listing the failures other than the
//!   confirmation, or `CONFIRMATION_MISMATCH` when only the confirmation fails.

#![no_main]

use arbitrary::Arbitrary;
use dealer_portal::password::{Criterion, Identity, PasswordPolicy, criteria, normalize};
use dealer_portal::{Error, Locale};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    min_length: u16,
    max_length: u16,
    min_uppercase: u8,
    min_lowercase: u8,
    min_digits: u8,
    min_special: u8,
    /// Replaces one composition minimum with a raw value (huge ones test the overflow guard).
    raw_minimum: Option<(u8, usize)>,
    excluded_specials: Vec<char>,
    history: u8,
    forbid_identity: bool,
    blocklist: bool,
    candidate: String,
    confirmation: Option<String>,
    email: Option<String>,
    names: Vec<String>,
}

/// Per-class counts of the NFKC form, by the documented classes: a control character first,
/// then an ASCII digit, an uppercase letter, a lowercase letter, and otherwise a special
/// character unless alphabetic (letters without case) or excluded.
struct Counts {
    length: usize,
    upper: usize,
    lower: usize,
    digits: usize,
    special: usize,
    control: bool,
}

fn counts(s: &str, excluded: &[char]) -> Counts {
    let mut n = Counts {
        length: s.chars().count(),
        upper: 0,
        lower: 0,
        digits: 0,
        special: 0,
        control: false,
    };
    for c in s.chars() {
        if c.is_control() {
            n.control = true;
        } else if c.is_ascii_digit() {
            n.digits += 1;
        } else if c.is_uppercase() {
            n.upper += 1;
        } else if c.is_lowercase() {
            n.lower += 1;
        } else if !c.is_alphabetic() && !excluded.contains(&c) {
            n.special += 1;
        }
    }
    n
}

fuzz_target!(|input: Input| {
    let mut policy = PasswordPolicy {
        min_length: input.min_length.into(),
        max_length: input.max_length.into(),
        min_uppercase: input.min_uppercase.into(),
        min_lowercase: input.min_lowercase.into(),
        min_digits: input.min_digits.into(),
        min_special: input.min_special.into(),
        excluded_specials: input.excluded_specials.into_iter().take(8).collect(),
        history: input.history.into(),
        forbid_identity: input.forbid_identity,
        blocklist: input.blocklist,
    };
    if let Some((which, value)) = input.raw_minimum {
        match which % 4 {
            0 => policy.min_uppercase = value,
            1 => policy.min_lowercase = value,
            2 => policy.min_digits = value,
            _ => policy.min_special = value,
        }
    }
    if let Err(e) = policy.validate_config() {
        assert_eq!(e.code(), "INVALID_CONFIG");
        return;
    }
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(
        serde_json::from_str::<PasswordPolicy>(&json).unwrap(),
        policy
    );

    let candidate = input.candidate.as_str();
    let confirmation = input.confirmation.as_deref();
    let e = policy.evaluate(candidate, confirmation);

    // acceptable() iff every check is met; failed() lists the unmet ones in order.
    assert_eq!(e.acceptable(), e.checks.iter().all(|c| c.met));
    let unmet: Vec<Criterion> = e
        .checks
        .iter()
        .filter(|c| !c.met)
        .map(|c| c.criterion)
        .collect();
    assert_eq!(e.failed(), unmet);
    for c in &e.checks {
        let _ = c.label(Locale::Fr);
        let _ = c.label(Locale::En);
        assert_eq!(e.get(c.criterion), Some(c));
    }

    // The criteria reported: the policy's list (no identity without an identity, no
    // confirmation without one), then max_length / no_control only when violated.
    let normalized = normalize(candidate);
    let n = counts(normalized.expose(), &policy.excluded_specials);
    let mut expected: Vec<Criterion> = criteria(&policy)
        .into_iter()
        .filter(|c| {
            *c != Criterion::NotContainingIdentity
                && (*c != Criterion::Confirmation || confirmation.is_some())
        })
        .collect();
    // evaluate() places max_length and no_control after the confirmation, before not_common.
    let tail = if policy.blocklist {
        expected.pop()
    } else {
        None
    };
    if n.length > policy.max_length {
        expected.push(Criterion::MaxLength);
    }
    if n.control {
        expected.push(Criterion::NoControl);
    }
    expected.extend(tail);
    let reported: Vec<Criterion> = e.checks.iter().map(|c| c.criterion).collect();
    assert_eq!(reported, expected, "{policy:?}");

    // Each check's verdict, recomputed.
    for c in &e.checks {
        let met = match c.criterion {
            Criterion::MinLength => n.length >= policy.min_length,
            Criterion::Uppercase => n.upper >= policy.min_uppercase,
            Criterion::Lowercase => n.lower >= policy.min_lowercase,
            Criterion::Digit => n.digits >= policy.min_digits,
            Criterion::Special => n.special >= policy.min_special,
            Criterion::Confirmation => {
                let conf = normalize(confirmation.unwrap());
                !conf.expose().is_empty() && conf.expose() == normalized.expose()
            }
            Criterion::MaxLength | Criterion::NoControl => false,
            Criterion::NotContainingIdentity => unreachable!("no identity given"),
            Criterion::NotCommon => c.met, // the blocklist is data: not recomputed here
        };
        assert_eq!(c.met, met, "{:?} on {candidate:?}", c.criterion);
    }

    // check() agrees with evaluate(): without an identity, then with one.
    let confirmation = confirmation.unwrap_or("");
    let names: Vec<&str> = input.names.iter().take(4).map(String::as_str).collect();
    for identity in [
        Identity::default(),
        Identity {
            email: input.email.as_deref(),
            names: &names,
        },
    ] {
        let e = policy.evaluate_with_identity(candidate, Some(confirmation), &identity);
        let without_identity = policy.evaluate(candidate, Some(confirmation));
        // The identity adds one check at most, and changes no other verdict.
        let other: Vec<_> = e
            .checks
            .iter()
            .filter(|c| c.criterion != Criterion::NotContainingIdentity)
            .cloned()
            .collect();
        assert_eq!(other, without_identity.checks);
        assert_eq!(
            e.get(Criterion::NotContainingIdentity).is_some(),
            policy.forbid_identity
        );
        match policy.check(candidate, confirmation, &identity) {
            Ok(pw) => {
                assert!(e.acceptable(), "check() accepted what evaluate() refuses");
                assert_eq!(pw.expose(), normalized.expose());
            }
            Err(Error::PasswordPolicy { failed }) => {
                let others: Vec<&str> = e
                    .failed()
                    .into_iter()
                    .filter(|c| *c != Criterion::Confirmation)
                    .map(|c| c.code())
                    .collect();
                assert!(!failed.is_empty());
                assert_eq!(failed, others);
            }
            Err(Error::ConfirmationMismatch) => {
                assert_eq!(e.failed(), vec![Criterion::Confirmation]);
            }
            Err(other) => panic!("check() answered {other:?}"),
        }
    }
});

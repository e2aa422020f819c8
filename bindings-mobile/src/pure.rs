//! The pure functions of the contract: no store, cheap, callable at every keystroke.

use crate::error::{Result, bad_json};
use crate::types::{
    CallingCode, DebitLine, Evaluation, ExpectedDebit, Reconciliation, Reference, Regime,
    ScreenLabel, SupportDirectory,
};
use dealer_portal::password::PasswordPolicy;
use dealer_portal::{SecretString, period, phone, reference, regime, support};

/// Evaluates a candidate password criterion by criterion, without hashing: what the
/// activation and reset screens call at every keystroke. `confirmation` adds the
/// `confirmation` check; `policy_json` is a (partial) policy as JSON, e.g.
/// `{"min_length": 12}`, the seed's policy when absent. A policy that does not read or is
/// inconsistent is `INVALID_CONFIG`.
#[uniffi::export(default(confirmation = None, policy_json = None))]
pub fn evaluate_password(
    password: String,
    confirmation: Option<String>,
    policy_json: Option<String>,
) -> Result<Evaluation> {
    // Wiped when they drop, whatever the answer.
    let password = SecretString::from(password);
    let confirmation = confirmation.map(SecretString::from);
    let policy = match policy_json {
        Some(json) => {
            let p: PasswordPolicy =
                serde_json::from_str(&json).map_err(|e| bad_json("policy_json", e))?;
            p.validate_config()?;
            p
        }
        None => PasswordPolicy::default(),
    };
    Ok(policy
        .evaluate(
            password.expose(),
            confirmation.as_ref().map(SecretString::expose),
        )
        .into())
}

/// The monthly direct debits a regime expects, in the order statements show them.
#[uniffi::export]
pub fn expected_debits(regime: Regime) -> Vec<ExpectedDebit> {
    regime::expected_debits(regime.into())
        .iter()
        .map(ExpectedDebit::from)
        .collect()
}

/// Reconciles a month (`M/YYYY`) of debit lines with what the regime expects: each expected
/// debit with its lines and total, what is missing, what is unexpected.
#[uniffi::export]
pub fn reconcile(regime: Regime, month: String, lines: Vec<DebitLine>) -> Result<Reconciliation> {
    let month = period::YearMonth::parse(&month)?;
    let lines = lines
        .iter()
        .map(regime::DebitLine::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(regime::reconcile(regime.into(), month, &lines)?.into())
}

/// Recognises a quick-search reference: a registration plate (`AB-123-CD`, `1234 AB 56`), a
/// contract number or an agreement number; anything else is `INVALID_QUERY`.
#[uniffi::export]
pub fn parse_reference(text: String) -> Result<Reference> {
    Ok(reference::parse_reference(&text)?.into())
}

/// The support contacts (the seed's: info@garantiestellantis.fr and 01 86 99 02 69).
#[uniffi::export]
pub fn support_directory() -> SupportDirectory {
    support::support_directory().into()
}

/// Every region with its calling code, for the "+33 ▾" field beside a phone: France first (the
/// default), then by region code. Read from the phone metadata the core uses.
#[uniffi::export]
pub fn calling_codes() -> Vec<CallingCode> {
    phone::calling_codes()
        .into_iter()
        .map(CallingCode::from)
        .collect()
}

/// Every text a host needs for the seed's screens: password criteria, rights, account states,
/// roles, sections, sort orders, notices, document categories and kinds, regimes, phone
/// fields, mails and support topics, in French and English.
#[uniffi::export]
pub fn screen_labels() -> Vec<ScreenLabel> {
    dealer_portal::menu::screen_labels()
        .into_iter()
        .map(ScreenLabel::from)
        .collect()
}

/// Every stable code a `PortalError` can carry (`INVALID_EMAIL`, ..., `UNKNOWN_SESSION`, ...,
/// `STORAGE`), as the core lists them: what a `when`/`switch` over `code` can expect.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    dealer_portal::Error::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_codes_start_with_france_and_carry_both_labels() {
        let codes = calling_codes();
        let fr = &codes[0];
        assert_eq!((fr.region.as_str(), fr.code.as_str()), ("FR", "+33"));
        assert_eq!(fr.label_fr, fr.label_en);
        assert!(fr.label_fr.ends_with("FR +33"), "{}", fr.label_fr);
        assert_eq!(codes.len(), phone::calling_codes().len());
    }

    #[test]
    fn screen_labels_carry_the_seeds_notice() {
        let labels = screen_labels();
        let notice = labels
            .iter()
            .find(|l| l.group == "notice" && l.code == "no_management_elsewhere")
            .unwrap();
        assert!(
            notice
                .label_fr
                .starts_with("Vous n'avez pas de droits de gestion")
        );
        assert_eq!(labels.len(), dealer_portal::menu::screen_labels().len());
    }

    #[test]
    fn error_codes_are_the_cores() {
        let codes = error_codes();
        assert!(codes.iter().any(|c| c == "UNKNOWN_SESSION"));
        assert_eq!(codes.len(), dealer_portal::Error::CODES.len());
    }
}

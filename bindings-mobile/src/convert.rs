//! The few translations every part of the binding shares: times, sizes, the core's parsers for
//! the ids and codes that cross the FFI as strings, and the rights matrix as a map.

use crate::types::{Right, from_rights};
use dealer_portal::establishment::EstablishmentCode;
use dealer_portal::rights::RightsMatrix;
use dealer_portal::{AccountId, Result};
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// ISO 8601 / RFC 3339 in UTC (`2026-01-01T08:00:00Z`).
pub(crate) fn iso(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(&Rfc3339).unwrap_or_else(|_| utc.to_string())
}

/// Sizes cross the FFI as `u32`; the core counts in `usize`.
pub(crate) fn size(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A count of the core as the FFI's `u64`.
pub(crate) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// An establishment code, parsed by the core (`INVALID_ESTABLISHMENT_CODE`).
pub(crate) fn code(s: &str) -> Result<EstablishmentCode> {
    EstablishmentCode::parse(s)
}

/// An optional establishment code: `None` stays `None` (the core then uses the session's
/// connected establishment, or all, as each flow says).
pub(crate) fn code_opt(s: Option<&str>) -> Result<Option<EstablishmentCode>> {
    s.map(EstablishmentCode::parse).transpose()
}

/// An account id, parsed by the core (`UNKNOWN_ACCOUNT` when it is none).
pub(crate) fn to_account_id(s: &str) -> Result<AccountId> {
    s.parse()
}

/// The rights matrix as establishment code → rights, as the core answers it.
pub(crate) fn rights_map(m: &RightsMatrix) -> HashMap<String, Vec<Right>> {
    m.iter()
        .map(|(code, rights)| (code.as_str().to_owned(), from_rights(rights)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_rfc3339() {
        let t = OffsetDateTime::from_unix_timestamp(1_767_254_400).unwrap();
        assert_eq!(iso(t), "2026-01-01T08:00:00Z");
        let paris = t.to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap());
        assert_eq!(iso(paris), "2026-01-01T08:00:00Z");
    }

    #[test]
    fn ids_and_codes_go_through_the_core() {
        assert_eq!(code("t99999").unwrap().as_str(), "T99999");
        assert_eq!(
            code("T 9").unwrap_err().code(),
            "INVALID_ESTABLISHMENT_CODE"
        );
        assert_eq!(code_opt(None).unwrap(), None);
        assert_eq!(to_account_id("nope").unwrap_err().code(), "UNKNOWN_ACCOUNT");
        assert_eq!(size(7), 7);
        assert_eq!(count(7), 7);
    }
}

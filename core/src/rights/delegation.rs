//! The delegation rules: pure functions the services call before changing anything.
//!
//! Acting on the accounts of an establishment needs [`Right::ManageAccounts`] there. A manager
//! may give only rights it holds there itself ([`check_grant`], [`check_set_rights`]) but may
//! take away any right; it may disable an account only if it manages every establishment where
//! the account holds rights ([`disable_scope`]); it sees only the accounts holding rights on an
//! establishment it manages ([`visible_to`]); and no establishment may lose its last active
//! manager ([`check_last_manager`]).

use super::{Right, Rights, RightsMatrix};
use crate::establishment::EstablishmentCode;
use crate::{Error, Result};

impl Right {
    /// The [`Error::Forbidden`] of an actor lacking this right on `establishment`.
    pub(crate) fn missing_on(self, establishment: &EstablishmentCode) -> Error {
        Error::Forbidden {
            reason: crate::error::Forbidden::MissingRight {
                right: crate::locale::Coded::code(self),
                establishment: establishment.to_string(),
            },
        }
    }
}

fn need_manage(grantor: &RightsMatrix, establishment: &EstablishmentCode) -> Result<Rights> {
    let held = grantor.rights_on(establishment);
    if held.contains(Right::ManageAccounts) {
        Ok(held)
    } else {
        Err(Right::ManageAccounts.missing_on(establishment))
    }
}

fn no_escalation(held: Rights, added: Rights) -> Result<()> {
    let missing = added.difference(held);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::RightsEscalation {
            missing: missing.codes(),
        })
    }
}

/// Whether `grantor` may give `requested` on `establishment` to an account that holds nothing
/// there yet (creating a user, or opening another establishment to an existing account).
///
/// In this order:
/// - [`Error::Forbidden`] unless the grantor holds [`Right::ManageAccounts`] there (the reason
///   names the right and the establishment: `you need manage_accounts on T99999`);
/// - [`Error::NoRightsSelected`] if `requested` is empty;
/// - [`Error::RightsEscalation`] if `requested` holds rights the grantor lacks there (`missing`
///   lists their codes in canonical order).
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::{check_grant, Right, Rights, RightsMatrix};
/// let t: EstablishmentCode = "T99999".parse().unwrap();
/// let mut manager = RightsMatrix::new();
/// manager.set(t.clone(), Rights::EMPTY.with(Right::ManageAccounts).with(Right::SubmitClaims));
/// assert!(check_grant(&manager, &t, Rights::EMPTY.with(Right::SubmitClaims)).is_ok());
/// let err = check_grant(&manager, &t, Rights::all()).unwrap_err();
/// assert_eq!(err.code(), "RIGHTS_ESCALATION");
/// assert_eq!(check_grant(&manager, &t, Rights::EMPTY).unwrap_err().code(), "NO_RIGHTS_SELECTED");
/// ```
pub fn check_grant(
    grantor: &RightsMatrix,
    establishment: &EstablishmentCode,
    requested: Rights,
) -> Result<()> {
    let held = need_manage(grantor, establishment)?;
    if requested.is_empty() {
        return Err(Error::NoRightsSelected);
    }
    no_escalation(held, requested)
}

/// Whether `grantor` may change the rights an account holds on `establishment` from `current`
/// to `requested`.
///
/// The grantor needs [`Right::ManageAccounts`] there ([`Error::Forbidden`] otherwise). Every
/// right *added* (`requested − current`) must be held by the grantor there
/// ([`Error::RightsEscalation`] lists those it lacks). Rights kept or removed need nothing
/// more: **a manager may remove a right it does not hold itself, but may never add one** —
/// removing cannot give anyone more than they had, while refusing it would leave a manager
/// unable to take back access from a user of its own establishment. An empty `requested`
/// removes the account from the establishment and is allowed. (The last-manager rule is
/// separate: see [`check_last_manager`].)
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::{check_set_rights, Right, Rights, RightsMatrix};
/// let t: EstablishmentCode = "T99999".parse().unwrap();
/// let mut manager = RightsMatrix::new();
/// manager.set(t.clone(), Rights::EMPTY.with(Right::ManageAccounts).with(Right::SubmitClaims));
/// let current = Rights::EMPTY.with(Right::AccountingDocuments).with(Right::SubmitClaims);
/// // Removing accounting documents (which the manager lacks) is fine:
/// assert!(check_set_rights(&manager, &t, current, Rights::EMPTY.with(Right::SubmitClaims)).is_ok());
/// // Adding a right it lacks is not:
/// let more = current.with(Right::SearchClaims);
/// assert_eq!(check_set_rights(&manager, &t, current, more).unwrap_err().code(), "RIGHTS_ESCALATION");
/// ```
pub fn check_set_rights(
    grantor: &RightsMatrix,
    establishment: &EstablishmentCode,
    current: Rights,
    requested: Rights,
) -> Result<()> {
    let held = need_manage(grantor, establishment)?;
    no_escalation(held, requested.difference(current))
}

/// What an actor may do when asked to disable an account: see [`disable_scope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisableScope {
    /// The actor manages every establishment where the target holds rights: it may disable
    /// the account.
    Whole,
    /// The actor manages only these establishments among the target's (ordered by code): it
    /// may not disable the account, only remove the target's rights there.
    Partial(Vec<EstablishmentCode>),
    /// The actor manages none of the target's establishments (or the target holds no right
    /// anywhere): it may do nothing to the target, which it should not even see.
    None,
}

/// How far `actor` may act on `target` (both given by their rights): the rule "disabling an
/// account needs `ManageAccounts` on every establishment where it holds rights; otherwise the
/// actor can only remove its rights on the actor's own establishments".
///
/// An account holding no right anywhere gives [`DisableScope::None`]: no manager sees it
/// ([`visible_to`] is false), so none may act on it.
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::{disable_scope, DisableScope, Right, Rights, RightsMatrix};
/// let (t1, t2): (EstablishmentCode, EstablishmentCode) = ("T1".parse().unwrap(), "T2".parse().unwrap());
/// let mut actor = RightsMatrix::new();
/// actor.set(t1.clone(), Rights::all());
/// let mut target = RightsMatrix::new();
/// target.set(t1.clone(), Right::SubmitClaims.into());
/// assert_eq!(disable_scope(&actor, &target), DisableScope::Whole);
/// target.set(t2.clone(), Right::SubmitClaims.into());
/// assert_eq!(disable_scope(&actor, &target), DisableScope::Partial(vec![t1]));
/// ```
pub fn disable_scope(actor: &RightsMatrix, target: &RightsMatrix) -> DisableScope {
    let managed: Vec<EstablishmentCode> = target
        .establishments()
        .filter(|c| actor.manages(c))
        .cloned()
        .collect();
    if managed.is_empty() {
        DisableScope::None
    } else if managed.len() == target.len() {
        DisableScope::Whole
    } else {
        DisableScope::Partial(managed)
    }
}

/// [`Error::LastManager`] when an operation would leave `establishment` with no active account
/// holding [`Right::ManageAccounts`] (`active_managers_after` is their count once it is done).
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::check_last_manager;
/// let t: EstablishmentCode = "T99999".parse().unwrap();
/// assert!(check_last_manager(&t, 1).is_ok());
/// assert_eq!(check_last_manager(&t, 0).unwrap_err().code(), "LAST_MANAGER");
/// ```
pub fn check_last_manager(
    establishment: &EstablishmentCode,
    active_managers_after: usize,
) -> Result<()> {
    if active_managers_after == 0 {
        Err(Error::LastManager {
            establishment: establishment.to_string(),
        })
    } else {
        Ok(())
    }
}

/// Whether `actor` may see `target` (in lists, audit, rights): `target` holds at least one
/// right on an establishment where `actor` holds [`Right::ManageAccounts`].
///
/// ```
/// use dealer_portal::establishment::EstablishmentCode;
/// use dealer_portal::rights::{visible_to, Right, Rights, RightsMatrix};
/// let t: EstablishmentCode = "T1".parse().unwrap();
/// let mut actor = RightsMatrix::new();
/// actor.set(t.clone(), Rights::all());
/// let mut target = RightsMatrix::new();
/// assert!(!visible_to(&actor, &target));
/// target.set(t, Right::SearchClaims.into());
/// assert!(visible_to(&actor, &target));
/// ```
pub fn visible_to(actor: &RightsMatrix, target: &RightsMatrix) -> bool {
    if actor.len() <= target.len() {
        actor
            .establishments_with(Right::ManageAccounts)
            .any(|c| target.0.contains_key(c))
    } else {
        target.establishments().any(|c| actor.manages(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;
    use crate::rights::tests::{MANAGER_CLAIMS, any_code, any_rights, code, matrix, rights};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn grant_needs_manage_accounts_there() {
        let grantor = matrix(&[
            ("T1", Rights::all()),
            ("T2", rights(&[Right::SubmitClaims])),
        ]);
        let err = check_grant(&grantor, &code("T2"), Right::SubmitClaims.into()).unwrap_err();
        assert_eq!(
            err,
            Error::Forbidden {
                reason: crate::error::Forbidden::MissingRight {
                    right: "manage_accounts",
                    establishment: "T2".into(),
                }
            }
        );
        let err = check_grant(&grantor, &code("T99999"), Right::SubmitClaims.into()).unwrap_err();
        assert!(
            err.to_string().contains("manage_accounts on T99999"),
            "{err}"
        );
        // Forbidden comes before any judgement of the request.
        assert_eq!(
            check_grant(&grantor, &code("T2"), Rights::EMPTY)
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
    }

    #[test]
    fn grant_needs_a_right_and_no_escalation() {
        let grantor = matrix(&[("T1", MANAGER_CLAIMS)]);
        let t1 = code("T1");
        assert_eq!(
            check_grant(&grantor, &t1, Rights::EMPTY),
            Err(Error::NoRightsSelected)
        );
        assert_eq!(check_grant(&grantor, &t1, MANAGER_CLAIMS), Ok(()));
        assert_eq!(
            check_grant(&grantor, &t1, Right::SearchClaims.into()),
            Ok(())
        );
        assert_eq!(
            check_grant(&grantor, &t1, Rights::all()),
            Err(Error::RightsEscalation {
                missing: vec![
                    "quotes_and_subscriptions",
                    "search_quotes_and_contracts",
                    "accounting_documents"
                ]
            })
        );
    }

    #[test]
    fn set_rights_adds_only_what_grantor_holds_but_may_remove_anything() {
        let grantor = matrix(&[("T1", MANAGER_CLAIMS)]);
        let t1 = code("T1");
        let current = rights(&[Right::AccountingDocuments, Right::SubmitClaims]);
        // Keep + remove a right the grantor lacks: fine.
        assert_eq!(
            check_set_rights(&grantor, &t1, current, Right::SubmitClaims.into()),
            Ok(())
        );
        // Keep a right the grantor lacks while adding one it holds: fine.
        assert_eq!(
            check_set_rights(&grantor, &t1, current, current.with(Right::SearchClaims)),
            Ok(())
        );
        // Remove everything: fine.
        assert_eq!(
            check_set_rights(&grantor, &t1, current, Rights::EMPTY),
            Ok(())
        );
        // Add a right it lacks: escalation naming only that one.
        assert_eq!(
            check_set_rights(
                &grantor,
                &t1,
                current,
                current.with(Right::QuotesAndSubscriptions)
            ),
            Err(Error::RightsEscalation {
                missing: vec!["quotes_and_subscriptions"]
            })
        );
        // Without ManageAccounts, not even a removal.
        let other = matrix(&[("T1", Rights::all() - Right::ManageAccounts.into())]);
        assert_eq!(
            check_set_rights(&other, &t1, current, Rights::EMPTY)
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
    }

    #[test]
    fn a_manager_cannot_raise_itself() {
        let me = matrix(&[("T1", MANAGER_CLAIMS)]);
        let t1 = code("T1");
        assert!(check_set_rights(&me, &t1, me.rights_on(&t1), Rights::all()).is_err());
        assert!(
            check_set_rights(&me, &t1, me.rights_on(&t1), Right::ManageAccounts.into()).is_ok()
        );
    }

    #[test]
    fn disable_scope_cases() {
        let actor = matrix(&[
            ("T1", Rights::all()),
            ("T2", Right::SubmitClaims.into()),
            ("T3", MANAGER_CLAIMS),
        ]);
        let only_t1 = matrix(&[("T1", Right::SubmitClaims.into())]);
        let t1_t3 = matrix(&[
            ("T1", Right::SubmitClaims.into()),
            ("T3", Right::SearchClaims.into()),
        ]);
        let t1_t2 = matrix(&[
            ("T1", Right::SubmitClaims.into()),
            ("T2", Right::SubmitClaims.into()),
        ]);
        let t2_t4 = matrix(&[("T2", Rights::all()), ("T4", Rights::all())]);
        assert_eq!(disable_scope(&actor, &only_t1), DisableScope::Whole);
        assert_eq!(disable_scope(&actor, &t1_t3), DisableScope::Whole);
        assert_eq!(
            disable_scope(&actor, &t1_t2),
            DisableScope::Partial(vec![code("T1")])
        );
        assert_eq!(disable_scope(&actor, &t2_t4), DisableScope::None);
        assert_eq!(
            disable_scope(&actor, &RightsMatrix::new()),
            DisableScope::None
        );
        assert_eq!(
            disable_scope(&RightsMatrix::new(), &only_t1),
            DisableScope::None
        );
        assert_eq!(
            disable_scope(&actor, &actor),
            DisableScope::Partial(vec![code("T1"), code("T3")])
        );
    }

    #[test]
    fn last_manager() {
        let t = code("T99999");
        assert_eq!(
            check_last_manager(&t, 0),
            Err(Error::LastManager {
                establishment: "T99999".into()
            })
        );
        assert_eq!(check_last_manager(&t, 1), Ok(()));
        assert_eq!(check_last_manager(&t, 7), Ok(()));
    }

    #[test]
    fn visibility() {
        let actor = matrix(&[("T1", Rights::all()), ("T2", Right::SubmitClaims.into())]);
        assert!(visible_to(
            &actor,
            &matrix(&[("T1", Right::SearchClaims.into())])
        ));
        assert!(visible_to(
            &actor,
            &matrix(&[
                ("T0", Rights::all()),
                ("T1", Right::SearchClaims.into()),
                ("T5", Rights::all())
            ])
        ));
        assert!(!visible_to(&actor, &matrix(&[("T2", Rights::all())])));
        assert!(!visible_to(&actor, &RightsMatrix::new()));
        assert!(!visible_to(&RightsMatrix::new(), &actor));
        assert!(visible_to(&actor, &actor));
    }

    // ------------------------------------------------------------------ property tests

    // The delegation model: a few accounts, a few establishments.
    const ACCOUNTS: usize = 5;
    const ESTABLISHMENTS: [&str; 4] = ["T1", "T2", "R000001", "T4"];

    #[derive(Debug, Clone)]
    struct GrantOp {
        grantor: usize,
        target: usize,
        establishment: usize,
        /// When true, `requested` is cut down to the grantor's own rights (mostly accepted).
        within: bool,
        /// When true, the grantor is picked among the accounts managing the establishment
        /// (`grantor` indexes them), so that delegation chains form.
        manager: bool,
        requested: Rights,
    }

    fn grant_op() -> impl Strategy<Value = GrantOp> {
        (
            0..ACCOUNTS,
            0..ACCOUNTS,
            0..ESTABLISHMENTS.len(),
            prop::bool::weighted(0.7),
            prop::bool::weighted(0.6),
            any_rights(),
        )
            .prop_map(
                |(grantor, target, establishment, within, manager, requested)| GrantOp {
                    grantor,
                    target,
                    establishment,
                    within,
                    manager,
                    requested,
                },
            )
    }

    proptest! {
        /// No sequence of grants ever gives anyone a right its grantor lacked.
        #[test]
        fn no_grant_sequence_escalates(ops in prop::collection::vec(grant_op(), 0..80)) {
            let codes: Vec<EstablishmentCode> = ESTABLISHMENTS.iter().map(|c| code(c)).collect();
            let mut accounts = vec![RightsMatrix::new(); ACCOUNTS];
            // Account 0: an administrator with every right on T1 and T2. Account 1: a repairer
            // managing its own workshop R000001 with claims rights only. Nobody holds T4.
            accounts[0].set(codes[0].clone(), Rights::all());
            accounts[0].set(codes[1].clone(), Rights::all());
            accounts[1].set(codes[2].clone(), MANAGER_CLAIMS);
            // What ever existed on each establishment at the start: the ceiling of what anyone
            // may ever hold there.
            let ceiling: Vec<Rights> = codes
                .iter()
                .map(|c| accounts.iter().fold(Rights::EMPTY, |acc, m| acc | m.rights_on(c)))
                .collect();
            // (account, establishment, right) -> who granted it (None for the initial rights).
            let mut provenance: BTreeMap<(usize, usize, Right), Option<usize>> = BTreeMap::new();
            for (a, m) in accounts.iter().enumerate() {
                for (e, c) in codes.iter().enumerate() {
                    for r in m.rights_on(c) {
                        provenance.insert((a, e, r), None);
                    }
                }
            }
            for mut op in ops {
                let est = &codes[op.establishment];
                if op.manager {
                    let managers: Vec<usize> = (0..ACCOUNTS)
                        .filter(|a| accounts[*a].contains(est.as_str(), Right::ManageAccounts))
                        .collect();
                    if !managers.is_empty() {
                        op.grantor = managers[op.grantor % managers.len()];
                    }
                }
                let held = accounts[op.grantor].rights_on(est);
                let current = accounts[op.target].rights_on(est);
                let requested = if op.within { op.requested & held } else { op.requested };
                let result = if current.is_empty() {
                    check_grant(&accounts[op.grantor], est, requested)
                } else {
                    check_set_rights(&accounts[op.grantor], est, current, requested)
                };
                let added = requested - current;
                if !held.contains(Right::ManageAccounts) {
                    // Without ManageAccounts nothing is ever accepted.
                    prop_assert_eq!(result.as_ref().map_err(Error::code), Err("FORBIDDEN"));
                    continue;
                }
                // The checks are exact: they accept precisely the non-escalating changes.
                let expected_ok = added.is_subset(&held) && !(current.is_empty() && requested.is_empty());
                prop_assert_eq!(
                    result.is_ok(),
                    expected_ok,
                    "{:?} held={:?} current={:?} -> {:?}", op, held, current, result
                );
                if let Err(Error::RightsEscalation { missing }) = &result {
                    prop_assert_eq!(missing, &(added - held).codes());
                }
                if result.is_err() {
                    continue;
                }
                for r in added {
                    // Every right given was held by its grantor at that moment.
                    prop_assert!(held.contains(r));
                    provenance.insert((op.target, op.establishment, r), Some(op.grantor));
                }
                for r in current - requested {
                    provenance.remove(&(op.target, op.establishment, r));
                }
                accounts[op.target].set(est.clone(), requested);
                // Global invariants after every accepted change.
                for (a, m) in accounts.iter().enumerate() {
                    for (e, c) in codes.iter().enumerate() {
                        let r = m.rights_on(c);
                        prop_assert!(r.is_subset(&ceiling[e]), "account {a} holds {r:?} on {c}");
                        for right in r {
                            prop_assert!(provenance.contains_key(&(a, e, right)));
                        }
                    }
                }
            }
            prop_assert!(provenance.len() <= ACCOUNTS * codes.len() * Right::ALL.len());
        }

        #[test]
        fn disable_scope_and_visibility_agree(
            actor in prop::collection::vec((any_code(), any_rights()), 0..5),
            target in prop::collection::vec((any_code(), any_rights()), 0..5),
        ) {
            let actor: RightsMatrix = actor.into_iter().collect();
            let target: RightsMatrix = target.into_iter().collect();
            let managed: Vec<EstablishmentCode> = target
                .establishments()
                .filter(|c| actor.rights_on(c).contains(Right::ManageAccounts))
                .cloned()
                .collect();
            let scope = disable_scope(&actor, &target);
            prop_assert_eq!(visible_to(&actor, &target), !managed.is_empty());
            prop_assert_eq!(scope == DisableScope::None, managed.is_empty());
            match scope {
                DisableScope::Whole => prop_assert_eq!(managed.len(), target.len()),
                DisableScope::Partial(p) => {
                    prop_assert_eq!(&p, &managed);
                    prop_assert!(p.len() < target.len());
                }
                DisableScope::None => {}
            }
        }
    }
}

//! # dealer-portal
//!
//! The whole domain of a car-warranty dealer portal — administrator and user accounts, the rights
//! matrix per establishment, the password policy, the token lifecycle (reset, activation,
//! sessions) and the classification and search of accounting documents by insurance regime —
//! behind storage traits.
//!
//! The crate is layered:
//! - value types parsed once at the boundary ([`Email`], [`PersonName`], [`PhoneNumber`],
//!   [`EstablishmentCode`], [`YearMonth`]...), valid by construction;
//! - pure rules ([`password::PasswordPolicy::evaluate`], [`rights`], [`menu`],
//!   [`regime::reconcile`], [`reference::parse_reference`]) that need no storage;
//! - services ([`Portal`]) generic over the storage traits of [`store`];
//! - stores: [`store::MemoryStore`]; with the `sqlite` feature (default) `store::SqliteStore`,
//!   the embedded default; with the `postgres` feature `store::PostgresStore`, for several
//!   portal servers sharing one database; [`store::AnyStore`] picks one from a location.
#![forbid(unsafe_code)]

pub mod account;
pub mod audit;
pub mod clock;
pub mod document;
pub mod email;
pub mod error;
pub mod establishment;
pub mod lifecycle;
pub mod locale;
pub mod menu;
pub mod names;
pub mod notification;
pub mod password;
pub mod period;
pub mod phone;
pub mod reference;
pub mod regime;
pub mod rights;
pub mod secret;
pub mod service;
pub mod session;
pub mod store;
pub mod support;
pub mod token;
pub mod totp;

pub use account::{AccountId, AccountState, Role};
pub use clock::{Clock, ManualClock, SystemClock};
pub use email::Email;
pub use error::{Error, ErrorFamily, Result};
pub use establishment::{Establishment, EstablishmentCode};
pub use locale::{Coded, Locale};
pub use names::PersonName;
pub use period::{Period, YearMonth};
pub use phone::{PhoneKind, PhoneNumber};
pub use regime::Regime;
pub use rights::{Right, Rights, RightsMatrix};
pub use secret::SecretString;
#[cfg(feature = "tokio")]
pub use service::AsyncPortal;
pub use service::{Portal, PortalConfig};

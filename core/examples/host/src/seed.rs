//! What a new database starts with, as in the seed (and core/examples/onboarding.rs): three
//! establishments, their declared administrator (no password yet: "Mot de passe oublié ?"
//! claims the account), documents and a month of direct debits.

use crate::HostPortal;
use dealer_portal::account::Declaration;
use dealer_portal::document::{DocumentKind, NewDocument};
use dealer_portal::establishment::Establishment;
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{DebitLine, Regime};

/// The declared administrator of the seed.
pub const ADMIN: &str = "admin@garage-xyz.fr";

/// Seeds a new database.
pub async fn seed(portal: &HostPortal) -> dealer_portal::Result<()> {
    let garages = vec![
        Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", Some(Regime::Insurance))?,
        Establishment::new(
            "T88888",
            "GARAGE UVW",
            "VILLE 2",
            Some(Regime::DelegatedManagement),
        )?,
        Establishment::new(
            "T77777",
            "GARAGE RST",
            "VILLE 3",
            Some(Regime::SelfInsurance),
        )?,
    ];
    let codes: Vec<_> = garages.iter().map(|g| g.code.clone()).collect();
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant")?;
    portal.declare_administrator(decl, garages).await?;
    let docs = [
        (
            0,
            "accounting",
            Some(DocumentKind::WarrantyInvoice),
            "2204003143",
            "2022-04-12",
            None,
        ),
        (
            0,
            "accounting",
            Some(DocumentKind::MaintenanceInvoice),
            "2204003144",
            "2022-04-20",
            None,
        ),
        (
            0,
            "accounting",
            Some(DocumentKind::CreditNote),
            "2205000001",
            "2022-05-02",
            None,
        ),
        (
            0,
            "contract",
            None,
            "GV2022000123",
            "2022-04-15",
            Some("AB-123-CD"),
        ),
        (
            1,
            "accounting",
            Some(DocumentKind::DebitNote),
            "2204009999",
            "2022-04-30",
            None,
        ),
        (
            1,
            "contract",
            None,
            "GV2022000456",
            "2022-04-18",
            Some("EF-456-GH"),
        ),
    ];
    for (at, category, kind, number, date, plate) in docs {
        let mut d = NewDocument::new(category, number, date)?;
        d.kind = kind;
        d.registration = plate.map(str::to_owned);
        portal
            .add_document(codes[at].clone(), d.validate()?)
            .await?;
    }
    let month: YearMonth = "4/2022".parse()?;
    let lines = [
        (0, "stellantis_insurance", "premium", 182_340),
        (0, "stellantis_services", "premium", 41_200),
        (0, "stellantis_services", "npo", 6_900),
        (1, "stellantis_services", "claims_settled", 95_410),
        (1, "stellantis_services", "management_fees", 12_000),
        (1, "stellantis_services", "npo", 4_300),
        (2, "stellantis_services", "npo", 7_700),
    ];
    for (at, issuer, nature, cents) in lines {
        portal
            .record_debit_line(
                codes[at].clone(),
                month,
                DebitLine::new(issuer, nature, cents)?,
            )
            .await?;
    }
    Ok(())
}

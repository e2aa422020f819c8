//! The main job: the seed's whole scenario ("Formation création de compte") on the embedded
//! SQLite store, printed step by step as a person would follow it.
//!
//! ```text
//! cargo run -p dealer-portal --example onboarding [-- path/to/portal.db]
//! ```
//!
//! Secrets (passwords, link tokens, session tokens) are never printed.

use dealer_portal::account::{AccountQuery, Declaration, NewUser};
use dealer_portal::document::{DocumentKind, DocumentQuery, NewDocument};
use dealer_portal::establishment::Establishment;
use dealer_portal::notification::{Notification, NotificationKind};
use dealer_portal::period::YearMonth;
use dealer_portal::regime::{DebitLine, Reconciliation, Regime, expected_debits};
use dealer_portal::rights::{Right, Rights};
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::SqliteStore;
use dealer_portal::support::support_directory;
use dealer_portal::{Coded, Email, Locale};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const ADMIN: &str = "admin@garage-xyz.fr";
const ADMIN_PASSWORD: &str = "Garage XYZ, 2026 !";
const USER: &str = "alexandre@gmail.com";
const USER_PASSWORD: &str = "Première-Connexion-26";

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/onboarding.db".into());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let portal = Portal::<SqliteStore>::open(&path, PortalConfig::default())?;
    println!("Espace partenaire — base SQLite {path}\n");

    // 1. CRÉATION DU COMPTE ADMINISTRATEUR
    title("1. Création du compte administrateur");
    let garages = [
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
    let [t99999, t88888, t77777] = garages.each_ref().map(|g| &g.code);
    let decl = Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant")?;
    println!(
        "Déclaration via l'Extranet du Gestionnaire : Nom {}, Prénom {}, Fonction {}, Mail {}",
        decl.last_name, decl.first_name, decl.function, decl.email
    );
    for g in &garages {
        println!(
            "  établissement {} {} {} — {}",
            g.code,
            g.name,
            g.city,
            g.regime.map_or("réparateur", |r| r.label(Locale::Fr))
        );
    }
    portal.declare_administrator(&decl, &garages)?;
    println!("Compte administrateur déclaré (état : déclaré, pas encore de mot de passe).");
    println!("\n« Mot de passe oublié ? » → Renseigner votre email de connexion : {ADMIN}");
    let admin_email: Email = ADMIN.parse()?;
    portal.request_password_reset(&admin_email)?;
    println!(
        "« Recevoir l'email de réinitialisation » → la même réponse, que l'email soit connu ou non."
    );
    let mail = take_mail(&portal, NotificationKind::PasswordReset, ADMIN)?;
    let link = mail.body.token.clone().ok_or("reset mail without link")?;
    let status = portal.inspect_token(link.expose())?;
    println!(
        "Le lien ouvert affiche le formulaire : utilisable = {}",
        yes(status.usable)
    );
    println!(
        "\nCréation du mot de passe Administrateur — « Votre nouveau mot de passe (différent des précédents) » :"
    );
    for typed in [
        "garage",
        "garagexyz",
        "GarageXYZ",
        "GarageXYZ2026",
        "GarageXYZ2026€€",
        ADMIN_PASSWORD,
    ] {
        criteria(&portal, typed, None);
    }
    criteria(&portal, ADMIN_PASSWORD, Some(ADMIN_PASSWORD));
    portal.complete_password_reset(link.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)?;
    portal.acknowledge_notification(mail.id)?;
    println!(
        "« Enregistrer » → mot de passe créé, compte actif ; le lien ne sert plus : utilisable = {}",
        yes(portal.inspect_token(link.expose())?.usable)
    );
    let admin = portal.login(ADMIN, ADMIN_PASSWORD, false)?;
    println!(
        "Connexion à votre espace → session ouverte jusqu'à {} (sans activité : 30 min)",
        when(admin.expires_at)
    );
    let admin = admin.token.expose().to_owned();

    // 2. CRÉATION DES UTILISATEURS
    title("2. Création des utilisateurs");
    let mine = portal.manageable_establishments(&admin)?;
    println!("« Gestion des comptes » — établissements où je gère les comptes :");
    for e in &mine {
        println!("  {} {} {}", e.name, e.code, e.city);
    }
    if mine.len() == 1 {
        println!("  Vous n'avez pas de droits de gestion de compte sur d'autres établissements");
    }
    println!("\n« + Ajouter un nouvel utilisateur » sur GARAGE XYZ (T99999) :");
    let user = NewUser::new("GELOEN", "Alexandre", USER)?
        .with_mobile("+33", "06 23 42 54 55")?
        .with_landline("+33", "01 34 34 67 88")?;
    let granted: Rights = [
        Right::QuotesAndSubscriptions,
        Right::SearchQuotesAndContracts,
        Right::AccountingDocuments,
    ]
    .into_iter()
    .collect();
    println!(
        "  Nom {}, Prénom {}, Email {}, mobile {}, fixe {}",
        user.last_name,
        user.first_name,
        user.email,
        phone(&user.mobile),
        phone(&user.landline)
    );
    for r in Right::ALL {
        println!(
            "  [{}] {}",
            if granted.contains(*r) { "x" } else { " " },
            r.label(Locale::Fr)
        );
    }
    let uid = portal.create_user(&admin, t99999, &user, granted)?;
    println!("« Enregistrer » → utilisateur créé, état : invité");
    for (last, first, email) in [
        ("Dupont", "Éric", "eric.dupont@garage-xyz.fr"),
        ("Durand", "Anne", "anne.durand@garage-xyz.fr"),
        ("Émile", "Paul", "paul.emile@garage-uvw.fr"),
    ] {
        let code = if email.ends_with("uvw.fr") {
            t88888
        } else {
            t99999
        };
        portal.create_user(
            &admin,
            code,
            &NewUser::new(last, first, email)?,
            [Right::SubmitClaims, Right::SearchClaims]
                .into_iter()
                .collect(),
        )?;
        println!("  + {last} {first} ({code})");
    }
    let mail = take_mail(&portal, NotificationKind::Activation, USER)?;
    println!(
        "\nRéception par mail : « {} » pour {} (lien valable jusqu'au {})",
        mail.subject(),
        mail.body.name,
        mail.body.expires_at.map_or("-".into(), when)
    );
    let link = mail
        .body
        .token
        .clone()
        .ok_or("activation mail without link")?;
    println!("Première connexion : l'utilisateur saisit son email et son mot de passe deux fois.");
    criteria(&portal, USER_PASSWORD, Some(USER_PASSWORD));
    portal.activate_account(link.expose(), USER, USER_PASSWORD, USER_PASSWORD)?;
    portal.acknowledge_notification(mail.id)?;
    let us = portal.login(USER, USER_PASSWORD, true)?;
    println!(
        "« Suivant » → compte activé ; connexion avec « Enregistrer mes identifiants » : session jusqu'au {}",
        when(us.expires_at)
    );
    assert_eq!(us.account_id, uid);
    println!("\nRechercher un utilisateur — Trier par : Ordre alphabétique (A à Z)");
    let page = portal.list_accounts(&admin, &AccountQuery::default())?;
    for a in &page.items {
        let codes: Vec<&str> = a.establishments.iter().map(|c| c.as_str()).collect();
        println!(
            "  {:<10} {:<10} {:<28} {:<8} {}",
            a.last_name,
            a.first_name,
            a.email,
            a.state.label(Locale::Fr),
            codes.join(" ")
        );
    }
    println!("  ({} comptes)", page.total);
    let found = portal.list_accounts(&admin, &AccountQuery::default().with_text("eric")?)?;
    println!(
        "Recherche « eric » → {}",
        found
            .items
            .iter()
            .map(|a| format!("{} {}", a.first_name, a.last_name))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // 3. ACCÈS AUX DOCUMENTS
    title("3. Accès aux documents (comptables, activité…)");
    let month: YearMonth = "4/2022".parse()?;
    let docs = [
        (
            t99999,
            "accounting",
            Some(DocumentKind::WarrantyInvoice),
            "2204003143",
            "2022-04-12",
            None,
        ),
        (
            t99999,
            "accounting",
            Some(DocumentKind::MaintenanceInvoice),
            "2204003144",
            "2022-04-20",
            None,
        ),
        (
            t99999,
            "accounting",
            Some(DocumentKind::CreditNote),
            "2205000001",
            "2022-05-02",
            None,
        ),
        (
            t99999,
            "contract",
            None,
            "GV2022000123",
            "2022-04-15",
            Some("AB-123-CD"),
        ),
        (
            t88888,
            "accounting",
            Some(DocumentKind::DebitNote),
            "2204009999",
            "2022-04-30",
            None,
        ),
    ];
    for (code, category, kind, number, date, plate) in docs {
        let mut d = NewDocument::new(category, number, date)?;
        d.kind = kind;
        d.registration = plate.map(str::to_owned);
        portal.add_document(code, &d.validate()?)?;
    }
    let q = DocumentQuery::parse(
        "accounting",
        Some("warranty_invoice"),
        None,
        Some("1/2022"),
        Some("12/2022"),
        None,
        0,
        50,
    )?;
    let hits = portal.search_documents(us.token.expose(), t99999, &q)?;
    println!(
        "Je recherche : un document comptable — Facture Garantie — de 1/2022 à 12/2022 : {} résultat(s)",
        hits.total
    );
    for d in &hits.items {
        println!("  n° {} du {}", d.doc.number, d.doc.issued_on);
    }
    let q = DocumentQuery::parse("contract", None, None, None, None, Some("ab 123 cd"), 0, 50)?;
    let hits = portal.search_documents(us.token.expose(), t99999, &q)?;
    println!(
        "Immatriculation « ab 123 cd » → {} contrat(s) : {}",
        hits.total,
        hits.items
            .iter()
            .map(|d| d.doc.number.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let lines = [
        (t99999, "stellantis_insurance", "premium", 182_340),
        (t99999, "stellantis_services", "premium", 41_200),
        (t99999, "stellantis_services", "npo", 6_900),
        (t88888, "stellantis_services", "claims_settled", 95_410),
        (t88888, "stellantis_services", "management_fees", 12_000),
        (t88888, "stellantis_services", "npo", 4_300),
        (t77777, "stellantis_services", "npo", 7_700),
        (t77777, "stellantis_insurance", "premium", 1_000),
    ];
    for (code, issuer, nature, cents) in lines {
        portal.record_debit_line(code, month, &DebitLine::new(issuer, nature, cents)?)?;
    }
    for g in &garages {
        let regime = g.regime.ok_or("dealer without regime")?;
        println!(
            "\n{} ({}) — {} — prélèvements attendus : {}",
            g.name,
            g.code,
            regime.label(Locale::Fr),
            expected_debits(regime)
                .iter()
                .map(|d| d.label(Locale::Fr))
                .collect::<Vec<_>>()
                .join(" ; ")
        );
        statement(&portal.monthly_statement(&admin, &g.code, month)?);
    }

    // 4. SUPPORT ET CONTACTS
    title("4. Support et contacts");
    for c in support_directory().channels {
        println!("  {} : {}", c.kind.label(Locale::Fr), c.value);
        for t in c.topics {
            println!("    - {}", t.label(Locale::Fr));
        }
    }
    let events = portal.verify_audit_chain(None)?;
    println!("\nJournal d'audit : {events} événements, chaîne SHA-256 vérifiée.");
    Ok(())
}

fn when(t: time::OffsetDateTime) -> String {
    format!(
        "{:02}/{:02}/{} {:02}:{:02} UTC",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

fn title(t: &str) {
    println!("\n=== {t} ===");
}

fn yes(b: bool) -> &'static str {
    if b { "oui" } else { "non" }
}

fn phone(p: &Option<dealer_portal::phone::PhoneNumber>) -> String {
    p.as_ref().map_or("-".into(), |p| p.e164().to_owned())
}

fn take_mail<S: dealer_portal::store::Store, C: dealer_portal::Clock>(
    p: &Portal<S, C>,
    kind: NotificationKind,
    to: &str,
) -> Result<Notification> {
    p.pending_notifications()?
        .into_iter()
        .rev()
        .find(|n| n.body.kind == kind && n.body.email.as_str() == to)
        .ok_or_else(|| format!("no {kind} mail for {to}").into())
}

/// Prints the criteria as the form shows them: red (✗) turning green (✓). The password itself
/// is never printed, only its length.
fn criteria<S: dealer_portal::store::Store, C: dealer_portal::Clock>(
    p: &Portal<S, C>,
    typed: &str,
    confirmation: Option<&str>,
) {
    let e = p.evaluate_password(typed, confirmation);
    let marks: Vec<String> = e
        .checks
        .iter()
        .map(|c| format!("{} {}", if c.met { "✓" } else { "✗" }, c.label(Locale::Fr)))
        .collect();
    println!(
        "  ({:>2} car.) {}  → {}",
        typed.chars().count(),
        marks.join(" | "),
        if e.acceptable() {
            "Enregistrer possible"
        } else {
            "en rouge"
        }
    );
}

fn statement(r: &Reconciliation) {
    println!("  Relevé {} :", r.month);
    for d in &r.debits {
        println!(
            "    {} ({}) : {} ligne(s), total {}",
            d.code.label(Locale::Fr),
            d.issuer.label(Locale::Fr),
            d.lines.len(),
            euros(d.total_cents)
        );
    }
    for m in &r.missing {
        println!("    manquant : {}", m.label(Locale::Fr));
    }
    for l in &r.unexpected {
        println!(
            "    inattendu : {} {} {}",
            l.issuer.label(Locale::Fr),
            l.nature.label(Locale::Fr),
            euros(l.amount_cents)
        );
    }
}

fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, (cents % 100).abs())
}

//! The reference host: the seed's screens ("Formation création de compte") served over HTTP by
//! axum, on the core's SQLite store, the way a dealer system linking the crate would build them.
//!
//! ```text
//! cargo run -p dealer-portal-host -- --db target/host.db --mail-dir target/host-mail --listen 127.0.0.1:8080
//! ```
//!
//! A new database is seeded with the seed's establishments, its declared administrator
//! (`admin@garage-xyz.fr`, who claims the account through "Mot de passe oublié ?"), documents
//! and a month of statements. Mails are written to the mail folder, one file each.

mod accounts;
mod auth;
mod documents;
mod mail;
mod rights_form;
mod seed;
mod web;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use dealer_portal::AsyncPortal;
use dealer_portal::service::{Portal, PortalConfig, SessionInfo};
use dealer_portal::store::SqliteStore;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The core's async facade over SQLite.
pub type HostPortal = AsyncPortal<SqliteStore>;

/// What every request shares.
pub struct App {
    /// The core.
    pub portal: HostPortal,
    /// The key of the CSRF tokens (drawn at start: restarting the host expires open forms).
    pub csrf_key: [u8; 32],
    /// `Secure` on cookies: off on loopback only.
    pub secure_cookies: bool,
    /// Where mails are written.
    pub mail_dir: PathBuf,
    /// The host's URL, for the links in mails.
    pub base_url: String,
    /// One drain of the outbox at a time.
    pub mail_lock: tokio::sync::Mutex<()>,
}

/// Shared state of the handlers.
pub type State = axum::extract::State<Arc<App>>;

/// The session of the request, checked by the core: its token and what it answers; otherwise
/// a redirect to the login page.
pub async fn connected(app: &App, headers: &HeaderMap) -> Result<(String, SessionInfo), Response> {
    let Some(token) = web::cookie(headers, web::SESSION) else {
        return Err(web::redirect("/connexion", vec![]));
    };
    match app.portal.authenticate(token.clone()).await {
        Ok(info) => Ok((token, info)),
        Err(_) => Err(web::redirect(
            "/connexion",
            vec![web::set_cookie(app, web::SESSION, "", Some(0))],
        )),
    }
}

/// A connected request: its session token, what the core answers for it, and the CSRF token
/// its forms carry.
pub struct Visit {
    /// The session token (from the cookie).
    pub token: String,
    /// What `authenticate` answered.
    pub info: SessionInfo,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Visit {
    /// The page frame of this session (menu, header, CSRF on its forms).
    pub fn page(&self) -> web::Connected<'_> {
        web::Connected {
            info: &self.info,
            csrf: &self.csrf,
        }
    }
}

/// [`connected`], with the CSRF token of the session's forms.
pub async fn visit(app: &App, headers: &HeaderMap) -> Result<Visit, Response> {
    let (token, info) = connected(app, headers).await?;
    let csrf = web::csrf_for(app, &token);
    Ok(Visit { token, info, csrf })
}

struct Args {
    db: PathBuf,
    mail_dir: PathBuf,
    listen: SocketAddr,
    base_url: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        db: "target/host.db".into(),
        mail_dir: "target/host-mail".into(),
        listen: "127.0.0.1:8080".parse().expect("a socket address"),
        base_url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => a.db = value()?.into(),
            "--mail-dir" => a.mail_dir = value()?.into(),
            "--listen" => {
                a.listen = value()?
                    .parse()
                    .map_err(|e| format!("--listen: {e} (accepted: IP:PORT)"))?
            }
            "--base-url" => a.base_url = Some(value()?),
            _ => {
                return Err(format!(
                    "unknown argument {flag}; accepted: --db PATH, --mail-dir DIR, \
                     --listen IP:PORT, --base-url URL"
                ));
            }
        }
    }
    Ok(a)
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(auth::home))
        .route("/connexion", get(auth::login_page).post(auth::login))
        .route("/deconnexion", post(auth::logout))
        .route(
            "/mot-de-passe-oublie",
            get(auth::forgot_page).post(auth::forgot),
        )
        .route("/reinitialisation", get(auth::reset_page).post(auth::reset))
        .route(
            "/activation",
            get(auth::activation_page).post(auth::activate),
        )
        .route("/etablissement", post(auth::switch))
        .route("/rubrique/{section}", get(auth::section))
        .route("/comptes", get(accounts::list))
        .route(
            "/comptes/nouveau",
            get(accounts::new_page).post(accounts::create),
        )
        .route("/comptes/{id}", get(accounts::profile))
        .route("/comptes/{id}/droits", post(rights_form::save))
        .route("/documents", get(documents::search))
        .route("/recherche", get(documents::quick))
        .route("/releves", get(documents::statements))
        .route("/support", get(documents::support))
        .route("/static/{file}", get(auth::static_file))
        .route("/static/wasm/{file}", get(auth::wasm_file))
        .with_state(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    if let Some(dir) = args.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::create_dir_all(&args.mail_dir)?;
    let fresh = !args.db.exists();
    let portal = AsyncPortal::new(Portal::<SqliteStore>::open(
        &args.db,
        PortalConfig::default(),
    )?);
    if fresh {
        seed::seed(&portal).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let local = listener.local_addr()?;
    let mut csrf_key = [0u8; 32];
    getrandom::fill(&mut csrf_key).map_err(|e| format!("OS randomness: {e}"))?;
    let app = Arc::new(App {
        portal,
        csrf_key,
        secure_cookies: !local.ip().is_loopback(),
        mail_dir: args.mail_dir,
        base_url: args.base_url.unwrap_or_else(|| format!("http://{local}")),
        mail_lock: tokio::sync::Mutex::new(()),
    });
    mail::drain(&app).await;
    let background = Arc::clone(&app);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            mail::drain(&background).await;
        }
    });
    println!(
        "Espace partenaire : {} (base {}, mails dans {}){}",
        app.base_url,
        args.db.display(),
        app.mail_dir.display(),
        if fresh {
            " — base créée et remplie"
        } else {
            ""
        }
    );
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

//! Log in ("Enregistrer mes identifiants"), log out, "Mot de passe oublié ?", the reset and
//! activation forms with the live criteria, the establishment switch, the home page and menu.

use crate::web::{self, Connected, csrf_input, esc, field};
use crate::{App, State, connected, visit};
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use dealer_portal::menu::Section;
use dealer_portal::password::Evaluation;
use dealer_portal::{Coded, Email, EstablishmentCode, Locale};
use std::collections::HashMap;

type Fields = Form<Vec<(String, String)>>;
type Params = Query<HashMap<String, String>>;

/// The visitor cookie of the request, or a new one to set: what the forms shown before login
/// bind their CSRF token to.
fn visitor(app: &App, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match web::cookie(headers, web::VISITOR) {
        Some(v) => (v, None),
        None => {
            let v = web::random_token();
            let c = web::set_cookie(app, web::VISITOR, &v, None);
            (v, Some(c))
        }
    }
}

/// An anonymous page, setting the visitor cookie if the request had none.
fn anonymous(title: &str, body: &str, set: Option<HeaderValue>) -> Response {
    let mut r = Html(web::frame(title, None, body)).into_response();
    if let Some(c) = set {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}

/// "Connexion à votre espace".
pub async fn login_page(
    axum::extract::State(app): State,
    headers: HeaderMap,
    q: Params,
) -> Response {
    let (v, set) = visitor(&app, &headers);
    let notice = match q.get("ok").map(String::as_str) {
        Some("mot-de-passe") => web::notice("Mot de passe enregistré. Connectez-vous."),
        Some("activation") => web::notice("Compte activé. Connectez-vous."),
        _ => String::new(),
    };
    anonymous(
        "Connexion à votre espace",
        &login_form(&web::csrf_for(&app, &v), &notice, ""),
        set,
    )
}

fn login_form(csrf: &str, message: &str, email: &str) -> String {
    format!(
        "<p>Bienvenue — votre espace partenaire</p>{message}\
         <form method=\"post\" action=\"/connexion\" id=\"login\">{}\
         <label>Email <input type=\"email\" name=\"email\" id=\"email\" value=\"{}\" required autocomplete=\"username\"></label>\
         <label>Mot de passe <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"current-password\"></label>\
         <a href=\"/mot-de-passe-oublie\">Mot de passe oublié ?</a>\
         <label><input type=\"checkbox\" name=\"remember\" id=\"remember\"> Enregistrer mes identifiants</label>\
         <button type=\"submit\">Se connecter</button></form>",
        csrf_input(csrf),
        esc(email)
    )
}

/// Logs in: the session token in an `HttpOnly` cookie, persistent (`Max-Age` from the
/// session's lifetime) with "Enregistrer mes identifiants", a session cookie otherwise.
pub async fn login(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(mut f): Fields,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    let email = field(&f, "email").unwrap_or("").to_owned();
    // Moved, not copied: AsyncPortal wipes it after the call.
    let password = web::take_field(&mut f, "password");
    let remember = field(&f, "remember").is_some();
    match app.portal.login(email.clone(), password, remember).await {
        Ok(s) => {
            let age =
                remember.then(|| (s.expires_at - time::OffsetDateTime::now_utc()).whole_seconds());
            web::redirect(
                "/",
                vec![web::set_cookie(&app, web::SESSION, s.token.expose(), age)],
            )
        }
        Err(e) => {
            crate::mail::drain(&app).await; // a lockout mails its owner
            let (v, set) = visitor(&app, &headers);
            anonymous(
                "Connexion à votre espace",
                &login_form(&web::csrf_for(&app, &v), &web::error_box(&e), &email),
                set,
            )
        }
    }
}

/// Logs out: the core ends the session server-side, the cookie is cleared.
pub async fn logout(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(f): Fields,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    if let Some(token) = web::cookie(&headers, web::SESSION) {
        let _ = app.portal.logout(token).await;
    }
    web::redirect(
        "/connexion",
        vec![web::set_cookie(&app, web::SESSION, "", Some(0))],
    )
}

/// "ACCUEIL": the connected page's frame, the menu of the connected establishment.
pub async fn home(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let info = &visit.info;
    let here = info.establishment.as_ref().map_or("—", |c| c.as_str());
    visit.page().page(
        "Accueil",
        &format!(
            "<p id=\"welcome\">Bienvenue {} {}, vous êtes connecté à l'établissement {}.</p>",
            esc(info.first_name.as_str()),
            esc(info.last_name.as_str()),
            esc(here)
        ),
    )
}

/// A menu section this host does not draw (quotes, claims, Easicare): shown only when the
/// connected establishment's rights open it.
pub async fn section(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (info, page) = (&visit.info, visit.page());
    match code.parse::<Section>() {
        Ok(s) if info.sections.contains(&s) => page.page(
            s.label(Locale::Fr),
            "<p>Cette rubrique n'est pas dessinée par l'hôte de référence.</p>",
        ),
        _ => (
            StatusCode::FORBIDDEN,
            page.page(
                "Accès refusé",
                "<p class=\"error\">Rubrique non accessible.</p>",
            ),
        )
            .into_response(),
    }
}

/// Moves the session to another establishment (`select_establishment`).
pub async fn switch(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(f): Fields,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    let (token, info) = match connected(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let code = field(&f, "code").unwrap_or("").parse::<EstablishmentCode>();
    let r = match code {
        Ok(c) => app
            .portal
            .select_establishment(token.clone(), c)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => web::redirect("/", vec![]),
        Err(e) => {
            let csrf = web::csrf_for(&app, &token);
            Connected {
                info: &info,
                csrf: &csrf,
            }
            .page("Accueil", &web::error_box(&e))
        }
    }
}

/// "Réinitialisation du mot de passe": the email to send the link to.
pub async fn forgot_page(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    let (v, set) = visitor(&app, &headers);
    anonymous(
        "Réinitialisation du mot de passe",
        &forgot_form(&web::csrf_for(&app, &v), ""),
        set,
    )
}

fn forgot_form(csrf: &str, message: &str) -> String {
    format!(
        "<p>Renseigner votre email de connexion. Vous recevrez un lien pour réinitialiser votre mot de passe.</p>{message}\
         <form method=\"post\" action=\"/mot-de-passe-oublie\" id=\"forgot\">{}\
         <label>Email <input type=\"email\" name=\"email\" id=\"email\" required></label>\
         <button type=\"submit\">Recevoir l'email de réinitialisation</button></form>",
        csrf_input(csrf)
    )
}

/// Asks for the link: the same answer whether the email is known or not.
pub async fn forgot(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(f): Fields,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    let (v, set) = visitor(&app, &headers);
    let csrf = web::csrf_for(&app, &v);
    let r = match field(&f, "email").unwrap_or("").parse::<Email>() {
        Ok(email) => app.portal.request_password_reset(email).await,
        Err(e) => Err(e),
    };
    let message = match r {
        Ok(()) => {
            crate::mail::drain(&app).await;
            web::notice(
                "Vous recevrez un email avec un lien pour réinitialiser votre mot de passe \
                 (vérifiez dans vos spams si vous ne recevez pas l'email).",
            )
        }
        Err(e) => web::error_box(&e),
    };
    anonymous(
        "Réinitialisation du mot de passe",
        &forgot_form(&csrf, &message),
        set,
    )
}

/// Which of the two link forms.
#[derive(Clone, Copy)]
enum Purpose {
    Reset,
    Activation,
}

impl Purpose {
    fn title(self) -> &'static str {
        match self {
            Purpose::Reset => "Réinitialisation du mot de passe",
            Purpose::Activation => "Première connexion",
        }
    }
    fn action(self) -> &'static str {
        match self {
            Purpose::Reset => "/reinitialisation",
            Purpose::Activation => "/activation",
        }
    }
}

/// The five criteria as the server sees an empty field; the page's script redraws them at each
/// keystroke with the WebAssembly build of the same function.
fn criteria(e: &Evaluation) -> String {
    let items: String = e
        .checks
        .iter()
        .map(|c| {
            format!(
                "<li data-criterion=\"{}\" data-met=\"{}\" class=\"{}\">{}</li>",
                c.criterion.code(),
                c.met,
                if c.met { "met" } else { "unmet" },
                esc(&c.label(Locale::Fr))
            )
        })
        .collect();
    format!(
        "<ul id=\"criteria\" data-acceptable=\"{}\" data-chars=\"0\">{items}</ul>",
        e.acceptable()
    )
}

fn password_form(
    app: &App,
    purpose: Purpose,
    csrf: &str,
    token: &str,
    message: &str,
    email: &str,
) -> String {
    format!(
        "{message}<form method=\"post\" action=\"{}\" id=\"password-form\">{}\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <label>Email <input type=\"email\" name=\"email\" id=\"email\" value=\"{}\" required autocomplete=\"username\"></label>\
         <label>Votre nouveau mot de passe <em>(différent des précédents)</em> \
         <input type=\"password\" name=\"password\" id=\"password\" required autocomplete=\"new-password\"></label>\
         {}\
         <label>Confirmation de mot de passe <input type=\"password\" name=\"confirmation\" id=\"confirmation\" required autocomplete=\"new-password\"></label>\
         <button type=\"submit\" id=\"save\">{}</button></form>\
         <script type=\"module\" src=\"/static/password.js\"></script>",
        purpose.action(),
        csrf_input(csrf),
        esc(token),
        esc(email),
        criteria(&app.portal.portal().evaluate_password("", None)),
        match purpose {
            Purpose::Reset => "Enregistrer",
            Purpose::Activation => "Suivant",
        },
    )
}

async fn link_page(
    app: &App,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    purpose: Purpose,
) -> Response {
    let (v, set) = visitor(app, headers);
    let token = q.get("token").cloned().unwrap_or_default();
    let usable = app
        .portal
        .inspect_token(token.clone())
        .await
        .map(|s| s.usable)
        .unwrap_or(false);
    let body = if usable {
        password_form(app, purpose, &web::csrf_for(app, &v), &token, "", "")
    } else {
        "<p class=\"error\" data-code=\"TOKEN_INVALID\">Ce lien n'est plus valable. \
         <a href=\"/mot-de-passe-oublie\">Demandez-en un nouveau</a>.</p>"
            .to_owned()
    };
    let mut r = anonymous(purpose.title(), &body, set);
    // The page's URL holds the link token: never sent on as a referrer, never cached.
    r.headers_mut()
        .insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn redeem(
    app: &App,
    headers: &HeaderMap,
    f: &mut [(String, String)],
    purpose: Purpose,
) -> Response {
    if !web::csrf_ok(app, headers, field(f, "csrf")) {
        return web::forbidden_csrf();
    }
    let token = field(f, "token").unwrap_or("").to_owned();
    let email = field(f, "email").unwrap_or("").to_owned();
    // Moved, not copied: AsyncPortal wipes them after the call.
    let password = web::take_field(f, "password");
    let confirmation = web::take_field(f, "confirmation");
    let r = match purpose {
        Purpose::Reset => {
            app.portal
                .complete_password_reset(token.clone(), email.clone(), password, confirmation)
                .await
        }
        Purpose::Activation => {
            app.portal
                .activate_account(token.clone(), email.clone(), password, confirmation)
                .await
        }
    };
    match r {
        Ok(()) => web::redirect(
            match purpose {
                Purpose::Reset => "/connexion?ok=mot-de-passe",
                Purpose::Activation => "/connexion?ok=activation",
            },
            vec![],
        ),
        Err(e) => {
            let (v, set) = visitor(app, headers);
            let body = password_form(
                app,
                purpose,
                &web::csrf_for(app, &v),
                &token,
                &web::error_box(&e),
                &email,
            );
            let mut r = anonymous(purpose.title(), &body, set);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    }
}

/// The reset form, from the mail's link.
pub async fn reset_page(
    axum::extract::State(app): State,
    headers: HeaderMap,
    q: Params,
) -> Response {
    link_page(&app, &headers, &q, Purpose::Reset).await
}

/// Sets the password; the core checks the policy again.
pub async fn reset(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(mut f): Fields,
) -> Response {
    redeem(&app, &headers, &mut f, Purpose::Reset).await
}

/// The activation form ("Première connexion"), from the activation mail.
pub async fn activation_page(
    axum::extract::State(app): State,
    headers: HeaderMap,
    q: Params,
) -> Response {
    link_page(&app, &headers, &q, Purpose::Activation).await
}

/// Activates the account.
pub async fn activate(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(mut f): Fields,
) -> Response {
    redeem(&app, &headers, &mut f, Purpose::Activation).await
}

/// The page's script and style, compiled in.
pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "password.js" => (
            include_str!("../static/password.js"),
            "text/javascript; charset=utf-8",
        ),
        "style.css" => (
            include_str!("../static/style.css"),
            "text/css; charset=utf-8",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(CONTENT_TYPE, kind)], body).into_response()
}

/// The browser build of the core's pure functions (`bash bindings-node/wasm/build.sh` writes
/// it in `bindings-node/browser/`; `DEALER_PORTAL_WASM_DIR` points elsewhere).
pub async fn wasm_file(Path(file): Path<String>) -> Response {
    let kind = match file.as_str() {
        "dealer_portal_wasm.js" => "text/javascript; charset=utf-8",
        "dealer_portal_wasm_bg.wasm" => "application/wasm",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let dir = std::env::var_os("DEALER_PORTAL_WASM_DIR").map_or_else(
        || {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../bindings-node/browser"
            ))
        },
        std::path::PathBuf::from,
    );
    match tokio::fs::read(dir.join(&file)).await {
        Ok(bytes) => ([(CONTENT_TYPE, kind)], bytes).into_response(),
        Err(_) => (
            StatusCode::NOT_FOUND,
            "the WebAssembly package is not built: bash bindings-node/wasm/build.sh",
        )
            .into_response(),
    }
}

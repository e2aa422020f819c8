//! What every page shares: HTML escaping and the page frame, cookies, the CSRF token, and the
//! French messages for the library's error codes.

use crate::App;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dealer_portal::menu::Section;
use dealer_portal::service::SessionInfo;
use dealer_portal::{Coded, Error, Locale};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The session cookie.
pub const SESSION: &str = "dp_session";
/// The cookie a visitor without a session gets, so the forms before login carry a CSRF token.
pub const VISITOR: &str = "dp_visitor";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly; SameSite=Lax; Path=/`, `Secure` off loopback, and
/// `Max-Age` for a persistent cookie (`None`: a session cookie, gone when the browser closes).
pub fn set_cookie(app: &App, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    cookie_with(app.secure_cookies, name, value, max_age)
}

fn cookie_with(secure: bool, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are base64url")
}

/// A random base64url value of 256 bits (the visitor cookie).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS gives randomness");
    URL_SAFE_NO_PAD.encode(b)
}

/// The CSRF token of forms shown with `binding` (the session token, or the visitor cookie):
/// a keyed digest, so nothing is stored and another session's token is worthless.
pub fn csrf_for(app: &App, binding: &str) -> String {
    csrf_with(&app.csrf_key, binding)
}

fn csrf_with(key: &[u8; 32], binding: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"dealer-portal-host csrf\0");
    h.update(key);
    h.update(binding.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Whether `given` is the CSRF token of the request's session or visitor cookie (compared in
/// constant time).
pub fn csrf_ok(app: &App, headers: &HeaderMap, given: Option<&str>) -> bool {
    csrf_matches(&app.csrf_key, headers, given)
}

fn csrf_matches(key: &[u8; 32], headers: &HeaderMap, given: Option<&str>) -> bool {
    let Some(given) = given else { return false };
    [cookie(headers, SESSION), cookie(headers, VISITOR)]
        .into_iter()
        .flatten()
        .any(|b| bool::from(csrf_with(key, &b).as_bytes().ct_eq(given.as_bytes())))
}

/// 403 for a form without its CSRF token or with a wrong one.
pub fn forbidden_csrf() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(frame(
            "Accès refusé",
            None,
            "<p class=\"error\">Formulaire expiré ou invalide (jeton CSRF). Rechargez la page.</p>",
        )),
    )
        .into_response()
}

/// The first value of `name` in a form's pairs.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Moves the first value of `name` out of a form's pairs (empty when absent), so a password
/// has one copy, which the core's async facade wipes after the call.
pub fn take_field(form: &mut [(String, String)], name: &str) -> String {
    form.iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| std::mem::take(v))
        .unwrap_or_default()
}

/// A 303 to `to`, with cookies to set.
pub fn redirect(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(LOCATION, HeaderValue::from_str(to).expect("ascii location"));
    for c in cookies {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}

/// The hidden CSRF input of a form.
pub fn csrf_input(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

/// The link of a menu section.
pub fn section_href(s: Section) -> &'static str {
    match s {
        Section::Home => "/",
        Section::QuotesAndContracts => "/rubrique/quotes_and_contracts",
        Section::WorkshopClaims => "/rubrique/workshop_claims",
        Section::Easicare => "/rubrique/easicare",
        Section::Documents => "/documents",
        Section::AccountManagement => "/comptes",
    }
}

/// A connected page's header: the menu of the connected establishment's visible sections, the
/// establishment switch, the quick search and the logout button.
pub struct Connected<'a> {
    /// Who is connected.
    pub info: &'a SessionInfo,
    /// The session's CSRF token.
    pub csrf: &'a str,
}

impl Connected<'_> {
    fn header(&self) -> String {
        let info = self.info;
        let menu: String = info
            .sections
            .iter()
            .map(|s| {
                format!(
                    "<li><a data-section=\"{}\" href=\"{}\">{}</a></li>",
                    s.code(),
                    section_href(*s),
                    esc(s.label(Locale::Fr))
                )
            })
            .collect();
        let here = info
            .establishment
            .as_ref()
            .map(|c| c.as_str())
            .unwrap_or("");
        let options: String = info
            .rights
            .establishments()
            .map(|c| {
                format!(
                    "<option value=\"{0}\"{1}>{0}</option>",
                    esc(c.as_str()),
                    if c.as_str() == here { " selected" } else { "" }
                )
            })
            .collect();
        let csrf = csrf_input(self.csrf);
        format!(
            "<header><div class=\"who\">{first} {last} — <span id=\"establishment\">{here}</span></div>\
             <form method=\"post\" action=\"/etablissement\" class=\"switch\">{csrf}\
             <select name=\"code\" aria-label=\"Établissement\">{options}</select>\
             <button type=\"submit\">Changer d'établissement</button></form>\
             <form method=\"get\" action=\"/recherche\" class=\"quick\">\
             <input name=\"reference\" placeholder=\"Immatriculation, n° contrat, n° accord\" aria-label=\"Recherche rapide\">\
             <button type=\"submit\">Rechercher</button></form>\
             <form method=\"post\" action=\"/deconnexion\">{csrf}<button id=\"logout\" type=\"submit\">Se déconnecter</button></form>\
             <nav><ul id=\"menu\">{menu}</ul></nav><a href=\"/support\">Support et contacts</a></header>",
            first = esc(info.first_name.as_str()),
            last = esc(info.last_name.as_str()),
            here = esc(here),
        )
    }

    /// The whole page.
    pub fn page(&self, title: &str, body: &str) -> Response {
        Html(frame(title, Some(&self.header()), body)).into_response()
    }
}

/// The HTML document.
pub fn frame(title: &str, header: Option<&str>, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} — Espace partenaire</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
         <body>{h}<main><h1>{t}</h1>{body}</main>\
         <footer>Conditions Générales d'Utilisation | Mentions Légales | RGPD | Politique cookies</footer></body></html>",
        t = esc(title),
        h = header.unwrap_or(""),
    )
}

/// A message for an error, in French, for the person at the screen; the code beside it for
/// whoever reads the page's source (and the tests).
pub fn error_box(e: &Error) -> String {
    error_code_box(e.code())
}

/// [`error_box`] for a code carried over a redirect (one of [`Error::CODES`]; another is shown
/// as a generic failure).
pub fn error_code_box(code: &str) -> String {
    let code = Error::CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("STORAGE");
    let msg = match code {
        "INVALID_EMAIL" => "Adresse email invalide.",
        "INVALID_NAME" => "Nom ou prénom invalide.",
        "INVALID_PHONE" => "Numéro de téléphone invalide pour l'indicatif choisi.",
        "EMAIL_TAKEN" => "Cette adresse email a déjà un compte.",
        "PASSWORD_POLICY" => "Le mot de passe ne respecte pas les critères.",
        "PASSWORD_REUSED" => "Le mot de passe doit être différent des précédents.",
        "CONFIRMATION_MISMATCH" => "La confirmation ne correspond pas au mot de passe.",
        "TOKEN_INVALID" => "Ce lien n'est plus valable. Demandez-en un nouveau.",
        "EMAIL_MISMATCH" => "Cet email n'est pas celui du lien reçu.",
        "INVALID_CREDENTIALS" => "Email ou mot de passe incorrect.",
        "SESSION_INVALID" => "Votre session a expiré. Reconnectez-vous.",
        "FORBIDDEN" => "Vous n'avez pas les droits nécessaires.",
        "RIGHTS_ESCALATION" => "Vous ne pouvez pas donner des droits que vous n'avez pas.",
        "NO_RIGHTS_SELECTED" => "Cochez au moins un droit.",
        "LAST_MANAGER" => "Le dernier gestionnaire des comptes ne peut pas perdre ce droit.",
        "UNKNOWN_ESTABLISHMENT" => "Établissement inconnu.",
        "UNKNOWN_ACCOUNT" => "Compte inconnu.",
        "INVALID_PERIOD" => "Période invalide (M/AAAA).",
        "INVALID_QUERY" => "Recherche invalide : immatriculation, n° de contrat ou n° d'accord.",
        "RATE_LIMITED" => "Trop de demandes. Réessayez dans une heure.",
        "MFA_REQUIRED" => "Double authentification requise.",
        _ => "La demande n'a pas abouti.",
    };
    format!("<p class=\"error\" data-code=\"{code}\">{}</p>", esc(msg))
}

/// A success message.
pub fn notice(text: &str) -> String {
    format!("<p class=\"notice\">{}</p>", esc(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_html_special() {
        assert_eq!(
            esc("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(esc("Lefèvre Émilie"), "Lefèvre Émilie");
    }

    fn headers(cookies: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(cookies).unwrap());
        h
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_off_loopback() {
        let c = |secure, age| {
            cookie_with(secure, SESSION, "t", age)
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            c(false, None),
            "dp_session=t; HttpOnly; SameSite=Lax; Path=/"
        );
        assert_eq!(
            c(true, Some(2_592_000)),
            "dp_session=t; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000; Secure"
        );
    }

    #[test]
    fn reads_cookies_by_exact_name() {
        let h = headers("x_dp_session=no; dp_session=abc; dp_visitor=");
        assert_eq!(cookie(&h, SESSION).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, VISITOR), None, "an empty cookie is none");
        assert_eq!(cookie(&HeaderMap::new(), SESSION), None);
    }

    #[test]
    fn csrf_token_is_bound_to_the_session_or_visitor_and_the_key() {
        let key = [7u8; 32];
        let h = headers("dp_session=s1; dp_visitor=v1");
        assert!(csrf_matches(&key, &h, Some(&csrf_with(&key, "s1"))));
        assert!(csrf_matches(&key, &h, Some(&csrf_with(&key, "v1"))));
        assert!(!csrf_matches(&key, &h, None));
        assert!(!csrf_matches(&key, &h, Some("")));
        assert!(
            !csrf_matches(&key, &h, Some(&csrf_with(&key, "s2"))),
            "another session's"
        );
        assert!(
            !csrf_matches(&[8u8; 32], &h, Some(&csrf_with(&key, "s1"))),
            "another key's"
        );
        assert!(!csrf_matches(
            &key,
            &HeaderMap::new(),
            Some(&csrf_with(&key, "s1"))
        ));
    }
}

//! A user's rights changed from its profile: the six check-boxes on each establishment the
//! manager manages, saved with `set_rights` (the core's delegation rules decide: no escalation,
//! the last manager, at least one right to stay on a new establishment).

use crate::web::{self, csrf_input, esc, field};
use crate::{State, connected};
use axum::Form;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use dealer_portal::establishment::Establishment;
use dealer_portal::{AccountId, Coded, Error, Locale, Right, Rights, RightsMatrix};

/// The form, pre-checked from the account's matrix.
pub fn form(csrf: &str, id: AccountId, managed: &[Establishment], held: &RightsMatrix) -> String {
    if managed.is_empty() {
        return String::new();
    }
    let blocks: String = managed
        .iter()
        .map(|e| {
            let now = held.rights_on(&e.code);
            let boxes: String = Right::ALL
                .iter()
                .map(|r| {
                    format!(
                        "<label><input type=\"checkbox\" name=\"right:{}:{}\"{}> {}</label>",
                        esc(e.code.as_str()),
                        r.code(),
                        if now.contains(*r) { " checked" } else { "" },
                        esc(r.label(Locale::Fr))
                    )
                })
                .collect();
            format!(
                "<fieldset data-establishment=\"{0}\"><legend>{1} {0} {2}</legend>{boxes}</fieldset>",
                esc(e.code.as_str()),
                esc(&e.name),
                esc(&e.city)
            )
        })
        .collect();
    format!(
        "<h2>Gestion des droits</h2><form method=\"post\" action=\"/comptes/{id}/droits\" id=\"rights-form\">\
         {}{blocks}<button type=\"submit\">Enregistrer les droits</button></form>",
        csrf_input(csrf)
    )
}

/// Saves the rights of every establishment shown whose boxes changed.
pub async fn save(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    let (token, _) = match connected(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(account) = id.parse::<AccountId>() else {
        return web::redirect("/comptes", vec![]);
    };
    let saved: Result<(), Error> = async {
        let managed = app.portal.manageable_establishments(token.clone()).await?;
        let held = app.portal.account(token.clone(), account).await?.rights;
        for e in managed {
            let mut wanted = Rights::EMPTY;
            for r in Right::ALL {
                if field(&f, &format!("right:{}:{}", e.code, r.code())).is_some() {
                    wanted.insert(*r);
                }
            }
            if wanted != held.rights_on(&e.code) {
                app.portal
                    .set_rights(token.clone(), account, e.code, wanted)
                    .await?;
            }
        }
        Ok(())
    }
    .await;
    match saved {
        Ok(()) => web::redirect(&format!("/comptes/{account}?droits=1"), vec![]),
        Err(e) => web::redirect(&format!("/comptes/{account}?erreur={}", e.code()), vec![]),
    }
}

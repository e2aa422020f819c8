//! "Gestion des comptes": the list (accent-insensitive search, A→Z / Z→A, pages), "Ajouter un
//! nouvel utilisateur" (names, function, email, "+33 ▾" phones, the six rights per
//! establishment the manager manages) and a user's profile with its rights matrix.

use crate::web::{self, Connected, csrf_input, esc, field};
use crate::{State, visit};
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dealer_portal::account::{AccountQuery, NewUser, ProfileUpdate, SortOrder};
use dealer_portal::establishment::Establishment;
use dealer_portal::menu::{Notice, Section};
use dealer_portal::phone::calling_codes;
use dealer_portal::{AccountId, Coded, Error, EstablishmentCode, Locale, Right, Rights};
use std::collections::HashMap;

/// Accounts per page, unless the query says `par` (1–50).
const PAGE: usize = 10;

/// The account list.
pub async fn list(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, info, page) = (&visit.token, &visit.info, visit.page());
    if !info.sections.contains(&Section::AccountManagement) {
        return not_open(&page);
    }
    let text = q.get("q").map(|t| t.trim()).unwrap_or("");
    let order = q
        .get("tri")
        .and_then(|t| t.parse::<SortOrder>().ok())
        .unwrap_or_default();
    let size: usize = q
        .get("par")
        .and_then(|p| p.parse().ok())
        .filter(|p| (1..=50).contains(p))
        .unwrap_or(PAGE);
    let number: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let query = (|| -> dealer_portal::Result<AccountQuery> {
        let mut query = AccountQuery::default()
            .with_order(order)
            .with_page((number - 1) * size, size)?;
        if !text.is_empty() {
            query = query.with_text(text)?;
        }
        Ok(query)
    })();
    let listed = match query {
        Ok(query) => app.portal.list_accounts(token.clone(), query).await,
        Err(e) => Err(e),
    };
    let managed = app
        .portal
        .manageable_establishments(token.clone())
        .await
        .unwrap_or_default();
    let orders: String = SortOrder::ALL
        .iter()
        .map(|o| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                o.code(),
                if *o == order { " selected" } else { "" },
                esc(o.label(Locale::Fr))
            )
        })
        .collect();
    let mut body = format!(
        "<form method=\"get\" action=\"/comptes\" id=\"account-search\">\
         <label>{} <input name=\"q\" id=\"q\" value=\"{}\"></label>\
         <label>Trier par <select name=\"tri\" id=\"tri\">{orders}</select></label>\
         <input type=\"hidden\" name=\"par\" value=\"{size}\">\
         <button type=\"submit\">Rechercher</button></form>\
         <p><a id=\"add-user\" href=\"/comptes/nouveau\">+ Ajouter un nouvel utilisateur</a></p>",
        esc(Notice::SearchUser.label(Locale::Fr)),
        esc(text)
    );
    if managed.len() == 1 {
        body.push_str(&web::notice(
            Notice::NoManagementElsewhere.label(Locale::Fr),
        ));
    }
    match listed {
        Ok(found) => {
            let rows: String = found
                .items
                .iter()
                .map(|a| {
                    let codes: Vec<&str> = a.establishments.iter().map(|c| c.as_str()).collect();
                    format!(
                        "<tr data-email=\"{email}\"><td class=\"last\">{}</td><td class=\"first\">{}</td>\
                         <td>{email}</td><td>{}</td><td>{}</td><td><a href=\"/comptes/{}\">Profil</a></td></tr>",
                        esc(a.last_name.as_str()),
                        esc(a.first_name.as_str()),
                        esc(a.state.label(Locale::Fr)),
                        esc(&codes.join(" ")),
                        a.id,
                        email = esc(a.email.as_str()),
                    )
                })
                .collect();
            let pages = found.total.div_ceil(size).max(1);
            let link = |n: usize, label: &str, id: &str| {
                format!(
                    "<a id=\"{id}\" href=\"/comptes?q={}&amp;tri={}&amp;par={size}&amp;page={n}\">{label}</a> ",
                    esc(&encode(text)),
                    order.code()
                )
            };
            body.push_str(&format!(
                "<table id=\"accounts\"><thead><tr><th>Nom</th><th>Prénom</th><th>Email</th><th>État</th>\
                 <th>Établissements</th><th></th></tr></thead><tbody>{rows}</tbody></table>\
                 <p id=\"paging\" data-total=\"{total}\">{total} compte(s) — page {number} / {pages} {}{}</p>",
                if number > 1 { link(number - 1, "Page précédente", "previous") } else { String::new() },
                if number < pages { link(number + 1, "Page suivante", "next") } else { String::new() },
                total = found.total,
            ));
        }
        Err(e) => body.push_str(&web::error_box(&e)),
    }
    page.page("Gestion des comptes", &body)
}

/// 403 for "Gestion des comptes" when the connected establishment's rights do not open it.
fn not_open(page: &Connected<'_>) -> Response {
    let body =
        "<p class=\"error\" data-code=\"FORBIDDEN\">Vous n'avez pas les droits nécessaires.</p>";
    (
        StatusCode::FORBIDDEN,
        page.page("Gestion des comptes", body),
    )
        .into_response()
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn calling_code_select(name: &str, chosen: &str) -> String {
    let options: String = calling_codes()
        .iter()
        .map(|c| {
            format!(
                "<option value=\"{0}\"{2}>{1}</option>",
                esc(&c.code),
                esc(&c.label),
                if c.code == chosen { " selected" } else { "" }
            )
        })
        .collect();
    format!("<select name=\"{name}\" aria-label=\"Indicatif\">{options}</select>")
}

fn user_form(
    csrf: &str,
    managed: &[Establishment],
    f: &[(String, String)],
    message: &str,
) -> String {
    let v = |n: &str| esc(field(f, n).unwrap_or(""));
    let blocks: String = managed
        .iter()
        .map(|e| {
            let boxes: String = Right::ALL
                .iter()
                .map(|r| {
                    let name = format!("right:{}:{}", e.code, r.code());
                    format!(
                        "<label><input type=\"checkbox\" name=\"{name}\"{}> {} <small>{}</small></label>",
                        if field(f, &name).is_some() { " checked" } else { "" },
                        esc(r.label(Locale::Fr)),
                        esc(r.description(Locale::Fr))
                    )
                })
                .collect();
            format!(
                "<fieldset data-establishment=\"{0}\"><legend>{1} {0} {2}</legend><p>Droits de l'utilisateur pour cet établissement :</p>{boxes}</fieldset>",
                esc(e.code.as_str()),
                esc(&e.name),
                esc(&e.city)
            )
        })
        .collect();
    format!(
        "{message}<form method=\"post\" action=\"/comptes/nouveau\" id=\"new-user\">{}\
         <label>Nom <input name=\"nom\" id=\"nom\" value=\"{}\" required></label>\
         <label>Prénom <input name=\"prenom\" id=\"prenom\" value=\"{}\" required></label>\
         <label>Fonction <input name=\"fonction\" id=\"fonction\" value=\"{}\"></label>\
         <label>Identifiant/Email <input type=\"email\" name=\"email\" id=\"email\" value=\"{}\" required></label>\
         <label>Numéro de téléphone mobile (optionnel) {} <input name=\"mobile\" id=\"mobile\" value=\"{}\"></label>\
         <label>Numéro de téléphone fixe (optionnel) {} <input name=\"fixe\" id=\"fixe\" value=\"{}\"></label>\
         <h2>Gestion des droits</h2>{blocks}\
         <button type=\"submit\">Enregistrer</button></form>",
        csrf_input(csrf),
        v("nom"),
        v("prenom"),
        v("fonction"),
        v("email"),
        calling_code_select(
            "mobile_indicatif",
            field(f, "mobile_indicatif").unwrap_or("+33")
        ),
        v("mobile"),
        calling_code_select(
            "fixe_indicatif",
            field(f, "fixe_indicatif").unwrap_or("+33")
        ),
        v("fixe"),
    )
}

/// "Ajouter un nouvel utilisateur".
pub async fn new_page(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, info, page) = (&visit.token, &visit.info, visit.page());
    if !info.sections.contains(&Section::AccountManagement) {
        return not_open(&page);
    }
    match app.portal.manageable_establishments(token.clone()).await {
        Ok(managed) => page.page(
            "Ajouter un nouvel utilisateur",
            &user_form(&visit.csrf, &managed, &[], ""),
        ),
        Err(e) => page.page("Ajouter un nouvel utilisateur", &web::error_box(&e)),
    }
}

/// The typed user, its phones with their calling codes.
fn new_user(f: &[(String, String)]) -> dealer_portal::Result<NewUser> {
    let v = |n: &str| field(f, n).unwrap_or("").trim();
    let mut user = NewUser::new(v("nom"), v("prenom"), v("email"))?;
    if !v("mobile").is_empty() {
        user = user.with_mobile(v("mobile_indicatif"), v("mobile"))?;
    }
    if !v("fixe").is_empty() {
        user = user.with_landline(v("fixe_indicatif"), v("fixe"))?;
    }
    Ok(user)
}

/// The rights checked, per establishment shown.
fn checked(f: &[(String, String)], managed: &[Establishment]) -> Vec<(EstablishmentCode, Rights)> {
    managed
        .iter()
        .map(|e| {
            let mut rights = Rights::EMPTY;
            for r in Right::ALL {
                if field(f, &format!("right:{}:{}", e.code, r.code())).is_some() {
                    rights.insert(*r);
                }
            }
            (e.code.clone(), rights)
        })
        .filter(|(_, r)| !r.is_empty())
        .collect()
}

/// Creates the user on the first establishment checked, then its rights on the others.
pub async fn create(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !web::csrf_ok(&app, &headers, field(&f, "csrf")) {
        return web::forbidden_csrf();
    }
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, info, page) = (&visit.token, &visit.info, visit.page());
    if !info.sections.contains(&Section::AccountManagement) {
        return not_open(&page);
    }
    let managed = match app.portal.manageable_establishments(token.clone()).await {
        Ok(m) => m,
        Err(e) => return page.page("Ajouter un nouvel utilisateur", &web::error_box(&e)),
    };
    let result: Result<AccountId, Error> = async {
        let user = new_user(&f)?;
        let mut grants = checked(&f, &managed).into_iter();
        // No box checked: the core answers NO_RIGHTS_SELECTED.
        let (first, rights) = grants.next().unwrap_or_else(|| {
            (
                managed.first().map_or_else(
                    || {
                        info.establishment
                            .clone()
                            .expect("a manager is connected somewhere")
                    },
                    |e| e.code.clone(),
                ),
                Rights::EMPTY,
            )
        });
        let id = app
            .portal
            .create_user(token.clone(), Some(first), user, rights)
            .await?;
        for (code, rights) in grants {
            app.portal
                .set_rights(token.clone(), id, code, rights)
                .await?;
        }
        let function = field(&f, "fonction").unwrap_or("").trim();
        if !function.is_empty() {
            let update = ProfileUpdate::from_fields(None, None, Some(function), None, None)?;
            app.portal.update_profile(token.clone(), id, update).await?;
        }
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => {
            crate::mail::drain(&app).await;
            web::redirect(&format!("/comptes/{id}?cree=1"), vec![])
        }
        Err(e) => {
            let mut r = page.page(
                "Ajouter un nouvel utilisateur",
                &user_form(&visit.csrf, &managed, &f, &web::error_box(&e)),
            );
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    }
}

/// A user's profile and its rights matrix (on the establishments the reader manages).
pub async fn profile(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, info, page) = (&visit.token, &visit.info, visit.page());
    let detail = match id.parse::<AccountId>() {
        Ok(id) => app.portal.account(token.clone(), id).await,
        Err(e) => Err(e),
    };
    let a = match detail {
        Ok(a) => a,
        Err(e) => {
            return (
                StatusCode::NOT_FOUND,
                page.page("Profil", &web::error_box(&e)),
            )
                .into_response();
        }
    };
    let codes: Vec<&EstablishmentCode> = a.rights.establishments().collect();
    let head: String = codes
        .iter()
        .map(|c| format!("<th>{}</th>", esc(c.as_str())))
        .collect();
    let rows: String = Right::ALL
        .iter()
        .map(|r| {
            let cells: String = codes
                .iter()
                .map(|c| {
                    let held = a.rights.rights_on(c).contains(*r);
                    format!(
                        "<td data-establishment=\"{}\" data-right=\"{}\" data-held=\"{held}\">{}</td>",
                        esc(c.as_str()),
                        r.code(),
                        if held { "✓" } else { "" }
                    )
                })
                .collect();
            format!("<tr><th>{}</th>{cells}</tr>", esc(r.label(Locale::Fr)))
        })
        .collect();
    let phone = |p: &Option<dealer_portal::PhoneNumber>| {
        p.as_ref().map_or("—".to_owned(), |p| p.e164().to_owned())
    };
    let created = if q.contains_key("cree") {
        web::notice("Utilisateur créé : un email d'activation lui a été envoyé.")
    } else if q.contains_key("droits") {
        web::notice("Droits enregistrés.")
    } else if let Some(code) = q.get("erreur") {
        web::error_code_box(code)
    } else {
        String::new()
    };
    let managed = if info.sections.contains(&Section::AccountManagement) {
        app.portal
            .manageable_establishments(token.clone())
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let edit = crate::rights_form::form(&visit.csrf, a.id, &managed, &a.rights);
    page.page(
        "Profil",
        &format!(
            "{created}<dl id=\"profile\"><dt>Nom</dt><dd>{}</dd><dt>Prénom</dt><dd>{}</dd>\
             <dt>Fonction</dt><dd>{}</dd><dt>Email</dt><dd>{}</dd><dt>Mobile</dt><dd>{}</dd>\
             <dt>Fixe</dt><dd>{}</dd><dt>État</dt><dd id=\"state\">{}</dd></dl>\
             <h2>Droits</h2><table id=\"rights\"><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>{edit}",
            esc(a.last_name.as_str()),
            esc(a.first_name.as_str()),
            esc(&a.function),
            esc(a.email.as_str()),
            esc(&phone(&a.mobile)),
            esc(&phone(&a.landline)),
            esc(a.state.label(Locale::Fr)),
        ),
    )
}

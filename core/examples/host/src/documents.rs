//! "DOCUMENTS": the document search, the header's quick reference search ("Immatriculation,
//! n° contrat, n° accord"), the monthly statements; and "Support et contacts".

use crate::web::{self, Connected, esc};
use crate::{State, connected, visit};
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;
use dealer_portal::document::{Document, DocumentCategory, DocumentKind, DocumentQuery};
use dealer_portal::period::YearMonth;
use dealer_portal::support::support_directory;
use dealer_portal::{Coded, Locale};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

fn rows(items: &[Document]) -> String {
    let rows: String = items
        .iter()
        .map(|d| {
            format!(
                "<tr data-number=\"{n}\"><td>{}</td><td>{}</td><td>{n}</td><td>{}</td><td>{}</td></tr>",
                esc(d.doc.category.label(Locale::Fr)),
                esc(d.doc.kind.map_or("", |k| k.label(Locale::Fr))),
                d.doc.issued_on,
                esc(d.doc.registration.as_deref().unwrap_or("")),
                n = esc(&d.doc.number),
            )
        })
        .collect();
    format!(
        "<table id=\"documents\"><thead><tr><th>Catégorie</th><th>Type</th><th>Numéro</th>\
         <th>Date</th><th>Immatriculation</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

fn options<T: Coded + PartialEq>(all: &[T], chosen: &str, blank: bool) -> String {
    let mut out = if blank {
        "<option value=\"\">—</option>".to_owned()
    } else {
        String::new()
    };
    for v in all {
        out.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            v.code(),
            if v.code() == chosen { " selected" } else { "" },
            esc(v.label(Locale::Fr))
        ));
    }
    out
}

/// The document search ("Je recherche : …").
pub async fn search(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, page) = (&visit.token, visit.page());
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let category = if get("categorie").is_empty() {
        "accounting"
    } else {
        get("categorie")
    };
    let form = format!(
        "<form method=\"get\" action=\"/documents\" id=\"document-search\">\
         <label>Catégorie <select name=\"categorie\">{}</select></label>\
         <label>Type <select name=\"type\">{}</select></label>\
         <label>Numéro <input name=\"numero\" value=\"{}\"></label>\
         <label>Du (M/AAAA) <input name=\"du\" value=\"{}\"></label>\
         <label>Au (M/AAAA) <input name=\"au\" value=\"{}\"></label>\
         <label>Immatriculation <input name=\"immatriculation\" value=\"{}\"></label>\
         <button type=\"submit\">Rechercher</button></form>\
         <p><a href=\"/releves\">Relevés mensuels</a></p>",
        options(DocumentCategory::ALL, category, false),
        options(DocumentKind::ALL, get("type"), true),
        esc(get("numero")),
        esc(get("du")),
        esc(get("au")),
        esc(get("immatriculation")),
    );
    let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
    let result = if q.is_empty() {
        String::new()
    } else {
        let query = DocumentQuery::parse(
            category,
            opt("type"),
            opt("numero"),
            opt("du"),
            opt("au"),
            opt("immatriculation"),
            0,
            50,
        );
        let found = match query {
            Ok(query) => {
                app.portal
                    .search_documents(token.clone(), None, query)
                    .await
            }
            Err(e) => Err(e),
        };
        match found {
            Ok(p) => format!(
                "<p id=\"total\">{} résultat(s)</p>{}",
                p.total,
                rows(&p.items)
            ),
            Err(e) => web::error_box(&e),
        }
    };
    page.page("Documents", &format!("{form}{result}"))
}

/// The quick reference search of the header.
pub async fn quick(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, page) = (&visit.token, visit.page());
    let text = q.get("reference").cloned().unwrap_or_default();
    let body = match app
        .portal
        .search_reference(token.clone(), text.clone(), None, 0, 50)
        .await
    {
        Ok(p) => format!(
            "<p id=\"total\">« {} » : {} résultat(s)</p>{}",
            esc(&text),
            p.total,
            rows(&p.items)
        ),
        Err(e) => web::error_box(&e),
    };
    page.page("Recherche rapide", &body)
}

fn euros(cents: i64) -> String {
    format!("{},{:02} €", cents / 100, (cents % 100).abs())
}

/// The month's statement of the connected establishment: expected debits, missing, unexpected.
pub async fn statements(
    axum::extract::State(app): State,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let visit = match visit(&app, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (token, page) = (&visit.token, visit.page());
    let month = q
        .get("mois")
        .cloned()
        .unwrap_or_else(|| "4/2022".to_owned());
    let form = format!(
        "<form method=\"get\" action=\"/releves\" id=\"statement\"><label>Mois (M/AAAA) \
         <input name=\"mois\" value=\"{}\"></label><button type=\"submit\">Afficher</button></form>",
        esc(&month)
    );
    let r = match month.parse::<YearMonth>() {
        Ok(m) => app.portal.monthly_statement(token.clone(), None, m).await,
        Err(e) => Err(e),
    };
    let body = match r {
        Ok(r) => {
            let debits: String = r
                .debits
                .iter()
                .map(|d| {
                    format!(
                        "<tr data-debit=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        d.code.code(),
                        esc(d.code.label(Locale::Fr)),
                        esc(d.issuer.label(Locale::Fr)),
                        d.lines.len(),
                        euros(d.total_cents)
                    )
                })
                .collect();
            let missing: String = r
                .missing
                .iter()
                .map(|m| {
                    format!(
                        "<li data-missing=\"{}\">{}</li>",
                        m.code(),
                        esc(m.label(Locale::Fr))
                    )
                })
                .collect();
            let unexpected: String = r
                .unexpected
                .iter()
                .map(|l| {
                    format!(
                        "<li>{} {} {}</li>",
                        esc(l.issuer.label(Locale::Fr)),
                        esc(l.nature.label(Locale::Fr)),
                        euros(l.amount_cents)
                    )
                })
                .collect();
            format!(
                "<p>{} — {}</p><table id=\"debits\"><thead><tr><th>Prélèvement</th><th>Émetteur</th>\
                 <th>Lignes</th><th>Total</th></tr></thead><tbody>{debits}</tbody></table>\
                 <h2>Manquants</h2><ul id=\"missing\">{missing}</ul><h2>Inattendus</h2><ul>{unexpected}</ul>",
                r.month,
                esc(r.regime.label(Locale::Fr))
            )
        }
        Err(e) => web::error_box(&e),
    };
    page.page("Relevés mensuels", &format!("{form}{body}"))
}

/// "Support et contacts".
pub async fn support(axum::extract::State(app): State, headers: HeaderMap) -> Response {
    let (token, info) = match connected(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let csrf = web::csrf_for(&app, &token);
    let body: String = support_directory()
        .channels
        .iter()
        .map(|c| {
            let topics: String = c
                .topics
                .iter()
                .map(|t| format!("<li>{}</li>", esc(t.label(Locale::Fr))))
                .collect();
            format!(
                "<section><h2>{} : {}</h2><ul>{topics}</ul></section>",
                esc(c.kind.label(Locale::Fr)),
                esc(&c.value)
            )
        })
        .collect();
    Connected {
        info: &info,
        csrf: &csrf,
    }
    .page("Support et contacts", &body)
}

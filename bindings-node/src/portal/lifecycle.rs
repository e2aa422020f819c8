//! Data lifecycle (RGPD): retention (`runMaintenance`, which a host runs from a timer — use
//! `runMaintenanceAsync` there: on a big store it does I/O for a while) and the right of access
//! (`exportAccount`).

use super::{Core, Job, Portal, parse_account_id};
use crate::values::MaintenanceReport;
use dealer_portal::Error;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use std::sync::Arc;

portal_methods! {
    #[doc = "Removes acknowledged mails past the retention, ended links and ended sessions, in"]
    #[doc = "batches; says how many of each."]
    fn run_maintenance / run_maintenance_async() -> MaintenanceReport as "Promise<MaintenanceReport>"
    |p| { p.run_maintenance().map(MaintenanceReport::from) }

    #[doc = "Everything the store holds about the account, as JSON text (no token, digest or"]
    #[doc = "hash); oneself, or a manager who can read the account."]
    fn export_account / export_account_async(session_token: String, account_id: String) -> String as "Promise<string>"
    |p| { p.export_account(&session_token, parse_account_id(&account_id)?) }
}

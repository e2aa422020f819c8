//! The core's verdict on typed values, for the differential tests against independent
//! references (`core/tests/differential/values.py`: PyPI `phonenumbers` and `email-validator`).
//!
//! Reads one JSON object a line on stdin and writes one JSON object a line on stdout, in order:
//! - `{"email": "<typed>"}` → `{"ok": true, "normal": "<stored form>", "ascii": "<ASCII form>"}`
//!   or `{"ok": false, "reason": "<why>"}`;
//! - `{"phone": "<typed>", "cc": "+39"}` → for each field, `{"mobile": <verdict>, "fixed_line":
//!   <verdict>}` where a verdict is `{"ok": true, "e164": "+39…"}` or `{"ok": false, "reason":
//!   "<why>"}`.
//!
//! ```sh
//! echo '{"email": "Jean@Garagé.fr"}' | cargo run -q -p dealer-portal --example values_verdict
//! ```
//!
//! The values are test data: this prints them back, which the portal itself never does.

use dealer_portal::email::Email;
use dealer_portal::phone::{PhoneKind, PhoneNumber};
use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn phone_verdict(cc: &str, typed: &str, kind: PhoneKind) -> Value {
    match PhoneNumber::parse(cc, typed, kind) {
        Ok(n) => json!({"ok": true, "e164": n.e164()}),
        Err(e) => json!({"ok": false, "reason": e.to_string()}),
    }
}

fn verdict(line: &str) -> Value {
    let Ok(request) = serde_json::from_str::<Value>(line) else {
        return json!({"error": "not a JSON object"});
    };
    if let Some(typed) = request.get("email").and_then(Value::as_str) {
        return match Email::parse(typed) {
            Ok(e) => json!({"ok": true, "normal": e.as_str(), "ascii": e.ascii()}),
            Err(e) => json!({"ok": false, "reason": e.to_string()}),
        };
    }
    if let Some(typed) = request.get("phone").and_then(Value::as_str) {
        let cc = request.get("cc").and_then(Value::as_str).unwrap_or("+33");
        return json!({
            "mobile": phone_verdict(cc, typed, PhoneKind::Mobile),
            "fixed_line": phone_verdict(cc, typed, PhoneKind::FixedLine),
        });
    }
    json!({"error": "expected {\"email\": …} or {\"phone\": …, \"cc\": …}"})
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        writeln!(out, "{}", verdict(&line?))?;
    }
    out.flush()
}

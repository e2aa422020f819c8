//! The outbox drained into the mail folder: one file per mail, holding the link as a host URL.
//! The mail is acknowledged once its file is written (which erases the link token from the
//! store), as the core's README says a host should.

use crate::App;
use dealer_portal::Coded;
use dealer_portal::notification::NotificationKind;
use std::io::Write;

/// The host page a mail's link opens, if the mail has a link.
fn form(kind: NotificationKind) -> Option<&'static str> {
    match kind {
        NotificationKind::PasswordReset => Some("/reinitialisation?token="),
        NotificationKind::Activation => Some("/activation?token="),
        _ => None,
    }
}

/// Writes every pending mail to the folder and acknowledges it. Errors are reported on stderr
/// (without the mail's content) and the mail stays pending for the next drain.
pub async fn drain(app: &App) {
    let _one = app.mail_lock.lock().await;
    let pending = match app.portal.pending_notifications().await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("outbox: {}", e.code());
            return;
        }
    };
    for n in pending {
        let link = form(n.body.kind).and_then(|f| n.link(&format!("{}{f}", app.base_url)));
        let mut text = format!(
            "To: {}\nSubject: {}\nKind: {}\n\nBonjour {},\n\n",
            n.body.email,
            n.subject(),
            n.body.kind.code(),
            n.body.name
        );
        if let Some(link) = &link {
            text.push_str(&format!("Lien : {link}\n"));
        }
        if let Some(at) = n.body.expires_at {
            text.push_str(&format!("Valable jusqu'au {at}\n"));
        }
        let name = format!("{:08}-{}.txt", n.id.0, n.body.kind.code());
        let path = app.mail_dir.join(&name);
        let tmp = app.mail_dir.join(format!(".{name}.tmp"));
        let written = (|| -> std::io::Result<()> {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let mut f = o.open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        match written {
            Ok(()) => {
                if let Err(e) = app.portal.acknowledge_notification(n.id).await {
                    eprintln!("outbox: acknowledge {}: {}", n.id.0, e.code());
                }
            }
            Err(e) => eprintln!("outbox: writing {name}: {e}"),
        }
    }
}

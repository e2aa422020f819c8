//! TLS to PostgreSQL: libpq's `sslmode` and `sslrootcert`, over rustls (with the `ring`
//! provider) through tokio-postgres-rustls.
//!
//! rust-postgres' [`Config`] knows `sslmode=disable|prefer|require` only, and refuses
//! `verify-ca`, `verify-full` and `sslrootcert` as unknown; so [`TlsUrl::split`] takes both out
//! of the URL (either form libpq accepts: `postgresql://…?sslmode=…` and `key=value` pairs,
//! read exactly as rust-postgres reads them), and [`Tls::configure`] sets the [`Config`]'s mode
//! and builds the connector. What each mode does, as libpq:
//!
//! | `sslmode` | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default) | if the server offers it | against `sslrootcert` when given (not the name) |
//! | `require` | always | against `sslrootcert` when given (not the name) |
//! | `verify-ca` | always | signed by a trusted CA |
//! | `verify-full` | always | signed by a trusted CA, and for the host name |
//!
//! The trusted CAs are those of the `sslrootcert` file (PEM), or, for `verify-full` without one
//! (or with `sslrootcert=system`, as libpq 16), the operating system's store; `verify-ca` needs
//! the file (against public CAs, a check without the name proves nothing). (libpq's default
//! without `sslrootcert`, `~/.postgresql/root.crt`, is not read: a library in a server process
//! has no user's home to speak of.) Unix sockets never use TLS, whatever the mode, as libpq.
//!
//! One rule stricter than libpq: a link that is not local (a host other than loopback or a
//! Unix socket) is never plaintext unless the URL says `sslmode=disable`. `prefer` to such a
//! host requires TLS, and a server that does not offer it is refused with a message saying so.

use super::pg;
use crate::{Error, Result};
use ::postgres::config::{Host, SslMode as PgSslMode};
use ::postgres::{Client, Config, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_cert_signed_by_trust_anchor};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::IpAddr;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode` values (all but `allow`, which tries plaintext first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(Error::InvalidConfig {
                    reason: format!(
                        "sslmode={other:?} in the PostgreSQL URL is not supported; accepted: \
                         disable, prefer, require, verify-ca, verify-full"
                    ),
                });
            }
        })
    }
}

/// A connection URL with `sslmode` and `sslrootcert` taken out.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct TlsUrl {
    /// The rest of the URL, for rust-postgres' [`Config`].
    pub(super) rest: String,
    /// `sslmode`, when the URL says it.
    pub(super) mode: Option<SslMode>,
    /// `sslrootcert`, when the URL says it: a PEM file, or `system`.
    pub(super) root_cert: Option<String>,
}

impl TlsUrl {
    /// Takes `sslmode` and `sslrootcert` out of `url` (a `postgres://`/`postgresql://` URL, or
    /// `key=value` pairs). The last one wins when a key is repeated, as in rust-postgres. A URL
    /// these rules cannot read is passed on whole, for [`Config`] to say what is wrong with it.
    pub(super) fn split(url: &str) -> Result<TlsUrl> {
        let (rest, params) = if let Some(after) = ["postgres://", "postgresql://"]
            .iter()
            .find_map(|p| url.strip_prefix(p))
        {
            split_query(url, url.len() - after.len())
        } else {
            split_pairs(url)
        }
        .unwrap_or_else(|| (url.to_owned(), Vec::new()));
        let mut out = TlsUrl {
            rest,
            mode: None,
            root_cert: None,
        };
        for (key, value) in params {
            match key {
                Key::SslMode => out.mode = Some(SslMode::parse(&value)?),
                Key::SslRootCert => out.root_cert = Some(value),
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    SslMode,
    SslRootCert,
}

impl Key {
    fn of(name: &str) -> Option<Key> {
        match name {
            "sslmode" => Some(Key::SslMode),
            "sslrootcert" => Some(Key::SslRootCert),
            _ => None,
        }
    }
}

type Split = (String, Vec<(Key, String)>);

/// The URL form: the parameters after the first `?` that follows the credentials (rust-postgres
/// takes everything up to the first `@` as the credentials), `&`-separated, percent-encoded.
fn split_query(url: &str, after_scheme: usize) -> Option<Split> {
    let tail = &url[after_scheme..];
    let host_start = after_scheme + tail.find('@').map_or(0, |i| i + 1);
    let q = host_start + url[host_start..].find('?')?;
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for pair in url[q + 1..].split('&') {
        let key = pair.split_once('=').map(|(k, v)| (percent_decode(k), v));
        match key {
            Some((Some(k), v)) if Key::of(&k).is_some() => {
                taken.push((Key::of(&k)?, percent_decode(v)?));
            }
            _ => kept.push(pair),
        }
    }
    let mut rest = url[..q].to_owned();
    if !kept.is_empty() {
        rest.push('?');
        rest.push_str(&kept.join("&"));
    }
    Some((rest, taken))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = match b.get(i..i + 3) {
            Some([b'%', h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let digit = |c: u8| (c as char).to_digit(16).map_or(0, |d| d as u8);
                Some(digit(*h) << 4 | digit(*l))
            }
            _ => None,
        };
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The `key=value` form, read as rust-postgres reads it: whitespace-separated pairs, spaces
/// allowed around `=`, values bare or single-quoted, `\` escaping the next character.
fn split_pairs(s: &str) -> Option<Split> {
    let mut it = s.char_indices().peekable();
    let mut kept: Vec<&str> = Vec::new();
    let mut taken = Vec::new();
    loop {
        while it.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = it.peek() else { break };
        let mut key_end = start;
        while let Some((i, c)) = it.next_if(|&(_, c)| !c.is_whitespace() && c != '=') {
            key_end = i + c.len_utf8();
        }
        let key = &s[start..key_end];
        if key.is_empty() {
            return None;
        }
        while it.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        it.next_if(|&(_, c)| c == '=')?;
        while it.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        let quoted = it.next_if(|&(_, c)| c == '\'').is_some();
        let mut end = s.len();
        loop {
            match it.peek().copied() {
                None if quoted => return None,
                None => break,
                Some((i, '\'')) if quoted => {
                    it.next();
                    end = i + 1;
                    break;
                }
                Some((i, c)) if !quoted && c.is_whitespace() => {
                    end = i;
                    break;
                }
                Some((_, c)) => {
                    it.next();
                    if c == '\\' {
                        if let Some((_, c2)) = it.next() {
                            value.push(c2);
                        }
                    } else {
                        value.push(c);
                    }
                }
            }
        }
        if !quoted && value.is_empty() {
            return None;
        }
        match Key::of(key) {
            Some(k) => taken.push((k, value)),
            None => kept.push(&s[start..end]),
        }
    }
    Some((kept.join(" "), taken))
}

/// How the pool's connections are opened: plaintext, or TLS through rustls.
#[derive(Clone)]
pub(super) enum Tls {
    Plain,
    Rustls {
        connector: MakeRustlsConnect,
        /// `prefer` was raised to `require` because a host is not local.
        raised: bool,
    },
}

impl Tls {
    /// Sets `config`'s `sslmode` from `mode` (raising `prefer` to `require` when a host is not
    /// local) and builds the connector, reading `sslrootcert` now so that a missing or empty
    /// file is an [`Error::InvalidConfig`] at connect time, not at the first transaction.
    pub(super) fn configure(
        config: &mut Config,
        mode: Option<SslMode>,
        root_cert: Option<&str>,
    ) -> Result<Tls> {
        let system = root_cert == Some("system");
        let mode = match (mode, system) {
            // libpq 16: the system's roots make sense only with the host name checked.
            (None, true) => SslMode::VerifyFull,
            (Some(m), true) if m != SslMode::VerifyFull => {
                return Err(Error::InvalidConfig {
                    reason: "sslrootcert=system in the PostgreSQL URL needs sslmode=verify-full \
                             (a weaker sslmode would trust any certificate a public CA signed)"
                        .into(),
                });
            }
            (m, _) => m.unwrap_or(SslMode::Prefer),
        };
        if mode == SslMode::Disable || only_sockets(config) {
            // libpq ignores sslmode on Unix sockets (PostgreSQL offers no TLS there).
            config.ssl_mode(PgSslMode::Disable);
            return Ok(Tls::Plain);
        }
        let raised = mode == SslMode::Prefer && !is_local(config);
        config.ssl_mode(if mode == SslMode::Prefer && !raised {
            PgSslMode::Prefer
        } else {
            PgSslMode::Require
        });
        let roots = match (mode, root_cert) {
            (_, Some(path)) if path != "system" => Some(read_roots(path)?),
            (SslMode::VerifyFull, _) => Some(system_roots()?),
            (SslMode::VerifyCa, _) => {
                return Err(Error::InvalidConfig {
                    reason: "sslmode=verify-ca in the PostgreSQL URL needs \
                             sslrootcert=/path/to/ca.pem, the CA that signs the server's \
                             certificate (against the system's CAs, a certificate any public CA \
                             signed for any name would pass; with those, use sslmode=verify-full)"
                        .into(),
                });
            }
            _ => None,
        };
        // rustls 0.23.48 deprecates ring's provider for lacking post-quantum key exchange
        // (X25519MLKEM768, aws-lc-rs only). Kept deliberately (issue 16: no cmake/nasm/C
        // toolchain for aws-lc-rs in every binding's build): classical ECDHE (X25519, P-256)
        // with AES-GCM/ChaCha20, TLS 1.2 and 1.3. Switching is one line and a feature here.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let verifier: Arc<dyn ServerCertVerifier> = match (mode, roots) {
            (SslMode::VerifyFull, Some(roots)) => {
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| Error::InvalidConfig {
                        reason: format!("cannot use the trusted certificates for PostgreSQL: {e}"),
                    })?
            }
            (_, roots) => Arc::new(ChainOnly {
                roots: roots.map(Arc::new),
                algorithms,
            }),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::InvalidConfig {
                reason: format!("cannot set up TLS for PostgreSQL: {e}"),
            })?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Tls::Rustls {
            connector: MakeRustlsConnect::new(config),
            raised,
        })
    }

    /// Opens one connection.
    pub(super) fn connect(&self, config: &Config) -> Result<Client> {
        match self {
            Tls::Plain => config
                .connect(NoTls)
                .map_err(pg("cannot connect to PostgreSQL")),
            Tls::Rustls { connector, raised } => config.connect(connector.clone()).map_err(|e| {
                if says_no_tls(&e) {
                    pg(if *raised {
                        "cannot connect to PostgreSQL: the server does not offer TLS, and a \
                             link to a host other than loopback is never left in plaintext \
                             (it carries password hashes, personal data and link tokens); enable \
                             ssl on the server, or add sslmode=disable to the URL to accept \
                             plaintext on a network you trust"
                    } else {
                        "cannot connect to PostgreSQL: the server does not offer TLS, which \
                             the URL's sslmode requires; enable ssl on the server, or add \
                             sslmode=disable to the URL to accept plaintext on a network you trust"
                    })(e)
                } else if e.to_string().contains("TLS handshake") {
                    Error::storage_from("cannot connect to PostgreSQL", Handshake::new(e))
                } else {
                    pg("cannot connect to PostgreSQL")(e)
                }
            }),
        }
    }
}

/// A failed TLS handshake: rust-postgres says only "error performing TLS handshake", and why
/// (rustls' "invalid peer certificate: UnknownIssuer", a name the certificate is not valid
/// for) is in its sources; shown together, the driver's error kept as the source. A handshake
/// error holds no secret (the server has not been sent the password yet).
struct Handshake {
    error: ::postgres::Error,
    why: String,
}

impl Handshake {
    fn new(error: ::postgres::Error) -> Self {
        let mut why = Vec::new();
        let mut next = std::error::Error::source(&error);
        while let Some(e) = next {
            why.push(e.to_string());
            next = e.source();
        }
        Handshake {
            error,
            why: why.join(": "),
        }
    }
}

impl std::fmt::Display for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.why.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.error, self.why)
        }
    }
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Handshake").field(&self.to_string()).finish()
    }
}

impl std::error::Error for Handshake {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// rust-postgres' error when the server answered the SSLRequest with "no": "error performing
/// TLS handshake", caused by "server does not support TLS".
fn says_no_tls(e: &::postgres::Error) -> bool {
    let mut next: Option<&dyn std::error::Error> = Some(e);
    while let Some(e) = next {
        if e.to_string().contains("does not support TLS") {
            return true;
        }
        next = e.source();
    }
    false
}

/// The connection goes to Unix sockets only.
fn only_sockets(config: &Config) -> bool {
    let hosts = config.get_hosts();
    !hosts.is_empty()
        && config.get_hostaddrs().is_empty()
        && hosts.iter().all(|h| !matches!(h, Host::Tcp(_)))
}

/// Every address the connection may go to is this machine's: a Unix socket, a loopback address,
/// or `localhost`. With `hostaddr`, the address is what counts (the host name is for TLS).
fn is_local(config: &Config) -> bool {
    let addrs = config.get_hostaddrs();
    let hosts = config.get_hosts();
    if hosts.is_empty() && addrs.is_empty() {
        // rust-postgres' default host is a Unix socket where there are ones, else localhost.
        return true;
    }
    let n = hosts.len().max(addrs.len());
    (0..n).all(|i| match (addrs.get(i), hosts.get(i)) {
        (Some(addr), _) => addr.is_loopback(),
        #[cfg(unix)]
        (None, Some(Host::Unix(_))) => true,
        (None, Some(Host::Tcp(name))) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        (None, None) => false,
    })
}

fn read_roots(path: &str) -> Result<RootCertStore> {
    let bad = |why: String| Error::InvalidConfig {
        reason: format!("sslrootcert={path:?} in the PostgreSQL URL: {why}"),
    };
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot read the file ({e})")))?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| bad(format!("not a PEM file of certificates ({e})")))?;
        roots.add(cert).map_err(|e| {
            bad(format!(
                "a certificate cannot be used as a trust anchor ({e})"
            ))
        })?;
    }
    if roots.is_empty() {
        return Err(bad(
            "the file holds no certificate (expected the PEM certificates of the CAs to trust)"
                .into(),
        ));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(Error::InvalidConfig {
            reason: "sslmode=verify-ca or verify-full without sslrootcert checks the server's \
                     certificate against the system's trusted CAs, but none were found; add \
                     sslrootcert=/path/to/ca.pem to the PostgreSQL URL"
                .into(),
        });
    }
    Ok(roots)
}

/// Checks the chain against `roots` when there are some, never the name (`verify-ca`, and
/// `prefer`/`require` with `sslrootcert`), or nothing (`prefer`/`require` without: encryption
/// against passive eavesdropping only, as libpq). The handshake's signatures are always checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Option<Arc<RootCertStore>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn split(url: &str) -> TlsUrl {
        TlsUrl::split(url).unwrap()
    }

    #[test]
    fn url_form_loses_only_its_tls_keys() {
        let t = split(
            "postgresql://u:p%3Fw@db.internal:5432/portal?sslmode=verify-full&\
             application_name=x&sslrootcert=%2Fetc%2Fca%20dir%2Fca.pem",
        );
        assert_eq!(t.mode, Some(SslMode::VerifyFull));
        assert_eq!(t.root_cert.as_deref(), Some("/etc/ca dir/ca.pem"));
        assert_eq!(
            t.rest,
            "postgresql://u:p%3Fw@db.internal:5432/portal?application_name=x"
        );
        let t = split("postgres://db/portal?sslmode=require");
        assert_eq!(
            (t.rest.as_str(), t.mode),
            ("postgres://db/portal", Some(SslMode::Require))
        );
        let t = split("postgres://db/portal");
        assert_eq!(
            (t.rest.as_str(), t.mode, t.root_cert),
            ("postgres://db/portal", None, None)
        );
        // A `?` in the password is the credentials', as rust-postgres reads it.
        let t = split("postgres://u:a?b@db/p?sslmode=disable");
        assert_eq!(
            (t.rest.as_str(), t.mode),
            ("postgres://u:a?b@db/p", Some(SslMode::Disable))
        );
        // The rest parses.
        Config::from_str(&split("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=x&port=5").rest)
            .unwrap();
    }

    #[test]
    fn key_value_form_loses_only_its_tls_keys() {
        let t = split(
            "host=db.internal  sslmode = verify-ca user=portal \
             sslrootcert='/etc/my ca/it\\'s.pem' password='a b'",
        );
        assert_eq!(t.mode, Some(SslMode::VerifyCa));
        assert_eq!(t.root_cert.as_deref(), Some("/etc/my ca/it's.pem"));
        assert_eq!(t.rest, "host=db.internal user=portal password='a b'");
        let c = Config::from_str(&t.rest).unwrap();
        assert_eq!(c.get_password(), Some(&b"a b"[..]));
        let t = split("host=h sslrootcert=/a\\ b sslmode=prefer");
        assert_eq!(t.root_cert.as_deref(), Some("/a b"));
        assert_eq!((t.rest.as_str(), t.mode), ("host=h", Some(SslMode::Prefer)));
        // The last one wins, as in rust-postgres.
        assert_eq!(
            split("sslmode=disable sslmode=require").mode,
            Some(SslMode::Require)
        );
    }

    #[test]
    fn unknown_modes_are_refused_with_the_accepted_ones() {
        for url in ["postgres://h/d?sslmode=allow", "host=h sslmode=verify_full"] {
            let e = TlsUrl::split(url).unwrap_err();
            assert_eq!(e.code(), "INVALID_CONFIG");
            assert!(
                e.to_string()
                    .contains("disable, prefer, require, verify-ca, verify-full")
            );
        }
    }

    #[test]
    fn unreadable_forms_are_left_for_config_to_refuse() {
        for url in ["host=h sslmode", "host='unterminated sslmode=disable"] {
            let t = split(url);
            assert_eq!((t.rest.as_str(), t.mode), (url, None));
            assert!(Config::from_str(&t.rest).is_err());
        }
    }

    fn mode_of(url: &str) -> (PgSslMode, bool) {
        let t = split(url);
        let mut c = Config::from_str(&t.rest).unwrap();
        let tls = Tls::configure(&mut c, t.mode, t.root_cert.as_deref()).unwrap();
        let raised = matches!(tls, Tls::Rustls { raised: true, .. });
        (c.get_ssl_mode(), raised)
    }

    #[test]
    fn prefer_to_a_remote_host_requires_tls() {
        assert_eq!(
            mode_of("postgres://db.internal/p"),
            (PgSslMode::Require, true)
        );
        assert_eq!(
            mode_of("host=10.0.0.5 sslmode=prefer"),
            (PgSslMode::Require, true)
        );
        assert_eq!(
            mode_of("host=localhost,db.internal"),
            (PgSslMode::Require, true)
        );
        // The address connected to counts, not the name the certificate is checked against.
        assert_eq!(
            mode_of("host=db.internal hostaddr=127.0.0.1"),
            (PgSslMode::Prefer, false)
        );
        assert_eq!(
            mode_of("host=localhost hostaddr=10.1.1.1"),
            (PgSslMode::Require, true)
        );
        for local in [
            "postgres://127.0.0.1/p",
            "postgres://127.8.9.10/p",
            "postgres://localhost/p",
            "postgres://[::1]/p",
            "host=/var/run/postgresql,localhost",
        ] {
            assert_eq!(mode_of(local), (PgSslMode::Prefer, false), "{local}");
        }
        // Unix sockets: no TLS whatever the mode, as libpq.
        let socket = "host=/var/run/postgresql sslmode=verify-full sslrootcert=/nonexistent";
        assert_eq!(mode_of(socket), (PgSslMode::Disable, false));
        // Only the URL's own word allows plaintext to a remote host.
        assert_eq!(
            mode_of("postgres://db.internal/p?sslmode=disable"),
            (PgSslMode::Disable, false)
        );
        assert_eq!(
            mode_of("postgres://db.internal/p?sslmode=require"),
            (PgSslMode::Require, false)
        );
    }

    #[test]
    fn root_certificates_are_read_at_configuration() {
        let dir = std::env::temp_dir().join(format!("dp-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for (url, says) in [
            (
                format!("host=h sslmode=verify-full sslrootcert={}", empty.display()),
                "no certificate",
            ),
            (
                format!(
                    "host=h sslmode=verify-ca sslrootcert={}/missing.pem",
                    dir.display()
                ),
                "cannot read",
            ),
            (
                "host=h sslmode=require sslrootcert=system".to_owned(),
                "verify-full",
            ),
            ("host=h sslmode=verify-ca".to_owned(), "needs sslrootcert"),
        ] {
            let t = split(&url);
            let mut c = Config::from_str(&t.rest).unwrap();
            let e = Tls::configure(&mut c, t.mode, t.root_cert.as_deref())
                .err()
                .unwrap_or_else(|| panic!("{url} accepted"));
            assert_eq!(e.code(), "INVALID_CONFIG");
            assert!(e.to_string().contains(says), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A server on loopback that answers every SSLRequest with 'N' (no TLS), as a server with
    /// `ssl=off` does; returns its port.
    fn server_without_tls() -> u16 {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(2) {
                let Ok(mut stream) = stream else { return };
                let mut request = [0u8; 8];
                if stream.read_exact(&mut request).is_ok() {
                    let _ = stream.write_all(b"N");
                }
            }
        });
        port
    }

    #[test]
    fn a_server_without_tls_is_refused_saying_what_to_add_to_the_url() {
        let port = server_without_tls();
        // `prefer` to a remote host (raised to `require`), then explicit `require`, each against
        // the fake server (a remote host cannot be reached from a test: the connector is the
        // remote one's, the address loopback).
        for (url, says) in [
            (
                "host=db.internal",
                "a link to a host other than loopback is never left in plaintext",
            ),
            (
                "host=127.0.0.1 sslmode=require",
                "which the URL's sslmode requires",
            ),
        ] {
            let t = split(url);
            let mut remote = Config::from_str(&t.rest).unwrap();
            let tls = Tls::configure(&mut remote, t.mode, None).unwrap();
            let mut here = Config::new();
            here.host("127.0.0.1")
                .port(port)
                .user("portal")
                .ssl_mode(remote.get_ssl_mode());
            let e = tls.connect(&here).err().expect("connected without TLS");
            assert_eq!(e.code(), "STORAGE");
            let msg = e.to_string();
            assert!(msg.contains(says), "{msg}");
            assert!(msg.contains("add sslmode=disable to the URL"), "{msg}");
        }
    }
}

//! The page-latency load test of the reference host (issue 19): a session is opened the way a
//! person opens it (the seeded administrator claims its account through "Mot de passe oublié ?"
//! and the mail, then logs in), then the home page — a page that checks the session with the
//! core — is requested N times, one after the other on one keep-alive connection from
//! 127.0.0.1, and the latency of each is recorded: p50, p90, p99 and the maximum are printed.
//!
//! ```text
//! bash core/examples/host/latency.sh            # builds both in release, starts the host, runs this
//! host-latency --url http://127.0.0.1:PORT --mail-dir DIR [--requests 20000]
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const ADMIN: &str = "admin@garage-xyz.fr";
const PASSWORD: &str = "Garage XYZ, 2026 !";

/// One keep-alive HTTP/1.1 connection.
struct Client {
    host: String,
    reader: BufReader<TcpStream>,
    cookies: Vec<(String, String)>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Client {
    fn connect(host: &str) -> Result<Self> {
        let stream = TcpStream::connect(host)?;
        stream.set_nodelay(true)?;
        Ok(Client {
            host: host.to_owned(),
            reader: BufReader::new(stream),
            cookies: Vec::new(),
        })
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn request(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Result<Answer> {
        let body = form.map(encode).unwrap_or_default();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nContent-Length: {}\r\n",
            self.host,
            self.cookie_header(),
            body.len()
        );
        if form.is_some() {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        head.push_str("\r\n");
        head.push_str(&body);
        self.reader.get_mut().write_all(head.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .ok_or("no status line")?
            .parse()?;
        let (mut length, mut location) = (0usize, None);
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (name, value) = l.split_once(':').ok_or("bad header")?;
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse()?,
                "location" => location = Some(value.to_owned()),
                "set-cookie" => {
                    let (k, v) = value
                        .split(';')
                        .next()
                        .and_then(|kv| kv.split_once('='))
                        .ok_or("bad cookie")?;
                    self.cookies.retain(|(name, _)| name != k);
                    if !v.is_empty() {
                        self.cookies.push((k.to_owned(), v.to_owned()));
                    }
                }
                _ => {}
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(Answer {
            status,
            location,
            body: String::from_utf8(body)?,
        })
    }
}

fn encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn csrf(body: &str) -> Result<String> {
    let at = body.find("name=\"csrf\" value=\"").ok_or("no CSRF token")? + 19;
    Ok(body[at..].split('"').next().unwrap_or("").to_owned())
}

/// The token of the reset link in the newest mail to the administrator.
fn reset_token(dir: &Path) -> Result<String> {
    for _ in 0..100 {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        names.sort();
        for p in names.iter().rev() {
            let text = std::fs::read_to_string(p)?;
            if text.contains(&format!("To: {ADMIN}\n")) && text.contains("Kind: password_reset\n") {
                let at = text.find("token=").ok_or("no link")? + 6;
                return Ok(text[at..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("no reset mail".into())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn main() -> Result<()> {
    let (mut url, mut mail_dir, mut n) = (String::new(), PathBuf::new(), 20_000usize);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => url = value,
            "--mail-dir" => mail_dir = value.into(),
            "--requests" => n = value.parse()?,
            _ => {
                return Err(
                    format!("unknown {flag}; accepted: --url, --mail-dir, --requests").into(),
                );
            }
        }
    }
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut c = Client::connect(&host)?;
    // The administrator claims its account, then logs in.
    let page = c.request("GET", "/mot-de-passe-oublie", None)?;
    let token = csrf(&page.body)?;
    c.request(
        "POST",
        "/mot-de-passe-oublie",
        Some(&[("csrf", &token), ("email", ADMIN)]),
    )?;
    let link = reset_token(&mail_dir)?;
    let done = c.request(
        "POST",
        "/reinitialisation",
        Some(&[
            ("csrf", &token),
            ("token", &link),
            ("email", ADMIN),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
        ]),
    )?;
    if done.status != 303 {
        return Err(format!("reset answered {}", done.status).into());
    }
    let login = c.request(
        "POST",
        "/connexion",
        Some(&[("csrf", &token), ("email", ADMIN), ("password", PASSWORD)]),
    )?;
    if login.location.as_deref() != Some("/") {
        return Err(format!("login answered {}", login.status).into());
    }
    for _ in 0..1_000 {
        c.request("GET", "/", None)?;
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let a = c.request("GET", "/", None)?;
        times.push(start.elapsed());
        if a.status != 200 || !a.body.contains("id=\"menu\"") {
            return Err(format!("the home page answered {}", a.status).into());
        }
    }
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "GET / with a session, {n} requests one after the other on one keep-alive connection: \
         p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        us(percentile(&times, 0.50)),
        us(percentile(&times, 0.90)),
        us(percentile(&times, 0.99)),
        us(times[times.len() - 1])
    );
    Ok(())
}

//! The SMTP sink against a real SMTP server (aiosmtpd, started by the test, writing what it
//! receives to a Maildir): headers, plain and HTML parts, the Message-ID from the action's
//! id, `List-Unsubscribe` on automatic emails only, and a server that is down.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use play_delivery::smtp::{Email, Security, SmtpSettings, SmtpSink};
use play_delivery::Outcome;

struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs (the SMTP server is aiosmtpd: `python3 -m pip install aiosmtpd`)");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start (`python3 -m pip install aiosmtpd`)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port, dir }
    }

    /// Every message received, as text.
    fn received(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let mut paths: Vec<_> =
            std::fs::read_dir(new).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        paths.sort();
        paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: "Play <cs@example.com>".into(),
        unsubscribe: Some("https://cs.example.com/unsubscribe".into()),
    }
}

fn email(automatic: bool) -> Email {
    Email {
        id: "a1b2c3".into(),
        to: "vic@acme.example".into(),
        subject: "Renewal — Acme".into(),
        text: "Hi Vic,\nyour renewal is on 2026-06-01.".into(),
        html: Some("<p>Hi Vic,<br>your renewal is on 2026-06-01 &amp; more.</p>".into()),
        automatic,
        approved_by: None,
    }
}

/// A header's value, unfolded.
fn header<'a>(message: &'a str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().or_else(|| message.split("\n\n").next())?;
    let mut value: Option<String> = None;
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(v) = value.as_mut() {
                v.push_str(line.trim_start());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_string());
            }
        }
    }
    value
}

#[test]
fn an_automatic_email_arrives_with_both_parts_its_id_and_unsubscribe() {
    let server = Server::start();
    let sink = SmtpSink::new(&settings(server.port)).unwrap();
    let outcome = sink.send(&email(true));
    assert_eq!(outcome, Outcome::Delivered { code: "250".into() });
    let got = server.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(header(m, "Message-ID").as_deref(), Some("<a1b2c3@example.com>"));
    assert_eq!(header(m, "To").as_deref(), Some("vic@acme.example"));
    assert_eq!(header(m, "From").as_deref(), Some("Play <cs@example.com>"));
    assert_eq!(header(m, "Auto-Submitted").as_deref(), Some("auto-generated"));
    assert_eq!(
        header(m, "List-Unsubscribe").as_deref(),
        Some("<https://cs.example.com/unsubscribe?email=vic%40acme.example&action=a1b2c3>")
    );
    assert_eq!(header(m, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    // The subject is not ASCII: encoded, not sent raw.
    let subject = header(m, "Subject").unwrap();
    assert_eq!(subject, "Renewal =?utf-8?b?4oCU?= Acme");
    assert!(header(m, "Content-Type").unwrap().starts_with("multipart/alternative"));
    assert!(m.contains("Content-Type: text/plain") && m.contains("Content-Type: text/html"), "{m}");
    assert!(m.contains("your renewal is on 2026-06-01"), "{m}");
    assert!(m.contains("&amp; more"), "the HTML part is sent as the engine escaped it: {m}");
}

#[test]
fn an_approved_email_task_has_no_unsubscribe_and_a_plain_email_one_part() {
    let server = Server::start();
    let sink = SmtpSink::new(&settings(server.port)).unwrap();
    let mut e = email(false);
    e.html = None;
    assert!(matches!(sink.send(&e), Outcome::Delivered { .. }));
    let got = server.received();
    let m = &got[0];
    assert_eq!(header(m, "List-Unsubscribe"), None);
    assert_eq!(header(m, "Auto-Submitted"), None);
    assert!(header(m, "Content-Type").unwrap().starts_with("text/plain"), "{m}");
}

#[test]
fn an_approved_email_is_from_a_teammate_of_the_senders_domain_else_answered_to_them() {
    let sink = SmtpSink::new(&settings(25)).unwrap();
    let mut e = email(false);
    e.approved_by = Some("jo@example.com".into());
    let same = String::from_utf8(sink.message(&e).unwrap().formatted()).unwrap();
    assert_eq!(header(&same, "From").as_deref(), Some("jo@example.com"));
    assert_eq!(header(&same, "Reply-To"), None);
    assert_eq!(header(&same, "Message-ID").as_deref(), Some("<a1b2c3@example.com>"));
    e.approved_by = Some("lee@partner.example".into());
    let other = String::from_utf8(sink.message(&e).unwrap().formatted()).unwrap();
    assert_eq!(header(&other, "From").as_deref(), Some("Play <cs@example.com>"));
    assert_eq!(header(&other, "Reply-To").as_deref(), Some("lee@partner.example"));
    e.approved_by = Some("not an address".into());
    assert!(sink.message(&e).unwrap_err().contains("the approver `not an address`"));
}

#[test]
fn a_bad_address_fails_and_a_server_that_is_down_is_tried_again() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sink = SmtpSink::new(&settings(port)).unwrap();
    let mut e = email(true);
    e.to = "not an address".into();
    assert!(matches!(sink.send(&e), Outcome::Failed { ref code, .. } if code == "address"));
    let outcome = sink.send(&email(true));
    assert!(matches!(outcome, Outcome::Retry { ref code, .. } if code == "network"), "{outcome:?}");
}

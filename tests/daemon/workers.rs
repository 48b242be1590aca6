//! Several `play run` workers on one PostgreSQL store: each starts as a standby and prints
//! its address only once it holds the lease, so the next address to arrive is the new
//! active worker's. Logs go to a file per worker, to be read after.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

/// The lease time the tests run with: short, so that takeovers come quickly.
pub const LEASE_MS: u64 = 600;

pub struct Worker {
    pub child: Child,
    pub log: PathBuf,
}

impl Worker {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn signal(&self, signal: &str) {
        Command::new("kill").args([&format!("-{signal}"), &self.pid().to_string()]).status().expect("kill runs");
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Workers of one project and store, and the addresses of those that became active.
pub struct Pool {
    dir: PathBuf,
    url: String,
    extra: Vec<String>,
    started: usize,
    active: Sender<(usize, String)>,
    pub activated: Receiver<(usize, String)>,
}

impl Pool {
    pub fn new(dir: &Path, url: &str, extra: &[&str]) -> Pool {
        let (active, activated) = channel();
        Pool {
            dir: dir.to_path_buf(),
            url: url.to_string(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            started: 0,
            active,
            activated,
        }
    }

    /// Starts worker number `self.started` (it stands by until it takes the lease).
    pub fn start(&mut self) -> (usize, Worker) {
        self.start_with(&[])
    }

    /// Starts a worker with environment variables of its own (fault injection).
    pub fn start_with(&mut self, env: &[(&str, &str)]) -> (usize, Worker) {
        let n = self.started;
        self.started += 1;
        let log = self.dir.join(format!("worker-{n}.log"));
        let lease = LEASE_MS.to_string();
        let mut args = vec![
            "run",
            "--store",
            &self.url,
            "--lease-ms",
            &lease,
            "--listen",
            "127.0.0.1:0",
            "--owner",
            "lee@example.com",
            "--clock",
            "changes",
            "--no-watch",
        ];
        args.extend(self.extra.iter().map(String::as_str));
        let mut child = Command::new(env!("CARGO_BIN_EXE_play"))
            .args(&args)
            .current_dir(&self.dir)
            .env("PLAY_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).expect("a log file")))
            .spawn()
            .expect("play run starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let active = self.active.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.trim().strip_prefix("listening on ") {
                    let _ = active.send((n, url.to_string()));
                }
            }
        });
        (n, Worker { child, log })
    }

    /// The next worker to become active, and how long that took from `since`.
    pub fn next_active(&self, since: Instant) -> (usize, String, Duration) {
        let (n, url) = self.activated.recv_timeout(Duration::from_secs(60)).expect("a standby takes over");
        (n, url, since.elapsed())
    }
}

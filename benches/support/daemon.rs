//! A `play run` child for the daemon benchmarks, and the baselines they are measured
//! against (raw SQLite inserts, `play replay`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const PLAY: &str = env!("CARGO_BIN_EXE_play");

/// A teammate's token for the project in `dir`.
pub fn token(dir: &Path) -> String {
    let out = Command::new(PLAY).args(["token", "add", "bench@example.com"]).current_dir(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub struct Running {
    child: Child,
    url: String,
    token: String,
}

impl Running {
    pub fn start(dir: &Path, token: &str) -> Running {
        let mut child = Command::new(PLAY)
            .args([
                "run",
                "--listen",
                "127.0.0.1:0",
                "--clock",
                "changes",
                "--no-watch",
                "--owner",
                "bench@example.com",
            ])
            .current_dir(dir)
            .env("PLAY_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("play run starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().trim_start_matches("listening on ").to_string();
        Running { child, url, token: token.to_string() }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn get(&self, path: &str) -> Result<serde_json::Value, ureq::Error> {
        let answer =
            ureq::get(&format!("{}{path}", self.url)).set("Authorization", &format!("Bearer {}", self.token)).call()?;
        Ok(answer.into_json().unwrap())
    }

    /// Posts `lines` in bodies of `batch`, each answered once durable.
    pub fn post_all(&self, lines: &[String], batch: usize) {
        let url = format!("{}/v1/changes", self.url);
        for chunk in lines.chunks(batch) {
            let report: serde_json::Value = ureq::post(&url)
                .set("Authorization", &format!("Bearer {}", self.token))
                .send_string(&chunk.join("\n"))
                .expect("the daemon answers")
                .into_json()
                .unwrap();
            assert_eq!(report["accepted"].as_u64(), Some(chunk.len() as u64), "every line accepted: {report}");
        }
    }

    pub fn count_open(&self) -> u64 {
        self.get("/v1/status").unwrap()["actions_open"].as_u64().unwrap_or(0)
    }

    pub fn journal_position(&self) -> u64 {
        self.get("/v1/status").unwrap()["journal_position"].as_u64().unwrap_or(0)
    }

    /// The median and 99th percentile, in seconds, of `n` requests for the queue's first page.
    pub fn list_latency(&self, n: usize) -> (f64, f64) {
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let started = Instant::now();
                let page = self.get("/v1/actions?limit=50").unwrap();
                assert_eq!(page["items"].as_array().map(Vec::len), Some(50), "a full page");
                started.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        (times[n / 2], times[(n * 99 / 100).min(n - 1)])
    }

    /// Until the daemon answers `/v1/status`.
    pub fn wait_serving(&self) {
        while self.get("/v1/status").is_err() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The peak resident memory of a process, in KiB (Linux).
pub fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Raw SQLite inserts of the same lines: one transaction per `batch`, WAL,
/// synchronous=NORMAL.
pub fn raw_sqlite(path: &Path, lines: &[String], batch: usize) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch("CREATE TABLE journal (position INTEGER PRIMARY KEY, command TEXT NOT NULL)").unwrap();
    for chunk in lines.chunks(batch) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx.prepare_cached("INSERT INTO journal (command) VALUES (?1)").unwrap();
            for line in chunk {
                insert.execute([line]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

/// Seconds `play replay` (the in-memory engine) takes over `lines`, the project compiled
/// and the output written included.
pub fn replay(dir: &Path, lines: &[String]) -> f64 {
    let file = dir.join(format!("replay-{}.jsonl", lines.len()));
    std::fs::write(&file, lines.join("\n")).unwrap();
    let started = Instant::now();
    let status = Command::new(PLAY)
        .args(["replay", ".", "--changes"])
        .arg(&file)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "play replay runs");
    started.elapsed().as_secs_f64()
}

//! A `play run` child on a scratch copy of an example project, and a small HTTP client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A scratch copy of `examples/NAME`, removed when dropped.
pub fn example_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    copy_tree(&from, dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("example folder is readable") {
        let entry = entry.expect("example entry is readable");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("entry has a type").is_dir() {
            std::fs::create_dir_all(&target).expect("scratch folder is writable");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("scratch folder is writable");
        }
    }
}

/// Runs `play args…` in `dir` to its end: (exit code, stdout, stderr).
pub fn play(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_play"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the play binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A token for `email` in the project at `dir`.
pub fn token(dir: &Path, email: &str) -> String {
    let (code, out, err) = play(dir, &["token", "add", email]);
    assert_eq!(code, 0, "token add: {err}");
    out.trim().to_string()
}

/// A running `play run`.
pub struct Daemon {
    pub child: Child,
    pub url: String,
}

impl Daemon {
    /// Starts `play run` on a free port, by default with the clock following the changes
    /// and no watching (`extra` may say `--clock system`, `--watch`).
    pub fn start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Daemon {
        let mut args = vec!["run", "--listen", "127.0.0.1:0", "--owner", "lee@example.com"];
        args.extend_from_slice(extra);
        if !extra.contains(&"--clock") {
            args.extend(["--clock", "changes"]);
        }
        if !extra.contains(&"--watch") {
            args.push("--no-watch");
        }
        args.retain(|a| *a != "--watch");
        let mut command = Command::new(env!("CARGO_BIN_EXE_play"));
        command.args(&args).current_dir(dir).env("PLAY_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("play run starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("play run says where it listens");
        let url =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("not an address: {line:?}")).to_string();
        Daemon { child, url }
    }

    /// Asks for the status until `done` says yes (the daemon works in the background).
    pub fn status_when(&self, token: &str, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        for _ in 0..300 {
            let (_, status) = self.get("/v1/status", Some(token));
            if done(&status) {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the status never came to what was waited for");
    }

    /// SIGTERM, and the exit code.
    pub fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        let status = self.child.wait().expect("play run ends");
        status.code().unwrap_or(-1)
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
        let mut req = ureq::post(&format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        answer(req.send_string(body))
    }

    pub fn post_with(&self, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, serde_json::Value) {
        let mut req = ureq::post(&format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        answer(req.send_string(body))
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut req = ureq::get(&format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        answer(req.call())
    }

    /// Every action `token` may see, page by page.
    pub fn all_actions(&self, token: &str) -> Vec<serde_json::Value> {
        let mut items = Vec::new();
        let mut cursor = String::new();
        loop {
            let (code, page) = self.get(&format!("/v1/actions?limit=7{cursor}"), Some(token));
            assert_eq!(code, 200, "{page}");
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => return items,
            }
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value) {
    match result {
        Ok(r) => (r.status(), r.into_json().unwrap_or(serde_json::Value::Null)),
        Err(ureq::Error::Status(code, r)) => (code, r.into_json().unwrap_or(serde_json::Value::Null)),
        Err(e) => panic!("the daemon did not answer: {e}"),
    }
}

/// Compares the actions `store` kept with `play replay` of exactly the `acknowledged`
/// lines (written to `acknowledged.jsonl` in `dir`): no id twice on either side, every
/// stored action one the replay produces, and none missing but the last moment's (the
/// replay ends it; a daemon holds it open for more changes at the same moment). Returns
/// how many actions are stored, or the missing ones, as words.
pub fn stored_match_replay(
    dir: &Path,
    store: &dyn play_store::Store,
    acknowledged: &[String],
) -> Result<usize, String> {
    use std::collections::{BTreeMap, BTreeSet};
    let query = play_store::ActionQuery { limit: 1_000_000, ..play_store::ActionQuery::default() };
    let stored = store.actions(&query).unwrap().items;
    let stored_ids: BTreeSet<&str> = stored.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(stored_ids.len(), stored.len(), "no action id twice");

    std::fs::write(dir.join("acknowledged.jsonl"), acknowledged.join("\n") + "\n").unwrap();
    let (code, out, err) = play(dir, &["replay", "--changes", "acknowledged.jsonl"]);
    assert_eq!(code, 0, "{err}");
    let replayed: BTreeMap<String, String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["at"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(replayed.len(), out.lines().count(), "the replay produces no id twice either");
    for id in &stored_ids {
        assert!(replayed.contains_key(*id), "stored action {id} is one the replay produces");
    }
    let last = replayed.values().max().cloned().unwrap_or_default();
    let missing: Vec<_> = replayed.iter().filter(|(id, _)| !stored_ids.contains(id.as_str())).collect();
    if missing.iter().all(|(_, at)| **at == last) {
        Ok(stored.len())
    } else {
        Err(format!("actions lost: {missing:?}"))
    }
}

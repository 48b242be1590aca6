// A `play run` child on a scratch copy of an example (customer-success unless told), with
// tokens for two teammates (lee, the workspace owner, and jo) and the changes taken.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The `play` binary: $PLAY_BIN, else the workspace's debug build. */
export const playBin = process.env.PLAY_BIN ?? join(root, "target/debug/play");

/** Four new customers at one moment: the onboarding kickoff task for each, one group. */
function newCustomers() {
  return [1, 2, 3, 4]
    .map((n) =>
      JSON.stringify({
        at: "2026-03-17T09:00:00Z", change: "upsert", record: "Account", id: `new${n}`,
        fields: { name: `New ${n}`, tier: "MidMarket", arr: 1000, stage: "Onboarding", health: 80,
          owner: "jo@example.com", weekly_active_users: 1, tags: [] },
      }),
    )
    .concat([
      // A moment's actions are held until the clock leaves it: a later change moves it on.
      JSON.stringify({ at: "2026-03-17T09:05:00Z", change: "upsert", record: "User", id: "lee@example.com",
        fields: { title: "CS Manager" } }),
    ])
    .join("\n");
}

/** A port free on this machine now. */
async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/**
 * A real SMTP server (aiosmtpd from PyPI, which `.ci/run` installs) writing what it receives
 * to a Maildir in `dir`; `received()` reads every message back as text.
 */
async function startSmtp(dir) {
  const port = await freePort();
  const maildir = join(dir, "mail");
  const child = spawn("python3", ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], {
    stdio: "ignore",
  });
  const started = Date.now();
  for (;;) {
    const up = await new Promise((ok) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => ok(socket.end() && true));
      socket.once("error", () => ok(false));
    });
    if (up) break;
    if (Date.now() - started > 20000) throw new Error("aiosmtpd did not start (`python3 -m pip install aiosmtpd`)");
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const received = () => {
    let names = [];
    try {
      names = readdirSync(join(maildir, "new")).sort();
    } catch {}
    return names.map((n) => readFileSync(join(maildir, "new", n), "utf8"));
  };
  return { port, received, stop: () => child.kill() };
}

/**
 * `example` is a folder of examples/; `changes` replaces the example's changes and its new
 * customers; `watch` lets the daemon deploy edits of its scratch project (publishing);
 * `smtp` starts a real SMTP server the daemon sends its email to (`[sinks.smtp]`).
 */
export async function startDaemon({ example = "customer-success", changes: given, watch = false, smtp: withSmtp = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "play-inbox-"));
  cpSync(join(root, "examples", example), dir, { recursive: true });
  const smtp = withSmtp ? await startSmtp(dir) : null;
  if (smtp) {
    writeFileSync(
      join(dir, "play.toml"),
      `[sinks.smtp]\nhost = "127.0.0.1"\nport = ${smtp.port}\nsecurity = "none"\nfrom = "Customer Success <cs@example.com>"\n`,
    );
  }
  const token = (email) => execFileSync(playBin, ["token", "add", email], { cwd: dir }).toString().trim();
  const tokens = { lee: token("lee@example.com"), jo: token("jo@example.com") };
  const child = spawn(
    playBin,
    ["run", "--listen", "127.0.0.1:0", "--owner", "lee@example.com", "--clock", "changes"].concat(
      watch ? [] : ["--no-watch"],
    ),
    { cwd: dir, env: { ...process.env, PLAY_LOG: "warn" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once("line", ok);
    child.once("exit", (code) => fail(new Error(`play run exited with ${code}`)));
  });
  const url = line.replace("listening on ", "").trim();
  const send = async (changes) => {
    const answer = await fetch(`${url}/v1/changes`, {
      method: "POST", headers: { Authorization: `Bearer ${tokens.lee}` }, body: changes,
    });
    const report = answer.ok ? await answer.json() : null;
    if (!answer.ok || report.refused.length) throw new Error(`changes refused: ${JSON.stringify(report)}`);
  };
  await send(given ?? readFileSync(join(dir, "changes.jsonl"), "utf8") + "\n" + newCustomers());
  return {
    url,
    tokens,
    /** Every email the SMTP server received (with `smtp`), as text. */
    received: () => smtp?.received() ?? [],
    /** Takes change lines as the CRM sends them. */
    send,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.once("exit", ok)));
      smtp?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A `play run` child on a scratch copy of an example (customer-success unless told), with
// tokens for two teammates (lee, the workspace owner, and jo) and the changes taken.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/**
 * `example` is a folder of examples/; `changes` replaces the example's changes and its new
 * customers; `watch` lets the daemon deploy edits of its scratch project (publishing).
 */
export async function startDaemon({ example = "customer-success", changes: given, watch = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "play-inbox-"));
  cpSync(join(root, "examples", example), dir, { recursive: true });
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
    /** Takes change lines as the CRM sends them. */
    send,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.once("exit", ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The inbox in a real browser: sign in, work the queue by keyboard, edit and approve an
// email (which reaches a real SMTP server), snooze, bulk dismiss a group, and a teammate who cannot see a private playbook's
// action; the record's trend and fields on an action page; a case walked through two
// stages and its playbook published (on the case-management example); the sync log and
// the blacklists. axe-core finds no
// serious or critical violation on any page; every page is screenshotted to screenshots/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { startDaemon } from "./daemon.mjs";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

let daemon;
let browser;

before(async () => {
  daemon = await startDaemon({ smtp: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

/** A fresh browser context signed in as `who` (to `d`, the first daemon unless told). */
async function signIn(who, d = daemon) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${d.url}/`);
  assert.match(page.url(), /\/sign-in\?next=/);
  await page.getByLabel(/Your token/).fill(d.tokens[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${d.url}/`);
  return page;
}

/** No serious or critical accessibility violations, and a screenshot. */
async function check(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`), [], name);
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}

test("signing in shows the queue, and the sign-in page is accessible", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${daemon.url}/sign-in`);
  await check(page, "sign-in");
  await page.getByLabel(/Your token/).fill("not-a-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "not one this daemon knows" }).waitFor();
  const signed = await signIn("jo");
  await signed.getByRole("heading", { name: "Queue" }).waitFor();
  await check(signed, "queue");
});

test("the queue is worked by keyboard: j moves, Enter opens", async () => {
  const page = await signIn("lee");
  await page.keyboard.press("j");
  const first = page.locator("tr.row").first();
  assert.equal(await first.getAttribute("aria-selected"), "true");
  await page.keyboard.press("j");
  assert.equal(await page.locator("tr.row").nth(1).getAttribute("aria-selected"), "true");
  await page.keyboard.press("k");
  const title = (await first.locator("a").textContent()).trim();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/(actions\/|group\?)/);
  await page.getByRole("heading", { level: 1 }).filter({ hasText: title.replace(/^\d+ × /, "") }).waitFor();
  await page.goto(`${daemon.url}/`);
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.keyboard.type("save plan");
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: "Build a save plan for Acme" }).waitFor();
  assert.equal(await page.locator("tr.row").count(), 1);
});

test("an email draft is edited, previewed and approved", async () => {
  const page = await signIn("jo");
  await page.getByRole("link", { name: "Your renewal with Acme" }).click();
  await page.getByRole("heading", { name: "Why this exists" }).waitFor();
  await check(page, "action-email");
  await page.getByLabel("Subject").fill("Our call about the renewal");
  await page.getByLabel("Body").fill("Hi Maria,\n\nCould we talk on Thursday?");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("region", { name: "Preview" }).filter({ hasText: "Could we talk on Thursday?" }).waitFor();
  await page.getByRole("button", { name: "Approve and send" }).click();
  await page.getByRole("status").filter({ hasText: "approved and sent" }).waitFor();
  // The email as edited reaches the SMTP server, sent by the outbox worker.
  let sent;
  for (const started = Date.now(); !sent && Date.now() - started < 30000; ) {
    sent = daemon.received().find((m) => m.includes("Subject: Our call about the renewal"));
    if (!sent) await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.ok(sent, `the approved email never reached the SMTP server (${daemon.received().length} others did)`);
  assert.match(sent, /Could we talk on Thursday\?/);
  // Sent as the teammate who approved it, to the contact.
  assert.match(sent, /^From: jo@example\.com$/m);
  assert.match(sent, /^To: maria@acme\.example$/m);
  await page.goto(`${daemon.url}/?tab=done`);
  await page.getByRole("link", { name: "Our call about the renewal" }).or(page.getByRole("link", { name: "Your renewal with Acme" })).first().waitFor();
});

test("a past snooze date is refused with words; a later one snoozes", async () => {
  const page = await signIn("jo");
  await page.getByRole("link", { name: "Review renewal risk for Acme" }).click();
  await page.getByLabel("Snooze until").fill("2026-03-01");
  await page.getByRole("button", { name: "Snooze" }).click();
  await page.getByRole("alert").filter({ hasText: "not in the future" }).waitFor();
  await page.getByRole("button", { name: "Dismiss" }).click();
  await page.getByRole("alert").filter({ hasText: "cannot be empty" }).waitFor();
  await page.getByLabel("Snooze until").fill("2026-04-01");
  await page.getByRole("button", { name: "Snooze" }).click();
  await page.getByRole("status").filter({ hasText: "snoozed" }).waitFor();
  await page.goto(`${daemon.url}/?tab=snoozed`);
  await page.getByRole("link", { name: "Review renewal risk for Acme" }).waitFor();
});

test("a group opens into its list and three of four are dismissed together", async () => {
  const page = await signIn("lee");
  await page.getByRole("link", { name: /^4 × Schedule the kickoff call/ }).click();
  await check(page, "group");
  await page.getByLabel("Pick Account/new4").uncheck();
  await page.getByLabel(/Reason/).fill("pilot accounts: no kickoff");
  await page.getByRole("button", { name: "Dismiss picked" }).click();
  await page.getByRole("status").filter({ hasText: "3 actions dismissed." }).waitFor();
  await page.getByRole("link", { name: "Schedule the kickoff call with New 4" }).waitFor();
  assert.equal(await page.getByRole("link", { name: /^4 × / }).count(), 0);
});

test("a teammate cannot see a private playbook's action; its owner can", async () => {
  const jo = await signIn("jo");
  assert.equal(await jo.getByText("Build a save plan for Acme").count(), 0);
  const answer = await jo.goto(`${daemon.url}/actions/40cc7136fb30c2e7`);
  assert.equal(answer.status(), 404);
  await jo.goto(`${daemon.url}/playbooks`);
  assert.equal(await jo.getByRole("link", { name: "at_risk_escalation" }).count(), 0);
  const lee = await signIn("lee");
  await lee.goto(`${daemon.url}/actions/40cc7136fb30c2e7`);
  await lee.getByRole("heading", { name: "Build a save plan for Acme" }).waitFor();
  await check(lee, "action-task");
});

test("playbooks, a playbook's picture and the status page are accessible", async () => {
  const page = await signIn("lee");
  await page.getByRole("link", { name: "Playbooks" }).click();
  await check(page, "playbooks");
  await page.getByRole("link", { name: "renewal_risk" }).click();
  await page.locator("figure.picture svg").waitFor();
  await check(page, "playbook");
  await page.getByRole("link", { name: "Status" }).click();
  await page.getByText("Program running").waitFor();
  await check(page, "status");
});

test("the action page draws the trend and edits the record's fields", async () => {
  const page = await signIn("jo");
  await page.goto(`${daemon.url}/actions/5c50141bb2f2b84f`);
  await page.getByRole("img", { name: /^health over time: 72 on 2026-03-02, 41 on 2026-03-02, 35 on 2026-03-04, 68 on 2026-03-16/ }).waitFor();
  await check(page, "action-record");
  await page.getByRole("textbox", { name: /^name \(/ }).fill("");
  await page.getByRole("button", { name: "Save the record" }).click();
  await page.getByRole("alert").filter({ hasText: "`name` cannot be empty" }).waitFor();
  await page.getByRole("textbox", { name: /^risk_reason/ }).fill("x".repeat(20_001));
  await page.getByRole("button", { name: "Save the record" }).click();
  await page.getByRole("alert").filter({ hasText: "too long" }).waitFor();
  assert.equal(await page.getByRole("spinbutton", { name: /^health/ }).inputValue(), "68", "nothing was stored");
  await page.getByRole("spinbutton", { name: /^health/ }).fill("52");
  await page.getByRole("combobox", { name: /^tier/ }).selectOption("MidMarket");
  await page.getByRole("button", { name: "Save the record" }).click();
  await page.getByRole("status").filter({ hasText: "The record was saved." }).waitFor();
  assert.equal(await page.getByRole("combobox", { name: /^tier/ }).inputValue(), "MidMarket");
  await page.getByRole("img", { name: /68 on 2026-03-16, 52 on \d{4}-\d{2}-\d{2}$/ }).waitFor();
});

test("the sync log filters and downloads its CSV", async () => {
  const page = await signIn("jo");
  await page.getByRole("link", { name: "Sync log" }).click();
  await page.getByRole("heading", { name: "Sync log" }).waitFor();
  await check(page, "sync-log");
  await page.getByRole("combobox", { name: "Outcome" }).selectOption("skipped");
  await page.getByRole("textbox", { name: "Record" }).fill("Account/acme");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/\/sync-log\?.*outcome=skipped/);
  assert.match(page.url(), /record=Account%2Facme/);
  const csv = page.getByRole("link", { name: /as CSV/ });
  assert.match(await csv.getAttribute("href"), /^\/sync-log\.csv\?.*outcome=skipped/);
  const text = await page.evaluate(async (href) => (await fetch(href)).text(), await csv.getAttribute("href"));
  assert.match(text, /^at,action,playbook,sink,record,teammate,attempt,outcome,code,message,next_retry\r\n/);
  await page.goto(`${daemon.url}/sync-log?outcome=lost`);
  await page.getByRole("alert").filter({ hasText: "`lost` is not an outcome" }).waitFor();
});

test("the blacklists: the owner edits the company's, others read it and keep their own", async () => {
  const lee = await signIn("lee");
  await lee.getByRole("link", { name: "Blacklists" }).click();
  await lee.getByRole("heading", { name: "The company" }).waitFor();
  await check(lee, "blacklists-owner");
  const company = lee.locator("form[action='/blacklists/company']");
  await company.getByRole("textbox", { name: /^Domains/ }).fill("lawyers.example\nnot a domain!");
  await company.getByRole("button", { name: "Save the company's settings" }).click();
  await lee.getByRole("alert").filter({ hasText: "Domains, entry 2" }).waitFor();
  assert.equal(await company.getByRole("textbox", { name: /^Domains/ }).inputValue(), "lawyers.example\nnot a domain!");
  await check(lee, "blacklists-refused");
  await company.getByRole("textbox", { name: /^Domains/ }).fill("Lawyers.example");
  await company.getByRole("checkbox", { name: /Log attachments/ }).check();
  await company.getByRole("button", { name: "Save the company's settings" }).click();
  await lee.getByRole("status").filter({ hasText: "The company's email sync settings were saved." }).waitFor();
  assert.equal(await company.getByRole("textbox", { name: /^Domains/ }).inputValue(), "lawyers.example");

  const jo = await signIn("jo");
  await jo.goto(`${daemon.url}/blacklists`);
  await jo.getByText(/Read only: only the workspace owner \(lee@example.com\)/).waitFor();
  assert.equal(await jo.getByRole("button", { name: "Save the company's settings" }).count(), 0);
  await jo.getByText("lawyers.example", { exact: true }).waitFor();
  await check(jo, "blacklists-teammate");
  const mine = jo.locator("form[action='/blacklists/me']");
  await mine.getByRole("checkbox", { name: "Log emails I receive" }).uncheck();
  await mine.getByRole("textbox", { name: /^Keywords/ }).fill("Salary");
  await mine.getByRole("button", { name: "Save my settings" }).click();
  await jo.getByRole("status").filter({ hasText: "Your email sync settings were saved." }).waitFor();
  assert.equal(await mine.getByRole("checkbox", { name: "Log emails I receive" }).isChecked(), false);
  assert.equal(await mine.getByRole("textbox", { name: /^Keywords/ }).inputValue(), "salary");
});

describe("a case and publishing (the case-management example)", () => {
  let cases;
  // An access request for lee, who owns the example's private case playbooks; a later
  // change ends the moment, so its activities are stored.
  const line = (minute, fields) =>
    JSON.stringify({ at: `2026-03-02T09:${minute}:00Z`, change: "upsert", record: "User", id: "lee@example.com", fields });
  const changes = [
    line("00", { email: "lee@example.com", name: "Lee Chan", team: "Support" }),
    JSON.stringify({ at: "2026-03-02T09:00:00Z", change: "upsert", record: "Account", id: "acme",
      fields: { name: "Acme", tier: "Enterprise", arr: 250000, stage: "Adoption", health: 72,
        owner: "jo@example.com", weekly_active_users: 40, tags: [] } }),
    JSON.stringify({ at: "2026-03-02T09:00:00Z", change: "upsert", record: "Case", id: "c-1026",
      fields: { number: "00001026", subject: "New starter cannot log in", category: "Access", priority: "Medium",
        status: "New", assigned_to: "lee@example.com", account: "acme" } }),
    line("01", { name: "Lee Chan" }),
  ].join("\n");

  before(async () => {
    cases = await startDaemon({ example: "case-management", changes, watch: true });
  });
  after(async () => {
    await cases?.stop();
  });

  test("a case is walked through two stages", async () => {
    const page = await signIn("lee", cases);
    const at = `${cases.url}/cases/access_request/Case/c-1026`;
    await page.getByRole("link", { name: "Verify the requester's identity" }).click();
    await page.getByRole("link", { name: "Its stages and activities" }).click();
    await page.waitForURL(at);
    await check(page, "case");
    const triage = page.locator("section", { has: page.getByRole("heading", { name: /^Triage/ }) });
    const resolve = page.locator("section", { has: page.getByRole("heading", { name: /^Resolve/ }) });
    await resolve.getByText("not reached yet").waitFor();
    const verify = triage.locator("tr", { hasText: "Verify the requester's identity" });
    await verify.getByLabel("Note (optional)").fill("x".repeat(20_001));
    await verify.getByRole("button", { name: "Complete" }).click();
    await page.getByRole("alert").filter({ hasText: "too long" }).waitFor();
    await triage.getByRole("button", { name: "Add Schedule an on-site visit" }).click();
    await page.getByRole("status").filter({ hasText: "The activity was added." }).waitFor();
    for (const title of ["Verify the requester's identity", "Check the account has a free seat"]) {
      await triage.locator("tr", { hasText: title }).getByRole("button", { name: "Complete" }).click();
      await page.getByRole("status").filter({ hasText: "The activity was completed." }).waitFor();
    }
    await cases.send(line("02", { name: "Lee Chan" }));
    await page.goto(at);
    await triage.getByRole("heading", { name: /done$/ }).waitFor();
    await resolve.getByRole("heading", { name: /open$/ }).waitFor();
    await page.goto(`${at}?state=open`);
    await resolve.getByText("Reset credentials").waitFor();
    await triage.getByText("Schedule an on-site visit").waitFor();
    await check(page, "case-second-stage");
  });

  test("a private playbook is published after a confirmation", async () => {
    const page = await signIn("lee", cases);
    await page.goto(`${cases.url}/playbooks/access_request`);
    await page.getByText("Publishing is permanent.").waitFor();
    await check(page, "publish");
    await page.getByRole("button", { name: "Publish access_request" }).click();
    await page.getByRole("alert").filter({ hasText: "Tick the box" }).waitFor();
    await page.getByLabel(/I understand/).check();
    await page.getByRole("button", { name: "Publish access_request" }).click();
    await page.getByRole("status").filter({ hasText: "Published" }).waitFor();
    // Hot reload deploys the edited source in a moment; then jo sees the playbook too.
    const jo = await signIn("jo", cases);
    let seen = false;
    for (let i = 0; i < 60 && !seen; i++) {
      seen = (await jo.goto(`${cases.url}/playbooks/access_request`)).status() === 200;
      if (!seen) await new Promise((ok) => setTimeout(ok, 250));
    }
    assert.ok(seen, "the published playbook is deployed and seen by every teammate");
    await jo.getByText("Visibility").waitFor();
  });
});

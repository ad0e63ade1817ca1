// Browser tests: Debian's Chromium driven by playwright-core (no browser download), axe-core on
// every page visited. Run by tests/browser.rs, which serves the app with the demo teams and
// passes BASE_URL, SIGN_INS (JSON: role -> {user, password}) and SCREENSHOTS (a folder).
// Exits non-zero with the reason on the first failure.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.BASE_URL;
const signIns = JSON.parse(process.env.SIGN_INS);
const shots = process.env.SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const visited = [];
let failed = false;

function fail(message) {
  console.error(`FAIL ${message}`);
  failed = true;
}

// axe-core on the page as it stands: no serious or critical violation.
async function axe(page, what) {
  const results = await page.evaluate(async (source) => {
    // eslint-disable-next-line no-eval
    (0, eval)(source);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  }, axeSource);
  const bad = results.filter((v) => v.impact === "serious" || v.impact === "critical");
  visited.push(`${what}: ${results.length} axe findings (${results.map((v) => `${v.impact} ${v.id}`).join(", ") || "none"}), ${bad.length} serious or critical`);
  for (const v of bad) fail(`${what}: axe ${v.impact} ${v.id} at ${v.nodes.join(", ")}`);
}

async function open(role) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") fail(`${role}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => fail(`${role}: page error: ${e.message}`));
  await page.goto(`${base}/`);
  await page.fill("#user", signIns[role].user);
  await page.fill("#password", signIns[role].password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith("/sign-in")).catch(() => fail(`${role}: could not sign in`)),
    page.click("button:has-text('Sign in')"),
  ]);
  await page.waitForLoadState("load");
  return { context, page };
}

async function expectText(page, text, what) {
  const body = await page.textContent("body");
  if (!body.includes(text)) fail(`${what}: "${text}" not on the page ${page.url()}`);
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
}

// The case manager: caseload, a child, build and accept a plan, record a review, a proposal.
{
  const { context, page } = await open("case_manager");
  await expectText(page, "My caseload", "case manager's start");
  await axe(page, "caseload");
  await shot(page, "case-manager-caseload");
  // A child on an order (not awaiting sentence).
  const rows = page.locator("tbody tr");
  const n = await rows.count();
  let child = null;
  for (let i = 0; i < n; i++) {
    const text = await rows.nth(i).textContent();
    if (!text.includes("awaiting sentence") && text.includes("order")) { child = rows.nth(i).locator("a").first(); break; }
  }
  if (!child) fail("no child on an order in the caseload");
  await Promise.all([page.waitForLoadState("load"), child.click()]);
  await expectText(page, "Risk of serious harm", "child record");
  await axe(page, "child record");
  await Promise.all([page.waitForURL(/\/plans\//, { timeout: 60000 }), page.click("button:has-text('Build a plan')")]);
  await expectText(page, "The plan is built", "plan built");
  await expectText(page, "Timeline", "plan page");
  await axe(page, "plan builder");
  await shot(page, "case-manager-plan-builder");
  if ((await page.locator("#confirm").count()) > 0) await page.check("#confirm");
  await Promise.all([page.waitForURL(/accepted=1/, { timeout: 60000 }), page.click("button:has-text('Accept the plan')")]);
  await expectText(page, "The plan is accepted", "plan accepted");
  await axe(page, "accepted plan");
  // Record a review that is due: from the overdue list to the child's plan.
  await page.goto(`${base}/reviews`);
  await axe(page, "overdue reviews (case manager)");
  const overdue = page.locator("tbody a").first();
  if ((await overdue.count()) === 0) fail("no overdue review on the case manager's list");
  await Promise.all([page.waitForLoadState("load"), overdue.click()]);
  const recordIt = page.locator("a:has-text('record it')").first();
  await Promise.all([page.waitForLoadState("load"), recordIt.click()]);
  const form = page.locator("form[action*='/reviews/']").first();
  await form.locator("xpath=ancestor::details").locator("summary").click();
  const today = new Date();
  await form.locator("input[name='reviewed_on-day']").fill(String(today.getUTCDate()));
  await form.locator("input[name='reviewed_on-month']").fill(String(today.getUTCMonth() + 1));
  await form.locator("input[name='reviewed_on-year']").fill(String(today.getUTCFullYear()));
  if ((await form.locator("input[name=sessions_offered]").count()) > 0) {
    await form.locator("input[name=sessions_offered]").fill("6");
    await form.locator("input[name=sessions_attended]").fill("5");
  }
  await form.locator("textarea[name=summary]").fill("Seen with the child and carer: attending well; the plan goes ahead.");
  await axe(page, "review form");
  await Promise.all([page.waitForURL(/reviewed=1/), form.locator("button").click()]);
  await expectText(page, "The review is recorded", "review recorded");
  // A child awaiting sentence: the service's proposal, printable.
  await page.goto(`${base}/caseload`);
  let awaiting = null;
  for (let i = 0; i < n; i++) {
    const text = await rows.nth(i).textContent();
    if (text.includes("awaiting sentence")) { awaiting = rows.nth(i).locator("a").first(); break; }
  }
  if (awaiting) {
    await Promise.all([page.waitForLoadState("load"), awaiting.click()]);
    await Promise.all([page.waitForURL(/\/proposals\//, { timeout: 90000 }), page.click("button:has-text('Build the service')")]);
    await expectText(page, "Sentence proposal", "proposal");
    await axe(page, "proposal");
    await page.emulateMedia({ media: "print" });
    await shot(page, "case-manager-proposal-print");
    await page.emulateMedia({ media: "screen" });
  } else {
    fail("no child awaiting sentence on the caseload");
  }
  // The catalogue.
  await page.goto(`${base}/catalogue?need=gang_involvement`);
  await axe(page, "catalogue");
  const first = page.locator("tbody a").first();
  if ((await first.count()) > 0) {
    await Promise.all([page.waitForLoadState("load"), first.click()]);
    await expectText(page, "How to refer", "intervention page");
    await axe(page, "intervention");
  }
  await context.close();
}

// The coordinator: provision and places, one provision.
{
  const { context, page } = await open("coordinator");
  await expectText(page, "Provision and places", "coordinator's start");
  await axe(page, "provision");
  await shot(page, "coordinator-provision");
  await Promise.all([page.waitForLoadState("load"), page.locator("tbody a").first().click()]);
  await expectText(page, "Waiting list", "one provision");
  await axe(page, "provision detail");
  await context.close();
}

// The manager: the gap picture (gang exit unmet), its charts, a what-if, overdue reviews.
{
  const { context, page } = await open("manager");
  await expectText(page, "Needs with no local provision", "manager's start");
  const body = (await page.textContent("body")).toLowerCase();
  if (!body.includes("gang")) fail("gang exit is not shown as unmet demand");
  const loaded = await page
    .waitForFunction(() => {
      const imgs = [...document.querySelectorAll("img.app-chart")];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }, null, { timeout: 30000 })
    .then(() => true, () => false);
  if (!loaded) fail("the gap picture's charts did not load");
  await axe(page, "provision gaps");
  await shot(page, "manager-provision-gaps");
  await page.goto(`${base}/what-if`);
  await axe(page, "what-if form");
  await page.selectOption("#change", "add_places");
  const gang = await page.locator("#intervention option").evaluateAll((os) => os.map((o) => o.value).find((v) => v.includes("gang")));
  await page.selectOption("#intervention", gang || { index: 1 });
  await page.fill("#places", "12");
  await Promise.all([page.waitForLoadState("load", { timeout: 90000 }), page.click("button:has-text('Try the change')")]);
  await expectText(page, "Result", "what-if result");
  await axe(page, "what-if result");
  await shot(page, "manager-what-if");
  await page.goto(`${base}/reviews`);
  await axe(page, "overdue reviews");
  await context.close();
}

// The administrator sees every section.
{
  const { context, page } = await open("admin");
  await expectText(page, "Caseload", "admin's start");
  await axe(page, "admin caseload");
  await shot(page, "admin-caseload");
  await context.close();
}

await browser.close();
for (const line of visited) console.log(line);
if (failed) process.exit(1);
console.log(`browser tests passed: ${visited.length} pages checked with axe`);

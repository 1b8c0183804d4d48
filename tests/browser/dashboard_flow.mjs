// Drives the staff dashboard in a real headless Chromium (playwright-core) and
// prints one JSON object on stdout; tests/browser/test_dashboard.py asserts on it.
//
// Settings in the environment: PAGE_URL (…/dashboard), WEB_ROOT, CHROMIUM,
// SCREENSHOT, PROFILE_DIR, STAFF_TOKEN, CUSTOMER_ID (for the lookup).
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.WEB_ROOT, "package.json"));
const { chromium } = require("playwright-core");

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const result = { ok: false, console_errors: [], external_requests: [] };
// Off during the steps that are meant to fail (wrong token, unknown customer,
// signed out): the browser logs their 401/404 answers as console errors.
let recording = true;

async function main() {
  const browser = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ARGS,
    viewport: { width: 1200, height: 900 },
  });
  try {
    const page = browser.pages()[0] || (await browser.newPage());
    const origin = new URL(process.env.PAGE_URL).origin;
    page.on("console", (m) => recording && m.type() === "error" && result.console_errors.push(m.text()));
    page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) result.external_requests.push(r.url()); });

    await page.goto(process.env.PAGE_URL);
    await page.waitForSelector("#login:not([hidden])");
    // A wrong token is refused with a message and shows no numbers.
    recording = false;
    await page.fill("#token", "not-the-staff-token");
    await page.click("#login-form button");
    await page.waitForFunction(() => document.getElementById("login-error").textContent.length > 0);
    result.wrong_token_message = await page.textContent("#login-error");
    result.numbers_before_login = await page.$$eval("[data-metric]", (n) => n.length);

    recording = true;
    await page.fill("#token", process.env.STAFF_TOKEN);
    await page.click("#login-form button");
    await page.waitForFunction(() => document.body.dataset.reportLoaded);
    result.days = await page.inputValue("#days");
    result.metrics = await page.$$eval("[data-metric]", (nodes) =>
      nodes.map((n) => ({ metric: n.dataset.metric, value: JSON.parse(n.dataset.value), text: n.textContent })));
    result.charts = await page.$$eval("canvas", (nodes) =>
      nodes.map((c) => ({ id: c.id, drawn: c.width > 0 && c.height > 0 && !!window.Chart.getChart(c) })));
    result.period = await page.textContent("#period");

    await page.fill("#customer-id", process.env.CUSTOMER_ID);
    await page.click("#lookup-form button");
    await page.waitForFunction(() => document.querySelectorAll("#decisions > li").length > 0 || document.getElementById("lookup-error").textContent);
    result.lookup = await page.$$eval("#decisions > li", (items) => items.map((li) => li.innerText));
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });

    recording = false;
    await page.fill("#customer-id", "NO-SUCH-CUSTOMER");
    await page.click("#lookup-form button");
    await page.waitForFunction(() => document.getElementById("lookup-error").textContent.includes("no customer"));
    result.unknown_customer_message = await page.textContent("#lookup-error");

    await page.click("#logout");
    await page.waitForSelector("#login:not([hidden])");
    result.after_logout_status = await page.evaluate(async () => (await fetch("/dashboard/api/report")).status);
    result.ok = true;
  } catch (error) {
    result.error = String(error && error.stack || error);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
}

main();

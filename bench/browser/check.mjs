// Headless Chromium (Debian's package) driven by playwright-core: sign in to the admin, edit a
// salary band, load Swagger UI and Redoc; screenshots and a JSON report in OUT_DIR.
// Every console error (a Content-Security-Policy violation shows up as one) is reported.
import { chromium } from "playwright-core";
import { writeFileSync, mkdirSync } from "node:fs";

const BASE = process.env.BASE_URL;
const OUT = process.env.OUT_DIR;
mkdirSync(OUT, { recursive: true });
const report = { steps: [], console_errors: [], page_errors: [] };
const step = (name, ok, detail = "") => report.steps.push({ name, ok, detail });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless=new"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("console", (m) => m.type() === "error" && report.console_errors.push(`${page.url()}: ${m.text()}`));
page.on("pageerror", (e) => report.page_errors.push(`${page.url()}: ${e.message}`));

try {
  await page.goto(`${BASE}/admin/login/`);
  await page.fill("#id_username", process.env.ADMIN_EMAIL);
  await page.fill("#id_password", process.env.ADMIN_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("input[type=submit]")]);
  step("admin sign-in", page.url().endsWith("/admin/"), page.url());
  await page.screenshot({ path: `${OUT}/admin-index.png`, fullPage: true });

  await page.goto(`${BASE}/admin/roles/salaryband/`);
  await page.click("#result_list tbody tr:first-child th a");
  await page.waitForSelector("#id_note");
  const note = `browser check ${new Date().toISOString()}`;
  await page.fill("#id_note", note);
  await page.screenshot({ path: `${OUT}/salary-band-edit.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click("input[name=_save]")]);
  const message = (await page.textContent(".messagelist")) || "";
  step("salary band saved", /was changed successfully/.test(message), message.trim());
  await page.screenshot({ path: `${OUT}/salary-band-saved.png`, fullPage: true });

  await page.goto(`${BASE}/api/v1/docs/`);
  await page.waitForSelector(".swagger-ui .opblock", { timeout: 20000 });
  const operations = await page.locator(".swagger-ui .opblock").count();
  step("Swagger UI renders the operations", operations > 20, `${operations} operations`);
  await page.screenshot({ path: `${OUT}/docs-swagger.png` });

  await page.goto(`${BASE}/api/v1/redoc/`);
  await page.waitForSelector("[role=menuitem], .menu-content", { timeout: 20000 });
  step("Redoc renders", true);
  await page.screenshot({ path: `${OUT}/docs-redoc.png` });
} catch (error) {
  step("unexpected failure", false, String(error));
  await page.screenshot({ path: `${OUT}/failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
  writeFileSync(`${OUT}/report.json`, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.steps.every((s) => s.ok) ? 0 : 1);
}

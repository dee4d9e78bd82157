// Loads /docs of a running custaccess in headless Chromium and checks that the reference
// renders every operation of the three vendor APIs and that a "try it" call of a read
// operation succeeds. No request may leave the service's origin. On failure it saves a
// screenshot to $ARTIFACTS_DIR (default: .ci/artifacts).
//
//   node docs-browser-test.mjs BASE_URL TOKEN
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error("usage: node docs-browser-test.mjs BASE_URL TOKEN");
  process.exit(2);
}
const artifacts = process.env.ARTIFACTS_DIR ?? new URL("../artifacts", import.meta.url).pathname;
const spec = await (await fetch(`${baseUrl}/openapi.json`)).json();
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.keys(item).filter((m) => ["get", "put", "post", "delete", "patch"].includes(m)).map((m) => ({ path, method: m, op: item[m] })),
);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const foreign = [];
page.on("request", (request) => {
  if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) foreign.push(request.url());
});
try {
  await page.goto(`${baseUrl}/docs`);
  await page.waitForSelector(".opblock", { timeout: 30_000 });

  const tags = new Set(operations.flatMap((o) => o.op.tags ?? []));
  for (const tag of tags) {
    await page.waitForSelector(`.opblock-tag-section h3 >> text="${tag}"`, { timeout: 10_000 });
  }
  const rendered = await page.locator(".opblock").count();
  if (rendered !== operations.length) {
    throw new Error(`${rendered} operations rendered, the spec has ${operations.length}`);
  }

  // Try a read operation with the token: GET the Reltio customer's roles.
  await page.fill("#token", token);
  const block = page.locator(".opblock.opblock-get", {
    has: page.locator('[data-path="/oauth/customers/{customerId}/roles"]'),
  });
  await block.locator(".opblock-summary").click();
  // tryItOutEnabled opens operations in "try it out" mode; open it when it is not.
  const tryOut = block.locator("button.try-out__btn");
  if ((await tryOut.innerText()).trim() === "Try it out") await tryOut.click();
  await block.locator('input[placeholder="customerId"], tr[data-param-name="customerId"] input').first().fill("TestCustomer");
  await block.locator("button.execute").click();
  const status = block.locator(".responses-wrapper .live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 15_000 });
  const code = (await status.innerText()).trim();
  if (code !== "200") {
    throw new Error(`"try it" of listCustomerRoles answered ${code}`);
  }
  if (foreign.length) {
    throw new Error(`requests left the service: ${foreign.join(", ")}`);
  }
  console.log(`docs: ${rendered} operations rendered over ${tags.size} tags; "try it" of listCustomerRoles answered 200`);
} catch (err) {
  mkdirSync(artifacts, { recursive: true });
  const shot = join(artifacts, "docs-failure.png");
  await page.screenshot({ path: shot, fullPage: true });
  console.error(`docs browser test failed: ${err.message}\nscreenshot: ${shot}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

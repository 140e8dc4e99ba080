import { expect, test } from "@playwright/test";
import { addDemoClouds, migrateDemoS3ToAzure, migrationReportRows, shot, signUpWithOrganization } from "./journeys";

// After a migration over the demo clouds: the analytics page shows what moved (cards and chart) and what the clouds
// hold; the operator prices the organization's plan, and the month's invoice bills the migration at that price.
const OPERATOR = { email: process.env.OPERATOR_EMAIL ?? "operator@crossdock.local", password: process.env.OPERATOR_PASSWORD ?? "operator-e2e-password-1" };

/** Binary units, as the page shows sizes (same rule as apps/web/src/components/format.ts). */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) (value /= 1024), unit++;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

test("analytics and the invoice after a migration over the demo clouds", async ({ page, browser }) => {
  test.setTimeout(240_000);
  page.on("dialog", (dialog) => dialog.accept());
  const run = Date.now().toString(36);
  const organization = `Lakeside Imaging ${run}`;
  await signUpWithOrganization(page, { name: "Ana Analyst", email: `ana-${run}@example.org`, password: "count-every-byte-7" }, organization);
  await addDemoClouds(page);
  const name = "Scans to Azure";
  const planned = await migrateDemoS3ToAzure(page, { name, sourcePrefix: "clinical/", destPrefix: `analytics/${run}/` });
  const copiedBytes = (await migrationReportRows(page)).reduce((n, row) => n + Number(row.split(",")[1]), 0);
  expect(copiedBytes).toBeGreaterThan(0);

  // The page's numbers are the ledger's: S3's card moved the bytes out, Azure's took them in.
  await page.getByRole("navigation").getByRole("link", { name: "Analytics" }).click();
  await expect(page.getByRole("heading", { name: "Analytics", exact: true })).toBeVisible();
  await expect(page.getByTestId("cloud-card-s3").getByTestId("moved-out")).toHaveText(formatBytes(copiedBytes));
  await expect(page.getByTestId("cloud-card-azure").getByTestId("moved-in")).toHaveText(formatBytes(copiedBytes));
  await expect(page.getByTestId("cloud-card-gcs").getByTestId("moved-in")).toHaveText("0 B");
  await expect(page.getByTestId("migration-usage")).toContainText(name);
  await expect(page.getByTestId("migration-usage")).toContainText(planned.toLocaleString("en-US"));
  // Today's bar in the stacked chart (recharts draws one rectangle per non-empty bar).
  await expect(page.getByTestId("moved-chart").locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").first()).toBeVisible();

  // Refresh now: the worker scans every account; the cards fill with what the clouds hold.
  await page.getByRole("button", { name: "Refresh inventory now" }).click();
  await expect(page.getByRole("status")).toContainText("Inventory scan queued for 4 storage account(s)");
  await expect(page.getByTestId("cloud-card-azure")).toContainText("Scanned", { timeout: 90_000 });
  await expect(page.getByTestId("cloud-card-s3")).toContainText("Scanned", { timeout: 90_000 });
  await expect(page.getByTestId("top-buckets")).toContainText("rcos-study");
  await expect(page.getByTestId("top-prefixes")).toContainText("clinical/");
  await page.waitForTimeout(500);
  await shot(page, "30-analytics");

  // Every table exports from the server.
  const csv = await page.request.get("/api/analytics/export?table=migrations");
  expect(csv.status()).toBe(200);
  const [header, row] = (await csv.text()).trim().split(/\r?\n/);
  expect(header).toBe("migrationId,name,sourceProvider,destProvider,objects,bytes,egressUsd");
  expect(row).toContain(`,${name},s3,azure,${planned},${copiedBytes},`);

  // An API token for the organization's own tools: shown once, works over HTTP, refused once revoked.
  await page.getByRole("navigation").getByRole("link", { name: "Billing" }).click();
  await expect(page.getByTestId("invoices")).toContainText(new Date().toISOString().slice(0, 7));
  await page.getByLabel("Token name").fill("finance dashboard");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByLabel("New API token").inputValue();
  expect(token).toMatch(/^cdx_/);
  const usage = await page.request.get("/api/v1/usage", { headers: { authorization: `Bearer ${token}` } });
  expect(usage.status()).toBe(200);
  const body = await usage.json();
  expect(body.organization.name).toBe(organization);
  expect(body.totals.movedBytes).toBe(copiedBytes);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("api-tokens")).toContainText("finance dashboard");
  await shot(page, "34-billing-api-token");
  await page.getByTestId("api-tokens").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("api-tokens")).toContainText("revoked");
  expect((await page.request.get("/api/v1/usage", { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  // The platform operator sets this organization's plan: nothing included, $100 per GB.
  const operatorContext = await browser.newContext();
  const op = await operatorContext.newPage();
  await op.goto("/sign-in");
  await op.getByLabel("Email").fill(OPERATOR.email);
  await op.getByLabel("Password").fill(OPERATOR.password);
  await op.getByRole("button", { name: "Sign in" }).click();
  await op.getByRole("navigation").getByRole("link", { name: "Operator" }).click();
  const orgRow = op.getByTestId("operator-org").filter({ hasText: organization });
  await orgRow.getByLabel(`Included GB for ${organization}`).fill("0");
  await orgRow.getByLabel(`Price per GB for ${organization}`).fill("100");
  await orgRow.getByRole("button", { name: "Save plan" }).click();
  await expect(op.getByRole("status")).toContainText("Plan saved");
  await expect(orgRow).toContainText("custom plan: 0 GB, then $100.00/GB");
  await shot(op, "33-operator");
  await operatorContext.close();

  // The month's invoice lists the migration at the plan price: bytes x $100 / 10^9, rounded half up to the cent.
  const expectedCents = Math.floor((copiedBytes * 100 * 100) / 1e9 + 0.5);
  const dollars = (c: number) => `$${Math.floor(c / 100).toLocaleString("en-US")}.${String(c % 100).padStart(2, "0")}`;
  // (Loaded afresh: the page was open while the operator changed the plan.)
  await page.goto("/billing");
  await expect(page.getByTestId("plan")).toContainText("$100.00");
  await shot(page, "31-billing");
  const month = new Date().toISOString().slice(0, 7);
  await page.getByRole("link", { name: month }).click();
  const line = page.getByTestId("line-usage");
  await expect(line).toHaveCount(1);
  await expect(line).toContainText(name);
  await expect(line).toContainText(dollars(expectedCents));
  await expect(page.getByTestId("invoice-total")).toHaveText(dollars(expectedCents));
  await shot(page, "32-invoice");
  const invoiceCsv = await page.request.get(`/api/invoices/${month}`);
  expect(invoiceCsv.status()).toBe(200);
  const lines = (await invoiceCsv.text()).trim().split(/\r?\n/);
  expect(lines[0]).toBe("position,kind,migration_id,description,bytes,gigabytes,amount_cents,amount_usd");
  expect(lines[1]).toMatch(new RegExp(`^1,USAGE,\\w+,"${name}: [^"]*",${copiedBytes},[0-9.]+,${expectedCents},`));
  expect(lines.at(-1)).toContain(`,${expectedCents},`);
});

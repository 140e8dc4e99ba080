import { expect, test } from "@playwright/test";

// Click Migrate: demo clouds, dry run, migrate, watch it reach completed through cutover, open the report.
test("migrate a prefix from the demo S3 to the demo Azure Blob, cut over, and read the report", async ({ page }) => {
  test.setTimeout(180_000);
  page.on("dialog", (dialog) => dialog.accept());
  const run = Date.now().toString(36);
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Mina Migrator");
  await page.getByLabel("Work email").fill(`mina-${run}@example.org`);
  await page.getByLabel("Password").fill("migrate-all-the-things-3");
  await page.getByLabel("Organization").fill("Harbor Pharma");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Harbor Pharma" })).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await page.getByRole("button", { name: "Add the demo clouds to this organization" }).click();
  await expect(page.getByTestId("storage-account")).toHaveCount(4);

  // Negotiated egress prices feed the dry run's cost estimate.
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("S3-compatible egress price").fill("0.05");
  await page.getByRole("button", { name: "Save prices" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await page.screenshot({ path: "test-results/screens/19-settings-prices.png", fullPage: true });

  await page.getByRole("navigation").getByRole("link", { name: "Migrations" }).click();
  await page.getByRole("link", { name: "New migration" }).click();
  await page.getByLabel("Source account").selectOption({ label: "Demo S3 (s3rver)" });
  await page.getByLabel("Source bucket").selectOption("rcos-study");
  await page.getByLabel("Source prefix").fill("clinical/");
  await page.getByLabel("Destination account").selectOption({ label: "Demo Azure Blob (azurite)" });
  await page.getByLabel("Destination bucket").selectOption("rcos-study");
  await page.getByLabel("Destination prefix").fill(`copies/${run}/clinical/`);
  await page.getByRole("button", { name: "Dry run" }).click();
  const dry = page.getByTestId("dry-run");
  await expect(dry).toContainText("Objects to copy");
  const planned = Number((await dry.locator("tr").first().locator("td").innerText()).replaceAll(",", ""));
  expect(planned).toBeGreaterThan(100);
  await expect(dry).toContainText("at $0.05/GB");
  await page.screenshot({ path: "test-results/screens/20-migration-dry-run.png", fullPage: true });

  await page.getByLabel("Migration name").fill("Clinical tables to Azure");
  await page.getByRole("button", { name: "Migrate" }).click();
  await expect(page.getByRole("heading", { name: "Clinical tables to Azure" })).toBeVisible();
  await expect(page.getByTestId("migration-state")).toHaveText("ready for cutover", { timeout: 120_000 });
  await expect(page.getByTestId("copied-total")).toContainText(`${planned.toLocaleString("en-US")} objects`);
  await page.screenshot({ path: "test-results/screens/21-migration-ready.png", fullPage: true });
  await page.getByRole("button", { name: "Cut over" }).click();
  await expect(page.getByTestId("migration-state")).toHaveText("completed", { timeout: 60_000 });
  await page.screenshot({ path: "test-results/screens/22-migration-completed.png", fullPage: true });

  const report = await page.request.get(page.url().replace(/\/migrations\/([^/?]+).*/, "/api/migrations/$1/report?format=csv"));
  expect(report.status()).toBe(200);
  const lines = (await report.text()).trim().split(/\r?\n/);
  expect(lines[0]).toBe("key,size,md5,crc32c,result,error,pass");
  const rows = lines.slice(1);
  expect(rows).toHaveLength(planned);
  expect(rows.every((r) => r.includes(",COPIED,") || r.includes(",UNCHANGED,"))).toBe(true);
  expect(rows.filter((r) => r.includes(",COPIED,"))).toHaveLength(planned);

  // The copy is really there: browse the destination.
  await page.goto("/storage");
  await page.getByRole("link", { name: "Demo Azure Blob (azurite)" }).click();
  await page.getByRole("link", { name: "rcos-study" }).click();
  await page.getByRole("link", { name: "copies/" }).click();
  await page.getByRole("link", { name: `${run}/` }).click();
  await page.getByRole("link", { name: "clinical/" }).click();
  await expect(page.getByRole("link", { name: "patients.csv" })).toBeVisible();
});

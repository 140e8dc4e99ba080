import { expect, test } from "@playwright/test";
import { addDemoClouds, migrateDemoS3ToAzure, migrationReportRows, shot, signUpWithOrganization } from "./journeys";

// Click Migrate: demo clouds, dry run, migrate, watch it reach completed through cutover, open the report.
test("migrate a prefix from the demo S3 to the demo Azure Blob, cut over, and read the report", async ({ page }) => {
  test.setTimeout(180_000);
  page.on("dialog", (dialog) => dialog.accept());
  const run = Date.now().toString(36);
  await signUpWithOrganization(page, { name: "Mina Migrator", email: `mina-${run}@example.org`, password: "migrate-all-the-things-3" }, "Harbor Pharma");
  await addDemoClouds(page);

  // Negotiated egress prices feed the dry run's cost estimate.
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("S3-compatible egress price").fill("0.05");
  await page.getByRole("button", { name: "Save prices" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await shot(page, "19-settings-prices");

  const planned = await migrateDemoS3ToAzure(page, { name: "Clinical tables to Azure", sourcePrefix: "clinical/", destPrefix: `copies/${run}/clinical/` }, async () => {
    await expect(page.getByTestId("dry-run")).toContainText("at $0.05/GB");
    await shot(page, "20-migration-dry-run");
  });
  await shot(page, "21-migration-ready");
  await page.getByRole("button", { name: "Cut over" }).click();
  await expect(page.getByTestId("migration-state")).toHaveText("completed", { timeout: 60_000 });
  await shot(page, "22-migration-completed");

  const rows = await migrationReportRows(page);
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

import { expect, test } from "@playwright/test";

// A de-identified subset of the demo study: flagged identifier columns, rules, preview, Safe Harbor,
// k-anonymity, a new version, materialized into another cloud's bucket, and its signed manifest.
test("create a subset of the demo study, rule its identifiers, preview, materialize and open the manifest", async ({ page }) => {
  test.setTimeout(180_000);
  const run = Date.now().toString(36);
  const shot = (name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Dana Deid");
  await page.getByLabel("Work email").fill(`dana-${run}@example.org`);
  await page.getByLabel("Password").fill("share-safely-please-5");
  await page.getByLabel("Organization").fill("Riverside Research");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Riverside Research" })).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await page.getByRole("button", { name: "Add the demo clouds to this organization" }).click();
  await expect(page.getByTestId("storage-account")).toHaveCount(4);

  await page.getByRole("navigation").getByRole("link", { name: "Subsets" }).click();
  await expect(page.getByRole("heading", { name: "Subsets" })).toBeVisible();
  await page.getByRole("link", { name: "New subset" }).click();
  await page.getByLabel("Name").fill("Cardiac cohort for Harbor Pharma");
  await page.getByLabel("Source account").selectOption({ label: "Demo S3 (s3rver)" });
  await page.getByLabel("Source bucket").selectOption("rcos-study");
  await page.getByLabel("Source prefix").fill("clinical/");
  await shot("30-subset-new");
  await page.getByRole("button", { name: "Create subset" }).click();
  await expect(page.getByRole("heading", { name: "Cardiac cohort for Harbor Pharma" })).toBeVisible();

  // Narrow the files to the patients table: the live count follows.
  await page.getByLabel("Include globs").fill("patients.csv");
  await expect(page.getByTestId("match-count")).toContainText("1 matching objects", { timeout: 20_000 });

  // The detector flags identifier columns that no rule removes.
  const ssn = page.locator('[data-testid=rule-row][data-field="ssn"]');
  await expect(ssn.getByTestId("flagged")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("flagged-notice")).toBeVisible();
  await expect(page.getByTestId("safe-harbor")).toContainText("not covered");
  await shot("31-subset-flagged");

  // A rule by hand, then the detector's suggestions for the rest.
  await page.getByLabel("Rule for ssn").selectOption("drop");
  await expect(ssn.getByTestId("flagged")).toHaveCount(0, { timeout: 20_000 });
  await page.getByRole("button", { name: "Apply all suggestions" }).click();
  await expect(page.getByTestId("flagged-notice")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("safe-harbor")).not.toContainText("not covered");

  // Before and after, side by side.
  const preview = page.getByTestId("preview");
  await expect(preview.locator("h3", { hasText: "Before" })).toBeVisible();
  const before = preview.locator("table").first();
  const after = preview.locator("table").nth(1);
  await expect(before.locator("th", { hasText: "ssn" })).toBeVisible();
  await expect(after.locator("th", { hasText: /^ssn$/ })).toHaveCount(0);
  const firstId = await before.locator("tbody tr").first().locator("td").first().innerText();
  const hashedId = await after.locator("tbody tr").first().locator("td").first().innerText();
  expect(hashedId).not.toBe(firstId);
  expect(hashedId).toMatch(/^[0-9a-f]{16}$/);
  await preview.scrollIntoViewIfNeeded();
  await shot("32-subset-preview");

  // k-anonymity over marked quasi-identifiers.
  await page.getByLabel("Quasi-identifier sex").check();
  await expect(page.getByTestId("k-anonymity")).toContainText("k =", { timeout: 20_000 });
  await page.getByLabel("Quasi-identifier zip").check();
  await expect(page.getByTestId("k-anonymity")).toContainText("zip", { timeout: 20_000 });
  await shot("33-subset-safe-harbor-privacy");

  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByText("Version 2 of 2")).toBeVisible();

  // Materialize into another cloud's bucket, watch it finish.
  await page.getByLabel("Destination account").selectOption({ label: "Demo Azure Blob (azurite)" });
  await page.getByLabel("Destination bucket").selectOption("rcos-study");
  await page.getByLabel("Destination prefix").fill(`shares/${run}/`);
  await page.getByRole("button", { name: "Materialize version 2" }).click();
  const row = page.getByTestId("run-row").first();
  await expect(row).toBeVisible();
  await expect(row.locator(".badge")).toHaveText("succeeded", { timeout: 90_000 });
  await expect(row).toContainText("1 of 1 objects");
  await row.scrollIntoViewIfNeeded();
  await shot("34-subset-materialized");

  await row.getByRole("link", { name: "Manifest" }).click();
  await expect(page.getByRole("heading", { name: "Manifest" })).toBeVisible();
  await expect(page.getByTestId("manifest-verified")).toContainText("Signature valid");
  await expect(page.getByTestId("manifest-objects")).toContainText(`shares/${run}/clinical/patients.csv`);
  await expect(page.getByTestId("manifest-objects")).toContainText("transformed");
  await shot("35-subset-manifest");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download manifest JSON" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^manifest-.*\.json$/);
});

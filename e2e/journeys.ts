// Steps several journeys share (sign up, demo clouds, a migration over them), so each spec reads as its story.
import { expect, type Page } from "@playwright/test";

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export async function signUpWithOrganization(page: Page, who: { name: string; email: string; password: string }, organization: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill(who.name);
  await page.getByLabel("Work email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByLabel("Organization").fill(organization);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: organization })).toBeVisible();
}

export async function addDemoClouds(page: Page) {
  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await page.getByRole("button", { name: "Add the demo clouds to this organization" }).click();
  await expect(page.getByTestId("storage-account")).toHaveCount(4);
}

export interface DemoMigration {
  name: string;
  sourcePrefix: string;
  destPrefix: string;
}

/**
 * New migration from the demo S3 to the demo Azure Blob (rcos-study), dry run first, then Migrate; waits until it is
 * ready for cutover. Returns the objects the dry run planned. `beforeMigrate` runs with the dry run on screen.
 */
export async function migrateDemoS3ToAzure(page: Page, m: DemoMigration, beforeMigrate?: (planned: number) => Promise<void>) {
  await page.getByRole("navigation").getByRole("link", { name: "Migrations" }).click();
  await page.getByRole("link", { name: "New migration" }).click();
  await page.getByLabel("Source account").selectOption({ label: "Demo S3 (s3rver)" });
  await page.getByLabel("Source bucket").selectOption("rcos-study");
  await page.getByLabel("Source prefix").fill(m.sourcePrefix);
  await page.getByLabel("Destination account").selectOption({ label: "Demo Azure Blob (azurite)" });
  await page.getByLabel("Destination bucket").selectOption("rcos-study");
  await page.getByLabel("Destination prefix").fill(m.destPrefix);
  await page.getByRole("button", { name: "Dry run" }).click();
  const dry = page.getByTestId("dry-run");
  await expect(dry).toContainText("Objects to copy");
  const planned = Number((await dry.locator("tr").first().locator("td").innerText()).replaceAll(",", ""));
  expect(planned).toBeGreaterThan(100);
  await beforeMigrate?.(planned);
  await page.getByLabel("Migration name").fill(m.name);
  await page.getByRole("button", { name: "Migrate" }).click();
  await expect(page.getByRole("heading", { name: m.name })).toBeVisible();
  await expect(page.getByTestId("migration-state")).toHaveText("ready for cutover", { timeout: 120_000 });
  await expect(page.getByTestId("copied-total")).toContainText(`${planned.toLocaleString("en-US")} objects`);
  return planned;
}

/** The migration's report (CSV) as rows, from the migration's page. */
export async function migrationReportRows(page: Page) {
  const report = await page.request.get(page.url().replace(/\/migrations\/([^/?]+).*/, "/api/migrations/$1/report?format=csv"));
  expect(report.status()).toBe(200);
  const lines = (await report.text()).trim().split(/\r?\n/);
  expect(lines[0]).toBe("key,size,md5,crc32c,result,error,pass");
  return lines.slice(1);
}

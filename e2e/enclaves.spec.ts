import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";

// Two organizations in two browser contexts meet in an enclave: the hospital hosts and contributes a
// de-identified subset of the demo study, the pharma company joins as analyst and downloads it, both see the
// audit log verify; then the enclave expires (the test moves the clock both the app and the worker read),
// pharma's next download is refused and the enclave's prefix is empty.
const clockFile = process.env.CROSSDOCK_TEST_CLOCK_FILE!;
const setClock = (offsetMs: number) => writeFileSync(clockFile, JSON.stringify({ offsetMs }));
const DAY = 86_400_000;
const stamp = Date.now().toString(36);

/** Objects under rcos-study/enclaves/ on the demo S3, by a flat listing. */
function countUnderEnclaves() {
  const out = execFileSync(process.execPath, ["--import", "tsx", path.join("e2e", "support", "count-objects.ts"), "demo-s3", "rcos-study", "enclaves/"], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8" });
  // The count is the last line (the AWS SDK may print a notice before it).
  const count = Number(out.trim().split("\n").at(-1));
  if (Number.isNaN(count)) throw new Error(`count-objects printed: ${out}`);
  return count;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

async function signUp(browser: Browser, name: string, organization: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Work email").fill(`${name.split(" ")[0]!.toLowerCase()}-${stamp}@${organization.split(" ")[0]!.toLowerCase().replace(/[^a-z]+/g, "")}.example`);
  await page.getByLabel("Password").fill("enclave-journey-42!");
  await page.getByLabel("Organization").fill(organization);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: organization })).toBeVisible();
  return page;
}

test.afterAll(() => setClock(0));

test("hospital and pharma share a de-identified subset in an enclave that expires and is torn down", async ({ browser }) => {
  test.setTimeout(180_000);
  setClock(0);
  const hospitalName = `St. Olaf Hospital ${stamp}`;
  const hospital = await signUp(browser, "Hana Host", hospitalName);
  const pharma = await signUp(browser, "Paul Pharma", `Acme Pharma ${stamp}`);

  // The hospital connects the demo clouds and has a subset of the demo study (made by the subsets domain).
  await hospital.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await hospital.getByRole("button", { name: "Add the demo clouds to this organization" }).click();
  await expect(hospital.getByRole("link", { name: "Demo S3 (s3rver)" })).toBeVisible();
  execFileSync(process.execPath, ["--import", "tsx", path.join("e2e", "support", "seed-subset.ts"), hospitalName], { env: process.env, stdio: "pipe" });

  // Create the enclave, placed on the demo S3 under enclaves/.
  await hospital.getByRole("navigation").getByRole("link", { name: "Enclaves" }).click();
  await hospital.getByRole("link", { name: "New enclave" }).click();
  await hospital.getByLabel("Name").fill("Cardiac outcomes study");
  await hospital.getByLabel("Purpose").fill("Joint analysis of cardiac outcomes with Acme Pharma");
  await hospital.getByLabel("Placement account").selectOption({ label: "Demo S3 (s3rver) (S3-compatible)" });
  await hospital.getByLabel("Placement bucket").selectOption("rcos-study");
  await shot(hospital, "60-enclave-new");
  await hospital.getByRole("button", { name: "Create enclave" }).click();
  await expect(hospital.getByRole("heading", { name: "Cardiac outcomes study" })).toBeVisible();
  await expect(hospital.getByTestId("enclave-role")).toHaveText("host");

  // Invite pharma as analyst; pharma's admin opens the link and joins.
  await hospital.getByLabel("Invitation role").selectOption("ANALYST");
  await hospital.getByLabel(/^For/).fill("Acme Pharma data team");
  await hospital.getByRole("button", { name: "Create invitation link" }).click();
  const link = await hospital.getByLabel("Invitation link").inputValue();
  await pharma.goto(link);
  await expect(pharma.getByRole("heading", { name: "Join the enclave “Cardiac outcomes study”" })).toBeVisible();
  await shot(pharma, "61-enclave-invitation");
  await pharma.getByRole("button", { name: "Join enclave" }).click();
  await expect(pharma.getByTestId("enclave-role")).toHaveText("analyst");
  // The link admits one organization once.
  await pharma.goto(link);
  await expect(pharma.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();

  // The hospital contributes its subset; a worker materializes it.
  await hospital.reload();
  await expect(hospital.getByTestId("enclave-member")).toContainText(`Acme Pharma ${stamp}`);
  await hospital.getByLabel("Subset to contribute").selectOption({ label: "Cardiac cohort (de-identified) (v1)" });
  await hospital.getByRole("button", { name: "Contribute" }).click();
  const row = hospital.getByTestId("contribution-row");
  await expect(row).toContainText("ready", { timeout: 60_000 });
  await expect(row).toContainText("signed by Crossdock ✓");
  await shot(hospital, "62-enclave-host");

  // Pharma lists and downloads: the file is de-identified.
  await pharma.goto(hospital.url());
  await pharma.getByRole("button", { name: "List objects" }).click();
  await expect(pharma.getByTestId("enclave-object").filter({ hasText: "clinical/patients.csv" })).toBeVisible();
  const [download] = await Promise.all([pharma.waitForEvent("download"), pharma.getByRole("button", { name: "Download clinical/patients.csv" }).click()]);
  expect(download.suggestedFilename()).toBe("patients.csv");
  const content = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  const header = content.split("\n")[0]!;
  expect(header).toBe("patient_id,mrn,birth_date,age,sex,state,zip,primary_diagnosis");
  expect(content).not.toMatch(/\d{3}-\d{2}-\d{4}/); // no SSN
  expect(content).not.toMatch(/@/); // no email
  expect(content.split("\n").length).toBeGreaterThan(10);
  await expect(pharma.getByTestId("download-note")).toContainText("signed by the provider");

  // Both see the log: the hospital's contribution and pharma's download; the chain verifies.
  await pharma.reload();
  const log = pharma.getByTestId("audit-entry");
  await expect(log.filter({ hasText: "contribution.materialized" })).toBeVisible();
  await expect(log.filter({ hasText: "object.download_link_issued" }).filter({ hasText: `Acme Pharma ${stamp}` })).toBeVisible();
  await expect(log.filter({ hasText: "contribution.added" }).filter({ hasText: hospitalName })).toBeVisible();
  await pharma.getByRole("button", { name: "Verify" }).click();
  await expect(pharma.getByTestId("chain-verdict")).toContainText("Chain verified");
  await pharma.getByRole("button", { name: "List objects" }).click();
  await expect(pharma.getByTestId("enclave-object").first()).toBeVisible();
  await shot(pharma, "63-enclave-analyst");
  await hospital.reload();
  await expect(hospital.getByTestId("audit-entry").filter({ hasText: "object.download_link_issued" })).toBeVisible();

  // Before the end, the enclave's data is in the hospital's bucket.
  expect(countUnderEnclaves()).toBeGreaterThan(0);

  // The enclave expires: pharma's next download is refused by the app's own check.
  setClock(31 * DAY);
  await pharma.getByRole("button", { name: "Download clinical/patients.csv" }).click();
  await expect(pharma.getByTestId("download-error")).toContainText("ended at");
  await expect(pharma.getByTestId("download-error")).toContainText("downloading its data is no longer possible");
  await shot(pharma, "64-enclave-expired-refused");

  // The worker's sweep tears it down: data deleted, verified, recorded, members notified.
  await expect(async () => {
    await hospital.reload();
    await expect(hospital.getByTestId("enclave-state")).toHaveText("torn down", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expect(hospital.getByTestId("teardown-report")).toContainText("objects deleted");
  await expect(hospital.getByTestId("audit-entry").filter({ hasText: "enclave.torn_down" })).toBeVisible();
  await hospital.getByRole("button", { name: "Verify" }).click();
  await expect(hospital.getByTestId("chain-verdict")).toContainText("Chain verified");
  await shot(hospital, "65-enclave-torn-down");

  // The enclave's bucket prefix is empty.
  expect(countUnderEnclaves()).toBe(0);
  // ...and the refused attempt is on the record too.
  await pharma.reload();
  await expect(pharma.getByTestId("audit-entry").filter({ hasText: "object.download_refused" })).toBeVisible();
  await shot(pharma, "66-enclave-member-after-end");
  // Members are notified in the app.
  await pharma.getByRole("navigation").getByRole("link", { name: "Overview" }).click();
  await expect(pharma.getByText('Enclave "Cardiac outcomes study" has ended')).toBeVisible();
  await shot(pharma, "67-enclave-notification");
});

import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";

// Storage accounts from the UI, against the emulated clouds `npm test` runs (the demo clouds).
interface DemoCloud { name: string; bucket: string; config: Record<string, string> }
const clouds: DemoCloud[] = JSON.parse(readFileSync(process.env.DEMO_CLOUDS_FILE!, "utf8")).clouds;
const cloud = (name: string) => clouds.find((c) => c.name === name)!;
const AZURE_KEY = cloud("demo-azure").config.accountKey!;
const S3_SECRET = "e2e-s3-secret-9f8e7d6c5b";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

test("add S3-compatible and Azure accounts, test them, browse and download; secrets never reach the browser", async ({ page }) => {
  const bodies: string[] = [];
  page.on("response", async (response) => {
    const body = await response.text().catch(() => "");
    bodies.push(`${response.url()}\n${body}`);
  });

  const user = { email: `sam-${Date.now().toString(36)}@lab.example`, password: "storage-lab-51!" };
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Sam Storage");
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByLabel("Organization").fill("Northwind Genomics");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Northwind Genomics" })).toBeVisible();

  // S3-compatible (s3rver)
  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await page.getByRole("link", { name: "Add account" }).click();
  await page.getByLabel("Account name", { exact: true }).fill("Lab S3");
  await page.getByLabel(/^Endpoint/).fill(cloud("demo-s3").config.endpoint!);
  await page.getByLabel("Access key id").fill(cloud("demo-s3").config.accessKeyId!);
  await page.getByLabel("Secret access key").fill(S3_SECRET);
  await page.getByLabel(/Path-style URLs/).check();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status")).toContainText("Connection works");
  await expect(page.getByRole("status")).toContainText("rcos-study");
  await shot(page, "10-storage-new-s3");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("heading", { name: "Lab S3" })).toBeVisible();

  // Browse to an object and download it.
  await page.getByRole("link", { name: "rcos-study" }).click();
  await page.getByRole("link", { name: "clinical/" }).click();
  await expect(page.getByTestId("breadcrumbs")).toHaveText("rcos-study / clinical");
  await shot(page, "11-storage-browse");
  await page.getByRole("link", { name: "patients.csv" }).click();
  await expect(page.getByText("text/csv")).toBeVisible();
  await shot(page, "12-storage-object");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download" }).click()]);
  expect(download.suggestedFilename()).toBe("patients.csv");
  const content = readFileSync(await download.path(), "utf8");
  expect(content.split("\n")[0]).toBe("patient_id,mrn,first_name,last_name,birth_date,age,sex,address,city,state,zip,phone,email,ssn,primary_diagnosis");

  // An unknown bucket is named as such.
  const accountUrl = page.url().replace(/\/object\?.*$/, "");
  await page.goto(`${accountUrl}/browse?bucket=no-such-bucket`);
  await expect(page.locator("div.error[role=alert]")).toContainText("Bucket not found");

  // Azure (azurite): a wrong key is "invalid credentials"; the right one works.
  await page.goto("/storage/new");
  await page.getByRole("tab", { name: "Azure Blob" }).click();
  await page.getByLabel("Account name", { exact: true }).fill("Archive Azure");
  await page.getByLabel("Storage account name").fill("devstoreaccount1");
  await page.getByLabel("Account key").fill(Buffer.from("definitely not the right key").toString("base64"));
  await page.getByLabel(/^Blob endpoint/).fill(cloud("demo-azure").config.endpoint!);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-error")).toContainText("Invalid credentials");
  await shot(page, "13-storage-azure-wrong-key");
  await page.getByLabel("Account key").fill(AZURE_KEY);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status")).toContainText("Connection works");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("heading", { name: "Archive Azure" })).toBeVisible();
  await page.getByRole("link", { name: "rcos-study" }).click();
  await expect(page.getByRole("link", { name: "genomics/" })).toBeVisible();

  // The fleet-wide request limit, on the account's edit page: empty is the provider's default.
  await page.goBack();
  await page.getByRole("link", { name: "Edit" }).click();
  const rate = page.getByLabel("Requests per second");
  await expect(rate).toHaveAttribute("placeholder", "default: 20,000 requests/s");
  await rate.fill("2.5");
  await page.getByRole("button", { name: "Save limit" }).click();
  await expect(page.locator("div.error[role=alert]")).toContainText("Enter a whole number");
  await rate.fill("250");
  await page.getByRole("button", { name: "Save limit" }).click();
  await expect(page.getByRole("status")).toContainText("Saved: 250 requests/s.");
  await shot(page, "16-storage-request-rate");
  await page.reload();
  await expect(page.getByLabel("Requests per second")).toHaveValue("250");

  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await expect(page.getByTestId("storage-account")).toHaveCount(2);
  await shot(page, "14-storage-list");

  const leaks = bodies.filter((b) => b.includes(AZURE_KEY) || b.includes(S3_SECRET));
  expect(leaks.map((b) => b.split("\n")[0])).toEqual([]);
  expect(await page.content()).not.toContain(AZURE_KEY);
});

test("the demo clouds can be added to a new organization and browsed within a minute", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Dana Demo");
  await page.getByLabel("Work email").fill(`dana-${Date.now().toString(36)}@example.org`);
  await page.getByLabel("Password").fill("demo-clouds-77!");
  await page.getByLabel("Organization").fill("Demo Explorers");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Demo Explorers" })).toBeVisible();
  await page.getByRole("navigation").getByRole("link", { name: "Storage" }).click();
  await page.getByRole("button", { name: "Add the demo clouds to this organization" }).click();
  await expect(page.getByTestId("storage-account")).toHaveCount(4);
  await page.getByRole("link", { name: "Demo Google Cloud Storage (emulator)" }).click();
  await page.getByRole("link", { name: "rcos-study" }).click();
  await page.getByRole("link", { name: "imaging/" }).click();
  await expect(page.getByTestId("folder").first()).toContainText("P0000");
  await shot(page, "15-demo-gcs-browse");
});

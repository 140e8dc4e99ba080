import { expect, test, type Page } from "@playwright/test";

// The foundation journey: sign up, a second organization, an invitation link, and a viewer refused admin work.
const run = Date.now().toString(36);
const alice = { name: "Alice Owner", email: `alice-${run}@riverside.example`, password: "river-side-42!" };
const bob = { name: "Bob Viewer", email: `bob-${run}@northwind.example`, password: "north-wind-77!" };

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

test("sign up, second organization, invite a viewer who is refused admin actions", async ({ page, browser }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-up/);
  await shot(page, "01-sign-up");
  await signUpThroughForm(page, alice, "Riverside Medical Center");
  // The welcome note is written by the worker from a job the web app enqueued at sign-up.
  await expect(page.getByTestId("notification").first()).toContainText("Welcome to Riverside Medical Center", { timeout: 20_000 });
  await shot(page, "02-dashboard");

  await page.getByLabel("Active organization").selectOption("__new");
  await page.getByLabel("Name").fill("Riverside Genomics Lab");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByRole("heading", { name: "Riverside Genomics Lab" })).toBeVisible();
  await expect(page.getByTestId("active-role")).toHaveText("owner of Riverside Genomics Lab");

  await page.getByRole("link", { name: "Members", exact: true }).click();
  await page.getByLabel("Email").fill(bob.email);
  await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("VIEWER");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = await page.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
  await shot(page, "03-members-invite");

  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  await bobPage.goto(link);
  await expect(bobPage).toHaveURL(/\/sign-up\?invite=/);
  await expect(bobPage.getByText("You are joining Riverside Genomics Lab as viewer.")).toBeVisible();
  await expect(bobPage.getByLabel("Work email")).toHaveValue(bob.email);
  await bobPage.getByLabel("Your name").fill(bob.name);
  await bobPage.getByLabel("Password").fill(bob.password);
  await bobPage.getByRole("button", { name: "Create account and join" }).click();
  await expect(bobPage.getByRole("heading", { name: "Riverside Genomics Lab" })).toBeVisible();
  await expect(bobPage.getByTestId("active-role")).toHaveText("viewer of Riverside Genomics Lab");

  // Refused in the UI...
  await bobPage.getByRole("link", { name: "Members", exact: true }).click();
  await expect(bobPage.getByTestId("invite-refused")).toContainText("Only owners and admins can invite people; you are viewer here.");
  await expect(bobPage.getByRole("button", { name: "Create invitation link" })).toBeDisabled();
  await expect(bobPage.getByLabel(`Role of ${alice.email}`)).toHaveCount(0);
  await expect(bobPage.getByRole("link", { name: "Audit log", exact: true })).toHaveCount(0);
  await shot(bobPage, "04-viewer-members");
  // ...and by the API, even when the request is forged.
  const forged = await bobPage.request.post("/api/trpc/invitation.create", { data: { json: { email: "mallory@example.org", role: "OWNER" } } });
  expect(forged.status()).toBe(403);
  expect(JSON.stringify(await forged.json())).toContain("needs the admin role");

  // The link works once.
  const reuse = await (await browser.newContext()).newPage();
  await reuse.goto(link);
  await expect(reuse.getByText("This invitation has already been used.")).toBeVisible();

  // The owner sees Bob with his role, and the audit trail of all of it.
  await page.reload();
  await expect(page.getByLabel(`Role of ${bob.email}`)).toHaveValue("VIEWER");
  await page.getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "invitation.accepted" })).toContainText(bob.email);
  await expect(page.getByTestId("audit-row").filter({ hasText: "invitation.created" })).toContainText(alice.email);
  await shot(page, "05-audit");
  await bobContext.close();
});

async function signUpThroughForm(page: Page, user: { name: string; email: string; password: string }, organization: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByLabel("Organization").fill(organization);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: organization })).toBeVisible();
}

test("wrong password and unknown email get the same answer; a worker job runs from the UI", async ({ page }) => {
  // Each test has its own users: Playwright reloads this file in a fresh worker after a failure.
  const carl = { name: "Carl Admin", email: `carl-${Date.now().toString(36)}@northwind.example`, password: "north-wind-88!" };
  await signUpThroughForm(page, carl, "Northwind Pharma");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill(carl.email);
  await page.getByLabel("Password").fill("not-the-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("div.error[role=alert]")).toHaveText("Invalid email or password.");
  await page.getByLabel("Email").fill(`nobody-${run}@example.org`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("div.error[role=alert]")).toHaveText("Invalid email or password.");

  await page.getByLabel("Email").fill(carl.email);
  await page.getByLabel("Password").fill(carl.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("active-role")).toHaveText("owner of Northwind Pharma");
  await page.getByRole("link", { name: "Jobs", exact: true }).click();
  await page.getByRole("button", { name: "Run maintenance" }).click();
  const row = page.getByTestId("job-row").filter({ hasText: "maintenance.sweep" }).first();
  await expect(row).toContainText("succeeded", { timeout: 30_000 });
  await expect(row).toContainText('"members":');
  await shot(page, "06-jobs");
});

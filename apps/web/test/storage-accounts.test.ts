import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { openObjectStore } from "@crossdock/providers";
import { startAzurite, startFauxqs, type RunningEmulator } from "@crossdock/providers/emulators";
import { inviteAndJoin, signUp } from "./harness";

// Storage accounts against real emulators: connection checks with mapped errors, secrets sealed at rest
// and never in a response, browsing in pages.
const AZURE_SECRET = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
let azurite: RunningEmulator;
let fauxqs: RunningEmulator;
let owner: Awaited<ReturnType<typeof signUp>>;
const responses: unknown[] = [];
const seen = <T>(value: T) => (responses.push(value), value);

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? { code: e.code, message: e.message } : Promise.reject(e)),
  );

beforeAll(async () => {
  [azurite, fauxqs] = await Promise.all([startAzurite(), startFauxqs()]);
  owner = await signUp("stella", "Stella Storage");
  const s3 = openObjectStore(fauxqs.config);
  await s3.createBucket("study");
  await Promise.all(Array.from({ length: 130 }, (_, i) => s3.writeObject("study", `cohort/p${String(i).padStart(3, "0")}.csv`, `row ${i}\n`)));
  await s3.writeObject("study", "cohort/nested/deep.txt", "deep", { contentType: "text/plain", userMetadata: { study: "rcos" } });
  await s3.close();
}, 120_000);

afterAll(async () => {
  await Promise.all([azurite?.stop(), fauxqs?.stop()]);
  await db().$disconnect();
});

const azureForm = (accountKey: string) => ({ provider: "azure" as const, accountName: "devstoreaccount1", accountKey, endpoint: azurite.url });
const s3Form = (secretAccessKey: string) => ({ provider: "s3" as const, endpoint: fauxqs.url, region: "us-east-1", accessKeyId: "test", secretAccessKey, forcePathStyle: true });

describe("storage accounts", () => {
  it("tests a connection before saving, and explains a wrong secret as invalid credentials", async () => {
    expect(seen(await owner.as().storage.testForm({ form: azureForm(AZURE_SECRET) }))).toMatchObject({ ok: true });
    const wrong = seen(await owner.as().storage.testForm({ form: azureForm(Buffer.from("not the key").toString("base64")) }));
    expect(wrong).toMatchObject({ ok: false, kind: "InvalidCredentials" });
    expect(wrong.message).toMatch(/^Invalid credentials: /);
  });

  it("explains an unreachable endpoint", async () => {
    const result = seen(await owner.as().storage.testForm({ form: { ...s3Form("x"), endpoint: "http://127.0.0.1:9" } }));
    expect(result.ok).toBe(false);
    expect(result.message).toContain("127.0.0.1:9");
  });

  it("seals secrets at rest, bound to the row, and never returns them", async () => {
    const account = seen(await owner.as().storage.create({ name: "Azure archive", form: azureForm(AZURE_SECRET) }));
    const row = await db().storageAccount.findUniqueOrThrow({ where: { id: account.id } });
    expect(row.secretCiphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(AZURE_SECRET);
    expect(row.secretKeyId).toHaveLength(12);
    seen(await owner.as().storage.list());
    seen(await owner.as().storage.get({ id: account.id }));
    expect(seen(await owner.as().storage.test({ id: account.id }))).toMatchObject({ ok: true });
    // Editing with the secret left empty keeps it.
    seen(await owner.as().storage.update({ id: account.id, name: "Azure archive (renamed)", form: azureForm("") }));
    expect(seen(await owner.as().storage.test({ id: account.id }))).toMatchObject({ ok: true });
    expect(JSON.stringify(responses)).not.toContain(AZURE_SECRET);
    expect(JSON.stringify(responses)).not.toContain(row.secretCiphertext!.split(".")[4]!.slice(0, 16));
  });

  it("browses an S3-compatible bucket in pages with folders, and reads an object's details", async () => {
    const account = seen(await owner.as().storage.create({ name: "Lab S3", form: s3Form("test") }));
    expect(seen(await owner.as().storage.buckets({ id: account.id })).map((b) => b.name)).toContain("study");
    const root = seen(await owner.as().storage.objects({ id: account.id, bucket: "study", prefix: "" }));
    expect(root).toEqual({ folders: ["cohort/"], objects: [], nextStartAfter: null });
    const first = seen(await owner.as().storage.objects({ id: account.id, bucket: "study", prefix: "cohort/" }));
    expect(first.folders).toEqual(["cohort/nested/"]);
    expect(first.objects).toHaveLength(99);
    expect(first.nextStartAfter).toBe("cohort/p098.csv");
    const second = seen(await owner.as().storage.objects({ id: account.id, bucket: "study", prefix: "cohort/", startAfter: first.nextStartAfter! }));
    expect(second.objects.map((o) => o.key)).toEqual(Array.from({ length: 31 }, (_, i) => `cohort/p${String(i + 99).padStart(3, "0")}.csv`));
    expect(second.nextStartAfter).toBeNull();
    const detail = seen(await owner.as().storage.object({ id: account.id, bucket: "study", key: "cohort/nested/deep.txt" }));
    expect(detail).toMatchObject({ size: 4, contentType: "text/plain", userMetadata: { study: "rcos" } });
  });

  it("estimates a dry run with the organization's own egress prices", async () => {
    const source = await owner.as().storage.create({ name: "Dry S3", form: s3Form("test") });
    const dest = await owner.as().storage.create({ name: "Dry disk", form: { provider: "local" } });
    const plan = { source: { accountId: source.id, bucket: "study", prefix: "cohort/" }, destination: { accountId: dest.id, bucket: "copy", prefix: "" }, options: {} };
    const before = await owner.as().migration.dryRun(plan);
    expect(before).toMatchObject({ objects: 131, pricePerGB: 0.09 });
    await owner.as().organization.setPricing({ s3: 0.02, azure: 0.087, gcs: 0.12, local: 0 });
    expect(await owner.as().migration.dryRun(plan)).toMatchObject({ objects: 131, bytes: before.bytes, pricePerGB: 0.02 });
    expect(await refusal(owner.as().migration.dryRun({ ...plan, options: { include: ["[unclosed"] } }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("says bucket not found and object not found", async () => {
    const account = await owner.as().storage.create({ name: "Lab S3 again", form: s3Form("test") });
    expect(await refusal(owner.as().storage.objects({ id: account.id, bucket: "no-such-bucket", prefix: "" }))).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/^Bucket not found: /) });
    expect(await refusal(owner.as().storage.object({ id: account.id, bucket: "study", key: "missing.csv" }))).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/^Object not found: /) });
  });

  it("refuses to delete an account a migration uses, and deletes it once unused", async () => {
    const source = await owner.as().storage.create({ name: "Source disk", form: { provider: "local" } });
    const dest = await owner.as().storage.create({ name: "Dest disk", form: { provider: "local" } });
    const migration = await db().migration.create({
      data: { organizationId: owner.organizationId, name: "Archive move", sourceAccountId: source.id, sourceBucket: "a", destAccountId: dest.id, destBucket: "b", options: {} },
    });
    expect(await refusal(owner.as().storage.delete({ id: dest.id }))).toEqual({ code: "CONFLICT", message: 'This account is used by the migration "Archive move": delete the migration first.' });
    await db().migration.delete({ where: { id: migration.id } });
    await owner.as().storage.delete({ id: dest.id });
    expect(await db().storageAccount.count({ where: { id: dest.id } })).toBe(0);
  });

  it("refuses a duplicate name, a missing secret, and members managing accounts", async () => {
    await owner.as().storage.create({ name: "Unique", form: { provider: "local" } });
    expect(await refusal(owner.as().storage.create({ name: "Unique", form: { provider: "local" } }))).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(owner.as().storage.create({ name: "No secret", form: s3Form("") }))).toEqual({ code: "BAD_REQUEST", message: "Enter the secretAccessKey." });
    const member = await inviteAndJoin(owner, "mia", "MEMBER");
    expect(await refusal(member.as().storage.create({ name: "Mine", form: { provider: "local" } }))).toMatchObject({ code: "FORBIDDEN" });
    expect((await member.as().storage.list()).length).toBeGreaterThan(0);
  });

  it("sets an account's fleet-wide request rate (admins only, audited), back to the provider default with null", async () => {
    const account = await owner.as().storage.create({ name: "Rate limited", form: s3Form("test") });
    expect(account).toMatchObject({ requestsPerSecond: null, defaultRequestsPerSecond: 3500 });
    expect(await owner.as().storage.setRequestRate({ id: account.id, requestsPerSecond: 250 })).toMatchObject({ requestsPerSecond: 250 });
    expect((await db().storageAccount.findUniqueOrThrow({ where: { id: account.id } })).requestsPerSecond).toBe(250);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { targetId: account.id, action: "storage_account.request_rate_changed" } });
    expect(audit.details).toMatchObject({ from: null, to: 250 });
    expect(await refusal(owner.as().storage.setRequestRate({ id: account.id, requestsPerSecond: -1 }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal(owner.as().storage.setRequestRate({ id: account.id, requestsPerSecond: 2.5 }))).toMatchObject({ code: "BAD_REQUEST" });
    const member = await inviteAndJoin(owner, "rita", "MEMBER");
    expect(await refusal(member.as().storage.setRequestRate({ id: account.id, requestsPerSecond: 1 }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await owner.as().storage.setRequestRate({ id: account.id, requestsPerSecond: null })).toMatchObject({ requestsPerSecond: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { openObjectStore } from "@crossdock/providers";
import { appRouter } from "~/server/routers/_app";
import { localRoot } from "@crossdock/storage";
import { createApiToken, setPlan } from "@crossdock/billing";
import { callerFor, inviteAndJoin, signUp } from "./harness";

// Organization A's owner calls every procedure with organization B's ids (and B's cookie) and must get nothing of B.
let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;
let bMember: Awaited<ReturnType<typeof inviteAndJoin>>;
let bInvitationId: string;
let bRunId: string;
let bMembershipId: string;
let bSnapshot: () => Promise<unknown>;
let bAccountId: string;
let bMigrationId: string;
let bEnclaveId: string;
let bEnclaveInvitationId: string;
let bEnclaveMemberId: string;
let bSubsetId: string;
let aEnclaveId: string;
let bMaterializationId: string;
let bTokenId: string;

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "OK",
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );

beforeAll(async () => {
  a = await signUp("alice", "Org A");
  b = await signUp("bob", "Org B");
  bMember = await inviteAndJoin(b, "carol", "MEMBER");
  bInvitationId = (await b.as().invitation.create({ email: "dave@b.example", role: "ADMIN" })).id;
  bRunId = (await b.as().job.runMaintenance({ steps: 1, stepMs: 0 })).id;
  bMembershipId = (await db().membership.findFirstOrThrow({ where: { organizationId: b.organizationId, userId: bMember.userId } })).id;
  bAccountId = (await b.as().storage.create({ name: "B disk", form: { provider: "local" } })).id;
  await b.as().organization.setPricing({ s3: 0.01, azure: 0.01, gcs: 0.01, local: 0 });
  const bStore = openObjectStore({ provider: "local", rootDir: localRoot(b.organizationId, bAccountId) });
  await bStore.createBucket("b-private");
  await bStore.writeObject("b-private", "patients.csv", "id,name\n1,Bob\n");
  bMigrationId = (
    await db().migration.create({
      data: { organizationId: b.organizationId, name: "B move", sourceAccountId: bAccountId, sourceBucket: "b-private", destAccountId: bAccountId, destBucket: "b-copy", options: {}, state: "COPYING" },
    })
  ).id;
  // B hosts an enclave (with a member organization C and an open invitation); its subset is made below.
  const soon = new Date(Date.now() + 24 * 3600_000);
  bEnclaveId = (await b.as().enclave.create({ name: "B study", purpose: "b only", startsAt: new Date(), endsAt: soon, accountId: bAccountId, bucket: "b-private", prefix: "" })).id;
  const c = await signUp("cora", "Org C");
  const cInvite = await b.as().enclave.invite({ id: bEnclaveId, role: "ANALYST" });
  await c.as().enclave.acceptInvitation({ token: cInvite.path.split("/").pop()! });
  bEnclaveMemberId = (await db().enclaveMember.findFirstOrThrow({ where: { enclaveId: bEnclaveId } })).id;
  bEnclaveInvitationId = (await b.as().enclave.invite({ id: bEnclaveId, role: "OBSERVER" })).id;
  await b.as().enclave.setPolicy({ allowedProviders: ["local"], allowedRegions: [], maxDurationHours: 100 });
  const aAccountId = (await a.as().storage.create({ name: "A disk", form: { provider: "local" } })).id;
  await openObjectStore({ provider: "local", rootDir: localRoot(a.organizationId, aAccountId) }).createBucket("a-enclaves");
  aEnclaveId = (await a.as().enclave.create({ name: "A study", purpose: "a", startsAt: new Date(), endsAt: soon, accountId: aAccountId, bucket: "a-enclaves", prefix: "" })).id;
  const bDefinition = { sourceAccountId: bAccountId, sourceBucket: "b-private", rules: { tabular: { columns: { id: { action: "hash" as const } } } } };
  bSubsetId = (await b.as().subset.create({ name: "B subset", definition: bDefinition })).id;
  const bVersion = await db().subsetVersion.findFirstOrThrow({ where: { subsetId: bSubsetId } });
  bMaterializationId = (
    await db().subsetMaterialization.create({
      data: { organizationId: b.organizationId, subsetId: bSubsetId, versionId: bVersion.id, destAccountId: bAccountId, destBucket: "b-private", destPrefix: "out/", state: "SUCCEEDED", manifestKey: "out/crossdock-manifest.json" },
    })
  ).id;
  // B's usage, inventory, plan and API token: what analytics and billing procedures must never show A.
  await db().usageRecord.create({ data: { organizationId: b.organizationId, migrationId: bMigrationId, kind: "copy", objectKey: "patients.csv", objectVersion: "v1", bytes: 123_456_789n, sourceProvider: "local", destProvider: "s3" } });
  await db().inventorySnapshot.create({ data: { organizationId: b.organizationId, storageAccountId: bAccountId, bucket: "b-private", provider: "local", status: "COMPLETE", objects: 1n, bytes: 14n, completedAt: new Date(), largestPrefixes: [{ prefix: "secret/", objects: 1, bytes: 14 }] } });
  const operator = await db().user.create({ data: { email: `op-${Date.now()}@test.example`, name: "Operator", passwordHash: "x", isOperator: true } });
  await setPlan(db(), b.organizationId, { includedGB: 7, priceMicrosPerGB: 77_000 }, { userId: operator.id });
  bTokenId = (await createApiToken(db(), b.organizationId, "B's tool", { userId: b.userId })).id;
  // Everything of B that a call from A could change.
  bSnapshot = async () => ({
    org: await db().organization.findUnique({ where: { id: b.organizationId } }),
    members: await db().membership.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    invitations: await db().invitation.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    runs: await db().jobRun.count({ where: { organizationId: b.organizationId } }),
    audit: await db().auditEvent.count({ where: { organizationId: b.organizationId } }),
    accounts: await db().storageAccount.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    migrations: await db().migration.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    enclaves: await db().enclave.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    enclaveMembers: await db().enclaveMember.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    enclaveInvitations: await db().enclaveInvitation.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    enclaveContributions: await db().enclaveContribution.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    enclaveAudit: await db().enclaveAuditEntry.count({ where: { organizationId: b.organizationId } }),
    subsets: await db().subset.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    subsetVersions: await db().subsetVersion.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    subsetRuns: await db().subsetMaterialization.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    plan: await db().billingPlan.findUnique({ where: { organizationId: b.organizationId } }),
    tokens: await db().apiToken.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
    credits: await db().billingCredit.findMany({ where: { organizationId: b.organizationId } }),
    invoices: await db().invoice.findMany({ where: { organizationId: b.organizationId } }),
    snapshots: await db().inventorySnapshot.findMany({ where: { organizationId: b.organizationId }, orderBy: { id: "asc" } }),
  });
});

afterAll(async () => {
  await db().$disconnect();
});

/** One entry per procedure: what A does with B's ids, and what it must get. The test below fails if one is missing. */
const attempts: Record<string, () => Promise<void>> = {
  "auth.signUp": async () => {
    // Public: creates its own user and organization; B is untouched (checked by the snapshot).
    await callerFor(null).auth.signUp({ name: "eve", email: `eve-${Date.now()}@test.example`, password: "correct-horse-9", organizationName: b.organizationId });
  },
  "auth.me": async () => {
    const me = await a.as(b.organizationId).auth.me();
    expect(me.organizations.map((o) => o.id)).toEqual([a.organizationId]);
    expect(me.active?.id).toBe(a.organizationId);
  },
  "organization.create": async () => {
    await a.as(b.organizationId).organization.create({ name: "A's second" });
  },
  "organization.switch": async () => {
    expect(await codeOf(a.as().organization.switch({ organizationId: b.organizationId }))).toBe("NOT_FOUND");
  },
  "organization.rename": async () => {
    await a.as(b.organizationId).organization.rename({ name: "Renamed A" });
    expect((await db().organization.findUniqueOrThrow({ where: { id: a.organizationId } })).name).toBe("Renamed A");
  },
  "organization.pricing": async () => {
    expect((await a.as(b.organizationId).organization.pricing()).prices.s3).not.toBe(0.01);
  },
  "organization.setPricing": async () => {
    await a.as(b.organizationId).organization.setPricing({ s3: 0.05, azure: 0.05, gcs: 0.05, local: 0 });
    expect((await db().organization.findUniqueOrThrow({ where: { id: a.organizationId } })).egressPrices).toEqual({ s3: 0.05, azure: 0.05, gcs: 0.05, local: 0 });
  },
  "member.list": async () => {
    const members = await a.as(b.organizationId).member.list();
    expect(members.map((m) => m.user.email)).toEqual([a.email]);
  },
  "member.changeRole": async () => {
    expect(await codeOf(a.as(b.organizationId).member.changeRole({ membershipId: bMembershipId, role: "VIEWER" }))).toBe("NOT_FOUND");
  },
  "member.remove": async () => {
    expect(await codeOf(a.as(b.organizationId).member.remove({ membershipId: bMembershipId }))).toBe("NOT_FOUND");
  },
  "member.leave": async () => {
    // With B's cookie, A's owner is still acting in A, where they are the last owner.
    expect(await codeOf(a.as(b.organizationId).member.leave())).toBe("FORBIDDEN");
  },
  "invitation.list": async () => {
    const ids = (await a.as(b.organizationId).invitation.list()).map((i) => i.id);
    expect(ids).not.toContain(bInvitationId);
  },
  "invitation.create": async () => {
    await a.as(b.organizationId).invitation.create({ email: "someone@test.example", role: "MEMBER" });
    expect(await db().invitation.count({ where: { organizationId: b.organizationId, email: "someone@test.example" } })).toBe(0);
  },
  "invitation.revoke": async () => {
    expect(await codeOf(a.as(b.organizationId).invitation.revoke({ invitationId: bInvitationId }))).toBe("NOT_FOUND");
  },
  "invitation.describe": async () => {
    // Only a token (never an id) opens an invitation; an id is no token.
    expect(await a.as().invitation.describe({ token: bInvitationId })).toEqual({ status: "invalid" });
  },
  "invitation.accept": async () => {
    expect(await codeOf(a.as().invitation.accept({ token: bInvitationId }))).toBe("NOT_FOUND");
  },
  "audit.list": async () => {
    const { events } = await a.as(b.organizationId).audit.list({ limit: 200 });
    const bEventIds = new Set((await db().auditEvent.findMany({ where: { organizationId: b.organizationId }, select: { id: true } })).map((e) => e.id));
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => bEventIds.has(e.id))).toEqual([]);
    const bCursor = [...bEventIds][0]!;
    const paged = await a.as().audit.list({ limit: 5, cursor: bCursor }).catch(() => ({ events: [] }));
    expect(paged.events.filter((e) => bEventIds.has(e.id))).toEqual([]);
  },
  "job.list": async () => {
    expect((await a.as(b.organizationId).job.list()).map((r) => r.id)).not.toContain(bRunId);
  },
  "job.get": async () => {
    expect(await a.as(b.organizationId).job.get({ id: bRunId })).toBeNull();
  },
  "job.runMaintenance": async () => {
    const { id } = await a.as(b.organizationId).job.runMaintenance({ steps: 1, stepMs: 0 });
    expect((await db().jobRun.findUniqueOrThrow({ where: { id } })).organizationId).toBe(a.organizationId);
  },
  "storage.list": async () => {
    expect((await a.as(b.organizationId).storage.list()).map((x) => x.id)).not.toContain(bAccountId);
  },
  "storage.get": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.get({ id: bAccountId }))).toBe("NOT_FOUND");
  },
  "storage.create": async () => {
    const created = await a.as(b.organizationId).storage.create({ name: "B disk", form: { provider: "local" } });
    expect((await db().storageAccount.findUniqueOrThrow({ where: { id: created.id } })).organizationId).toBe(a.organizationId);
  },
  "storage.update": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.update({ id: bAccountId, name: "Stolen", form: { provider: "local" } }))).toBe("NOT_FOUND");
  },
  "storage.setRequestRate": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.setRequestRate({ id: bAccountId, requestsPerSecond: 1 }))).toBe("NOT_FOUND");
    expect((await db().storageAccount.findUniqueOrThrow({ where: { id: bAccountId } })).requestsPerSecond).toBeNull();
  },
  "storage.delete": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.delete({ id: bAccountId }))).toBe("NOT_FOUND");
  },
  "storage.testForm": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.testForm({ id: bAccountId, form: { provider: "local" } }))).toBe("NOT_FOUND");
  },
  "storage.test": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.test({ id: bAccountId }))).toBe("NOT_FOUND");
  },
  "storage.buckets": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.buckets({ id: bAccountId }))).toBe("NOT_FOUND");
  },
  "storage.objects": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.objects({ id: bAccountId, bucket: "b-private", prefix: "" }))).toBe("NOT_FOUND");
  },
  "storage.object": async () => {
    expect(await codeOf(a.as(b.organizationId).storage.object({ id: bAccountId, bucket: "b-private", key: "patients.csv" }))).toBe("NOT_FOUND");
  },
  "storage.demoClouds": async () => {
    expect(await a.as(b.organizationId).storage.demoClouds()).toEqual([]);
  },
  "storage.addDemoClouds": async () => {
    expect(await a.as(b.organizationId).storage.addDemoClouds()).toEqual([]);
  },
  "migration.list": async () => {
    expect((await a.as(b.organizationId).migration.list()).map((m) => m.id)).not.toContain(bMigrationId);
  },
  "migration.get": async () => {
    expect(await codeOf(a.as(b.organizationId).migration.get({ id: bMigrationId }))).toBe("NOT_FOUND");
  },
  "migration.dryRun": async () => {
    const endpoint = { accountId: bAccountId, bucket: "b-private", prefix: "" };
    expect(await codeOf(a.as(b.organizationId).migration.dryRun({ source: endpoint, destination: { ...endpoint, bucket: "x" }, options: {} }))).toBe("NOT_FOUND");
  },
  "migration.create": async () => {
    const endpoint = { accountId: bAccountId, bucket: "b-private", prefix: "" };
    expect(await codeOf(a.as(b.organizationId).migration.create({ name: "steal", source: endpoint, destination: { ...endpoint, bucket: "x" }, options: {} }))).toBe("NOT_FOUND");
  },
  ...Object.fromEntries(
    (["pause", "resume", "cancel", "retry", "cutover"] as const).map((command) => [
      `migration.${command}`,
      async () => {
        expect(await codeOf(a.as(b.organizationId).migration[command]({ id: bMigrationId }))).toBe("NOT_FOUND");
      },
    ]),
  ),
  "enclave.list": async () => {
    const ids = (await a.as(b.organizationId).enclave.list()).map((e) => e.id);
    expect(ids).toEqual([aEnclaveId]);
  },
  "enclave.get": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.get({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "enclave.create": async () => {
    const input = { name: "steal", purpose: "x", startsAt: new Date(), endsAt: new Date(Date.now() + 3600_000), accountId: bAccountId, bucket: "b-private", prefix: "" };
    expect(await codeOf(a.as(b.organizationId).enclave.create(input))).toBe("NOT_FOUND");
  },
  "enclave.extend": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.extend({ id: bEnclaveId, endsAt: new Date(Date.now() + 48 * 3600_000) }))).toBe("NOT_FOUND");
  },
  "enclave.close": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.close({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "enclave.policy": async () => {
    expect((await a.as(b.organizationId).enclave.policy()).maxDurationHours).not.toBe(100);
  },
  "enclave.setPolicy": async () => {
    await a.as(b.organizationId).enclave.setPolicy({ allowedProviders: [], allowedRegions: ["us-*"], maxDurationHours: 24 * 90 });
    expect((await db().organization.findUniqueOrThrow({ where: { id: a.organizationId } })).enclavePolicy).toMatchObject({ allowedRegions: ["us-*"] });
  },
  "enclave.invite": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.invite({ id: bEnclaveId, role: "ANALYST" }))).toBe("NOT_FOUND");
  },
  "enclave.revokeInvitation": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.revokeInvitation({ id: bEnclaveId, invitationId: bEnclaveInvitationId }))).toBe("NOT_FOUND");
    // Nor through A's own enclave.
    expect(await codeOf(a.as().enclave.revokeInvitation({ id: aEnclaveId, invitationId: bEnclaveInvitationId }))).toBe("NOT_FOUND");
  },
  "enclave.describeInvitation": async () => {
    // Only a token (never an id) opens an invitation.
    expect(await a.as().enclave.describeInvitation({ token: bEnclaveInvitationId })).toEqual({ status: "invalid" });
  },
  "enclave.acceptInvitation": async () => {
    expect(await codeOf(a.as().enclave.acceptInvitation({ token: bEnclaveInvitationId }))).toBe("NOT_FOUND");
  },
  "enclave.removeMember": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.removeMember({ id: bEnclaveId, memberId: bEnclaveMemberId }))).toBe("NOT_FOUND");
    expect(await codeOf(a.as().enclave.removeMember({ id: aEnclaveId, memberId: bEnclaveMemberId }))).toBe("NOT_FOUND");
  },
  "enclave.mySubsets": async () => {
    expect((await a.as(b.organizationId).enclave.mySubsets()).map((s) => s.id)).not.toContain(bSubsetId);
  },
  "enclave.contribute": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.contribute({ id: bEnclaveId, subsetId: bSubsetId }))).toBe("NOT_FOUND");
    // B's subset into A's own enclave: not A's subset.
    expect(await codeOf(a.as().enclave.contribute({ id: aEnclaveId, subsetId: bSubsetId }))).toBe("NOT_FOUND");
  },
  "enclave.objects": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.objects({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "enclave.downloadLink": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.downloadLink({ id: bEnclaveId, key: "patients.csv" }))).toBe("NOT_FOUND");
  },
  "enclave.audit": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.audit({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "enclave.verifyAudit": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.verifyAudit({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "enclave.exportAudit": async () => {
    expect(await codeOf(a.as(b.organizationId).enclave.exportAudit({ id: bEnclaveId }))).toBe("NOT_FOUND");
  },
  "subset.list": async () => {
    expect((await a.as(b.organizationId).subset.list()).map((x) => x.id)).not.toContain(bSubsetId);
  },
  "subset.get": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.get({ id: bSubsetId }))).toBe("NOT_FOUND");
  },
  "subset.create": async () => {
    // A subset of A cannot read from B's account.
    expect(await codeOf(a.as(b.organizationId).subset.create({ name: "steal", definition: { sourceAccountId: bAccountId, sourceBucket: "b-private" } }))).toBe("NOT_FOUND");
  },
  "subset.saveVersion": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.saveVersion({ id: bSubsetId, definition: { sourceAccountId: bAccountId, sourceBucket: "b-private" } }))).toBe("NOT_FOUND");
  },
  "subset.count": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.count({ definition: { sourceAccountId: bAccountId, sourceBucket: "b-private" } }))).toBe("NOT_FOUND");
  },
  "subset.review": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.review({ definition: { sourceAccountId: bAccountId, sourceBucket: "b-private" } }))).toBe("NOT_FOUND");
  },
  "subset.preview": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.preview({ id: bSubsetId, definition: { sourceAccountId: bAccountId, sourceBucket: "b-private" }, key: "patients.csv" }))).toBe("NOT_FOUND");
  },
  "subset.privacy": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.privacy({ id: bSubsetId, definition: { sourceAccountId: bAccountId, sourceBucket: "b-private", quasiIdentifiers: ["name"] }, key: "patients.csv" }))).toBe("NOT_FOUND");
  },
  "subset.materialize": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.materialize({ id: bSubsetId, destination: { accountId: bAccountId, bucket: "b-copy", prefix: "" } }))).toBe("NOT_FOUND");
  },
  "subset.materialization": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.materialization({ id: bMaterializationId }))).toBe("NOT_FOUND");
  },
  "subset.manifest": async () => {
    expect(await codeOf(a.as(b.organizationId).subset.manifest({ id: bMaterializationId }))).toBe("NOT_FOUND");
  },
  "analytics.overview": async () => {
    const seen = await a.as(b.organizationId).analytics.overview({});
    expect(seen.totals.movedBytes).toBe(0);
    expect(seen.migrations.map((m) => m.migrationId)).not.toContain(bMigrationId);
    expect(seen.topBuckets.map((x) => x.bucket)).not.toContain("b-private");
    expect(seen.topPrefixes.map((x) => x.prefix)).not.toContain("secret/");
  },
  "analytics.refreshInventory": async () => {
    const { queued } = await a.as(b.organizationId).analytics.refreshInventory();
    expect(queued).toBe(await db().storageAccount.count({ where: { organizationId: a.organizationId } }));
  },
  "billing.plan": async () => {
    expect(await a.as(b.organizationId).billing.plan()).toMatchObject({ custom: false });
  },
  "billing.invoices": async () => {
    const list = await a.as(b.organizationId).billing.invoices();
    expect(list.every((i) => i.usageBytes === 0)).toBe(true);
  },
  "billing.invoice": async () => {
    const invoice = await a.as(b.organizationId).billing.invoice({});
    expect(invoice.usageBytes).toBe(0);
    expect(invoice.lines.map((l) => l.migrationId)).not.toContain(bMigrationId);
  },
  "billing.tokens": async () => {
    expect((await a.as(b.organizationId).billing.tokens()).map((t) => t.id)).not.toContain(bTokenId);
  },
  "billing.createToken": async () => {
    const created = await a.as(b.organizationId).billing.createToken({ name: "A's tool" });
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: created.id } })).organizationId).toBe(a.organizationId);
  },
  "billing.revokeToken": async () => {
    expect(await codeOf(a.as(b.organizationId).billing.revokeToken({ id: bTokenId }))).toBe("NOT_FOUND");
  },
  "operator.organizations": async () => {
    expect(await codeOf(a.as(b.organizationId).operator.organizations())).toBe("FORBIDDEN");
  },
  "operator.setPlan": async () => {
    expect(await codeOf(a.as().operator.setPlan({ organizationId: b.organizationId, includedGB: 0, pricePerGB: 5 }))).toBe("FORBIDDEN");
  },
  "operator.issueCredit": async () => {
    expect(await codeOf(a.as().operator.issueCredit({ organizationId: b.organizationId, amountCents: 100, reason: "steal" }))).toBe("FORBIDDEN");
  },
  "notification.list": async () => {
    const bNotes = await db().notification.findMany({ where: { organizationId: b.organizationId } });
    const seen = await a.as(b.organizationId).notification.list();
    expect(seen.filter((n) => bNotes.some((x) => x.id === n.id))).toEqual([]);
  },
};

describe("tenant isolation", () => {
  it("covers every procedure of the API", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(attempts).sort());
  });

  for (const [path, attempt] of Object.entries(attempts)) {
    it(`${path} with organization B's ids returns nothing of B and changes nothing of B`, async () => {
      const before = await bSnapshot();
      await attempt();
      expect(await bSnapshot()).toEqual(before);
    });
  }
});

// Enclaves against real PostgreSQL and stores: every refusal of the issue's "Bad input", member removal
// taking effect at once, teardown after a worker was down at the end, a tampered audit entry, isolation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import { enclavesVisibleTo, forTenant, type Enclave } from "@crossdock/db";
import { placementPresets } from "@crossdock/policy";
import {
  acceptEnclaveInvitation, clockFromEnv, closeEnclave, contribute, createEnclave, describeEnclaveInvitation, enclaveAuditLog, exportEnclaveAudit,
  extendEnclave, inviteOrganization, issueDownloadLink, listEnclaveObjects, materializeContribution, openDownload, removeMember, runEnclaveJob,
  setPlacementPolicy, teardownEnclave, TestClockRefusedError, verifyEnclaveAudit, verifyEnclaveManifest, viewFor, type EnclaveActor, type EnclaveManifest,
} from "../src/index.ts";
import { HOUR, IDENTIFIERS, World, db, readAll } from "./fixtures.ts";

let w: World;
let hospital: EnclaveActor;
let pharma: EnclaveActor;
let startup: EnclaveActor;
let stranger: EnclaveActor;

beforeAll(async () => {
  w = await new World().init();
  [hospital, pharma, startup, stranger] = (await Promise.all(["Hospital", "Pharma", "Startup", "Stranger"].map((n) => w.organization(n)))) as unknown as [EnclaveActor, EnclaveActor, EnclaveActor, EnclaveActor];
});

afterAll(async () => {
  await rm(w.root, { recursive: true, force: true });
  await db.$disconnect();
});

async function enclave(name: string, hours = 24, host = hospital) {
  const account = await w.account(host);
  const now = w.clock.now();
  return createEnclave(w.deps, host, { name, purpose: "joint study", startsAt: now, endsAt: new Date(now.getTime() + hours * HOUR), accountId: account.id, bucket: "enclaves", prefix: "shared/" });
}

async function join(e: Enclave, member: EnclaveActor, role: "CONTRIBUTOR" | "ANALYST" | "OBSERVER") {
  const { token } = await inviteOrganization(w.deps, hospital, e.id, { role });
  await acceptEnclaveInvitation(w.deps, member, token);
}

async function drainMaterialize() {
  while (w.materializeQueue.length) await materializeContribution(w.deps, w.materializeQueue.shift()!);
}

const countEnclaves = () => forTenant(db, hospital.organizationId).enclaves.count();

describe("create", () => {
  it("refuses an end before the start, a duration over the maximum, and a placement outside the policy, creating nothing", async () => {
    const account = await w.account(hospital, { region: "eu-west-1" });
    const now = w.clock.now();
    const base = { name: "bad", purpose: "p", accountId: account.id, bucket: "enclaves", prefix: "" };
    const before = await countEnclaves();
    await expect(createEnclave(w.deps, hospital, { ...base, startsAt: new Date(now.getTime() + 2 * HOUR), endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("The enclave must end after it starts.");
    await setPlacementPolicy(w.deps, hospital, { ...placementPresets["us-only"], maxDurationHours: 48 });
    await expect(createEnclave(w.deps, hospital, { ...base, startsAt: now, endsAt: new Date(now.getTime() + 49 * HOUR) })).rejects.toThrow("An enclave may last at most 2 days; this one would last 2 days 1 hour.");
    await expect(createEnclave(w.deps, hospital, { ...base, startsAt: now, endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("Placement outside the policy: region eu-west-1 is not one of");
    const us = await w.account(hospital, { region: "us-east-2" });
    await setPlacementPolicy(w.deps, hospital, { allowedProviders: ["s3"], maxDurationHours: 48 });
    await expect(createEnclave(w.deps, hospital, { ...base, accountId: us.id, startsAt: now, endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("keeps enclave data only on s3, not local");
    // Another organization's account is not found, and a member (not admin) cannot create.
    const theirs = await w.account(pharma);
    await expect(createEnclave(w.deps, hospital, { ...base, accountId: theirs.id, startsAt: now, endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("No storage account with that id");
    await expect(createEnclave(w.deps, await w.colleague(hospital, "MEMBER"), { ...base, startsAt: now, endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("Only owners and admins");
    expect(await countEnclaves()).toBe(before);
    await setPlacementPolicy(w.deps, hospital, { maxDurationHours: 24 * 90 });
    // Within the policy it is created, its data under a prefix of its own.
    await expect(createEnclave(w.deps, hospital, { ...base, name: "nowhere", bucket: "missing", accountId: us.id, startsAt: now, endsAt: new Date(now.getTime() + HOUR) })).rejects.toThrow("The placement cannot be reached");
    const ok = await createEnclave(w.deps, hospital, { ...base, name: "fine", accountId: us.id, startsAt: now, endsAt: new Date(now.getTime() + HOUR) });
    expect(ok.placementPrefix).toBe(`enclave-${ok.id}/`);
  });

  it("extends within the maximum only, and never after the end", async () => {
    const e = await enclave("extend-me", 24);
    await setPlacementPolicy(w.deps, hospital, { maxDurationHours: 48 });
    await expect(extendEnclave(w.deps, hospital, e.id, new Date(e.startsAt.getTime() + 49 * HOUR))).rejects.toThrow("at most 2 days");
    expect((await extendEnclave(w.deps, hospital, e.id, new Date(e.startsAt.getTime() + 48 * HOUR))).endsAt.getTime()).toBe(e.startsAt.getTime() + 48 * HOUR);
    await setPlacementPolicy(w.deps, hospital, { maxDurationHours: 24 * 90 });
    await expect(extendEnclave(w.deps, pharma, e.id, new Date(e.startsAt.getTime() + 30 * HOUR))).rejects.toThrow("No enclave with that id");
  });
});

describe("invitations", () => {
  it("admits one organization once, as an admin of it, and expires no later than the enclave", async () => {
    const e = await enclave("invites", 2);
    const { invitation, token } = await inviteOrganization(w.deps, hospital, e.id, { role: "ANALYST", note: "Pharma's data team" });
    expect(invitation.expiresAt.getTime()).toBe(e.endsAt.getTime());
    expect(await describeEnclaveInvitation(w.deps, token)).toMatchObject({ status: "open", enclaveName: "invites", hostName: "Hospital", role: "ANALYST" });
    await expect(acceptEnclaveInvitation(w.deps, await w.colleague(pharma, "MEMBER"), token)).rejects.toThrow("Only an owner or admin of your organization");
    await expect(acceptEnclaveInvitation(w.deps, hospital, token)).rejects.toThrow("Your organization hosts this enclave");
    expect(await acceptEnclaveInvitation(w.deps, pharma, token)).toMatchObject({ role: "ANALYST" });
    await expect(acceptEnclaveInvitation(w.deps, startup, token)).rejects.toThrow("This invitation has already been used");
    expect(await db.enclaveMember.count({ where: { enclaveId: e.id } })).toBe(1);
    expect(await describeEnclaveInvitation(w.deps, token)).toMatchObject({ status: "used" });
  });

  it("refuses an invitation after the enclave ended", async () => {
    const e = await enclave("short", 1);
    const { token } = await inviteOrganization(w.deps, hospital, e.id, { role: "OBSERVER" });
    w.clock.advance(HOUR + 1000);
    try {
      await expect(acceptEnclaveInvitation(w.deps, startup, token)).rejects.toThrow(`The enclave "short" ended at`);
      expect(await describeEnclaveInvitation(w.deps, token)).toMatchObject({ status: "ended" });
      await expect(inviteOrganization(w.deps, hospital, e.id, { role: "OBSERVER" })).rejects.toThrow("inviting is no longer possible");
      expect(await db.enclaveMember.count({ where: { enclaveId: e.id } })).toBe(0);
    } finally {
      w.clock.advance(-(HOUR + 1000));
    }
  });
});

describe("contributions and access", () => {
  let e: Enclave;
  beforeAll(async () => {
    e = await enclave("study", 24);
    await join(e, pharma, "ANALYST");
    await join(e, startup, "CONTRIBUTOR");
  });

  it("materializes a contributor's subset under its own prefix, de-identified, with a signed manifest and no source keys", async () => {
    const mine = await w.subset(hospital);
    const theirs = await w.subset(startup);
    const c1 = await contribute(w.deps, hospital, e.id, mine.id);
    const c2 = await contribute(w.deps, startup, e.id, theirs.id);
    expect(c2.prefix).toBe(`${e.placementPrefix}contributions/${startup.organizationId}/${c2.id}/`);
    await drainMaterialize();
    // Idempotent: running the job again changes nothing.
    expect(await materializeContribution(w.deps, c1.id)).toMatchObject({ status: "already-ready" });
    const rows = await db.enclaveContribution.findMany({ where: { enclaveId: e.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.state)).toEqual(["READY", "READY"]);
    const manifest = rows[1]!.manifest as unknown as EnclaveManifest;
    expect(manifest.objects.map((o) => o.key).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/patients\.csv$/), expect.stringMatching(/labs\.csv$/)]));
    for (const o of manifest.objects) expect(o).toEqual({ key: expect.any(String), size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyEnclaveManifest(manifest)).toBe(true);
    expect(verifyEnclaveManifest({ ...manifest, objects: manifest.objects.slice(1) })).toBe(false);
    expect(JSON.stringify(manifest)).not.toContain("sourceKey");

    const { objects } = await listEnclaveObjects(w.deps, pharma, e.id);
    // Two contributions, each: two tables + the enclave manifest; the subset's own manifest (with source keys) is gone.
    expect(objects.length).toBe(6);
    expect(objects.some((o) => o.key.endsWith("crossdock-manifest.json"))).toBe(false);
    const patients = objects.find((o) => o.contributor === "Startup" && o.path.endsWith("patients.csv"))!;
    const link = await issueDownloadLink(w.deps, pharma, e.id, patients.key);
    expect(link.via).toBe("app");
    expect(link.expiresAt.getTime() - w.clock.now().getTime()).toBeLessThanOrEqual(15 * 60_000);
    const token = decodeURIComponent(link.url.split("token=")[1]!);
    const download = await openDownload(w.deps, token, { userId: pharma.userId, organizationIds: [pharma.organizationId] });
    const text = await readAll(download.object.body as never);
    await download.close();
    expect(text.split("\n")[0]).toBe("patient_id,zip");
    for (const value of IDENTIFIERS) expect(text).not.toContain(value);
    // Someone else holding the link gets nothing.
    await expect(openDownload(w.deps, token, { userId: startup.userId, organizationIds: [startup.organizationId] })).rejects.toThrow("issued to someone else");
    await expect(openDownload(w.deps, `${token}x`, { userId: pharma.userId, organizationIds: [pharma.organizationId] })).rejects.toThrow("not valid");

    const log = await enclaveAuditLog(w.deps, pharma, e.id);
    expect(log.map((l) => l.action)).toEqual(expect.arrayContaining(["member.joined", "contribution.added", "contribution.materialized", "objects.listed", "object.download_link_issued", "object.downloaded"]));
    expect(log.find((l) => l.action === "object.downloaded")).toMatchObject({ organization: "Pharma", details: expect.objectContaining({ via: "app" }) });
    expect(await verifyEnclaveAudit(w.deps, pharma, e.id)).toMatchObject({ ok: true });
    const lines = (await exportEnclaveAudit(w.deps, pharma, e.id)).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBe(log.length);
    expect(lines[1].prevHash).toBe(lines[0].hash);
  });

  it("refuses a subset whose source the contributor cannot read, another organization's subset, and contributions by analysts", async () => {
    const unreadable = await w.subset(startup, { readable: false });
    const before = await db.enclaveContribution.count({ where: { enclaveId: e.id } });
    await expect(contribute(w.deps, startup, e.id, unreadable.id)).rejects.toThrow("Your organization cannot read this subset's source");
    const hospitals = await w.subset(hospital);
    await expect(contribute(w.deps, startup, e.id, hospitals.id)).rejects.toThrow("No subset with that id in your organization.");
    const pharmas = await w.subset(pharma);
    await expect(contribute(w.deps, pharma, e.id, pharmas.id)).rejects.toThrow("As analyst your organization cannot contribute data");
    expect(await db.enclaveContribution.count({ where: { enclaveId: e.id } })).toBe(before);
  });

  it("shows observers the audit log only", async () => {
    const e2 = await enclave("observed", 24);
    await join(e2, stranger, "OBSERVER");
    await expect(listEnclaveObjects(w.deps, stranger, e2.id)).rejects.toThrow("As observer your organization cannot list or download");
    expect((await enclaveAuditLog(w.deps, stranger, e2.id)).length).toBeGreaterThan(0);
  });

  it("isolates: a member sees its enclaves and nothing else of the host's", async () => {
    const other = await enclave("hospital-only", 24);
    expect((await enclavesVisibleTo(db, pharma.organizationId)).map((x) => x.name).sort()).toEqual(["invites", "study"]);
    await expect(viewFor(w.deps, pharma, other.id)).rejects.toThrow("No enclave with that id");
    await expect(listEnclaveObjects(w.deps, pharma, other.id)).rejects.toThrow("No enclave with that id");
    await expect(enclaveAuditLog(w.deps, pharma, other.id)).rejects.toThrow("No enclave with that id");
    // Host-only actions are refused to members, and their tenant view holds none of the host's rows.
    await expect(inviteOrganization(w.deps, pharma, e.id, { role: "ANALYST" })).rejects.toThrow("Only the host organization");
    await expect(closeEnclave(w.deps, pharma, e.id)).rejects.toThrow("Only the host organization");
    expect(await forTenant(db, pharma.organizationId).storageAccounts.count()).toBe(await db.storageAccount.count({ where: { organizationId: pharma.organizationId } }));
    expect(await forTenant(db, pharma.organizationId).enclaves.count()).toBe(0);
    expect(await forTenant(db, pharma.organizationId).subsets.findMany({ where: { organizationId: hospital.organizationId } })).toEqual([]);
  });

  it("removes a member with immediate effect, links already issued included", async () => {
    const { objects } = await listEnclaveObjects(w.deps, startup, e.id);
    const link = await issueDownloadLink(w.deps, startup, e.id, objects[0]!.key);
    const member = await db.enclaveMember.findFirstOrThrow({ where: { enclaveId: e.id, memberOrganizationId: startup.organizationId } });
    await removeMember(w.deps, hospital, e.id, member.id);
    const token = decodeURIComponent(link.url.split("token=")[1]!);
    await expect(openDownload(w.deps, token, { userId: startup.userId, organizationIds: [startup.organizationId] })).rejects.toThrow("no longer a member");
    await expect(listEnclaveObjects(w.deps, startup, e.id)).rejects.toThrow("No enclave with that id");
    await expect(issueDownloadLink(w.deps, startup, e.id, objects[0]!.key)).rejects.toThrow("No enclave with that id");
    expect((await enclaveAuditLog(w.deps, hospital, e.id)).at(-1)).toMatchObject({ action: "member.removed", details: expect.objectContaining({ organization: "Startup" }) });
  });

  it("refuses downloads from the end on by its own check, before teardown ran; then a worker that was down tears it down", async () => {
    const { objects } = await listEnclaveObjects(w.deps, pharma, e.id);
    const link = await issueDownloadLink(w.deps, pharma, e.id, objects[0]!.key);
    const token = decodeURIComponent(link.url.split("token=")[1]!);
    // The worker is down: the end passes by an hour and nothing runs.
    w.clock.advance(25 * HOUR);
    await expect(issueDownloadLink(w.deps, pharma, e.id, objects[0]!.key)).rejects.toThrow(`The enclave "study" ended at ${e.endsAt.toISOString()}: downloading its data is no longer possible.`);
    await expect(openDownload(w.deps, token, { userId: pharma.userId, organizationIds: [pharma.organizationId] })).rejects.toThrow("This download link has expired");
    await expect(listEnclaveObjects(w.deps, pharma, e.id)).rejects.toThrow("ended at");
    expect((await enclaveAuditLog(w.deps, pharma, e.id)).at(-1)).toMatchObject({ action: "object.download_refused", organization: "Pharma" });
    expect((await db.enclave.findUniqueOrThrow({ where: { id: e.id } })).state).toBe("ACTIVE");
    const placement = w.open(await db.storageAccount.findUniqueOrThrow({ where: { id: e.placementAccountId } }));
    const countUnder = async () => {
      let n = 0;
      for await (const page of placement.listObjects(e.placementBucket, { prefix: e.placementPrefix })) n += page.objects.length;
      return n;
    };
    expect(await countUnder()).toBe(6);

    // The worker comes back: its sweep finds the enclave and tears it down.
    w.teardownQueue.length = 0;
    expect(await runEnclaveJob(w.deps, { kind: "sweep" })).toMatchObject({ queued: expect.any(Number) });
    expect(w.teardownQueue).toContain(e.id);
    expect(await teardownEnclave(w.deps, e.id)).toMatchObject({ status: "torn-down", deletedObjects: 6, notified: 2 });
    expect(await countUnder()).toBe(0);
    await placement.close();
    expect(await teardownEnclave(w.deps, e.id)).toMatchObject({ status: "already-torn-down" });
    expect(await db.enclave.findUniqueOrThrow({ where: { id: e.id } })).toMatchObject({ state: "TORN_DOWN", teardownReport: expect.objectContaining({ deletedObjects: 6 }) });
    expect(await db.notification.count({ where: { organizationId: pharma.organizationId, title: `Enclave "study" has ended` } })).toBe(1);
    expect(await db.notification.count({ where: { organizationId: hospital.organizationId, title: `Enclave "study" has ended` } })).toBe(1);
    // The removed startup is not notified; contributions are marked deleted; the chain still verifies.
    expect(await db.notification.count({ where: { organizationId: startup.organizationId } })).toBe(0);
    expect((await db.enclaveContribution.findMany({ where: { enclaveId: e.id } })).map((c) => c.state)).toEqual(["DELETED", "DELETED"]);
    const log = await enclaveAuditLog(w.deps, pharma, e.id);
    expect(log.slice(-2).map((l) => l.action)).toEqual(["enclave.expired", "enclave.torn_down"]);
    expect(log.at(-2)!.details).toMatchObject({ lateBySeconds: expect.any(Number) });
    expect(await verifyEnclaveAudit(w.deps, pharma, e.id)).toMatchObject({ ok: true });
    w.clock.advance(-25 * HOUR);
  });
});

describe("closing early", () => {
  it("ends access at once and queues teardown", async () => {
    const e = await enclave("closing", 24);
    await join(e, pharma, "ANALYST");
    await closeEnclave(w.deps, hospital, e.id);
    expect(w.teardownQueue).toContain(e.id);
    await expect(listEnclaveObjects(w.deps, pharma, e.id)).rejects.toThrow("ended at");
    await expect(closeEnclave(w.deps, hospital, e.id)).rejects.toThrow("ended at");
    await expect(extendEnclave(w.deps, hospital, e.id, new Date(e.endsAt.getTime() + HOUR))).rejects.toThrow("The enclave has ended; it cannot be extended.");
    // A worker test's sweep (same database) may get there first: either way it ends torn down.
    expect(["torn-down", "already-torn-down"]).toContain((await teardownEnclave(w.deps, e.id)).status);
    expect((await db.enclave.findUniqueOrThrow({ where: { id: e.id } })).state).toBe("TORN_DOWN");
  });
});

describe("audit chain", () => {
  it("fails verification when an entry is tampered with", async () => {
    const e = await enclave("tamper", 24);
    await join(e, pharma, "OBSERVER");
    expect(await verifyEnclaveAudit(w.deps, pharma, e.id)).toMatchObject({ ok: true, entries: 3 });
    // The database refuses the edit outright...
    await expect(db.$executeRaw`UPDATE "EnclaveAuditEntry" SET action = 'nothing' WHERE "enclaveId" = ${e.id} AND seq = 2`).rejects.toThrow(/append-only/);
    // ...so the tamperer goes around the trigger (as a superuser could); the chain still tells.
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE "EnclaveAuditEntry" DISABLE TRIGGER "EnclaveAuditEntry_append_only"`);
      await tx.$executeRaw`UPDATE "EnclaveAuditEntry" SET details = jsonb_set(details, '{role}', '"CONTRIBUTOR"') WHERE "enclaveId" = ${e.id} AND seq = 2`;
      await tx.$executeRawUnsafe(`ALTER TABLE "EnclaveAuditEntry" ENABLE TRIGGER "EnclaveAuditEntry_append_only"`);
    });
    expect(await verifyEnclaveAudit(w.deps, pharma, e.id)).toEqual({ ok: false, entries: 2, brokenAt: 2, reason: "Entry 2 (invitation.created) was altered: its content no longer matches its hash." });
  });
});

describe("test clock", () => {
  it("cannot be used in production unless explicitly enabled for tests", () => {
    expect(() => clockFromEnv({ NODE_ENV: "production", CROSSDOCK_TEST_CLOCK_FILE: "/tmp/x" })).toThrow(TestClockRefusedError);
    expect(clockFromEnv({ NODE_ENV: "production", CROSSDOCK_TEST_CLOCK_FILE: "/tmp/x", CROSSDOCK_TEST_CLOCK: "enabled-for-tests" }).now()).toBeInstanceOf(Date);
    expect(clockFromEnv({ NODE_ENV: "production" }).now().getTime()).toBeCloseTo(Date.now(), -3);
  });
});

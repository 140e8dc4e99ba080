import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { appendEnclaveAudit, createDb, forTenant, verifyEnclaveChain } from "@crossdock/db";
import { openObjectStore } from "@crossdock/providers";
import { localRoot } from "@crossdock/storage";

// An enclave ended an hour ago while no worker ran; a real worker process starts and its scheduled sweep
// tears the enclave down: only the enclave's prefix is emptied, the result is recorded, members are notified.
const db = createDb(process.env.DATABASE_URL!);
let worker: ChildProcess | undefined;

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill("SIGKILL");
  await db.$disconnect();
});

async function listKeys(store: ReturnType<typeof openObjectStore>, prefix: string) {
  const keys: string[] = [];
  for await (const page of store.listObjects("placement", { prefix })) keys.push(...page.objects.map((o) => o.key));
  return keys;
}

it("a worker that was down at the end tears the enclave down when it comes back", async () => {
  const host = await db.organization.create({ data: { name: "Host (worker test)" } });
  const member = await db.organization.create({ data: { name: "Member (worker test)" } });
  const account = await forTenant(db, host.id).storageAccounts.create({ data: { id: randomUUID(), organizationId: host.id, name: "disk", provider: "local", settings: {} } });
  const store = openObjectStore({ provider: "local", rootDir: localRoot(host.id, account.id) });
  await store.createBucket("placement");
  const prefix = `enclaves/enclave-${randomUUID()}/`;
  for (const key of ["contributions/o/c/a.csv", "contributions/o/c/b.csv", "contributions/o/c/enclave-manifest.json"]) await store.writeObject("placement", prefix + key, "x");
  await store.writeObject("placement", "enclaves/not-the-enclave.txt", "keep me");
  const now = Date.now();
  const enclave = await forTenant(db, host.id).enclaves.create({
    data: { organizationId: host.id, name: `ended-${now}`, purpose: "worker test", startsAt: new Date(now - 48 * 3600_000), endsAt: new Date(now - 3600_000), placementAccountId: account.id, placementBucket: "placement", placementPrefix: prefix },
  });
  await forTenant(db, host.id).enclaveMembers.create({ data: { organizationId: host.id, enclaveId: enclave.id, memberOrganizationId: member.id, role: "ANALYST" } });
  await db.$transaction((tx) => appendEnclaveAudit(tx, enclave.id, new Date(now - 48 * 3600_000), { actorUserId: null, actorOrganizationId: host.id, action: "enclave.created" }));

  // A queue prefix of its own: this worker takes no job of the other worker tests.
  const env = { ...process.env, REDIS_PREFIX: `${process.env.REDIS_PREFIX}-enclave-teardown`, ENCLAVE_SWEEP_MS: "500", WORKER_CONCURRENCY: "1" };
  worker = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: path.join(import.meta.dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  worker.stdout!.on("data", (d) => (output += d));
  worker.stderr!.on("data", (d) => (output += d));

  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await db.enclave.findUniqueOrThrow({ where: { id: enclave.id } });
    if (row.state === "TORN_DOWN") break;
    if (Date.now() > deadline) throw new Error(`not torn down in time (state ${row.state}); worker output:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(await listKeys(store, prefix)).toEqual([]);
  expect(await listKeys(store, "enclaves/")).toEqual(["enclaves/not-the-enclave.txt"]);
  expect(await db.enclave.findUniqueOrThrow({ where: { id: enclave.id } })).toMatchObject({ teardownReport: expect.objectContaining({ deletedObjects: 3 }) });
  const actions = (await db.enclaveAuditEntry.findMany({ where: { enclaveId: enclave.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
  expect(actions).toEqual(["enclave.created", "enclave.expired", "enclave.torn_down"]);
  expect(await verifyEnclaveChain(db, enclave.id)).toMatchObject({ ok: true, entries: 3 });
  expect(await db.notification.count({ where: { organizationId: { in: [host.id, member.id] }, title: `Enclave "ended-${now}" has ended` } })).toBe(2);
  await store.close();

  worker.kill("SIGTERM");
  await new Promise((r) => worker!.once("exit", r));
});

// A hospital hosting an enclave, a pharma company and a startup joining it, a stranger, real PostgreSQL and
// stores on local disk; enclave operations called as the web app and the worker call them.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { createDb, forTenant, type Role, type StorageAccount } from "@crossdock/db";
import { openObjectStore, type ObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import { createSubset } from "@crossdock/subsets";
import type { Clock, EnclaveActor, EnclaveDeps } from "../src/index.ts";

export const db = createDb(process.env.DATABASE_URL!, { max: 6 });

/** Time the tests move by hand. */
export class TestClock implements Clock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

export const HOUR = 3_600_000;

export class World {
  readonly clock = new TestClock();
  readonly configs = new Map<string, ObjectStoreConfigInput>();
  readonly materializeQueue: string[] = [];
  readonly teardownQueue: string[] = [];
  root!: string;
  readonly deps: EnclaveDeps = {
    db,
    clock: this.clock,
    openStore: (account) => this.open(account),
    signingKey: randomBytes(32),
    enqueueMaterialize: async (id) => void this.materializeQueue.push(id),
    enqueueTeardown: async (id) => void this.teardownQueue.push(id),
  };

  async init() {
    this.root = await mkdtemp(path.join(os.tmpdir(), "crossdock-enclaves-"));
    return this;
  }

  open(account: Pick<StorageAccount, "id">): ObjectStore {
    const config = this.configs.get(account.id);
    if (!config) throw new Error(`no test config for account ${account.id}`);
    return openObjectStore({ ...config, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } } as ObjectStoreConfigInput);
  }

  /** An organization with one user of the given role. */
  async organization(name: string, role: Role = "OWNER"): Promise<EnclaveActor & { name: string }> {
    const org = await db.organization.create({ data: { name } });
    const user = await db.user.create({ data: { email: `${randomUUID()}@example.test`, name: `${name} user`, passwordHash: "x" } });
    await forTenant(db, org.id).memberships.create({ data: { organizationId: org.id, userId: user.id, role } });
    return { name, userId: user.id, organizationId: org.id, role, ip: "127.0.0.1" };
  }

  /** Another user of an existing organization. */
  async colleague(of: EnclaveActor, role: Role): Promise<EnclaveActor> {
    const user = await db.user.create({ data: { email: `${randomUUID()}@example.test`, name: "colleague", passwordHash: "x" } });
    await forTenant(db, of.organizationId).memberships.create({ data: { organizationId: of.organizationId, userId: user.id, role } });
    return { ...of, userId: user.id, role };
  }

  /** A local-disk account (its rows; the disk folder under this run's root). */
  async account(owner: EnclaveActor, settings: Record<string, unknown> = {}, provider: StorageAccount["provider"] = "local"): Promise<StorageAccount> {
    const id = randomUUID();
    const account = await forTenant(db, owner.organizationId).storageAccounts.create({ data: { id, organizationId: owner.organizationId, name: `acct-${id.slice(0, 8)}`, provider, settings: settings as object } });
    this.configs.set(id, { provider: "local", rootDir: path.join(this.root, id) });
    const store = this.open(account);
    await store.createBucket("enclaves");
    await store.close();
    return account;
  }

  /** A subset over a small clinical table full of identifiers, with rules that remove them. */
  async subset(owner: EnclaveActor, { readable = true } = {}) {
    const account = await this.account(owner);
    const store = this.open(account);
    if (readable) {
      await store.createBucket("clinical");
      await store.writeObject("clinical", "study/patients.csv", PATIENTS);
      await store.writeObject("clinical", "study/labs.csv", "patient_id,test,value\nP10001,ldl,130\nP10002,ldl,99\n");
    }
    await store.close();
    const { subset } = await createSubset(forTenant(db, owner.organizationId), {
      name: `subset-${randomUUID().slice(0, 6)}`,
      definition: {
        sourceAccountId: account.id, sourceBucket: "clinical", prefixes: ["study/"],
        rules: { tabular: { columns: { patient_id: { action: "hash" }, name: { action: "drop" }, ssn: { action: "drop" }, zip: { action: "generalize", to: "zip3" }, test: { action: "keep" }, value: { action: "keep" } } } },
      },
      createdById: owner.userId,
    });
    return subset;
  }
}

export const PATIENTS = "patient_id,name,ssn,zip\nP10001,Ava Okafor,123-45-6789,02134\nP10002,Liam Nguyen,987-65-4321,10001\n";
export const IDENTIFIERS = ["P10001", "P10002", "Ava Okafor", "Liam Nguyen", "123-45-6789", "987-65-4321", "02134", "10001"];

export async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

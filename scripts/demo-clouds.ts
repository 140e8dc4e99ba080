// The demo clouds `npm start` runs: emulated S3 (s3rver), Azure Blob (azurite), GCS (firebase storage
// emulator) and a Crossdock disk, each holding the synthetic study data set, registered for the demo
// organization. Runs until stopped (SIGTERM) or until its parent goes away.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb, forTenant, hashPassword, recordAudit } from "@crossdock/db";
import { DEMO_DATASET_VERSION, seedStore, studyDataset } from "@crossdock/demo";
import { openObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";
import { startAzurite, startFirebaseStorage, startS3rver, stopEmulators, type RunningEmulator } from "@crossdock/providers/emulators";

const BUCKET = "rcos-study";
// DEMO_DATASET=small: a few hundred objects and no large files (the end-to-end tests use it).
const datasetSize = process.env.DEMO_DATASET === "small" ? { patients: 60, imagedPatients: 20, slicesPerStudy: 2, largeFiles: [] } : {};
export const DEMO_EMAIL = "demo@crossdock.local";
const root = path.resolve(import.meta.dirname, "..");
const file = process.env.DEMO_CLOUDS_FILE ?? path.join(root, ".data", "demo-clouds.json");
const log = (message: string) => console.log(`[demo-clouds] ${message}`);

interface DemoCloud {
  name: string;
  label: string;
  provider: "s3" | "azure" | "gcs" | "local";
  bucket: string;
  config: ObjectStoreConfigInput;
}

let running: RunningEmulator[] = [];
async function stop() {
  await stopEmulators(running);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

async function seed(cloud: DemoCloud) {
  const store = openObjectStore(cloud.config);
  try {
    const readme = await store.headObject(cloud.bucket, "README.txt").catch(() => null);
    if (readme?.userMetadata["dataset-version"] === DEMO_DATASET_VERSION) return log(`${cloud.label}: already seeded`);
    const started = Date.now();
    // The firebase GCS emulator has no bucket API: buckets appear with their first object.
    const { objects, bytes } = await seedStore(store, cloud.bucket, studyDataset(datasetSize), { concurrency: 16, createBucket: cloud.name !== "demo-gcs" });
    log(`${cloud.label}: seeded ${objects} objects, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await store.close();
  }
}

/** The demo organization: a demo user (password in .env.local) owning an account for each demo cloud. */
async function registerDemoOrganization(clouds: DemoCloud[]) {
  const password = process.env.DEMO_USER_PASSWORD;
  if (!password || !process.env.DATABASE_URL) return;
  const db = createDb(process.env.DATABASE_URL, { max: 2 });
  try {
    let user = await db.user.findUnique({ where: { email: DEMO_EMAIL } });
    if (!user) {
      user = await db.user.create({ data: { email: DEMO_EMAIL, name: "Demo User", passwordHash: await hashPassword(password) } });
    }
    let membership = await db.membership.findFirst({ where: { userId: user.id, role: "OWNER" } });
    if (!membership) {
      const org = await db.organization.create({ data: { name: "Riverside Medical Center (demo)" } });
      membership = await forTenant(db, org.id).memberships.create({ data: { organizationId: org.id, userId: user.id, role: "OWNER" } });
      await recordAudit(forTenant(db, org.id), { actorId: user.id, action: "organization.created", targetType: "Organization", targetId: org.id, details: { via: "demo clouds" } });
    }
    const tenant = forTenant(db, membership.organizationId);
    for (const cloud of clouds) {
      const exists = await tenant.storageAccounts.findFirst({ where: { demoCloud: cloud.name } });
      if (exists) continue;
      await tenant.storageAccounts.create({
        data: { id: crypto.randomUUID(), organizationId: tenant.organizationId, name: cloud.label, provider: cloud.provider, settings: { demoCloud: cloud.name }, demoCloud: cloud.name, createdById: user.id },
      });
    }
  } finally {
    await db.$disconnect();
  }
}

const started = Date.now();
// s3rver, not fauxqs: fauxqs lists keys in locale order, not S3's byte order, which sync passes rely on.
running = await Promise.all([startS3rver(), startAzurite(), startFirebaseStorage("demo-crossdock")]);
const [s3, azure, gcs] = running;
// Next to the clouds file: .data/ for npm start, a scratch folder for the tests.
const localRoot = path.join(path.dirname(file), "demo-local");
mkdirSync(localRoot, { recursive: true });
const clouds: DemoCloud[] = [
  { name: "demo-s3", label: "Demo S3 (s3rver)", provider: "s3", bucket: BUCKET, config: s3!.config },
  { name: "demo-azure", label: "Demo Azure Blob (azurite)", provider: "azure", bucket: BUCKET, config: azure!.config },
  { name: "demo-gcs", label: "Demo Google Cloud Storage (emulator)", provider: "gcs", bucket: BUCKET, config: gcs!.config },
  { name: "demo-local", label: "Demo Crossdock disk", provider: "local", bucket: BUCKET, config: { provider: "local", rootDir: localRoot } },
];
// Published before seeding, so accounts work at once and fill up as the seed runs.
// Written whole, then renamed: the web app never reads half a file.
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(`${file}.tmp`, JSON.stringify({ clouds, startedAt: new Date().toISOString() }, null, 2));
renameSync(`${file}.tmp`, file);
await registerDemoOrganization(clouds);
log(`emulators up in ${((Date.now() - started) / 1000).toFixed(1)} s; seeding the study data set`);
await Promise.all(clouds.map(seed));
log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${clouds.map((c) => c.label).join(", ")}`);
// Stay up: the emulators are children of this process.
setInterval(() => {}, 1 << 30);

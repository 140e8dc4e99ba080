// Materializing a subset version: every matched object streamed through its transforms into the
// destination, then a signed manifest. All-or-nothing: outputs are staged under a temporary key and
// published (copied to their final keys) only once every object is staged; a malformed file fails the
// run with its line and reason and its staged outputs are deleted, so nothing half-made is ever visible.
// Resumable: each staged object is recorded (SubsetOutputObject), so a retried job skips it.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { keyringFromEnv, type Keyring, type StorageAccount, type SubsetMaterialization, type TenantDb } from "@crossdock/db";
import { filterMetadata, keyPseudonymizer } from "@crossdock/policy";
import type { ObjectStore } from "@crossdock/providers";
import { openAccountStore } from "@crossdock/storage";
import { versionDefinition } from "./definition.ts";
import { SubsetError } from "./errors.ts";
import { countMatching, matchingObjects, type MatchedObject } from "./listing.ts";
import { manifestKeyFor, manifestSigningKeys, signManifest, type ManifestBody, type SignedManifest, type SigningKeys } from "./manifest.ts";
import { reviewSubset } from "./review.ts";
import { openSubsetSecret } from "./secret.ts";
import { contentTypes, namingErrors, transformObject } from "./transform.ts";

export interface MaterializeDestination {
  /** The StorageAccount the store belongs to (recorded on the run). */
  accountId: string;
  store: ObjectStore;
  bucket: string;
  /** Outputs go under it ("" or ending in "/"). */
  prefix: string;
}

export interface MaterializeProgress {
  phase: "checking" | "listing" | "transforming" | "publishing" | "done";
  plannedObjects: number;
  plannedBytes: number;
  doneObjects: number;
  /** Source bytes transformed so far (progress against plannedBytes). */
  doneBytes: number;
  /** Bytes written to the destination so far. */
  outputBytes: number;
  /** Matched objects left out: a kind with no rules and no pass-through. */
  skippedObjects: number;
}

export interface MaterializeOptions {
  /** Data access of the subset's organization. */
  tenant: TenantDb;
  subsetVersionId: string;
  destination: MaterializeDestination;
  /** The run to record progress on and resume; a new run row is created when absent. */
  materializationId?: string;
  createdById?: string | null;
  /** Opens the version's source account (default: openAccountStore, secrets decrypted server side). */
  openSource?: (account: StorageAccount) => ObjectStore;
  onProgress?: (progress: MaterializeProgress) => void | Promise<void>;
  /** Objects transformed at once (default 4). */
  concurrency?: number;
  keyring?: Keyring;
  signingKeys?: SigningKeys;
  /**
   * The destination account belongs to another organization and the caller has authorized writing to it
   * (an enclave's placement, owned by its host): skip the check that it is one of the subset's own accounts.
   */
  foreignDestination?: boolean;
}

export interface MaterializeResult {
  materializationId: string;
  manifest: SignedManifest;
  manifestKey: string;
  /** SHA-256 (hex) of the manifest object's bytes. */
  manifestSha256: string;
  objects: number;
  bytes: number;
  skippedObjects: number;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const PROGRESS_EVERY_MS = 1_000;

/** The staging key of one source object in one run: deterministic, so a retry overwrites instead of adding. */
const stagingKeyFor = (prefix: string, runId: string, sourceKey: string) => `${prefix}.crossdock-staging/${runId}/${sha256(sourceKey).slice(0, 40)}`;

/**
 * Materializes one subset version into `destination` and returns its signed manifest.
 *
 *   materializeSubset({ tenant, subsetVersionId, destination: { accountId, store, bucket, prefix }, onProgress })
 *     -> { materializationId, manifest, manifestKey, manifestSha256, objects, bytes, skippedObjects }
 *
 * Refuses (SubsetError "Flagged") while detected identifier fields have neither a rule nor an
 * acknowledgement. A malformed file fails the run (SubsetError "Malformed" naming key and line) with
 * nothing published. Idempotent: called again for a SUCCEEDED run it returns the same manifest without
 * writing; for an interrupted run it resumes, skipping objects already staged.
 */
export async function materializeSubset(options: MaterializeOptions): Promise<MaterializeResult> {
  const { tenant, destination } = options;
  const version = await tenant.subsetVersions.findUnique({ where: { id: options.subsetVersionId }, include: { subset: true, sourceAccount: true } });
  if (!version) throw new SubsetError("NotFound", "No subset version with that id in this organization.");
  if (!options.foreignDestination) {
    const destAccount = await tenant.storageAccounts.findUnique({ where: { id: destination.accountId } });
    if (!destAccount) throw new SubsetError("NotFound", "No destination storage account with that id in this organization.");
  }
  const prefix = destination.prefix;
  if (prefix !== "" && !prefix.endsWith("/")) throw new SubsetError("Invalid", "The destination prefix must be empty or end with /.");

  let run: SubsetMaterialization;
  if (options.materializationId) {
    const found = await tenant.subsetMaterializations.findUnique({ where: { id: options.materializationId } });
    if (!found) throw new SubsetError("NotFound", "No materialization with that id in this organization.");
    if (found.versionId !== version.id || found.destAccountId !== destination.accountId || found.destBucket !== destination.bucket || found.destPrefix !== prefix) {
      throw new SubsetError("Invalid", "That materialization was started for another version or destination.");
    }
    run = found;
  } else {
    run = await tenant.subsetMaterializations.create({
      data: {
        organizationId: tenant.organizationId, subsetId: version.subsetId, versionId: version.id,
        destAccountId: destination.accountId, destBucket: destination.bucket, destPrefix: prefix, createdById: options.createdById ?? null,
      },
    });
  }
  const runId = run.id;
  const manifestKey = manifestKeyFor(prefix);
  const dest = destination.store;

  if (run.state === "SUCCEEDED" && run.manifestKey) return finished(run, dest);
  if (run.state === "FAILED" && run.errorKind) throw new SubsetError(run.errorKind as SubsetError["kind"], run.error ?? "failed", run.errorKey ?? undefined);

  const definition = versionDefinition(version);
  const secret = openSubsetSecret(version.subset, options.keyring ?? keyringFromEnv());
  const signingKeys = options.signingKeys ?? manifestSigningKeys();
  const source = (options.openSource ?? openAccountStore)(version.sourceAccount);
  const pseudonymKey = keyPseudonymizer(definition.rules, { secret });
  const progress: MaterializeProgress = { phase: "checking", plannedObjects: 0, plannedBytes: 0, doneObjects: 0, doneBytes: 0, outputBytes: 0, skippedObjects: 0 };
  let lastSaved = 0;
  const report = async (force = false) => {
    await options.onProgress?.({ ...progress });
    if (!force && Date.now() - lastSaved < PROGRESS_EVERY_MS) return;
    lastSaved = Date.now();
    await tenant.subsetMaterializations.update({
      where: { id: runId },
      data: { plannedObjects: progress.plannedObjects, plannedBytes: progress.plannedBytes, doneObjects: progress.doneObjects, doneBytes: progress.doneBytes, skippedObjects: progress.skippedObjects },
    });
  };

  try {
    await tenant.subsetMaterializations.update({ where: { id: runId }, data: { state: "RUNNING", startedAt: run.startedAt ?? new Date(), error: null } });
    await report(true);

    const review = await reviewSubset(source, definition);
    if (review.flagged.length > 0) {
      const fields = review.flagged.map((f) => `${f.kind === "tabular" ? "column " : ""}${f.field} (${f.category})`);
      throw new SubsetError("Flagged", `Identifier-looking fields have no rule: ${[...new Set(fields)].join(", ")}. Add rules or acknowledge them.`);
    }

    progress.phase = "listing";
    const count = await countMatching(source, definition, { limit: Number.MAX_SAFE_INTEGER, budgetMs: Number.MAX_SAFE_INTEGER, sampleSize: 0 });
    if (count.included.objects === 0) throw new SubsetError("Invalid", "The subset matches no file it can write: add rules for a file kind, pass one through, or widen the selection.");
    progress.plannedObjects = count.included.objects;
    progress.plannedBytes = count.included.bytes;
    progress.skippedObjects = count.objects - count.included.objects;
    // A resumed run starts from what it already staged.
    const staged = await tenant.subsetOutputObjects.aggregate({ where: { materializationId: runId }, _count: { _all: true }, _sum: { size: true } });
    progress.doneObjects = staged._count._all;
    progress.outputBytes = Number(staged._sum.size ?? 0);
    progress.phase = "transforming";
    await report(true);

    const metadataAllowList = definition.rules.keys?.metadataAllowList ?? [];
    const stageOne = async (o: MatchedObject) => {
      const stagingKey = stagingKeyFor(prefix, runId, o.key);
      const read = await source.readObject(definition.sourceBucket, o.key);
      // User metadata is stripped unless the subset allows a name; a GET that does not carry it costs a HEAD then.
      const userMetadata =
        metadataAllowList.length === 0
          ? {}
          : filterMetadata(read.metadata?.userMetadata ?? (await source.headObject(definition.sourceBucket, o.key)).userMetadata, metadataAllowList);
      const transformed = o.treatment === "transform";
      const body: AsyncIterable<Uint8Array> = transformed ? namingErrors(transformObject(o.kind, read.body as Readable, definition.rules, secret), o.key) : (read.body as Readable);
      const hash = createHash("sha256");
      let size = 0;
      let bodyError: unknown;
      const counted = async function* () {
        try {
          for await (const chunk of body) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        } catch (error) {
          bodyError = error;
          throw error;
        }
      };
      try {
        await dest.writeObject(destination.bucket, stagingKey, Readable.from(counted(), { objectMode: false }), { contentType: transformed ? contentTypes[o.kind] : read.contentType, userMetadata });
      } catch (error) {
        (read.body as Readable).destroy();
        // A provider may keep what a failed write sent; the staging key must not outlive the failure.
        await dest.deleteObject(destination.bucket, stagingKey).catch(() => {});
        // The store wraps what the body threw; the transform's own error (file, line, reason) is the one to report.
        throw bodyError ?? error;
      }
      const row = { sourceEtag: o.etag ?? null, key: prefix + pseudonymKey(o.key), stagingKey, published: false, size: BigInt(size), sha256: hash.digest("hex"), mode: transformed ? "transformed" : "passThrough" };
      await tenant.subsetOutputObjects.upsert({
        where: { materializationId_sourceKey: { materializationId: runId, sourceKey: o.key } },
        create: { organizationId: tenant.organizationId, materializationId: runId, sourceKey: o.key, ...row },
        update: row,
      });
      progress.doneObjects++;
      progress.doneBytes += o.size;
      progress.outputBytes += size;
      await report();
    };

    const concurrency = options.concurrency ?? 4;
    for await (const page of matchingObjects(source, definition)) {
      const wanted = page.filter((o) => o.treatment !== "excluded");
      if (wanted.length === 0) continue;
      const done = new Set(
        (await tenant.subsetOutputObjects.findMany({ where: { materializationId: runId, sourceKey: { in: wanted.map((o) => o.key) } }, select: { sourceKey: true } })).map((r) => r.sourceKey),
      );
      const todo = wanted.filter((o) => {
        if (!done.has(o.key)) return true;
        progress.doneBytes += o.size;
        return false;
      });
      await eachConcurrently(todo, concurrency, stageOne);
    }

    // Every object is staged: publish them all, then the manifest.
    progress.phase = "publishing";
    await report(true);
    for (;;) {
      const batch = await tenant.subsetOutputObjects.findMany({ where: { materializationId: runId, published: false }, take: 200, orderBy: { sourceKey: "asc" } });
      if (batch.length === 0) break;
      await eachConcurrently(batch, concurrency, async (o) => {
        await publish(dest, destination.bucket, o.stagingKey, o.key);
        await tenant.subsetOutputObjects.update({ where: { id: o.id }, data: { published: true } });
      });
    }

    const outputs = await tenant.subsetOutputObjects.findMany({ where: { materializationId: runId }, orderBy: { key: "asc" } });
    const body: ManifestBody = {
      format: "crossdock.subset-manifest/v1",
      organizationId: tenant.organizationId,
      subset: { id: version.subset.id, name: version.subset.name },
      version: { id: version.id, number: version.number },
      materializationId: runId,
      source: { accountId: version.sourceAccountId, bucket: version.sourceBucket, prefixes: version.prefixes },
      destination: { accountId: destination.accountId, bucket: destination.bucket, prefix },
      createdAt: new Date().toISOString(),
      totals: { objects: outputs.length, bytes: outputs.reduce((sum, o) => sum + Number(o.size), 0) },
      objects: outputs.map((o) => ({ key: o.key, size: Number(o.size), sha256: o.sha256, sourceKey: o.sourceKey, mode: o.mode })),
    };
    const manifest = signManifest(body, signingKeys);
    const text = JSON.stringify(manifest, null, 2);
    await dest.writeObject(destination.bucket, manifestKey, text, { contentType: "application/json" });
    const manifestSha256 = sha256(text);
    progress.phase = "done";
    progress.doneBytes = progress.plannedBytes;
    await options.onProgress?.({ ...progress });
    await tenant.subsetMaterializations.update({
      where: { id: runId },
      data: {
        state: "SUCCEEDED", finishedAt: new Date(), manifestKey, manifestSha256, manifestSignature: manifest.signature.value, error: null,
        plannedObjects: progress.plannedObjects, plannedBytes: progress.plannedBytes, doneObjects: outputs.length, doneBytes: progress.plannedBytes, skippedObjects: progress.skippedObjects,
      },
    });
    return { materializationId: runId, manifest, manifestKey, manifestSha256, objects: body.totals.objects, bytes: body.totals.bytes, skippedObjects: progress.skippedObjects };
  } catch (error) {
    if (error instanceof SubsetError && error.final) {
      // A data error: retrying cannot help. Remove everything staged; nothing was published.
      await discardStaged(tenant, dest, destination.bucket, runId);
      await tenant.subsetMaterializations.update({
        where: { id: runId },
        data: { state: "FAILED", finishedAt: new Date(), error: error.message, errorKind: error.kind, errorKey: error.key ?? null },
      });
    } else {
      // Worth a retry (a provider or database hiccup): staged work is kept for the next attempt.
      await tenant.subsetMaterializations.update({ where: { id: runId }, data: { error: error instanceof Error ? error.message : String(error) } }).catch(() => {});
    }
    throw error;
  } finally {
    if (!options.openSource) await source.close();
  }
}

/** The result of a run that already succeeded, read back from its manifest. */
async function finished(run: SubsetMaterialization, dest: ObjectStore): Promise<MaterializeResult> {
  const read = await dest.readObject(run.destBucket, run.manifestKey!);
  const chunks: Buffer[] = [];
  for await (const chunk of read.body as Readable) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks);
  const manifest = JSON.parse(text.toString("utf8")) as SignedManifest;
  return { materializationId: run.id, manifest, manifestKey: run.manifestKey!, manifestSha256: sha256(text), objects: manifest.totals.objects, bytes: manifest.totals.bytes, skippedObjects: run.skippedObjects };
}

/** Staging -> final key: a server-side copy where the store has one, else a streamed copy; then the staging key goes. */
async function publish(store: ObjectStore, bucket: string, stagingKey: string, key: string) {
  try {
    await store.copyObject({ bucket, key: stagingKey }, { bucket, key });
  } catch {
    const read = await store.readObject(bucket, stagingKey);
    const userMetadata = read.metadata?.userMetadata ?? (await store.headObject(bucket, stagingKey)).userMetadata;
    await store.writeObject(bucket, key, read.body as Readable, { contentType: read.contentType, userMetadata });
  }
  await store.deleteObject(bucket, stagingKey);
}

async function discardStaged(tenant: TenantDb, store: ObjectStore, bucket: string, runId: string) {
  for (;;) {
    const batch = await tenant.subsetOutputObjects.findMany({ where: { materializationId: runId }, take: 500, select: { id: true, stagingKey: true } });
    if (batch.length === 0) return;
    await store.deleteObjects(bucket, batch.map((o) => o.stagingKey));
    await tenant.subsetOutputObjects.deleteMany({ where: { id: { in: batch.map((o) => o.id) } } });
  }
}

/** Runs `fn` over `items`, `concurrency` at a time; the first failure stops new work and is rethrown once running work ends. */
async function eachConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (!failure && next < items.length) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
}

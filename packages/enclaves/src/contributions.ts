// Contributions: a contributor attaches one of its own subsets; a worker materializes the subset's latest
// version through its transforms into the enclave, under a prefix of its own, with a manifest the platform
// signs. The contributor's raw source stays in its own account: only the worker reads it.
import { createHash, createHmac } from "node:crypto";
import { canonicalJson, forTenant, type EnclaveContribution, type Prisma } from "@crossdock/db";
import { isObjectStoreError } from "@crossdock/providers";
import { manifestSigningKeys, materializeSubset, SubsetError, type SigningKeys } from "@crossdock/subsets";
import { assertNotEnded, hasEnded, record, requireRight, viewFor } from "./access.ts";
import type { EnclaveActor, EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";
import { assertListable } from "./reachable.ts";

export const ENCLAVE_MANIFEST_FORMAT = "crossdock.enclave-contribution-manifest/v1";
export const ENCLAVE_MANIFEST_NAME = "enclave-manifest.json";
/** What materializeSubset writes: it names source keys, which stay with the contributor. */
const SUBSET_MANIFEST_NAME = "crossdock-manifest.json";

export interface EnclaveManifestBody {
  format: typeof ENCLAVE_MANIFEST_FORMAT;
  enclaveId: string;
  contributionId: string;
  contributor: { organizationId: string; name: string };
  subset: { id: string; name: string; version: number };
  prefix: string;
  createdAt: string;
  totals: { objects: number; bytes: number };
  /** Keys relative to the contribution's prefix. */
  objects: { key: string; size: number; sha256: string }[];
}

export interface EnclaveManifest extends EnclaveManifestBody {
  signature: { algorithm: "HMAC-SHA256"; keyId: string; value: string };
}

/** Signed with the platform's manifest key (the same one subset manifests use), over canonical JSON. */
export function signEnclaveManifest(body: EnclaveManifestBody, keys: SigningKeys = manifestSigningKeys()): EnclaveManifest {
  return { ...body, signature: { algorithm: "HMAC-SHA256", keyId: keys.current.id, value: createHmac("sha256", keys.current.key).update(canonicalJson(body)).digest("hex") } };
}

export function verifyEnclaveManifest(manifest: EnclaveManifest, keys: SigningKeys = manifestSigningKeys()): boolean {
  const { signature, ...body } = manifest;
  const key = signature && keys.byId.get(signature.keyId);
  if (!key) return false;
  return createHmac("sha256", key).update(canonicalJson(body)).digest("hex") === signature.value;
}

/** Attaches the latest version of one of the actor's organization's subsets; the worker does the rest. */
export async function contribute(deps: EnclaveDeps, actor: EnclaveActor, enclaveId: string, subsetId: string) {
  const view = await viewFor(deps, actor, enclaveId);
  requireRight(view, "contribute");
  const now = deps.clock.now();
  assertNotEnded(view.enclave, now, "contributing");
  // The contributor's own data, through its own tenant view: another organization's subset is simply not found.
  const tenant = forTenant(deps.db, actor.organizationId);
  const subset = await tenant.subsets.findUnique({ where: { id: subsetId } });
  if (!subset) refuse("NotFound", "No subset with that id in your organization.");
  const version = await tenant.subsetVersions.findFirst({ where: { subsetId, number: subset.latestVersion }, include: { sourceAccount: true } });
  if (!version) refuse("Invalid", `The subset "${subset.name}" has no version to contribute.`);
  // Refused now if the contributor cannot read the subset's source (deleted bucket, revoked credentials...).
  const source = version.sourceAccount;
  await assertListable(deps, source, version.sourceBucket, version.prefixes[0] ?? "", (why) => `Your organization cannot read this subset's source (${source.name}, bucket ${version.sourceBucket}): ${why}`);
  const org = await deps.db.organization.findUniqueOrThrow({ where: { id: actor.organizationId }, select: { name: true } });
  const contribution = await deps.db.$transaction(async (tx) => {
    const id = crypto.randomUUID();
    const row = await forTenant(tx, view.enclave.organizationId).enclaveContributions.create({
      data: {
        id, organizationId: view.enclave.organizationId, enclaveId, contributorOrganizationId: actor.organizationId, subsetId, subsetVersionId: version.id,
        subsetName: subset.name, subsetVersion: version.number, prefix: `${view.enclave.placementPrefix}contributions/${actor.organizationId}/${id}/`, createdById: actor.userId,
      },
    });
    await record(tx, enclaveId, now, actor, "contribution.added", { contributionId: id, organization: org.name, subset: subset.name, version: version.number });
    return row;
  });
  await deps.enqueueMaterialize(contribution.id);
  return contribution;
}

export type MaterializeOutcome = { status: "ready" | "already-ready" | "failed" | "enclave-ended"; objects?: number; error?: string };

/**
 * The worker's job: materialize the contribution's subset version into the enclave's placement, then sign
 * the enclave manifest (keys, sizes, SHA-256; never source keys). Idempotent: a READY contribution is left
 * alone; an interrupted one resumes the same subset run.
 */
export async function materializeContribution(deps: EnclaveDeps, contributionId: string): Promise<MaterializeOutcome> {
  const contribution = await deps.db.enclaveContribution.findUnique({ where: { id: contributionId }, include: { enclave: { include: { placementAccount: true } } } });
  if (!contribution) return { status: "failed", error: "no such contribution" };
  const { enclave } = contribution;
  if (contribution.state === "READY") return { status: "already-ready", objects: contribution.objectCount };
  if (contribution.state === "FAILED" || contribution.state === "DELETED") return { status: "failed", error: contribution.error ?? contribution.state };
  if (hasEnded(enclave, deps.clock.now())) {
    await markFailed(deps, contribution, "The enclave ended before this contribution was materialized.");
    return { status: "enclave-ended" };
  }
  const tenant = forTenant(deps.db, contribution.contributorOrganizationId);
  const store = deps.openStore(enclave.placementAccount);
  try {
    await deps.db.enclaveContribution.update({ where: { id: contributionId }, data: { state: "MATERIALIZING" } });
    // The subset run's id is the contribution's: a retried job resumes that run instead of starting another.
    const existingRun = await tenant.subsetMaterializations.findUnique({ where: { id: contributionId } });
    if (!existingRun) {
      await tenant.subsetMaterializations.create({
        data: {
          id: contributionId, organizationId: contribution.contributorOrganizationId, subsetId: contribution.subsetId, versionId: contribution.subsetVersionId,
          destAccountId: enclave.placementAccountId, destBucket: enclave.placementBucket, destPrefix: contribution.prefix, createdById: contribution.createdById,
        },
      });
    }
    let result;
    try {
      result = await materializeSubset({
        tenant, subsetVersionId: contribution.subsetVersionId, materializationId: contributionId, foreignDestination: true, createdById: contribution.createdById,
        destination: { accountId: enclave.placementAccountId, store, bucket: enclave.placementBucket, prefix: contribution.prefix },
        openSource: (account) => deps.openStore(account),
      });
    } catch (error) {
      if (error instanceof SubsetError && error.final) {
        await markFailed(deps, contribution, error.message);
        return { status: "failed", error: error.message };
      }
      throw error;
    }
    const org = await deps.db.organization.findUniqueOrThrow({ where: { id: contribution.contributorOrganizationId }, select: { name: true } });
    const objects = result.manifest.objects.map((o) => ({ key: o.key.slice(contribution.prefix.length), size: o.size, sha256: o.sha256 }));
    const manifest = signEnclaveManifest({
      format: ENCLAVE_MANIFEST_FORMAT, enclaveId: enclave.id, contributionId, contributor: { organizationId: contribution.contributorOrganizationId, name: org.name },
      subset: { id: contribution.subsetId, name: contribution.subsetName, version: contribution.subsetVersion }, prefix: contribution.prefix,
      createdAt: deps.clock.now().toISOString(), totals: { objects: objects.length, bytes: objects.reduce((s, o) => s + o.size, 0) }, objects,
    });
    await store.writeObject(enclave.placementBucket, `${contribution.prefix}${ENCLAVE_MANIFEST_NAME}`, JSON.stringify(manifest, null, 2), { contentType: "application/json" });
    const finished = await deps.db.$transaction(async (tx) => {
      const updated = await tx.enclaveContribution.updateMany({
        where: { id: contributionId, state: { in: ["QUEUED", "MATERIALIZING"] } },
        data: { state: "READY", objectCount: objects.length, bytes: BigInt(manifest.totals.bytes), manifest: manifest as unknown as Prisma.InputJsonObject, manifestSignature: manifest.signature.value, finishedAt: deps.clock.now(), error: null },
      });
      if (updated.count === 1) {
        await record(tx, enclave.id, deps.clock.now(), null, "contribution.materialized", {
          contributionId, organization: org.name, objects: objects.length, bytes: manifest.totals.bytes, manifestSha256: createHash("sha256").update(canonicalJson(manifest)).digest("hex"),
        });
      }
      return updated.count === 1;
    });
    // The subset's own manifest names source keys: it does not stay where other organizations read.
    await store.deleteObject(enclave.placementBucket, `${contribution.prefix}${SUBSET_MANIFEST_NAME}`);
    // Teardown may have run while this job worked: what it wrote after the listing must go too.
    const after = await deps.db.enclave.findUniqueOrThrow({ where: { id: enclave.id } });
    if (after.state === "TORN_DOWN") await deletePrefix(store, enclave.placementBucket, contribution.prefix);
    return { status: finished ? "ready" : "already-ready", objects: objects.length };
  } finally {
    await store.close();
  }
}

async function markFailed(deps: EnclaveDeps, contribution: EnclaveContribution, error: string) {
  await deps.db.$transaction(async (tx) => {
    const updated = await tx.enclaveContribution.updateMany({ where: { id: contribution.id, state: { in: ["QUEUED", "MATERIALIZING"] } }, data: { state: "FAILED", error, finishedAt: deps.clock.now() } });
    if (updated.count === 1) await record(tx, contribution.enclaveId, deps.clock.now(), null, "contribution.failed", { contributionId: contribution.id, error });
  });
}

/** Deletes every object under a prefix; returns how many. */
export async function deletePrefix(store: { listObjects: import("@crossdock/providers").ObjectStore["listObjects"]; deleteObjects: import("@crossdock/providers").ObjectStore["deleteObjects"] }, bucket: string, prefix: string) {
  let deleted = 0;
  for (;;) {
    const keys: string[] = [];
    try {
      for await (const page of store.listObjects(bucket, { prefix, pageSize: 1000 })) {
        keys.push(...page.objects.map((o) => o.key));
        if (keys.length >= 1000) break;
      }
    } catch (error) {
      // No bucket, nothing to delete.
      if (isObjectStoreError(error) && error.kind === "BucketNotFound") return deleted;
      throw error;
    }
    if (keys.length === 0) return deleted;
    const result = await store.deleteObjects(bucket, keys);
    if (result.errors.length) throw result.errors[0]!.error;
    // A store that reports nothing deleted would loop forever: stop and let the caller's verification say so.
    if (result.deleted.length === 0) return deleted;
    deleted += result.deleted.length;
  }
}

// Subsets and their versions. A version is never changed: editing a subset adds the next version, so
// what was materialized (and shared) from an older version stays linked to exactly what produced it.
import { randomUUID } from "node:crypto";
import type { Keyring, Subset, SubsetVersion, TenantDb } from "@crossdock/db";
import { parseDefinition, type SubsetDefinition, type SubsetDefinitionInput } from "./definition.ts";
import { SubsetError } from "./errors.ts";
import { newSubsetSecret, sealSubsetSecret } from "./secret.ts";

async function checkSource(tenant: TenantDb, definition: SubsetDefinition) {
  const account = await tenant.storageAccounts.findUnique({ where: { id: definition.sourceAccountId } });
  if (!account) throw new SubsetError("NotFound", "No storage account with that id in this organization.");
  return account;
}

function versionData(definition: SubsetDefinition) {
  return {
    sourceAccountId: definition.sourceAccountId,
    sourceBucket: definition.sourceBucket,
    prefixes: definition.prefixes,
    selection: definition.selection,
    rules: definition.rules as object,
    passThrough: definition.passThrough,
    acknowledged: definition.acknowledged,
    quasiIdentifiers: definition.quasiIdentifiers,
    kThreshold: definition.kThreshold,
    note: definition.note,
  };
}

/** A new subset with a fresh sealed secret and its version 1. */
export async function createSubset(
  tenant: TenantDb,
  input: { name: string; description?: string; definition: SubsetDefinitionInput; createdById?: string | null; keyring?: Keyring },
): Promise<{ subset: Subset; version: SubsetVersion }> {
  const definition = parseDefinition(input.definition);
  await checkSource(tenant, definition);
  const id = randomUUID();
  const sealed = sealSubsetSecret({ id, organizationId: tenant.organizationId }, newSubsetSecret(), input.keyring);
  const subset = await tenant.subsets.create({
    data: {
      id,
      organizationId: tenant.organizationId,
      name: input.name,
      description: input.description ?? "",
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
      latestVersion: 1,
      createdById: input.createdById ?? null,
    },
  });
  const version = await tenant.subsetVersions.create({
    data: { organizationId: tenant.organizationId, subsetId: id, number: 1, createdById: input.createdById ?? null, ...versionData(definition) },
  });
  return { subset, version };
}

/** Saves an edit as the subset's next version (the previous ones stay as they were). */
export async function createVersion(tenant: TenantDb, subsetId: string, input: SubsetDefinitionInput, createdById?: string | null): Promise<SubsetVersion> {
  const definition = parseDefinition(input);
  const existing = await tenant.subsets.findUnique({ where: { id: subsetId } });
  if (!existing) throw new SubsetError("NotFound", "No subset with that id in this organization.");
  await checkSource(tenant, definition);
  // The increment is atomic: two concurrent edits get two numbers (and the unique index backs it up).
  const { latestVersion } = await tenant.subsets.update({ where: { id: subsetId }, data: { latestVersion: { increment: 1 } } });
  return tenant.subsetVersions.create({
    data: { organizationId: tenant.organizationId, subsetId, number: latestVersion, createdById: createdById ?? null, ...versionData(definition) },
  });
}

export async function latestVersion(tenant: TenantDb, subsetId: string): Promise<{ subset: Subset; version: SubsetVersion }> {
  const subset = await tenant.subsets.findUnique({ where: { id: subsetId } });
  if (!subset) throw new SubsetError("NotFound", "No subset with that id in this organization.");
  const version = await tenant.subsetVersions.findFirst({ where: { subsetId, number: subset.latestVersion } });
  if (!version) throw new SubsetError("NotFound", "The subset has no versions.");
  return { subset, version };
}

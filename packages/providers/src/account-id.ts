// An account's identity computed from its configuration alone, without loading its SDK: stores with equal
// ids may copy server-side between each other, whether or not their SDK has been loaded yet.
import path from "node:path";
import type { AzureAccountConfig, GcsAccountConfig, ObjectStoreConfig, S3AccountConfig } from "./config.ts";

export function s3Endpoint(config: Pick<S3AccountConfig, "endpoint"> & { region?: string }): string {
  return config.endpoint ?? `https://s3.${config.region ?? "us-east-1"}.amazonaws.com`;
}

export function gcsEndpoint(config: Pick<GcsAccountConfig, "emulatorHost" | "apiEndpoint">): string {
  return (config.emulatorHost ?? config.apiEndpoint ?? "https://storage.googleapis.com").replace(/\/$/, "");
}

/** The Blob service URL an Azure configuration reaches (what BlobServiceClient.url would say). */
export function azureServiceUrl(config: Pick<AzureAccountConfig, "connectionString" | "endpoint" | "accountName">): string {
  if (config.connectionString) {
    const fields = new Map<string, string>();
    for (const part of config.connectionString.split(";")) {
      const at = part.indexOf("=");
      if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
    }
    if (fields.get("usedevelopmentstorage") === "true") return "http://127.0.0.1:10000/devstoreaccount1";
    const blobEndpoint = fields.get("blobendpoint");
    if (blobEndpoint) return blobEndpoint.replace(/\/$/, "");
    return `${fields.get("defaultendpointsprotocol") ?? "https"}://${fields.get("accountname")}.blob.${fields.get("endpointsuffix") ?? "core.windows.net"}`;
  }
  return (config.endpoint ?? `https://${config.accountName}.blob.core.windows.net`).replace(/\/$/, "");
}

export function accountIdOf(config: ObjectStoreConfig): string {
  switch (config.provider) {
    case "s3":
      return `s3:${s3Endpoint(config)}:${config.accessKeyId}`;
    case "azure":
      return `azure:${azureServiceUrl(config)}`;
    case "gcs":
      return `gcs:${gcsEndpoint(config)}:${config.projectId}`;
    case "local":
      return `local:${path.resolve(config.rootDir)}`;
  }
}

// What each provider can do, as the UI and the migration planner should assume it.
import { MAX_KEY_BYTES } from "./keys.ts";
import { METADATA_RULES } from "./metadata.ts";
import type { ProviderCapabilities, ProviderName } from "./object-store.ts";
import { MiB } from "./parts.ts";

function metadataOf(provider: ProviderName): ProviderCapabilities["userMetadata"] {
  const r = METADATA_RULES[provider];
  return { maxTotalBytes: r.maxTotalBytes, namePattern: r.namePattern.source, caseInsensitive: r.caseInsensitive, asciiValuesOnly: r.asciiValuesOnly };
}

const CAPABILITIES: Record<ProviderName, ProviderCapabilities> = {
  s3: {
    provider: "s3",
    displayName: "Amazon S3 and S3-compatible (MinIO, Wasabi, Spaces, R2)",
    createBucket: true,
    batchDelete: true,
    nativeStartAfter: true,
    serverSideCopy: true,
    readCarriesMetadata: true,
    listingOrder: "utf8-bytes",
    hashes: { md5: "single-part-only", crc32c: "never" },
    maxKeyBytes: MAX_KEY_BYTES.s3,
    userMetadata: metadataOf("s3"),
    multipart: { minPartSize: 5 * MiB, maxPartSize: 5 * 1024 * MiB, maxParts: 10_000 },
  },
  azure: {
    provider: "azure",
    displayName: "Azure Blob Storage",
    createBucket: true,
    batchDelete: false,
    // Flat listings use the service's startFrom; hierarchical ones filter client side.
    nativeStartAfter: true,
    serverSideCopy: true,
    readCarriesMetadata: false,
    listingOrder: "utf8-bytes",
    hashes: { md5: "when-set", crc32c: "never" },
    maxKeyBytes: MAX_KEY_BYTES.azure,
    userMetadata: metadataOf("azure"),
    multipart: { minPartSize: 1, maxPartSize: 4000 * MiB, maxParts: 50_000 },
  },
  gcs: {
    provider: "gcs",
    displayName: "Google Cloud Storage",
    createBucket: true,
    batchDelete: false,
    nativeStartAfter: true,
    serverSideCopy: true,
    readCarriesMetadata: false,
    listingOrder: "utf8-bytes",
    hashes: { md5: "single-part-only", crc32c: "always" },
    maxKeyBytes: MAX_KEY_BYTES.gcs,
    userMetadata: metadataOf("gcs"),
    // Resumable uploads: chunks must be multiples of 256 KiB; no part count limit.
    multipart: { minPartSize: 256 * 1024, maxPartSize: 5 * 1024 * 1024 * MiB, maxParts: Number.MAX_SAFE_INTEGER },
  },
  local: {
    provider: "local",
    displayName: "Local disk",
    createBucket: true,
    batchDelete: false,
    nativeStartAfter: true,
    serverSideCopy: true,
    readCarriesMetadata: false,
    listingOrder: "utf8-bytes",
    hashes: { md5: "always", crc32c: "always" },
    maxKeyBytes: MAX_KEY_BYTES.local,
    userMetadata: metadataOf("local"),
    multipart: { minPartSize: 1, maxPartSize: Number.MAX_SAFE_INTEGER, maxParts: Number.MAX_SAFE_INTEGER },
  },
};

export function describeCapabilities(provider: ProviderName): ProviderCapabilities {
  return structuredClone(CAPABILITIES[provider]);
}

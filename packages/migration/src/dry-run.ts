// "What would this migration cost?": objects, bytes, egress and time, from one streamed listing.
import { relativeKey } from "@crossdock/policy";
import type { ObjectStore, ProviderName } from "@crossdock/providers";
import { parseMigrationOptions, selectionOf, type MigrationOptionsInput } from "./options.ts";

/** USD per GB (2^30 bytes) leaving each provider for the internet. */
export type EgressPriceTable = Record<ProviderName, number>;

/** First-tier internet egress list prices. Same provider, same region: free. */
export const DEFAULT_EGRESS_PRICES: EgressPriceTable = { s3: 0.09, azure: 0.087, gcs: 0.12, local: 0 };

export interface DryRunInput {
  sourceBucket: string;
  sourcePrefix?: string;
  sourceRegion?: string;
  destProvider: ProviderName;
  destRegion?: string;
  options?: MigrationOptionsInput;
  /** Expected sustained throughput for the time estimate. Default 50 MiB/s. */
  throughputBytesPerSec?: number;
  signal?: AbortSignal;
}

export interface DryRunEstimate {
  objects: number;
  bytes: number;
  /** Listed but left out by the selection. */
  excludedObjects: number;
  excludedBytes: number;
  pricePerGB: number;
  egressUsd: number;
  /** True when the copy stays inside one provider's region (no egress charge). */
  freeEgress: boolean;
  throughputBytesPerSec: number;
  estimatedSeconds: number;
}

const GB = 1024 ** 3;

export function egressPricePerGB(table: EgressPriceTable, source: { provider: ProviderName; region?: string }, destination: { provider: ProviderName; region?: string }): number {
  const sameRegion = source.provider === destination.provider && (source.region ?? "") === (destination.region ?? "");
  return sameRegion ? 0 : table[source.provider];
}

export async function dryRun(store: ObjectStore, input: DryRunInput, priceTable: EgressPriceTable = DEFAULT_EGRESS_PRICES): Promise<DryRunEstimate> {
  const selection = selectionOf(parseMigrationOptions(input.options ?? {}));
  const prefix = input.sourcePrefix ?? "";
  let objects = 0;
  let bytes = 0;
  let excludedObjects = 0;
  let excludedBytes = 0;
  for await (const page of store.listObjects(input.sourceBucket, { prefix: prefix || undefined, signal: input.signal })) {
    for (const o of page.objects) {
      if (selection.matches({ key: relativeKey(o.key, prefix), size: o.size, lastModified: o.lastModified })) {
        objects++;
        bytes += o.size;
      } else {
        excludedObjects++;
        excludedBytes += o.size;
      }
    }
  }
  const pricePerGB = egressPricePerGB(priceTable, { provider: store.provider, region: input.sourceRegion }, { provider: input.destProvider, region: input.destRegion });
  const throughputBytesPerSec = input.throughputBytesPerSec ?? 50 * 1024 * 1024;
  return {
    objects,
    bytes,
    excludedObjects,
    excludedBytes,
    pricePerGB,
    egressUsd: Math.round((bytes / GB) * pricePerGB * 100) / 100,
    freeEgress: pricePerGB === 0,
    throughputBytesPerSec,
    estimatedSeconds: Math.ceil(bytes / throughputBytesPerSec),
  };
}

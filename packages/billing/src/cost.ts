// Cost estimates: egress of what moved (first-tier internet egress by source provider; same provider and region is
// free) and storage of what is held. Egress prices follow the dry run's convention (USD per GB of 2^30 bytes).
import type { Db } from "@crossdock/db";
import { DEFAULT_EGRESS_PRICES, egressPricePerGB, type EgressPriceTable } from "@crossdock/migration";
import type { ProviderName } from "@crossdock/providers";

export const PROVIDERS: ProviderName[] = ["s3", "azure", "gcs", "local"];
const GiB = 1024 ** 3;

/** List prices, USD per GB-month of standard/hot storage. */
export const DEFAULT_STORAGE_PRICES: Record<ProviderName, number> = { s3: 0.023, azure: 0.018, gcs: 0.02, local: 0 };

/** The organization's egress price table (its negotiated prices over the defaults). */
export async function organizationEgressPrices(db: Db, organizationId: string): Promise<{ prices: EgressPriceTable; defaults: EgressPriceTable; custom: boolean }> {
  const org = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { egressPrices: true } });
  const custom = (org.egressPrices ?? null) as Partial<EgressPriceTable> | null;
  return { prices: { ...DEFAULT_EGRESS_PRICES, ...custom }, defaults: DEFAULT_EGRESS_PRICES, custom: custom !== null };
}

export interface Route {
  sourceProvider: string;
  sourceRegion: string;
  destProvider: string;
  destRegion: string;
}

const asProvider = (p: string): ProviderName => (PROVIDERS.includes(p as ProviderName) ? (p as ProviderName) : "s3");

/** Estimated egress (USD) of `bytes` moved along `route`. */
export function egressUsd(route: Route, bytes: number, prices: EgressPriceTable): number {
  const price = egressPricePerGB(prices, { provider: asProvider(route.sourceProvider), region: route.sourceRegion || undefined }, { provider: asProvider(route.destProvider), region: route.destRegion || undefined });
  return (bytes / GiB) * price;
}

/** Estimated monthly storage cost (USD) of `bytes` held at `provider`. */
export const storageUsdPerMonth = (provider: string, bytes: number) => (bytes / GiB) * (DEFAULT_STORAGE_PRICES[asProvider(provider)] ?? 0);

/** Estimates keep micro-dollars, so the page can say "under $0.01" rather than $0.00 for small copies. */
export const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;

// Where an organization lets its collaboration enclaves keep data, and for how long. Pure: the web app
// checks a placement before creating an enclave, the create form shows the same reasons.
import type { Decision } from "../access/roles.ts";

export const placementProviders = ["s3", "azure", "gcs", "local"] as const;
export type PlacementProvider = (typeof placementProviders)[number];

export interface PlacementPolicy {
  /** Providers an enclave's data may live on; empty or absent = any. */
  allowedProviders?: PlacementProvider[];
  /**
   * Region patterns (exact names or a trailing `*`, compared case-insensitively: "us-*", "eastus");
   * empty or absent = any region, including an unknown one.
   */
  allowedRegions?: string[];
  /** Longest an enclave may last, start to end, in hours. */
  maxDurationHours: number;
}

export const DEFAULT_MAX_ENCLAVE_HOURS = 90 * 24;
/** Hard ceiling whatever an organization configures: an enclave is time-boxed by definition. */
export const ABSOLUTE_MAX_ENCLAVE_HOURS = 366 * 24;

export const defaultPlacementPolicy: PlacementPolicy = { maxDurationHours: DEFAULT_MAX_ENCLAVE_HOURS };

/** Named presets the settings offer; "US regions only" is the common data-residency ask. */
export const placementPresets = {
  any: { maxDurationHours: DEFAULT_MAX_ENCLAVE_HOURS },
  "us-only": { allowedRegions: ["us-*", "eastus*", "westus*", "centralus", "northcentralus", "southcentralus", "westcentralus", "us"], maxDurationHours: DEFAULT_MAX_ENCLAVE_HOURS },
  "eu-only": { allowedRegions: ["eu-*", "europe-*", "northeurope", "westeurope", "francecentral", "germanywestcentral", "eu"], maxDurationHours: DEFAULT_MAX_ENCLAVE_HOURS },
} satisfies Record<string, PlacementPolicy>;

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

function regionMatches(region: string, pattern: string) {
  const r = region.toLowerCase();
  const p = pattern.trim().toLowerCase();
  return p.endsWith("*") ? r.startsWith(p.slice(0, -1)) : r === p;
}

/** Reads a stored policy (JSON column), falling back to the defaults for what is missing or malformed. */
export function parsePlacementPolicy(value: unknown): PlacementPolicy {
  if (!value || typeof value !== "object") return defaultPlacementPolicy;
  const v = value as Record<string, unknown>;
  const providers = Array.isArray(v.allowedProviders) ? v.allowedProviders.filter((p): p is PlacementProvider => placementProviders.includes(p as PlacementProvider)) : undefined;
  const regions = Array.isArray(v.allowedRegions) ? v.allowedRegions.filter((r): r is string => typeof r === "string" && r.trim() !== "") : undefined;
  const hours = typeof v.maxDurationHours === "number" && v.maxDurationHours > 0 ? Math.min(v.maxDurationHours, ABSOLUTE_MAX_ENCLAVE_HOURS) : DEFAULT_MAX_ENCLAVE_HOURS;
  return { ...(providers?.length ? { allowedProviders: providers } : {}), ...(regions?.length ? { allowedRegions: regions } : {}), maxDurationHours: hours };
}

export interface Placement {
  provider: PlacementProvider;
  /** The account's region as configured; null when the account does not say. */
  region: string | null;
}

export function checkPlacement(policy: PlacementPolicy, placement: Placement): Decision {
  if (policy.allowedProviders?.length && !policy.allowedProviders.includes(placement.provider)) {
    return deny(`Placement outside the policy: this organization keeps enclave data only on ${policy.allowedProviders.join(", ")}, not ${placement.provider}.`);
  }
  if (policy.allowedRegions?.length) {
    if (!placement.region) return deny(`Placement outside the policy: enclave data must stay in ${policy.allowedRegions.join(", ")}, and this account does not declare a region.`);
    if (!policy.allowedRegions.some((p) => regionMatches(placement.region!, p))) {
      return deny(`Placement outside the policy: region ${placement.region} is not one of ${policy.allowedRegions.join(", ")}.`);
    }
  }
  return allow;
}

const HOUR = 3_600_000;

/** An enclave's time box: it ends after it starts, lasts at most the policy's maximum, and ends in the future. */
export function checkEnclaveWindow(policy: PlacementPolicy, startsAt: Date, endsAt: Date, now: Date): Decision {
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) return deny("Enter a valid start and end.");
  if (endsAt <= startsAt) return deny("The enclave must end after it starts.");
  if (endsAt <= now) return deny("The enclave's end is already in the past.");
  const hours = (endsAt.getTime() - startsAt.getTime()) / HOUR;
  if (hours > policy.maxDurationHours) {
    return deny(`An enclave may last at most ${formatHours(policy.maxDurationHours)}; this one would last ${formatHours(hours)}.`);
  }
  return allow;
}

/** Extending keeps the start: the new end must be later than the current one and within the maximum. */
export function checkEnclaveExtension(policy: PlacementPolicy, startsAt: Date, currentEnd: Date, newEnd: Date, now: Date): Decision {
  if (currentEnd <= now) return deny("The enclave has ended; it cannot be extended.");
  if (newEnd <= currentEnd) return deny("The new end must be later than the current end.");
  return checkEnclaveWindow(policy, startsAt, newEnd, now);
}

export function formatHours(hours: number) {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const whole = Math.round(hours);
  if (whole < 48) return plural(Math.round(hours * 10) / 10, "hour");
  const days = Math.floor(whole / 24);
  const rest = whole % 24;
  return rest ? `${plural(days, "day")} ${plural(rest, "hour")}` : plural(days, "day");
}

import { describe, expect, it } from "vitest";
import {
  checkEnclaveExtension, checkEnclaveWindow, checkPlacement, defaultPlacementPolicy, enclaveAllows, parsePlacementPolicy, placementPresets,
} from "../src/index.ts";

const now = new Date("2026-11-22T12:00:00Z");
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);

describe("placement", () => {
  it("accepts any provider and region when the policy says nothing", () => {
    expect(checkPlacement(defaultPlacementPolicy, { provider: "azure", region: null }).allowed).toBe(true);
    expect(checkPlacement(defaultPlacementPolicy, { provider: "s3", region: "eu-west-1" }).allowed).toBe(true);
  });

  it("keeps 'US regions only' to US regions, and refuses an account that does not say its region", () => {
    const us = placementPresets["us-only"];
    expect(checkPlacement(us, { provider: "s3", region: "us-east-1" }).allowed).toBe(true);
    expect(checkPlacement(us, { provider: "azure", region: "EastUS2" }).allowed).toBe(true);
    expect(checkPlacement(us, { provider: "s3", region: "eu-west-1" })).toEqual({ allowed: false, reason: expect.stringContaining("region eu-west-1 is not one of") });
    expect(checkPlacement(us, { provider: "gcs", region: null })).toEqual({ allowed: false, reason: expect.stringContaining("does not declare a region") });
    // "us-*" is a prefix, not a substring: "aus-east" is not in the US.
    expect(checkPlacement(us, { provider: "s3", region: "aus-east" }).allowed).toBe(false);
  });

  it("limits providers", () => {
    const policy = { allowedProviders: ["s3" as const, "gcs" as const], maxDurationHours: 24 };
    expect(checkPlacement(policy, { provider: "gcs", region: "us" }).allowed).toBe(true);
    expect(checkPlacement(policy, { provider: "local", region: null })).toEqual({ allowed: false, reason: "Placement outside the policy: this organization keeps enclave data only on s3, gcs, not local." });
  });

  it("parses stored policies defensively", () => {
    expect(parsePlacementPolicy(null)).toEqual(defaultPlacementPolicy);
    expect(parsePlacementPolicy({ allowedProviders: ["s3", "ftp"], allowedRegions: ["", "us-*"], maxDurationHours: 10 ** 9 })).toEqual({
      allowedProviders: ["s3"], allowedRegions: ["us-*"], maxDurationHours: 366 * 24,
    });
    expect(parsePlacementPolicy({ maxDurationHours: -1 }).maxDurationHours).toBe(defaultPlacementPolicy.maxDurationHours);
  });
});

describe("enclave time box", () => {
  const policy = { maxDurationHours: 72 };
  it("needs an end after the start, in the future, within the maximum", () => {
    expect(checkEnclaveWindow(policy, now, hours(72), now).allowed).toBe(true);
    expect(checkEnclaveWindow(policy, hours(5), hours(1), now)).toEqual({ allowed: false, reason: "The enclave must end after it starts." });
    expect(checkEnclaveWindow(policy, hours(1), hours(1), now).allowed).toBe(false);
    expect(checkEnclaveWindow(policy, hours(-10), hours(-1), now)).toEqual({ allowed: false, reason: "The enclave's end is already in the past." });
    expect(checkEnclaveWindow(policy, now, hours(73), now)).toEqual({ allowed: false, reason: "An enclave may last at most 3 days; this one would last 3 days 1 hour." });
    expect(checkEnclaveWindow(policy, new Date("nope"), hours(1), now).allowed).toBe(false);
  });

  it("extends only forward, before the end, and within the maximum counted from the start", () => {
    expect(checkEnclaveExtension(policy, now, hours(24), hours(48), now).allowed).toBe(true);
    expect(checkEnclaveExtension(policy, now, hours(24), hours(12), now).allowed).toBe(false);
    expect(checkEnclaveExtension(policy, now, hours(24), hours(80), now).allowed).toBe(false);
    expect(checkEnclaveExtension(policy, hours(-48), hours(-1), hours(10), now)).toEqual({ allowed: false, reason: "The enclave has ended; it cannot be extended." });
  });
});

describe("enclave roles", () => {
  it("gives observers the audit log only, analysts reading, contributors contributing", () => {
    expect(enclaveAllows("OBSERVER", "audit.read").allowed).toBe(true);
    expect(enclaveAllows("OBSERVER", "objects.read")).toEqual({ allowed: false, reason: "As observer your organization cannot list or download the enclave's data in this enclave." });
    expect(enclaveAllows("ANALYST", "objects.read").allowed).toBe(true);
    expect(enclaveAllows("ANALYST", "contribute").allowed).toBe(false);
    expect(enclaveAllows("CONTRIBUTOR", "contribute").allowed).toBe(true);
    expect(enclaveAllows("HOST", "contribute").allowed).toBe(true);
  });
});

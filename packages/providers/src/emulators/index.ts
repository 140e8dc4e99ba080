// @crossdock/providers/emulators: local stand-ins for the clouds, for tests, benchmarks and the demo.
export * from "./emulators.ts";
export { KNOWN_GAPS, gapFor, type KnownGap, type GapTarget, type ConformanceCase } from "./known-gaps.ts";

// Which source objects a migration (or a subset) takes: key globs, a size range, a modified-since date.

import { compileGlob } from "./glob.ts";

export interface ObjectSelection {
  /** Keys (relative to the source prefix) must match one of these; empty or absent = every key. */
  include?: readonly string[];
  /** Keys matching any of these are left out, even when included. */
  exclude?: readonly string[];
  /** Inclusive size bounds in bytes. */
  minSize?: number;
  maxSize?: number;
  /** Only objects modified at or after this instant. Objects whose listing has no date are kept. */
  modifiedSince?: Date;
}

export interface SelectableObject {
  /** The key relative to the source prefix. */
  key: string;
  size: number;
  lastModified?: Date;
}

export interface CompiledSelection {
  /** True when nothing is filtered out (callers can skip per-object work). */
  readonly selectsEverything: boolean;
  /** The key filters alone: also what decides whether a destination extra may be deleted. */
  matchesKey(relativeKey: string): boolean;
  matches(object: SelectableObject): boolean;
}

export function compileSelection(selection: ObjectSelection = {}): CompiledSelection {
  const include = (selection.include ?? []).map(compileGlob);
  const exclude = (selection.exclude ?? []).map(compileGlob);
  const { minSize, maxSize, modifiedSince } = selection;
  const since = modifiedSince?.getTime();
  const matchesKey = (key: string) => (include.length === 0 || include.some((re) => re.test(key))) && !exclude.some((re) => re.test(key));
  return {
    selectsEverything: include.length === 0 && exclude.length === 0 && minSize === undefined && maxSize === undefined && since === undefined,
    matchesKey,
    matches(object) {
      if (minSize !== undefined && object.size < minSize) return false;
      if (maxSize !== undefined && object.size > maxSize) return false;
      if (since !== undefined && object.lastModified !== undefined && object.lastModified.getTime() < since) return false;
      return matchesKey(object.key);
    },
  };
}

/** The key relative to `prefix` (keys outside it are returned unchanged). */
export function relativeKey(key: string, prefix: string): string {
  return prefix && key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

// Turns a key-ordered stream of entries into ObjectPages, applying delimiter roll-up and start-after.
import { compareKeys } from "./keys.ts";
import type { ObjectPage, ObjectSummary } from "./object-store.ts";

export type ListingEntry = { object: ObjectSummary } | { commonPrefix: string };

/** Keeps a common prefix that may still hold keys after `startAfter` (as S3 does). */
export function prefixAfter(prefix: string, startAfter: string | undefined): boolean {
  return startAfter === undefined || compareKeys(prefix, startAfter) > 0 || startAfter.startsWith(prefix);
}

export function keyAfter(key: string, startAfter: string | undefined): boolean {
  return startAfter === undefined || compareKeys(key, startAfter) > 0;
}

/** Groups entries into pages of at most `pageSize`; keys containing the delimiter after `prefix` roll up. */
export async function* paginate(
  entries: AsyncIterable<ListingEntry>,
  options: { prefix?: string; delimiter?: string; startAfter?: string; pageSize: number },
): AsyncGenerator<ObjectPage> {
  const prefix = options.prefix ?? "";
  let page: ObjectPage = { objects: [], commonPrefixes: [] };
  let lastPrefix: string | undefined;
  let count = 0;
  for await (const entry of entries) {
    if ("object" in entry) {
      const key = entry.object.key;
      if (!keyAfter(key, options.startAfter)) continue;
      if (options.delimiter) {
        const at = key.indexOf(options.delimiter, prefix.length);
        if (at >= 0) {
          const cp = key.slice(0, at + options.delimiter.length);
          if (cp === lastPrefix) continue;
          lastPrefix = cp;
          page.commonPrefixes.push(cp);
          count++;
        } else {
          page.objects.push(entry.object);
          count++;
        }
      } else {
        page.objects.push(entry.object);
        count++;
      }
    } else {
      if (entry.commonPrefix === lastPrefix || !prefixAfter(entry.commonPrefix, options.startAfter)) continue;
      lastPrefix = entry.commonPrefix;
      page.commonPrefixes.push(entry.commonPrefix);
      count++;
    }
    if (count >= options.pageSize) {
      yield page;
      page = { objects: [], commonPrefixes: [] };
      count = 0;
    }
  }
  if (count > 0) yield page;
}

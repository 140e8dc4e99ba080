// One matched object through the transforms of its kind, as a stream of output chunks. A malformed
// file throws (a SubsetError naming the file and line) before the stream ends.
import { DeidError, transformDelimited, transformJson, transformNdjson, transformVcf, type DeidInput, type DeidRules } from "@crossdock/policy";
import type { FileKind } from "./definition.ts";
import { fileError } from "./errors.ts";

export const contentTypes: Record<FileKind, string | undefined> = {
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
  ndjson: "application/x-ndjson",
  json: "application/json",
  vcf: "text/x-vcf",
  other: undefined,
};

export function transformObject(kind: FileKind, input: DeidInput, rules: DeidRules, secret: string): AsyncIterable<Uint8Array> {
  switch (kind) {
    case "csv":
      return transformDelimited(input, rules, { secret, delimiter: "," });
    case "tsv":
      return transformDelimited(input, rules, { secret, delimiter: "\t" });
    case "ndjson":
      return transformNdjson(input, rules, { secret });
    case "json":
      return transformJson(input, rules, { secret });
    case "vcf":
      return transformVcf(input, rules, { secret });
    case "other":
      throw new Error("files of kind other have no transforms");
  }
}

/** Rethrows a DeidError as a SubsetError naming the object. */
export async function* namingErrors<T>(source: AsyncIterable<T>, key: string): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw error instanceof DeidError ? fileError(error, key) : error;
  }
}

// The editor's views of one matched file: its first records before and after the rules (side by side),
// and the privacy report (k-anonymity of the transformed table over the quasi-identifiers the user marks).
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { DeidError, kAnonymity, previewTransform, readDelimited, transformVcf, type DeidRules, type KAnonymityResult, type Preview } from "@crossdock/policy";
import type { ObjectStore } from "@crossdock/providers";
import { fileKind, type FileKind } from "./definition.ts";
import { fileError, SubsetError } from "./errors.ts";
import { transformObject } from "./transform.ts";

/** How much of a file a preview reads (a JSON document must fit whole). */
const PREVIEW_BYTES = 1024 * 1024;
const VCF_LINES = 40;

export type FilePreview = Preview | { kind: "lines"; before: string[]; after: string[] } | { kind: "none"; reason: string };

async function firstLines(stream: AsyncIterable<Uint8Array | string>, count: number): Promise<string[]> {
  let text = "";
  for await (const chunk of stream) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (text.split("\n").length > count) break;
  }
  return text.split("\n").slice(0, count).filter((l, i, all) => l !== "" || i < all.length - 1);
}

/** The first rows (records, lines) of `key` before and after `rules`, under the subset's secret. */
export async function previewObject(store: ObjectStore, bucket: string, key: string, rules: DeidRules, secret: string, rows = 20): Promise<FilePreview> {
  const kind = fileKind(key);
  try {
    if (kind === "other") return { kind: "none", reason: "Files of this kind have no transforms: they are left out, or copied as they are when passed through." };
    if (kind === "vcf") {
      // Both sides plain text: the input is decompressed first, so the output comes out uncompressed too.
      const gz = /\.b?gz$/i.test(key);
      const open = async () => {
        const body = (await store.readObject(bucket, key)).body as Readable;
        return { body, plain: gz ? body.pipe(createGunzip()) : body };
      };
      const [a, b] = await Promise.all([open(), open()]);
      try {
        const before = await firstLines(a.plain, VCF_LINES);
        const after = await firstLines(transformVcf(b.plain, rules, { secret }), VCF_LINES);
        return { kind: "lines", before, after };
      } finally {
        a.body.destroy();
        b.body.destroy();
      }
    }
    const read = await store.readObject(bucket, key, kind === "json" ? {} : { range: { offset: 0, length: PREVIEW_BYTES } });
    if (kind === "json" && read.size > PREVIEW_BYTES) {
      (read.body as Readable).destroy();
      return { kind: "none", reason: "The JSON document is over 1 MiB: too large to preview." };
    }
    try {
      return await previewTransform(read.body as Readable, rules, {
        secret, rows,
        kind: kind === "csv" || kind === "tsv" ? "tabular" : kind,
        delimiter: kind === "tsv" ? "\t" : ",",
      });
    } finally {
      (read.body as Readable).destroy();
    }
  } catch (error) {
    if (error instanceof DeidError) throw fileError(error, key);
    throw error;
  }
}

export interface PrivacyReport extends KAnonymityResult {
  key: string;
  quasiIdentifiers: string[];
  /** Quasi-identifiers the transformed table does not have (dropped by the rules, or misspelled). */
  missing: string[];
  /** Rows were counted up to this limit only. */
  truncated: boolean;
}

/** k-anonymity of the *transformed* table `key` over `quasiIdentifiers` (output column names). */
export async function privacyReport(
  store: ObjectStore, bucket: string, key: string, rules: DeidRules, secret: string,
  options: { quasiIdentifiers: string[]; threshold: number; maxRows?: number },
): Promise<PrivacyReport> {
  const kind: FileKind = fileKind(key);
  if (kind !== "csv" && kind !== "tsv") throw new SubsetError("Invalid", "The privacy report reads a CSV or TSV table: choose one.");
  const maxRows = options.maxRows ?? 1_000_000;
  const read = await store.readObject(bucket, key);
  const delimiter = kind === "tsv" ? "\t" : ",";
  let header: string[] | undefined;
  let rows = 0;
  const limited = async function* () {
    for await (const record of readDelimited(transformObject(kind, read.body as Readable, rules, secret), { delimiter })) {
      header ??= Object.keys(record);
      if (++rows > maxRows) return;
      yield record;
    }
  };
  try {
    const result = await kAnonymity(limited(), options.quasiIdentifiers, { threshold: options.threshold });
    return { ...result, key, quasiIdentifiers: options.quasiIdentifiers, missing: options.quasiIdentifiers.filter((q) => header !== undefined && !header.includes(q)), truncated: rows > maxRows };
  } catch (error) {
    if (error instanceof DeidError) throw fileError(error, key);
    throw error;
  } finally {
    (read.body as Readable).destroy();
  }
}

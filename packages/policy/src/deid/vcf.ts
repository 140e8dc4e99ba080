// VCF, plain or gzip (BGZF too: it is multi-member gzip), detected by magic bytes. Sample ids in the
// #CHROM header become pseudonyms (the `hash` function, so they join with hashed patient ids); named
// INFO keys and FORMAT fields go, with their sample values and their ## meta lines. Gzip in, gzip out
// (plain gzip, not BGZF: a tabix index must be rebuilt by the recipient).

import { Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { DeidError } from "./errors.ts";
import { createKeyed } from "./keyed.ts";
import { defaultMaxLineBytes, pumpLines, toBytes, type DeidInput } from "./lines.ts";
import { assertValidRules, restrictedVcfMeta, type DeidOptions, type DeidRules } from "./rules.ts";

export interface VcfOptions extends DeidOptions {
  maxLineBytes?: number;
}

const FIXED_COLUMNS = 9; // #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT

/** Reads until `count` bytes are known; yields them (and the rest) back unchanged. */
async function peek(input: DeidInput, count: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = (async function* () {
    yield* input;
  })();
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < count) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const bytes = toBytes(next.value);
    parts.push(bytes);
    size += bytes.length;
  }
  const head = Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield toBytes(next.value);
    }
  }
  return { head, rest: rest() };
}

export const isGzip = (head: Uint8Array) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** Streams `source` through a zlib transform; source errors come out of the returned iterator unchanged. */
function throughZlib(source: AsyncIterable<Uint8Array>, zlib: Transform): AsyncIterable<Buffer> {
  pipeline(Readable.from(source, { objectMode: false }), zlib, () => {});
  return zlib;
}

async function* gunzipped(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  try {
    yield* throughZlib(source, createGunzip());
  } catch (error) {
    if (error instanceof DeidError) throw error;
    throw new DeidError("Malformed", `the gzip data is corrupt (${(error as { code?: string }).code ?? "unreadable"})`);
  }
}

function metaId(line: string): string | undefined {
  return /^##[^=]+=<(?:.*?,)?ID=([^,>]+)/.exec(line)?.[1];
}

async function* vcfLines(input: AsyncIterable<Uint8Array>, rules: DeidRules, options: VcfOptions): AsyncGenerator<Buffer> {
  const keyed = createKeyed(rules, options);
  const vcf = rules.vcf ?? {};
  const dropInfo = new Set(vcf.dropInfo ?? []);
  const dropFormat = new Set(vcf.dropFormat ?? []);
  const dropMeta = new Set([...restrictedVcfMeta, ...(vcf.dropMeta ?? [])]);
  const hashSamples = (vcf.samples ?? "hash") === "hash";
  let columns = 0;
  let out = "";
  // FORMAT strings repeat on every record: remember which positions each keeps.
  const formatPlans = new Map<string, { format: string; keep: number[] | undefined }>();
  const planFor = (format: string) => {
    let plan = formatPlans.get(format);
    if (!plan) {
      const keys = format.split(":");
      const keep = keys.flatMap((k, i) => (dropFormat.has(k) ? [] : [i]));
      plan = keep.length === keys.length ? { format, keep: undefined } : { format: keep.length === 0 ? "." : keep.map((i) => keys[i]).join(":"), keep };
      if (formatPlans.size < 1000) formatPlans.set(format, plan);
    }
    return plan;
  };

  const onLine = (raw: string, line: number) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text === "") return;
    if (text.startsWith("##")) {
      if (columns > 0) throw new DeidError("Malformed", "a ## meta line after the #CHROM header", line);
      const key = text.slice(2, text.indexOf("=") === -1 ? undefined : text.indexOf("="));
      if (dropMeta.has(key)) return;
      if (key === "INFO" && dropInfo.has(metaId(text) ?? "")) return;
      if (key === "FORMAT" && dropFormat.has(metaId(text) ?? "")) return;
      out += text + "\n";
      return;
    }
    if (text.startsWith("#")) {
      const cols = text.split("\t");
      if (cols[0] !== "#CHROM" || cols.length < 8) throw new DeidError("Malformed", "the #CHROM header line is not tab-separated VCF columns", line);
      if (columns > 0) throw new DeidError("Malformed", "a second #CHROM header", line);
      columns = cols.length;
      const samples = cols.slice(FIXED_COLUMNS).map((s) => (hashSamples ? keyed.pseudonym(s) : s));
      out += [...cols.slice(0, FIXED_COLUMNS), ...samples].join("\t") + "\n";
      return;
    }
    if (columns === 0) throw new DeidError("Malformed", "a data line before the #CHROM header", line);
    const cols = text.split("\t");
    if (cols.length !== columns) throw new DeidError("Malformed", `record has ${cols.length} columns, the header has ${columns}`, line);
    if (dropInfo.size > 0 && cols[7] !== ".") {
      const kept = cols[7]!.split(";").filter((entry) => !dropInfo.has(entry.split("=", 1)[0]!));
      cols[7] = kept.length === 0 ? "." : kept.join(";");
    }
    if (dropFormat.size > 0 && columns > FIXED_COLUMNS - 1 && cols[8] !== undefined) {
      const plan = planFor(cols[8]);
      if (plan.keep) {
        const keep = plan.keep;
        cols[8] = plan.format;
        for (let s = FIXED_COLUMNS; s < cols.length; s++) {
          const values = cols[s]!.split(":");
          const kept = keep.filter((i) => i < values.length).map((i) => values[i]);
          cols[s] = kept.length === 0 ? "." : kept.join(":");
        }
      }
    }
    out += cols.join("\t") + "\n";
  };

  const take = () => {
    const text = out;
    out = "";
    return text;
  };
  yield* pumpLines(input, options.maxLineBytes ?? defaultMaxLineBytes, onLine, take, () => {
    if (columns === 0) throw new DeidError("Malformed", "no #CHROM header line");
  });
}

export async function* transformVcf(input: DeidInput, rules: DeidRules, options: VcfOptions): AsyncGenerator<Buffer> {
  assertValidRules(rules);
  createKeyed(rules, options); // fail on a bad secret before reading anything
  const { head, rest } = await peek(input, 2);
  if (!isGzip(head)) return yield* vcfLines(rest, rules, options);
  yield* throughZlib(vcfLines(gunzipped(rest), rules, options), createGzip());
}

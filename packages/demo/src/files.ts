// Small encoders for the demo data set's file kinds.
import { createCipheriv } from "node:crypto";
import { Readable } from "node:stream";
import { crc32, deflateSync, gzipSync } from "node:zlib";
import type { Random } from "./random.ts";

export function csv(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

/** A valid grayscale PNG of `size` x `size` pixels: a noisy disc, like a scan slice. */
export function png(random: Random, size = 48): Buffer {
  const raw = Buffer.alloc((size + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - size / 2, y - size / 2) / (size / 2);
      raw[y * (size + 1) + 1 + x] = d < 0.9 ? Math.min(255, Math.round(200 - d * 120 + random.int(-25, 25))) : random.int(0, 20);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

const bases = ["A", "C", "G", "T"] as const;

/** A VCF 4.2 file with the given sample ids in its header (identifiers the subsets issue pseudonymizes). */
export function vcf(random: Random, samples: string[], variants: number): string {
  const lines = [
    "##fileformat=VCFv4.2",
    "##source=CrossdockDemoSynthetic",
    "##reference=GRCh38",
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##INFO=<ID=SITE,Number=1,Type=String,Description="Sequencing site">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", ...samples].join("\t"),
  ];
  let pos = random.int(10_000, 20_000);
  for (let i = 0; i < variants; i++) {
    pos += random.int(50, 5_000);
    const ref = random.pick(bases);
    const alt = random.pick(bases.filter((b) => b !== ref));
    const genotypes = samples.map(() => `${random.pick(["0/0", "0/1", "1/1"])}:${random.int(8, 80)}`);
    lines.push(["chr" + random.int(1, 22), pos, `rs${random.int(1_000, 9_999_999)}`, ref, alt, random.int(30, 99), "PASS", `DP=${random.int(100, 900)};AF=${random.next().toFixed(3)};SITE=Riverside`, "GT:DP", ...genotypes].join("\t"));
  }
  return lines.join("\n") + "\n";
}

export const gzip = (text: string) => gzipSync(Buffer.from(text));

/** `size` deterministic pseudo-random bytes, streamed (AES-CTR over zeros: fast, and never held in memory). */
export function binaryStream(seed: number, size: number, chunkSize = 1 << 20): Readable {
  const key = Buffer.alloc(32, seed & 0xff);
  key.writeUInt32BE(seed >>> 0, 0);
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunkSize);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunkSize);
      left -= n;
      this.push(cipher.update(n === chunkSize ? zeros : zeros.subarray(0, n)));
    },
  });
}

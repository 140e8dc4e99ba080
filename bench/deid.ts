// De-identification benchmark: transformDelimited over a large synthetic patients CSV on disk
// (file read stream -> transform -> file write stream), next to a plain stream copy of the same file.
// Run: node --import tsx bench/deid.ts [--mib=1024] [--dir=/tmp/crossdock-bench-deid] [--keep]
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { transformDelimited, type DeidRules } from "../packages/policy/src/index.ts";

const MiB = 1024 * 1024;
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const SIZE = Number(arg("mib", "1024")) * MiB;
const DIR = arg("dir", path.join(os.tmpdir(), "crossdock-bench-deid"));
const KEEP = process.argv.includes("--keep");
const READ_CHUNK = MiB;

const rules: DeidRules = {
  dateShift: { maxDays: 180 },
  tabular: {
    columns: {
      patient_id: { action: "hash" },
      mrn: { action: "hash" },
      birth_date: { action: "generalize", to: "year", aggregateBefore: 1935 },
      age: { action: "generalize", to: "age" },
      sex: { action: "keep" },
      state: { action: "keep" },
      zip: { action: "generalize", to: "zip3" },
      admission_date: { action: "dateShift", subject: "patient_id" },
      primary_diagnosis: { action: "keep" },
      note: { action: "redact", namesFrom: ["first_name", "last_name"] },
      // first_name, last_name, address, phone, email, ssn: dropped by default
    },
  },
};

/** Rows like the demo's patients.csv, plus a short free-text note; 1 MiB of text per chunk. */
function syntheticCsv(size: number): Readable {
  const first = ["Ava", "Liam", "Noah", "Emma", "Zoë", "José", "Søren", "Priya"];
  const last = ["Okafor", "García", "Nguyen", "Müller", "O'Brien", "Kim", "Rossi"];
  const zips = ["021", "036", "059", "820", "587", "102"];
  let written = 0;
  let row = 0;
  const header = "patient_id,mrn,first_name,last_name,birth_date,age,sex,address,state,zip,phone,email,ssn,admission_date,primary_diagnosis,note\n";
  return new Readable({
    read() {
      if (written >= size) return void this.push(null);
      let text = written === 0 ? header : "";
      while (text.length < MiB) {
        const i = row++;
        const f = first[i % first.length]!;
        const l = last[(i * 7) % last.length]!;
        const id = `P${String(i % 2_000_000).padStart(7, "0")}`;
        const birth = `19${String(20 + (i % 80)).padStart(2, "0")}-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
        const phone = `(617) 555-${String(i % 10_000).padStart(4, "0")}`;
        text += `${id},MRN-${String(i * 7919 % 100_000_000).padStart(8, "0")},${f},${l},${birth},${105 - (i % 80)},${i % 2 ? "F" : "M"},${i % 9999} Maple Ave,MA,${zips[i % zips.length]}${String(i % 100).padStart(2, "0")},${phone},p${i}@example.com,9${String(i % 100).padStart(2, "0")}-12-${String(i % 10_000).padStart(4, "0")},2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")},I21.4,"${f} ${l} seen; call ${phone}, ""ok"""\n`;
      }
      const bytes = Buffer.from(text);
      written += bytes.length;
      this.push(bytes);
    },
  });
}

/** Peak RSS while `work` runs (sampled every 50 ms), its duration, and the CPU time it used (a figure other load on the machine disturbs less). */
async function measure(work: () => Promise<void>): Promise<{ seconds: number; cpuSeconds: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, peakRss };
}

mkdirSync(DIR, { recursive: true });
const source = path.join(DIR, "patients.csv");
const copied = path.join(DIR, "copy.csv");
const deidentified = path.join(DIR, "deidentified.csv");
try {
  const gen = await measure(() => pipeline(syntheticCsv(SIZE), createWriteStream(source)));
  const bytes = statSync(source).size;
  const mb = bytes / 1e6;
  console.log(`generated ${(bytes / MiB).toFixed(0)} MiB of CSV in ${gen.seconds.toFixed(1)} s (${DIR})`);

  const copy = await measure(() => pipeline(createReadStream(source, { highWaterMark: READ_CHUNK }), createWriteStream(copied)));
  const deid = await measure(() => pipeline(transformDelimited(createReadStream(source, { highWaterMark: READ_CHUNK }), rules, { secret: "bench-secret-0123456789abcdef" }), createWriteStream(deidentified)));
  const outMiB = statSync(deidentified).size / MiB;

  const rate = (s: number) => mb / s;
  console.log("");
  console.log(`input                ${(bytes / MiB).toFixed(0)} MiB, node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}`);
  console.log(`load average         ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (${os.cpus().length} cores): other work on the machine lowers wall-clock figures`);
  console.log(`plain stream copy    ${copy.seconds.toFixed(2)} s   ${rate(copy.seconds).toFixed(0).padStart(5)} MB/s   (${rate(copy.cpuSeconds).toFixed(0)} MB/s of CPU time)   peak RSS ${(copy.peakRss / MiB).toFixed(0)} MiB`);
  console.log(`transformDelimited   ${deid.seconds.toFixed(2)} s   ${rate(deid.seconds).toFixed(0).padStart(5)} MB/s   (${rate(deid.cpuSeconds).toFixed(0)} MB/s of CPU time)   peak RSS ${(deid.peakRss / MiB).toFixed(0)} MiB   output ${outMiB.toFixed(0)} MiB`);
  console.log(`ratio                transform / copy throughput = ${(copy.seconds / deid.seconds).toFixed(3)} (copy is ${(deid.seconds / copy.seconds).toFixed(1)}x faster)`);
  console.log(`process max RSS      ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  if (!KEEP) rmSync(DIR, { recursive: true, force: true });
}

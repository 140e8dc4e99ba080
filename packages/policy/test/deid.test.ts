// End to end on a synthetic study generated here: patients, encounters, notes (NDJSON and JSON) and
// VCFs full of identifiers. After the transforms no identifier may survive, byte for byte.
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  daysBetween,
  filterMetadata,
  pseudonymizeKey,
  readDelimited,
  transformDelimited,
  transformJson,
  transformNdjson,
  transformVcf,
  type DeidInput,
  type DeidRules,
} from "../src/index.ts";

// ---- the synthetic study -------------------------------------------------------------------------

function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { next, int, pick };
}

const firstNames = ["Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Amara", "Chen", "Hiroshi", "Fatima", "Lukas", "Zoë", "José", "Ngozi", "Priya", "Mikhail", "Aoife", "Søren", "Yasmin"];
const lastNames = ["Okafor", "García", "Nguyen", "Schmidt", "Kowalski", "O'Brien", "Haddad", "Tanaka", "Rossi", "Andersson", "Patel", "Dubois", "Müller", "Silva", "Kim", "Novak", "Cohen", "Ibrahim", "Larsen", "Moreau"];
const cities: [string, string, string][] = [
  ["Boston", "MA", "021"], ["Providence", "RI", "029"], ["Hartford", "CT", "061"], ["Lebanon", "NH", "036"], ["Bangor", "ME", "059"],
  ["Poughkeepsie", "NY", "102"], ["Valentine", "NE", "692"], ["Socorro", "NM", "878"], ["Ely", "NV", "893"], ["Cheyenne", "WY", "820"],
];
const streets = ["Maple Ave", "Harbor Rd", "Elm St", "Riverside Dr", "Cedar Ln"];
const pad = (n: number, w: number) => String(n).padStart(w, "0");
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

interface Patient {
  id: string;
  mrn: string;
  first: string;
  last: string;
  birth: string;
  age: number;
  address: string;
  city: string;
  state: string;
  zip: string;
  phone: string;
  email: string;
  ssn: string;
}

function study(count = 240) {
  const r = random(4242);
  const patients: Patient[] = Array.from({ length: count }, (_, i) => {
    const first = firstNames[i % firstNames.length]!;
    const last = r.pick(lastNames);
    const age = i % 17 === 0 ? r.int(90, 103) : r.int(19, 89);
    const [city, state, zip3] = r.pick(cities);
    return {
      id: `P${pad(i + 1, 6)}`,
      mrn: `MRN-${pad(r.int(0, 99_999_999), 8)}`,
      first,
      last,
      birth: iso(Date.UTC(2025 - age, r.int(0, 11), r.int(1, 28))),
      age,
      address: `${r.int(1, 9999)} ${r.pick(streets)}`,
      city,
      state,
      zip: `${zip3}${pad(r.int(0, 99), 2)}`,
      phone: `(${r.int(201, 989)}) 555-${pad(r.int(0, 9999), 4)}`,
      email: `${first.toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}.${last.toLowerCase().replace(/[^a-z]/g, "")}${i}@example.com`,
      ssn: `9${pad(r.int(0, 99), 2)}-${pad(r.int(1, 99), 2)}-${pad(r.int(1, 9999), 4)}`,
    };
  });
  const cell = (v: string | number) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  const csv = (header: string[], rows: (string | number)[][], eol = "\n") => [header, ...rows].map((row) => row.map(cell).join(",")).join(eol) + eol;

  const patientsCsv = csv(
    ["patient_id", "mrn", "first_name", "last_name", "birth_date", "age", "sex", "address", "city", "state", "zip", "phone", "email", "ssn", "primary_diagnosis", "note"],
    patients.map((p, i) => [
      p.id, p.mrn, p.first, p.last, p.birth, p.age, i % 2 ? "F" : "M", p.address, p.city, p.state, p.zip, p.phone, p.email, p.ssn, r.pick(["I21.4", "I50.9", "E11.9"]),
      // Quotes, commas and an embedded line break, with every identifier inside the free text.
      `${p.first} ${p.last} (DOB ${p.birth}, ${p.mrn}, SSN ${p.ssn}) from ${p.city} said "fine".\nLives at ${p.address}, ${p.state} ${p.zip}. Call ${p.phone} or ${p.email}.`,
    ]),
    "\r\n",
  );

  const encounters: { id: string; patient: Patient; admitted: string; discharged: string; at: string }[] = [];
  for (let i = 0; i < count * 4; i++) {
    const patient = r.pick(patients);
    const admittedMs = Date.UTC(2023, 0, 1) + r.int(0, 700) * DAY;
    encounters.push({
      id: `E${pad(i + 1, 9)}`,
      patient,
      admitted: iso(admittedMs),
      discharged: iso(admittedMs + r.int(1, 14) * DAY),
      at: `${iso(admittedMs)}T${pad(r.int(0, 23), 2)}:15:00Z`,
    });
  }
  const encountersCsv = csv(
    ["encounter_id", "patient_id", "mrn", "admission_date", "discharge_date", "admitted_at", "diagnosis", "comment"],
    encounters.map((e) => [e.id, e.patient.id, e.patient.mrn, e.admitted, e.discharged, e.at, "I10", `Seen by Dr. Helen Brooks on ${e.admitted}; pager 617-555-0199; chart ${e.patient.mrn}.`]),
  );

  const notes = patients.map((p) => ({
    patient_id: p.id,
    mrn: p.mrn,
    name: `${p.first} ${p.last}`,
    contact: { phone: p.phone, email: p.email, address: `${p.address}, ${p.city}, ${p.state} ${p.zip}` },
    visits: [
      { date: "2024-03-11", text: `${p.first} ${p.last} (DOB ${p.birth}, MRN ${p.mrn.slice(4)}) seen for chest pain. Call ${p.phone} or ${p.email} with results.` },
      { date: "2024-05-02", text: `Follow-up. Echo uploaded to https://pacs.riverside.example/study/${p.id}. Patient reachable at ${p.phone}, from 10.20.30.${(p.age % 250) + 1}.` },
    ],
  }));
  const notesNdjson = notes.map((n) => JSON.stringify(n)).join("\n") + "\n";

  const vcf = (samples: string[]) =>
    [
      "##fileformat=VCFv4.2",
      "##source=SyntheticStudy",
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
      '##INFO=<ID=SITE,Number=1,Type=String,Description="Sequencing site">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
      `##SAMPLE=<ID=${samples[0]},Description="${samples[0]} blood draw">`,
      ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", ...samples].join("\t"),
      ...Array.from({ length: 50 }, (_, i) => ["chr1", 10_000 + i * 97, `rs${1000 + i}`, "A", "G", "60", "PASS", `DP=${100 + i};SITE=Riverside`, "GT:DP", ...samples.map((_, s) => `0/${(i + s) % 2}:${10 + s}`)].join("\t")),
    ].join("\n") + "\n";

  return { patients, encounters, patientsCsv, encountersCsv, notes, notesNdjson, cohortVcf: vcf(patients.slice(0, 24).map((p) => p.id)), vcf };
}

const rules: DeidRules = {
  // base32 (A-Z, 2-7) cannot spell a 5-digit ZIP or a lower-case name by chance.
  pseudonym: { encoding: "base32", length: 20 },
  dateShift: { maxDays: 180 },
  defaultAction: "drop",
  tabular: {
    columns: {
      patient_id: { action: "hash" },
      mrn: { action: "hash" },
      encounter_id: { action: "hash" },
      birth_date: { action: "generalize", to: "year", aggregateBefore: 1935 },
      age: { action: "generalize", to: "age" },
      sex: { action: "keep" },
      state: { action: "keep" },
      zip: { action: "generalize", to: "zip3" },
      primary_diagnosis: { action: "keep" },
      diagnosis: { action: "keep" },
      admission_date: { action: "dateShift", subject: "patient_id" },
      discharge_date: { action: "dateShift", subject: "patient_id" },
      admitted_at: { action: "dateShift", subject: "patient_id" },
      note: { action: "redact", namesFrom: ["first_name", "last_name", "city"] },
      comment: { action: "redact", names: ["Helen Brooks"] },
      // first_name, last_name, address, city, phone, email, ssn: no rule, dropped by default
    },
  },
  json: {
    fields: {
      "$.patient_id": { action: "hash" },
      "$.mrn": { action: "hash" },
      "$.visits[*].date": { action: "dateShift", subject: "$.patient_id" },
      "$.visits[*].text": { action: "redact", namesFrom: ["$.name"] },
    },
  },
  vcf: { dropInfo: ["SITE"], dropFormat: ["DP"], dropMeta: ["source"] },
  keys: { patterns: ["P\\d{6}"] },
};
const secret = "subset-secret-0123456789abcdef";

/** Small chunks that split lines, quotes and multi-byte characters. */
function* chunked(text: string | Buffer, size = 997): Generator<Buffer> {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(output: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of output) parts.push(part);
  return Buffer.concat(parts);
}

async function rowsOf(csv: Buffer | string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  for await (const row of readDelimited([Buffer.from(csv)])) rows.push(row);
  return rows;
}

const data = study();
const run = async (options = { secret }) => {
  const delimited = (text: string) => collect(transformDelimited(chunked(text), rules, options));
  const [patients, encounters, ndjson, json, vcfPlain, vcfGz] = await Promise.all([
    delimited(data.patientsCsv),
    delimited(data.encountersCsv),
    collect(transformNdjson(chunked(data.notesNdjson, 333), rules, options)),
    collect(transformJson(chunked(JSON.stringify(data.notes[0], null, 2)), rules, options)),
    collect(transformVcf(chunked(data.cohortVcf), rules, options)),
    collect(transformVcf(chunked(gzipSync(data.cohortVcf), 100), rules, options)),
  ]);
  return { patients, encounters, ndjson, json, vcfPlain, vcfGz };
};
const output = await run();

describe("de-identification of a synthetic study", () => {
  it("leaves no identifier of any patient anywhere in the output, byte for byte", () => {
    const keys = data.patients.flatMap((p) => [`clinical/labs/${p.id}.csv`, `imaging/${p.id}/echo/slice-001.png`]).map((k) => pseudonymizeKey(k, rules, { secret }));
    const everything = Buffer.concat([output.patients, output.encounters, output.ndjson, output.json, output.vcfPlain, gunzipSync(output.vcfGz), Buffer.from(keys.join("\n"))]);
    const leaks: string[] = [];
    for (const p of data.patients) {
      const identifiers = [p.id, p.mrn, p.mrn.slice(4), p.first, p.last, p.birth, p.address, p.city, p.zip, p.phone, p.email, p.ssn];
      for (const value of identifiers) if (everything.includes(Buffer.from(value))) leaks.push(`${p.id}: ${value}`);
    }
    for (const e of data.encounters) if (everything.includes(Buffer.from(e.id))) leaks.push(e.id);
    expect(leaks).toEqual([]);
    expect(everything.includes(Buffer.from("Helen Brooks"))).toBe(false);
    expect(everything.includes(Buffer.from("Riverside"))).toBe(false); // the dropped INFO SITE
  });

  it("keeps the tables joinable on the hashed patient id, also with VCF samples and object keys", async () => {
    const patients = await rowsOf(output.patients);
    const encounters = await rowsOf(output.encounters);
    expect(patients).toHaveLength(data.patients.length);
    expect(Object.keys(patients[0]!)).toEqual(["patient_id", "mrn", "birth_date", "age", "sex", "state", "zip", "primary_diagnosis", "note"]);
    const byPseudonym = new Map(patients.map((p, i) => [p.patient_id!, data.patients[i]!]));
    expect(byPseudonym.size).toBe(data.patients.length);
    encounters.forEach((e, i) => {
      const joined = byPseudonym.get(e.patient_id!);
      expect(joined?.id).toBe(data.encounters[i]!.patient.id);
      expect(e.mrn).toBe(patients[data.patients.indexOf(joined!)]!.mrn);
    });
    const vcf = output.vcfPlain.toString().split("\n").find((l) => l.startsWith("#CHROM"))!.split("\t").slice(9);
    expect(vcf).toEqual(patients.slice(0, 24).map((p) => p.patient_id));
    expect(pseudonymizeKey("clinical/labs/P000007.csv", rules, { secret })).toBe(`clinical/labs/${patients[6]!.patient_id}.csv`);
    expect(pseudonymizeKey("imaging/P000007/echo-2024/slice-001.png", rules, { secret })).toBe(`imaging/${patients[6]!.patient_id}/echo-2024/slice-001.png`);
    const ndjson = output.ndjson.toString().trim().split("\n").map((l) => JSON.parse(l) as { patient_id: string });
    expect(ndjson.map((n) => n.patient_id)).toEqual(patients.map((p) => p.patient_id));
  });

  it("moves each subject's dates by one offset (within the window, never 0), keeping intervals and formats", async () => {
    const encounters = await rowsOf(output.encounters);
    const offsets = new Map<string, number>();
    encounters.forEach((e, i) => {
      const source = data.encounters[i]!;
      const offset = daysBetween(source.admitted, e.admission_date!)!;
      expect(daysBetween(e.admission_date!, e.discharge_date!)).toBe(daysBetween(source.admitted, source.discharged));
      expect(e.admitted_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:15:00Z$/);
      expect(daysBetween(source.at.slice(0, 10), e.admitted_at!.slice(0, 10))).toBe(offset);
      expect(offset).not.toBe(0);
      expect(Math.abs(offset)).toBeLessThanOrEqual(180);
      const known = offsets.get(source.patient.id);
      if (known !== undefined) expect(offset).toBe(known);
      offsets.set(source.patient.id, offset);
    });
    // The same subject's NDJSON visits moved by the same offset as their encounters.
    const ndjson = output.ndjson.toString().trim().split("\n").map((l) => JSON.parse(l) as { visits: { date: string }[] });
    data.patients.forEach((p, i) => {
      const shifted = ndjson[i]!.visits[0]!.date;
      const known = offsets.get(p.id);
      if (known !== undefined) expect(daysBetween("2024-03-11", shifted)).toBe(known);
      expect(daysBetween(shifted, ndjson[i]!.visits[1]!.date)).toBe(daysBetween("2024-03-11", "2024-05-02"));
    });
    expect(new Set(offsets.values()).size).toBeGreaterThan(20);
  });

  it("generalizes ZIPs (restricted areas to 000), ages over 89 and birth dates", async () => {
    const restricted = new Set(["036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"]);
    const patients = await rowsOf(output.patients);
    let restrictedSeen = 0;
    patients.forEach((row, i) => {
      const p = data.patients[i]!;
      const zip3 = p.zip.slice(0, 3);
      if (restricted.has(zip3)) restrictedSeen++;
      expect(row.zip).toBe(restricted.has(zip3) ? "000" : zip3);
      expect(row.age).toBe(p.age >= 90 ? "90+" : String(p.age));
      const year = Number(p.birth.slice(0, 4));
      expect(row.birth_date).toBe(year < 1935 ? "<1935" : String(year));
    });
    expect(restrictedSeen).toBeGreaterThan(20);
    expect(patients.filter((r) => r.age === "90+").length).toBeGreaterThan(5);
  });

  it("redacts free text with tags, across quoted line breaks", async () => {
    const patients = await rowsOf(output.patients);
    expect(patients[0]!.note).toBe(`[NAME] [NAME] (DOB [DATE], [MRN], SSN [SSN]) from [NAME] said "fine".\nLives at [ADDRESS], ${data.patients[0]!.state} [ZIP]. Call [PHONE] or [EMAIL].`);
    const note = JSON.parse(output.ndjson.toString().split("\n")[0]!);
    expect(note).toEqual({
      patient_id: expect.any(String),
      mrn: expect.any(String),
      visits: [
        { date: expect.any(String), text: "[NAME] (DOB [DATE], [MRN]) seen for chest pain. Call [PHONE] or [EMAIL] with results." },
        { date: expect.any(String), text: "Follow-up. Echo uploaded to [URL]. Patient reachable at [PHONE], from [IP]." },
      ],
    });
    // A JSON document keeps its indented style and gets the same treatment as an NDJSON record.
    expect(JSON.parse(output.json.toString())).toEqual(note);
    expect(output.json.toString()).toContain('\n  "patient_id"');
  });

  it("gives the same output for the same secret and an unlinkable one for another", async () => {
    const again = await run();
    const other = await run({ secret: "another-subset-secret-42424242" });
    for (const name of ["patients", "encounters", "ndjson", "json", "vcfPlain"] as const) {
      expect(again[name].equals(output[name]), name).toBe(true);
      expect(other[name].equals(output[name]), name).toBe(false);
    }
    expect(gunzipSync(again.vcfGz).equals(gunzipSync(output.vcfGz))).toBe(true);
    const ids = new Set((await rowsOf(output.patients)).map((r) => r.patient_id));
    expect((await rowsOf(other.patients)).some((r) => ids.has(r.patient_id))).toBe(false);
  });
});

describe("VCF", () => {
  it("pseudonymizes samples, drops INFO keys, FORMAT fields with their values, and their meta lines", () => {
    const text = output.vcfPlain.toString();
    const lines = text.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("##"))).toEqual([
      "##fileformat=VCFv4.2",
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    ]);
    const record = lines.find((l) => l.startsWith("chr1\t10000\t"))!.split("\t");
    expect(record.slice(0, 9)).toEqual(["chr1", "10000", "rs1000", "A", "G", "60", "PASS", "DP=100", "GT"]);
    expect(record.slice(9, 12)).toEqual(["0/0", "0/1", "0/0"]);
  });

  it("detects gzip by magic bytes and writes gzip back; plain stays plain", () => {
    expect([...output.vcfGz.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(output.vcfGz).equals(output.vcfPlain)).toBe(true);
    expect(output.vcfPlain.subarray(0, 2).toString()).toBe("##");
  });

  it("reads multi-member gzip (BGZF-like) and reports corrupt gzip as Malformed", async () => {
    const half = data.cohortVcf.indexOf("\nchr1\t10500") + 1;
    const members = Buffer.concat([gzipSync(data.cohortVcf.slice(0, half)), gzipSync(data.cohortVcf.slice(half))]);
    expect(gunzipSync(await collect(transformVcf([members], rules, { secret }))).equals(output.vcfPlain)).toBe(true);
    const corrupt = gzipSync(data.cohortVcf);
    corrupt.fill(0x55, 40, 80);
    await expect(collect(transformVcf([corrupt], rules, { secret }))).rejects.toMatchObject({ name: "DeidError", kind: "Malformed" });
  });

  it("rejects a ragged record inside gzip with its line number, through the gzip output", async () => {
    const broken = data.vcf(["P000001", "P000002"]).replace("chr1\t10097\t", "chr1\t10097\tbroken\n");
    await expect(collect(transformVcf(chunked(gzipSync(broken), 64), rules, { secret }))).rejects.toMatchObject({ kind: "Malformed", line: 10, reason: "record has 3 columns, the header has 11" });
  });
});

describe("keys and metadata", () => {
  it("pseudonymizes matching segments and file stems, or fixed positions", () => {
    const hashed = pseudonymizeKey("P000001", rules, { secret });
    expect(hashed).toMatch(/^[A-Z2-7]{20}$/);
    expect(pseudonymizeKey("genomics/samples/P000001.vcf.gz", rules, { secret })).toBe(`genomics/samples/${hashed}.vcf.gz`);
    expect(pseudonymizeKey("README.txt", rules, { secret })).toBe("README.txt");
    expect(pseudonymizeKey("x/P0000012/y", rules, { secret })).toBe("x/P0000012/y");
    const byPosition: DeidRules = { ...rules, keys: { positions: [1, -1] } };
    const scan = pseudonymizeKey("scan", { ...rules, keys: { positions: [0] } }, { secret });
    // -1 is the file name: its stem is hashed, its extension kept.
    expect(pseudonymizeKey("site/P000001/scan.png", byPosition, { secret })).toBe(`site/${hashed}/${scan}.png`);
  });

  it("keeps only allow-listed metadata (names or globs, any case)", () => {
    const metadata = { "study-id": "RCOS-2024", "patient-id": "P000001", Modality: "US", "x-site-a": "1" };
    expect(filterMetadata(metadata, ["study-id", "modality", "x-site-*"])).toEqual({ "study-id": "RCOS-2024", Modality: "US", "x-site-a": "1" });
    expect(filterMetadata(metadata, [])).toEqual({});
  });
});

describe("tabular details", () => {
  it("handles TSV, a BOM, keep-by-default, and quotes what needs quoting", async () => {
    const tsv = '\uFEFFid\tnote\tkept\nP000001\t"said ""hi"", then"\tx\n';
    const out = await collect(transformDelimited([tsv], { defaultAction: "keep", tabular: { columns: { id: { action: "hash" } } } }, { secret, delimiter: "\t" }));
    const lines = out.toString().split("\n");
    expect(lines[0]).toBe("id\tnote\tkept");
    expect(lines[1]).toMatch(/^[0-9a-f]{16}\t"said ""hi"", then"\tx$/);
  });

  it("reads its input as a Readable stream too, and an empty file gives an empty output", async () => {
    const out = await collect(transformDelimited(Readable.from([Buffer.from("a,b\n1,2\n")]), { defaultAction: "keep" }, { secret }));
    expect(out.toString()).toBe("a,b\n1,2\n");
    expect((await collect(transformDelimited([], rules, { secret }))).length).toBe(0);
  });

  it("rejects dateShift without its subject column, and a value that is not a date (or blanks it)", async () => {
    const dated: DeidRules = { tabular: { columns: { d: { action: "dateShift", subject: "patient_id" } } } };
    await expect(collect(transformDelimited(["d\n2024-01-01\n"], dated, { secret }))).rejects.toMatchObject({ kind: "InvalidRules" });
    const withSubject: DeidRules = { tabular: { columns: { patient_id: { action: "keep" }, d: { action: "dateShift", subject: "patient_id" } } } };
    await expect(collect(transformDelimited(["patient_id,d\nP1,2024-01-01\nP1,soon\n"], withSubject, { secret }))).rejects.toMatchObject({ kind: "InvalidValue", line: 3, field: "d" });
    const blank = await collect(transformDelimited(["patient_id,d\nP1,soon\n"], { ...withSubject, invalidValues: "blank" }, { secret }));
    expect(blank.toString()).toBe("patient_id,d\nP1,\n");
  });

  it("refuses rules that do not validate, and a short secret", async () => {
    await expect(collect(transformDelimited(["a\n1\n"], { tabular: { columns: { a: { action: "generalize", to: "decade" } } } } as unknown as DeidRules, { secret }))).rejects.toMatchObject({ kind: "InvalidRules" });
    await expect(collect(transformDelimited(["a\n1\n"], {}, { secret: "short" }))).rejects.toMatchObject({ kind: "InvalidRules" });
  });
});

export type { DeidInput };

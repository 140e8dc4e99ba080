// The detector, the Safe Harbor report, k-anonymity, rule validation, previews and the redactor's patterns.
import { describe, expect, it } from "vitest";
import {
  createRedactor,
  detectIdentifiers,
  detectJsonIdentifiers,
  kAnonymity,
  previewTransform,
  readDelimited,
  safeHarborCategories,
  safeHarborReport,
  transformDelimited,
  validateRules,
  type DeidRules,
  type FieldRule,
} from "../src/index.ts";

const secret = "subset-secret-0123456789abcdef";

// The demo's clinical/patients.csv columns, with a few more a hospital export carries.
const header = ["patient_id", "mrn", "first_name", "last_name", "birth_date", "age", "sex", "address", "city", "state", "zip", "phone", "email", "ssn", "primary_diagnosis", "admission_date", "notes", "lab_value", "device_serial"];
const rows = Array.from({ length: 30 }, (_, i) => [
  `P${String(i + 1).padStart(6, "0")}`,
  `MRN-${10_000_000 + i * 7919}`,
  ["Ava", "Liam", "Zoë"][i % 3]!,
  ["Okafor", "García", "Müller"][i % 3]!,
  `19${String(40 + i).padStart(2, "0")}-03-14`,
  String(i === 3 ? 94 : 40 + i),
  i % 2 ? "F" : "M",
  `${i + 1} Maple Ave`,
  "Boston",
  "MA",
  `021${String(i).padStart(2, "0")}`,
  `(617) 555-01${String(i).padStart(2, "0")}`,
  `patient${i}@example.com`,
  `912-34-${1000 + i}`,
  "I21.4",
  `2024-01-${String((i % 28) + 1).padStart(2, "0")}`,
  `Seen for chest pain; call (617) 555-01${String(i).padStart(2, "0")} about results of 2024-01-02.`,
  (i * 1.5).toFixed(1),
  `SN-${1000 + i}`,
]);

describe("detectIdentifiers", () => {
  const detected = detectIdentifiers(header, rows);
  const by = (field: string) => detected.find((d) => d.field === field)!;

  it("flags the identifier columns of a demo-like patients.csv, and leaves the rest", () => {
    expect(Object.fromEntries(detected.map((d) => [d.field, d.category ?? null]))).toEqual({
      patient_id: "otherId",
      mrn: "mrn",
      first_name: "names",
      last_name: "names",
      birth_date: "dates",
      age: "dates",
      sex: null,
      address: "geographic",
      city: "geographic",
      state: null, // states may stay under Safe Harbor
      zip: "geographic",
      phone: "phone",
      email: "email",
      ssn: "ssn",
      primary_diagnosis: null,
      admission_date: "dates",
      notes: expect.any(String),
      lab_value: null,
      device_serial: "device",
    });
    for (const d of detected.filter((d) => d.category)) expect(d.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it("uses both names and values as evidence, and suggests a rule", () => {
    expect(by("email").evidence.map((e) => e.via).sort()).toEqual(["name", "values"]);
    expect(by("age").evidence.some((e) => e.why === "ages over 89 occur")).toBe(true);
    const suggested = Object.fromEntries(detected.map((d) => [d.field, d.suggested]));
    expect(suggested).toMatchObject({
      patient_id: { action: "hash" },
      mrn: { action: "hash" },
      first_name: { action: "drop" },
      birth_date: { action: "generalize", to: "year" },
      age: { action: "generalize", to: "age" },
      zip: { action: "generalize", to: "zip3" },
      ssn: { action: "drop" },
      admission_date: { action: "dateShift", subject: "patient_id" },
      notes: { action: "redact", namesFrom: ["first_name", "last_name"] },
      sex: { action: "keep" },
    });
    expect(by("notes").freeText).toBe(true);
    expect(by("notes").evidence.map((e) => e.category)).toEqual(expect.arrayContaining(["phone", "dates", "names"]));
  });

  it("recognizes identifiers by their values alone, under meaningless column names", () => {
    const values = rows.map((r) => [r[12]!, r[13]!, r[11]!, r[4]!, r[10]!, `10.0.0.${rows.indexOf(r) + 1}`, `https://portal.example/u/${rows.indexOf(r)}`, r[14]!]);
    const found = detectIdentifiers(["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"], values).map((d) => d.category ?? null);
    expect(found).toEqual(["email", "ssn", "phone", "dates", "geographic", "ip", "url", null]);
  });

  it("flattens JSON records to paths", () => {
    const notes = [0, 1, 2].map((i) => ({
      patient_id: `P00000${i}`,
      name: "Ava Okafor",
      contact: { email: `a${i}@example.com`, phone: "(617) 555-0101" },
      visits: [{ date: "2024-01-01", text: "Ava seen today, call (617) 555-0101 or a@example.com." }],
      score: i,
    }));
    const detected = detectJsonIdentifiers(notes);
    expect(Object.fromEntries(detected.map((d) => [d.field, d.category ?? null]))).toEqual({
      "$.patient_id": "otherId",
      "$.name": "names",
      "$.contact.email": "email",
      "$.contact.phone": "phone",
      "$.visits[*].date": "dates",
      "$.visits[*].text": expect.any(String),
      "$.score": null,
    });
    expect(detected.find((d) => d.field === "$.visits[*].text")!.suggested).toEqual({ action: "redact", namesFrom: ["$.name"] });
    expect(detected.find((d) => d.field === "$.visits[*].date")!.suggested).toEqual({ action: "dateShift", subject: "$.patient_id" });
    expect(detected.every((d) => d.kind === "json")).toBe(true);
  });
});

describe("safeHarborReport", () => {
  const detected = detectIdentifiers(header, rows);

  it("lists all 18 categories, marks the uncovered ones and blocks on detected-but-unruled columns", () => {
    const rules: DeidRules = { defaultAction: "keep", tabular: { columns: { patient_id: { action: "hash" }, mrn: { action: "hash" }, email: { action: "keep" }, first_name: { action: "drop" }, last_name: { action: "drop" } } } };
    const report = safeHarborReport(rules, detected);
    expect(report.categories.map((c) => c.category)).toEqual(safeHarborCategories.map((c) => c.id));
    expect(report.categories).toHaveLength(18);
    const status = Object.fromEntries(report.categories.map((c) => [c.category, c.status]));
    expect(status).toMatchObject({ email: "uncovered", ssn: "uncovered", phone: "uncovered", geographic: "uncovered", dates: "uncovered", device: "uncovered", mrn: "caveat", fax: "notDetected", vehicle: "notDetected" });
    // notes may name people, and nothing redacts them
    expect(status.names).toBe("uncovered");
    expect(report.ok).toBe(false);
    const blocking = report.blocking.map((b) => `${b.field}:${b.category}`);
    expect(blocking).toEqual(expect.arrayContaining(["email:email", "ssn:ssn", "zip:geographic", "birth_date:dates", "notes:names", "device_serial:device"]));
    expect(blocking).not.toContain("first_name:names");
    expect(report.blocking.find((b) => b.field === "email")!.reason).toBe("its rule keeps it");
    expect(report.blocking.find((b) => b.field === "ssn")!.reason).toBe("no rule, and the default keeps it");
    expect(report.blocking.find((b) => b.field === "zip")!.suggested).toEqual({ action: "generalize", to: "zip3" });
  });

  it("passes with the suggested rules, and says which rule covers each category (with caveats)", () => {
    const columns: Record<string, FieldRule> = Object.fromEntries(detected.map((d) => [d.field, d.suggested]));
    columns.birth_date = { action: "generalize", to: "year", aggregateBefore: 1935 };
    const report = safeHarborReport({ defaultAction: "keep", tabular: { columns } }, detected);
    expect(report.blocking).toEqual([]);
    expect(report.ok).toBe(true);
    const of = (c: string) => report.categories.find((r) => r.category === c)!;
    expect(of("ssn")).toMatchObject({ status: "covered", coveredBy: [{ kind: "tabular", field: "ssn", action: "drop" }] });
    expect(of("geographic").coveredBy.map((c) => `${c.field}:${c.action}`)).toEqual(["address:drop", "city:drop", "zip:generalize"]);
    expect(of("dates").status).toBe("caveat"); // dateShift is not literal Safe Harbor
    expect(of("dates").notes.join(" ")).toMatch(/Expert Determination/);
    expect(of("photo").notes[0]).toMatch(/not assessed/);
  });

  it("credits the default drop, JSON ancestors, VCF samples and key rules", () => {
    const report = safeHarborReport({ vcf: {}, keys: { patterns: ["P\\d{6}"] } }, detected);
    expect(report.ok).toBe(true);
    expect(report.categories.find((c) => c.category === "ssn")!.coveredBy).toEqual([{ kind: "tabular", field: "ssn", action: "drop (default)" }]);
    expect(report.categories.find((c) => c.category === "otherId")!.coveredBy.map((c) => c.kind)).toEqual(expect.arrayContaining(["vcf", "keys"]));
    const json = detectJsonIdentifiers([{ patient_id: "P000001", contact: { email: "a@b.org", phone: "(617) 555-0101" } }]);
    const kept = safeHarborReport({ defaultAction: "keep", json: { fields: { "$.contact": { action: "drop" }, "$.patient_id": { action: "hash" } } } }, json);
    expect(kept.ok).toBe(true);
    expect(kept.categories.find((c) => c.category === "email")!.coveredBy).toEqual([{ kind: "json", field: "$.contact", action: "drop" }]);
  });
});

describe("kAnonymity", () => {
  // Hand-computed: classes (F,021)=3, (M,021)=2, (F,000)=1 -> k = 1, 3 classes, 2 under 5... and 1 under 2.
  const table = [
    { sex: "F", zip: "021", age: "40" },
    { sex: "F", zip: "021", age: "41" },
    { sex: "F", zip: "021", age: "42" },
    { sex: "M", zip: "021", age: "40" },
    { sex: "M", zip: "021", age: "40" },
    { sex: "F", zip: "000", age: "90+" },
  ];

  it("computes the smallest class, the class count and the warning", async () => {
    expect(await kAnonymity(table, ["sex", "zip"])).toEqual({ k: 1, groups: 3, rows: 6, smallGroups: 3, rowsInSmallGroups: 6, threshold: 5, warning: true });
    expect(await kAnonymity(table, ["sex", "zip"], { threshold: 2 })).toMatchObject({ k: 1, smallGroups: 1, rowsInSmallGroups: 1, warning: true });
    expect(await kAnonymity(table.slice(0, 5), ["zip"], { threshold: 5 })).toMatchObject({ k: 5, groups: 1, warning: false });
    expect(await kAnonymity([], ["zip"])).toMatchObject({ k: 0, groups: 0, warning: false });
  });

  it("runs on the transformed output (generalized ZIPs merge classes)", async () => {
    const csv = "sex,zip\n" + ["F,02139", "F,02140", "F,02141", "M,03601", "M,03602"].join("\n") + "\n";
    const rules: DeidRules = { tabular: { columns: { sex: { action: "keep" }, zip: { action: "generalize", to: "zip3" } } } };
    const before = await kAnonymity(readDelimited([csv]), ["sex", "zip"]);
    const after = await kAnonymity(readDelimited(transformDelimited([csv], rules, { secret })), ["sex", "zip"]);
    expect(before.k).toBe(1);
    expect(after).toMatchObject({ k: 2, groups: 2, rows: 5, warning: true });
  });
});

describe("validateRules", () => {
  it("accepts good rules and explains every problem of bad ones", () => {
    expect(validateRules({ tabular: { columns: { a: { action: "hash" } } }, json: { fields: { "$.visits[*].text": { action: "redact", namesFrom: ["$.name"] } } } })).toEqual([]);
    const problems = validateRules({
      pseudonym: { encoding: "base64", length: 4 },
      dateShift: { maxDays: 0 },
      defaultAction: "maybe",
      tabular: { columns: { d: { action: "dateShift" }, z: { action: "generalize", to: "decade" }, t: { action: "redact", mrnPattern: "(" , categories: ["email", "dna"] }, x: { action: "scramble" } } },
      json: { fields: { "contact.email": { action: "drop" }, "$.a": { action: "dateShift", subject: "a" } } },
      keys: { patterns: ["["] },
    });
    expect(problems.map((p) => p.path)).toEqual([
      "pseudonym.encoding",
      "pseudonym.length",
      "dateShift.maxDays",
      "defaultAction",
      "tabular.columns.d.subject",
      "tabular.columns.z.to",
      "tabular.columns.t.categories",
      "tabular.columns.t.mrnPattern",
      "tabular.columns.x.action",
      "json.fields.contact.email",
      "json.fields.$.a.subject",
      "keys.patterns.0",
    ]);
    expect(problems.find((p) => p.path === "tabular.columns.x.action")!.message).toBe("must be one of keep, drop, hash, dateShift, generalize, redact");
    expect(validateRules(null)).toEqual([{ path: "", message: "rules must be an object" }]);
  });
});

describe("previewTransform", () => {
  it("shows the first rows before and after, reading only what it needs", async () => {
    let chunksRead = 0;
    const many = function* () {
      yield Buffer.from("patient_id,zip,email\n");
      for (let i = 0; i < 100_000; i++) {
        chunksRead++;
        yield Buffer.from(`P${String(i).padStart(6, "0")},0361${i % 10},p${i}@example.com\n`);
      }
    };
    const rules: DeidRules = { tabular: { columns: { patient_id: { action: "hash" }, zip: { action: "generalize", to: "zip3" } } } };
    const preview = await previewTransform(many(), rules, { secret, kind: "tabular", rows: 3 });
    expect(preview).toMatchObject({ kind: "tabular", columns: ["patient_id", "zip", "email"], outputColumns: ["patient_id", "zip"] });
    if (preview.kind !== "tabular") throw new Error("tabular expected");
    expect(preview.before).toEqual([["P000000", "03610", "p0@example.com"], ["P000001", "03611", "p1@example.com"], ["P000002", "03612", "p2@example.com"]]);
    expect(preview.after.map((r) => r[1])).toEqual(["000", "000", "000"]);
    expect(preview.after[0]![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(chunksRead).toBeLessThan(10);
  });

  it("previews NDJSON records", async () => {
    const preview = await previewTransform(['{"id":"a","email":"x@y.org"}\n{"id":"b"}\n{"id":"c"}\n'], { json: { fields: { "$.id": { action: "keep" } } } }, { secret, kind: "ndjson", rows: 2 });
    expect(preview).toEqual({ kind: "ndjson", before: [{ id: "a", email: "x@y.org" }, { id: "b" }], after: [{ id: "a" }, { id: "b" }] });
  });
});

describe("redaction patterns", () => {
  const redact = createRedactor({ names: ["Helen Brooks"] });

  it.each([
    ["Mail jane.doe+1@mail.example.org now", "Mail [EMAIL] now"],
    ["See https://x.example/a?b=1.", "See [URL]."],
    ["From 192.168.10.254 and 2001:db8::8a2e:370:7334 and fe80::1", "From [IP] and [IP] and [IP]"],
    ["Time 10:15:00 stays", "Time 10:15:00 stays"],
    ["SSN 123-45-6789 or 123 45 6789", "SSN [SSN] or [SSN]"],
    ["MRN:12345678 and mrn 1234567", "[MRN] and [MRN]"],
    ["Phone +44 20 7946 0958, fax 617.555.0199, cell (617) 555-0100", "Phone [PHONE], fax [PHONE], cell [PHONE]"],
    ["On 3/14/2024, March 14, 2024, 14 Mar 2024 and 2024-03-14T10:00:00Z", "On [DATE], [DATE], [DATE] and [DATE]"],
    ["Admitted in June 2023", "Admitted in [DATE]"],
    ["Lives at 42 Harbor Rd, Boston, MA 02139", "Lives at [ADDRESS], Boston, MA [ZIP]"],
    ["Account 0012345678 and id P000123", "Account [ID] and id [ID]"],
    ["Dr. Helen Brooks saw Brooks", "Dr. [NAME] saw [NAME]"],
    ["Lab 7.5-10 mmol, BP 120/80, troponin 0.04", "Lab 7.5-10 mmol, BP 120/80, troponin 0.04"],
  ])("%s", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it("matches record names whole-word, case-insensitively, across Unicode forms", () => {
    const text = "Zoe\u0308 Müller and ZOË; not Zoëlle, not Mullerton; o'brien too";
    expect(redact(text, ["Zoë", "Müller", "O'Brien"])).toBe("[NAME] [NAME] and [NAME]; not Zoëlle, not Mullerton; [NAME] too");
  });

  it("redacts only the chosen categories", () => {
    expect(createRedactor({ categories: ["email"] })("a@b.org 123-45-6789")).toBe("[EMAIL] 123-45-6789");
  });
});

import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { studyDataset } from "../src/index.ts";

describe("demo study data set", () => {
  const objects = [...studyDataset({ largeFiles: [] })];

  it("is deterministic, with unique keys, in nested prefixes, thousands of objects", () => {
    const again = [...studyDataset({ largeFiles: [] })];
    expect(again.map((o) => o.key)).toEqual(objects.map((o) => o.key));
    expect((again[1]!.body() as Buffer).equals(objects[1]!.body() as Buffer)).toBe(true);
    expect(new Set(objects.map((o) => o.key)).size).toBe(objects.length);
    expect(objects.length).toBeGreaterThan(2_000);
    expect(objects.some((o) => o.key.split("/").length >= 4)).toBe(true);
  });

  it("declares each object's true size", () => {
    for (const o of objects) expect((o.body() as Buffer).length).toBe(o.size);
  });

  it("holds identifiers to de-identify: patients table, VCF sample ids, free-text notes", () => {
    const patients = (objects.find((o) => o.key === "clinical/patients.csv")!.body() as Buffer).toString();
    const [header, ...rows] = patients.trim().split("\n");
    expect(header).toBe("patient_id,mrn,first_name,last_name,birth_date,age,sex,address,city,state,zip,phone,email,ssn,primary_diagnosis");
    expect(rows).toHaveLength(600);
    expect(rows.some((r) => /,9\d,|,1\d\d,/.test(r))).toBe(true);
    const cohort = gunzipSync(objects.find((o) => o.key === "genomics/cohort.vcf.gz")!.body() as Buffer).toString();
    expect(cohort).toMatch(/^#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP000001\t/m);
    const note = JSON.parse((objects.find((o) => o.key === "clinical/notes/P000001.json")!.body() as Buffer).toString());
    expect(note.visits[0].text).toContain(note.mrn);
  });

  it("includes awkward keys and an empty object", () => {
    expect(objects.map((o) => o.key)).toEqual(expect.arrayContaining(["odd keys/spaces and unicode – café ☕.txt", "odd keys/plus+and&percent%20.txt"]));
    expect(objects.find((o) => o.key === "odd keys/empty-object")!.size).toBe(0);
  });

  it("streams large files without holding them", async () => {
    const [large] = [...studyDataset({ patients: 1, imagedPatients: 0, largeFiles: [3 << 20] })].filter((o) => o.key.startsWith("large/"));
    let total = 0;
    for await (const chunk of large!.body() as AsyncIterable<Buffer>) total += chunk.length;
    expect(total).toBe(3 << 20);
  });
});

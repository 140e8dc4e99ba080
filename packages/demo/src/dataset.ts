// The demo clouds' content: a synthetic cardiac outcomes study as a hospital would store it.
// Clinical tables full of identifiers (for de-identification), VCFs, JSON notes, scan images,
// a few large files and some awkward keys. Deterministic: the same objects on every machine.
import type { Readable } from "node:stream";
import { createRandom } from "./random.ts";
import { diagnoses, isoDate, makePerson, type Person } from "./people.ts";
import { binaryStream, csv, gzip, png, vcf } from "./files.ts";

export interface DemoObject {
  key: string;
  contentType: string;
  size: number;
  userMetadata?: Record<string, string>;
  body: () => Buffer | Readable;
}

export interface DatasetOptions {
  patients?: number;
  imagedPatients?: number;
  slicesPerStudy?: number;
  /** Sizes of the large binary files; [] for none. */
  largeFiles?: number[];
}

export const DEMO_DATASET_VERSION = "2";
export const defaultDataset: Required<DatasetOptions> = { patients: 600, imagedPatients: 200, slicesPerStudy: 4, largeFiles: [24 << 20, 40 << 20] };

function text(key: string, contentType: string, content: string | Buffer, userMetadata?: Record<string, string>): DemoObject {
  const buffer = typeof content === "string" ? Buffer.from(content) : content;
  return { key, contentType, size: buffer.length, userMetadata, body: () => buffer };
}

const addDays = (date: string, days: number) => isoDate(new Date(Date.parse(date) + days * 86_400_000));

/** Every object of the data set, generated lazily, in a stable order. */
export function* studyDataset(options: DatasetOptions = {}): Generator<DemoObject> {
  const { patients: count, imagedPatients, slicesPerStudy, largeFiles } = { ...defaultDataset, ...options };
  const random = createRandom(20251122);
  const people: Person[] = Array.from({ length: count }, (_, i) => makePerson(random, i));
  const study = { "study-id": "RCOS-2024", "data-owner": "Riverside Medical Center", "dataset-version": DEMO_DATASET_VERSION };

  yield text(
    "README.txt",
    "text/plain; charset=utf-8",
    `Riverside Cardiac Outcomes Study (RCOS-2024) - SYNTHETIC DEMO DATA\n\nEvery name, number and record here is invented by Crossdock's demo generator.\n` +
      `clinical/   patients, encounters, labs and physician notes (contain direct identifiers)\n` +
      `genomics/   cohort and per-patient VCF files (sample ids are patient ids)\nimaging/    scan slices per patient (PNG)\nlarge/      instrument dumps for transfer tests\n`,
    study,
  );

  yield text(
    "clinical/patients.csv",
    "text/csv",
    csv(
      ["patient_id", "mrn", "first_name", "last_name", "birth_date", "age", "sex", "address", "city", "state", "zip", "phone", "email", "ssn", "primary_diagnosis"],
      people.map((p) => [p.patientId, p.mrn, p.firstName, p.lastName, p.birthDate, p.age, p.sex, p.address, p.city, p.state, p.zip, p.phone, p.email, p.ssn, random.pick(diagnoses)]),
    ),
    { ...study, contains: "direct-identifiers" },
  );

  for (const year of [2023, 2024]) {
    for (let month = 1; month <= 12; month++) {
      const rows = Array.from({ length: random.int(30, 60) }, (_, i) => {
        const p = random.pick(people);
        const admitted = `${year}-${String(month).padStart(2, "0")}-${String(random.int(1, 28)).padStart(2, "0")}`;
        return [`E${year}${String(month).padStart(2, "0")}${String(i).padStart(3, "0")}`, p.patientId, p.mrn, admitted, addDays(admitted, random.int(1, 14)), random.pick(diagnoses), random.pick(["Dr. Helen Brooks", "Dr. Omar Said", "Dr. Mei Lin"])];
      });
      yield text(`clinical/encounters/${year}/${String(month).padStart(2, "0")}.csv`, "text/csv", csv(["encounter_id", "patient_id", "mrn", "admission_date", "discharge_date", "diagnosis", "attending"], rows));
    }
  }

  for (const p of people) {
    const first = `2024-${String(random.int(1, 6)).padStart(2, "0")}-${String(random.int(1, 28)).padStart(2, "0")}`;
    const rows = Array.from({ length: random.int(3, 10) }, (_, i) => [p.patientId, addDays(first, i * random.int(7, 30)), random.pick(["troponin_t", "ldl", "hba1c", "creatinine", "bnp"]), (random.next() * 100).toFixed(2)]);
    yield text(`clinical/labs/${p.patientId}.csv`, "text/csv", csv(["patient_id", "collected_on", "test", "value"], rows));
  }

  for (const p of people) {
    const note = {
      patient_id: p.patientId,
      mrn: p.mrn,
      name: `${p.firstName} ${p.lastName}`,
      contact: { phone: p.phone, email: p.email, address: `${p.address}, ${p.city}, ${p.state} ${p.zip}` },
      visits: [
        { date: `2024-0${random.int(1, 9)}-1${random.int(0, 9)}`, text: `${p.firstName} ${p.lastName} (DOB ${p.birthDate}, MRN ${p.mrn}) seen for chest pain. Call ${p.phone} or ${p.email} with results.` },
        { date: `2024-1${random.int(0, 2)}-0${random.int(1, 9)}`, text: `Follow-up. Echo uploaded to https://pacs.riverside.example/study/${p.patientId}. Patient reachable at ${p.phone}.` },
      ],
    };
    yield text(`clinical/notes/${p.patientId}.json`, "application/json", JSON.stringify(note, null, 2));
  }

  yield text(
    "events/admissions.ndjson",
    "application/x-ndjson",
    people.slice(0, 300).map((p) => JSON.stringify({ patient_id: p.patientId, event: "admission", at: `2024-05-${String(random.int(1, 28)).padStart(2, "0")}T${String(random.int(0, 23)).padStart(2, "0")}:15:00Z`, ip: `10.20.${random.int(0, 255)}.${random.int(1, 254)}` })).join("\n") + "\n",
  );

  yield text("genomics/cohort.vcf.gz", "application/gzip", gzip(vcf(random, people.slice(0, 48).map((p) => p.patientId), 400)), { ...study, assay: "WES" });
  for (const p of people.slice(0, imagedPatients)) {
    yield text(`genomics/samples/${p.patientId}.vcf`, "text/x-vcf", vcf(random, [p.patientId], 60));
  }

  for (const p of people.slice(0, imagedPatients)) {
    for (let s = 1; s <= slicesPerStudy; s++) {
      yield text(`imaging/${p.patientId}/echo-2024/slice-${String(s).padStart(3, "0")}.png`, "image/png", png(random), { modality: "US", "patient-id": p.patientId });
    }
  }

  yield text("odd keys/spaces and unicode – café ☕.txt", "text/plain; charset=utf-8", "A key with spaces, an en dash, accents and an emoji.\n");
  yield text("odd keys/plus+and&percent%20.txt", "text/plain", "A key with +, & and a literal %20.\n");
  yield text("odd keys/empty-object", "application/octet-stream", Buffer.alloc(0));

  for (const [i, size] of largeFiles.entries()) {
    yield { key: `large/instrument-dump-${i + 1}.bin`, contentType: "application/octet-stream", size, body: () => binaryStream(1000 + i, size) };
  }
}

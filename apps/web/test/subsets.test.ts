// The subsets API as the editor uses it: live count, identifier review that blocks materializing,
// a new version with rules, preview, privacy report, a materialization run by the job handler, and the
// manifest read back and verified. The subset secret never appears in a response.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { runJob } from "@crossdock/jobs";
import { openObjectStore } from "@crossdock/providers";
import { localRoot } from "@crossdock/storage";
import { inviteAndJoin, signUp } from "./harness";

let owner: Awaited<ReturnType<typeof signUp>>;
let sourceId: string;
let destId: string;
const responses: unknown[] = [];
const seen = <T>(value: T) => (responses.push(value), value);

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? { code: e.code, message: e.message } : Promise.reject(e)),
  );

const patients = [
  "patient_id,first_name,ssn,email,zip,sex,age",
  ...Array.from({ length: 30 }, (_, i) => `P${String(10000 + i)},Name${i},${100 + i}-45-${String(1000 + i)},p${i}@mail.example.org,0213${i % 10},${i % 2 ? "F" : "M"},${40 + (i % 3)}`),
].join("\n") + "\n";

beforeAll(async () => {
  owner = await signUp("sasha", "Subset Hospital");
  sourceId = (await owner.as().storage.create({ name: "Hospital disk", form: { provider: "local" } })).id;
  destId = (await owner.as().storage.create({ name: "Partner disk", form: { provider: "local" } })).id;
  const src = openObjectStore({ provider: "local", rootDir: localRoot(owner.organizationId, sourceId) });
  await src.createBucket("hospital");
  await src.writeObject("hospital", "study/patients.csv", patients);
  await src.writeObject("hospital", "study/scan.png", Buffer.from([1, 2, 3]));
  await src.writeObject("hospital", "other/ignored.csv", "a\n1\n");
  const dst = openObjectStore({ provider: "local", rootDir: localRoot(owner.organizationId, destId) });
  await dst.createBucket("partner");
  await Promise.all([src.close(), dst.close()]);
}, 60_000);

afterAll(async () => {
  await db().$disconnect();
});

describe("subsets API", () => {
  it("counts, flags, versions, previews, materializes and verifies the manifest", async () => {
    const api = owner.as();
    const draft = { sourceAccountId: sourceId, sourceBucket: "hospital", prefixes: ["study/"], rules: { tabular: { columns: {}, defaultAction: "keep" as const } } };
    const count = seen(await api.subset.count({ definition: draft }));
    expect(count).toMatchObject({ objects: 2, partial: false, included: { objects: 1 } });
    expect(count.byKind.csv).toMatchObject({ objects: 1, treatment: "transform" });
    expect(count.byKind.other).toMatchObject({ objects: 1, treatment: "excluded" });

    const { id } = seen(await api.subset.create({ name: "Cardiac share", definition: draft }));
    const review = seen(await api.subset.review({ definition: draft }));
    const flagged = new Set(review.flagged.map((f) => f.field));
    for (const column of ["ssn", "email", "first_name", "zip"]) expect(flagged).toContain(column);
    expect(review.report.categories.find((c) => c.category === "ssn")?.status).toBe("uncovered");

    // Materializing is refused while flagged columns have no rule.
    const refused = await refusal(api.subset.materialize({ id, destination: { accountId: destId, bucket: "partner", prefix: "share" } }));
    expect(refused?.code).toBe("PRECONDITION_FAILED");
    expect(refused?.message).toContain("ssn");

    const rules = {
      tabular: {
        columns: { patient_id: { action: "hash" as const }, zip: { action: "generalize" as const, to: "zip3" as const }, sex: { action: "keep" as const }, age: { action: "generalize" as const, to: "age" as const } },
        defaultAction: "drop" as const,
      },
    };
    const saved = seen(await api.subset.saveVersion({ id, definition: { ...draft, rules, quasiIdentifiers: ["sex", "zip"], kThreshold: 5 } }));
    expect(saved.version).toBe(2);
    const v2 = seen(await api.subset.get({ id }));
    expect(v2.versions.map((v) => v.number)).toEqual([2, 1]);
    expect(v2.version.definition.rules).toEqual(rules);
    expect(seen(await api.subset.get({ id, version: 1 })).version.definition.rules).toEqual(draft.rules);
    expect(seen(await api.subset.review({ definition: v2.version.definition })).flagged).toEqual([]);

    const preview = seen(await api.subset.preview({ id, definition: v2.version.definition, key: "study/patients.csv" }));
    expect(preview.kind).toBe("tabular");
    if (preview.kind !== "tabular") return;
    expect(preview.columns).toContain("ssn");
    expect(preview.outputColumns).toEqual(["patient_id", "zip", "sex", "age"]);
    expect(preview.before[0]![0]).toBe("P10000");
    expect(preview.after[0]![0]).not.toBe("P10000");
    expect(preview.after[0]![1]).toBe("021");

    const privacy = seen(await api.subset.privacy({ id, definition: v2.version.definition, key: "study/patients.csv" }));
    expect(privacy).toMatchObject({ rows: 30, groups: 2, k: 15, warning: false });
    const strict = seen(await api.subset.privacy({ id, definition: { ...v2.version.definition, quasiIdentifiers: ["sex", "age"], kThreshold: 10 }, key: "study/patients.csv" }));
    expect(strict.warning).toBe(true);

    // Not into the source bucket.
    expect((await refusal(api.subset.materialize({ id, destination: { accountId: sourceId, bucket: "hospital", prefix: "out/" } })))?.code).toBe("BAD_REQUEST");
    const started = seen(await api.subset.materialize({ id, destination: { accountId: destId, bucket: "partner", prefix: "share" } }));
    const queued = seen(await api.subset.materialization({ id: started.id }));
    expect(queued).toMatchObject({ state: "QUEUED", versionNumber: 2, destination: { bucket: "partner", prefix: "share/" } });
    // The worker's part, run here by the same handler the worker runs.
    const percents: number[] = [];
    await runJob({ db: db(), progress: async (p) => void percents.push(p) }, { runId: started.jobRunId, organizationId: owner.organizationId, kind: "subset.materialize" }, 1, true);
    expect(percents.at(-1)).toBe(100);
    const done = seen(await api.subset.materialization({ id: started.id }));
    expect(done).toMatchObject({ state: "SUCCEEDED", percent: 100, doneObjects: 1, skippedObjects: 1, manifestKey: "share/crossdock-manifest.json" });
    const manifest = seen(await api.subset.manifest({ id: started.id }));
    expect(manifest.verified).toBe(true);
    expect(manifest.manifest.objects).toEqual([expect.objectContaining({ key: "share/study/patients.csv", sourceKey: "study/patients.csv", mode: "transformed" })]);
    expect(manifest.manifest.version.number).toBe(2);
    const listed = seen(await api.subset.list());
    expect(listed.find((s) => s.id === id)).toMatchObject({ latestVersion: 2, lastRun: { state: "SUCCEEDED" } });

    // The secret stays sealed on the server.
    const subset = await db().subset.findUniqueOrThrow({ where: { id } });
    const everything = JSON.stringify(responses, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(everything).not.toContain(subset.secretCiphertext.split(".")[4]!);
    expect(everything).not.toContain("secretCiphertext");
    const audit = await db().auditEvent.findMany({ where: { organizationId: owner.organizationId, action: { startsWith: "subset." } } });
    expect(audit.map((e) => e.action).sort()).toEqual(["subset.created", "subset.materialize", "subset.versioned"]);
  });

  it("lets viewers look but not create, version or materialize", async () => {
    const viewer = await inviteAndJoin(owner, "vera", "VIEWER");
    const [subset] = await owner.as().subset.list();
    expect((await viewer.as().subset.list()).length).toBeGreaterThan(0);
    expect((await refusal(viewer.as().subset.materialize({ id: subset!.id, destination: { accountId: destId, bucket: "partner", prefix: "" } })))?.code).toBe("FORBIDDEN");
    expect((await refusal(viewer.as().subset.saveVersion({ id: subset!.id, definition: { sourceAccountId: sourceId, sourceBucket: "hospital" } })))?.code).toBe("FORBIDDEN");
  });
});

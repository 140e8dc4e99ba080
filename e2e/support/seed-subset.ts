// Creates a subset of the demo study for an organization, through @crossdock/subsets' own createSubset (the
// subsets UI is another journey). Usage: node --import tsx e2e/support/seed-subset.ts "<organization name>"
import { createDb, forTenant } from "@crossdock/db";
import { createSubset } from "@crossdock/subsets";

const [organizationName] = process.argv.slice(2);
const db = createDb(process.env.DATABASE_URL!, { max: 2 });
try {
  const org = await db.organization.findFirstOrThrow({ where: { name: organizationName }, orderBy: { createdAt: "desc" } });
  const tenant = forTenant(db, org.id);
  const account = await tenant.storageAccounts.findFirstOrThrow({ where: { demoCloud: "demo-s3" } });
  const { subset } = await createSubset(tenant, {
    name: "Cardiac cohort (de-identified)",
    description: "Patients table of the demo study, direct identifiers removed",
    definition: {
      sourceAccountId: account.id,
      sourceBucket: "rcos-study",
      prefixes: ["clinical/"],
      selection: { include: ["patients.csv"], exclude: [] }, // relative to the prefix
      rules: {
        tabular: {
          columns: {
            patient_id: { action: "hash" }, mrn: { action: "hash" }, first_name: { action: "drop" }, last_name: { action: "drop" },
            birth_date: { action: "generalize", to: "year" }, age: { action: "generalize", to: "age" }, sex: { action: "keep" },
            address: { action: "drop" }, city: { action: "drop" }, state: { action: "keep" }, zip: { action: "generalize", to: "zip3" },
            phone: { action: "drop" }, email: { action: "drop" }, ssn: { action: "drop" }, primary_diagnosis: { action: "keep" },
          },
        },
      },
    },
  });
  console.log(subset.id);
} finally {
  await db.$disconnect();
}

// Counts the objects under a prefix of a demo cloud with a flat listing (s3rver's delimiter listing skips
// folders that hold only folders, so the browser view cannot prove a prefix empty).
// Usage: node --import tsx e2e/support/count-objects.ts <demo cloud name> <bucket> <prefix>
import { readFileSync } from "node:fs";
import { openObjectStore, type ObjectStoreConfigInput } from "@crossdock/providers";

const [cloudName, bucket, prefix] = process.argv.slice(2);
const clouds = (JSON.parse(readFileSync(process.env.DEMO_CLOUDS_FILE!, "utf8")) as { clouds: { name: string; config: ObjectStoreConfigInput }[] }).clouds;
const store = openObjectStore(clouds.find((c) => c.name === cloudName)!.config);
let count = 0;
for await (const page of store.listObjects(bucket!, { prefix })) count += page.objects.length;
await store.close();
process.stdout.write(`${count}\n`); // a string: console.log colours numbers when FORCE_COLOR is set

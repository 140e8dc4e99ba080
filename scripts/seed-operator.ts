// Seeds the platform operator (OPERATOR_EMAIL, OPERATOR_PASSWORD from .env.local) who edits billing plans.
import { DEFAULT_OPERATOR_EMAIL, ensureOperator } from "@crossdock/billing";
import { createDb } from "@crossdock/db";

const password = process.env.OPERATOR_PASSWORD;
if (!password || !process.env.DATABASE_URL) process.exit(0);
const db = createDb(process.env.DATABASE_URL, { max: 1 });
try {
  const user = await ensureOperator(db, process.env.OPERATOR_EMAIL ?? DEFAULT_OPERATOR_EMAIL, password);
  console.log(`[crossdock] platform operator: ${user.email}`);
} finally {
  await db.$disconnect();
}

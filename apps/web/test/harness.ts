// Calls tRPC procedures the way the HTTP handler does, as a given user with a given active-organization cookie.
import { randomBytes } from "node:crypto";
import { appRouter } from "~/server/routers/_app";
import { createCallerFactory, createContext, ORG_COOKIE } from "~/server/trpc";

export const TEST_IP = "203.0.113.7";
const createCaller = createCallerFactory(appRouter);

export function callerFor(userId: string | null, organizationId?: string) {
  const headers = new Headers({ "x-forwarded-for": `${TEST_IP}, 10.0.0.1` });
  if (organizationId) headers.set("cookie", `${ORG_COOKIE}=${organizationId}`);
  return createCaller(createContext({ userId, headers, resHeaders: new Headers() }));
}

export const uniqueEmail = (who: string) => `${who}-${randomBytes(5).toString("hex")}@test.example`;
export const PASSWORD = "correct-horse-9";

export async function signUp(who: string, organizationName = `${who}'s org`) {
  const email = uniqueEmail(who);
  const result = await callerFor(null).auth.signUp({ name: who, email, password: PASSWORD, organizationName });
  return { ...result, email, as: (orgId = result.organizationId) => callerFor(result.userId, orgId) };
}

export async function inviteAndJoin(owner: { as: () => ReturnType<typeof callerFor>; organizationId: string }, who: string, role: "ADMIN" | "MEMBER" | "VIEWER") {
  const email = uniqueEmail(who);
  const invitation = await owner.as().invitation.create({ email, role });
  const token = invitation.path.split("/").pop()!;
  const joined = await callerFor(null).auth.signUp({ name: who, email, password: PASSWORD, inviteToken: token });
  return { ...joined, email, as: () => callerFor(joined.userId, owner.organizationId) };
}

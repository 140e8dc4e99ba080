import { afterAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { authOptions, INVALID_CREDENTIALS } from "~/server/auth";
import { SIGN_IN_LIMITS } from "~/server/services/rate-limit";
import { PASSWORD, TEST_IP, callerFor, inviteAndJoin, signUp, uniqueEmail } from "./harness";

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => {
      if (!(e instanceof TRPCError)) throw e;
      return { code: e.code, message: e.message };
    },
  );

const credentials = authOptions.providers[0] as unknown as { options: { authorize: (c: Record<string, string>, req: unknown) => Promise<unknown> } };
const authorize = (email: string, password: string, ip = TEST_IP) =>
  credentials.options.authorize({ email, password }, { headers: { "x-forwarded-for": ip } }).then(
    (user) => ({ ok: true as const, user }),
    (e: Error) => ({ ok: false as const, message: e.message }),
  );

afterAll(async () => {
  await db().$disconnect();
});

describe("sign-up", () => {
  it("creates the user, an organization they own, and an audit entry with the caller's IP", async () => {
    const owner = await signUp("olivia", "Olivia Labs");
    const membership = await db().membership.findFirstOrThrow({ where: { userId: owner.userId }, include: { organization: true } });
    expect(membership).toMatchObject({ role: "OWNER", organization: { name: "Olivia Labs" } });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { organizationId: owner.organizationId, action: "organization.created" } });
    expect(audit).toMatchObject({ actorId: owner.userId, ip: TEST_IP });
    const stored = await db().user.findUniqueOrThrow({ where: { id: owner.userId }, omit: { passwordHash: false } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    // The default client never returns the hash.
    expect(Object.keys(await db().user.findUniqueOrThrow({ where: { id: owner.userId } }))).not.toContain("passwordHash");
  });

  it("refuses a duplicate email (any case) and changes nothing", async () => {
    const owner = await signUp("dup");
    const users = await db().user.count();
    const refused = await rejection(callerFor(null).auth.signUp({ name: "x", email: owner.email.toUpperCase(), password: PASSWORD }));
    expect(refused).toEqual({ code: "CONFLICT", message: "An account with this email already exists. Sign in instead." });
    expect(await db().user.count()).toBe(users);
  });

  it.each([
    ["short1!", "Use at least 10 characters."],
    ["aaaaaaaaaaaa", "Use more different characters."],
    ["password123", "That password is too common."],
    ["abcdefghijk", "Mix letters with digits or symbols, or use 16 characters or more."],
  ])("refuses the weak password %s", async (password, reason) => {
    const email = uniqueEmail("weak");
    const refused = await rejection(callerFor(null).auth.signUp({ name: "w", email, password }));
    expect(refused).toEqual({ code: "BAD_REQUEST", message: `Password too weak: ${reason}` });
    expect(await db().user.count({ where: { email } })).toBe(0);
  });
});

describe("sign-in", () => {
  it("answers a wrong password and an unknown email with the same message, and accepts the right one", async () => {
    const user = await signUp("sam");
    expect(await authorize(user.email, "wrong-password-1")).toEqual({ ok: false, message: INVALID_CREDENTIALS });
    expect(await authorize(uniqueEmail("ghost"), PASSWORD)).toEqual({ ok: false, message: INVALID_CREDENTIALS });
    expect(await authorize(user.email.toUpperCase(), PASSWORD)).toMatchObject({ ok: true, user: { id: user.userId } });
  });

  it("rate-limits failures per account and IP, then refuses even the right password; other IPs are unaffected", async () => {
    const user = await signUp("rita");
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) await authorize(user.email, `wrong-password-${i}`, "198.51.100.9");
    const blocked = await authorize(user.email, PASSWORD, "198.51.100.9");
    expect(blocked.ok).toBe(false);
    expect(blocked.ok === false && blocked.message).toMatch(/^Too many failed sign-in attempts\. Try again in \d+ minute\(s\)\.$/);
    expect(await authorize(user.email, PASSWORD, "198.51.100.10")).toMatchObject({ ok: true });
  });
});

describe("invitations", () => {
  it("joins with the invited role, once; a reused link is refused", async () => {
    const owner = await signUp("ivy");
    const email = uniqueEmail("vic");
    const { path } = await owner.as().invitation.create({ email, role: "VIEWER" });
    const token = path.split("/").pop()!;
    expect(await callerFor(null).invitation.describe({ token })).toMatchObject({ status: "open", email, role: "VIEWER", hasAccount: false });
    const joined = await callerFor(null).auth.signUp({ name: "Vic", email, password: PASSWORD, inviteToken: token });
    expect(joined).toMatchObject({ organizationId: owner.organizationId, role: "VIEWER" });
    expect(await callerFor(null).invitation.describe({ token })).toMatchObject({ status: "used" });
    const other = await signUp("walt");
    expect(await rejection(other.as().invitation.accept({ token }))).toMatchObject({ code: "CONFLICT" });
  });

  it("refuses an expired invitation and a sign-up with another email, creating no user", async () => {
    const owner = await signUp("eli");
    const email = uniqueEmail("late");
    const { id, path } = await owner.as().invitation.create({ email, role: "MEMBER" });
    const token = path.split("/").pop()!;
    const wrong = uniqueEmail("mallory");
    expect(await rejection(callerFor(null).auth.signUp({ name: "M", email: wrong, password: PASSWORD, inviteToken: token }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await db().user.count({ where: { email: wrong } })).toBe(0);
    await db().invitation.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await rejection(callerFor(null).auth.signUp({ name: "L", email, password: PASSWORD, inviteToken: token }));
    expect(refused).toEqual({ code: "BAD_REQUEST", message: "This invitation has expired (invitations last 7 days). Ask for a new one." });
    expect(await db().user.count({ where: { email } })).toBe(0);
  });

  it("expires invitations after 7 days", async () => {
    const owner = await signUp("tina");
    const created = await owner.as().invitation.create({ email: uniqueEmail("t"), role: "MEMBER" });
    const days = (created.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
  });
});

describe("roles", () => {
  it("refuses a viewer every admin procedure and changes nothing", async () => {
    const owner = await signUp("opal");
    const viewer = await inviteAndJoin(owner, "vera", "VIEWER");
    const ownerMembership = await db().membership.findFirstOrThrow({ where: { userId: owner.userId } });
    const before = await db().auditEvent.count({ where: { organizationId: owner.organizationId } });
    for (const call of [
      viewer.as().invitation.create({ email: uniqueEmail("x"), role: "MEMBER" }),
      viewer.as().invitation.list(),
      viewer.as().member.changeRole({ membershipId: ownerMembership.id, role: "VIEWER" }),
      viewer.as().member.remove({ membershipId: ownerMembership.id }),
      viewer.as().audit.list({ limit: 10 }),
      viewer.as().job.runMaintenance({ steps: 1, stepMs: 0 }),
      viewer.as().organization.rename({ name: "Hijacked" }),
    ]) {
      expect(await rejection(call)).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("needs the admin role") });
    }
    expect(await db().auditEvent.count({ where: { organizationId: owner.organizationId } })).toBe(before);
    expect(await viewer.as().member.list()).toHaveLength(2);
  });

  it("lets owners and admins change roles and remove members, never the last owner", async () => {
    const owner = await signUp("otto");
    const admin = await inviteAndJoin(owner, "ada", "ADMIN");
    const member = await inviteAndJoin(owner, "mo", "MEMBER");
    const id = async (userId: string) => (await db().membership.findFirstOrThrow({ where: { userId, organizationId: owner.organizationId } })).id;
    await admin.as().member.changeRole({ membershipId: await id(member.userId), role: "VIEWER" });
    expect(await rejection(admin.as().member.changeRole({ membershipId: await id(owner.userId), role: "MEMBER" }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await rejection(owner.as().member.leave())).toEqual({ code: "FORBIDDEN", message: "You are the last owner: make someone else an owner before leaving." });
    expect(await rejection(owner.as().member.changeRole({ membershipId: await id(owner.userId), role: "ADMIN" }))).toMatchObject({ code: "FORBIDDEN" });
    await owner.as().member.changeRole({ membershipId: await id(admin.userId), role: "OWNER" });
    await owner.as().member.leave();
    await admin.as().member.remove({ membershipId: await id(member.userId) });
    expect((await admin.as().member.list()).map((m) => m.role)).toEqual(["OWNER"]);
    const actions = (await db().auditEvent.findMany({ where: { organizationId: owner.organizationId }, orderBy: { createdAt: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["member.role_changed", "member.left", "member.removed"]));
  });
});

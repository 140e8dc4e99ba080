import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { db, forTenant, type Role } from "@crossdock/db";
import { roleAtLeast } from "@crossdock/policy";
import { requestIp } from "./request-ip";

export const ORG_COOKIE = "crossdock-org";

export interface Context {
  userId: string | null;
  ip: string;
  headers: Headers;
  resHeaders: Headers;
}

export function createContext({ userId, headers, resHeaders }: { userId: string | null; headers: Headers; resHeaders: Headers }): Context {
  return { userId, ip: requestIp(headers), headers, resHeaders };
}

export function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of headers.get("cookie")?.split(";") ?? []) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Validation errors reach the UI as field messages, never as a stack.
    const fields = error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : undefined;
    const hidden = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: hidden ? "Something went wrong on our side. It has been logged; please try again." : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, fields },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});

/** The user's membership in the active organization: the cookie's, else their oldest one. */
export async function activeMembership(userId: string, headers: Headers) {
  const wanted = readCookie(headers, ORG_COOKIE);
  const memberships = db().membership;
  const chosen = wanted ? await memberships.findUnique({ where: { organizationId_userId: { organizationId: wanted, userId } }, include: { organization: true } }) : null;
  return chosen ?? memberships.findFirst({ where: { userId }, orderBy: { createdAt: "asc" }, include: { organization: true } });
}

/** A procedure inside the active organization, for members holding at least `minimum`. */
export function orgProcedure(minimum: Role) {
  return authedProcedure.use(async ({ ctx, next }) => {
    const membership = await activeMembership(ctx.userId, ctx.headers);
    if (!membership) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "You are not in any organization yet: create one first." });
    if (!roleAtLeast(membership.role, minimum)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum.toLowerCase()} role or higher; you are ${membership.role.toLowerCase()} in ${membership.organization.name}.` });
    }
    const tenant = forTenant(db(), membership.organizationId);
    const actor = { userId: ctx.userId, role: membership.role, ip: ctx.ip };
    return next({ ctx: { ...ctx, tenant, membership, actor } });
  });
}

/** The platform operator (a flag on the user, not a tenant role): billing plans and credits of any organization. */
export const operatorProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const user = await db().user.findUnique({ where: { id: ctx.userId }, select: { isOperator: true } });
  if (!user?.isOperator) throw new TRPCError({ code: "FORBIDDEN", message: "Only the platform operator can do this." });
  return next({ ctx });
});

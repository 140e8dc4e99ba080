import { z } from "zod";
import { db } from "@crossdock/db";
import { authedProcedure, activeMembership, publicProcedure, router } from "../trpc";
import { signUp } from "../services/organizations";

export const email = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")).pipe(z.string().max(254));

export const authRouter = router({
  signUp: publicProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "Enter your name.").max(100),
        email,
        password: z.string().max(256),
        organizationName: z.string().trim().max(100).optional(),
        inviteToken: z.string().max(200).optional(),
      }),
    )
    .mutation(({ ctx, input }) => signUp(input, ctx.ip)),

  me: authedProcedure.query(async ({ ctx }) => {
    const user = await db().user.findUniqueOrThrow({ where: { id: ctx.userId } });
    const memberships = await db().membership.findMany({ where: { userId: ctx.userId }, include: { organization: true }, orderBy: { createdAt: "asc" } });
    const active = await activeMembership(ctx.userId, ctx.headers);
    return {
      user: { id: user.id, email: user.email, name: user.name, isOperator: user.isOperator },
      organizations: memberships.map((m) => ({ id: m.organizationId, name: m.organization.name, role: m.role })),
      active: active ? { id: active.organizationId, name: active.organization.name, role: active.role } : null,
    };
  }),
});

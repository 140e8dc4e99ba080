import { z } from "zod";
import { roles } from "@crossdock/policy";
import { orgProcedure, router } from "../trpc";
import { changeMember } from "../services/organizations";

const id = z.string().min(1).max(64);

export const memberRouter = router({
  list: orgProcedure("VIEWER").query(async ({ ctx }) => {
    const members = await ctx.tenant.memberships.findMany({ include: { user: { select: { id: true, name: true, email: true } } }, orderBy: { createdAt: "asc" } });
    return members.map((m) => ({ id: m.id, role: m.role, joinedAt: m.createdAt, user: m.user, isYou: m.userId === ctx.userId }));
  }),

  changeRole: orgProcedure("ADMIN")
    .input(z.object({ membershipId: id, role: z.enum(roles) }))
    .mutation(async ({ ctx, input }) => {
      await changeMember(ctx.tenant.organizationId, ctx.actor, input.membershipId, input.role);
      return { ok: true };
    }),

  remove: orgProcedure("ADMIN")
    .input(z.object({ membershipId: id }))
    .mutation(async ({ ctx, input }) => {
      await changeMember(ctx.tenant.organizationId, ctx.actor, input.membershipId, undefined);
      return { ok: true };
    }),

  leave: orgProcedure("VIEWER").mutation(async ({ ctx }) => {
    await changeMember(ctx.tenant.organizationId, ctx.actor, ctx.membership.id, undefined);
    return { ok: true };
  }),
});

import { z } from "zod";
import { roles } from "@crossdock/policy";
import { authedProcedure, orgProcedure, publicProcedure, router } from "../trpc";
import { acceptInvitation, createInvitation, describeInvitation, revokeInvitation } from "../services/organizations";
import { email } from "./auth";

const token = z.string().min(10).max(200);

export const invitationRouter = router({
  list: orgProcedure("ADMIN").query(async ({ ctx }) => {
    const rows = await ctx.tenant.invitations.findMany({
      where: { acceptedAt: null, revokedAt: null },
      include: { invitedBy: { select: { name: true } } },
      orderBy: { createdAt: "desc" },
    });
    const now = new Date();
    return rows.map((i) => ({ id: i.id, email: i.email, role: i.role, invitedBy: i.invitedBy.name, createdAt: i.createdAt, expiresAt: i.expiresAt, expired: i.expiresAt <= now }));
  }),

  /** Returns the link once; only its hash is stored, so it cannot be shown again later. */
  create: orgProcedure("ADMIN")
    .input(z.object({ email, role: z.enum(roles) }))
    .mutation(async ({ ctx, input }) => {
      const { invitation, token } = await createInvitation(ctx.tenant, ctx.actor, input.email, input.role);
      return { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt, path: `/invite/${token}` };
    }),

  revoke: orgProcedure("ADMIN")
    .input(z.object({ invitationId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx.tenant, ctx.actor, input.invitationId);
      return { ok: true };
    }),

  describe: publicProcedure.input(z.object({ token })).query(({ input }) => describeInvitation(input.token)),

  accept: authedProcedure.input(z.object({ token })).mutation(({ ctx, input }) => acceptInvitation(ctx.userId, input.token, ctx.ip)),
});

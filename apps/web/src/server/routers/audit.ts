import { z } from "zod";
import { orgProcedure, router } from "../trpc";

export const auditRouter = router({
  list: orgProcedure("ADMIN")
    .input(z.object({ cursor: z.string().max(64).nullish(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.tenant.auditEvents.findMany({
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        include: { actor: { select: { name: true, email: true } } },
      });
      const page = rows.slice(0, input.limit);
      return {
        events: page.map((e) => ({ id: e.id, action: e.action, targetType: e.targetType, targetId: e.targetId, ip: e.ip, details: e.details, createdAt: e.createdAt, actor: e.actor })),
        nextCursor: rows.length > input.limit ? page.at(-1)!.id : null,
      };
    }),
});

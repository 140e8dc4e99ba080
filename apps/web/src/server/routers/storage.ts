import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { TenantDb } from "@crossdock/db";
import { readDemoClouds } from "@crossdock/storage";
import { orgProcedure, router } from "../trpc";
import {
  accountFormSchema, checkAccount, checkForm, createAccount, deleteAccount, openAccountStore, publicAccount, setRequestRate, toTRPCError, updateAccount,
} from "../services/storage-accounts";

const id = z.string().min(1).max(64);
const name = z.string().trim().min(1, "Enter a name.").max(100);
const bucket = z.string().min(1).max(255);
const PAGE_SIZE = 100;

async function findAccount(tenant: TenantDb, accountId: string) {
  const account = await tenant.storageAccounts.findUnique({ where: { id: accountId } });
  if (!account) throw new TRPCError({ code: "NOT_FOUND", message: "No storage account with that id in this organization." });
  return account;
}

/** Runs `fn` against an account's store, with provider failures explained, and the store closed after. */
async function withStore<T>(tenant: TenantDb, accountId: string, fn: (store: ReturnType<typeof openAccountStore>) => Promise<T>) {
  const store = openAccountStore(await findAccount(tenant, accountId));
  try {
    return await fn(store);
  } catch (error) {
    return toTRPCError(error);
  } finally {
    await store.close();
  }
}

export const storageRouter = router({
  list: orgProcedure("VIEWER").query(async ({ ctx }) => (await ctx.tenant.storageAccounts.findMany({ orderBy: { createdAt: "asc" } })).map(publicAccount)),

  get: orgProcedure("VIEWER").input(z.object({ id })).query(async ({ ctx, input }) => publicAccount(await findAccount(ctx.tenant, input.id))),

  create: orgProcedure("ADMIN")
    .input(z.object({ name, form: accountFormSchema }))
    .mutation(async ({ ctx, input }) => publicAccount(await createAccount(ctx.tenant, ctx.actor, input.name, input.form))),

  update: orgProcedure("ADMIN")
    .input(z.object({ id, name, form: accountFormSchema }))
    .mutation(async ({ ctx, input }) => publicAccount(await updateAccount(ctx.tenant, ctx.actor, await findAccount(ctx.tenant, input.id), input.name, input.form))),

  /** Requests per second the whole worker fleet may send to the account: null = the provider's default, 0 = no limit. */
  setRequestRate: orgProcedure("ADMIN")
    .input(z.object({ id, requestsPerSecond: z.number().int("Enter a whole number.").min(0, "Enter 0 or more.").max(1_000_000, "At most 1,000,000 requests per second.").nullable() }))
    .mutation(async ({ ctx, input }) => publicAccount(await setRequestRate(ctx.tenant, ctx.actor, await findAccount(ctx.tenant, input.id), input.requestsPerSecond))),

  delete: orgProcedure("ADMIN")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      await deleteAccount(ctx.tenant, ctx.actor, input.id);
      return { ok: true };
    }),

  /** Test connection from the form, before (or while) saving; `id` reuses the stored secret when a field is left empty. */
  testForm: orgProcedure("ADMIN")
    .input(z.object({ id: id.optional(), form: accountFormSchema }))
    .mutation(async ({ ctx, input }) => checkForm(ctx.tenant.organizationId, input.form, input.id ? await findAccount(ctx.tenant, input.id) : undefined)),

  test: orgProcedure("MEMBER")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => checkAccount(ctx.tenant, await findAccount(ctx.tenant, input.id))),

  buckets: orgProcedure("VIEWER")
    .input(z.object({ id }))
    .query(({ ctx, input }) => withStore(ctx.tenant, input.id, async (store) => (await store.listBuckets()).map((b) => ({ name: b.name, createdAt: b.createdAt ?? null })))),

  /** One page of a bucket at `prefix`, folders first: the browser's view. */
  objects: orgProcedure("VIEWER")
    .input(z.object({ id, bucket, prefix: z.string().max(1024).default(""), startAfter: z.string().max(1024).optional() }))
    .query(({ ctx, input }) =>
      withStore(ctx.tenant, input.id, async (store) => {
        const folders: string[] = [];
        const objects: { key: string; size: number; lastModified: Date | null }[] = [];
        let last: string | undefined;
        let more = false;
        for await (const page of store.listObjects(input.bucket, { prefix: input.prefix, delimiter: "/", startAfter: input.startAfter, pageSize: PAGE_SIZE })) {
          for (const folder of page.commonPrefixes) folders.push(folder);
          for (const o of page.objects) objects.push({ key: o.key, size: o.size, lastModified: o.lastModified ?? null });
          last = [...page.commonPrefixes, ...page.objects.map((o) => o.key)].sort().at(-1);
          if (folders.length + objects.length >= PAGE_SIZE) {
            more = true;
            break;
          }
        }
        return { folders, objects, nextStartAfter: more ? (last ?? null) : null };
      }),
    ),

  object: orgProcedure("VIEWER")
    .input(z.object({ id, bucket, key: z.string().min(1).max(4096) }))
    .query(({ ctx, input }) =>
      withStore(ctx.tenant, input.id, async (store) => {
        const info = await store.headObject(input.bucket, input.key);
        return { ...info, lastModified: info.lastModified ?? null };
      }),
    ),

  demoClouds: orgProcedure("VIEWER").query(async ({ ctx }) => {
    const added = new Set((await ctx.tenant.storageAccounts.findMany({ where: { demoCloud: { not: null } }, select: { demoCloud: true } })).map((a) => a.demoCloud));
    return readDemoClouds().map((c) => ({ name: c.name, label: c.label, provider: c.provider, bucket: c.bucket, added: added.has(c.name) }));
  }),

  addDemoClouds: orgProcedure("ADMIN").mutation(async ({ ctx }) => {
    const added = new Set((await ctx.tenant.storageAccounts.findMany({ where: { demoCloud: { not: null } }, select: { demoCloud: true } })).map((a) => a.demoCloud));
    const created = [];
    for (const cloud of readDemoClouds().filter((c) => !added.has(c.name))) {
      created.push(publicAccount(await createAccount(ctx.tenant, ctx.actor, cloud.label, { provider: cloud.provider } as never, cloud.name)));
    }
    return created;
  }),
});

// "Can the platform list this bucket now?", asked before an enclave or a contribution commits to it.
import type { StorageAccount } from "@crossdock/db";
import { isObjectStoreError } from "@crossdock/providers";
import type { EnclaveDeps } from "./deps.ts";
import { refuse } from "./errors.ts";

/** Lists one page under `prefix`; a failure is refused as Invalid, `explain` turning the provider's reason into the message. */
export async function assertListable(deps: EnclaveDeps, account: StorageAccount, bucket: string, prefix: string, explain: (why: string) => string): Promise<void> {
  let store;
  try {
    store = deps.openStore(account);
    for await (const _page of store.listObjects(bucket, { prefix, pageSize: 1 })) break;
  } catch (error) {
    const why = isObjectStoreError(error) ? `${error.kind}: ${error.message}` : (error as Error).message;
    refuse("Invalid", explain(why));
  } finally {
    await store?.close().catch(() => undefined);
  }
}

import "server-only";
import { TRPCError } from "@trpc/server";
import { db } from "@crossdock/db";
import { clock, isEnclaveError, platformSigningKey, type EnclaveDeps, type EnclaveErrorKind } from "@crossdock/enclaves";
import { createEnclaveQueue, enclaveEnqueuers } from "@crossdock/jobs";
import { env } from "../env";
import { redis } from "../redis";
import { openAccountStore, toTRPCError } from "./storage-accounts";

const g = globalThis as unknown as { crossdockEnclaveQueue?: ReturnType<typeof createEnclaveQueue> };
const enclaveQueue = () => (g.crossdockEnclaveQueue ??= createEnclaveQueue(redis(), env().REDIS_PREFIX));

/** The web app's enclave dependencies: its database, its clock, short provider retries, the shared queue. */
export function enclaveDeps(): EnclaveDeps {
  return { db: db(), clock: clock(), openStore: openAccountStore, signingKey: platformSigningKey(), ...enclaveEnqueuers(enclaveQueue()) };
}

const codes: Record<EnclaveErrorKind, TRPCError["code"]> = {
  NotFound: "NOT_FOUND",
  Forbidden: "FORBIDDEN",
  Invalid: "BAD_REQUEST",
  Conflict: "CONFLICT",
  Ended: "PRECONDITION_FAILED",
  Unavailable: "SERVICE_UNAVAILABLE",
};

/** Runs an enclave operation, turning its refusals (and provider failures) into errors the UI explains. */
export async function enclaveCall<T>(fn: (deps: EnclaveDeps) => Promise<T>): Promise<T> {
  try {
    return await fn(enclaveDeps());
  } catch (error) {
    if (isEnclaveError(error)) throw new TRPCError({ code: codes[error.kind], message: error.message });
    return toTRPCError(error);
  }
}

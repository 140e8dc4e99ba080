import "server-only";
import { createQueue, createRedis } from "@crossdock/jobs";
import { env } from "./env";

const g = globalThis as unknown as { crossdockRedis?: ReturnType<typeof createRedis>; crossdockQueue?: ReturnType<typeof createQueue> };

export function redis() {
  return (g.crossdockRedis ??= createRedis(env().REDIS_URL));
}

export function jobQueue() {
  return (g.crossdockQueue ??= createQueue(redis(), env().REDIS_PREFIX));
}

import { Redis } from "ioredis";

/** BullMQ needs maxRetriesPerRequest: null on connections that block (workers). */
export function createRedis(url: string, { blocking = false }: { blocking?: boolean } = {}) {
  return new Redis(url, { maxRetriesPerRequest: blocking ? null : 3, enableReadyCheck: true, lazyConnect: false });
}

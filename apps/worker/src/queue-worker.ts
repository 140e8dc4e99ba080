// What every queue's worker gets from main.ts: its database, a blocking Redis connection of its own, the shared
// connection for enqueueing, the key prefix, the job lock and the log.
import type { Redis } from "ioredis";
import type { Db } from "@crossdock/db";

export interface QueueWorkerOptions {
  db: Db;
  connection: Redis;
  queueConnection: Redis;
  prefix: string;
  lockDuration: number;
  log: (message: string) => void;
}

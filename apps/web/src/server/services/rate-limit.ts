import "server-only";
import { redis } from "../redis";
import { env } from "../env";

const WINDOW_SECONDS = 15 * 60;
/** Failures allowed per (account, IP) pair and per IP in one window. */
export const SIGN_IN_LIMITS = { perAccount: 5, perIp: 30 } as const;

function keys(email: string, ip: string) {
  const prefix = `${env().REDIS_PREFIX}:signin`;
  return { account: `${prefix}:acct:${email}:${ip}`, ip: `${prefix}:ip:${ip}` };
}

/** Seconds until sign-in may be tried again, or 0 when it may be tried now. */
export async function signInBlockedFor(email: string, ip: string): Promise<number> {
  const k = keys(email, ip);
  const [[, account], [, perIp]] = (await redis().multi().get(k.account).get(k.ip).exec()) as [[null, string | null], [null, string | null]];
  const blockedKey = Number(account ?? 0) >= SIGN_IN_LIMITS.perAccount ? k.account : Number(perIp ?? 0) >= SIGN_IN_LIMITS.perIp ? k.ip : null;
  if (!blockedKey) return 0;
  return Math.max(1, await redis().ttl(blockedKey));
}

export async function recordSignInFailure(email: string, ip: string) {
  const k = keys(email, ip);
  await redis().multi().incr(k.account).expire(k.account, WINDOW_SECONDS, "NX").incr(k.ip).expire(k.ip, WINDOW_SECONDS, "NX").exec();
}

export async function clearSignInFailures(email: string, ip: string) {
  await redis().del(keys(email, ip).account);
}

import { hash, verify } from "@node-rs/argon2";

// OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const common = new Set(["password", "password1", "password123", "123456789", "1234567890", "qwertyuiop", "letmein123", "iloveyou1", "welcome123", "crossdock"]);

/** Returns why a password is too weak, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 10) return "Use at least 10 characters.";
  if (password.length > 256) return "Use at most 256 characters.";
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  const lower = password.toLowerCase();
  if (common.has(lower)) return "That password is too common.";
  if (local.length >= 4 && lower.includes(local)) return "Don't use your email address in your password.";
  if (new Set(password).size < 5) return "Use more different characters.";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (password.length < 16 && classes < 2) return "Mix letters with digits or symbols, or use 16 characters or more.";
  return null;
}

export const hashPassword = (password: string) => hash(password, options);

// Verifying against a real hash even for unknown emails keeps both answers equally slow.
let dummyHash: Promise<string> | undefined;
export async function verifyPassword(passwordHash: string | null, password: string) {
  const target = passwordHash ?? (await (dummyHash ??= hash("not-a-real-password", options)));
  const ok = await verify(target, password).catch(() => false);
  return ok && passwordHash !== null;
}

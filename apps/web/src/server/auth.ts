import "server-only";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@crossdock/db";
import { verifyPassword } from "@crossdock/db";
import { clearSignInFailures, recordSignInFailure, signInBlockedFor } from "./services/rate-limit";
import { requestIp } from "./request-ip";

/** The one message for a wrong password and an unknown email, so sign-in does not reveal who has an account. */
export const INVALID_CREDENTIALS = "Invalid email or password.";

const credentials = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()), password: z.string().min(1).max(256) });

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(raw, req) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new Error(INVALID_CREDENTIALS);
        const { email, password } = parsed.data;
        const ip = requestIp((req?.headers ?? {}) as Record<string, string>);
        const wait = await signInBlockedFor(email, ip);
        if (wait > 0) throw new Error(`Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`);
        const user = await db().user.findUnique({ where: { email }, omit: { passwordHash: false } });
        if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
          await recordSignInFailure(email, ip);
          throw new Error(INVALID_CREDENTIALS);
        }
        await clearSignInFailures(email, ip);
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (session.user && token.sub) session.user.id = token.sub;
      return session;
    },
  },
};

export async function currentUserId(): Promise<string | null> {
  const session = await getServerSession(authOptions);
  return session?.user?.id ?? null;
}

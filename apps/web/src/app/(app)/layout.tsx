import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentUserId } from "~/server/auth";
import { AppShell } from "./AppShell";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  if (!(await currentUserId())) redirect("/sign-in");
  return <AppShell>{children}</AppShell>;
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { roleAtLeast } from "@crossdock/policy/roles";
import { Brand } from "~/components/Brand";
import { useTRPC } from "~/trpc/react";

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  const switchOrg = useMutation(
    trpc.organization.switch.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.refresh();
      },
    }),
  );
  const role = me.data?.active?.role;
  const nav = [
    { href: "/dashboard", label: "Overview", show: true },
    { href: "/storage", label: "Storage", show: true },
    { href: "/migrations", label: "Migrations", show: true },
    { href: "/subsets", label: "Subsets", show: true },
    { href: "/enclaves", label: "Enclaves", show: true },
    { href: "/analytics", label: "Analytics", show: true },
    { href: "/billing", label: "Billing", show: true },
    { href: "/members", label: "Members", show: true },
    { href: "/jobs", label: "Jobs", show: true },
    { href: "/audit", label: "Audit log", show: !!role && roleAtLeast(role, "ADMIN") },
    { href: "/settings", label: "Settings", show: true },
    { href: "/operator", label: "Operator", show: !!me.data?.user.isOperator },
  ];
  return (
    <div className="shell">
      <aside className="sidebar">
        <Brand />
        {me.data && (
          <label style={{ color: "#99f6e4", fontSize: 12 }}>
            Organization
            <select
              aria-label="Active organization"
              value={me.data.active?.id ?? ""}
              onChange={(e) => (e.target.value === "__new" ? router.push("/organizations/new") : switchOrg.mutate({ organizationId: e.target.value }))}
            >
              {me.data.organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
              <option value="__new">+ New organization…</option>
            </select>
          </label>
        )}
        <nav>
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <Link key={n.href} href={n.href} className={pathname.startsWith(n.href) ? "active" : ""}>
                {n.label}
              </Link>
            ))}
        </nav>
        <div className="who">
          {me.data && (
            <>
              <div>{me.data.user.email}</div>
              <div data-testid="active-role">{role ? `${role.toLowerCase()} of ${me.data.active?.name}` : "no organization"}</div>
            </>
          )}
          <button className="secondary" style={{ marginTop: 10 }} onClick={() => signOut({ callbackUrl: "/sign-in" })}>
            Sign out
          </button>
        </div>
      </aside>
      <main>{me.data && !me.data.active && !pathname.startsWith("/organizations/new") && !pathname.startsWith("/operator") ? <NoOrganization /> : children}</main>
    </div>
  );
}

function NoOrganization() {
  return (
    <div className="card">
      <h2>You are not in any organization</h2>
      <p className="muted">Create one, or open an invitation link someone sent you.</p>
      <Link className="button" href="/organizations/new">Create an organization</Link>
    </div>
  );
}

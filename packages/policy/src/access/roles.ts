// Who may do what inside an organization. Pure functions: the API checks them, the UI uses them to
// hide what a role cannot do, and tests pin them down.

export const roles = ["OWNER", "ADMIN", "MEMBER", "VIEWER"] as const;
export type Role = (typeof roles)[number];

const rank: Record<Role, number> = { OWNER: 4, ADMIN: 3, MEMBER: 2, VIEWER: 1 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return rank[role] >= rank[minimum];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };
const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

export function canManageMembers(actor: Role): Decision {
  return roleAtLeast(actor, "ADMIN") ? allow : deny("Only owners and admins can manage members.");
}

/** Admins manage admins, members and viewers; only owners grant or take away ownership. */
export function canInvite(actor: Role, role: Role): Decision {
  const manage = canManageMembers(actor);
  if (!manage.allowed) return manage;
  if (role === "OWNER" && actor !== "OWNER") return deny("Only owners can invite owners.");
  return allow;
}

export interface MemberChange {
  actor: Role;
  target: Role;
  /** The target's new role; undefined when the target is being removed. */
  next?: Role;
  ownerCount: number;
  self: boolean;
}

export function canChangeMember({ actor, target, next, ownerCount, self }: MemberChange): Decision {
  const losesOwnership = target === "OWNER" && next !== "OWNER";
  if (self && next === undefined) {
    // Leaving is open to every role, but an organization never loses its last owner.
    return losesOwnership && ownerCount <= 1 ? deny("You are the last owner: make someone else an owner before leaving.") : allow;
  }
  const manage = canManageMembers(actor);
  if (!manage.allowed) return manage;
  if ((target === "OWNER" || next === "OWNER") && actor !== "OWNER") return deny("Only owners can change an owner or make someone an owner.");
  if (losesOwnership && ownerCount <= 1) return deny("The last owner cannot be demoted or removed: make someone else an owner first.");
  return allow;
}

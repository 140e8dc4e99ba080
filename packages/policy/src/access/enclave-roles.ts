// What each member of a collaboration enclave may do. The host organization holds every right; a
// member organization's right comes from the role it joined with.

export const enclaveRoles = ["CONTRIBUTOR", "ANALYST", "OBSERVER"] as const;
export type EnclaveRole = (typeof enclaveRoles)[number];

export type EnclaveAction = "audit.read" | "objects.read" | "contribute";

const rights: Record<EnclaveRole | "HOST", EnclaveAction[]> = {
  HOST: ["audit.read", "objects.read", "contribute"],
  CONTRIBUTOR: ["audit.read", "objects.read", "contribute"],
  ANALYST: ["audit.read", "objects.read"],
  OBSERVER: ["audit.read"],
};

const described: Record<EnclaveAction, string> = {
  "audit.read": "read the audit log",
  "objects.read": "list or download the enclave's data",
  contribute: "contribute data",
};

export function enclaveAllows(role: EnclaveRole | "HOST", action: EnclaveAction): { allowed: true } | { allowed: false; reason: string } {
  if (rights[role].includes(action)) return { allowed: true };
  return { allowed: false, reason: `As ${role.toLowerCase()} your organization cannot ${described[action]} in this enclave.` };
}

import { describe, expect, it } from "vitest";
import { canChangeMember, canInvite, roleAtLeast } from "../src/index.ts";

describe("roles", () => {
  it("orders roles owner > admin > member > viewer", () => {
    expect(roleAtLeast("OWNER", "ADMIN")).toBe(true);
    expect(roleAtLeast("ADMIN", "ADMIN")).toBe(true);
    expect(roleAtLeast("MEMBER", "ADMIN")).toBe(false);
    expect(roleAtLeast("VIEWER", "MEMBER")).toBe(false);
  });

  it("lets owners and admins invite, but only owners invite owners", () => {
    expect(canInvite("ADMIN", "MEMBER").allowed).toBe(true);
    expect(canInvite("ADMIN", "OWNER")).toEqual({ allowed: false, reason: "Only owners can invite owners." });
    expect(canInvite("OWNER", "OWNER").allowed).toBe(true);
    expect(canInvite("MEMBER", "VIEWER").allowed).toBe(false);
    expect(canInvite("VIEWER", "VIEWER").allowed).toBe(false);
  });

  it("never lets the last owner go", () => {
    expect(canChangeMember({ actor: "OWNER", target: "OWNER", next: undefined, ownerCount: 1, self: true }).allowed).toBe(false);
    expect(canChangeMember({ actor: "OWNER", target: "OWNER", next: "ADMIN", ownerCount: 1, self: true }).allowed).toBe(false);
    expect(canChangeMember({ actor: "OWNER", target: "OWNER", next: undefined, ownerCount: 2, self: true }).allowed).toBe(true);
    expect(canChangeMember({ actor: "OWNER", target: "OWNER", next: "MEMBER", ownerCount: 2, self: false }).allowed).toBe(true);
  });

  it("keeps admins away from owners", () => {
    expect(canChangeMember({ actor: "ADMIN", target: "OWNER", next: "MEMBER", ownerCount: 3, self: false }).allowed).toBe(false);
    expect(canChangeMember({ actor: "ADMIN", target: "MEMBER", next: "OWNER", ownerCount: 1, self: false }).allowed).toBe(false);
    expect(canChangeMember({ actor: "ADMIN", target: "MEMBER", next: "VIEWER", ownerCount: 1, self: false }).allowed).toBe(true);
    expect(canChangeMember({ actor: "ADMIN", target: "VIEWER", next: undefined, ownerCount: 1, self: false }).allowed).toBe(true);
  });

  it("refuses members and viewers any change to others, but lets them leave", () => {
    expect(canChangeMember({ actor: "MEMBER", target: "VIEWER", next: undefined, ownerCount: 1, self: false }).allowed).toBe(false);
    expect(canChangeMember({ actor: "VIEWER", target: "VIEWER", next: undefined, ownerCount: 1, self: true }).allowed).toBe(true);
    expect(canChangeMember({ actor: "VIEWER", target: "VIEWER", next: "ADMIN", ownerCount: 1, self: true }).allowed).toBe(false);
  });
});

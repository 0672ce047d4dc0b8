import { expect } from "vitest";
import type { RunningEmulator, SeedDocument } from "../../../src/emulator";
import type { ResourceSpec } from "../../e2e/support/stack";
import { API, perm as p, wire as w } from "../../helpers/tenant";

/**
 * The concurrency and scale tenants, shared by the provider-level and the real-CLI tests.
 *
 * Concurrency: 100 UserPermissions on one user (3 permissions each) and 100 RolePermissionRemoval
 * on one role (2 permissions each, every tenth also naming one the role does not have).
 * Scale: one user granted exactly Auth0's cap of 1000 direct permissions.
 */
export { API };
const pad = (n: number) => String(n).padStart(4, "0");
export const grantScope = (i: number) => `g:${pad(i)}`;
export const roleScope = (i: number) => `r:${pad(i)}`;
export const otherScope = (i: number) => `o:${pad(i)}`;
export const bigScope = (i: number) => `b:${pad(i)}`;

export const CROWD_USER = "auth0|crowd";
export const CROWD_ROLE = "rol_crowd";
export const BIG_USER = "auth0|big";
export const RESOURCES_PER_KIND = 100;

export const CROWD_SEED: SeedDocument = {
  resource_servers: [
    {
      identifier: API,
      scopes: [
        ...Array.from({ length: 3 * RESOURCES_PER_KIND }, (_, i) => grantScope(i)),
        ...Array.from({ length: 300 }, (_, i) => roleScope(i)),
        ...Array.from({ length: 50 }, (_, i) => otherScope(i)),
        ...Array.from({ length: 1001 }, (_, i) => bigScope(i)),
      ],
    },
  ],
  // Unmanaged permissions everywhere: they must not move.
  users: [
    { user_id: CROWD_USER, permissions: Array.from({ length: 50 }, (_, i) => w(otherScope(i))) },
    { user_id: BIG_USER, permissions: [] },
  ],
  roles: [{ id: CROWD_ROLE, permissions: Array.from({ length: 300 }, (_, i) => w(roleScope(i))) }],
};

export function crowdSpecs(): ResourceSpec[] {
  const users = Array.from({ length: RESOURCES_PER_KIND }, (_, i): ResourceSpec => ({
    kind: "user",
    name: `crowd-grant-${i}`,
    id: CROWD_USER,
    permissions: [p(grantScope(3 * i)), p(grantScope(3 * i + 1)), p(grantScope(3 * i + 2))],
  }));
  const roles = Array.from({ length: RESOURCES_PER_KIND }, (_, j): ResourceSpec => ({
    kind: "role",
    name: `crowd-removal-${j}`,
    id: CROWD_ROLE,
    // r:0000..r:0199 come off the role; every tenth also lists an o: scope the role never had.
    permissions: [p(roleScope(2 * j)), p(roleScope(2 * j + 1)), ...(j % 10 === 0 ? [p(otherScope(j / 10))] : [])],
  }));
  return [...users, ...roles];
}

/** What each removal must have recorded: exactly its two r: permissions (never the o: one). */
export function expectedRemoved(j: number): string[] {
  return [roleScope(2 * j), roleScope(2 * j + 1)];
}

export const bigList = (from = 0, count = 1000) => Array.from({ length: count }, (_, i) => p(bigScope(from + i)));

/** Sorted names of the permissions a user or role holds directly, in the emulator. */
export function permissionNames(emulator: RunningEmulator, holder: "users" | "roles", id: string): string[] {
  const state = emulator.admin.state();
  const found = holder === "users" ? state.users.find((u) => u.user_id === id) : state.roles.find((r) => r.id === id);
  return (found?.permissions ?? []).map((p) => p.permission_name).sort();
}

export const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** Compares exactly and counts the permissions compared, for the figures. */
export class ExactCheck {
  count = 0;

  equal(actual: string[], expected: string[]): void {
    expect(actual).toEqual(expected);
    this.count += expected.length;
  }
}

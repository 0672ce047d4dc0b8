import type { RequestLogEntry, RunningEmulator, SeedDocument } from "../../src/emulator";
import type { ResourceSpec } from "../e2e/support/stack";

/**
 * The emulator tenants tests start from, and the ways they read one: every layer that runs the
 * emulator (provider, e2e, reliability) names permissions, seeds and judges the tenant from here.
 * (The emulator's own tests start from test/emulator/support.ts's standardSeed; unit tests answer
 * with nock, test/helpers/nock.ts.)
 */
export const API = "https://api.example.com";

/** A permission of API as the library's inputs and outputs name it (one argument, so `names.map(perm)` works). */
export const perm = (permissionName: string) => ({ resourceServerIdentifier: API, permissionName });

/** A permission of API as the Management API and the emulator's seed name it. */
export const wire = (permission_name: string) => wireOn(API, permission_name);

/** A permission of another API, as the Management API names it. */
export const wireOn = (resource_server_identifier: string, permission_name: string) => ({
  resource_server_identifier,
  permission_name,
});

/** The tenant every e2e scenario starts from: one API, alice and bob with one unrelated permission, a role. */
export const E2E_SEED: SeedDocument = {
  resource_servers: [
    {
      identifier: API,
      name: "Reports API",
      scopes: ["read:reports", "export:reports", "write:reports", "delete:reports", "admin:reports", "unrelated:thing"],
    },
  ],
  users: [
    { user_id: "auth0|alice", permissions: [wire("unrelated:thing")] },
    { user_id: "auth0|bob", permissions: [wire("unrelated:thing")] },
  ],
  roles: [
    {
      id: "rol_support",
      name: "Support",
      permissions: [wire("read:reports"), wire("write:reports"), wire("delete:reports")],
    },
  ],
};

/**
 * The tenant of the fault, interruption and secret scenarios (test/reliability): four users with one
 * unrelated permission, two roles, judged as a whole with `snapshot` and `snapshotDiff`.
 */
export const SCOPES = [
  "read:reports",
  "export:reports",
  "write:reports",
  "delete:reports",
  "admin:reports",
  "unrelated:thing",
  "audit:reports",
  "share:reports",
];
export const USERS = ["auth0|u1", "auth0|u2", "auth0|u3", "auth0|u4"];
export const ROLES = ["rol_support", "rol_ops"];
export const SCENARIO_SEED: SeedDocument = {
  resource_servers: [{ identifier: API, name: "Reports API", scopes: SCOPES }],
  users: USERS.map((user_id) => ({ user_id, permissions: [wire("unrelated:thing")] })),
  roles: [
    { id: "rol_support", permissions: ["read:reports", "write:reports", "delete:reports", "admin:reports"].map(wire) },
    { id: "rol_ops", permissions: ["read:reports", "export:reports", "delete:reports", "audit:reports"].map(wire) },
  ],
};

/** The scenarios' standard program, on SCENARIO_SEED: grants to three users, removals from both roles. */
export const WORKLOAD: ResourceSpec[] = [
  { kind: "user", name: "grant-u1", id: "auth0|u1", permissions: [perm("read:reports"), perm("export:reports")] },
  {
    kind: "user",
    name: "grant-u2",
    id: "auth0|u2",
    permissions: [perm("read:reports"), perm("write:reports"), perm("audit:reports")],
  },
  { kind: "user", name: "grant-u3", id: "auth0|u3", permissions: [perm("share:reports")] },
  {
    kind: "role",
    name: "remove-support",
    id: "rol_support",
    permissions: [perm("delete:reports"), perm("admin:reports")],
  },
  { kind: "role", name: "remove-ops", id: "rol_ops", permissions: [perm("delete:reports"), perm("share:reports")] },
];

// ---------------------------------------------------------------------------------------------
// Reading and changing one holder

/** Sorted permission names a user holds directly, in the emulator. */
export function userPermissions(emulator: RunningEmulator, userId: string): string[] {
  const user = emulator.admin.state().users.find((u) => u.user_id === userId);
  return (user?.permissions ?? []).map((p) => p.permission_name).sort();
}

export function rolePermissions(emulator: RunningEmulator, roleId: string): string[] {
  const role = emulator.admin.state().roles.find((r) => r.id === roleId);
  return (role?.permissions ?? []).map((p) => p.permission_name).sort();
}

/** Replaces one user's direct permissions out of band, as someone using the dashboard would. */
export function setUserPermissions(emulator: RunningEmulator, userId: string, names: string[]): void {
  const user = emulator.admin.state().users.find((u) => u.user_id === userId);
  emulator.admin.seed({
    users: [{ user_id: userId, roles: user?.roles ?? [], permissions: names.map(wire) }],
  });
}

export function setRolePermissions(emulator: RunningEmulator, roleId: string, names: string[]): void {
  const role = emulator.admin.state().roles.find((r) => r.id === roleId);
  emulator.admin.seed({
    roles: [{ id: roleId, name: role?.name ?? roleId, permissions: names.map(wire) }],
  });
}

// ---------------------------------------------------------------------------------------------
// The whole tenant

/** A snapshot of the whole tenant: holder → sorted permission names. */
export type Snapshot = Record<string, string[]>;

/** Every user's direct permissions and every role's permissions, so a change to anything unmanaged shows up too. */
export function snapshot(emulator: RunningEmulator): Snapshot {
  const state = emulator.admin.state();
  const out: Snapshot = {};
  for (const user of state.users) out[`user ${user.user_id}`] = user.permissions.map(key).sort();
  for (const role of state.roles) out[`role ${role.id}`] = role.permissions.map(key).sort();
  return out;
}

function key(p: { resource_server_identifier: string; permission_name: string }): string {
  return p.resource_server_identifier === API
    ? p.permission_name
    : `${p.permission_name} on ${p.resource_server_identifier}`;
}

/** The tenant as the program declares it, starting from `before`: grants added, removals taken off. */
export function declaredTenant(before: Snapshot, specs: readonly ResourceSpec[]): Snapshot {
  const out: Snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, [...v]]));
  for (const spec of specs) {
    const holder = `${spec.kind} ${spec.id}`;
    const names = (spec.permissions as { permissionName: string }[]).map((p) => p.permissionName);
    const current = new Set(out[holder] ?? []);
    for (const name of names) {
      if (spec.kind === "user") current.add(name);
      else current.delete(name);
    }
    out[holder] = [...current].sort();
  }
  return out;
}

/** Holder-by-holder differences; empty when equal. */
export function snapshotDiff(expected: Snapshot, actual: Snapshot): string[] {
  const lines: string[] = [];
  for (const holder of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = new Set(expected[holder] ?? []);
    const have = new Set(actual[holder] ?? []);
    const missing = [...want].filter((p) => !have.has(p));
    const extra = [...have].filter((p) => !want.has(p));
    if (missing.length + extra.length > 0)
      lines.push(`${holder}: missing [${missing.join(", ")}], extra [${extra.join(", ")}]`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The request log

export const isWrite = (r: RequestLogEntry) =>
  r.path.startsWith("/api/v2/") && (r.method === "POST" || r.method === "DELETE");
export const isToken = (r: RequestLogEntry) => r.path === "/oauth/token";
export const apiRequests = (emulator: RunningEmulator) =>
  emulator.admin.requests().filter((r) => r.path.startsWith("/api/v2/"));
export const summarize = (entries: RequestLogEntry[]) => entries.map((r) => `${r.method} ${r.path} ${r.status}`);

/** Log entries that carried a fault or a failure: what the figures call "faulty answers served". */
export function faultyAnswers(emulator: RunningEmulator): number {
  return emulator.admin
    .requests()
    .filter(
      (r) =>
        r.status === 0 ||
        r.status === 401 ||
        r.status === 429 ||
        r.status >= 500 ||
        (r.path === "/oauth/token" && r.status !== 200),
    ).length;
}

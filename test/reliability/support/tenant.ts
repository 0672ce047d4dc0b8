import type { RunningEmulator, SeedDocument } from "../../../src/emulator";
import type { ResourceSpec } from "../../e2e/support/stack";

/**
 * The tenant of the fault, interruption and secret scenarios, and the one way they judge it: the
 * whole tenant (every user's direct permissions, every role's permissions) compared with what it
 * must be, so a change to anything unmanaged shows up too.
 */
export const API = "https://api.example.com";
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
export const perm = (permissionName: string) => ({ resourceServerIdentifier: API, permissionName });
export const wire = (permission_name: string) => ({ resource_server_identifier: API, permission_name });

export const USERS = ["auth0|u1", "auth0|u2", "auth0|u3", "auth0|u4"];
export const ROLES = ["rol_support", "rol_ops"];

export const SEED: SeedDocument = {
  resource_servers: [{ identifier: API, name: "Reports API", scopes: SCOPES }],
  users: USERS.map((user_id) => ({ user_id, permissions: [wire("unrelated:thing")] })),
  roles: [
    { id: "rol_support", permissions: ["read:reports", "write:reports", "delete:reports", "admin:reports"].map(wire) },
    { id: "rol_ops", permissions: ["read:reports", "export:reports", "delete:reports", "audit:reports"].map(wire) },
  ],
};

/** A snapshot of the whole tenant: holder → sorted permission names. */
export type Snapshot = Record<string, string[]>;

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

/** The scenarios' standard program: grants to three users, removals from both roles. */
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

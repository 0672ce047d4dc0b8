import type { RequestLogEntry, RunningEmulator, SeedDocument } from "../../../src/emulator";
import type { E2eStack } from "./stack";

export const API = "https://api.example.com";
export const perm = (permissionName: string) => ({ resourceServerIdentifier: API, permissionName });
export const wire = (permission_name: string) => ({ resource_server_identifier: API, permission_name });

/** The tenant every e2e scenario starts from: one API, users with one unrelated permission, a role. */
export const SEED: SeedDocument = {
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
  emulator.admin.seed({ users: [{ user_id: userId, roles: user?.roles ?? [], permissions: names.map(wire) }] });
}

export function setRolePermissions(emulator: RunningEmulator, roleId: string, names: string[]): void {
  const role = emulator.admin.state().roles.find((r) => r.id === roleId);
  emulator.admin.seed({ roles: [{ id: roleId, name: role?.name ?? roleId, permissions: names.map(wire) }] });
}

export const isWrite = (r: RequestLogEntry) =>
  r.path.startsWith("/api/v2/") && (r.method === "POST" || r.method === "DELETE");
export const isToken = (r: RequestLogEntry) => r.path === "/oauth/token";
export const apiRequests = (emulator: RunningEmulator) =>
  emulator.admin.requests().filter((r) => r.path.startsWith("/api/v2/"));
export const summarize = (entries: RequestLogEntry[]) => entries.map((r) => `${r.method} ${r.path} ${r.status}`);

/** Points a stack at the emulator through stack config, the client secret stored as a secret. */
export async function useEmulator(stack: E2eStack, emulator: RunningEmulator): Promise<void> {
  await stack.setConfig("auth0:domain", emulator.domain);
  await stack.setConfig("auth0:clientId", emulator.clientId);
  await stack.setConfig("auth0:clientSecret", emulator.clientSecret, true);
}

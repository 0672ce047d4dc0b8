import { ApiError, resourceServerNotFound } from "./api-errors";
import type { PermissionComparator } from "./order";
import {
  displayName,
  permissionCapPerEntity,
  permissionKey,
  type ResourceServerRecord,
  type RoleRecord,
  type TenantStore,
  type UserRecord,
} from "./store";
import type { PermissionReference } from "./types";

export interface PermissionSource {
  source_id: string;
  source_name: string;
  source_type: "DIRECT" | "ROLE";
}

/** An item of GET /roles/{id}/permissions (auth0-api-facts.md §12 example 3). */
export interface RolePermissionEntry {
  permission_name: string;
  description: string;
  resource_server_name: string;
  resource_server_identifier: string;
}

/** An item of GET /users/{id}/permissions: the role shape plus `sources` (§3, §12 example 2). */
export interface UserPermissionEntry extends RolePermissionEntry {
  sources: PermissionSource[];
}

export interface AssignRules {
  duplicateAssign: "noop" | "conflict";
  unknownPermission: "bad-request" | "not-found" | "accept";
}

const directSource: PermissionSource = { source_id: "", source_name: "", source_type: "DIRECT" };

function describe(store: TenantStore, permission: PermissionReference): RolePermissionEntry {
  const server = store.resourceServers.get(permission.resource_server_identifier);
  return {
    permission_name: permission.permission_name,
    description: server?.scopes.get(permission.permission_name) ?? "",
    resource_server_name: server === undefined ? "" : displayName(server),
    resource_server_identifier: permission.resource_server_identifier,
  };
}

function resolveServer(store: TenantStore, identifier: string): ResourceServerRecord {
  const server = store.resourceServers.get(identifier);
  if (server === undefined) throw resourceServerNotFound(identifier);
  return server;
}

function unknownPermissionError(rules: AssignRules, permission: PermissionReference): ApiError {
  const { permission_name: name, resource_server_identifier: identifier } = permission;
  const message = `Permission '${name}' does not exist on the resource server: '${identifier}'`;
  return new ApiError(rules.unknownPermission === "not-found" ? 404 : 400, message);
}

/**
 * Adds permissions to a user's direct set or a role's set. Every check runs before the first write, so a
 * rejected request changes nothing.
 */
export function assignPermissions(
  store: TenantStore,
  target: Map<string, PermissionReference>,
  kind: "user" | "role",
  permissions: readonly PermissionReference[],
  rules: AssignRules,
): void {
  const additions = new Map<string, PermissionReference>();
  for (const permission of permissions) {
    const server = resolveServer(store, permission.resource_server_identifier);
    if (rules.unknownPermission !== "accept" && !server.scopes.has(permission.permission_name)) {
      throw unknownPermissionError(rules, permission);
    }
    const key = permissionKey(permission);
    if (target.has(key)) {
      if (rules.duplicateAssign === "conflict") {
        const { permission_name: name, resource_server_identifier: identifier } = permission;
        throw new ApiError(409, `Permission '${name}' of '${identifier}' is already assigned to this ${kind}`);
      }
      continue;
    }
    additions.set(key, { ...permission });
  }
  if (target.size + additions.size > permissionCapPerEntity) {
    throw new ApiError(400, `No more permissions can be assigned to this ${kind}`);
  }
  for (const [key, permission] of additions) target.set(key, permission);
  if (additions.size > 0) store.touch();
}

/** Removes permissions; ones that are not assigned are ignored (204 either way, §2). */
export function removePermissions(
  store: TenantStore,
  target: Map<string, PermissionReference>,
  permissions: readonly PermissionReference[],
): void {
  for (const permission of permissions) resolveServer(store, permission.resource_server_identifier);
  let removed = false;
  for (const permission of permissions) removed = target.delete(permissionKey(permission)) || removed;
  if (removed) store.touch();
}

interface CachedList<T> {
  version: number;
  entries: T[];
}

const roleCache = new WeakMap<RoleRecord, CachedList<RolePermissionEntry>>();
const userCache = new WeakMap<UserRecord, CachedList<UserPermissionEntry> & { withRoles: boolean }>();

/** A role's permissions, in the emulator's list order (sorted by resource server identifier then name by default). */
export function listRolePermissions(
  store: TenantStore,
  role: RoleRecord,
  order: PermissionComparator,
): RolePermissionEntry[] {
  const cached = roleCache.get(role);
  if (cached !== undefined && cached.version === store.version) return cached.entries;
  const entries = [...role.permissions.values()].sort(order).map((p) => describe(store, p));
  roleCache.set(role, { version: store.version, entries });
  return entries;
}

/**
 * A user's permissions: direct ones with a DIRECT source, plus (unless `withRoles` is false) those of each
 * role the user is a member of, with a ROLE source. A permission held both ways lists every source.
 */
export function listUserPermissions(
  store: TenantStore,
  user: UserRecord,
  withRoles: boolean,
  order: PermissionComparator,
): UserPermissionEntry[] {
  const cached = userCache.get(user);
  if (cached !== undefined && cached.version === store.version && cached.withRoles === withRoles) {
    return cached.entries;
  }
  const merged = new Map<string, { permission: PermissionReference; sources: PermissionSource[] }>();
  const add = (permission: PermissionReference, source: PermissionSource): void => {
    const key = permissionKey(permission);
    const existing = merged.get(key);
    if (existing === undefined) merged.set(key, { permission, sources: [source] });
    else existing.sources.push(source);
  };
  for (const permission of user.direct.values()) add(permission, directSource);
  if (withRoles) {
    for (const roleId of [...user.roles].sort()) {
      const role = store.roles.get(roleId);
      if (role === undefined) continue;
      const source: PermissionSource = { source_id: role.id, source_name: role.name, source_type: "ROLE" };
      for (const permission of role.permissions.values()) add(permission, source);
    }
  }
  const entries = [...merged.values()]
    .sort((a, b) => order(a.permission, b.permission))
    .map(({ permission, sources }) => ({ ...describe(store, permission), sources }));
  userCache.set(user, { version: store.version, entries, withRoles });
  return entries;
}

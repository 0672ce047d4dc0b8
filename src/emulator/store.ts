import { createHash } from "node:crypto";
import type { PermissionReference, ScopeDefinition, TenantState } from "./types";

/** Auth0's entity limit: 1000 directly assigned permissions per user and per role (auth0-api-facts.md §1, §4). */
export const permissionCapPerEntity = 1000;

export interface ResourceServerRecord {
  id: string;
  identifier: string;
  name: string;
  /** Scope value → description (`undefined` when none was given). Insertion-ordered. */
  scopes: Map<string, string | undefined>;
}

export interface UserRecord {
  user_id: string;
  created_at: string;
  /** Directly assigned permissions, keyed by `permissionKey()`. */
  direct: Map<string, PermissionReference>;
  roles: Set<string>;
}

export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  permissions: Map<string, PermissionReference>;
}

export interface ClientRecord {
  client_id: string;
  client_secret: string;
  scopes: string[];
}

export function permissionKey(reference: PermissionReference): string {
  return `${reference.resource_server_identifier}\u0000${reference.permission_name}`;
}

/** Auth0 ids are 24 hex characters; derive one from the identifier so it is stable across seeds. */
export function resourceServerIdFor(identifier: string): string {
  return createHash("sha256").update(identifier).digest("hex").slice(0, 24);
}

export function comparePermissions(a: PermissionReference, b: PermissionReference): number {
  if (a.resource_server_identifier !== b.resource_server_identifier) {
    return a.resource_server_identifier < b.resource_server_identifier ? -1 : 1;
  }
  if (a.permission_name === b.permission_name) return 0;
  return a.permission_name < b.permission_name ? -1 : 1;
}

/**
 * The tenant: resource servers, users, roles and clients. All reads and writes are synchronous, so a
 * request's read-check-write runs without interleaving with another request (Node runs one callback at a
 * time); that is what keeps concurrent requests consistent.
 */
export class TenantStore {
  readonly resourceServers = new Map<string, ResourceServerRecord>();
  /** Resource-server id → identifier. */
  readonly resourceServerIds = new Map<string, string>();
  readonly users = new Map<string, UserRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly clients = new Map<string, ClientRecord>();
  /** Bumped on every change; list caches compare against it. */
  version = 0;

  addResourceServer(record: ResourceServerRecord): void {
    this.resourceServers.set(record.identifier, record);
    this.resourceServerIds.set(record.id, record.identifier);
  }

  /** Finds a resource server by id or by identifier, as GET /resource-servers/{id} accepts either. */
  findResourceServer(idOrIdentifier: string): ResourceServerRecord | undefined {
    const identifier = this.resourceServerIds.get(idOrIdentifier) ?? idOrIdentifier;
    return this.resourceServers.get(identifier);
  }

  touch(): void {
    this.version += 1;
  }

  toState(): TenantState {
    const sorted = (permissions: Map<string, PermissionReference>): PermissionReference[] =>
      [...permissions.values()].sort(comparePermissions).map((p) => ({ ...p }));
    return {
      resource_servers: [...this.resourceServers.values()].map((server) => ({
        identifier: server.identifier,
        name: server.name,
        id: server.id,
        scopes: [...server.scopes].map(([value, description]): ScopeDefinition =>
          description === undefined ? value : { value, description },
        ),
      })),
      users: [...this.users.values()].map((user) => ({
        user_id: user.user_id,
        permissions: sorted(user.direct),
        roles: [...user.roles],
      })),
      roles: [...this.roles.values()].map((role) => ({
        id: role.id,
        name: role.name,
        description: role.description,
        permissions: sorted(role.permissions),
      })),
      clients: [...this.clients.values()].map((client) => ({ ...client, scopes: [...client.scopes] })),
    };
  }
}

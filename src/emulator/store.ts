import { createHash } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { JsonWebKeySet, PermissionReference, ScopeDefinition, TenantState } from "./types";

/** Auth0's entity limit: 1000 directly assigned permissions per user and per role (auth0-api-facts.md §1, §4). */
export const permissionCapPerEntity = 1000;

export interface ResourceServerRecord {
  id: string;
  identifier: string;
  /** `undefined` when none was given: Auth0 then renders no `name`. */
  name: string | undefined;
  /** Scope value → description (`undefined` when none was given). Insertion-ordered. */
  scopes: Map<string, string | undefined>;
  /** False for an API seeded without a `scopes` field: Auth0 renders no `scopes` member then. */
  hasScopes: boolean;
  tokenLifetime: number;
  tokenLifetimeForWeb: number;
  skipConsent: boolean;
  allowOfflineAccess: boolean;
  /** Built-in APIs (the Auth0 Management API): listed with `is_system: true`, never part of the state. */
  isSystem: boolean;
}

/** The name permission lists show for an API: its name, or its identifier when it has none. */
export function displayName(server: ResourceServerRecord): string {
  return server.name ?? server.identifier;
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
  type: "tenant" | "organization";
  /** Set exactly for organization roles. */
  ownerId: string | undefined;
  permissions: Map<string, PermissionReference>;
}

export interface ClientRecord {
  client_id: string;
  client_secret: string | undefined;
  /** As seeded, for the state. */
  public_key: string | undefined;
  jwks: JsonWebKeySet | undefined;
  /** The verification keys of `public_key` and `jwks`, with the JWK's `kid` when it had one. */
  keys: Array<{ key: KeyObject; kid: string | undefined }>;
  scopes: string[];
}

/**
 * A collision-free key for a permission: JSON of the pair, so no choice of characters in the identifier
 * or the name can make two distinct permissions share a key (a separator character could).
 */
export function permissionKey(reference: PermissionReference): string {
  return JSON.stringify([reference.resource_server_identifier, reference.permission_name]);
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
      resource_servers: [...this.resourceServers.values()]
        .filter((server) => !server.isSystem)
        .map((server) => ({
          identifier: server.identifier,
          ...(server.name === undefined ? {} : { name: server.name }),
          id: server.id,
          ...(server.hasScopes
            ? {
                scopes: [...server.scopes].map(([value, description]): ScopeDefinition =>
                  description === undefined ? value : { value, description },
                ),
              }
            : {}),
          token_lifetime: server.tokenLifetime,
          token_lifetime_for_web: server.tokenLifetimeForWeb,
          skip_consent_for_verifiable_first_party_clients: server.skipConsent,
          allow_offline_access: server.allowOfflineAccess,
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
        type: role.type,
        ...(role.ownerId === undefined ? {} : { owner_id: role.ownerId }),
        permissions: sorted(role.permissions),
      })),
      clients: [...this.clients.values()].map((client) => ({
        client_id: client.client_id,
        ...(client.client_secret === undefined ? {} : { client_secret: client.client_secret }),
        ...(client.public_key === undefined ? {} : { public_key: client.public_key }),
        ...(client.jwks === undefined ? {} : { jwks: structuredClone(client.jwks) }),
        scopes: [...client.scopes],
      })),
    };
  }
}

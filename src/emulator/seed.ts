import { createPublicKey, type KeyObject } from "node:crypto";
import { managementScopeDescriptions } from "./options";
import {
  permissionCapPerEntity,
  permissionKey,
  resourceServerIdFor,
  TenantStore,
  type ClientRecord,
  type ResourceServerRecord,
} from "./store";
import type { JsonWebKeySet, PermissionReference, ScopeDefinition, SeedClient, SeedDocument } from "./types";

/** A seed document that is malformed or refers to something that does not exist. */
export class SeedError extends Error {
  override readonly name = "SeedError" as const;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(value: Json, where: string, allowed: readonly string[]): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw new SeedError(`${where}: unknown field(s) ${extra.join(", ")}`);
}

function requireString(value: Json, key: string, where: string): string {
  const field = value[key];
  if (typeof field !== "string" || field === "") throw new SeedError(`${where}: ${key} must be a non-empty string`);
  return field;
}

function optionalString(value: Json, key: string, where: string): string | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== "string") throw new SeedError(`${where}: ${key} must be a string`);
  return field;
}

function optionalBoolean(value: Json, key: string, where: string): boolean | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== "boolean") throw new SeedError(`${where}: ${key} must be true or false`);
  return field;
}

function optionalSeconds(value: Json, key: string, where: string): number | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== "number" || !Number.isInteger(field) || field < 1 || field > 2_592_000) {
    throw new SeedError(`${where}: ${key} must be a whole number of seconds from 1 to 2592000 (30 days)`);
  }
  return field;
}

function list(value: Json, key: string, where: string): unknown[] {
  const field = value[key];
  if (field === undefined) return [];
  if (!Array.isArray(field)) throw new SeedError(`${where}: ${key} must be an array`);
  return field;
}

function parsePermissions(items: unknown[], where: string): PermissionReference[] {
  return items.map((item, index) => {
    const at = `${where}.permissions[${index}]`;
    if (!isObject(item)) throw new SeedError(`${at} must be an object`);
    checkKeys(item, at, ["resource_server_identifier", "permission_name"]);
    return {
      resource_server_identifier: requireString(item, "resource_server_identifier", at),
      permission_name: requireString(item, "permission_name", at),
    };
  });
}

function parseScope(item: unknown, at: string): ScopeDefinition {
  if (typeof item === "string" && item !== "") return item;
  if (!isObject(item)) throw new SeedError(`${at} must be a string or {value, description?}`);
  checkKeys(item, at, ["value", "description"]);
  const value = requireString(item, "value", at);
  const description = optionalString(item, "description", at);
  return description === undefined ? { value } : { value, description };
}

function withOptional<T extends object, K extends string, V>(base: T, key: K, value: V | undefined): T {
  return value === undefined ? base : { ...base, [key]: value };
}

function parseJwks(value: unknown, at: string): JsonWebKeySet {
  if (!isObject(value) || !Array.isArray(value["keys"]) || value["keys"].length === 0) {
    throw new SeedError(`${at}.jwks must be {"keys": [JWK, ...]} with at least one key`);
  }
  checkKeys(value, `${at}.jwks`, ["keys"]);
  return {
    keys: value["keys"].map((key, index) => {
      if (!isObject(key)) throw new SeedError(`${at}.jwks.keys[${index}] must be a JWK object`);
      return { ...key };
    }),
  };
}

function rsaPublicKey(create: () => KeyObject, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = create();
  } catch (error) {
    throw new SeedError(
      `${where} is not a valid public key: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new SeedError(
      `${where} must be an RSA key (RS256, RS384 and PS256 are accepted); got ${key.asymmetricKeyType}`,
    );
  }
  return key;
}

/** The verification keys of a seeded client; throws `SeedError` for anything but public RSA keys. */
export function clientKeys(client: SeedClient, at: string): ClientRecord["keys"] {
  const keys: ClientRecord["keys"] = [];
  if (client.public_key !== undefined) {
    const pem = client.public_key;
    if (!pem.includes("-----BEGIN PUBLIC KEY-----")) {
      throw new SeedError(
        `${at}.public_key must be a PEM public key (-----BEGIN PUBLIC KEY-----), never a private key`,
      );
    }
    keys.push({ key: rsaPublicKey(() => createPublicKey(pem), `${at}.public_key`), kid: undefined });
  }
  for (const [index, jwk] of (client.jwks?.keys ?? []).entries()) {
    const where = `${at}.jwks.keys[${index}]`;
    if (jwk["d"] !== undefined) throw new SeedError(`${where} is a private key; seed the public part only`);
    const kid = jwk["kid"];
    if (kid !== undefined && typeof kid !== "string") throw new SeedError(`${where}.kid must be a string`);
    keys.push({ key: rsaPublicKey(() => createPublicKey({ key: jwk, format: "jwk" }), where), kid });
  }
  return keys;
}

/** Checks the shape of an untrusted seed (from HTTP or a file) and returns it typed. */
export function parseSeed(input: unknown): SeedDocument {
  if (!isObject(input)) throw new SeedError("A seed must be a JSON object");
  checkKeys(input, "seed", ["resource_servers", "users", "roles", "clients"]);
  const entity = (item: unknown, where: string, allowed: readonly string[]): Json => {
    if (!isObject(item)) throw new SeedError(`${where} must be an object`);
    checkKeys(item, where, allowed);
    return item;
  };
  return {
    resource_servers: list(input, "resource_servers", "seed").map((raw, i) => {
      const at = `resource_servers[${i}]`;
      const item = entity(raw, at, [
        "identifier",
        "name",
        "id",
        "scopes",
        "token_lifetime",
        "token_lifetime_for_web",
        "skip_consent_for_verifiable_first_party_clients",
        "allow_offline_access",
      ]);
      let server = { identifier: requireString(item, "identifier", at) };
      server = withOptional(server, "name", optionalString(item, "name", at));
      server = withOptional(server, "id", optionalString(item, "id", at));
      server = withOptional(
        server,
        "scopes",
        item["scopes"] === undefined
          ? undefined
          : list(item, "scopes", at).map((scope, j) => parseScope(scope, `${at}.scopes[${j}]`)),
      );
      server = withOptional(server, "token_lifetime", optionalSeconds(item, "token_lifetime", at));
      server = withOptional(server, "token_lifetime_for_web", optionalSeconds(item, "token_lifetime_for_web", at));
      const skipConsent = "skip_consent_for_verifiable_first_party_clients";
      server = withOptional(server, skipConsent, optionalBoolean(item, skipConsent, at));
      return withOptional(server, "allow_offline_access", optionalBoolean(item, "allow_offline_access", at));
    }),
    users: list(input, "users", "seed").map((raw, i) => {
      const at = `users[${i}]`;
      const item = entity(raw, at, ["user_id", "permissions", "roles"]);
      const roles = list(item, "roles", at).map((role, j) => {
        if (typeof role !== "string" || role === "") throw new SeedError(`${at}.roles[${j}] must be a role id`);
        return role;
      });
      return {
        user_id: requireString(item, "user_id", at),
        permissions: parsePermissions(list(item, "permissions", at), at),
        roles,
      };
    }),
    roles: list(input, "roles", "seed").map((raw, i) => {
      const at = `roles[${i}]`;
      const item = entity(raw, at, ["id", "name", "description", "type", "owner_id", "permissions"]);
      let role = { id: requireString(item, "id", at) };
      role = withOptional(role, "name", optionalString(item, "name", at));
      role = withOptional(role, "description", optionalString(item, "description", at));
      const type = item["type"];
      if (type !== undefined && type !== "tenant" && type !== "organization") {
        throw new SeedError(`${at}: type must be "tenant" or "organization"`);
      }
      const ownerId = optionalString(item, "owner_id", at);
      if (type === "organization" && (ownerId === undefined || !/^org_\S+$/.test(ownerId))) {
        throw new SeedError(`${at}: an organization role needs owner_id, the organization's id (org_…)`);
      }
      if (type !== "organization" && ownerId !== undefined) {
        throw new SeedError(`${at}: owner_id is only for roles of type "organization"`);
      }
      role = withOptional(role, "type", type);
      role = withOptional(role, "owner_id", ownerId);
      return { ...role, permissions: parsePermissions(list(item, "permissions", at), at) };
    }),
    clients: list(input, "clients", "seed").map((raw, i) => {
      const at = `clients[${i}]`;
      const item = entity(raw, at, ["client_id", "client_secret", "public_key", "jwks", "scopes"]);
      const scopes = list(item, "scopes", at).map((scope, j) => {
        if (typeof scope !== "string") throw new SeedError(`${at}.scopes[${j}] must be a string`);
        return scope;
      });
      let client: SeedClient = { client_id: requireString(item, "client_id", at), scopes };
      if (item["client_secret"] !== undefined) client.client_secret = requireString(item, "client_secret", at);
      if (item["public_key"] !== undefined) client.public_key = requireString(item, "public_key", at);
      client = withOptional(client, "jwks", item["jwks"] === undefined ? undefined : parseJwks(item["jwks"], at));
      if (client.client_secret === undefined && client.public_key === undefined && client.jwks === undefined) {
        throw new SeedError(`${at}: give client_secret, or public_key / jwks for Private Key JWT`);
      }
      clientKeys(client, at);
      return client;
    }),
  };
}

function upsert<T>(base: readonly T[], additions: readonly T[], key: (item: T) => string): T[] {
  const merged = new Map(base.map((item) => [key(item), item] as const));
  for (const item of additions) merged.set(key(item), item);
  return [...merged.values()];
}

/** Adds `addition` to `base`: an entity whose key already exists is replaced as a whole. */
export function mergeSeed(base: SeedDocument, addition: SeedDocument): SeedDocument {
  return {
    resource_servers: upsert(base.resource_servers ?? [], addition.resource_servers ?? [], (s) => s.identifier),
    users: upsert(base.users ?? [], addition.users ?? [], (u) => u.user_id),
    roles: upsert(base.roles ?? [], addition.roles ?? [], (r) => r.id),
    clients: upsert(base.clients ?? [], addition.clients ?? [], (c) => c.client_id),
  };
}

export interface SeedRules {
  /** With `accept`, permissions need not be among the resource server's scopes (as for the API). */
  unknownPermission: "bad-request" | "not-found" | "accept";
  now: () => number;
  /** `https://{domain}/api/v2/`: the tenant's built-in Auth0 Management API, a system API. */
  managementApiIdentifier: string;
}

/** Auth0's built-in API of every tenant (auth0-api-facts.md §14: `is_system: true`). */
function managementApi(identifier: string): ResourceServerRecord {
  return {
    id: resourceServerIdFor(identifier),
    identifier,
    name: "Auth0 Management API",
    scopes: new Map(Object.entries(managementScopeDescriptions)),
    hasScopes: true,
    tokenLifetime: 86_400,
    tokenLifetimeForWeb: 7200,
    skipConsent: true,
    allowOfflineAccess: false,
    isSystem: true,
  };
}

function permissionMap(
  store: TenantStore,
  permissions: readonly PermissionReference[],
  owner: string,
  rules: SeedRules,
): Map<string, PermissionReference> {
  const map = new Map<string, PermissionReference>();
  for (const permission of permissions) {
    const server = store.resourceServers.get(permission.resource_server_identifier);
    if (server === undefined) {
      throw new SeedError(`${owner}: resource server '${permission.resource_server_identifier}' does not exist`);
    }
    if (rules.unknownPermission !== "accept" && !server.scopes.has(permission.permission_name)) {
      throw new SeedError(`${owner}: '${permission.permission_name}' is not a scope of '${server.identifier}'`);
    }
    map.set(permissionKey(permission), { ...permission });
  }
  if (map.size > permissionCapPerEntity) {
    throw new SeedError(`${owner}: ${map.size} permissions exceed the cap of ${permissionCapPerEntity}`);
  }
  return map;
}

/** Builds a whole tenant from a document, checking every reference; throws `SeedError` and builds nothing on error. */
export function buildStore(document: SeedDocument, rules: SeedRules): TenantStore {
  const store = new TenantStore();
  store.addResourceServer(managementApi(rules.managementApiIdentifier));
  for (const seed of document.resource_servers ?? []) {
    if (store.resourceServers.has(seed.identifier)) {
      throw new SeedError(
        `resource server '${seed.identifier}' is the tenant's built-in Auth0 Management API; it cannot be seeded`,
      );
    }
    const scopes = new Map<string, string | undefined>();
    for (const scope of seed.scopes ?? []) {
      if (typeof scope === "string") scopes.set(scope, undefined);
      else scopes.set(scope.value, scope.description);
    }
    const record: ResourceServerRecord = {
      id: seed.id ?? resourceServerIdFor(seed.identifier),
      identifier: seed.identifier,
      name: seed.name,
      scopes,
      hasScopes: seed.scopes !== undefined,
      tokenLifetime: seed.token_lifetime ?? 86_400,
      tokenLifetimeForWeb: seed.token_lifetime_for_web ?? 7200,
      skipConsent: seed.skip_consent_for_verifiable_first_party_clients ?? true,
      allowOfflineAccess: seed.allow_offline_access ?? false,
      isSystem: false,
    };
    store.addResourceServer(record);
  }
  for (const seed of document.roles ?? []) {
    store.roles.set(seed.id, {
      id: seed.id,
      name: seed.name ?? seed.id,
      description: seed.description ?? "",
      type: seed.type ?? "tenant",
      ownerId: seed.owner_id,
      permissions: permissionMap(store, seed.permissions ?? [], `role '${seed.id}'`, rules),
    });
  }
  const createdAt = new Date(rules.now()).toISOString();
  for (const seed of document.users ?? []) {
    for (const role of seed.roles ?? []) {
      if (!store.roles.has(role)) throw new SeedError(`user '${seed.user_id}': role '${role}' does not exist`);
    }
    store.users.set(seed.user_id, {
      user_id: seed.user_id,
      created_at: createdAt,
      direct: permissionMap(store, seed.permissions ?? [], `user '${seed.user_id}'`, rules),
      roles: new Set(seed.roles ?? []),
    });
  }
  for (const seed of document.clients ?? []) {
    store.clients.set(seed.client_id, {
      client_id: seed.client_id,
      client_secret: seed.client_secret,
      public_key: seed.public_key,
      jwks: seed.jwks === undefined ? undefined : structuredClone(seed.jwks),
      keys: clientKeys(seed, `client '${seed.client_id}'`),
      scopes: [...seed.scopes],
    });
  }
  return store;
}

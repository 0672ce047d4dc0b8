/**
 * Public data shapes of the emulator's control surface. Field names follow Auth0's snake_case, so the
 * same JSON works over HTTP (`/__admin/...`) and in process (`emulator.admin`).
 */

/** A permission reference, exactly as the Management API's request bodies spell it. */
export interface PermissionReference {
  resource_server_identifier: string;
  permission_name: string;
}

/** A scope of a resource server: a bare name, or a name with the description Auth0 shows in permission lists. */
export type ScopeDefinition = string | { value: string; description?: string };

export interface SeedResourceServer {
  /** The API identifier (audience), e.g. `https://api.example.com`. */
  identifier: string;
  /**
   * Without one, the API has no `name` member, as Auth0 renders it; permission lists then show the
   * identifier as `resource_server_name`.
   */
  name?: string;
  /** Auth0's 24-character id. @default generated */
  id?: string;
  /** The permissions the API defines. Without the field the API has no `scopes` member at all. */
  scopes?: ScopeDefinition[];
  /** @default 86400 */
  token_lifetime?: number;
  /** @default 7200 */
  token_lifetime_for_web?: number;
  /** @default true */
  skip_consent_for_verifiable_first_party_clients?: boolean;
  /** @default false */
  allow_offline_access?: boolean;
}

export interface SeedUser {
  user_id: string;
  /** Directly assigned permissions. @default [] */
  permissions?: PermissionReference[];
  /** Ids of roles the user is a member of. @default [] */
  roles?: string[];
}

export interface SeedRole {
  id: string;
  /** @default the id */
  name?: string;
  /** @default "" */
  description?: string;
  /** `organization` roles belong to an organization and need `owner_id`. @default "tenant" */
  type?: "tenant" | "organization";
  /** The organization (`org_…`) owning an `organization` role; only for that type. */
  owner_id?: string;
  permissions?: PermissionReference[];
}

/** A JSON Web Key Set, as `{"keys": [...]}`; only public RSA keys are accepted. */
export interface JsonWebKeySet {
  keys: Array<Record<string, unknown>>;
}

/**
 * A client application. It authenticates with `client_secret`, or with Private Key JWT
 * (`client_assertion`) signed by the key of `public_key` or one of `jwks`; at least one is needed.
 */
export interface SeedClient {
  client_id: string;
  client_secret?: string;
  /** An RSA public key, PEM-encoded SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`). */
  public_key?: string;
  /** RSA public keys as a JWKS; an assertion's `kid` selects one. */
  jwks?: JsonWebKeySet;
  /** The Management API scopes granted to the client, e.g. `read:users`. */
  scopes: string[];
}

/**
 * Input of `admin.seed()` and `POST /__admin/seed`. Every list is optional. An entity whose key
 * (`identifier`, `user_id`, `id`, `client_id`) already exists is replaced as a whole.
 */
export interface SeedDocument {
  resource_servers?: SeedResourceServer[];
  users?: SeedUser[];
  roles?: SeedRole[];
  clients?: SeedClient[];
}

/** Output of `admin.state()` and `GET /__admin/state`: the seed shape with every field filled in. */
export interface TenantState {
  /** The seeded APIs; the tenant's built-in Auth0 Management API (a system API) is not part of the state. */
  resource_servers: Array<{
    identifier: string;
    /** Absent when none was given. */
    name?: string;
    id: string;
    /** Absent when the API never had scopes. */
    scopes?: ScopeDefinition[];
    token_lifetime: number;
    token_lifetime_for_web: number;
    skip_consent_for_verifiable_first_party_clients: boolean;
    allow_offline_access: boolean;
  }>;
  users: Array<{ user_id: string; permissions: PermissionReference[]; roles: string[] }>;
  roles: Array<{
    id: string;
    name: string;
    description: string;
    type: "tenant" | "organization";
    /** Only on organization roles. */
    owner_id?: string;
    permissions: PermissionReference[];
  }>;
  clients: SeedClient[];
}

/** One served request. Never holds a token, a secret or a body. */
export interface RequestLogEntry {
  method: string;
  /** The path as sent (still percent-encoded), without the query string. */
  path: string;
  /** Query parameters; values of parameters whose name looks secret are replaced with `[redacted]`. */
  query: Record<string, string>;
  /** The HTTP status sent, or 0 when a fault reset the connection or left it hanging. */
  status: number;
  /** ISO 8601 time from the emulator's clock when the response was sent. */
  at: string;
}

/** A scripted misbehaviour, applied to the next `times` requests that match. */
export interface FaultSpec {
  match?: {
    /** Case-insensitive HTTP method. @default any */
    method?: string;
    /** A regular expression tested against the request path as sent (percent-encoded, no query). @default any */
    path?: string;
  };
  /** How many matching requests the fault applies to. @default 1 */
  times?: number;
  /** Reply with this instead of the real answer. Objects are sent as JSON. */
  response?: { status: number; headers?: Record<string, string>; body?: unknown };
  /** Wait this long first. Without `response`, `reset_connection` or `hang`, the request is then served normally. */
  delay_ms?: number;
  /** Destroy the TCP connection without an answer. */
  reset_connection?: boolean;
  /** Never answer; the connection stays open until the client gives up or the emulator stops. */
  hang?: boolean;
}

export type RateLimitProfileName = "none" | "free" | "enterprise";

/** Input of `admin.setRateLimit()` and `POST /__admin/rate-limit`. */
export type RateLimitUpdate = { profile: RateLimitProfileName } | { burst: number; per_second: number };

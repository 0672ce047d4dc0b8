import { randomBytes } from "node:crypto";
import type { RateLimitProfileName, SeedDocument } from "./types";

/** A custom token bucket: `burst` tokens at most, refilled continuously at `perSecond`. */
export interface RateLimitSettings {
  burst: number;
  perSecond: number;
}

/**
 * Options of `startEmulator()`. Behaviours Auth0 leaves open (see `docs/emulator-fidelity.md`) each have a
 * documented default and a selectable alternative, so a client can be tested against both.
 */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Serve plain HTTP instead of HTTPS. @default false */
  http?: boolean;
  /** Management API rate limit. `free` is burst 2, 2/s; `enterprise` is burst 50, 16/s. @default "none" */
  rateLimit?: RateLimitProfileName | RateLimitSettings;
  /** Initial tenant content; `admin.reset()` returns to it. */
  seed?: SeedDocument;
  /** Id of the default client, which holds every scope the emulator checks. @default "emulator-client" */
  clientId?: string;
  /** Secret of the default client. @default random for each start */
  clientSecret?: string;
  /** Assigning a permission that is already assigned: `noop` answers 201, `conflict` answers 409. @default "noop" */
  duplicateAssign?: "noop" | "conflict";
  /**
   * Assigning a permission name that the resource server does not define: `bad-request` answers 400,
   * `not-found` answers 404, `accept` stores it. @default "bad-request"
   */
  unknownPermission?: "bad-request" | "not-found" | "accept";
  /** Whether GET /users/{id}/permissions lists permissions inherited from roles. @default "direct-and-role" */
  userPermissionSources?: "direct-and-role" | "direct-only";
  /** `per_page` above 100: `reject` answers 400, `clamp` serves 100. @default "reject" */
  perPageAboveMaximum?: "reject" | "clamp";
  /** Send `Retry-After` (seconds) on 429 answers. @default false */
  retryAfterHeader?: boolean;
  /**
   * How `x-ratelimit-reset` is rounded: `next-token` is the second by which a token is back (rounded up);
   * `current-second` rounds down, reproducing the reported "reset equals now" burst answers. @default "next-token"
   */
  rateLimitReset?: "next-token" | "current-second";
  /** Largest `permissions` array one POST or DELETE accepts; beyond it 400. @default no limit */
  maxPermissionsPerRequest?: number;
  /** Lifetime of issued access tokens. @default 86400 */
  tokenTtlSeconds?: number;
  /** Add a `scope` member to token answers; the recorded answers have none. @default false */
  tokenScopeMember?: boolean;
  /**
   * Order of permission lists: `sorted` by API identifier, then permission name (what the recordings are
   * consistent with); `shuffled` is a fixed random order per start, so a client is tested never to depend on
   * the order. @default "sorted"
   */
  permissionOrder?: "sorted" | "shuffled";
  /**
   * Require this token on every `/__admin` call (`Authorization: Bearer <token>`); `true` makes a random one,
   * exposed as `adminToken`. @default none required
   */
  adminToken?: string | boolean;
  /**
   * Keep the CA in this folder (`ca.pem`, and its key in `ca-key.pem`, mode 0600) and reuse it on later
   * starts, so a CI machine trusts it once. @default a new CA per start, deleted on stop
   */
  caDir?: string;
  /** Clock in epoch milliseconds, for token expiry, rate limiting and the request log. @default Date.now */
  now?: () => number;
  /** Timer used by `delay_ms` faults; tests inject one that records instead of waiting. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Entries the request log keeps; older ones are dropped. @default 100000 */
  requestLogLimit?: number;
  /** Estimated bytes the request log keeps at most; older entries are dropped. @default 16 MiB */
  requestLogMaxBytes?: number;
}

export interface ResolvedEmulatorOptions {
  port: number;
  http: boolean;
  rateLimit: RateLimitSettings | undefined;
  seed: SeedDocument;
  clientId: string;
  clientSecret: string;
  duplicateAssign: "noop" | "conflict";
  unknownPermission: "bad-request" | "not-found" | "accept";
  userPermissionSources: "direct-and-role" | "direct-only";
  perPageAboveMaximum: "reject" | "clamp";
  retryAfterHeader: boolean;
  rateLimitReset: "next-token" | "current-second";
  maxPermissionsPerRequest: number | undefined;
  tokenTtlSeconds: number;
  tokenScopeMember: boolean;
  permissionOrder: "sorted" | "shuffled";
  adminToken: string | undefined;
  caDir: string | undefined;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  requestLogLimit: number;
  requestLogMaxBytes: number;
}

/** Rate-limit profiles, from Auth0's published Management API limits (auth0-api-facts.md §10). */
export const rateLimitProfiles: Readonly<Record<RateLimitProfileName, RateLimitSettings | undefined>> = {
  none: undefined,
  free: { burst: 2, perSecond: 2 },
  enterprise: { burst: 50, perSecond: 16 },
};

/**
 * The scopes the emulator checks, with the descriptions the built-in Auth0 Management API resource server
 * lists for them; the default client holds all of them.
 */
export const managementScopeDescriptions: Readonly<Record<string, string>> = {
  "read:users": "Read Users",
  "update:users": "Update Users",
  "read:roles": "Read Roles",
  "update:roles": "Update Roles",
  "read:resource_servers": "Read Resource Servers",
};

export const managementScopes: readonly string[] = Object.keys(managementScopeDescriptions);

export function resolveRateLimit(value: RateLimitProfileName | RateLimitSettings): RateLimitSettings | undefined {
  if (typeof value === "string") {
    if (!(value in rateLimitProfiles)) {
      throw new TypeError(`Unknown rate-limit profile "${value}"; use none, free, enterprise or {burst, perSecond}`);
    }
    return rateLimitProfiles[value];
  }
  if (!(Number.isFinite(value.burst) && value.burst >= 1 && Number.isFinite(value.perSecond) && value.perSecond > 0)) {
    throw new TypeError("A custom rate limit needs burst >= 1 and perSecond > 0, e.g. {burst: 10, perSecond: 5}");
  }
  return { burst: value.burst, perSecond: value.perSecond };
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new TypeError(`${name} must be one of ${allowed.join(", ")}; got "${value}"`);
  return value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer; got ${value}`);
  return value;
}

function resolveAdminToken(value: string | boolean | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return randomBytes(24).toString("base64url");
  if (typeof value !== "string" || !/^[\x21-\x7e]{16,512}$/.test(value)) {
    throw new TypeError("adminToken must be true or 16 to 512 printable ASCII characters without spaces");
  }
  return value;
}

function resolveCaDir(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new TypeError("caDir must be a folder path");
  return value;
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Validates options once, at the boundary, and fills in every default. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be 0..65535; got ${port}`);
  return {
    port,
    http: options.http ?? false,
    rateLimit: resolveRateLimit(options.rateLimit ?? "none"),
    seed: options.seed ?? {},
    clientId: options.clientId ?? "emulator-client",
    clientSecret: options.clientSecret ?? randomBytes(24).toString("base64url"),
    duplicateAssign: oneOf("duplicateAssign", options.duplicateAssign, ["noop", "conflict"], "noop"),
    unknownPermission: oneOf(
      "unknownPermission",
      options.unknownPermission,
      ["bad-request", "not-found", "accept"],
      "bad-request",
    ),
    userPermissionSources: oneOf(
      "userPermissionSources",
      options.userPermissionSources,
      ["direct-and-role", "direct-only"],
      "direct-and-role",
    ),
    perPageAboveMaximum: oneOf("perPageAboveMaximum", options.perPageAboveMaximum, ["reject", "clamp"], "reject"),
    retryAfterHeader: options.retryAfterHeader ?? false,
    rateLimitReset: oneOf("rateLimitReset", options.rateLimitReset, ["next-token", "current-second"], "next-token"),
    maxPermissionsPerRequest:
      options.maxPermissionsPerRequest === undefined
        ? undefined
        : positiveInteger("maxPermissionsPerRequest", options.maxPermissionsPerRequest, 1),
    tokenTtlSeconds: positiveInteger("tokenTtlSeconds", options.tokenTtlSeconds, 86_400),
    tokenScopeMember: options.tokenScopeMember ?? false,
    permissionOrder: oneOf("permissionOrder", options.permissionOrder, ["sorted", "shuffled"], "sorted"),
    adminToken: resolveAdminToken(options.adminToken),
    caDir: resolveCaDir(options.caDir),
    now: options.now ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    requestLogLimit: positiveInteger("requestLogLimit", options.requestLogLimit, 100_000),
    requestLogMaxBytes: positiveInteger("requestLogMaxBytes", options.requestLogMaxBytes, 16 * 1024 * 1024),
  };
}

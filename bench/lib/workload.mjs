// The benchmark's workloads: what the tenant holds before, what each stack declares, what the tenant
// must hold after each phase, and the bound (the fewest requests the work needs and the time they
// take at the allowed rate). Pure functions, shared by the runner and the report.

export const API = "https://bench.example.com";
/** Page size of Auth0's permission lists (and the largest `per_page`). */
export const PAGE = 100;
/** Permissions per POST or DELETE: Auth0 documents no maximum; both implementations send one request. */
export const WRITE_BATCH = 100;

export const scopeName = (j) => `perm:${String(j).padStart(3, "0")}`;
export const userId = (i) => `auth0|bench-${String(i).padStart(4, "0")}`;
export const roleId = (i) => `rol_bench${String(i).padStart(4, "0")}`;

/** Rate-limit profiles of the emulator (src/emulator/options.ts): burst and refill per second. */
export const PROFILES = {
  none: undefined,
  enterprise: { burst: 50, perSecond: 16 },
  free: { burst: 2, perSecond: 2 },
};

/**
 * A workload: `n` resources of one kind, each with `m` permissions.
 * - user: grant `m` permissions directly to each of `n` users who hold none.
 *   Ours: UserPermissions. Peer: auth0.UserPermissions with the same `m` (authoritative: it owns
 *   all the user's direct permissions; the users hold no others, so the end state is the same).
 * - role: each of `n` roles holds 2m permissions; take the first `m` off it.
 *   Ours: RolePermissionRemoval of those `m` (destroy puts them back). Peer: auth0.RolePermissions
 *   declaring the `m` that remain (authoritative; its create only adds and reads, so the `m` come off
 *   at the second `up`; its destroy deletes the `m` that remained, leaving the role empty).
 */
export function seedFor({ kind, n, m }) {
  const scopes = Array.from({ length: kind === "role" ? 2 * m : m }, (_, j) => scopeName(j));
  const wire = (permission_name) => ({ resource_server_identifier: API, permission_name });
  const seed = { resource_servers: [{ identifier: API, name: "Bench API", scopes }], users: [], roles: [] };
  for (let i = 0; i < n; i++) {
    if (kind === "user") seed.users.push({ user_id: userId(i) });
    else seed.roles.push({ id: roleId(i), name: `Bench role ${i}`, permissions: scopes.map(wire) });
  }
  return seed;
}

const pages = (count) => Math.max(1, Math.ceil(count / PAGE));
const writes = (count) => Math.ceil(count / WRITE_BATCH);

/**
 * The fewest Management API requests the work of one phase needs (token requests excluded: the
 * token endpoint has its own limit), independent of the implementation.
 * - preview: nothing (the plan needs no tenant data).
 * - up: user: one POST per user. role: read the role (to know, and record, what is removed) and one
 *   DELETE.
 * - up again (nothing changed): nothing.
 * - refresh: read every resource's subject: a user lists m, a role lists the m that remain.
 * - destroy: user: one DELETE per user. role: one POST per role (put back what was removed).
 */
export function minimumRequests({ kind, n, m }, phase) {
  switch (phase) {
    case "preview":
    case "up again":
      return { reads: 0, writes: 0 };
    case "up":
      return kind === "user" ? { reads: 0, writes: n * writes(m) } : { reads: n * pages(2 * m), writes: n * writes(m) };
    case "refresh":
      return { reads: n * pages(m), writes: 0 };
    case "destroy":
      return { reads: 0, writes: n * writes(m) };
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

/**
 * Seconds `requests` take at the allowed rate, starting with a full bucket (the runner refills it
 * before every phase): the first `burst` go at once, every further one waits for a token.
 * Undefined without a limit.
 */
export function boundSeconds(requests, profile) {
  const limit = PROFILES[profile];
  if (limit === undefined) return undefined;
  return Math.max(0, requests - limit.burst) / limit.perSecond;
}

/** Groups a request path by endpoint: ids become placeholders. */
export function endpointOf(method, path) {
  const shape = path
    .replace(/^\/api\/v2\/users\/[^/]+/, "/api/v2/users/{id}")
    .replace(/^\/api\/v2\/roles\/[^/]+/, "/api/v2/roles/{id}");
  return `${method} ${shape}`;
}

/** What the tenant must hold after a phase, for the stack of `impl`; undefined = not checked. */
export function expectedState({ kind, m }, impl, phase) {
  const all = Array.from({ length: kind === "role" ? 2 * m : m }, (_, j) => scopeName(j));
  const kept = kind === "role" ? all.slice(m) : [];
  if (kind === "user") {
    if (phase === "preview" || phase === "destroy") return [];
    return all;
  }
  // role
  if (phase === "preview") return all;
  if (phase === "destroy") return impl === "ours" ? all : [];
  if (phase === "up" && impl === "peer") return all; // authoritative create only adds and reads
  return kept;
}

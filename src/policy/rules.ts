import { describePermission, permissionKey, type Permission } from "../permissions/permission";

/**
 * The decisions behind the guardrails in `pulumi-auth0-permissions/policy`, as pure functions over plain
 * data: what the policy pack reads from the engine goes in, the violations' text comes out.
 */

/** A pattern as given (a glob where `*` matches any characters, or a regular expression) and its matcher. */
export interface PermissionPattern {
  readonly source: string;
  readonly test: (permissionName: string) => boolean;
}

/** Normalizes patterns once; a glob matches the whole permission name, exactly and case-sensitively. */
export function permissionPatterns(option: string, patterns: readonly (string | RegExp)[]): PermissionPattern[] {
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw new TypeError(`${option} must list at least one pattern, e.g. ["delete:*", /^admin:/].`);
  }
  return patterns.map((pattern, i) => {
    if (pattern instanceof RegExp) {
      const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")); // no lastIndex state
      return { source: String(pattern), test: (name) => regexp.test(name) };
    }
    if (typeof pattern !== "string" || pattern === "") {
      throw new TypeError(`${option}[${i}] must be a non-empty string (a glob such as "delete:*") or a RegExp.`);
    }
    const regexp = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");
    return { source: JSON.stringify(pattern), test: (name) => regexp.test(name) };
  });
}

/** A positive integer option, or a clear error naming it. */
export function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${option} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/** Each listed permission that matches a pattern, with the first pattern it matches. */
export function forbiddenGrants(
  permissions: readonly Permission[],
  patterns: readonly PermissionPattern[],
  resourceServers: readonly string[] | undefined,
): string[] {
  const found: string[] = [];
  for (const permission of permissions) {
    if (resourceServers !== undefined && !resourceServers.includes(permission.resourceServerIdentifier)) continue;
    const pattern = patterns.find((p) => p.test(permission.permissionName));
    if (pattern !== undefined) found.push(`${describePermission(permission)} (matches ${pattern.source})`);
  }
  return found;
}

/** One resource's direct grants to one user, as the stack policy sees it. */
export interface UserGrants {
  readonly urn: string;
  readonly userId: string;
  readonly permissions: readonly Permission[];
}

/** Users whose distinct direct grants, over all resources of the stack, exceed `max`; one entry per user. */
export function usersOverCap(
  grants: readonly UserGrants[],
  max: number,
): { userId: string; count: number; urns: string[] }[] {
  const byUser = new Map<string, { keys: Set<string>; urns: string[] }>();
  for (const grant of grants) {
    const entry = byUser.get(grant.userId) ?? { keys: new Set<string>(), urns: [] };
    for (const permission of grant.permissions) entry.keys.add(permissionKey(permission));
    entry.urns.push(grant.urn);
    byUser.set(grant.userId, entry);
  }
  return [...byUser]
    .filter(([, entry]) => entry.keys.size > max)
    .map(([userId, entry]) => ({ userId, count: entry.keys.size, urns: entry.urns }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

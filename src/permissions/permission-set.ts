import { comparePermissions, permissionKey, type Permission } from "./permission";

/** Removes duplicates and sorts: the one canonical form used in state, diffs and requests. */
export function canonicalize(permissions: Iterable<Permission>): Permission[] {
  const byKey = new Map<string, Permission>();
  for (const p of permissions) {
    const key = permissionKey(p);
    if (!byKey.has(key)) {
      byKey.set(key, { resourceServerIdentifier: p.resourceServerIdentifier, permissionName: p.permissionName });
    }
  }
  return [...byKey.values()].sort(comparePermissions);
}

/** Permissions of `a` that are not in `b`, canonical. */
export function difference(a: Iterable<Permission>, b: Iterable<Permission>): Permission[] {
  const exclude = keySet(b);
  return canonicalize([...a].filter((p) => !exclude.has(permissionKey(p))));
}

/** Permissions in both `a` and `b`, canonical. */
export function intersection(a: Iterable<Permission>, b: Iterable<Permission>): Permission[] {
  const include = keySet(b);
  return canonicalize([...a].filter((p) => include.has(permissionKey(p))));
}

export function union(a: Iterable<Permission>, b: Iterable<Permission>): Permission[] {
  return canonicalize([...a, ...b]);
}

/** Set equality: order and duplicates never matter. */
export function samePermissions(a: Iterable<Permission>, b: Iterable<Permission>): boolean {
  const left = keySet(a);
  const right = keySet(b);
  return left.size === right.size && [...left].every((k) => right.has(k));
}

export interface PermissionChanges {
  readonly toAdd: Permission[];
  readonly toRemove: Permission[];
}

/** What turns `current` into `desired`. */
export function planChanges(current: Iterable<Permission>, desired: Iterable<Permission>): PermissionChanges {
  const currentList = [...current];
  const desiredList = [...desired];
  return { toAdd: difference(desiredList, currentList), toRemove: difference(currentList, desiredList) };
}

/** Splits a list into chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function keySet(permissions: Iterable<Permission>): Set<string> {
  const keys = new Set<string>();
  for (const p of permissions) keys.add(permissionKey(p));
  return keys;
}

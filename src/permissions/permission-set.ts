import { Auth0PermissionsError } from "../errors";
import { comparePermissions, permissionKey, type Permission } from "./permission";

declare const canonical: unique symbol;

/**
 * The one canonical form used in state, diffs and requests: deduplicated, sorted (by API, then by
 * name, in UTF-16 code-unit order), and frozen, items included. Only `canonicalize` makes one, and
 * it returns a set unchanged, so the operations below never sort or deduplicate a set again.
 * It is a plain array at run time: it serializes into state exactly as before.
 */
export type PermissionSet = readonly Permission[] & { readonly [canonical]: true };

/** Every PermissionSet made in this process; a frozen array cannot be altered after it is registered. */
const made = new WeakSet<readonly Permission[]>();

export function isPermissionSet(value: Iterable<Permission>): value is PermissionSet {
  return made.has(value as readonly Permission[]);
}

/** Removes duplicates and sorts; a set is returned as it is. */
export function canonicalize(permissions: Iterable<Permission>): PermissionSet {
  if (isPermissionSet(permissions)) return permissions;
  const byKey = new Map<string, Permission>();
  for (const p of permissions) {
    const key = permissionKey(p);
    if (!byKey.has(key)) {
      byKey.set(key, { resourceServerIdentifier: p.resourceServerIdentifier, permissionName: p.permissionName });
    }
  }
  return fromCanonical([...byKey.values()].sort(comparePermissions));
}

/** Permissions of `a` that are not in `b`. */
export function difference(a: Iterable<Permission>, b: Iterable<Permission>): PermissionSet {
  const exclude = keySet(b);
  return fromCanonical(canonicalize(a).filter((p) => !exclude.has(permissionKey(p))));
}

/** Permissions in both `a` and `b`. */
export function intersection(a: Iterable<Permission>, b: Iterable<Permission>): PermissionSet {
  const include = keySet(b);
  return fromCanonical(canonicalize(a).filter((p) => include.has(permissionKey(p))));
}

/** Permissions in `a` or `b`: a merge of two sorted sets. */
export function union(a: Iterable<Permission>, b: Iterable<Permission>): PermissionSet {
  const left = canonicalize(a);
  const right = canonicalize(b);
  const merged: Permission[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const order = comparePermissions(left[i]!, right[j]!);
    if (order < 0) merged.push(left[i++]!);
    else if (order > 0) merged.push(right[j++]!);
    else {
      merged.push(left[i++]!);
      j++;
    }
  }
  merged.push(...left.slice(i), ...right.slice(j));
  return fromCanonical(merged);
}

/** Set equality: order and duplicates never matter. */
export function samePermissions(a: Iterable<Permission>, b: Iterable<Permission>): boolean {
  const left = canonicalize(a);
  const right = canonicalize(b);
  return left.length === right.length && left.every((p, i) => comparePermissions(p, right[i]!) === 0);
}

/** Splits a list into chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new Auth0PermissionsError(`chunk size must be a positive integer, got ${size}`);
  }
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Registers a list that is already deduplicated and sorted. */
function fromCanonical(sorted: Permission[]): PermissionSet {
  for (const p of sorted) Object.freeze(p);
  const set = Object.freeze(sorted) as unknown as PermissionSet;
  made.add(set);
  return set;
}

function keySet(permissions: Iterable<Permission>): Set<string> {
  const keys = new Set<string>();
  for (const p of permissions) keys.add(permissionKey(p));
  return keys;
}

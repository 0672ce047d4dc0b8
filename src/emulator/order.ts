import { createHash, randomBytes } from "node:crypto";
import { comparePermissions, permissionKey } from "./store";
import type { PermissionReference } from "./types";

/** How permission lists are ordered; a list keeps the same order on every page of one walk. */
export type PermissionComparator = (a: PermissionReference, b: PermissionReference) => number;

/**
 * `sorted`: by API identifier, then permission name, which is what the recordings are consistent with
 * (auth0-api-facts.md §14). `shuffled`: a random order fixed for this start (a hash of the permission with a
 * per-start salt), stable across pages and requests, so a client that depends on the order fails.
 */
export function permissionComparator(
  mode: "sorted" | "shuffled",
  salt: Buffer = randomBytes(16),
): PermissionComparator {
  if (mode === "sorted") return comparePermissions;
  const ranks = new Map<string, string>();
  const rank = (permission: PermissionReference): string => {
    const key = permissionKey(permission);
    let value = ranks.get(key);
    if (value === undefined) {
      value = createHash("sha256").update(salt).update(key).digest("hex");
      // Bounded: a rank is cheap to recompute, so the memo is dropped rather than grown without limit.
      if (ranks.size >= 100_000) ranks.clear();
      ranks.set(key, value);
    }
    return value;
  };
  return (a, b) => {
    const left = rank(a);
    const right = rank(b);
    if (left !== right) return left < right ? -1 : 1;
    return comparePermissions(a, b);
  };
}

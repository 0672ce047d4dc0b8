import { comparePermissions, permissionKey, type Permission } from "../permissions/permission";
import { UNKNOWN_VALUE } from "./inputs";

/**
 * The detailed diff a preview shows, computed from what `diff` already knows. Without one the engine
 * compares the sorted permission arrays index by index, so a permission inserted at the front shows every
 * later element as changed. With one, it shows exactly one `+` per permission joining the list and one `-`
 * per permission leaving it.
 *
 * Paths follow the engine's rules (pulumi/pkg/engine/detailedDiff.go): an added element is addressed by its
 * index in the new inputs (the checked, sorted list), a deleted one by its index in the old outputs (the
 * state, sorted). When a deleted and an added element share an index, the engine can print only one of
 * them, so that index is reported as an update and shows `old => new`.
 */

/** The kinds of pulumirpc.PropertyDiff, by name. */
export type PropertyDiffKind = "add" | "addReplace" | "delete" | "deleteReplace" | "update" | "updateReplace";

export interface PropertyDiff {
  readonly kind: PropertyDiffKind;
  /** Always false here: old values are read from the old outputs, which hold the same lists. */
  readonly inputDiff: boolean;
}

export type DetailedDiff = Readonly<Record<string, PropertyDiff>>;

/** A change of a scalar property: `replaces` says whether it replaces the resource. */
export interface ScalarChange {
  readonly property: string;
  readonly replaces: boolean;
}

/** The scalar changes of a removal and of its plan: a replacing `roleId`, and a changed `restoreOnDelete`. */
export function removalScalarChanges(replaces: readonly string[], restoreChanged: boolean): ScalarChange[] {
  return [
    ...replaces.map((property) => ({ property, replaces: true })),
    ...(restoreChanged ? [{ property: "restoreOnDelete", replaces: false }] : []),
  ];
}

/**
 * The permission elements that change, plus the changed scalar properties. `old` is the list in the state
 * (sorted, as written), `news` the checked inputs' list, `missing` the listed permissions known to be absent
 * from the tenant (drift): they are granted again, so they count as joining. Returns undefined when the new
 * list is not known yet (preview) or is not a list of permissions: the engine then shows its own diff.
 */
export function permissionsDetailedDiff(
  old: readonly Permission[],
  news: unknown,
  scalars: readonly ScalarChange[] = [],
  missing: readonly Permission[] = [],
): DetailedDiff | undefined {
  const next = knownPermissions(news);
  if (next === undefined) return undefined;
  const missingKeys = new Set(missing.map(permissionKey));
  const oldKeys = new Set(old.map(permissionKey).filter((key) => !missingKeys.has(key)));
  const newKeys = new Set(next.map(permissionKey));
  const added = new Set<number>();
  next.forEach((p, i) => {
    if (!oldKeys.has(permissionKey(p))) added.add(i);
  });
  const deleted = new Set<number>();
  old.forEach((p, i) => {
    if (!newKeys.has(permissionKey(p))) deleted.add(i);
  });
  const diff: Record<string, PropertyDiff> = {};
  for (const { property, replaces } of scalars) {
    diff[property] = { kind: replaces ? "updateReplace" : "update", inputDiff: false };
  }
  for (const i of [...added, ...deleted].sort((a, b) => a - b)) {
    const kind = added.has(i) && deleted.has(i) ? "update" : added.has(i) ? "add" : "delete";
    diff[`permissions[${i}]`] = { kind, inputDiff: false };
  }
  return Object.keys(diff).length > 0 ? diff : undefined;
}

/** The new list when it is fully known and already in the canonical order `check` returns; else undefined. */
function knownPermissions(news: unknown): Permission[] | undefined {
  if (!Array.isArray(news)) return undefined;
  const list: Permission[] = [];
  for (const p of news as unknown[]) {
    if (typeof p !== "object" || p === null) return undefined;
    const { resourceServerIdentifier, permissionName } = p as Record<string, unknown>;
    if (typeof resourceServerIdentifier !== "string" || typeof permissionName !== "string") return undefined;
    if (resourceServerIdentifier === UNKNOWN_VALUE || permissionName === UNKNOWN_VALUE) return undefined;
    list.push({ resourceServerIdentifier, permissionName });
  }
  // Indices address the inputs as the engine holds them; only the canonical (sorted, unique) form is safe.
  for (let i = 1; i < list.length; i++) if (comparePermissions(list[i - 1]!, list[i]!) >= 0) return undefined;
  return list;
}

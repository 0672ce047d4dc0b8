import * as pulumi from "@pulumi/pulumi";
import { describePermission, permissionKey, type Permission } from "../permissions/permission";

/**
 * Warns, in the program process (so at `pulumi preview` too), when two resources of the program
 * list the same permission for the same user, or keep the same permission off the same role.
 * Both then manage it: destroying one revokes (or restores) what the other still declares.
 *
 * The inputs are resolved as Outputs; a value still unknown during preview is not compared (it is
 * compared at `pulumi up`, once known). One registry per program process, which is one program.
 */
export type OverlapKind = "UserPermissions" | "RolePermissionRemoval";

type PermissionInputs = pulumi.Input<
  pulumi.Input<{ resourceServerIdentifier: pulumi.Input<string>; permissionName: pulumi.Input<string> }>[]
>;

interface Declaration {
  readonly name: string;
  readonly keys: ReadonlyMap<string, Permission>;
}

const declared = new Map<string, Declaration[]>();

export function watchForOverlaps(
  kind: OverlapKind,
  name: string,
  resource: pulumi.Resource,
  holderId: pulumi.Input<string>,
  permissions: PermissionInputs,
): void {
  pulumi.all([holderId, pulumi.output(permissions)]).apply(([id, list]) => {
    if (typeof id !== "string" || !Array.isArray(list)) return;
    const keys = new Map<string, Permission>();
    for (const item of list as unknown[]) {
      const permission = item as Partial<Permission> | null;
      if (typeof permission?.resourceServerIdentifier !== "string" || typeof permission.permissionName !== "string")
        return; // malformed: check() reports it, naming the property
      keys.set(permissionKey(permission as Permission), permission as Permission);
    }
    const holder = `${kind}\u0000${id}`;
    const earlier = declared.get(holder) ?? [];
    for (const other of earlier) {
      const shared = [...keys.entries()].filter(([key]) => other.keys.has(key)).map(([, p]) => p);
      if (shared.length > 0) void pulumi.log.warn(overlapMessage(kind, id, other.name, name, shared), resource);
    }
    declared.set(holder, [...earlier, { name, keys }]);
  });
}

/** The warning, apart from I/O. */
export function overlapMessage(
  kind: OverlapKind,
  holderId: string,
  first: string,
  second: string,
  shared: readonly Permission[],
): string {
  const listed = shared.map(describePermission).join(", ");
  return kind === "UserPermissions"
    ? `UserPermissions '${first}' and '${second}' both grant ${listed} to user '${holderId}'. Destroying either ` +
        "revokes it while the other still declares it. Give each permission one owner."
    : `RolePermissionRemoval '${first}' and '${second}' both keep ${listed} off role '${holderId}'. Destroying ` +
        "either restores what it removed while the other still declares it off. Give each permission one owner.";
}

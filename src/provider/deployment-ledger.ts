import type { Holder } from "../client/permissions-api";
import { permissionKey, type Permission } from "../permissions/permission";
import { holderKey } from "./holder-locks";

/**
 * What the resources written in this deployment declare, per user and per role: for a user, the
 * permissions a UserPermissions created or updated here grants; for a role, the permissions a
 * RolePermissionRemoval created or updated here keeps off. It lives in the provider process, which
 * every resource of one deployment shares, and so lasts exactly one deployment.
 *
 * Why a lock alone is not enough: when resource A drops `read:x` for a user and resource B adds it,
 * Pulumi runs both updates concurrently. Serialized, A-then-B ends with the grant; B-then-A would
 * still revoke it, B's POST being a no-op on a permission the user already has. So a revoke (or, for
 * roles, a restore) first asks the ledger, and leaves alone what another resource of the same
 * deployment declared. Whichever write runs first, the user ends with `read:x`.
 */
export class DeploymentLedger {
  private readonly claims = new Map<string, Map<string, Permission>>();

  /** Records that a resource written in this deployment declares these for the holder. */
  claim(holder: Holder, permissions: readonly Permission[]): void {
    const key = holderKey(holder);
    const claimed = this.claims.get(key) ?? new Map<string, Permission>();
    for (const permission of permissions) claimed.set(permissionKey(permission), permission);
    this.claims.set(key, claimed);
  }

  /** Everything the resources written in this deployment declared for the holder. */
  claimed(holder: Holder): readonly Permission[] {
    return [...(this.claims.get(holderKey(holder))?.values() ?? [])];
  }
}

/**
 * The decision, apart from I/O: of the permissions a resource is about to revoke (or restore),
 * which it may write, and which it must leave because another resource of the deployment declared
 * them.
 */
export function splitByClaims(
  permissions: readonly Permission[],
  claimed: readonly Permission[],
): { write: Permission[]; leave: Permission[] } {
  const keys = new Set(claimed.map(permissionKey));
  const write: Permission[] = [];
  const leave: Permission[] = [];
  for (const permission of permissions) (keys.has(permissionKey(permission)) ? leave : write).push(permission);
  return { write, leave };
}
